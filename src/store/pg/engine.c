/*
 * engine.c — the PostgreSQL engine (libpq): opening, re-opening and
 * closing a connection, transactions and savepoints, metadata and
 * sequences, and the table of operations.
 *
 * What the operation files share (parameters, running statements,
 * errors, rows) is in stmt.c; the operations themselves are in one file
 * per family beside it (register.c, card.c, ledger.c, settle.c, ...),
 * the schema in schema.c (pg_int.h lists them in store.h's order).
 *
 * Concurrency, in short (the long form is docs/POSTGRESQL.md): a write
 * transaction is READ COMMITTED, and what SQLite gets from its single
 * writer we get from locks — accounts locked in ascending id order
 * before balances move, the rows a write transaction reads locked as it
 * reads them (pg_int.h), the audit chain locked from audit_head to
 * commit.  Serialization failures and deadlocks, which that design makes
 * rare, come back as the retryable "store.busy".
 *
 * Uniqueness: store.h promises the domain's code for a duplicate, and
 * SQLite's failed INSERT leaves the transaction usable.  A failed
 * statement in PostgreSQL aborts the whole transaction, so the inserts
 * that can collide use ON CONFLICT DO NOTHING and report "no row" as the
 * domain's code; a unique violation that still happens (an UPDATE) is
 * mapped by constraint name (stmt.c).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/pg/pg_int.h"

/* Each connection: a statement waits for a lock at most 10 s, then fails
 * with "store.busy" (the counterpart of SQLite's busy timeout); notices
 * ("already exists, skipping") are not for the program's stderr. */
#define PG_SESSION_SETUP \
	"SET lock_timeout = '10s'; SET client_min_messages = warning"

/* --- transactions ------------------------------------------------------ */

static pg_store *PS(yb_store *st)
{
	return (pg_store *)st;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A connection lost between transactions (the server restarted, a
 * failover, a proxy dropped it) is re-opened with the store's conninfo:
 * with several hosts and target_session_attrs=read-write that finds
 * whichever is primary now.  Its prepared statements went with it.
 * pgha: while the database stays unreachable, attempts back off (50 ms
 * doubling to 1 s) and the requests in between fail at once with the
 * retryable "store.unavailable" instead of each waiting for a connect.
 */
int pg_ensure_connected(pg_store *ps, yb_err *err)
{
	int64_t now;

	if (PQstatus(ps->conn) == CONNECTION_OK)
		return 0;
	now = now_ms();
	if (now < ps->retry_at_ms)
		return yb_errf(err, "store.unavailable",
			       "postgresql: the database is not reachable");
	PQreset(ps->conn);
	ps->nprepared = 0;
	ps->ndeferred = 0;
	pg_inst_forget(ps);
	pg_ids_forget(ps);
	pg_tokens_forget(ps);
	if (PQstatus(ps->conn) != CONNECTION_OK ||
	    pg_simple(ps->conn, PG_SESSION_SETUP, err) < 0) {
		ps->backoff_ms = ps->backoff_ms ? ps->backoff_ms * 2 : 50;
		if (ps->backoff_ms > 1000)
			ps->backoff_ms = 1000;
		ps->retry_at_ms = now_ms() + ps->backoff_ms;
		pg_err_from_message(err, "store.unavailable",
				 PQerrorMessage(ps->conn));
		return -1;
	}
	ps->backoff_ms = 0;
	ps->retry_at_ms = 0;
	return 0;
}

static void pg_rollback(yb_store *st);

/* A write transaction's start (pg_begin; pg10: pg_send_begin). */
#define WRITE_BEGIN "BEGIN ISOLATION LEVEL READ COMMITTED"
#define WRITE_PLAN "SET LOCAL plan_cache_mode = force_generic_plan"
#define WRITE_NO_SEQSCAN "SET LOCAL enable_seqscan = off"
#define WRITE_NO_JIT "SET LOCAL jit = off"

/* pg10: a writer's pending BEGIN into the pipeline (stmt.c): the number
 * of statements queued, whose answers the caller reads and skips; -1
 * when libpq refused one (the connection is gone). */
int pg_send_begin(pg_store *ps)
{
	static const char *const sql[] = { WRITE_BEGIN, WRITE_PLAN,
					   WRITE_NO_SEQSCAN, WRITE_NO_JIT };
	int n = 0;

	if (!ps->begin_pending)
		return 0;
	ps->begin_pending = false;
	for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
		if (!PQsendQueryParams(ps->conn, sql[i], 0, NULL, NULL, NULL,
				       NULL, 0))
			return -1;
		n++;
	}
	return n;
}

