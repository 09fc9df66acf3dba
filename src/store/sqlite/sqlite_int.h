/*
 * sqlite_int.h — internals shared by the files of the SQLite engine
 * (src/store/sqlite/): the connection, the statement helpers (stmt.c),
 * the VFS, the schema, and the operations, declared in store.h's order
 * with the file of each family.  Nothing outside src/store/sqlite/ (and
 * the SQLite-only tests of tests/store) includes this: the rest of the
 * program sees only store.h.
 *
 * The engine keeps one prepared statement per query per connection.  Each
 * query has a slot in the enum below; sq_stmt() prepares it on first use
 * (SQLITE_PREPARE_PERSISTENT) and hands back the cached statement after
 * that.  The SQL text lives next to the code that runs it, so a reader
 * sees the query and its bindings together.  Every statement is reset and
 * its bindings cleared by sq_done() after use, whatever the outcome.
 */
#ifndef YB_STORE_SQLITE_INT_H
#define YB_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store/check.h"
#include "store/store.h"

/* One slot per cached statement. */
enum sq_stmt_id {
	/* transactions */
	SQ_BEGIN_READ, SQ_BEGIN_WRITE, SQ_COMMIT, SQ_ROLLBACK,
	SQ_SAVEPOINT, SQ_RELEASE, SQ_ROLLBACK_TO,
	SQ_OP_SAVEPOINT, SQ_OP_RELEASE, SQ_OP_ROLLBACK_TO,
	/* meta and sequences */
	SQ_META_GET, SQ_META_PUT, SQ_NEXT_SEQ,
	/* persons and employers */
	SQ_PERSON_INSERT, SQ_PERSON_BY_ID, SQ_PERSON_BY_SSN,
	SQ_PERSON_BY_ID_NUMBER, SQ_PERSON_SET_STATUS,
	SQ_PASSWORD_PUT, SQ_PASSWORD_GET,
	SQ_EMPLOYER_INSERT, SQ_EMPLOYER_BY_CODE,
	/* accounts and ledger */
	SQ_ACCOUNT_INSERT, SQ_ACCOUNT_BY_ID, SQ_ACCOUNT_PERSONAL_OF,
	SQ_ACCOUNT_SYSTEM, SQ_ACCOUNT_SET_CLOSED,
	SQ_TXN_INSERT, SQ_BALANCE_MOVE, SQ_ENTRY_INSERT, SQ_LEDGER_LINES,
	SQ_CHECK_ACCOUNTS, SQ_CHECK_TXNS, SQ_CHECK_ENTRIES,
	SQ_CHECK_UNBALANCED, SQ_CHECK_MISMATCHED, SQ_CHECK_DANGLING,
	/* contributions */
	SQ_CONTRIB_INSERT, SQ_CONTRIB_OF_PERSON, SQ_CONTRIB_OF_EMPLOYER,
	SQ_CONTRIB_OF_EMPLOYER_PERIOD,
	/* cards and calendar */
	SQ_CARDAPP_INSERT, SQ_CARDAPP_BY_ID, SQ_CARDAPP_SET_CARD,
	SQ_CARD_INSERT, SQ_CARD_BY_NO, SQ_CARD_BY_ID, SQ_CARD_VALID_OF,
	SQ_CARD_LATEST_OF, SQ_CARD_UPDATE,
	SQ_CAL_DELETE_DAYS, SQ_CAL_PUT_YEAR, SQ_CAL_PUT_DAY, SQ_CAL_HAS_YEAR,
	SQ_CAL_DAYS,
	/* audit */
	SQ_AUDIT_HEAD, SQ_AUDIT_INSERT, SQ_AUDIT_LIST, SQ_AUDIT_SCAN,
	/* institutions and bindings */
	SQ_INST_INSERT, SQ_INST_SET_RECEIVABLE, SQ_INST_BY_CODE,
	SQ_BINDING_INSERT, SQ_BINDING_BY_ID, SQ_BINDING_END,
	SQ_BINDINGS_END_ALL, SQ_BINDINGS_OF_AUTHORIZER,
	SQ_BINDINGS_OF_RELATIVE, SQ_PAYER_CANDIDATES,
	/* settlements and offline records */
	SQ_SETTLE_INSERT, SQ_SHARE_INSERT, SQ_SETTLE_BY_ID, SQ_SETTLE_BY_TXN,
	SQ_SHARES_OF, SQ_SETTLE_SET_REVOKED, SQ_SETTLE_OF_PATIENT,
	SQ_USAGE_OF_PAYER, SQ_RECON_TOTALS,
	SQ_OFFLINE_INSERT, SQ_OFFLINE_BY_ID, SQ_OFFLINE_BY_TXN,
	SQ_OFFLINE_SET_RESETTLED,
	/* credentials */
	SQ_APIKEY_INSERT, SQ_APIKEY_REVOKE,
	SQ_SESSION_INSERT, SQ_SESSION_DELETE,
	SQ_SESSIONS_PURGE, SQ_TOKEN_BY_HASH, SQ_DATA_VERSION,
	SQ_THROTTLE_GET, SQ_THROTTLE_PUT, SQ_THROTTLE_CLEAR,
	/* nhsa gateway */
	SQ_NHSA_INSERT, SQ_NHSA_UPSERT, SQ_NHSA_GET, SQ_NHSA_LIST,
	SQ_NHSA_DELETE, SQ_NHSA_PURGE,
	SQ_NHSA_MSG_INSERT, SQ_NHSA_MSG_UPSERT, SQ_NHSA_MSG_GET,
	SQ_NHSA_MSG_DELETE, SQ_NHSA_NONCE_INSERT, SQ_NHSA_NONCE_TOUCH,
	SQ_NHSA_NONCE_GET, SQ_NHSA_NONCE_GET_ROW, SQ_NHSA_NONCE_DELETE,
	SQ_NHSA_NONCE_SCAN, SQ_NHSA_NONCE_ROW, SQ_NHSA_NONCE_FRONT,
	SQ_NHSA_NONCE_CUT, SQ_NHSA_NONCE_MIN,
	SQ_NHSA_VISIT_GET, SQ_NHSA_VISIT_INSERT, SQ_NHSA_VISIT_UPSERT,
	SQ_NHSA_BATCH_GET, SQ_NHSA_BATCH_LIST, SQ_NHSA_BATCH_PUT,
	SQ_NHSA_BATCH_DELETE, SQ_NHSA_CUM_GET, SQ_NHSA_CUM_INSERT,
	SQ_NHSA_CUM_UPSERT, SQ_NHSA_SETL_GET, SQ_NHSA_SETL_INSERT,
	SQ_NHSA_SETL_UPSERT, SQ_NHSA_SETL_LIST,
	/* sessions of a person (issue 14) */
	SQ_SESSIONS_OF_PERSON, SQ_SESSIONS_END_PERSON,
	/* notify (E3): notifications, webhooks, deliveries */
	SQ_NOTE_INSERT, SQ_NOTE_FANOUT, SQ_HOOKS_ANY, SQ_NOTES_OF, SQ_NOTES_UNREAD,
	SQ_NOTE_OWNER, SQ_NOTE_READ, SQ_HOOK_INSERT, SQ_HOOK_BY_ID,
	SQ_HOOKS_LIST, SQ_HOOK_REMOVE, SQ_DELIVS_LIST, SQ_DELIV_BY_ID,
	SQ_DELIV_DUE, SQ_DELIV_LEASE, SQ_DELIV_UPDATE,
	/* family (E1, E2, E4) */
	SQ_CAP_GET, SQ_CAP_PUT, SQ_CAP_DELETE, SQ_BINDING_USED,
	SQ_CAP_CUT_INSERT, SQ_CAP_CUTS_OF,
	SQ_PREMIUM_INSERT, SQ_PREMIUM_BY_REQUEST, SQ_PREMIUM_BY_RELATIVE_YEAR,
	SQ_PREMIUMS_OF_PAYER,
	SQ_CAP_CUT_USAGE, SQ_PREMIUM_BY_ID,
	SQ_MATERIAL_INSERT, SQ_MATERIAL_GET, SQ_MATERIALS_OF_BINDING,
	SQ_MATERIALS_OF_APPLICATION, SQ_MATERIALS_OF_PREMIUM,
	/* records and proofs (R1–R4) */
	SQ_CONTRIB_IN_PERIOD_PERSON, SQ_CONTRIB_IN_PERIOD_EMPLOYER,
	SQ_LEDGER_BETWEEN, SQ_BALANCE_BEFORE,
	SQ_PROOF_INSERT, SQ_PROOF_BY_CODE, SQ_PROOFS_OF_PERSON, SQ_PROOF_REVOKE,
	SQ_EMPLOYEES_ONE, SQ_EMPLOYEES_ALL, SQ_EMPLOYEES_PERSON,
	/* nhsa files (migration 10, nhsa_files.c) */
	SQ_NHSA_FILE_PUT, SQ_NHSA_FILE_GET, SQ_NHSA_FILE_PURGE,
	SQ__N
};

