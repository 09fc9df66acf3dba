/*
 * credential.c — the credentials tables on PostgreSQL: API keys,
 * sessions (and a person's list of them) and login throttling.
 * Throttle counters are read to be changed, so they are locked FOR
 * UPDATE: two failed logins are counted one after the other, never on
 * the same stale copy.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/enums.h"
#include "store/pg/pg_int.h"

static pg_store *PS(yb_store *st)
{
	return (pg_store *)st;
}

static void tokens_changed(pg_store *ps);

/* --- API keys, sessions, throttling ------------------------------------ */

static const pg_stmt st_apikey_insert = { "apikey_insert",
	"INSERT INTO api_keys (key_hash, role, institution_code, employer_code, "
	"  label, created_at, revoked_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", NULL };
static const pg_stmt st_apikey_revoke = { "apikey_revoke",
	"UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2) "
	"WHERE id = $1", NULL };
static const pg_stmt st_session_insert = { "session_insert",
	"INSERT INTO sessions (token_hash, person_id, created_at, expires_at) "
	"VALUES ($1, $2, $3, $4)", NULL };
static const pg_stmt st_session_delete = { "session_delete",
	"DELETE FROM sessions WHERE token_hash = $1", NULL };
/* pg9: the sessions purged are expired, which a remembered answer is
 * refused for anyway (the caller compares expires_at with its clock):
 * yb.tokens_quiet keeps migration 17's trigger from notifying each of
 * them — thousands of notifications to every listener for nothing. */
static const pg_stmt st_sessions_purge = { "sessions_purge",
	"DELETE FROM sessions WHERE expires_at <= $1 "
	"  AND (SELECT set_config('yb.tokens_quiet', 'on', true)) = 'on'",
	NULL };
static const pg_stmt st_tokens_loud = { "tokens_loud",
	"SELECT set_config('yb.tokens_quiet', 'off', true)", NULL };
/* issue 16: authentication's one statement (store.h token_by_hash). */
static const pg_stmt st_token_by_hash = { "token_by_hash",
	"SELECT s.token_hash, s.person_id, s.created_at, s.expires_at, p.ssn, "
	"  k.id, k.key_hash, k.role, k.institution_code, k.employer_code, "
	"  k.label, k.created_at, k.revoked_at "
	"FROM (SELECT $1::text AS h) t "
	"LEFT JOIN sessions s ON s.token_hash = t.h "
	"LEFT JOIN persons p ON p.id = s.person_id "
	"LEFT JOIN api_keys k ON k.key_hash = t.h "
	"WHERE s.token_hash IS NOT NULL OR k.key_hash IS NOT NULL", NULL };
static const pg_stmt st_throttle_get = { "throttle_get",
	"SELECT failures, window_start FROM login_throttle WHERE key = $1",
	"FOR UPDATE" };
static const pg_stmt st_throttle_put = { "throttle_put",
	"INSERT INTO login_throttle (key, failures, window_start) "
	"VALUES ($1, $2, $3) "
	"ON CONFLICT (key) DO UPDATE SET failures = EXCLUDED.failures, "
	"  window_start = EXCLUDED.window_start", NULL };
static const pg_stmt st_throttle_clear = { "throttle_clear",
	"DELETE FROM login_throttle WHERE key = $1", NULL };

static int decode_apikey(pg_row *r, void *out)
{
	yb_api_key *k = out;
	memset(k, 0, sizeof *k);
	k->id = pg_r_i64(r);
	pg_r_str(r, k->key_hash, sizeof k->key_hash);
	PG_R_ENUM(r, yb_role_from_str, &k->role);
	pg_r_str(r, k->institution_code, sizeof k->institution_code);
	pg_r_str(r, k->employer_code, sizeof k->employer_code);
	pg_r_str(r, k->label, sizeof k->label);
	k->created_at = pg_r_i64(r);
	k->revoked_at = pg_r_i64(r);
	return 0;
}

static int decode_session(pg_row *r, void *out)
{
	yb_session *s = out;
	memset(s, 0, sizeof *s);
	pg_r_str(r, s->token_hash, sizeof s->token_hash);
	s->person_id = pg_r_i64(r);
	s->created_at = pg_r_i64(r);
	s->expires_at = pg_r_i64(r);
	return 0;
}

int pg_apikey_insert(yb_store *st, yb_api_key *k, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_text(&q, k->key_hash);
	pg_p_text(&q, yb_role_str(k->role));
	pg_p_opt_text(&q, k->institution_code);
	pg_p_opt_text(&q, k->employer_code);
	pg_p_text(&q, k->label);
	pg_p_i64(&q, k->created_at);
	pg_p_id(&q, k->revoked_at);
	return pg_take_id(pg_run_release(PS(st), &st_apikey_insert, &q, err),
			  &k->id);
}

