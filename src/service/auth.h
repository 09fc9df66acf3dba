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

int yb_logout(yb_ctx *ctx, const char *token, yb_err *err);

/*
 * Resolve a bearer token (session token or API key) to an actor.
 * Errors: auth.invalid_token.
 */
int yb_authenticate(yb_ctx *ctx, const char *bearer, yb_actor *out,
		    yb_err *err);

/* Make an API key (admin); the secret is returned once, stored hashed. */
int yb_apikey_create(yb_ctx *ctx, const char *role,
		     const char *institution_code, const char *employer_code,
		     const char *label, char key[YB_TOKEN_SZ], yb_api_key *out,
		     yb_err *err);

#endif