/* Nested operation savepoints noted in lazy mode; deeper ones spoil. */
#define SQ_OP_DEPTH_MAX 8

/* One connection. */
typedef struct sq_store {
	yb_store base;                  /* must be first (store.h) */
	sqlite3 *db;
	bool sp_open;                   /* the caller's savepoint is open */
	sqlite3_stmt *stmts[SQ__N];
	/* The system accounts' ids, found once per connection: they never
	 * change, and looking them up by kind costs a re-prepare each time
	 * (the partial index's condition depends on the bound kind). */
	yb_id system_account_id[YB_ACC__N];
	/* Whether an active webhook exists, as far as this transaction has
	 * seen (notify.c): SQ_HOOKS_UNKNOWN until asked, then SQ_HOOKS_NONE
	 * or SQ_HOOKS_SOME.  Forgotten at every begin, commit and rollback:
	 * within one transaction no other connection can add one that this
	 * one would not see (its snapshot, or its write lock). */
	int hooks;
	/* Undo on demand (store.h lazy_undo): savepoints are only noted,
	 * by the connection's change count when each was opened; `spoiled`
	 * once one would have had to undo something. */
	bool lazy;
	bool spoiled;
	/* The audit chain's head as this transaction last wrote it
	 * (audit.c): read back once per transaction, not once per
	 * request.  Forgotten wherever `hooks` is, and at every undo. */
	bool head_known;
	yb_audit_record head;
	int64_t sp_changes;
	int op_depth;
	int64_t op_changes[SQ_OP_DEPTH_MAX];
	/* Authentication's look-ups in a transaction, remembered
	 * (credential.c, "The token cache"); NULL until the first. */
	struct sq_tok_cache *tok;
	bool tok_checked;                /* data_version read in this tx */
	int64_t tok_version;             /* the data_version it was then */
	/* The gateway's credentials and sign-ins, remembered by the same
	 * rules (nhsa.c, "The gateway's memo"); NULL until the first. */
	struct sq_nhsa_memo *nhsa_memo;
	/* The spent nonces, in memory (nhsa_nonce.c); NULL until the
	 * first nonce operation.  `nonces_behind`: another connection
	 * has committed since the set last looked (sq_memo_fresh). */
	struct sq_nonces *nonces;
	bool nonces_behind;
} sq_store;

