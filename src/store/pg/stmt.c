/*
 * stmt.c — the PostgreSQL engine's statement helpers (pg_int.h): text
 * parameters, preparing and running a statement (with its locking
 * variant inside write transactions), mapping a failed result to the
 * store's codes, and reading rows, lookups and pages of a list.  No
 * operation of store.h is here: they are in the family files beside it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_int.h"

/* --- parameters -------------------------------------------------------- */

void pg_params_init(pg_params *p)
{
	memset(p, 0, sizeof *p);
}

void pg_params_release(pg_params *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->narrays; i++)
		free(p->arrays[i]);
	p->narrays = 0;
}

/* The next slot; a statement never has more than PG_MAX_PARAMS, so an
 * overflow is a programming error caught by the engine's tests. */
static int slot(pg_params *p)
{
	if (p->n >= PG_MAX_PARAMS) {
		p->oom = true;
		return PG_MAX_PARAMS - 1;
	}
	return p->n++;
}

void pg_p_i64(pg_params *p, int64_t v)
{
	int i = slot(p);
	snprintf(p->num[i], sizeof p->num[i], "%" PRId64, v);
	p->v[i] = p->num[i];
}

void pg_p_text(pg_params *p, const char *s)
{
	p->v[slot(p)] = s;
}

void pg_p_opt_text(pg_params *p, const char *s)
{
	p->v[slot(p)] = s && *s ? s : NULL;
}

void pg_p_bool(pg_params *p, bool v)
{
	p->v[slot(p)] = v ? "t" : "f";
}

void pg_p_null(pg_params *p)
{
	p->v[slot(p)] = NULL;
}

void pg_p_id(pg_params *p, int64_t id)
{
	if (id == 0)
		pg_p_null(p);
	else
		pg_p_i64(p, id);
}

/* Keep a malloc'd array literal for release; NULL marks out of memory. */
static void add_array(pg_params *p, char *buf)
{
	if (!buf || p->narrays >= PG_MAX_ARRAYS) {
		free(buf);
		p->oom = true;
		pg_p_null(p);
		return;
	}
	p->arrays[p->narrays++] = buf;
	p->v[slot(p)] = buf;
}

void pg_p_i64_array(pg_params *p, const int64_t *v, int n)
{
	size_t size = 3 + (size_t)(n > 0 ? n : 0) * 21;
	char *buf = malloc(size);
	size_t len = 0;

	if (buf) {
		buf[len++] = '{';
		for (int i = 0; i < n; i++)
			len += (size_t)snprintf(buf + len, size - len, "%s%" PRId64,
						i ? "," : "", v[i]);
		buf[len++] = '}';
		buf[len] = '\0';
	}
	add_array(p, buf);
}

void pg_p_text_array(pg_params *p, const char *const *v, int n)
{
	/* every element quoted; '"' and '\' escaped with a backslash */
	size_t size = 3;
	char *buf;
	size_t len = 0;

	for (int i = 0; i < n; i++)
		size += 3 + 2 * strlen(v[i]);
	buf = malloc(size);
	if (buf) {
		buf[len++] = '{';
		for (int i = 0; i < n; i++) {
			if (i)
				buf[len++] = ',';
			buf[len++] = '"';
			for (const char *c = v[i]; *c; c++) {
				if (*c == '"' || *c == '\\')
					buf[len++] = '\\';
				buf[len++] = *c;
			}
			buf[len++] = '"';
		}
		buf[len++] = '}';
		buf[len] = '\0';
	}
	add_array(p, buf);
}

void pg_p_enum(pg_params *p, const char *s)
{
	if (!*s)
		p->bad_enum = true;
	pg_p_text(p, s);
}

void pg_p_enum_array(pg_params *p, const char *const *v, int n)
{
	for (int i = 0; i < n; i++)
		if (!*v[i])
			p->bad_enum = true;
	pg_p_text_array(p, v, n);
}

