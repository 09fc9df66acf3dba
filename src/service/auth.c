/*
 * auth.c — who is calling (SPEC X1, X2): person logins with an Argon2id
 * password, throttled per account and per address; sessions and API keys
 * as random tokens of which only the SHA-256 is stored, so a copy of the
 * database lets nobody in.
 */
#include "service/auth.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/enums.h"
#include "core/hash.h"
#include "core/idnum.h"
#include "core/mask.h"
#include "service/person_int.h"

#define TOKEN_BYTES 32          /* 256 bits of randomness per token */
#define LOGIN_MAX 64
#define ADDR_MAX 128

/* A throttle key and the failures counted under it. */
typedef struct throttle {
	char key[160];
	bool used;
	int failures;
	yb_time window_start;
} throttle;

/* Read a counter; a window older than the lockout period counts as none. */
static int throttle_load(yb_ctx *ctx, throttle *t, yb_time now, yb_err *err)
{
	int found;

	t->failures = 0;
	t->window_start = now;
	if (!t->used)
		return 0;
	found = ctx->store->ops->throttle_get(ctx->store, t->key, &t->failures,
					      &t->window_start, err);
	if (found < 0)
		return -1;
	if (!found || now - t->window_start >=
		      ctx->settings->login_lockout_seconds) {
		t->failures = 0;
		t->window_start = now;
	}
	return 0;
}

static bool throttle_blocks(const yb_ctx *ctx, const throttle *t)
{
	return t->used && t->failures >= ctx->settings->login_max_failures;
}

/* Seconds until the blocking counters' windows end (issue 14: the
 * Retry-After of a 429), at least 1. */
static int throttle_retry_after(const yb_ctx *ctx, const throttle *keys,
				int nkeys, yb_time now)
{
	yb_time until = now + 1;

	for (int i = 0; i < nkeys; i++) {
		yb_time end = keys[i].window_start +
			      ctx->settings->login_lockout_seconds;
		if (throttle_blocks(ctx, &keys[i]) && end > until)
			until = end;
	}
	return (int)(until - now);
}

/* Who the login names: an 18-character ID number or an SSN.  found = 0
 * when nobody (or nothing sensible) is named. */
static int find_login(yb_ctx *ctx, const char *login, yb_person *p,
		      int *found, yb_err *err)
{
	yb_store *st = ctx->store;
	char norm[YB_IDNUM_SZ];

	*found = 0;
	if (strlen(login) == YB_IDNUM_SZ - 1) {
		snprintf(norm, sizeof norm, "%s", login);
		if (norm[YB_IDNUM_SZ - 2] == 'x')
			norm[YB_IDNUM_SZ - 2] = 'X';
		*found = st->ops->person_by_id_number(st, norm, p, err);
	} else if (yb_ssn_valid(login)) {
		*found = st->ops->person_by_ssn(st, login, p, err);
	}
	return *found < 0 ? -1 : 0;
}

/* Record one more failure under each key, in its own small transaction:
 * it must count even though the login itself changes nothing. */
static int count_failure(yb_ctx *ctx, throttle *keys, int nkeys, yb_time now,
			 yb_err *err)
{
	int rc = 0;

	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	for (int i = 0; i < nkeys && rc == 0; i++) {
		throttle *t = &keys[i];
		if (!t->used)
			continue;
		/* Re-read under the write lock: another worker may have
		 * counted a failure since. */
		rc = throttle_load(ctx, t, now, err);
		if (rc == 0)
			rc = ctx->store->ops->throttle_put(ctx->store, t->key,
							   t->failures + 1,
							   t->window_start,
							   err);
	}
	return yb_tx_end(ctx, rc, err);
}

/* Who the login names, his password hash (has_hash = 1 when he has one)
 * and the failure counters that apply, in one read transaction. */