/* The token cache forgets all it holds, the gateway's memo with it
 * (credential.c). */
void sq_tok_forget(sq_store *s);
/* In a transaction, and what the caches hold still true of it (PRAGMA
 * data_version unchanged since they were filled, else forgotten now)? */
bool sq_memo_fresh(sq_store *s);
void sq_nhsa_memo_forget(sq_store *s);

/* The spent nonces (nhsa_nonce.c): the store's "nonce" records, and the
 * set's part in a transaction — a mark at every savepoint (the caller's
 * and an operation's), its end (undo: the spends since taken back), and
 * the transaction's end. */
#define SQ_NONCE_MARKS 16
int sq_nonce_put(sq_store *s, const yb_nhsa_rec *rec, int mode, yb_err *err);
int sq_nonce_get(sq_store *s, const char *key, yb_nhsa_rec *out, yb_err *err);
int sq_nonce_delete(sq_store *s, const char *key, yb_err *err);
int sq_nonce_purge(sq_store *s, yb_time before, yb_err *err);
void sq_nonces_mark(sq_store *s);
void sq_nonces_unmark(sq_store *s, bool undo);
void sq_nonces_end(sq_store *s, bool committed);
void sq_nonces_drop(sq_store *s);
/* How many nonces this connection's set holds (tests: it follows the
 * table, other connections' purges included). */
size_t sq_nonces_held(sq_store *s);

enum { SQ_HOOKS_UNKNOWN = 0, SQ_HOOKS_NONE, SQ_HOOKS_SOME };

/* Lazy mode (store.h lazy_undo): note a savepoint's start, and whether
 * rolling back to it would undo anything (then the transaction is
 * spoiled).  A savepoint can only be noted inside a live transaction:
 * outside one, statements would commit on their own. */
int sq_lazy_mark(sq_store *s, int64_t *mark, yb_err *err);
void sq_lazy_undo_to(sq_store *s, int64_t mark);

static inline sq_store *sq_of(yb_store *st)
{
	return (sq_store *)st;
}

/* ---- statements and errors (stmt.c) ------------------------------------ */

/* The cached statement of slot `id`, prepared from `sql` on first use;
 * NULL with err filled if it cannot be prepared. */
sqlite3_stmt *sq_stmt(sq_store *s, enum sq_stmt_id id, const char *sql,
		      yb_err *err);
/* Reset a statement and clear its bindings; NULL-safe. */
void sq_done(sqlite3_stmt *q);

/* Fill err from the connection's last error: "store.busy" for a lock
 * that outlived the busy timeout, "store.corrupt", "out_of_memory", else
 * "store.error".  Returns -1. */
int sq_fail(sq_store *s, yb_err *err);
/* Process-wide SQLite configuration, once, before any connection opens
 * (engine.c says what and why); every sqlite3_open goes after it. */
void sq_global_init(void);
/* The "yibao" VFS (vfs.c): registered by sq_global_init(); the
 * name to open connections with, or NULL for SQLite's default if the
 * registration failed. */
int sq_vfs_register(void);
const char *sq_vfs_name(void);
/* pcache.c: SQLite's page cache without a walk at every commit. */
int sq_pcache_install(void);
/* The methods installed, or NULL if they could not be (for the tests). */
const sqlite3_pcache_methods2 *sq_pcache_methods(void);
/* Mark a WAL file of the VFS (SQLITE_FCNTL_JOURNAL_POINTER) as synced by
 * the syncer rather than by its connection (vfs.c says what changes);
 * -1 if `f` is not one. */
int sq_vfs_wal_defer(sqlite3_file *f);
/* The VFS's test fault switch (vfs_fault.c): init reads
 * YB_TEST_IO_FAULT; sq_vfs_fault answers the I/O error a write (or,
 * with `sync`, a sync) of a database or WAL file must fail with now, or
 * SQLITE_OK. */
void sq_vfs_fault_init(void);
int sq_vfs_fault(bool sync);
/* How both of the VFS's file wrappers begin (vfs.c: WAL files,
 * vfs_db.c: database files), and the methods both pass on to the
 * real file unchanged. */
