/*
 * credential.c — SQLite engine: credentials: API keys, person sessions
 * and failed-login counters (X2).  See store.h for what each operation
 * promises.
 */
#include "store/sqlite/sqlite_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"

/* ---- API keys ----------------------------------------------------------- */

/* The key's columns from column c on: id, key_hash, role,
 * institution_code, employer_code, label, created_at, revoked_at. */
static int read_apikey_at(sqlite3_stmt *q, int c, yb_api_key *k, yb_err *err)
{
	memset(k, 0, sizeof *k);
	k->id = sq_col_int(q, c);
	sq_col_text(q, c + 1, k->key_hash, sizeof k->key_hash);
	if (SQ_COL_ENUM(q, c + 2, yb_role_from_str, &k->role, "role",
			err) < 0)
		return -1;
	sq_col_text(q, c + 3, k->institution_code, sizeof k->institution_code);
	sq_col_text(q, c + 4, k->employer_code, sizeof k->employer_code);
	sq_col_text(q, c + 5, k->label, sizeof k->label);
	k->created_at = sq_col_int(q, c + 6);
	k->revoked_at = sq_col_int(q, c + 7);
	return 0;
}


int sq_apikey_insert(yb_store *st, yb_api_key *k, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_APIKEY_INSERT,
		"INSERT INTO api_keys (key_hash, role, institution_code, "
		"employer_code, label, created_at, revoked_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, k->key_hash);
	sq_bind_text(q, 2, yb_role_str(k->role));
	sq_bind_opt_text(q, 3, k->institution_code);
	sq_bind_opt_text(q, 4, k->employer_code);
	sq_bind_text(q, 5, k->label);
	sqlite3_bind_int64(q, 6, k->created_at);
	sq_bind_opt_int(q, 7, k->revoked_at);
	return sq_insert(s, q, YB_REFUSE_NONE, &k->id, err);
}

/* Revoking again keeps the first revocation time. */
int sq_apikey_revoke(yb_store *st, yb_id id, yb_time at, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_APIKEY_REVOKE,
		"UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?2) "
		"WHERE id = ?1", err);

	if (!q)
		return -1;
	sq_tok_forget(s);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, at);
	return sq_update_one(s, q, YB_REFUSE_APIKEY_NOT_FOUND, id, err);
}

/* ---- sessions ----------------------------------------------------------- */

static int read_session(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_session *x = elem;

	memset(x, 0, sizeof *x);
	sq_col_text(q, 0, x->token_hash, sizeof x->token_hash);
	x->person_id = sq_col_int(q, 1);
	x->created_at = sq_col_int(q, 2);
	x->expires_at = sq_col_int(q, 3);
	return 0;
}

int sq_session_insert(yb_store *st, const yb_session *x, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_SESSION_INSERT,
		"INSERT INTO sessions (token_hash, person_id, created_at, "
		"expires_at) VALUES (?1, ?2, ?3, ?4)", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, x->token_hash);
	sqlite3_bind_int64(q, 2, x->person_id);
	sqlite3_bind_int64(q, 3, x->created_at);
	sqlite3_bind_int64(q, 4, x->expires_at);
	return sq_exec(s, q, err);
}

/* The session half only if its person was found (ssn not NULL), the
 * key half only if a key was. */
static int read_token(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_token_owner *t = elem;

	memset(t, 0, sizeof *t);
	t->has_session = sqlite3_column_type(q, 4) != SQLITE_NULL;
	if (t->has_session) {
		read_session(q, &t->session, err);
		sq_col_text(q, 4, t->ssn, sizeof t->ssn);
	}
	t->has_key = sqlite3_column_type(q, 5) != SQLITE_NULL;
	return t->has_key ? read_apikey_at(q, 5, &t->key, err) : 0;
}

/*
 * The token cache.  On SQLite the group-commit writer looks up the caller
 * of every batched request (http/server_request.c, "The caller in the
 * batch"): the statement below, ~10,000 instructions a request on the
 * thread that bounds the rate at a million persons.  A hospital sends
 * thousands of requests with one key, so inside a transaction the token
 * owners found are remembered, and reused as long as nothing they were
 * read from can have changed:
 *  - another connection's commit (this process's other threads, another
 *    process, the sqlite3 shell) changes PRAGMA data_version, which is
 *    read once per transaction — within one, nobody else can commit
 *    under a write lock, nor into a read snapshot;
 *  - this connection's own changes to sessions and keys go through the
 *    four statements below that delete or revoke (a session's or key's
 *    insert makes no owner found before wrong), and they forget all;
 *  - an undo (rollback, a savepoint's) forgets all, so nothing read in
 *    an undone transaction outlives it.
 * A session's expiry is checked at each use as before (auth.c), against
 * the expires_at remembered.  Outside a transaction (the connection
 * threads' look-ups, each its own snapshot) nothing is remembered.
 */
#define TOK_SLOTS 64                     /* by the hash's first bytes */

struct sq_tok_cache {
	struct {
		bool used;
		char hash[YB_HASH_HEX_SZ];
		yb_token_owner owner;
	} slot[TOK_SLOTS];
};

void sq_tok_forget(sq_store *s)
{
	free(s->tok);
	s->tok = NULL;
	sq_nhsa_memo_forget(s);          /* the gateway's, same rules (nhsa.c) */
}

/* May this transaction use what the caches remember?  Forgotten first
 * when another connection has committed since they were filled. */
