/*
 * engine.c — the SQLite engine of the store (store.h): opening and
 * closing a connection, transactions and savepoints, metadata and
 * sequences, online backup, and the table of operations.
 *
 * What the operation files share (statement cache, errors, binding and
 * reading) is in stmt.c; the operations themselves are in one file per
 * family beside it (register.c, card.c, ledger.c, settle.c, ...), the
 * schema in schema.c, the WAL upkeep in upkeep.c (sqlite_int.h lists
 * them in store.h's order).
 *
 * Settings of a connection:
 *  - WAL journal: readers never block the writer nor the writer readers;
 *  - foreign_keys = ON: the schema's references are enforced;
 *  - busy_timeout 5 s: a writer waits for the write lock that long, then
 *    the operation fails with "store.busy";
 *  - synchronous = FULL: a commit is on disk when it returns.  The
 *    environment variable YB_SQLITE_SYNC=NORMAL (durable except on power
 *    loss or OS crash: the last commits may be lost, never corrupted) or
 *    YB_SQLITE_SYNC=OFF (no fsync at all) lowers it for tests and
 *    benchmarks; any other value is refused.
 *
 * Process-wide, before the first connection: SQLite's memory statistics
 * are off.  They take one global mutex around every allocation SQLite
 * makes, which the server's threads then contend for (measured: futex
 * wake-ups inside sqlite3Malloc on the settlement path); nothing in yibao
 * reads them.  The page cache is SQLite's own, wrapped so that a commit
 * does not walk all of it (pcache.c).  And connections open through the
 * "yibao" VFS, which writes a commit's WAL frames at once (vfs.c).
 */
#include "store/sqlite/sqlite_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SQ_BUSY_TIMEOUT_MS 5000
/* Per-connection page cache (negative: KiB).  Large enough that the
 * indexes touched by a bulk import stay in memory.  (Larger for every
 * connection measured slower before pcache.c, when every commit walked
 * the whole cache, and no faster on a fresh server after it:
 * docs/BENCHMARKS.md, sq4.  The writer's is larger: below.) */
#define SQ_CACHE_PRAGMA "PRAGMA cache_size = -32768"

/* The group-commit writer's page cache (op as_writer): every write's
 * pages go through it.  At 1,000,000 persons a settlement reads some
 * nine b-tree pages the writer's 32 MiB cache no longer held (a `pread`
 * from the OS page cache each, 35 KiB a settlement); with 256 MiB,
 * once warm, one (docs/BENCHMARKS.md, sq5).  Only since pcache.c does
 * a larger cache not cost every commit a walk over it. */
#define SQ_WRITER_CACHE_PRAGMA "PRAGMA cache_size = -262144"

static const yb_store_ops sq_ops;

static pthread_once_t sq_global_once = PTHREAD_ONCE_INIT;
static const char *sq_vfs;           /* NULL: SQLite's default */

static void sq_global_config(void)
{
	/* SQLITE_MISUSE if SQLite was already initialized (then the
	 * statistics simply stay on): not worth failing over. */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/* Likewise: without it every commit may walk the page cache
	 * (pcache.c). */
	(void)sq_pcache_install();
	if (sq_vfs_register() == SQLITE_OK)
		sq_vfs = sq_vfs_name();
}

void sq_global_init(void)
{
	pthread_once(&sq_global_once, sq_global_config);
}

/* ---- opening and closing ------------------------------------------------- */

static void sq_close(yb_store *st)
{
	sq_store *s = sq_of(st);

	if (!s)
		return;
	sq_tok_forget(s);
	sq_nonces_drop(s);
	for (int i = 0; i < SQ__N; i++)
		sqlite3_finalize(s->stmts[i]);
	/* A transaction left open by an error path is rolled back by
	 * sqlite3_close itself. */
	sqlite3_close(s->db);
	free(s);
}

static int exec_pragma(sq_store *s, const char *sql, yb_err *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sq_fail(s, err);
	return 0;
}

/* Op as_writer (store.h). */
static int sq_as_writer(yb_store *st, yb_err *err)
{
	return exec_pragma(sq_of(st), SQ_WRITER_CACHE_PRAGMA, err);
}