typedef struct sq_wrapped_file {
	sqlite3_file base;               /* pMethods = the wrapper's */
	sqlite3_file *real;              /* the default VFS's file */
} sq_wrapped_file;
int sq_pass_lock(sqlite3_file *f, int level);
int sq_pass_unlock(sqlite3_file *f, int level);
int sq_pass_check_reserved(sqlite3_file *f, int *out);
int sq_pass_sector_size(sqlite3_file *f);
int sq_pass_device_characteristics(sqlite3_file *f);
/* The "yibao" VFS's database files (vfs_db.c): a connection that
 * calls sq_vfs_db_track on its main file (SQLITE_FCNTL_FILE_POINTER)
 * keeps the byte ranges it writes there, oldest first; sq_vfs_db_take
 * hands over up to max_out of them, max_bytes in all (a range is split
 * if need be), and sets *pending to the bytes still listed.  A range of
 * length 0 means the whole file (the list outgrew its bounds).  Both
 * return -1 / 0 for a file that is not the VFS's. */
typedef struct sq_range {
	sqlite3_int64 off;
	int len;
} sq_range;
int sq_vfs_db_track(sqlite3_file *f);
int sq_vfs_db_take(sqlite3_file *f, sq_range *out, int max_out,
		   sqlite3_int64 max_bytes, sqlite3_int64 *pending);
/* For vfs.c: the wrapper's size, and opening one. */
size_t sq_vfs_db_size(void);
int sq_vfs_db_open(sqlite3_vfs *real_vfs, const char *name, sqlite3_file *f,
		   size_t real_offset, int flags, int *out_flags);
/* Ask the kernel to start writing these ranges of the database file at
 * `path` to the disk, without waiting (writeback.c says why and
 * how).  0 also when there is nothing to do (no file, in memory); -1
 * with errno set if a request failed. */
int sq_writeback(const char *path, const sq_range *ranges, int n);
/* As sq_fail, except that a UNIQUE / PRIMARY KEY violation becomes the
 * refusal `dup` (check.h; YB_REFUSE_NONE: no exception). */
int sq_fail_unique(sq_store *s, yb_refusal dup, yb_err *err);

/* Step a statement that returns no rows (or whose rows are ignored),
 * then sq_done() it.  0 / -1 (err filled by sq_fail). */
int sq_exec(sq_store *s, sqlite3_stmt *q, yb_err *err);

/* Step an UPDATE meant to change exactly one row, then sq_done() it.
 * When it changed none, fail with the refusal `none` naming `id` (the row
 * does not exist, or is not in the state the WHERE asks for). */
int sq_update_one(sq_store *s, sqlite3_stmt *q, yb_refusal none,
		  int64_t id, yb_err *err);

/* Run the statement in slot `id` with no parameters. */
int sq_exec_simple(sq_store *s, enum sq_stmt_id id, const char *sql,
		   yb_err *err);

/* An operation that makes several writes wraps them in its own savepoint
 * ("yb_op", nested inside the caller's), so that when it fails it leaves
 * nothing behind: sq_op_begin(); ...; return sq_op_end(rc). */
int sq_op_begin(sq_store *s, yb_err *err);
/* rc = 0: release the savepoint (returns 0, or -1 if that fails);
 * rc < 0: roll back to it and release it, and return rc unchanged (the
 * error already in err stands). */
int sq_op_end(sq_store *s, int rc, yb_err *err);

/* ---- binding and reading columns ----------------------------------------- */

/* Bind text; "" and NULL bind SQL NULL (optional fields). */
void sq_bind_opt_text(sqlite3_stmt *q, int i, const char *s);
/* Bind an id or time; 0 binds SQL NULL (0 means "none" in the model). */
void sq_bind_opt_int(sqlite3_stmt *q, int i, int64_t v);
/* Bind text that is required: NULL (an enum out of range) binds SQL NULL,
 * which the schema's NOT NULL refuses. */
void sq_bind_text(sqlite3_stmt *q, int i, const char *s);
/* The upper bound for an id < `before` cursor (0 = from the newest). */
int64_t sq_before(yb_id before);

/* Copy column i into buf (NULL reads as ""); longer text is cut at a
 * UTF-8 character boundary. */
void sq_col_text(sqlite3_stmt *q, int i, char *buf, size_t size);
/* NULL reads as 0. */
int64_t sq_col_int(sqlite3_stmt *q, int i);

/* Report a stored enum string that the program does not know. */
int sq_corrupt_enum(const char *what, const char *value, yb_err *err);

/* Text of column i as an enum via `from_str`; "store.corrupt" when the
 * stored string is unknown.  Used through the SQ_COL_ENUM macro so the
 * output type is checked by the compiler. */
#define SQ_COL_ENUM(q, i, from_str, out, what, err)                        \
	((from_str)((const char *)sqlite3_column_text((q), (i)) ?          \
		    (const char *)sqlite3_column_text((q), (i)) : "",      \
		    (out)) ? 0 :                                           \
	 sq_corrupt_enum((what),                                           \
			 (const char *)sqlite3_column_text((q), (i)), (err)))

/* Parsers for the two enums whose stored forms core's parsers refuse on
 * purpose: a person's term reason "" (none) and a share's relationship
 * "self" (the patient's own account). */
bool sq_term_reason_from_str(const char *s, yb_term_reason *out);
bool sq_relationship_from_str(const char *s, yb_relationship *out);