/*
 * pg5: a connection left in pipeline mode (a pipeline cut short: the
 * connection broke mid-batch, or a protocol error) accepts no plain
 * statement.  Read what is left and leave it; if that fails, re-open it
 * (its server state is unknown).  Never on the normal path: every
 * pipeline is ended by its Sync (stmt.c).
 */
static void pipeline_clear(pg_store *ps)
{
	PGresult *res;
	int nulls = 0;

	if (PQpipelineStatus(ps->conn) == PQ_PIPELINE_OFF)
		return;
	ps->ndeferred = 0;
	/* a Sync makes the server send whatever it still holds back, so
	 * reading it cannot wait for ever */
	(void)PQpipelineSync(ps->conn);
	for (int i = 0; i < 1000 && nulls < 2 &&
			PQstatus(ps->conn) == CONNECTION_OK; i++) {
		if (!(res = PQgetResult(ps->conn))) {
			nulls++;
			continue;
		}
		nulls = 0;
		PQclear(res);
	}
	if (PQexitPipelineMode(ps->conn))
		return;
	PQreset(ps->conn);
	ps->nprepared = 0;
	pg_inst_forget(ps);
	pg_ids_forget(ps);
	pg_tokens_forget(ps);
	if (PQstatus(ps->conn) == CONNECTION_OK)
		PQclear(PQexec(ps->conn, PG_SESSION_SETUP));
}

static int pg_begin(yb_store *st, bool write, yb_err *err)
{
	pg_store *ps = PS(st);
	/*
	 * Writes: READ COMMITTED plus explicit row locks (see the top of
	 * this file).  Reads: one snapshot for the whole transaction, as a
	 * SQLite read transaction sees; not READ ONLY, because SQLite lets a
	 * read transaction write too.
	 *
	 * Writes plan their prepared statements once (issue 16, profile in
	 * docs/POSTGRESQL.md): left to choose, PostgreSQL planned the
	 * account lock and the ledger write anew at every execution (their
	 * array parameters make the generic plan look dearer), 1 ms of a
	 * settlement's 4 ms in the database; they are key look-ups whatever
	 * the values.  Reads keep the default, for their ranges and pages.
	 *
	 * And they never plan a sequential scan where an index serves: a
	 * generic plan made from a small table's statistics (autovacuum
	 * analyzes settlements at a few dozen rows) would otherwise scan the
	 * whole table at every look-up until its next analysis, and so
	 * would the foreign-key checks planned in the same transaction.
	 * Without JIT: a disabled scan's cost is above jit_above_cost, and
	 * compiling a key look-up took 370 ms; it never pays in a write.
	 */
	const char *sql = write ? WRITE_BEGIN "; " WRITE_PLAN "; "
				  WRITE_NO_SEQSCAN "; " WRITE_NO_JIT
				: "BEGIN ISOLATION LEVEL REPEATABLE READ";

	if (ps->in_txn)
		return yb_errf(err, "store.error",
			       "postgresql: a transaction is already open");
	pipeline_clear(ps);
	if (pg_ensure_connected(ps, err) < 0)
		return -1;
	/* pg10: a writer's BEGIN goes with its first statement.  A
	 * connection found dead then fails that statement: a lazy batch is
	 * spoiled and runs again on a new connection (begin reconnects),
	 * any other request answers store.unavailable as for a connection
	 * lost inside a transaction. */
	ps->begin_pending = write && ps->writer;
	if (!ps->begin_pending && pg_simple(ps->conn, sql, err) < 0) {
		/* issue 16: a connection that died while idle (a failover
		 * since its last request) is found dead only now; nothing
		 * has been done, so reconnect and begin once more rather
		 * than fail the request. */
		if (PQstatus(ps->conn) != CONNECTION_BAD ||
		    pg_ensure_connected(ps, err) < 0 ||
		    pg_simple(ps->conn, sql, err) < 0)
			return -1;
	}
	ps->in_txn = true;
	ps->txn_write = write;
	ps->lazy = false;
	ps->job_nowait = false;
	ps->job_refused = false;
	ps->writes = 0;
	ps->sp_open = false;
	ps->release_pending = false;
	ps->sp_pending = false;
	ps->audit_chain = 0;
	ps->audit_chain_sp = 0;
	ps->nlocked = 0;
	pg_prefetch_forget(ps);
	pg_caps_forget(ps);
	ps->inst_inserted = false;
	pg_ids_forget(ps);
	pg_hint_forget(ps);        /* pg8 (hint.c) */
	pg_audit_txn_begin(ps);
	return 0;
}