int pg_apikey_revoke(yb_store *st, yb_id id, yb_time at, yb_err *err)
{
	pg_params q;
	int rc;
	pg_params_init(&q);
	pg_p_i64(&q, id);
	pg_p_i64(&q, at);
	rc = pg_update_one(PS(st), &st_apikey_revoke, &q,
			   YB_REFUSE_APIKEY_NOT_FOUND, id, err);
	tokens_changed(PS(st));
	return rc;
}

int pg_session_insert(yb_store *st, const yb_session *s, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_text(&q, s->token_hash);
	pg_p_i64(&q, s->person_id);
	pg_p_i64(&q, s->created_at);
	pg_p_i64(&q, s->expires_at);
	return pg_exec(PS(st), &st_session_insert, &q, err);
}

/* The session half only if its person was found (ssn not NULL), the
 * key half only if a key was: a NULL column reads as "" or 0. */
static int decode_token(pg_row *r, void *out)
{
	yb_token_owner *t = out;

	memset(t, 0, sizeof *t);
	if (decode_session(r, &t->session) < 0)
		return -1;
	pg_r_str(r, t->ssn, sizeof t->ssn);
	t->has_session = t->ssn[0] != '\0';
	if (!t->has_session)
		memset(&t->session, 0, sizeof t->session);
	t->has_key = !PQgetisnull(r->res, r->row, r->col);
	return t->has_key ? decode_apikey(r, &t->key) : 0;
}

static int token_lookup(pg_store *ps, const char *hash, yb_token_owner *out,
			yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_text(&q, hash);
	return pg_lookup(ps, &st_token_by_hash, &q, decode_token, out, err);
}

/*
 * pg9: token_by_hash's answers, remembered per connection and
 * invalidated exactly (docs/POSTGRESQL.md "pg9").  Migration 17's
 * triggers NOTIFY yb_tokens with the hash of every session or key that
 * is updated or deleted (and of a row inserted under a hash the other
 * table already has; an empty payload, meaning "forget everything",
 * for a TRUNCATE or a person's id or ssn changed or deleted).  The
 * connection LISTENs before it remembers anything (again after every
 * re-open, which forgets all: notifications were lost meanwhile), and
 * before serving from the memo it reads, without waiting, what has
 * arrived on its socket and forgets what is named.  Misses and errors
 * are never remembered, so a row inserted later cannot make an answer
 * wrong.  Within this process a committed change to a key or session
 * also moves tokens_gen, which every connection compares before
 * serving: a request that begins after the change's response was sent
 * never sees the old answer, whatever the notification's delay.
 *
 * No memo where LISTEN cannot work: a standby (pg_is_in_recovery;
 * `serve --read-db`) and a pooler in front of the server (PgBouncer
 * gives its clients a backend pid of its own, so pg_backend_pid()
 * differs from PQbackendPID; under transaction pooling the LISTEN
 * would stay on a server connection others use).
 */
#define PG_TOK_SLOTS   1024     /* entries, in pairs by a hash of the
				 * hash (the older of a pair is replaced) */
#define PG_TOK_TTL_MS  300000   /* an answer is asked again after */
#define PG_TOK_CHANNEL "yb_tokens"

typedef struct pg_tok_ent {
	bool used;
	int64_t at_ms;                  /* asked at (monotonic) */
	char hash[YB_HASH_HEX_SZ];
	yb_token_owner t;
} pg_tok_ent;

struct pg_tok_memo {
	int state;      /* 0: not listening yet; 1: listening; -1: no memo */
	uint64_t gen;   /* tokens_gen when last looked at */
	pg_tok_ent e[PG_TOK_SLOTS];
};

/* moved by this process's committed changes of keys and sessions */
static atomic_uint_fast64_t tokens_gen;

static int64_t tok_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned tok_slot(const char *hash)
{
	uint32_t h = 2166136261u;       /* FNV-1a */

	for (; *hash; hash++)
		h = (h ^ (unsigned char)*hash) * 16777619u;
	return (h % PG_TOK_SLOTS) & ~1u;
}

/* The entry remembering `hash`, or NULL. */
static pg_tok_ent *tok_find(struct pg_tok_memo *m, const char *hash)
{
	pg_tok_ent *e = &m->e[tok_slot(hash)];

	for (int i = 0; i < 2; i++)
		if (e[i].used && strcmp(e[i].hash, hash) == 0)
			return &e[i];
	return NULL;
}