/* Read one row into `elem`; 0 / -1. */
typedef int (*sq_row_fn)(sqlite3_stmt *q, void *elem, yb_err *err);

/*
 * Run a bound list query (its LIMIT already bound) and collect its rows
 * into a malloc'ed array of `elem_size` elements, read by `row`.  *out is
 * always allocated on success (also for 0 rows); on failure *out = NULL
 * and *n = 0.  Resets the statement.
 */
int sq_list(sq_store *s, sqlite3_stmt *q, size_t elem_size, sq_row_fn row,
	    void **out, int *n, yb_err *err);

/*
 * One page of a list operation (store.h: newest first, id < before,
 * at most limit).  Every list statement takes its key as ?1, the cursor
 * as ?2 and the limit as ?3: this binds ?2 and ?3 (the caller has bound
 * the rest) and runs sq_list.  q may be NULL (its preparation failed,
 * err filled): then *out = NULL, *n = 0 and -1.
 */
int sq_page(sq_store *s, sqlite3_stmt *q, yb_id before, int limit,
	    size_t elem_size, sq_row_fn row, void **out, int *n, yb_err *err);

/*
 * Step a bound INSERT, then sq_done() it.  A UNIQUE / PRIMARY KEY
 * violation becomes the refusal `dup` (YB_REFUSE_NONE: a plain error); on
 * success *rowid (when not NULL) is the new row's id.
 */
int sq_insert(sq_store *s, sqlite3_stmt *q, yb_refusal dup, yb_id *rowid,
	      yb_err *err);

/* A lookup by one integer (an id) or one text key bound as ?1: 1 / 0 /
 * -1 as sq_lookup, with the statement of slot `id`. */
int sq_get_by_int(sq_store *s, enum sq_stmt_id id, const char *sql,
		  int64_t key, sq_row_fn row, void *out, yb_err *err);
int sq_get_by_text(sq_store *s, enum sq_stmt_id id, const char *sql,
		   const char *key, sq_row_fn row, void *out, yb_err *err);
/* A write by one text key bound as ?1 (deletes by key). */
int sq_exec_by_text(sq_store *s, enum sq_stmt_id id, const char *sql,
		    const char *key, yb_err *err);

/* Step a bound query once and read its first `ncols` integer columns:
 * 1 with cols filled, 0 when it returns no row, -1 on error.  Resets. */
int sq_step_ints(sq_store *s, sqlite3_stmt *q, int64_t *cols, int ncols,
		 yb_err *err);
/* Step a bound query once and copy its first column (text) into buf:
 * 1 / 0 / -1; text that does not fit in `size` is YB_REFUSE_TOO_LONG
 * naming `what`.  Resets. */
int sq_step_text(sq_store *s, sqlite3_stmt *q, char *buf, size_t size,
		 const char *what, yb_err *err);

/* Run a bound lookup: 1 with the row read by `row`, 0 when there is no
 * row, -1 on error.  Resets the statement. */
int sq_lookup(sq_store *s, sqlite3_stmt *q, sq_row_fn row, void *out,
	      yb_err *err);

/* ---- rows shared by several files ----------------------------------------- */

/* A contribution row (with who paid an E1 premium), and its reader: written
 * in register.c, read also by records.c. */
#define SQ_CONTRIB_COLS                                                       \
	"c.id, c.person_id, p.ssn, c.period, c.employer_code, c.base_fen, "   \
	"c.employer_fen, c.personal_fen, c.account_credit_fen, "              \
	"c.ledger_txn_id, c.created_at, "                                     \
	"coalesce(pb.ssn, ''), coalesce(pb.name, '') " /* family: E1 */       \
	"FROM contributions c JOIN persons p ON p.id = c.person_id "          \
	"LEFT JOIN premium_payments pp ON pp.contribution_id = c.id "         \
	"LEFT JOIN persons pb ON pb.id = pp.payer_id"
int sq_read_contribution(sqlite3_stmt *q, void *elem, yb_err *err);
/* A ledger line: e.id, e.txn_id, t.kind, t.ref, e.amount_fen,
 * e.balance_after_fen, t.at (ledger.c; read also by records.c). */
int sq_read_ledger_line(sqlite3_stmt *q, void *elem, yb_err *err);

/* ---- the schema (schema.c) ------------------------------------------------ */

/* Bring the database to the current schema version; see the file. */
int sq_schema_migrate(sq_store *s, yb_err *err);

/* ---- the operations, in store.h's order ---------------------------------- */

/* --- persons (register.c) --- */
int sq_person_insert(yb_store *st, yb_person *p, yb_err *err);
int sq_person_by_id(yb_store *st, yb_id id, yb_person *out, yb_err *err);
int sq_person_by_ssn(yb_store *st, const char *ssn, yb_person *out,
		     yb_err *err);
int sq_person_by_id_number(yb_store *st, const char *id_number,
			   yb_person *out, yb_err *err);
int sq_person_set_status(yb_store *st, yb_id id, yb_status status,
			 yb_term_reason reason, yb_time at, yb_err *err);
int sq_person_set_password(yb_store *st, yb_id id, const char *hash,
			   yb_err *err);
int sq_person_password(yb_store *st, yb_id id, char *hash, size_t size,
		       yb_err *err);