bool sq_memo_fresh(sq_store *s)
{
	sqlite3_stmt *q;
	int64_t v;
	yb_err ignored;

	if (sqlite3_get_autocommit(s->db))
		return false;
	if (!s->tok_checked) {
		q = sq_stmt(s, SQ_DATA_VERSION, "PRAGMA data_version",
			    &ignored);
		if (!q || sq_step_ints(s, q, &v, 1, &ignored) != 1)
			return false;
		if (v != s->tok_version) {
			sq_tok_forget(s);
			s->nonces_behind = true;  /* nhsa_nonce.c */
		}
		s->tok_version = v;
		s->tok_checked = true;
	}
	return true;
}

/* The cache, if this transaction may use it. */
static struct sq_tok_cache *tok_usable(sq_store *s)
{
	if (!sq_memo_fresh(s))
		return NULL;
	if (!s->tok)
		s->tok = calloc(1, sizeof *s->tok);
	return s->tok;
}

static unsigned tok_slot(const char *hash)
{
	unsigned h = 0;

	for (int i = 0; i < 8 && hash[i]; i++)
		h = h * 31 + (unsigned char)hash[i];
	return h % TOK_SLOTS;
}

static int token_read(sq_store *s, const char *hash, yb_token_owner *out,
		      yb_err *err)
{
	memset(out, 0, sizeof *out);
	return sq_get_by_text(s, SQ_TOKEN_BY_HASH,
		"SELECT s.token_hash, s.person_id, s.created_at, "
		"  s.expires_at, p.ssn, k.id, k.key_hash, k.role, "
		"  k.institution_code, k.employer_code, k.label, "
		"  k.created_at, k.revoked_at "
		"FROM (SELECT ?1 AS h) t "
		"LEFT JOIN sessions s ON s.token_hash = t.h "
		"LEFT JOIN persons p ON p.id = s.person_id "
		"LEFT JOIN api_keys k ON k.key_hash = t.h "
		"WHERE s.token_hash IS NOT NULL OR k.key_hash IS NOT NULL",
		hash, read_token, out, err);
}

/* issue 16: authentication's one statement, its own snapshot (store.h);
 * in a transaction, remembered (above). */
int sq_token_by_hash(yb_store *st, const char *hash, yb_token_owner *out,
		     yb_err *err)
{
	sq_store *s = sq_of(st);
	struct sq_tok_cache *c = tok_usable(s);
	unsigned i = tok_slot(hash);
	int rc;

	if (c && c->slot[i].used && strcmp(c->slot[i].hash, hash) == 0) {
		*out = c->slot[i].owner;
		return 1;
	}
	rc = token_read(s, hash, out, err);
	if (rc == 1 && c && strlen(hash) < sizeof c->slot[i].hash) {
		c->slot[i].used = true;
		strcpy(c->slot[i].hash, hash);
		c->slot[i].owner = *out;
	}
	return rc;
}

/* Deleting a session that is not there is not an error (logout twice). */
int sq_session_delete(yb_store *st, const char *token_hash, yb_err *err)
{
	sq_tok_forget(sq_of(st));
	return sq_exec_by_text(sq_of(st), SQ_SESSION_DELETE,
		"DELETE FROM sessions WHERE token_hash = ?1",
		token_hash, err);
}

int sq_sessions_purge(yb_store *st, yb_time now, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_SESSIONS_PURGE,
		"DELETE FROM sessions WHERE expires_at <= ?1", err);

	sq_tok_forget(s);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, now);
	return sq_exec(s, q, err);
}

/* A person's live sessions (issue 14: the session list). */
int sq_sessions_of_person(yb_store *st, yb_id person_id, yb_time now,
			  yb_session **out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_SESSIONS_OF_PERSON,
		"SELECT token_hash, person_id, created_at, expires_at "
		"FROM sessions WHERE person_id = ?1 AND expires_at > ?2 "
		"ORDER BY created_at DESC, token_hash LIMIT 1000", err);

	*out = NULL;
	*n = 0;
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, person_id);
	sqlite3_bind_int64(q, 2, now);
	return sq_list(s, q, sizeof **out, read_session, (void **)out, n, err);
}

/* Revocation: every session of a person but one (issue 14). */
int sq_sessions_end_person(yb_store *st, yb_id person_id,
			   const char *keep_hash, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_SESSIONS_END_PERSON,
		"DELETE FROM sessions WHERE person_id = ?1 "
		"AND token_hash IS NOT ?2", err);

	sq_tok_forget(s);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, person_id);
	sq_bind_opt_text(q, 2, keep_hash);
	return sq_exec(s, q, err);
}

/* ---- login throttling ----------------------------------------------------- */

int sq_throttle_get(yb_store *st, const char *key, int *failures,
		    yb_time *window_start, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_THROTTLE_GET,
		"SELECT failures, window_start FROM login_throttle WHERE key = ?1",
		err);
	int64_t cols[2];
	int rc;

	if (!q)
		return -1;
	sq_bind_text(q, 1, key);
	rc = sq_step_ints(s, q, cols, 2, err);
	if (rc == 1) {
		*failures = (int)cols[0];
		*window_start = cols[1];
	}
	return rc;
}

int sq_throttle_put(yb_store *st, const char *key, int failures,
		    yb_time window_start, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_THROTTLE_PUT,
		"INSERT INTO login_throttle (key, failures, window_start) "
		"VALUES (?1, ?2, ?3) ON CONFLICT (key) DO UPDATE SET "
		"failures = excluded.failures, window_start = excluded.window_start",
		err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, key);
	sqlite3_bind_int(q, 2, failures);
	sqlite3_bind_int64(q, 3, window_start);
	return sq_exec(s, q, err);
}

int sq_throttle_clear(yb_store *st, const char *key, yb_err *err)
{
	return sq_exec_by_text(sq_of(st), SQ_THROTTLE_CLEAR,
		"DELETE FROM login_throttle WHERE key = ?1",
		key, err);
}