static int read_login(yb_ctx *ctx, const char *login, yb_person *p,
		      char *hash, size_t hash_size, int *has_hash,
		      throttle keys[2], yb_time now, yb_err *err)
{
	yb_store *st = ctx->store;
	int found = 0, rc = -1;

	*has_hash = 0;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	if (find_login(ctx, login, p, &found, err) < 0)
		goto out;
	if (found) {
		keys[0].used = true;
		snprintf(keys[0].key, sizeof keys[0].key, "person:%lld",
			 (long long)p->id);
		*has_hash = st->ops->person_password(st, p->id, hash,
						     hash_size, err);
		if (*has_hash < 0)
			goto out;
	}
	if (throttle_load(ctx, &keys[0], now, err) < 0 ||
	    throttle_load(ctx, &keys[1], now, err) < 0)
		goto out;
	rc = 0;
out:
	return yb_tx_end(ctx, rc, err);
}

/* Expired sessions are refused, and forgotten: hourly, by the next
 * login's transaction (after its own session is in). */
#define SESSIONS_PURGE_EVERY 3600

static bool sessions_purge_due(yb_time now)
{
	static _Atomic yb_time last;

	return yb_due(&last, now, SESSIONS_PURGE_EVERY);
}

/* The login succeeded: clear the account's counter, store the session
 * (its token's hash only) and record it as the person's own act. */