/* --- employers (register.c) --- */
int sq_employer_insert(yb_store *st, yb_employer *e, yb_err *err);
int sq_employer_by_code(yb_store *st, const char *code, yb_employer *out,
			yb_err *err);

/* --- accounts and ledger (ledger.c) --- */
int sq_account_insert(yb_store *st, yb_account *a, yb_err *err);
int sq_account_by_id(yb_store *st, yb_id id, yb_account *out, yb_err *err);
int sq_account_personal_of(yb_store *st, yb_id person_id, yb_account *out,
			   yb_err *err);
int sq_account_system(yb_store *st, yb_account_kind kind, yb_account *out,
		      yb_err *err);
int sq_account_system_id(yb_store *st, yb_account_kind kind, yb_id *id,
			 yb_err *err);
int sq_account_set_closed(yb_store *st, yb_id id, yb_time at, yb_err *err);
int sq_account_lock(yb_store *st, const yb_id *ids, int n, yb_err *err);
int sq_ledger_post(yb_store *st, const yb_posting *p, yb_time at,
		   yb_id *txn_id, yb_err *err);
int sq_ledger_lines(yb_store *st, yb_id account_id, yb_id before, int limit,
		    yb_ledger_line **out, int *n, yb_err *err);
int sq_ledger_check(yb_store *st, yb_ledger_report *out, yb_err *err);

/* --- contributions (register.c) --- */
int sq_contribution_insert(yb_store *st, yb_contribution *c, yb_err *err);
int sq_contributions_of_person(yb_store *st, yb_id person_id, yb_id before,
			       int limit, yb_contribution **out, int *n,
			       yb_err *err);
int sq_contributions_of_employer(yb_store *st, const char *employer_code,
				 const char *period, yb_id before, int limit,
				 yb_contribution **out, int *n, yb_err *err);

/* --- cards (card.c) --- */
int sq_card_application_insert(yb_store *st, yb_card_application *a,
			       yb_err *err);
int sq_card_application_by_id(yb_store *st, yb_id id,
			      yb_card_application *out, yb_err *err);
int sq_card_application_set_card(yb_store *st, yb_id application_id,
				 yb_id card_id, yb_err *err);
int sq_card_insert(yb_store *st, yb_card *c, yb_err *err);
int sq_card_by_no(yb_store *st, const char *card_no, yb_card *out,
		  yb_err *err);
int sq_card_by_id(yb_store *st, yb_id id, yb_card *out, yb_err *err);
int sq_card_valid_of(yb_store *st, yb_id person_id, yb_card *out,
		     yb_err *err);
int sq_card_latest_of(yb_store *st, yb_id person_id, yb_card *out,
		      yb_err *err);
int sq_card_update(yb_store *st, const yb_card *c, yb_err *err);

/* --- working-day calendar (card.c) --- */
int sq_calendar_put_year(yb_store *st, const yb_calendar_year *y,
			 yb_err *err);
int sq_calendar_get_year(yb_store *st, int year, yb_calendar_year *out,
			 yb_err *err);

/* --- audit (X3) (audit.c) --- */
int sq_audit_head(yb_store *st, yb_audit_record *out, yb_err *err);
int sq_audit_insert(yb_store *st, const yb_audit_record *rec, yb_err *err);
int sq_audit_list(yb_store *st, yb_id before, int limit,
		  yb_audit_record **out, int *n, yb_err *err);
int sq_audit_scan(yb_store *st, yb_audit_visit_fn fn, void *arg,
		  yb_err *err);

/* --- pgha: audit chain heads (audit.c) --- */
int sq_audit_heads(yb_store *st, yb_audit_head **out, int *n, yb_err *err);

/* --- institutions (register.c) --- */
int sq_institution_insert(yb_store *st, yb_institution *i, yb_err *err);
int sq_institution_by_code(yb_store *st, const char *code,
			   yb_institution *out, yb_err *err);

/* --- family bindings (settle.c) --- */
int sq_binding_insert(yb_store *st, yb_binding *b, yb_err *err);
int sq_binding_by_id(yb_store *st, yb_id id, yb_binding *out, yb_err *err);
int sq_binding_end(yb_store *st, yb_id id, yb_time at, const char *reason,
		   yb_err *err);
int sq_bindings_end_all_of(yb_store *st, yb_id person_id, yb_time at,
			   const char *reason, int *ended, yb_err *err);
int sq_bindings_of_authorizer(yb_store *st, yb_id person_id,
			      bool active_only, yb_id before, int limit,
			      yb_binding **out, int *n, yb_err *err);
int sq_bindings_of_relative(yb_store *st, yb_id person_id, bool active_only,
			    yb_id before, int limit, yb_binding **out, int *n,
			    yb_err *err);
int sq_payer_candidates(yb_store *st, yb_id relative_id,
			yb_payer_candidate *out, int max, int *n,
			yb_err *err);

/* --- settlements (settle.c) --- */
int sq_settlement_insert(yb_store *st, yb_settlement *s, yb_err *err);
int sq_settlement_by_id(yb_store *st, yb_id id, yb_settlement *out,
			yb_err *err);
int sq_settlement_by_txn(yb_store *st, const char *institution_code,
			 const char *txn_id, yb_settlement *out, yb_err *err);