/* Where to remember `hash`: its own entry, a free one of its pair, or
 * the older of the two. */
static pg_tok_ent *tok_place(struct pg_tok_memo *m, const char *hash)
{
	pg_tok_ent *e = tok_find(m, hash), *p = &m->e[tok_slot(hash)];

	if (e)
		return e;
	if (!p[0].used)
		return &p[0];
	if (!p[1].used)
		return &p[1];
	return p[0].at_ms <= p[1].at_ms ? &p[0] : &p[1];
}

static void tok_clear(struct pg_tok_memo *m)
{
	for (int i = 0; i < PG_TOK_SLOTS; i++)
		m->e[i].used = false;
}

void pg_tokens_forget(pg_store *ps)
{
	if (!ps->tok)
		return;
	tok_clear(ps->tok);
	ps->tok->state = 0;
}

void pg_tokens_free(pg_store *ps)
{
	free(ps->tok);
	ps->tok = NULL;
}

void pg_tokens_committed(pg_store *ps)
{
	if (!ps->tok_changed)
		return;
	ps->tok_changed = false;
	atomic_fetch_add(&tokens_gen, 1);
}

/* After a statement that may have changed a key or a session. */
static void tokens_changed(pg_store *ps)
{
	ps->tok_changed = true;
	if (!ps->in_txn)
		pg_tokens_committed(ps);
}

/* LISTEN, if this connection is a primary's own backend (1), else no
 * memo here (-1); left at 0 when the connection broke meanwhile. */
static void tok_listen(pg_store *ps, struct pg_tok_memo *m)
{
	PGresult *res = PQexec(ps->conn,
		"SELECT pg_backend_pid(), pg_is_in_recovery()");
	bool ok = PQresultStatus(res) == PGRES_TUPLES_OK &&
		  PQntuples(res) == 1 &&
		  atoi(PQgetvalue(res, 0, 0)) == PQbackendPID(ps->conn) &&
		  strcmp(PQgetvalue(res, 0, 1), "f") == 0;

	PQclear(res);
	if (ok) {
		res = PQexec(ps->conn, "LISTEN " PG_TOK_CHANNEL);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
	}
	tok_clear(m);
	m->gen = atomic_load(&tokens_gen);
	if (ok)
		m->state = 1;
	else if (PQstatus(ps->conn) == CONNECTION_OK)
		m->state = -1;
}

/* Forget what the notifications received so far name; false (all
 * forgotten) if the socket could not be read. */
static bool tok_drain(pg_store *ps, struct pg_tok_memo *m)
{
	PGnotify *n;

	if (!PQconsumeInput(ps->conn)) {
		tok_clear(m);
		return false;
	}
	while ((n = PQnotifies(ps->conn))) {
		if (strcmp(n->relname, PG_TOK_CHANNEL) == 0) {
			pg_tok_ent *e;

			if (!n->extra[0])
				tok_clear(m);
			else if ((e = tok_find(m, n->extra)))
				e->used = false;
		}
		PQfreemem(n);
	}
	return true;
}

/* The memo, ready to serve (listening, drained, same generation), or
 * NULL: ask the database and remember nothing. */
static struct pg_tok_memo *tok_memo(pg_store *ps)
{
	struct pg_tok_memo *m = ps->tok;
	uint64_t g;

	if (!m) {
		m = ps->tok = calloc(1, sizeof *m);
		if (!m)
			return NULL;
	}
	if (m->state == 0)
		tok_listen(ps, m);
	if (m->state != 1)
		return NULL;
	g = atomic_load(&tokens_gen);
	if (g != m->gen) {
		tok_clear(m);
		m->gen = g;
	}
	return tok_drain(ps, m) ? m : NULL;
}

/*
 * Outside a transaction (the HTTP edge's authentication), this one
 * statement is its own snapshot: no BEGIN and COMMIT around it, two
 * round trips less per request.  It does what begin would: re-open a
 * lost connection first, and once more if the connection turns out to
 * have died while idle (a failover since the last request) — a read,
 * so asking again is harmless.  pg9: answered from the memo when it
 * can be; inside a transaction always from the database.
 */