/*
 * pgha, issue 16: COMMIT, after writing the transaction's buffered audit
 * records and the new head of the chain they went on (audit_verify
 * compares the two, so a removed tail is seen), in one statement
 * (audit.c).  Under the chain's lock, so the head moves forward only.
 */
static int pg_commit(yb_store *st, yb_err *err)
{
	pg_store *ps = PS(st);
	PGresult *res;
	int rc = -1;

	if (!ps->in_txn)
		return yb_errf(err, "store.error",
			       "postgresql: commit without a transaction");
	ps->sp_pending = false; /* never sent, and COMMIT ends it anyway */
	/* pg5: anything still deferred goes with the audit records (or is
	 * collected before a COMMIT without them); pg10: on a writer, with
	 * the COMMIT after them in the same round trip */
	ps->commit_tail = ps->writer;
	ps->committed_inline = false;
	if (pg_audit_flush(ps, true, err) < 0 || pg_collect(ps, err) < 0) {
		ps->commit_tail = false;
		pg_rollback(st);
		return -1;
	}
	ps->commit_tail = false;
	if (ps->committed_inline || ps->begin_pending) {
		/* committed already, or nothing was ever sent (pg10) */
		ps->begin_pending = false;
		res = NULL;
	} else {
		res = PQexec(ps->conn, "COMMIT"); /* releases every savepoint */
	}
	ps->lazy = false;                /* lazy_undo: one transaction at most */
	ps->job_nowait = false;
	ps->job_refused = false;
	ps->sp_open = false;
	ps->release_pending = false;
	ps->sp_pending = false;
	ps->audit_chain = 0;
	ps->nlocked = 0;
	pg_prefetch_forget(ps);
	pg_caps_forget(ps);
	pg_ids_forget(ps);
	pg_hint_forget(ps);        /* pg8 (hint.c) */
	pg_audit_txn_end(ps);
	ps->in_txn = false;
	pg_tokens_committed(ps);  /* pg9: even unanswered, it may have */
	if (!res)
		return 0;
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_result_err(ps->conn, res, err);
		return -1;
	}
	/* COMMIT of a transaction an error had aborted answers ROLLBACK. */
	if (strcmp(PQcmdStatus(res), "COMMIT") == 0)
		rc = 0;
	else
		yb_errf(err, "store.error", "postgresql: the transaction had "
			"failed and was rolled back");
	PQclear(res);
	return rc;
}

static void pg_rollback(yb_store *st)
{
	pg_store *ps = PS(st);

	yb_err ignored;

	if (!ps || !ps->in_txn)
		return;
	yb_err_clear(&ignored);
	(void)pg_collect(ps, &ignored);   /* out of the pipeline first */
	pipeline_clear(ps);
	if (ps->begin_pending)            /* pg10: nothing was sent */
		ps->begin_pending = false;
	else
		PQclear(PQexec(ps->conn, "ROLLBACK"));
	ps->in_txn = false;
	ps->lazy = false;
	ps->job_nowait = false;
	ps->job_refused = false;
	ps->sp_open = false;
	ps->release_pending = false;
	ps->sp_pending = false;
	ps->audit_chain = 0;
	ps->nlocked = 0;
	pg_prefetch_forget(ps);
	pg_caps_forget(ps);
	pg_ids_forget(ps);
	pg_hint_forget(ps);        /* pg8 (hint.c) */
	pg_audit_txn_end(ps);
}