/* --- errors ------------------------------------------------------------ */

/* Unique constraints and the refusal a duplicate gets (store.h). */
static const struct {
	const char *constraint;
	yb_refusal refusal;
} unique_refusals[] = {
	{ "persons_ssn_key",        YB_REFUSE_PERSON_DUPLICATE },
	{ "persons_id_number_key",  YB_REFUSE_PERSON_DUPLICATE },
	{ "contributions_once",     YB_REFUSE_CONTRIBUTION_DUPLICATE },
	{ "cards_one_valid",        YB_REFUSE_CARD_VALID_EXISTS },
	{ "bindings_active_pair",   YB_REFUSE_BINDING_DUPLICATE },
	{ "institutions_pkey",      YB_REFUSE_INSTITUTION_DUPLICATE },
	/* the receivable is made with its institution: same code taken */
	{ "accounts_receivable",    YB_REFUSE_INSTITUTION_DUPLICATE },
	{ "accounts_personal",      YB_REFUSE_ACCOUNT_DUPLICATE },
	{ "accounts_system",        YB_REFUSE_ACCOUNT_DUPLICATE },
	{ "employers_pkey",         YB_REFUSE_EMPLOYER_DUPLICATE },
	{ "audit_pkey",             YB_REFUSE_AUDIT_SEQ_USED },
	{ "offline_txn_once",       YB_REFUSE_OFFLINE_TXN_REUSED },
	{ "settlements_txn_once",   YB_REFUSE_SETTLEMENT_TXN_REUSED },
	/* family: E1 */
	{ "premium_once",           YB_REFUSE_PREMIUM_PAID },
	{ "premium_request",        YB_REFUSE_PREMIUM_REQUEST_REUSED },
	/* records: R2 */
	{ "proofs_code",            YB_REFUSE_PROOF_DUPLICATE },
};

/* The refusal of a unique violation, YB_REFUSE_NONE for one not listed. */
static yb_refusal unique_refusal(PGresult *res)
{
	const char *c = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);

	for (size_t i = 0; c && i < sizeof unique_refusals /
					sizeof unique_refusals[0]; i++)
		if (strcmp(c, unique_refusals[i].constraint) == 0)
			return unique_refusals[i].refusal;
	return YB_REFUSE_NONE;
}

/* A one-line message from the server's, without the trailing newline. */
void pg_err_from_message(yb_err *err, const char *code, const char *msg)
{
	size_t len = strcspn(msg ? msg : "", "\n");
	yb_errf(err, code, "postgresql: %.*s", (int)len, msg ? msg : "");
}

int pg_result_err(PGconn *conn, PGresult *res, yb_err *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : "";
	const char *code = "store.error";

	if (!msg || !*msg)
		msg = PQerrorMessage(conn);
	if (PQstatus(conn) == CONNECTION_BAD || !state ||
	    strncmp(state, "08", 2) == 0 ||           /* connection exception */
	    strncmp(state, "57P", 3) == 0) {          /* shutdown, crash, starting */
		/* pgha: the server went away (crash, failover): retryable.  An
		 * error without SQLSTATE is libpq's own (lost connection). */
		code = "store.unavailable";
	} else if (state && strcmp(state, "25006") == 0) {
		/* read-only transaction: we are on a standby now */
		code = "store.unavailable";
	} else if (state && strcmp(state, "23505") == 0 &&
		   unique_refusal(res) != YB_REFUSE_NONE) {
		yb_refuse(err, unique_refusal(res));
		PQclear(res);
		return -1;
	} else if (state && (strcmp(state, "40001") == 0 ||   /* serialization */
			     strcmp(state, "40P01") == 0 ||   /* deadlock */
			     strcmp(state, "55P03") == 0)) {  /* lock timeout */
		code = "store.busy";
	} else if (state && strcmp(state, "26000") == 0) {
		/* our own statement gone: a pooler in transaction mode */
		yb_errf(err, code, "postgresql: %.*s (a connection pooler in "
			"transaction mode? see docs/DEPLOY.md)",
			(int)strcspn(msg, "\n"), msg);
		PQclear(res);
		return -1;
	} else if (state && strcmp(state, "23514") == 0) {
		const char *c = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
		if (c && strcmp(c, "personal_not_negative") == 0)
			code = "ledger.insufficient_balance";
	}
	pg_err_from_message(err, code, msg);
	PQclear(res);
	return -1;
}