/* The synchronous pragma chosen by YB_SQLITE_SYNC (see the top). */
static int sync_pragma(const char **out, yb_err *err)
{
	const char *v = getenv("YB_SQLITE_SYNC");

	if (!v || !*v || strcasecmp(v, "FULL") == 0)
		*out = "PRAGMA synchronous = FULL";
	else if (strcasecmp(v, "NORMAL") == 0)
		*out = "PRAGMA synchronous = NORMAL";
	else if (strcasecmp(v, "OFF") == 0)
		*out = "PRAGMA synchronous = OFF";
	else
		return yb_errf(err, "store.error",
			       "YB_SQLITE_SYNC must be FULL, NORMAL or OFF, "
			       "not '%s'", v);
	return 0;
}

/*
 * Switch to WAL.  Changing the journal mode of a new file needs an
 * exclusive lock that the busy handler does not wait for, so when two
 * connections open the same new file at once one of them retries here.
 */
static int set_wal(sq_store *s, yb_err *err)
{
	sqlite3_stmt *q = NULL;
	int rc = -1, step = SQLITE_BUSY;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &q,
			       NULL) != SQLITE_OK) {
		sq_fail(s, err);
		goto out;
	}
	for (int waited = 0; waited < SQ_BUSY_TIMEOUT_MS; waited += 10) {
		step = sqlite3_step(q);
		if (step != SQLITE_BUSY && step != SQLITE_LOCKED)
			break;
		sqlite3_reset(q);
		usleep(10 * 1000);
	}
	if (step != SQLITE_ROW) {
		sq_fail(s, err);
		goto out;
	}
	{
		const char *mode = (const char *)sqlite3_column_text(q, 0);

		/* An in-memory database reports "memory": fine for it. */
		if (!mode || (strcmp(mode, "wal") != 0 &&
			      strcmp(mode, "memory") != 0)) {
			yb_errf(err, "store.error",
				"cannot use WAL journal (got '%s')",
				mode ? mode : "?");
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(q);
	return rc;
}

int yb_sqlite_open(const char *path, yb_store **out, yb_err *err)
{
	sq_store *s = NULL;
	const char *sync = NULL;
	int rc = -1;

	*out = NULL;
	if (!path || !*path)
		return yb_errf(err, "store.error", "no SQLite database path");
	if (sync_pragma(&sync, err) < 0)
		return -1;
	sq_global_init();
	s = calloc(1, sizeof *s);
	if (!s)
		return yb_errf(err, "out_of_memory", "out of memory");
	s->base.ops = &sq_ops;
	/* NOMUTEX: a connection is used by one thread at a time (store.h),
	 * so SQLite's per-connection mutex would only cost time.  URI:
	 * "file:" names with query parameters are SQLite's to parse. */
	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI,
			    sq_vfs) != SQLITE_OK) {
		if (!s->db) {
			yb_errf(err, "out_of_memory", "out of memory");
			goto out;
		}
		yb_errf(err, "store.error", "cannot open %s: %s", path,
			sqlite3_errmsg(s->db));
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, SQ_BUSY_TIMEOUT_MS);
	if (set_wal(s, err) < 0 ||
	    exec_pragma(s, "PRAGMA foreign_keys = ON", err) < 0 ||
	    exec_pragma(s, sync, err) < 0 ||
	    exec_pragma(s, SQ_CACHE_PRAGMA, err) < 0 ||
	    exec_pragma(s, "PRAGMA temp_store = MEMORY", err) < 0 ||
	    sq_schema_migrate(s, err) < 0)
		goto out;
	*out = &s->base;
	s = NULL;
	rc = 0;
out:
	if (s)
		sq_close(&s->base);
	return rc;
}

