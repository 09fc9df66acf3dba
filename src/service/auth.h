/*
 * auth.h — who is calling (SPEC X1, X2): person sessions from a password
 * login, API keys for everyone else.  Secrets are stored only as hashes
 * (Argon2id for passwords, SHA-256 for random tokens and keys).
 */
#ifndef YB_SERVICE_AUTH_H
#define YB_SERVICE_AUTH_H

#include "service/ctx.h"

#define YB_TOKEN_SZ 64

/*
 * X2: log in with SSN or ID number and password.  Throttled after
 * settings->login_max_failures failures within login_lockout_seconds, per
 * account and per `addr` (auth.throttled); a wrong login or password is
 * auth.invalid_credentials either way (no hint which).
 */
int yb_login(yb_ctx *ctx, const char *login, const char *password,
	     const char *addr, char token[YB_TOKEN_SZ], yb_time *expires_at,
	     yb_err *err);

/* As yb_login; when it is throttled, *retry_after (if not NULL) is the
 * number of seconds until it may be tried again (issue 14). */
int yb_login_ex(yb_ctx *ctx, const char *login, const char *password,
		const char *addr, char token[YB_TOKEN_SZ], yb_time *expires_at,
		int *retry_after, yb_err *err);

int yb_logout(yb_ctx *ctx, const char *token, yb_err *err);

/* --- a person's own sessions and password (issue 14, sessions.c) --- */

#define YB_SESSION_ID_SZ 17     /* 16 hex characters and NUL */

/* A session as its person sees it: an id that is not the token (the first
 * 64 bits of the token's SHA-256), its times, and whether it is the one
 * asking. */
typedef struct yb_session_view {
	char session_id[YB_SESSION_ID_SZ];
	yb_time created_at;
	yb_time expires_at;
	bool current;
} yb_session_view;

/* The caller's (a person's, by `bearer`) live sessions, newest first;
 * *out is malloc'ed (free() it). */
int yb_sessions_list(yb_ctx *ctx, const char *bearer, yb_session_view **out,
		     int *n, yb_err *err);

/* End one of the caller's own sessions.  Errors: session.not_found (also
 * for another person's session: the id names nothing of his). */
int yb_session_end(yb_ctx *ctx, const char *session_id, yb_err *err);

/*
 * The person changes his own password: the current one is checked as a
 * login is (Argon2id, throttled with his logins: auth.throttled, with
 * *retry_after), then the new one replaces it and every other session of
 * his ends.  Errors: auth.wrong_password, auth.weak_password,
 * auth.throttled.
 */
int yb_password_change(yb_ctx *ctx, const char *bearer, const char *current,
		       const char *new_password, int *retry_after,
		       yb_err *err);

/*
 * Resolve a bearer token (session token or API key) to an actor.
 * Errors: auth.invalid_token.
 */
int yb_authenticate(yb_ctx *ctx, const char *bearer, yb_actor *out,
		    yb_err *err);

/* yb_authenticate in two steps, which may run on two threads (the HTTP
 * server: the hash on the connection's thread, the look-up in the
 * writer's batch): the token's SHA-256 (hex; auth.invalid_token when it
 * cannot be one), then the look-up of that hash. */
int yb_token_hash(const char *bearer, char th[YB_HASH_HEX_SZ], yb_err *err);
int yb_authenticate_hash(yb_ctx *ctx, const char *th, yb_actor *out,
			 yb_err *err);

/* Make an API key (admin); the secret is returned once, stored hashed. */
int yb_apikey_create(yb_ctx *ctx, const char *role,
		     const char *institution_code, const char *employer_code,
		     const char *label, char key[YB_TOKEN_SZ], yb_api_key *out,
		     yb_err *err);

#endif