int pg_corrupt(yb_err *err, const char *what)
{
	return yb_errf(err, "store.corrupt", "postgresql: unreadable %s row",
		       what);
}

int pg_simple(PGconn *conn, const char *sql, yb_err *err)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType s = PQresultStatus(res);

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		return pg_result_err(conn, res, err);
	PQclear(res);
	return 0;
}

int64_t pg_affected(PGresult *res)
{
	return strtoll(PQcmdTuples(res), NULL, 10);
}

/* --- statements -------------------------------------------------------- */

/*
 * The name of prepared statement i of this connection: unique to the
 * connection (issue 16).  Behind PgBouncer in transaction pooling, a
 * client's statements land on server connections other clients
 * prepared; with names shared by every connection ("yb3") they ran
 * *another* statement with these parameters (measured: "invalid input
 * syntax for type bigint", "no fund_pool account").  Unique names make
 * that a plain "does not exist" instead (docs/DEPLOY.md, PgBouncer).
 */
static void stmt_name(const pg_store *ps, int i, char name[48])
{
	snprintf(name, 48, "yb_%" PRIx64 "_%d", ps->conn_id, i);
}

/*
 * issue 16, pg4: whether a statement's SQL writes rows, for undo on
 * demand (engine.c): a rollback_to after one has something to undo.
 * Row locks (FOR UPDATE, FOR NO KEY UPDATE) are not writes: a lazy
 * rollback_to keeps them to the commit, which changes no result.
 */
static bool sql_writes(const char *sql)
{
	if (strstr(sql, "INSERT INTO") || strstr(sql, "DELETE FROM"))
		return true;
	for (const char *u = sql; (u = strstr(u, "UPDATE ")) != NULL; u++)
		if (u - sql < 4 || (strncmp(u - 4, "FOR ", 4) != 0 &&
				    strncmp(u - 4, "KEY ", 4) != 0))
			return true;
	return false;
}

/* Count a statement that ran (res) as a write if it wrote a row.  A
 * plain INSERT/UPDATE/DELETE says how many; one with a WITH clause may
 * have written in it whatever its last part says, so it counts. */
static void count_write(pg_store *ps, int i, PGresult *res)
{
	const char *sql = ps->prepared[i].stmt->sql;

	if (!ps->prepared[i].writes)
		return;
	if (strncmp(sql, "WITH", 4) != 0 && strcmp(PQcmdTuples(res), "0") == 0)
		return;
	ps->writes++;
}

/* Prepare `s` (its locking variant if asked) unless this connection has;
 * returns the index that names it. */