int sq_settlement_set_revoked(yb_store *st, yb_id id, yb_id revoke_txn_id,
			      yb_time at, yb_err *err);
int sq_settlements_of_patient(yb_store *st, yb_id person_id, yb_id before,
			      int limit, yb_settlement **out, int *n,
			      yb_err *err);
int sq_usage_of_payer(yb_store *st, yb_id person_id, yb_id before, int limit,
		      yb_usage **out, int *n, yb_err *err);
/* One family-usage row; family.c reads its cut-only rows (E2) with it. */
int sq_read_usage(sqlite3_stmt *q, void *elem, yb_err *err);
int sq_recon_totals(yb_store *st, const char *institution_code, yb_time from,
		    yb_time to, yb_recon_totals *out, yb_err *err);

/* --- offline (equipment failure) records (settle.c) --- */
int sq_offline_insert(yb_store *st, yb_offline *o, yb_err *err);
int sq_offline_by_id(yb_store *st, yb_id id, yb_offline *out, yb_err *err);
int sq_offline_by_txn(yb_store *st, const char *institution_code,
		      const char *txn_id, yb_offline *out, yb_err *err);
int sq_offline_set_resettled(yb_store *st, yb_id id, yb_id settlement_id,
			     int64_t refund_fen, yb_time at, yb_err *err);

/* --- credentials: API keys, sessions, login throttling (credential.c) --- */
int sq_apikey_insert(yb_store *st, yb_api_key *k, yb_err *err);
int sq_apikey_revoke(yb_store *st, yb_id id, yb_time at, yb_err *err);
int sq_session_insert(yb_store *st, const yb_session *s, yb_err *err);
int sq_session_delete(yb_store *st, const char *token_hash, yb_err *err);
int sq_sessions_purge(yb_store *st, yb_time now, yb_err *err);
int sq_token_by_hash(yb_store *st, const char *hash, yb_token_owner *out,
		     yb_err *err);
int sq_throttle_get(yb_store *st, const char *key, int *failures,
		    yb_time *window_start, yb_err *err);
int sq_throttle_put(yb_store *st, const char *key, int failures,
		    yb_time window_start, yb_err *err);
int sq_throttle_clear(yb_store *st, const char *key, yb_err *err);

/* --- nhsa: the national-interface gateway's records (nhsa.c) --- */
int sq_nhsa_put(yb_store *st, const yb_nhsa_rec *rec, int mode, yb_err *err);
int sq_nhsa_get(yb_store *st, const char *kind, const char *key,
		yb_nhsa_rec *out, yb_err *err);
int sq_nhsa_list(yb_store *st, const char *kind, const char *grp,
		 yb_nhsa_rec **out, int *n, yb_err *err);
int sq_nhsa_delete(yb_store *st, const char *kind, const char *key,
		   yb_err *err);
int sq_nhsa_files_purge(sq_store *s, yb_time before, yb_err *err);
int sq_nhsa_purge(yb_store *st, const char *kind, yb_time before,
		  yb_err *err);
/* nhsa typed tables (nhsa_tables.c, migration 9) */
int sq_nhsa_visit_get(yb_store *st, const char *mdtrt_id, yb_nhsa_visit *out,
		      yb_err *err);
int sq_nhsa_visit_put(yb_store *st, const yb_nhsa_visit *v, int mode,
		      yb_err *err);
int sq_nhsa_batch_get(yb_store *st, const char *mdtrt_id,
		      const char *chrg_bchno, yb_nhsa_batch *out, yb_err *err);
int sq_nhsa_batch_list(yb_store *st, const char *mdtrt_id,
		       yb_nhsa_batch **out, int *n, yb_err *err);
int sq_nhsa_batch_put(yb_store *st, const char *mdtrt_id,
		      const yb_nhsa_batch *b, yb_err *err);
int sq_nhsa_batch_delete(yb_store *st, const char *mdtrt_id,
			 const char *chrg_bchno, yb_err *err);
int sq_nhsa_cum_get(yb_store *st, const char *key, yb_nhsa_cum_rec *out,
		    yb_err *err);
int sq_nhsa_cum_put(yb_store *st, const yb_nhsa_cum_rec *c, int mode,
		    yb_err *err);
int sq_nhsa_setl_get(yb_store *st, yb_id id, yb_nhsa_setl_rec *out,
		     yb_err *err);
int sq_nhsa_setl_put(yb_store *st, const yb_nhsa_setl_rec *r, int mode,
		     yb_err *err);
int sq_nhsa_setl_list(yb_store *st, const char *inst, const char *day,
		      yb_nhsa_setl_rec **out, int *n, yb_err *err);

/* --- sessions of a person (issue 14: list and revoke) (credential.c) --- */
int sq_sessions_of_person(yb_store *st, yb_id person_id, yb_time now,
			  yb_session **out, int *n, yb_err *err);
int sq_sessions_end_person(yb_store *st, yb_id person_id,
			   const char *keep_hash, yb_err *err);

/* --- family: premiums and caps (E1, E2) (family.c) --- */
int sq_binding_cap_get(yb_store *st, yb_id binding_id, int64_t *cap_fen,
		       yb_err *err);