int yb_sqlite_backup(yb_store *st, const char *dest_path, yb_err *err)
{
	sq_store *s;
	sqlite3 *dest = NULL;
	sqlite3_backup *b = NULL;
	int rc = -1, step;

	if (!st || st->ops != &sq_ops)
		return yb_errf(err, "store.error",
			       "backup needs a SQLite store");
	s = sq_of(st);
	if (sqlite3_open_v2(dest_path, &dest,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK) {
		yb_errf(err, "store.error", "cannot open %s: %s", dest_path,
			dest ? sqlite3_errmsg(dest) : "out of memory");
		goto out;
	}
	b = sqlite3_backup_init(dest, "main", s->db, "main");
	if (!b) {
		yb_errf(err, "store.error", "backup to %s: %s", dest_path,
			sqlite3_errmsg(dest));
		goto out;
	}
	/* Copy everything in one step: the source is read in one read
	 * transaction, so the copy is a consistent snapshot; writers on
	 * other connections go on meanwhile (WAL). */
	step = sqlite3_backup_step(b, -1);
	if (sqlite3_backup_finish(b) != SQLITE_OK || step != SQLITE_DONE) {
		b = NULL;
		yb_errf(err, step == SQLITE_BUSY || step == SQLITE_LOCKED ?
			"store.busy" : "store.error",
			"backup to %s: %s", dest_path, sqlite3_errmsg(dest));
		goto out;
	}
	b = NULL;
	rc = 0;
out:
	sqlite3_close(dest);
	return rc;
}

/* ---- transactions ------------------------------------------------------------ */

static int sq_begin(yb_store *st, bool write, yb_err *err)
{
	sq_store *s = sq_of(st);

	s->sp_open = false;
	s->hooks = SQ_HOOKS_UNKNOWN;
	s->head_known = false;
	s->tok_checked = false;
	sq_nonces_end(s, false);         /* nothing pending (a tidy start) */
	if (write)
		return sq_exec_simple(s, SQ_BEGIN_WRITE, "BEGIN IMMEDIATE", err);
	return sq_exec_simple(s, SQ_BEGIN_READ, "BEGIN", err);
}

static int sq_commit(yb_store *st, yb_err *err)
{
	sq_store *s = sq_of(st);

	s->sp_open = false;
	s->hooks = SQ_HOOKS_UNKNOWN;
	s->head_known = false;
	s->lazy = false;                 /* lazy_undo: one transaction at most */
	s->tok_checked = false;
	if (sq_exec_simple(s, SQ_COMMIT, "COMMIT", err) < 0) {
		/* kept or not, the set cannot tell: read again at next use */
		sq_nonces_drop(s);
		return -1;
	}
	sq_nonces_end(s, true);
	return 0;
}

static void sq_rollback(yb_store *st)
{
	sq_store *s = sq_of(st);
	yb_err ignored;

	if (!s)
		return;
	s->sp_open = false;
	s->hooks = SQ_HOOKS_UNKNOWN;
	s->head_known = false;
	s->lazy = false;
	s->tok_checked = false;
	sq_tok_forget(s);
	sq_nonces_end(s, false);
	/* SQLite may already have rolled back on its own (after an I/O
	 * error or a full disk): then there is nothing left to undo. */
	if (!sqlite3_get_autocommit(s->db))
		sq_exec_simple(s, SQ_ROLLBACK, "ROLLBACK", &ignored);
}

/*
 * The caller's one savepoint.  rollback_to() undoes everything since
 * savepoint() and ends it; release() after rollback_to() is therefore a
 * harmless no-op, so both "rollback_to" and "rollback_to + release" are
 * correct ways to abandon a row.
 */
static int sq_savepoint(yb_store *st, yb_err *err)
{
	sq_store *s = sq_of(st);

	if (s->sp_open)
		return yb_refuse(err, YB_REFUSE_SAVEPOINT_OPEN);
	if (s->lazy) {
		if (sq_lazy_mark(s, &s->sp_changes, err) < 0)
			return -1;
		s->sp_open = true;
		sq_nonces_mark(s);
		return 0;
	}
	if (sq_exec_simple(s, SQ_SAVEPOINT, "SAVEPOINT yb_sp", err) < 0)
		return -1;
	s->sp_open = true;
	sq_nonces_mark(s);
	return 0;
}

static int sq_release(yb_store *st, yb_err *err)
{
	sq_store *s = sq_of(st);

	if (!s->sp_open)
		return 0;
	s->sp_open = false;
	sq_nonces_unmark(s, false);
	if (s->lazy)
		return 0;
	return sq_exec_simple(s, SQ_RELEASE, "RELEASE yb_sp", err);
}

static int sq_rollback_to(yb_store *st, yb_err *err)
{
	sq_store *s = sq_of(st);

	if (!s->sp_open)
		return yb_refuse(err, YB_REFUSE_NO_SAVEPOINT);
	s->sp_open = false;
	s->head_known = false;
	sq_tok_forget(s);
	sq_nonces_unmark(s, true);
	if (s->lazy) {
		sq_lazy_undo_to(s, s->sp_changes);
		return 0;
	}
	if (sq_exec_simple(s, SQ_ROLLBACK_TO, "ROLLBACK TO yb_sp", err) < 0)
		return -1;
	return sq_exec_simple(s, SQ_RELEASE, "RELEASE yb_sp", err);
}

/*
 * Group commit's undo on demand (store.h).  Why: a savepoint per request
 * made SQLite copy every page a request touched into its sub-journal
 * (~20 pages, 4 KiB each) and truncate it at the release: ~16% of the
 * writer's instructions per settlement, for an undo almost never used
 * (a request refused midway, after writing).  The batcher turns it off
 * before its commit.
 */
static void sq_lazy_undo(yb_store *st, bool on)
{
	sq_store *s = sq_of(st);

	s->lazy = on;
	s->spoiled = false;
	s->op_depth = 0;
}

static bool sq_spoiled(yb_store *st)
{
	sq_store *s = sq_of(st);

	return s->spoiled || sqlite3_get_autocommit(s->db);
}

/* ---- metadata and sequences ---------------------------------------------- */

static int sq_meta_get(yb_store *st, const char *key, char *buf, size_t size,
		       yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_META_GET,
				  "SELECT value FROM meta WHERE key = ?1", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, key);
	return sq_step_text(s, q, buf, size, "a meta value", err);
}