static int prepare(pg_store *ps, const pg_stmt *s, bool locking, int nparams,
		   yb_err *err)
{
	char name[48];
	char *sql = NULL;
	PGresult *res;
	int i;

	for (i = 0; i < ps->nprepared; i++)
		if (ps->prepared[i].stmt == s && ps->prepared[i].locking == locking)
			return i;
	/* PQprepare waits for its answer: not inside a pipeline (pg5) */
	if (pg_collect(ps, err) < 0)
		return -1;
	if (ps->nprepared >= PG_MAX_PREPARED)
		return yb_errf(err, "store.error",
			       "postgresql: too many distinct statements");
	if (locking) {
		size_t len = strlen(s->sql) + strlen(s->lock) + 2;
		sql = malloc(len);
		if (!sql)
			return yb_errf(err, "out_of_memory", "out of memory");
		snprintf(sql, len, "%s %s", s->sql, s->lock);
	}
	stmt_name(ps, i, name);
	res = PQprepare(ps->conn, name, sql ? sql : s->sql, nparams, NULL);
	free(sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pg_result_err(ps->conn, res, err);
	PQclear(res);
	ps->prepared[i].stmt = s;
	ps->prepared[i].locking = locking;
	ps->prepared[i].writes = sql_writes(s->sql);
	ps->nprepared++;
	return i;
}

/*
 * issue 16, pg2: the savepoint a request took (engine.c), sent in the
 * same round trip as its first statement — libpq pipeline mode: the
 * pending RELEASE of the request before, the SAVEPOINT, the statement,
 * one Sync.  Under group commit every request on the writer opens with
 * one, so this is a round trip less per request.  pg3: the same round
 * trip carries several statements when a look-up brings along what the
 * next look-ups will ask (pg_run_pair, card.c).  out[i] is statement i's
 * result; on the first error every out[i] is NULL and err is set (what
 * follows an error in a pipeline is not run).
 */
static int run_pipelined(pg_store *ps, int n, char (*names)[48],
			 const int *idx, pg_params **p, PGresult **out,
			 yb_err *err)
{
	PGconn *c = ps->conn;
	PGresult *res;
	/* pg5: the deferred writes (pg_defer) are in the pipeline already,
	 * their results first */
	int nq = ps->ndeferred, first = 0, want, k = 0, nulls = 0;
	int commit_at = -1, began;
	bool synced = false;

	for (int i = 0; i < n; i++)
		out[i] = NULL;
	ps->ndeferred = 0;
	if (nq == 0 && !PQenterPipelineMode(c))
		return pg_result_err(c, NULL, err);
	/* pg10: a writer's BEGIN first, when nothing has been sent yet */
	if ((began = pg_send_begin(ps)) < 0) {
		pg_result_err(c, NULL, err);
		(void)PQexitPipelineMode(c);
		return -1;
	}
	nq += began;
	if (ps->sp_pending) {
		if (ps->release_pending)
			nq += PQsendQueryParams(c, "RELEASE SAVEPOINT yb_sp",
						0, NULL, NULL, NULL, NULL, 0);
		ps->release_pending = false;
		nq += PQsendQueryParams(c, "SAVEPOINT yb_sp", 0, NULL, NULL,
					NULL, NULL, 0);
		ps->sp_pending = false;
	}
	first = nq;
	want = nq + n;
	for (int i = 0; i < n; i++)
		nq += PQsendQueryPrepared(c, names[i], p[i]->n, p[i]->v, NULL,
					  NULL, 0);
	/* pg10: the writer's COMMIT after the last statements (pg_commit) */
	if (ps->commit_tail) {
		ps->commit_tail = false;
		commit_at = want++;
		nq += PQsendQueryParams(c, "COMMIT", 0, NULL, NULL, NULL, NULL,
					0);
	}
	if (nq == want && PQpipelineSync(c)) {
		/* each query's result and a NULL after it, the Sync's last */
		while (!synced && nulls <= nq) {
			ExecStatusType st;

			if (!(res = PQgetResult(c))) {
				nulls++;
				continue;
			}
			st = PQresultStatus(res);
			if (st == PGRES_PIPELINE_SYNC)
				synced = true;
			if (k == commit_at && st == PGRES_COMMAND_OK) {
				/* a transaction an error had aborted answers
				 * ROLLBACK */
				if (strcmp(PQcmdStatus(res), "COMMIT") == 0)
					ps->committed_inline = true;
				else if (!err->code)
					yb_errf(err, "store.error",
						"postgresql: the transaction "
						"had failed and was rolled "
						"back");
				PQclear(res);
			} else if (k >= first && k < first + n &&
				   (st == PGRES_TUPLES_OK ||
				    st == PGRES_COMMAND_OK))
				out[k - first] = res;
			else if (st != PGRES_COMMAND_OK &&
				 st != PGRES_TUPLES_OK &&
				 st != PGRES_PIPELINE_SYNC &&
				 st != PGRES_PIPELINE_ABORTED && !err->code)
				pg_result_err(c, res, err);
			else
				PQclear(res);
			k++;
		}
	}
	if (!synced || !PQexitPipelineMode(c) || err->code) {
		/* pg5: a failed deferred write (or a lost connection) has
		 * aborted the lazy transaction: the batch is replayed */
		if (first > 0 && ps->lazy)
			ps->spoiled = true;
		for (int i = 0; i < n; i++) {
			PQclear(out[i]);
			out[i] = NULL;
		}
		if (!err->code)         /* the connection broke */
			pg_result_err(c, NULL, err);
		return -1;
	}
	for (int i = 0; i < n; i++)
		count_write(ps, idx[i], out[i]);
	return 0;
}

/* The name `s` (its locking variant inside a write transaction) is
 * prepared under on this connection, preparing it first; -1 with err. */
static int prepared_name(pg_store *ps, const pg_stmt *s, pg_params *p,
			 char name[48], int *idx, yb_err *err)
{
	bool locking = s->lock && ps->in_txn && ps->txn_write;
	int i;

	if (p->oom)
		return yb_errf(err, "out_of_memory",
			       "out of memory (statement %s)", s->name);
	if (p->bad_enum)
		return yb_errf(err, "store.error", "postgresql: a value outside "
			       "its list (statement %s)", s->name);
	i = prepare(ps, s, locking, p->n, err);
	if (i < 0)
		return -1;
	stmt_name(ps, i, name);
	*idx = i;
	if (ps->prepared[i].writes)
		pg_hint_forget(ps);     /* pg8: accounts may move (hint.c) */
	return 0;
}

PGresult *pg_run(pg_store *ps, const pg_stmt *s, pg_params *p, yb_err *err)
{
	static pg_params none;
	char name[48];
	PGresult *res;
	ExecStatusType st;
	int idx;

	pg_prefetch_forget(ps);         /* it was for the statement before */
	if (!p)
		p = &none;
	if (prepared_name(ps, s, p, name, &idx, err) < 0)
		return NULL;
	if (ps->sp_pending || ps->ndeferred > 0 || ps->begin_pending ||
	    ps->commit_tail) {
		yb_err_clear(err);
		return run_pipelined(ps, 1, &name, &idx, &p, &res, err) < 0
			       ? NULL : res;
	}
	res = PQexecPrepared(ps->conn, name, p->n, p->v, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		pg_result_err(ps->conn, res, err);
		return NULL;
	}
	count_write(ps, idx, res);
	return res;
}

int pg_run_n(pg_store *ps, int n, const pg_stmt *const *s, pg_params **p,
	     PGresult **out, yb_err *err)
{
	char names[8][48];
	int idx[8];
	int rc = -1;

	for (int i = 0; i < n; i++)
		out[i] = NULL;
	pg_prefetch_forget(ps);
	if (n > 8) {
		yb_errf(err, "store.error", "postgresql: too many statements "
			"in one round trip");
		goto out;
	}
	for (int i = 0; i < n; i++)
		if (prepared_name(ps, s[i], p[i], names[i], &idx[i], err) < 0)
			goto out;
	yb_err_clear(err);
	rc = run_pipelined(ps, n, names, idx, p, out, err);
out:
	for (int i = 0; i < n; i++)
		pg_params_release(p[i]);
	return rc;
}

int pg_run_pair(pg_store *ps, const pg_stmt *s1, pg_params *p1,
		const pg_stmt *s2, pg_params *p2, PGresult **r1,
		PGresult **r2, yb_err *err)
{
	const pg_stmt *s[2] = { s1, s2 };
	pg_params *p[2] = { p1, p2 };
	PGresult *out[2];
	int rc = pg_run_n(ps, 2, s, p, out, err);

	*r1 = out[0];
	*r2 = out[1];
	return rc;
}

/*
 * pg5: a write whose answer nobody waits for, in a lazy batch.  It goes
 * into the pipeline (libpq holds it in its buffer) and is sent with the
 * next statement that needs an answer, or by pg_collect; whatever it
 * wrote counts as a write (its row count is not known yet).  If it
 * fails, the lazy transaction is aborted: the next answer is that error
 * and the batch is spoiled and replayed, every statement synchronous.
 */
int pg_defer(pg_store *ps, const pg_stmt *s, pg_params *p, yb_err *err)
{
	char name[48];
	int idx, began, rc = -1;

	pg_prefetch_forget(ps);
	if (!pg_deferring(ps))
		return pg_exec(ps, s, p, err);
	/* a bound on what waits unread: libpq writes in blocking mode, so
	 * a pipeline whose answers are never read could fill both sides'
	 * buffers (a settlement defers 3 or 4) */
	if (ps->ndeferred >= PG_DEFER_MAX && pg_collect(ps, err) < 0)
		goto out;
	if (prepared_name(ps, s, p, name, &idx, err) < 0)
		goto out;
	if (ps->ndeferred == 0 && !PQenterPipelineMode(ps->conn)) {
		pg_result_err(ps->conn, NULL, err);
		goto out;
	}
	if ((began = pg_send_begin(ps)) < 0) {   /* pg10 */
		ps->spoiled = true;
		pg_result_err(ps->conn, NULL, err);
		goto out;
	}
	ps->ndeferred += began;
	if (!PQsendQueryPrepared(ps->conn, name, p->n, p->v, NULL, NULL, 0)) {
		ps->spoiled = true;
		pg_result_err(ps->conn, NULL, err);
		goto out;
	}
	ps->ndeferred++;
	ps->writes++;
	rc = 0;
out:
	pg_params_release(p);
	return rc;
}

bool pg_deferring(const pg_store *ps)
{
	return ps->lazy && !ps->spoiled && !ps->sp_pending && ps->in_txn;
}

int pg_collect(pg_store *ps, yb_err *err)
{
	if (ps->ndeferred == 0)
		return 0;
	yb_err_clear(err);
	return run_pipelined(ps, 0, NULL, NULL, NULL, NULL, err);
}

PGresult *pg_run_release(pg_store *ps, const pg_stmt *s, pg_params *p,
			 yb_err *err)
{
	PGresult *res = pg_run(ps, s, p, err);
	pg_params_release(p);
	return res;
}

int pg_exec(pg_store *ps, const pg_stmt *s, pg_params *p, yb_err *err)
{
	PGresult *res = pg_run_release(ps, s, p, err);
	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

/* --- rows -------------------------------------------------------------- */

pg_row pg_row_at(PGresult *res, int row)
{
	pg_row r = { .res = res, .row = row, .col = 0, .bad = false };
	return r;
}

const char *pg_r_text(pg_row *r)
{
	if (r->col >= PQnfields(r->res)) {
		r->bad = true;
		return "";
	}
	return PQgetvalue(r->res, r->row, r->col++);
}

/* Longer text is cut at a UTF-8 character boundary, as the SQLite engine
 * does: the fields are sized for what the service lets in. */
void pg_r_str(pg_row *r, char *dst, size_t size)
{
	const char *v = pg_r_text(r);
	size_t len = strlen(v);

	if (len >= size) {
		len = size - 1;
		while (len > 0 && ((unsigned char)v[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(dst, v, len);
	dst[len] = '\0';
}

int64_t pg_r_i64(pg_row *r)
{
	const char *v = pg_r_text(r);
	char *end;
	long long x;

	if (!*v)
		return 0;       /* SQL NULL: an optional reference */
	errno = 0;
	x = strtoll(v, &end, 10);
	if (errno || *end)
		r->bad = true;
	return x;
}

bool pg_r_bool(pg_row *r)
{
	return pg_r_text(r)[0] == 't';
}

int64_t pg_before(yb_id before)
{
	return before > 0 ? before : INT64_MAX;
}

int64_t pg_limit(int limit)
{
	return limit > 0 ? limit : 0;
}

int pg_lookup(pg_store *ps, const pg_stmt *s, pg_params *p,
	      pg_decode_fn decode, void *out, yb_err *err)
{
	PGresult *res = pg_run_release(ps, s, p, err);
	pg_row r;
	int rc;

	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	r = pg_row_at(res, 0);
	rc = decode(&r, out);
	if (rc == 0 && r.bad)
		rc = pg_corrupt(err, s->name);
	PQclear(res);
	return rc < 0 ? -1 : 1;
}

int pg_list(pg_store *ps, const pg_stmt *s, pg_params *p, size_t elem_size,
	    pg_decode_fn decode, void **out, int *n, yb_err *err)
{
	PGresult *res = pg_run_release(ps, s, p, err);
	char *arr = NULL;
	int rows;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (!res)
		return -1;
	rows = PQntuples(res);
	/* at least one element, so the caller always has something to free */
	arr = calloc(rows > 0 ? (size_t)rows : 1, elem_size);
	if (!arr) {
		yb_errf(err, "out_of_memory", "out of memory");
		goto out;
	}
	for (int i = 0; i < rows; i++) {
		pg_row r = pg_row_at(res, i);
		if (decode(&r, arr + (size_t)i * elem_size) < 0)
			goto out;
		if (r.bad) {
			pg_corrupt(err, s->name);
			goto out;
		}
	}
	*out = arr;
	*n = rows;
	arr = NULL;
	rc = 0;
out:
	free(arr);
	PQclear(res);
	return rc;
}

int pg_lookup_text(pg_store *ps, const pg_stmt *s, pg_params *p, char *buf,
		   size_t size, const char *what, yb_err *err)
{
	PGresult *res = pg_run(ps, s, p, err);
	int rc = 0;

	if (!res)
		return -1;
	if (PQntuples(res) == 1) {
		const char *v = PQgetvalue(res, 0, 0);
		if (strlen(v) >= size)
			rc = yb_refuse_text(err, YB_REFUSE_TOO_LONG, what);
		else {
			memcpy(buf, v, strlen(v) + 1);
			rc = 1;
		}
	}
	PQclear(res);
	return rc;
}

/* --- shapes of writes ------------------------------------------------- */

/* An UPDATE of one row by id: no such row is the refusal `none`. */
int pg_update_one(pg_store *ps, const pg_stmt *s, pg_params *q,
		  yb_refusal none, int64_t id, yb_err *err)
{
	PGresult *res = pg_run_release(ps, s, q, err);
	int64_t n;

	if (!res)
		return -1;
	n = pg_affected(res);
	PQclear(res);
	if (n == 0)
		return yb_refuse_id(err, none, id);
	return 0;
}

/*
 * An INSERT ... ON CONFLICT DO NOTHING RETURNING: no row back means the
 * key was taken, the refusal `dup`.  Returns the result (one row) for the
 * caller to read the generated id from, or NULL with err set.
 */
PGresult *pg_insert_unique(pg_store *ps, const pg_stmt *s, pg_params *q,
			   yb_refusal dup, yb_err *err)
{
	PGresult *res = pg_run_release(ps, s, q, err);

	if (res && PQntuples(res) == 0) {
		PQclear(res);
		yb_refuse(err, dup);
		return NULL;
	}
	return res;
}

/* Set *id from the first column of a one-row result, and clear it. */
int pg_take_id(PGresult *res, yb_id *id)
{
	if (!res)
		return -1;
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}