/*
 * The caller's one savepoint, with the SQLite engine's rules: one at a
 * time; rollback_to() undoes everything since savepoint() and ends it, so
 * a release() after it is a harmless no-op.  Ending it there also keeps an
 * import that rejects many rows from piling up subtransactions.
 *
 * Neither is sent at once.  A release goes with the next savepoint or is
 * made by the COMMIT; until then the released savepoint stays open
 * underneath, and nothing can roll back to it (sp_open is false), so
 * that changes nothing a caller can see.  A savepoint (pg2) goes with
 * the request's first statement, pipelined (stmt.c); one that nothing
 * ran in is never sent.  Under group commit every request is a
 * savepoint in its batch: neither costs the writer a round trip of its
 * own.
 */
static int pg_savepoint(yb_store *st, yb_err *err)
{
	pg_store *ps = PS(st);

	if (ps->sp_open)
		return yb_refuse(err, YB_REFUSE_SAVEPOINT_OPEN);
	if (ps->lazy) {
		if (!pg_txn_alive(ps)) {
			ps->spoiled = true;
			return yb_errf(err, "store.unavailable",
				       "the batch's transaction was lost");
		}
		ps->writes_sp = ps->writes;     /* noted, never sent */
	} else {
		ps->sp_pending = true;
	}
	ps->sp_open = true;
	ps->audit_chain_sp = ps->audit_chain;
	ps->nlocked = 0;        /* kept per request (group commit) */
	pg_prefetch_forget(ps);
	pg_caps_forget(ps);
	pg_ids_forget(ps);      /* drawn for the request before (ids.c) */
	pg_hint_forget(ps);        /* pg8 (hint.c) */
	pg_audit_savepoint(ps);
	return 0;
}

static int pg_release(yb_store *st, yb_err *err)
{
	pg_store *ps = PS(st);

	(void)err;
	if (!ps->sp_open)
		return 0;
	ps->sp_open = false;
	ps->job_nowait = false; /* the job kept a part: it waits (pg6) */
	pg_hint_forget(ps);        /* pg8 (hint.c) */
	if (ps->lazy)           /* only noted: nothing to release */
		return 0;
	if (ps->sp_pending)     /* nothing ran in it: it was never sent */
		ps->sp_pending = false;
	else
		ps->release_pending = true;
	return 0;
}

static int pg_rollback_to(yb_store *st, yb_err *err)
{
	pg_store *ps = PS(st);
	int chain_held = ps->audit_chain;

	if (!ps->sp_open)
		return yb_refuse(err, YB_REFUSE_NO_SAVEPOINT);
	ps->sp_open = false;
	/* Locks taken since the savepoint go with it, an audit chain's
	 * included: the chain held before it is still held. */
	ps->audit_chain = ps->audit_chain_sp;
	ps->nlocked = 0;        /* its locks and balance moves are undone */
	pg_prefetch_forget(ps);
	pg_caps_forget(ps);
	pg_ids_forget(ps);
	pg_hint_forget(ps);        /* pg8 (hint.c) */
	if (ps->lazy) {
		/* Nothing to undo in the database: rows written, or a chain
		 * claimed (its lock and the hash read with it), since the
		 * savepoint was noted — spoiled. */
		if (ps->writes != ps->writes_sp ||
		    ps->audit_chain != chain_held || !pg_txn_alive(ps))
			ps->spoiled = true;
		ps->audit_chain = chain_held;
		pg_audit_rollback_to(ps);
		return 0;
	}
	pg_audit_rollback_to(ps);
	if (ps->sp_pending) {   /* nothing ran in it: nothing to undo */
		ps->sp_pending = false;
		return 0;
	}
	/* one round trip for both */
	return pg_simple(ps->conn, "ROLLBACK TO SAVEPOINT yb_sp; "
				   "RELEASE SAVEPOINT yb_sp", err);
}