int pg_token_by_hash(yb_store *st, const char *hash, yb_token_owner *out,
		     yb_err *err)
{
	pg_store *ps = PS(st);
	struct pg_tok_memo *m;
	pg_tok_ent *e;
	uint64_t g = 0;
	int64_t now = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (ps->in_txn)
		return token_lookup(ps, hash, out, err);
	if (pg_ensure_connected(ps, err) < 0)
		return -1;
	m = tok_memo(ps);
	if (m) {
		now = tok_now_ms();
		g = m->gen;
		e = tok_find(m, hash);
		if (e && now - e->at_ms < PG_TOK_TTL_MS) {
			*out = e->t;
			return 1;
		}
	}
	rc = token_lookup(ps, hash, out, err);
	if (rc < 0 && PQstatus(ps->conn) == CONNECTION_BAD &&
	    pg_ensure_connected(ps, err) == 0)
		rc = token_lookup(ps, hash, out, err);
	/* Remembered only if found, still listening on the same connection
	 * (a re-open set state to 0) and no change committed here since
	 * the generation was read; then the notifications that came with
	 * the answer are read, in case one names it. */
	if (rc == 1 && m && m->state == 1 &&
	    atomic_load(&tokens_gen) == g &&
	    strlen(hash) < sizeof e->hash) {
		e = tok_place(m, hash);
		e->used = true;
		e->at_ms = now;
		strcpy(e->hash, hash);
		e->t = *out;
		(void)tok_drain(ps, m);
	}
	return rc;
}

/* A statement whose one parameter is a key, run for its effect. */
static int exec_by_key(yb_store *st, const pg_stmt *s, const char *key,
		       yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_text(&q, key);
	return pg_exec(PS(st), s, &q, err);
}

int pg_session_delete(yb_store *st, const char *token_hash, yb_err *err)
{
	int rc = exec_by_key(st, &st_session_delete, token_hash, err);

	tokens_changed(PS(st));
	return rc;
}

int pg_sessions_purge(yb_store *st, yb_time now, yb_err *err)
{
	pg_params q;
	int rc;
	pg_params_init(&q);
	pg_p_i64(&q, now);
	rc = pg_exec(PS(st), &st_sessions_purge, &q, err);
	/* the flag ends with the transaction, which may go on (a batch of
	 * requests): a session changed later in it must tell */
	if (rc == 0) {
		pg_params_init(&q);
		rc = pg_exec(PS(st), &st_tokens_loud, &q, err);
	}
	tokens_changed(PS(st));
	return rc;
}

/* A person's live sessions and their revocation (issue 14). */
static const pg_stmt st_sessions_of_person = { "sessions_of_person",
	"SELECT token_hash, person_id, created_at, expires_at FROM sessions "
	"WHERE person_id = $1 AND expires_at > $2 "
	"ORDER BY created_at DESC, token_hash LIMIT 1000", NULL };
static const pg_stmt st_sessions_end_person = { "sessions_end_person",
	"DELETE FROM sessions WHERE person_id = $1 "
	"AND token_hash IS DISTINCT FROM $2", NULL };

int pg_sessions_of_person(yb_store *st, yb_id person_id, yb_time now,
			  yb_session **out, int *n, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	pg_p_i64(&q, now);
	return pg_list(PS(st), &st_sessions_of_person, &q, sizeof **out,
		       decode_session, (void **)out, n, err);
}

int pg_sessions_end_person(yb_store *st, yb_id person_id,
			   const char *keep_hash, yb_err *err)
{
	pg_params q;
	int rc;
	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	pg_p_opt_text(&q, keep_hash);
	rc = pg_exec(PS(st), &st_sessions_end_person, &q, err);
	tokens_changed(PS(st));
	return rc;
}

int pg_throttle_get(yb_store *st, const char *key, int *failures,
		    yb_time *window_start, yb_err *err)
{
	pg_params q;
	PGresult *res;
	int rc = 0;

	pg_params_init(&q);
	pg_p_text(&q, key);
	res = pg_run(PS(st), &st_throttle_get, &q, err);
	if (!res)
		return -1;
	if (PQntuples(res) == 1) {
		pg_row r = pg_row_at(res, 0);
		*failures = (int)pg_r_i64(&r);
		*window_start = pg_r_i64(&r);
		rc = r.bad ? pg_corrupt(err, "throttle") : 1;
	}
	PQclear(res);
	return rc;
}

int pg_throttle_put(yb_store *st, const char *key, int failures,
		    yb_time window_start, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_text(&q, key);
	pg_p_i64(&q, failures);
	pg_p_i64(&q, window_start);
	return pg_exec(PS(st), &st_throttle_put, &q, err);
}

int pg_throttle_clear(yb_store *st, const char *key, yb_err *err)
{
	return exec_by_key(st, &st_throttle_clear, key, err);
}