static int open_session(yb_ctx *ctx, const yb_person *p, const char *key,
			const yb_session *s, yb_err *err)
{
	yb_store *st = ctx->store;
	yb_actor saved = ctx->actor;
	char target[YB_TEXT_SZ];
	int rc = -1;

	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (st->ops->throttle_clear(st, key, err) < 0 ||
	    st->ops->session_insert(st, s, err) < 0)
		goto out;
	if (sessions_purge_due(s->created_at) &&
	    st->ops->sessions_purge(st, s->created_at, err) < 0)
		goto out;
	ctx->actor.role = YB_ROLE_PERSON;
	ctx->actor.person_id = p->id;
	snprintf(ctx->actor.id, sizeof ctx->actor.id, "person:%s", p->ssn);
	snprintf(target, sizeof target, "person:%s", p->ssn);
	rc = yb_audit(ctx, "session.create", target, "ok", err);
	ctx->actor = saved;
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_login(yb_ctx *ctx, const char *login, const char *password,
	     const char *addr, char token[YB_TOKEN_SZ], yb_time *expires_at,
	     yb_err *err)
{
	return yb_login_ex(ctx, login, password, addr, token, expires_at, NULL,
			   err);
}

int yb_login_ex(yb_ctx *ctx, const char *login, const char *password,
		const char *addr, char token[YB_TOKEN_SZ], yb_time *expires_at,
		int *retry_after, yb_err *err)
{
	throttle keys[2];
	yb_person p;
	yb_session s;
	char hash[crypto_pwhash_STRBYTES];
	yb_time now = yb_ctx_now(ctx);
	int has_hash = 0;
	bool good = false;

	token[0] = '\0';
	memset(keys, 0, sizeof keys);
	if (!login || !password || strlen(login) > LOGIN_MAX ||
	    strlen(password) > 1024)
		return yb_errf(err, "auth.invalid_credentials",
			       "wrong login or password");
	if (addr && addr[0]) {
		keys[1].used = true;
		snprintf(keys[1].key, sizeof keys[1].key, "addr:%.*s", ADDR_MAX,
			 addr);
	}

	/* 1. Who is it, and is he (or this address) locked out?  Locked
	 * means refused even with the right password. */
	if (read_login(ctx, login, &p, hash, sizeof hash, &has_hash, keys, now,
		       err) < 0)
		return -1;
	if (throttle_blocks(ctx, &keys[0]) || throttle_blocks(ctx, &keys[1])) {
		if (retry_after)
			*retry_after = throttle_retry_after(ctx, keys, 2, now);
		return yb_errf(err, "auth.throttled",
			       "too many failed logins; try again later");
	}

	/* 2. The password, outside any transaction: Argon2id is slow on
	 * purpose and must not hold the database. */
	if (sodium_init() < 0)
		return yb_errf(err, "internal", "libsodium failed to start");
	if (has_hash == 1)
		good = crypto_pwhash_str_verify(hash, password,
						strlen(password)) == 0;
	if (!good) {
		if (count_failure(ctx, keys, 2, now, err) < 0)
			return -1;
		return yb_errf(err, "auth.invalid_credentials",
			       "wrong login or password");
	}

	/* 3. In. */
	memset(&s, 0, sizeof s);
	yb_random_token(TOKEN_BYTES, token, YB_TOKEN_SZ);
	yb_sha256_hex_str(token, s.token_hash);
	s.person_id = p.id;
	s.created_at = now;
	s.expires_at = now + ctx->settings->session_lifetime_seconds;
	if (open_session(ctx, &p, keys[0].key, &s, err) < 0) {
		sodium_memzero(token, YB_TOKEN_SZ);
		return -1;
	}
	if (expires_at)
		*expires_at = s.expires_at;
	return 0;
}

int yb_logout(yb_ctx *ctx, const char *token, yb_err *err)
{
	char th[YB_HASH_HEX_SZ];
	char target[YB_TEXT_SZ];
	int rc = -1;

	if (!token || !token[0])
		return yb_errf(err, "auth.invalid_token", "no token");
	yb_sha256_hex_str(token, th);
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (ctx->store->ops->session_delete(ctx->store, th, err) < 0)
		goto out;
	snprintf(target, sizeof target, "%s", ctx->actor.id);
	rc = yb_audit(ctx, "session.delete", target, "ok", err);
out:
	return yb_tx_end(ctx, rc, err);
}

/* issue 14: the person's own password change.  His id, his hash and his
 * login counter, in one read transaction. */
static int read_own_password(yb_ctx *ctx, yb_person *p, char *hash,
			     size_t hash_size, int *has_hash, throttle *key,
			     yb_time now, yb_err *err)
{
	yb_store *st = ctx->store;
	int found, rc = -1;

	*has_hash = 0;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = st->ops->person_by_id(st, ctx->actor.person_id, p, err);
	if (found == 0)
		yb_errf(err, "person.not_found", "no such person");
	if (found == 1)
		*has_hash = st->ops->person_password(st, p->id, hash,
						     hash_size, err);
	if (found == 1 && *has_hash >= 0)
		rc = throttle_load(ctx, key, now, err);
	return yb_tx_end(ctx, rc, err);
}

int yb_password_change(yb_ctx *ctx, const char *bearer, const char *current,
		       const char *new_password, int *retry_after,
		       yb_err *err)
{
	throttle key;
	yb_person p;
	char hash[crypto_pwhash_STRBYTES];
	char th[YB_HASH_HEX_SZ];
	yb_time now = yb_ctx_now(ctx);
	int has_hash = 0;

	if (yb_authorize(ctx, "password.change", err) < 0)
		return -1;
	if (!bearer || !current || strlen(current) > 1024)
		return yb_errf(err, "auth.wrong_password",
			       "the current password is wrong");
	memset(&key, 0, sizeof key);
	key.used = true;
	snprintf(key.key, sizeof key.key, "person:%lld",
		 (long long)ctx->actor.person_id);
	if (read_own_password(ctx, &p, hash, sizeof hash, &has_hash, &key, now,
			      err) < 0)
		return -1;
	/* Guessing through a stolen session counts as guessing a login. */
	if (throttle_blocks(ctx, &key)) {
		if (retry_after)
			*retry_after = throttle_retry_after(ctx, &key, 1, now);
		return yb_errf(err, "auth.throttled",
			       "too many failed attempts; try again later");
	}
	if (sodium_init() < 0)
		return yb_errf(err, "internal", "libsodium failed to start");
	if (has_hash != 1 ||
	    crypto_pwhash_str_verify(hash, current, strlen(current)) != 0) {
		if (count_failure(ctx, &key, 1, now, err) < 0)
			return -1;
		return yb_errf(err, "auth.wrong_password",
			       "the current password is wrong");
	}
	yb_sha256_hex_str(bearer, th);
	return yb_person_password_replace(ctx, p.ssn, new_password, th, err);
}

/* The channel an API key's role acts through. */
static yb_channel channel_of_role(yb_role role)
{
	switch (role) {
	case YB_ROLE_TERMINAL:        return YB_CHAN_TERMINAL;
	case YB_ROLE_HOSPITAL_OFFICE: return YB_CHAN_HOSPITAL_OFFICE;
	case YB_ROLE_AGENCY_WINDOW:   return YB_CHAN_AGENCY_WINDOW;
	case YB_ROLE_PERSON:          return YB_CHAN_WEB;
	default:                      return YB_CHAN_API;
	}
}

/* A session token, if it is one and still valid. */
static bool actor_of_session(yb_ctx *ctx, const char *th,
			     const yb_token_owner *t, yb_actor *out)
{
	if (!t->has_session)
		return false;
	/* The index found it by the hash; compare it once more in constant
	 * time, so no secret-derived bytes meet a short-circuit compare in
	 * our code (issue 14). */
	if (sodium_memcmp(t->session.token_hash, th, YB_HASH_HEX_SZ - 1) != 0)
		return false;
	if (t->session.expires_at <= yb_ctx_now(ctx))
		return false;
	out->role = YB_ROLE_PERSON;
	out->channel = YB_CHAN_WEB;
	out->person_id = t->session.person_id;
	snprintf(out->id, sizeof out->id, "person:%s", t->ssn);
	return true;
}

/* An API key, if it is one and not revoked. */
static bool actor_of_key(const char *th, const yb_token_owner *t,
			 yb_actor *out)
{
	const yb_api_key *k = &t->key;

	if (!t->has_key)
		return false;
	if (sodium_memcmp(k->key_hash, th, YB_HASH_HEX_SZ - 1) != 0)
		return false;
	if (k->revoked_at != 0)
		return false;
	out->role = k->role;
	out->channel = channel_of_role(k->role);
	snprintf(out->id, sizeof out->id, "key:%lld", (long long)k->id);
	snprintf(out->institution_code, sizeof out->institution_code, "%s",
		 k->institution_code);
	snprintf(out->employer_code, sizeof out->employer_code, "%s",
		 k->employer_code);
	return true;
}

/*
 * The token is a session's or an API key's (nothing in it says which):
 * one look-up answers both, and being one statement it is its own
 * consistent snapshot, so it runs without a transaction around it
 * (issue 16: on PostgreSQL that was BEGIN, two look-ups and COMMIT, four
 * round trips of every request, now one).  Always the primary: a revoked
 * session or key must stop working at once.
 */
int yb_authenticate(yb_ctx *ctx, const char *bearer, yb_actor *out,
		    yb_err *err)
{
	char th[YB_HASH_HEX_SZ];

	memset(out, 0, sizeof *out);
	if (yb_token_hash(bearer, th, err) < 0)
		return -1;
	return yb_authenticate_hash(ctx, th, out, err);
}

int yb_token_hash(const char *bearer, char th[YB_HASH_HEX_SZ], yb_err *err)
{
	if (!bearer || !bearer[0] || strlen(bearer) >= 256)
		return yb_errf(err, "auth.invalid_token", "invalid token");
	yb_sha256_hex_str(bearer, th);
	return 0;
}

int yb_authenticate_hash(yb_ctx *ctx, const char *th, yb_actor *out,
			 yb_err *err)
{
	yb_token_owner t;

	memset(out, 0, sizeof *out);
	if (ctx->store->ops->token_by_hash(ctx->store, th, &t, err) < 0)
		return -1;
	if (actor_of_session(ctx, th, &t, out) || actor_of_key(th, &t, out))
		return 0;
	memset(out, 0, sizeof *out);
	return yb_errf(err, "auth.invalid_token", "unknown or expired token");
}

/* The institution or employer an API key acts for must exist. */
static int check_key_owner(yb_ctx *ctx, yb_api_key *k, yb_err *err)
{
	yb_store *st = ctx->store;
	int found;

	if (k->role == YB_ROLE_INSTITUTION) {
		yb_institution inst;
		if (!k->institution_code[0])
			return yb_errf(err, "request.missing_field",
				       "an institution key needs "
				       "institution_code");
		found = st->ops->institution_by_code(st, k->institution_code,
						     &inst, err);
		if (found < 0)
			return -1;
		if (!found)
			return yb_errf(err, "institution.not_found",
				       "no such institution");
	} else if (k->role == YB_ROLE_EMPLOYER) {
		yb_employer e;
		if (!k->employer_code[0])
			return yb_errf(err, "request.missing_field",
				       "an employer key needs employer_code");
		return yb_employer_load(ctx, k->employer_code, &e, err);
	}
	return 0;
}

/* Check and store a key and its audit record, in the open transaction. */
static int insert_key(yb_ctx *ctx, yb_api_key *k, yb_err *err)
{
	char target[YB_TEXT_SZ];

	if (check_key_owner(ctx, k, err) < 0 ||
	    ctx->store->ops->apikey_insert(ctx->store, k, err) < 0)
		return -1;
	snprintf(target, sizeof target, "apikey:%lld", (long long)k->id);
	return yb_audit(ctx, "apikey.create", target, "ok", err);
}

int yb_apikey_create(yb_ctx *ctx, const char *role,
		     const char *institution_code, const char *employer_code,
		     const char *label, char key[YB_TOKEN_SZ], yb_api_key *out,
		     yb_err *err)
{
	yb_api_key k;
	int rc = -1;

	key[0] = '\0';
	if (yb_authorize(ctx, "apikey.create", err) < 0)
		return -1;
	memset(&k, 0, sizeof k);
	/* Persons log in with a password (X2); a key is for everyone else. */
	if (!role || !yb_role_from_str(role, &k.role) ||
	    k.role == YB_ROLE_PERSON)
		return yb_errf(err, "request.invalid_field",
			       "role must be employer, institution, terminal, "
			       "hospital_office, agency_window or admin");
	if ((institution_code && strlen(institution_code) >= YB_CODE_SZ) ||
	    (employer_code && strlen(employer_code) >= YB_CODE_SZ) ||
	    (label && (strlen(label) >= YB_NAME_SZ ||
		       (label[0] && !yb_utf8_valid_text(label)))))
		return yb_errf(err, "request.invalid_field",
			       "a code or the label is too long or not text");
	/* Only the code that goes with the role is kept. */
	if (k.role == YB_ROLE_INSTITUTION && institution_code)
		snprintf(k.institution_code, sizeof k.institution_code, "%s",
			 institution_code);
	if (k.role == YB_ROLE_EMPLOYER && employer_code)
		snprintf(k.employer_code, sizeof k.employer_code, "%s",
			 employer_code);
	snprintf(k.label, sizeof k.label, "%s", label ? label : "");
	k.created_at = yb_ctx_now(ctx);
	yb_random_token(TOKEN_BYTES, key, YB_TOKEN_SZ);
	yb_sha256_hex_str(key, k.key_hash);

	if (yb_tx_begin(ctx, true, err) < 0)
		goto out;
	rc = yb_tx_end(ctx, insert_key(ctx, &k, err), err);
	if (rc == 0 && out)
		*out = k;
out:
	/* The secret leaves only with a key that was made. */
	if (rc < 0)
		sodium_memzero(key, YB_TOKEN_SZ);
	return rc;
}