/*
 * issue 16, pg4: group commit's undo on demand (store.h).  Why: under
 * group commit every request was a real savepoint in its batch, a
 * subtransaction each — a SAVEPOINT and a RELEASE in the pipeline, a
 * subtransaction id for every request that wrote (pg_subtrans, and past
 * 64 of them every other backend's snapshot overflows), for an undo
 * almost never needed.  While on, savepoints are only noted (by
 * `writes`); see rollback_to above for what spoils the transaction.
 * A failed statement spoils it too: with no savepoint under it, it
 * aborted the whole transaction (pg_spoiled sees that, and a lost
 * connection, from libpq's transaction status).
 */
bool pg_txn_alive(const pg_store *ps)
{
	/* pg5: with writes deferred, libpq calls the transaction active;
	 * whether they failed is known when they are collected */
	if (ps->in_txn && (ps->ndeferred > 0 || ps->begin_pending))
		return PQstatus(ps->conn) == CONNECTION_OK;
	return ps->in_txn && PQtransactionStatus(ps->conn) == PQTRANS_INTRANS;
}

/* pg5: turning it off collects the deferred writes (one round trip per
 * batch): a failed one leaves the transaction spoiled, which the
 * batcher reads then (store.h). */
static void pg_lazy_undo(yb_store *st, bool on)
{
	pg_store *ps = PS(st);
	yb_err err;

	if (on) {
		ps->lazy = ps->in_txn && ps->txn_write;
		ps->spoiled = false;
		return;
	}
	yb_err_clear(&err);
	if (pg_collect(ps, &err) < 0)
		ps->spoiled = true;
	ps->lazy = false;
}

static bool pg_spoiled(yb_store *st)
{
	pg_store *ps = PS(st);

	return ps->spoiled || !pg_txn_alive(ps);
}

/*
 * issue 16, pg6: the next job of a batch (store.h batch_job).  Why:
 * with two writers, batch A held a relative's account for one of its
 * requests and asked for another's, which batch B held for one of its
 * own and B then asked for the first: each account lock is taken in id
 * order, but a batch holds the locks of all its requests to its
 * commit, and the order across requests is the queue's.  PostgreSQL
 * found the cycle only after deadlock_timeout, every request of both
 * batches waiting that long (bench/pg_profile's server log: both
 * writers in account_lock).  Now a job after the first does not wait:
 * it goes to a later batch, where it is first and may.
 */
static void pg_batch_job(yb_store *st, bool may_wait)
{
	pg_store *ps = PS(st);

	ps->job_nowait = !may_wait && ps->in_txn && ps->txn_write;
	ps->job_refused = false;
}

static bool pg_job_refused(yb_store *st)
{
	return PS(st)->job_refused;
}

int pg_auto_begin(pg_store *ps, bool *own, yb_err *err)
{
	*own = !ps->in_txn;
	if (!*own)
		return 0;
	return pg_begin(&ps->base, true, err);
}

int pg_auto_end(pg_store *ps, bool own, bool ok, yb_err *err)
{
	if (!own)
		return ok ? 0 : -1;
	if (!ok) {
		pg_rollback(&ps->base);
		return -1;
	}
	return pg_commit(&ps->base, err);
}

/* --- metadata and sequences ------------------------------------------- */

static const pg_stmt st_meta_get = { "meta_get",
	"SELECT value FROM meta WHERE key = $1", NULL };
static const pg_stmt st_meta_put = { "meta_put",
	"INSERT INTO meta (key, value) VALUES ($1, $2) "
	"ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", NULL };
/* The row lock of the upsert makes concurrent callers take turns. */
static const pg_stmt st_next_seq = { "next_seq",
	"INSERT INTO sequences (name, value) VALUES ($1, 1) "
	"ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 "
	"RETURNING value", NULL };