static int sq_meta_put(yb_store *st, const char *key, const char *value,
		       yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_META_PUT,
				  "INSERT INTO meta (key, value) VALUES (?1, ?2) "
				  "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
				  err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, key);
	sq_bind_text(q, 2, value);
	return sq_exec(s, q, err);
}

static int sq_next_seq(yb_store *st, const char *name, int64_t *out,
		       yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_NEXT_SEQ,
				  "INSERT INTO sequences (name, value) VALUES (?1, 1) "
				  "ON CONFLICT (name) DO UPDATE SET value = value + 1 "
				  "RETURNING value", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, name);
	/* RETURNING always yields the row: 1 means done. */
	return sq_step_ints(s, q, out, 1, err) < 0 ? -1 : 0;
}

/* ---- the table of operations ------------------------------------------------- */

static const yb_store_ops sq_ops = {
	.name = "sqlite",
	.one_writer = true,
	.close = sq_close,

	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.savepoint = sq_savepoint,
	.release = sq_release,
	.rollback_to = sq_rollback_to,
	.lazy_undo = sq_lazy_undo,
	.spoiled = sq_spoiled,

	.meta_get = sq_meta_get,
	.meta_put = sq_meta_put,
	.next_seq = sq_next_seq,

	.person_insert = sq_person_insert,
	.person_by_id = sq_person_by_id,
	.person_by_ssn = sq_person_by_ssn,
	.person_by_id_number = sq_person_by_id_number,
	.person_set_status = sq_person_set_status,
	.person_set_password = sq_person_set_password,
	.person_password = sq_person_password,

	.employer_insert = sq_employer_insert,
	.employer_by_code = sq_employer_by_code,

	.account_insert = sq_account_insert,
	.account_by_id = sq_account_by_id,
	.account_personal_of = sq_account_personal_of,
	.account_system = sq_account_system,
	.account_system_id = sq_account_system_id,
	.account_set_closed = sq_account_set_closed,
	.account_lock = sq_account_lock,
	.ledger_post = sq_ledger_post,
	.ledger_lines = sq_ledger_lines,
	.ledger_check = sq_ledger_check,

	.contribution_insert = sq_contribution_insert,
	.contributions_of_person = sq_contributions_of_person,
	.contributions_of_employer = sq_contributions_of_employer,

	.card_application_insert = sq_card_application_insert,
	.card_application_by_id = sq_card_application_by_id,
	.card_application_set_card = sq_card_application_set_card,
	.card_insert = sq_card_insert,
	.card_by_no = sq_card_by_no,
	.card_by_id = sq_card_by_id,
	.card_valid_of = sq_card_valid_of,
	.card_latest_of = sq_card_latest_of,
	.card_update = sq_card_update,

	.calendar_put_year = sq_calendar_put_year,
	.calendar_get_year = sq_calendar_get_year,

	.audit_head = sq_audit_head,
	.audit_insert = sq_audit_insert,
	.audit_list = sq_audit_list,
	.audit_scan = sq_audit_scan,
	.audit_heads = sq_audit_heads,

	.institution_insert = sq_institution_insert,
	.institution_by_code = sq_institution_by_code,

	.binding_insert = sq_binding_insert,
	.binding_by_id = sq_binding_by_id,
	.binding_end = sq_binding_end,
	.bindings_end_all_of = sq_bindings_end_all_of,
	.bindings_of_authorizer = sq_bindings_of_authorizer,
	.bindings_of_relative = sq_bindings_of_relative,
	.payer_candidates = sq_payer_candidates,

	.settlement_insert = sq_settlement_insert,
	.settlement_by_id = sq_settlement_by_id,
	.settlement_by_txn = sq_settlement_by_txn,
	.settlement_set_revoked = sq_settlement_set_revoked,
	.settlements_of_patient = sq_settlements_of_patient,
	.usage_of_payer = sq_usage_of_payer,
	.recon_totals = sq_recon_totals,

	.offline_insert = sq_offline_insert,
	.offline_by_id = sq_offline_by_id,
	.offline_by_txn = sq_offline_by_txn,
	.offline_set_resettled = sq_offline_set_resettled,

	.apikey_insert = sq_apikey_insert,
	.apikey_revoke = sq_apikey_revoke,
	.session_insert = sq_session_insert,
	.session_delete = sq_session_delete,
	.sessions_purge = sq_sessions_purge,
	.token_by_hash = sq_token_by_hash,
	/* sessions of a person (issue 14) */
	.sessions_of_person = sq_sessions_of_person,
	.sessions_end_person = sq_sessions_end_person,
	.throttle_get = sq_throttle_get,
	.throttle_put = sq_throttle_put,
	.throttle_clear = sq_throttle_clear,
	/* nhsa gateway */
	.nhsa_put = sq_nhsa_put,
	.nhsa_get = sq_nhsa_get,
	.nhsa_list = sq_nhsa_list,
	.nhsa_delete = sq_nhsa_delete,
	.nhsa_purge = sq_nhsa_purge,
	.nhsa_file_put = sq_nhsa_file_put,
	.nhsa_file_get = sq_nhsa_file_get,
	/* nhsa typed tables (migration 9) */
	.nhsa_visit_get = sq_nhsa_visit_get,
	.nhsa_visit_put = sq_nhsa_visit_put,
	.nhsa_batch_get = sq_nhsa_batch_get,
	.nhsa_batch_list = sq_nhsa_batch_list,
	.nhsa_batch_put = sq_nhsa_batch_put,
	.nhsa_batch_delete = sq_nhsa_batch_delete,
	.nhsa_cum_get = sq_nhsa_cum_get,
	.nhsa_cum_put = sq_nhsa_cum_put,
	.nhsa_setl_get = sq_nhsa_setl_get,
	.nhsa_setl_put = sq_nhsa_setl_put,
	.nhsa_setl_list = sq_nhsa_setl_list,
	/* family (E1, E2, E4) */
	.binding_cap_get = sq_binding_cap_get,
	.binding_cap_put = sq_binding_cap_put,
	.binding_used = sq_binding_used,
	.cap_cuts_insert = sq_cap_cuts_insert,
	.cap_cuts_load = sq_cap_cuts_load,
	.premium_insert = sq_premium_insert,
	.premium_by_request = sq_premium_by_request,
	.premium_by_relative_year = sq_premium_by_relative_year,
	.premium_by_id = sq_premium_by_id,
	.premiums_of_payer = sq_premiums_of_payer,
	.cap_cut_usage_of_payer = sq_cap_cut_usage_of_payer,
	.material_insert = sq_material_insert,
	.materials_of = sq_materials_of,
	.material_get = sq_material_get,

	.set_autocheckpoint = sq_set_autocheckpoint,
	.as_writer = sq_as_writer,
	.upkeep = sq_upkeep,
	.defer_sync = sq_defer_sync,
	/* notify (E3) */
	.notification_insert = sq_notification_insert,
	.notifications_of = sq_notifications_of,
	.notifications_unread = sq_notifications_unread,
	.notification_mark_read = sq_notification_mark_read,
	.webhook_insert = sq_webhook_insert,
	.webhook_by_id = sq_webhook_by_id,
	.webhooks_list = sq_webhooks_list,
	.webhook_remove = sq_webhook_remove,
	.deliveries_list = sq_deliveries_list,
	.delivery_by_id = sq_delivery_by_id,
	.deliveries_claim = sq_deliveries_claim,
	.delivery_update = sq_delivery_update,
	/* records and proofs (R1–R4) */
	.contributions_in_period = sq_contributions_in_period,
	.ledger_lines_between = sq_ledger_lines_between,
	.ledger_balance_before = sq_ledger_balance_before,
	.proof_insert = sq_proof_insert,
	.proof_by_code = sq_proof_by_code,
	.proofs_of_person = sq_proofs_of_person,
	.proof_revoke = sq_proof_revoke,
	.employee_months_scan = sq_employee_months_scan,
};