int sq_binding_cap_put(yb_store *st, yb_id binding_id, int64_t cap_fen,
		       yb_time at, yb_err *err);
int sq_binding_used(yb_store *st, yb_id binding_id, yb_time from, yb_time to,
		    int64_t *used_fen, yb_err *err);
int sq_cap_cuts_insert(yb_store *st, const yb_settlement *s, yb_err *err);
int sq_cap_cuts_load(yb_store *st, yb_settlement *s, yb_err *err);
int sq_premium_insert(yb_store *st, yb_premium *p, yb_err *err);
int sq_premium_by_request(yb_store *st, yb_id payer_id,
			  const char *client_request_id, yb_premium *out,
			  yb_err *err);
int sq_premium_by_relative_year(yb_store *st, yb_id relative_id, int year,
				yb_premium *out, yb_err *err);
int sq_premium_by_id(yb_store *st, yb_id id, yb_premium *out, yb_err *err);
int sq_premiums_of_payer(yb_store *st, yb_id payer_id, yb_id before,
			 int limit, yb_premium **out, int *n, yb_err *err);
int sq_cap_cut_usage_of_payer(yb_store *st, yb_id person_id, yb_id before,
			      int limit, yb_usage **out, int *n, yb_err *err);

/* --- family: scans of the F5 materials (E4) (materials.c) --- */
int sq_material_insert(yb_store *st, yb_material *m, const void *data,
		       size_t len, yb_err *err);
int sq_materials_of(yb_store *st, yb_material_target target, yb_id target_id,
		    yb_material **out, int *n, yb_err *err);
int sq_material_get(yb_store *st, yb_id id, yb_material *out, void **data,
		    size_t *len, yb_err *err);

/* --- log upkeep beside a writer (SQLite's WAL; none on PostgreSQL) (upkeep.c) --- */
int sq_set_autocheckpoint(yb_store *st, bool on, yb_err *err);
int sq_upkeep(yb_store *st, const yb_upkeep_hooks *h, yb_err *err);
/* logsync.c */
int sq_defer_sync(yb_store *st, yb_log_sync *out, yb_err *err);

/* --- notify (E3): the outbox of notifications and webhooks (notify.c) --- */
int sq_notification_insert(yb_store *st, yb_notification *n, yb_err *err);
int sq_notifications_of(yb_store *st, yb_id person_id, yb_id before,
			int limit, yb_notification **out, int *n, yb_err *err);
int sq_notifications_unread(yb_store *st, yb_id person_id, int64_t *count,
			    yb_err *err);
int sq_notification_mark_read(yb_store *st, yb_id person_id, yb_id id,
			      yb_time at, int *changed, yb_err *err);
int sq_webhook_insert(yb_store *st, yb_webhook *w, yb_err *err);
int sq_webhook_by_id(yb_store *st, yb_id id, yb_webhook *out, yb_err *err);
int sq_webhooks_list(yb_store *st, yb_id before, int limit, yb_webhook **out,
		     int *n, yb_err *err);
int sq_webhook_remove(yb_store *st, yb_id id, yb_time at, yb_err *err);
int sq_deliveries_list(yb_store *st, int state, yb_id before, int limit,
		       yb_delivery **out, int *n, yb_err *err);
int sq_delivery_by_id(yb_store *st, yb_id id, yb_delivery *out, yb_err *err);
int sq_deliveries_claim(yb_store *st, int64_t now_ms, int64_t lease_until_ms,
			int max, yb_delivery_job *out, int *n, yb_err *err);
int sq_delivery_update(yb_store *st, const yb_delivery *d, yb_err *err);

/* --- records and proofs (R1–R4) (records.c) --- */
int sq_contributions_in_period(yb_store *st, yb_id person_id,
			       const char *employer_code, const char *from,
			       const char *to, const char *after_period,
			       yb_id after_id, int limit,
			       yb_contribution **out, int *n, yb_err *err);
int sq_ledger_lines_between(yb_store *st, yb_id account_id, yb_time from,
			    yb_time to, yb_id after, int limit,
			    yb_ledger_line **out, int *n, yb_err *err);
int sq_ledger_balance_before(yb_store *st, yb_id account_id, yb_time at,
			     int64_t *balance_fen, yb_err *err);
int sq_proof_insert(yb_store *st, yb_proof *p, yb_err *err);
int sq_proof_by_code(yb_store *st, const char *code, yb_proof *out,
		     yb_err *err);
int sq_proofs_of_person(yb_store *st, yb_id person_id, yb_id before,
			int limit, yb_proof **out, int *n, yb_err *err);
int sq_proof_revoke(yb_store *st, yb_id id, yb_time at, const char *by,
		    const char *reason, yb_err *err);
int sq_employee_months_scan(yb_store *st, const char *employer_code,
			    yb_id person_id, const char *from, const char *to,
			    yb_employee_month_fn fn, void *arg, yb_err *err);

/* nhsa files (nhsa_files.c) */
int sq_nhsa_file_put(yb_store *st, const yb_nhsa_file *f, const void *data,
		       yb_err *err);
int sq_nhsa_file_get(yb_store *st, const char *file_qury_no,
		       yb_nhsa_file *out, void **data, yb_err *err);

#endif