int pg_meta_get(yb_store *st, const char *key, char *buf, size_t size,
		yb_err *err)
{
	pg_params p;

	pg_params_init(&p);
	pg_p_text(&p, key);
	return pg_lookup_text(PS(st), &st_meta_get, &p, buf, size,
			      "a meta value", err);
}

int pg_meta_put(yb_store *st, const char *key, const char *value,
		yb_err *err)
{
	pg_params p;

	pg_params_init(&p);
	pg_p_text(&p, key);
	pg_p_text(&p, value);
	return pg_exec(PS(st), &st_meta_put, &p, err);
}

int pg_next_seq(yb_store *st, const char *name, int64_t *out, yb_err *err)
{
	pg_params p;
	PGresult *res;

	pg_params_init(&p);
	pg_p_text(&p, name);
	res = pg_run(PS(st), &st_next_seq, &p, err);
	if (!res)
		return -1;
	*out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

/* --- open and close ---------------------------------------------------- */

/* pgha: connections of one process take slots round robin, so up to
 * PG_SLOTS connections never share a sub-account or a preferred chain;
 * the pid spreads several processes over the slots. */
int pg_next_slot(void)
{
	static atomic_uint next;
	static atomic_uint base_set;
	static atomic_uint base;

	if (atomic_exchange(&base_set, 1) == 0)
		atomic_store(&base, (unsigned)getpid() * 7u);
	return (int)((atomic_load(&base) + atomic_fetch_add(&next, 1)) %
		     PG_SLOTS);
}

/* A number for each connection this process opens (statement names). */
uint64_t pg_next_conn_id(void)
{
	static atomic_uint next;

	return ((uint64_t)getpid() << 32) | atomic_fetch_add(&next, 1);
}

static void pg_close(yb_store *st)
{
	pg_store *ps = PS(st);

	if (!ps)
		return;
	pg_rollback(st);
	pg_audit_free(ps);
	pg_hint_forget(ps);        /* pg8 (hint.c) */
	pg_inst_forget(ps);
	pg_tokens_free(ps);
	PQfinish(ps->conn);
	free(ps);
}

/* Op as_writer (store.h): pg10, see pg_begin and pg_commit. */
static int pg_as_writer(yb_store *st, yb_err *err)
{
	(void)err;
	PS(st)->writer = true;
	return 0;
}

static const yb_store_ops pg_ops = {
	.name = "postgresql",
	.close = pg_close,
	.begin = pg_begin,
	.as_writer = pg_as_writer,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.savepoint = pg_savepoint,
	.release = pg_release,
	.rollback_to = pg_rollback_to,
	.lazy_undo = pg_lazy_undo,
	.spoiled = pg_spoiled,
	.batch_job = pg_batch_job,
	.job_refused = pg_job_refused,
	.meta_get = pg_meta_get,
	.meta_put = pg_meta_put,
	.next_seq = pg_next_seq,
	.person_insert = pg_person_insert,
	.person_by_id = pg_person_by_id,
	.person_by_ssn = pg_person_by_ssn,
	.person_by_id_number = pg_person_by_id_number,
	.person_set_status = pg_person_set_status,
	.person_set_password = pg_person_set_password,
	.person_password = pg_person_password,
	.employer_insert = pg_employer_insert,
	.employer_by_code = pg_employer_by_code,
	.account_insert = pg_account_insert,
	.account_by_id = pg_account_by_id,
	.account_personal_of = pg_account_personal_of,
	.account_system = pg_account_system,
	.account_system_id = pg_account_system_id,
	.account_set_closed = pg_account_set_closed,
	.account_lock = pg_account_lock,
	.ledger_post = pg_ledger_post,
	.ledger_lines = pg_ledger_lines,
	.ledger_check = pg_ledger_check,
	.contribution_insert = pg_contribution_insert,
	.contributions_of_person = pg_contributions_of_person,
	.contributions_of_employer = pg_contributions_of_employer,
	.card_application_insert = pg_card_application_insert,
	.card_application_by_id = pg_card_application_by_id,
	.card_application_set_card = pg_card_application_set_card,
	.card_insert = pg_card_insert,
	.card_by_no = pg_card_by_no,
	.card_by_id = pg_card_by_id,
	.card_valid_of = pg_card_valid_of,
	.card_latest_of = pg_card_latest_of,
	.card_update = pg_card_update,
	.calendar_put_year = pg_calendar_put_year,
	.calendar_get_year = pg_calendar_get_year,
	.audit_head = pg_audit_head,
	.audit_insert = pg_audit_insert,
	.audit_list = pg_audit_list,
	.audit_scan = pg_audit_scan,
	.audit_heads = pg_audit_heads,
	.institution_insert = pg_institution_insert,
	.institution_by_code = pg_institution_by_code,
	.binding_insert = pg_binding_insert,
	.binding_by_id = pg_binding_by_id,
	.binding_end = pg_binding_end,
	.bindings_end_all_of = pg_bindings_end_all_of,
	.bindings_of_authorizer = pg_bindings_of_authorizer,
	.bindings_of_relative = pg_bindings_of_relative,
	.payer_candidates = pg_payer_candidates,
	.settlement_insert = pg_settlement_insert,
	.settlement_by_id = pg_settlement_by_id,
	.settlement_by_txn = pg_settlement_by_txn,
	.settle_hint = pg_settle_hint,      /* pg8 */
	.settlement_set_revoked = pg_settlement_set_revoked,
	.settlements_of_patient = pg_settlements_of_patient,
	.usage_of_payer = pg_usage_of_payer,
	.recon_totals = pg_recon_totals,
	.offline_insert = pg_offline_insert,
	.offline_by_id = pg_offline_by_id,
	.offline_by_txn = pg_offline_by_txn,
	.offline_set_resettled = pg_offline_set_resettled,
	.apikey_insert = pg_apikey_insert,
	.apikey_revoke = pg_apikey_revoke,
	.session_insert = pg_session_insert,
	.session_delete = pg_session_delete,
	.sessions_purge = pg_sessions_purge,
	.token_by_hash = pg_token_by_hash,
	/* sessions of a person (issue 14) */
	.sessions_of_person = pg_sessions_of_person,
	.sessions_end_person = pg_sessions_end_person,
	.throttle_get = pg_throttle_get,
	.throttle_put = pg_throttle_put,
	.throttle_clear = pg_throttle_clear,
	/* nhsa gateway */
	.nhsa_put = pg_nhsa_put,
	.nhsa_get = pg_nhsa_get,
	.nhsa_list = pg_nhsa_list,
	.nhsa_delete = pg_nhsa_delete,
	.nhsa_purge = pg_nhsa_purge,
	.nhsa_file_put = pg_nhsa_file_put,
	.nhsa_file_get = pg_nhsa_file_get,
	/* nhsa typed tables (migration 9) */
	.nhsa_visit_get = pg_nhsa_visit_get,
	.nhsa_visit_put = pg_nhsa_visit_put,
	.nhsa_batch_get = pg_nhsa_batch_get,
	.nhsa_batch_list = pg_nhsa_batch_list,
	.nhsa_batch_put = pg_nhsa_batch_put,
	.nhsa_batch_delete = pg_nhsa_batch_delete,
	.nhsa_cum_get = pg_nhsa_cum_get,
	.nhsa_cum_put = pg_nhsa_cum_put,
	.nhsa_setl_get = pg_nhsa_setl_get,
	.nhsa_setl_put = pg_nhsa_setl_put,
	.nhsa_setl_list = pg_nhsa_setl_list,
	/* family (E1, E2, E4) */
	.binding_cap_get = pg_binding_cap_get,
	.binding_cap_put = pg_binding_cap_put,
	.binding_used = pg_binding_used,
	.cap_cuts_insert = pg_cap_cuts_insert,
	.cap_cuts_load = pg_cap_cuts_load,
	.premium_insert = pg_premium_insert,
	.premium_by_request = pg_premium_by_request,
	.premium_by_relative_year = pg_premium_by_relative_year,
	.premium_by_id = pg_premium_by_id,
	.premiums_of_payer = pg_premiums_of_payer,
	.cap_cut_usage_of_payer = pg_cap_cut_usage_of_payer,
	.material_insert = pg_material_insert,
	.materials_of = pg_materials_of,
	.material_get = pg_material_get,

	.set_autocheckpoint = pg_set_autocheckpoint,
	.upkeep = pg_upkeep,
	/* notify (E3) */
	.notification_insert = pg_notification_insert,
	.notifications_of = pg_notifications_of,
	.notifications_unread = pg_notifications_unread,
	.notification_mark_read = pg_notification_mark_read,
	.webhook_insert = pg_webhook_insert,
	.webhook_by_id = pg_webhook_by_id,
	.webhooks_list = pg_webhooks_list,
	.webhook_remove = pg_webhook_remove,
	.deliveries_list = pg_deliveries_list,
	.delivery_by_id = pg_delivery_by_id,
	.deliveries_claim = pg_deliveries_claim,
	.delivery_update = pg_delivery_update,
	/* records and proofs (R1–R4) */
	.contributions_in_period = pg_contributions_in_period,
	.ledger_lines_between = pg_ledger_lines_between,
	.ledger_balance_before = pg_ledger_balance_before,
	.proof_insert = pg_proof_insert,
	.proof_by_code = pg_proof_by_code,
	.proofs_of_person = pg_proofs_of_person,
	.proof_revoke = pg_proof_revoke,
	.employee_months_scan = pg_employee_months_scan,
};

/*
 * pgha: the conninfo (or URI) with defaults that keep a request from
 * hanging on a dead server: connect within 3 s, notice a silent TCP peer
 * within ~10 s.  Listed first, so the conninfo's own settings win.  The
 * connections show as "yibao" in pg_stat_activity unless the conninfo
 * names them (application_name=...).
 */
static PGconn *connect_with_defaults(const char *conninfo)
{
	const char *const keys[] = { "connect_timeout", "keepalives",
		"keepalives_idle", "keepalives_interval", "keepalives_count",
		"tcp_user_timeout", "fallback_application_name", "dbname",
		NULL };
	const char *const vals[] = { "3", "1", "5", "2", "2", "10000",
		"yibao", conninfo, NULL };

	return PQconnectdbParams(keys, vals, 1);
}

int yb_pg_open(const char *conninfo, yb_store **out, yb_err *err)
{
	pg_store *ps = calloc(1, sizeof *ps);

	*out = NULL;
	if (!ps)
		return yb_errf(err, "out_of_memory", "out of memory");
	ps->base.ops = &pg_ops;
	ps->slot = pg_next_slot();
	ps->conn_id = pg_next_conn_id();
	ps->conn = connect_with_defaults(conninfo);
	if (!ps->conn) {
		free(ps);
		return yb_errf(err, "out_of_memory", "out of memory");
	}
	if (PQstatus(ps->conn) != CONNECTION_OK) {
		/* pgha: a server's worker opening its connection during a
		 * failover gets the retryable code, as a reconnect does */
		pg_err_from_message(err, "store.unavailable",
				 PQerrorMessage(ps->conn));
		goto fail;
	}
	if (PQsetClientEncoding(ps->conn, "UTF8") != 0) {
		/* The connection lost on its first query is as retryable
		 * as one never made: PgBouncer accepts a client at once and
		 * drops it when no server connection frees up in time
		 * (query_wait_timeout; scripts/pgbouncer-check). */
		pg_err_from_message(err, PQstatus(ps->conn) == CONNECTION_BAD
				    ? "store.unavailable" : "store.error",
				    PQerrorMessage(ps->conn));
		goto fail;
	}
	if (pg_simple(ps->conn, PG_SESSION_SETUP, err) < 0 ||
	    pg_schema_migrate(ps->conn, err) < 0)
		goto fail;
	*out = &ps->base;
	return 0;
fail:
	PQfinish(ps->conn);
	free(ps);
	return -1;
}
