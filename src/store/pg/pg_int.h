/*
 * pg_int.h — what the files of the PostgreSQL engine (src/store/pg/)
 * share: the connection, the statement helpers (stmt.c), the schema
 * (schema.c), and the operations, declared in store.h's order with the
 * file of each family.  Nothing outside src/store/pg/ includes it: the
 * rest of the program sees only store.h.
 *
 * How a query runs: each statement is a static `pg_stmt` next to the code
 * that uses it.  The first time a connection runs it, pg_run() prepares it
 * (PQprepare) under a per-connection name; every later run is one
 * PQexecPrepared round trip with text parameters.  No SQL is ever built
 * from values.
 *
 * Locking reads: SQLite's write transaction holds the whole database, so
 * whatever a service read in it stays true until commit (store.h).  On
 * PostgreSQL (READ COMMITTED) the same promise is kept only for the rows a
 * write transaction reads through a statement with a `lock` clause: inside
 * a write transaction pg_run() uses the statement's locking variant (the
 * SQL with the clause appended), so a second service working on the same
 * card, settlement or offline record waits instead of acting on a stale
 * copy.  Accounts are not locked by plain reads: they are locked by
 * account_lock / ledger_post in ascending id order, which is what keeps
 * balance updates free of deadlocks (see docs/POSTGRESQL.md).
 */
#ifndef YB_PG_INT_H
#define YB_PG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "store/check.h"
#include "store/store.h"

#define PG_MAX_PARAMS   32      /* most parameters of any statement */
#define PG_MAX_ARRAYS   12      /* array parameters of one statement */
#define PG_MAX_PREPARED 160     /* distinct statements (with variants) */

/* Transaction-scoped advisory locks (any constants, distinct from each
 * other and from what else might use the database). */
#define PG_SCHEMA_LOCK_KEY "7952006701"   /* migrations on open */
/* pgha: the audit chains (X3) are locked as (795200, chain) by
 * yb_audit_claim (schema.c); 1..PG_AUDIT_CHAINS, and as many
 * sub-account slots for the system accounts, 0..PG_SLOTS-1. */
#define PG_AUDIT_CHAINS    64
#define PG_SLOTS           PG_AUDIT_CHAINS

/* Institutions a connection remembers (by a hash of the code). */
#define PG_INST_SEEN       1024

/* Rows account_lock remembers (more: none remembered). */
#define PG_LOCKED_MAX      48

/* A statement: prepared once per connection, run many times. */
typedef struct pg_stmt {
	const char *name;       /* unique among the engine's statements */
	const char *sql;
	const char *lock;       /* appended inside write transactions, or NULL */
} pg_stmt;

/*
 * issue 16: a write transaction's audit records, kept here and written
 * in one statement just before COMMIT (audit.c), instead of a claim and
 * an INSERT per record.  Sizes of the next reservation of seqs adapt to
 * what the last transaction used.
 */
typedef struct pg_audit_tip {
	char hash[YB_HASH_HEX_SZ];       /* the held chain's newest record */
	int64_t seq;                     /* its seq, 0: none of ours yet */
} pg_audit_tip;

typedef struct pg_audit_buf {
	yb_audit_record *rec;   /* records a rollback_to may still undo */
	int n, cap;
	int flushed;            /* rec[0..flushed) are in the table */
	int n_sp, flushed_sp;   /* ... when the savepoint was taken */
	pg_audit_tip tip, tip_sp;
	int64_t *seqs;          /* numbers reserved from audit_seq, rising */
	int nseqs, next;        /* seqs[next..nseqs) still free */
	int used;               /* records appended in this transaction */
	int want;               /* how many numbers a claim reserves */
} pg_audit_buf;

/*
 * issue 16, pg3: what a look-up of a card brought along, in the same
 * round trip, for the look-ups a settlement makes next: the holder (read
 * FOR SHARE, as person_by_id reads it), the holder's personal account
 * and the payers who may pay for the holder (card.c).  Served only while
 * no statement has run since (pg_run forgets it, and so does every
 * transaction boundary and savepoint): nothing but this transaction
 * could have changed those rows, and it has run nothing.
 */
#define PG_PRE_CANDIDATES 8     /* candidates brought along, at most */
typedef struct pg_prefetch {
	bool valid;
	yb_person person;
	bool has_account;       /* the holder has a personal account */
	yb_account account;
	int ncand;              /* payer_candidates(person.id, PRE_CAND.) */
	yb_payer_candidate cand[PG_PRE_CANDIDATES];
} pg_prefetch;

/*
 * issue 16, pg4: the monthly caps (E2) of the payer candidates' bindings,
 * brought along with the candidates (holder.c) and served to
 * binding_cap_get for the rest of the request: until the next savepoint
 * or transaction boundary, or this connection's own binding_cap_put.
 * Unlike pg_prefetch, statements in between do not end it: a settlement
 * reads a cap without locking anything, so a cap read with the
 * candidates is as good as one read a few statements later (holder.c).
 */
typedef struct pg_caps {
	bool valid;
	int n;
	yb_id binding[PG_PRE_CANDIDATES];
	bool has[PG_PRE_CANDIDATES];
	int64_t cap[PG_PRE_CANDIDATES];
} pg_caps;

/*
 * pg5: ids drawn ahead from a table's identity sequence, so a deferred
 * insert (pg_defer) can name its row's id without waiting for the
 * database (ids.c).  Drawn within the request that uses them and
 * forgotten at its end, so ids keep the order of the requests.
 */
enum { PG_ID_LEDGER_TXN, PG_ID_SETTLEMENT, PG_ID_NOTIFICATION, PG_ID__N };
typedef struct pg_ids {
	int64_t v[PG_ID__N];
	bool has[PG_ID__N];
} pg_ids;
/*
 * issue 16, pg8: what settle_hint fetched in one round trip (hint.c):
 * the repeat check's and the credential's answers, served while no
 * statement has run since (`fresh`, cleared with pg_prefetch), and the
 * accounts it locked, served to account_lock until a write or the
 * request's end.  Forgotten at every request boundary.
 */
typedef struct pg_hint {
	bool fresh;             /* no statement since the hint's */
	bool txn_none;          /* settlement_by_txn(inst, txn) found none */
	char inst[YB_CODE_SZ];
	char txn[YB_TXN_ID_SZ];
	bool cred_found;        /* the credential's joined look-up found it */
	yb_cred_type cred_type;
	char key[YB_CARD_NO_SZ > YB_IDNUM_SZ ? YB_CARD_NO_SZ : YB_IDNUM_SZ];
	yb_card card;
	PGresult *lock;         /* the accounts locked ahead, or NULL */
} pg_hint;

/* pg5: deferred writes waiting unread, at most (stmt.c pg_defer) */
#define PG_DEFER_MAX 32

/* One connection (a yb_store). */
typedef struct pg_store {
	yb_store base;
	PGconn *conn;
	bool in_txn;            /* between begin and commit/rollback */
	bool txn_write;         /* begun with write = true */
	bool sp_open;           /* the caller's savepoint is open */
	bool release_pending;   /* released, RELEASE not sent yet (engine.c) */
	bool sp_pending;        /* taken, SAVEPOINT not sent yet: goes with
				 * the next statement (pg_run, pipelined) */
	/* pg10: a group-commit writer's connection (op as_writer).  Its
	 * write transactions' BEGIN is not sent at begin but goes with the
	 * first statement, pipelined (begin_pending); and its COMMIT goes
	 * with the last statement before it — the audit flush, or the
	 * deferred writes — when commit_tail is set (engine.c pg_commit):
	 * run_pipelined then sends it and says whether it committed
	 * (committed_inline).  Two round trips fewer per batch. */
	bool writer;
	bool begin_pending;
	bool commit_tail;
	bool committed_inline;
	/* issue 16, pg4: undo on demand (store.h lazy_undo).  While lazy,
	 * the caller's savepoint is only noted, by the count of rows this
	 * transaction has written (`writes`, counted by stmt.c); a
	 * rollback_to that would undo some, or any failed statement (it
	 * aborts the whole transaction when no savepoint is under it),
	 * spoils the transaction. */
	bool lazy;
	bool spoiled;
	/* issue 16, pg6 (store.h batch_job): the running job of a batch
	 * holds earlier jobs' locks, so account_lock does not wait for
	 * rows another transaction holds (ledger.c); and it refused so. */
	bool job_nowait;
	bool job_refused;
	/* pg5: writes sent into libpq's pipeline and not yet answered
	 * (pg_defer, stmt.c); only while lazy. */
	int ndeferred;
	pg_ids ids;             /* ids drawn ahead (ids.c) */
	int64_t writes;         /* statements that wrote rows, this txn */
	int64_t writes_sp;      /* ... when the caller's savepoint was noted */
	int audit_chain;        /* chain this transaction holds, 0: none */
	int audit_chain_sp;     /* ... held when the savepoint was taken */
	pg_audit_buf ab;        /* its buffered records (audit.c) */
	/* issue 16: the accounts account_lock locked since the last
	 * transaction boundary or savepoint, as read under the lock (the
	 * slotted ones unlocked, balance 0); account_by_id and ledger_post
	 * read them here instead of asking again (ledger.c). */
	int nlocked;
	yb_account locked[PG_LOCKED_MAX];
	pg_prefetch pre;        /* issue 16, pg3 (card.c) */
	pg_caps caps;           /* issue 16, pg4 (holder.c) */
	pg_hint hint;           /* issue 16, pg8 (hint.c) */
	/* issue 16: institutions this connection has read (register.c) */
	yb_institution *inst_seen;      /* PG_INST_SEEN slots, or NULL */
	bool inst_inserted;     /* this transaction registered one */
	/* pg9: token_by_hash's memo (credential.c) */
	struct pg_tok_memo *tok;        /* NULL: none made yet */
	bool tok_changed;       /* this transaction changed a key/session */
	int64_t retry_at_ms;    /* no reconnect before (monotonic ms) */
	int backoff_ms;         /* current reconnect backoff, 0: none */
	uint64_t conn_id;       /* names its prepared statements */
	int slot;               /* this connection's sub-account slot and
				 * preferred audit chain (pgha) */
	yb_id system_account_id[YB_ACC__N];  /* account_system_id's */
	int nprepared;
	struct {
		const pg_stmt *stmt;
		bool locking;
		bool writes;    /* its SQL inserts, updates or deletes */
	} prepared[PG_MAX_PREPARED];
} pg_store;

/*
 * Text parameters of one statement.  Numbers are formatted into the
 * struct itself; arrays (PostgreSQL array literals) are built in malloc'd
 * buffers that pg_params_release() frees.
 */
typedef struct pg_params {
	int n;
	bool oom;                       /* an array could not be built */
	bool bad_enum;                  /* pg_p_enum got an unnamed value */
	const char *v[PG_MAX_PARAMS];
	char num[PG_MAX_PARAMS][24];
	int narrays;
	char *arrays[PG_MAX_ARRAYS];
} pg_params;

void pg_params_init(pg_params *p);
void pg_params_release(pg_params *p);
void pg_p_i64(pg_params *p, int64_t v);
void pg_p_text(pg_params *p, const char *s);
/* Text, or SQL NULL when it is "" (optional fields, as on SQLite). */
void pg_p_opt_text(pg_params *p, const char *s);
void pg_p_bool(pg_params *p, bool v);
void pg_p_null(pg_params *p);
/* An id, or SQL NULL when it is 0 (optional references). */
void pg_p_id(pg_params *p, int64_t id);
/* Array literals: '{1,2,3}' and '{"a","b"}' (every element quoted). */
void pg_p_i64_array(pg_params *p, const int64_t *v, int n);
void pg_p_text_array(pg_params *p, const char *const *v, int n);
/* An enum's string (enums.c), or its array: "" (a value outside the
 * enum) makes the statement refused before it runs, with store.error.
 * pg4: the columns a settlement writes have no CHECK list any more
 * (schema.c 14); this is what refuses such a row instead. */
void pg_p_enum(pg_params *p, const char *s);
void pg_p_enum_array(pg_params *p, const char *const *v, int n);

/*
 * Run `s` with `p`.  Returns the result (PGRES_TUPLES_OK or
 * PGRES_COMMAND_OK; the caller PQclear()s it) or NULL with `err` filled:
 * a unique violation as the domain's refusal (by constraint name), a
 * serialization failure, deadlock or lock timeout as "store.busy",
 * anything else as "store.error".
 */
PGresult *pg_run(pg_store *ps, const pg_stmt *s, pg_params *p, yb_err *err);
/* Run a statement answering at most one row of one text column and copy
 * it into buf: 1 found, 0 none, -1 error (also when it does not fit:
 * YB_REFUSE_TOO_LONG naming `what`). */
int pg_lookup_text(pg_store *ps, const pg_stmt *s, pg_params *p, char *buf,
		   size_t size, const char *what, yb_err *err);

/* issue 16, pg3: two statements in one round trip (libpq pipeline mode,
 * with a pending savepoint before them): 0 with both results (the caller
 * PQclear()s them), or -1 with err and both NULL.  Releases p1 and p2. */
int pg_run_pair(pg_store *ps, const pg_stmt *s1, pg_params *p1,
		const pg_stmt *s2, pg_params *p2, PGresult **r1,
		PGresult **r2, yb_err *err);

/* The prefetched rows (pg_prefetch) are for the statement that was
 * last: forgotten when another runs or the transaction moves on. */
void pg_prefetch_forget(pg_store *ps);
/* Served from them (true, *found set; account and candidates: of
 * person_id), or false: ask the database. */
bool pg_pre_person(pg_store *ps, yb_id id, yb_person *out);
bool pg_pre_account(pg_store *ps, yb_id person_id, yb_account *out,
		    int *found);
bool pg_pre_candidates(pg_store *ps, yb_id person_id,
		       yb_payer_candidate *out, int max, int *n);
/* pg4: the caps (pg_caps): forgotten at request boundaries; served
 * (true, *found 1 with *cap_fen or 0 none) or false: ask. */
void pg_caps_forget(pg_store *ps);
/* Remember the caps of a candidates result (PG_CANDIDATES_FROM). */
#define PG_CANDIDATE_CAP_COL 10
void pg_caps_take(pg_store *ps, PGresult *cand);
bool pg_pre_cap(pg_store *ps, yb_id binding_id, int64_t *cap_fen,
		int *found);

/*
 * pg5: deferred writes in a lazy batch (stmt.c).  pg_deferring: whether
 * a write may be deferred now (a lazy, unspoiled write transaction).
 * pg_defer: send `s` without waiting for its answer (or, when not
 * deferring, run it as pg_exec does); releases p.  pg_collect: wait for
 * the deferred writes' answers; -1 with the first one's error (the
 * transaction is then aborted and spoiled).
 */
bool pg_deferring(const pg_store *ps);
int pg_defer(pg_store *ps, const pg_stmt *s, pg_params *p, yb_err *err);
int pg_collect(pg_store *ps, yb_err *err);
/* pg5 (ids.c): an id of `which` (PG_ID_*) for a deferred insert: the
 * one drawn with this request's accounts' lock, or one drawn now (a
 * round trip).  pg_run_drawing_ids: pg_run_release of `s` that, while
 * writes are deferred, draws one id of each table in the same round
 * trip.  pg_ids_forget: at every request boundary (and re-open). */
int pg_reserve_id(pg_store *ps, int which, int64_t *out, yb_err *err);
PGresult *pg_run_drawing_ids(pg_store *ps, const pg_stmt *s, pg_params *p,
			     yb_err *err);
void pg_ids_forget(pg_store *ps);

/* pg8: n statements in one round trip (as pg_run_pair); releases p[]. */
int pg_run_n(pg_store *ps, int n, const pg_stmt *const *s, pg_params **p,
	     PGresult **out, yb_err *err);
/* pg8 (hint.c): the settlement's reads and locks in one round trip
 * (store.h settle_hint), and serving them: true when served. */
int pg_settle_hint(yb_store *st, const yb_settle_hint *h, yb_err *err);
void pg_hint_forget(pg_store *ps);
bool pg_hint_txn(pg_store *ps, const char *inst, const char *txn);
bool pg_hint_cred(pg_store *ps, yb_cred_type type, const char *key,
		  yb_card *card, yb_person *person);
bool pg_hint_lock(pg_store *ps, const yb_id *sorted, int n);
/* pg8: the statements it runs, of their files. */
extern const pg_stmt pg_st_settlement_by_txn;           /* settle.c */
const pg_stmt *pg_lock_ahead_stmt(bool idnum, bool nowait);  /* ledger.c */
void pg_remember_locked(pg_store *ps, PGresult *res);   /* ledger.c */
extern const pg_stmt pg_st_ids_draw_all;                /* ids.c */
void pg_ids_take(pg_store *ps, PGresult *ids);          /* ids.c */
const pg_stmt *pg_holder_stmt(bool idnum, bool nowait); /* holder.c */
const pg_stmt *pg_holder_candidates_stmt(bool idnum);   /* holder.c */
int pg_holder_take(pg_store *ps, PGresult *first, PGresult *cand,
		   yb_card *card, yb_err *err);            /* holder.c */

/* pg_run for a statement whose parameters are all built: releases `p`. */
PGresult *pg_run_release(pg_store *ps, const pg_stmt *s, pg_params *p,
			 yb_err *err);

/* An UPDATE of one row by id: no such row is the refusal `none` naming
 * `id` (check.h).  Releases q. */
int pg_update_one(pg_store *ps, const pg_stmt *s, pg_params *q,
		  yb_refusal none, int64_t id, yb_err *err);
/*
 * An INSERT ... ON CONFLICT DO NOTHING RETURNING: no row back means the
 * key was taken, the refusal `dup`.  Returns the result (one row) for the
 * caller to read the generated id from, or NULL with err set.  Releases q.
 */
PGresult *pg_insert_unique(pg_store *ps, const pg_stmt *s, pg_params *q,
			   yb_refusal dup, yb_err *err);
/* Set *id from the first column of a one-row result, and clear it; -1
 * for a NULL result (its error already set). */
int pg_take_id(PGresult *res, yb_id *id);

/* Run a statement that returns no rows we need; 0 or -1. */
int pg_exec(pg_store *ps, const pg_stmt *s, pg_params *p, yb_err *err);

/* Run plain SQL without parameters (transaction control, migrations). */
int pg_simple(PGconn *conn, const char *sql, yb_err *err);
/* pg10: a writer's pending BEGIN into the pipeline (engine.c) */
int pg_send_begin(pg_store *ps);

/* Fill `err` with `code` and the first line of a server message. */
void pg_err_from_message(yb_err *err, const char *code, const char *msg);

/* Fill `err` from a failed result (see pg_run) and PQclear it; -1. */
int pg_result_err(PGconn *conn, PGresult *res, yb_err *err);

/* Rows changed by an INSERT/UPDATE/DELETE result. */
int64_t pg_affected(PGresult *res);

/*
 * A write outside begin/commit still has to be atomic and, for the
 * ledger, to hold its row locks while it checks: pg_auto_begin() opens a
 * transaction of its own when none is open (*own = true) and
 * pg_auto_end() commits it (ok) or rolls it back.
 */
/* Outside a transaction: re-open a lost connection first (engine.c),
 * as begin does; 0 ready, -1 with "store.unavailable". */
int pg_ensure_connected(pg_store *ps, yb_err *err);
int pg_auto_begin(pg_store *ps, bool *own, yb_err *err);
/* In a transaction that no error has aborted (pg4, engine.c). */
bool pg_txn_alive(const pg_store *ps);
int pg_auto_end(pg_store *ps, bool own, bool ok, yb_err *err);

/* Reading the columns of one row left to right. */
typedef struct pg_row {
	PGresult *res;
	int row;
	int col;
	bool bad;               /* a value did not parse (corrupt row) */
} pg_row;

pg_row pg_row_at(PGresult *res, int row);
const char *pg_r_text(pg_row *r);
void pg_r_str(pg_row *r, char *dst, size_t size);
int64_t pg_r_i64(pg_row *r);
bool pg_r_bool(pg_row *r);

#define PG_R_ENUM(r, parse, dst)                                        \
	do {                                                            \
		if (!parse(pg_r_text(r), (dst)))                        \
			(r)->bad = true;                                \
	} while (0)

/* "store.corrupt" for a row that did not parse; returns -1. */
int pg_corrupt(yb_err *err, const char *what);

/*
 * The usual list: newest first, id < before (0: from the newest), at
 * most `limit` rows.  `decode` fills one element from a row.  Allocates
 * *out (also when empty), sets *n.
 */
typedef int (*pg_decode_fn)(pg_row *r, void *elem);
int pg_list(pg_store *ps, const pg_stmt *s, pg_params *p, size_t elem_size,
	    pg_decode_fn decode, void **out, int *n, yb_err *err);
/* `before` as a statement parameter: 0 becomes "no upper bound". */
int64_t pg_before(yb_id before);
/* `limit` as a statement parameter: negative becomes 0. */
int64_t pg_limit(int limit);

/* A lookup: run, and on one row decode it into out (1), none (0). */
int pg_lookup(pg_store *ps, const pg_stmt *s, pg_params *p,
	      pg_decode_fn decode, void *out, yb_err *err);

/* pgha: this connection's slot (engine.c), 0..PG_SLOTS-1. */
int pg_next_slot(void);
/* A number for each connection this process opens (engine.c): its
 * prepared statements' names (stmt.c). */
uint64_t pg_next_conn_id(void);

/* A relationship column: the bindable ones or "self" (settle.c; also
 * read by notify.c). */
void pg_read_relationship(pg_row *r, yb_relationship *out);

/* --- rows shared by several files --- */

/* A card's columns, of table alias t ("" or "c."), and their decoder
 * (card.c). */
#define PG_CARD_COLS(t) \
	t "id, " t "card_no, " t "person_id, " t "state, " t "activated, " \
	t "application_id, " t "created_at, " t "updated_at"
int pg_decode_card(pg_row *r, void *out);
/* issue 16, pg3: a card by number in a write transaction, locked, with
 * its holder's rows remembered (pg_prefetch, holder.c): 1 found, -1
 * error, 0 no such card with a holder (the caller asks plainly). */
int pg_card_with_holder(pg_store *ps, const char *card_no, yb_card *out,
			yb_err *err);
/* The same for a person by ID number (no card): 1, -1, 0 none. */
int pg_person_with_rows(pg_store *ps, const char *id_number,
			yb_person *out, yb_err *err);

/* A person's columns, of table alias t ("" or "p."), and their decoder
 * (register.c). */
#define PG_PERSON_COLS(t) \
	t "id, " t "ssn, " t "id_number, " t "name, " t "sex, " \
	t "birth_date, " t "region, " t "scheme, " t "status, " \
	t "term_reason, " t "employer_code, " t "created_at, " t "updated_at"
int pg_decode_person(pg_row *r, void *out);
/* An account row (id, kind, person, institution, balance, closed,
 * created; ledger.c). */
int pg_decode_account(pg_row *r, void *out);
/* The payers who may pay for a person ("WHERE b.relative_id = ..."
 * between the two; $2 the limit), in the order S3 pays them (balance
 * descending, the older binding first), though the service must not
 * rely on it.  An authorizer without a personal account comes with
 * account_id 0, as on SQLite.  And their decoder (settle.c). */
#define PG_CANDIDATES_FROM \
	"SELECT b.id, b.authorizer_id, a.id, pa.ssn, pa.name, b.relationship, " \
	"  coalesce(a.balance_fen, 0), pa.status, " \
	"  a.id IS NOT NULL AND a.closed_at IS NULL, b.created_at, " \
	"  bc.cap_fen " /* pg4: column 10, read by holder.c only */ \
	"FROM bindings b JOIN persons pa ON pa.id = b.authorizer_id " \
	"  LEFT JOIN accounts a ON a.person_id = b.authorizer_id " \
	"    AND a.kind = 'personal' " \
	"  LEFT JOIN binding_caps bc ON bc.binding_id = b.id "
#define PG_CANDIDATES_ORDER \
	" AND b.ended_at IS NULL ORDER BY 7 DESC, b.created_at, b.id LIMIT $2"
/* All rows of res as candidates into out (room for PQntuples); -1 with
 * err for a corrupt row.  Does not clear res. */
int pg_decode_candidates(PGresult *res, yb_payer_candidate *out,
			 yb_err *err);

/* A contribution row (with who paid an E1 premium) and its decoder
 * (register.c; read also by records.c). */
#define PG_CONTRIBUTION_SELECT \
	"SELECT c.id, c.person_id, p.ssn, c.period, c.employer_code, " \
	"  c.base_fen, c.employer_fen, c.personal_fen, c.account_credit_fen, " \
	"  c.ledger_txn_id, c.created_at, " \
	"  coalesce(pb.ssn, ''), coalesce(pb.name, '') " /* family: E1 */ \
	"FROM contributions c JOIN persons p ON p.id = c.person_id " \
	"  LEFT JOIN premium_payments pp ON pp.contribution_id = c.id " \
	"  LEFT JOIN persons pb ON pb.id = pp.payer_id "
int pg_decode_contribution(pg_row *r, void *out);
/* A ledger line: e.id, e.txn_id, t.kind, t.ref, e.amount_fen,
 * e.balance_after_fen, t.at (ledger.c; read also by records.c). */
int pg_decode_ledger_line(pg_row *r, void *out);

/* --- schema (schema.c) --- */

/* Create or migrate the schema; safe against concurrent opens. */
int pg_schema_migrate(PGconn *conn, yb_err *err);
/* The version this program writes. */
int pg_schema_version(void);

/* ---- the operations, in store.h's order ---------------------------------- */

/* --- metadata and sequences (engine.c) --- */
int pg_meta_get(yb_store *st, const char *key, char *buf, size_t size,
		yb_err *err);
int pg_meta_put(yb_store *st, const char *key, const char *value,
		yb_err *err);
int pg_next_seq(yb_store *st, const char *name, int64_t *out, yb_err *err);

/* --- persons (register.c) --- */
int pg_person_insert(yb_store *st, yb_person *p, yb_err *err);
int pg_person_by_id(yb_store *st, yb_id id, yb_person *out, yb_err *err);
int pg_person_by_ssn(yb_store *st, const char *ssn, yb_person *out,
		     yb_err *err);
int pg_person_by_id_number(yb_store *st, const char *id_number,
			   yb_person *out, yb_err *err);
int pg_person_set_status(yb_store *st, yb_id id, yb_status status,
			 yb_term_reason reason, yb_time at, yb_err *err);
int pg_person_set_password(yb_store *st, yb_id id, const char *hash,
			   yb_err *err);
int pg_person_password(yb_store *st, yb_id id, char *hash, size_t size,
		       yb_err *err);

/* --- employers (register.c) --- */
int pg_employer_insert(yb_store *st, yb_employer *e, yb_err *err);
int pg_employer_by_code(yb_store *st, const char *code, yb_employer *out,
			yb_err *err);

/* --- accounts and ledger (ledger.c) --- */
int pg_account_insert(yb_store *st, yb_account *a, yb_err *err);
int pg_account_by_id(yb_store *st, yb_id id, yb_account *out, yb_err *err);
int pg_account_personal_of(yb_store *st, yb_id person_id, yb_account *out,
			   yb_err *err);
int pg_account_system(yb_store *st, yb_account_kind kind, yb_account *out,
		      yb_err *err);
int pg_account_system_id(yb_store *st, yb_account_kind kind, yb_id *id,
			 yb_err *err);
int pg_account_set_closed(yb_store *st, yb_id id, yb_time at, yb_err *err);
int pg_account_lock(yb_store *st, const yb_id *ids, int n, yb_err *err);
int pg_ledger_post(yb_store *st, const yb_posting *p, yb_time at,
		   yb_id *txn_id, yb_err *err);
int pg_ledger_lines(yb_store *st, yb_id account_id, yb_id before, int limit,
		    yb_ledger_line **out, int *n, yb_err *err);
int pg_ledger_check(yb_store *st, yb_ledger_report *out, yb_err *err);

/* --- contributions (register.c) --- */
int pg_contribution_insert(yb_store *st, yb_contribution *c, yb_err *err);
int pg_contributions_of_person(yb_store *st, yb_id person_id, yb_id before,
			       int limit, yb_contribution **out, int *n,
			       yb_err *err);
int pg_contributions_of_employer(yb_store *st, const char *employer_code,
				 const char *period, yb_id before, int limit,
				 yb_contribution **out, int *n, yb_err *err);

/* --- cards (card.c) --- */
int pg_card_application_insert(yb_store *st, yb_card_application *a,
			       yb_err *err);
int pg_card_application_by_id(yb_store *st, yb_id id,
			      yb_card_application *out, yb_err *err);
int pg_card_application_set_card(yb_store *st, yb_id application_id,
				 yb_id card_id, yb_err *err);
int pg_card_insert(yb_store *st, yb_card *c, yb_err *err);
int pg_card_by_no(yb_store *st, const char *card_no, yb_card *out,
		  yb_err *err);
int pg_card_by_id(yb_store *st, yb_id id, yb_card *out, yb_err *err);
int pg_card_valid_of(yb_store *st, yb_id person_id, yb_card *out,
		     yb_err *err);
int pg_card_latest_of(yb_store *st, yb_id person_id, yb_card *out,
		      yb_err *err);
int pg_card_update(yb_store *st, const yb_card *c, yb_err *err);

/* --- working-day calendar (card.c) --- */
int pg_calendar_put_year(yb_store *st, const yb_calendar_year *y,
			 yb_err *err);
int pg_calendar_get_year(yb_store *st, int year, yb_calendar_year *out,
			 yb_err *err);

/* --- audit (X3) (audit.c) --- */
int pg_audit_head(yb_store *st, yb_audit_record *out, yb_err *err);
int pg_audit_insert(yb_store *st, const yb_audit_record *rec, yb_err *err);
int pg_audit_list(yb_store *st, yb_id before, int limit,
		  yb_audit_record **out, int *n, yb_err *err);
int pg_audit_scan(yb_store *st, yb_audit_visit_fn fn, void *arg,
		  yb_err *err);

/* issue 16: the buffered records' part in begin, savepoint, rollback_to,
 * commit and close (engine.c calls them).  pg_audit_flush writes what is
 * buffered (at_commit: and records the chain's new head); 0 or -1. */
void pg_audit_txn_begin(pg_store *ps);
void pg_audit_savepoint(pg_store *ps);
void pg_audit_rollback_to(pg_store *ps);
int pg_audit_flush(pg_store *ps, bool at_commit, yb_err *err);
void pg_audit_txn_end(pg_store *ps);
void pg_audit_free(pg_store *ps);
/* The institutions a connection remembers (register.c): forgotten when
 * it reconnects (another server may be primary now) and on close. */
void pg_inst_forget(pg_store *ps);
/* pg9: token_by_hash's memo (credential.c): forgotten, and LISTEN to be
 * sent again, when the connection is re-opened; freed on close.
 * pg_tokens_committed: after a COMMIT (engine.c). */
void pg_tokens_forget(pg_store *ps);
void pg_tokens_free(pg_store *ps);
void pg_tokens_committed(pg_store *ps);

/* --- pgha: audit chain heads (audit.c) --- */
int pg_audit_heads(yb_store *st, yb_audit_head **out, int *n, yb_err *err);

/* --- institutions (register.c) --- */
int pg_institution_insert(yb_store *st, yb_institution *i, yb_err *err);
int pg_institution_by_code(yb_store *st, const char *code,
			   yb_institution *out, yb_err *err);

/* --- family bindings (settle.c) --- */
int pg_binding_insert(yb_store *st, yb_binding *b, yb_err *err);
int pg_binding_by_id(yb_store *st, yb_id id, yb_binding *out, yb_err *err);
int pg_binding_end(yb_store *st, yb_id id, yb_time at, const char *reason,
		   yb_err *err);
int pg_bindings_end_all_of(yb_store *st, yb_id person_id, yb_time at,
			   const char *reason, int *ended, yb_err *err);
int pg_bindings_of_authorizer(yb_store *st, yb_id person_id,
			      bool active_only, yb_id before, int limit,
			      yb_binding **out, int *n, yb_err *err);
int pg_bindings_of_relative(yb_store *st, yb_id person_id, bool active_only,
			    yb_id before, int limit, yb_binding **out, int *n,
			    yb_err *err);
int pg_payer_candidates(yb_store *st, yb_id relative_id,
			yb_payer_candidate *out, int max, int *n,
			yb_err *err);

/* --- settlements (settle.c) --- */
int pg_settlement_insert(yb_store *st, yb_settlement *s, yb_err *err);
int pg_settlement_by_id(yb_store *st, yb_id id, yb_settlement *out,
			yb_err *err);
int pg_settlement_by_txn(yb_store *st, const char *institution_code,
			 const char *txn_id, yb_settlement *out, yb_err *err);
int pg_settlement_set_revoked(yb_store *st, yb_id id, yb_id revoke_txn_id,
			      yb_time at, yb_err *err);
int pg_settlements_of_patient(yb_store *st, yb_id person_id, yb_id before,
			      int limit, yb_settlement **out, int *n,
			      yb_err *err);
int pg_usage_of_payer(yb_store *st, yb_id person_id, yb_id before, int limit,
		      yb_usage **out, int *n, yb_err *err);
/* One family-usage row; family.c reads its cut-only rows (E2) with it. */
int pg_decode_usage(pg_row *r, void *out);
int pg_recon_totals(yb_store *st, const char *institution_code, yb_time from,
		    yb_time to, yb_recon_totals *out, yb_err *err);

/* --- offline (equipment failure) records (settle.c) --- */
int pg_offline_insert(yb_store *st, yb_offline *o, yb_err *err);
int pg_offline_by_id(yb_store *st, yb_id id, yb_offline *out, yb_err *err);
int pg_offline_by_txn(yb_store *st, const char *institution_code,
		      const char *txn_id, yb_offline *out, yb_err *err);
int pg_offline_set_resettled(yb_store *st, yb_id id, yb_id settlement_id,
			     int64_t refund_fen, yb_time at, yb_err *err);

/* --- credentials: API keys, sessions, login throttling (credential.c) --- */
int pg_apikey_insert(yb_store *st, yb_api_key *k, yb_err *err);
int pg_apikey_revoke(yb_store *st, yb_id id, yb_time at, yb_err *err);
int pg_session_insert(yb_store *st, const yb_session *s, yb_err *err);
int pg_session_delete(yb_store *st, const char *token_hash, yb_err *err);
int pg_sessions_purge(yb_store *st, yb_time now, yb_err *err);
int pg_token_by_hash(yb_store *st, const char *hash, yb_token_owner *out,
		     yb_err *err);
int pg_throttle_get(yb_store *st, const char *key, int *failures,
		    yb_time *window_start, yb_err *err);
int pg_throttle_put(yb_store *st, const char *key, int failures,
		    yb_time window_start, yb_err *err);
int pg_throttle_clear(yb_store *st, const char *key, yb_err *err);

/* --- nhsa: the national-interface gateway's records (nhsa.c) --- */
int pg_nhsa_put(yb_store *st, const yb_nhsa_rec *rec, int mode, yb_err *err);
int pg_nhsa_get(yb_store *st, const char *kind, const char *key,
		yb_nhsa_rec *out, yb_err *err);
int pg_nhsa_list(yb_store *st, const char *kind, const char *grp,
		 yb_nhsa_rec **out, int *n, yb_err *err);
int pg_nhsa_delete(yb_store *st, const char *kind, const char *key,
		   yb_err *err);
int pg_nhsa_purge(yb_store *st, const char *kind, yb_time before,
		  yb_err *err);
/* nhsa typed tables (nhsa_tables.c, migration 9) */
int pg_nhsa_visit_get(yb_store *st, const char *mdtrt_id, yb_nhsa_visit *out,
		      yb_err *err);
int pg_nhsa_visit_put(yb_store *st, const yb_nhsa_visit *v, int mode,
		      yb_err *err);
int pg_nhsa_batch_get(yb_store *st, const char *mdtrt_id,
		      const char *chrg_bchno, yb_nhsa_batch *out, yb_err *err);
int pg_nhsa_batch_list(yb_store *st, const char *mdtrt_id,
		       yb_nhsa_batch **out, int *n, yb_err *err);
int pg_nhsa_batch_put(yb_store *st, const char *mdtrt_id,
		      const yb_nhsa_batch *b, yb_err *err);
int pg_nhsa_batch_delete(yb_store *st, const char *mdtrt_id,
			 const char *chrg_bchno, yb_err *err);
int pg_nhsa_cum_get(yb_store *st, const char *key, yb_nhsa_cum_rec *out,
		    yb_err *err);
int pg_nhsa_cum_put(yb_store *st, const yb_nhsa_cum_rec *c, int mode,
		    yb_err *err);
int pg_nhsa_setl_get(yb_store *st, yb_id id, yb_nhsa_setl_rec *out,
		     yb_err *err);
int pg_nhsa_setl_put(yb_store *st, const yb_nhsa_setl_rec *r, int mode,
		     yb_err *err);
int pg_nhsa_setl_list(yb_store *st, const char *inst, const char *day,
		      yb_nhsa_setl_rec **out, int *n, yb_err *err);

/* --- sessions of a person (issue 14: list and revoke) (credential.c) --- */
int pg_sessions_of_person(yb_store *st, yb_id person_id, yb_time now,
			  yb_session **out, int *n, yb_err *err);
int pg_sessions_end_person(yb_store *st, yb_id person_id,
			   const char *keep_hash, yb_err *err);

/* --- family: premiums and caps (E1, E2) (family.c) --- */
int pg_binding_cap_get(yb_store *st, yb_id binding_id, int64_t *cap_fen,
		       yb_err *err);
int pg_binding_cap_put(yb_store *st, yb_id binding_id, int64_t cap_fen,
		       yb_time at, yb_err *err);
int pg_binding_used(yb_store *st, yb_id binding_id, yb_time from, yb_time to,
		    int64_t *used_fen, yb_err *err);
int pg_cap_cuts_insert(yb_store *st, const yb_settlement *s, yb_err *err);
int pg_cap_cuts_load(yb_store *st, yb_settlement *s, yb_err *err);
int pg_premium_insert(yb_store *st, yb_premium *p, yb_err *err);
int pg_premium_by_request(yb_store *st, yb_id payer_id,
			  const char *client_request_id, yb_premium *out,
			  yb_err *err);
int pg_premium_by_relative_year(yb_store *st, yb_id relative_id, int year,
				yb_premium *out, yb_err *err);
int pg_premium_by_id(yb_store *st, yb_id id, yb_premium *out, yb_err *err);
int pg_premiums_of_payer(yb_store *st, yb_id payer_id, yb_id before,
			 int limit, yb_premium **out, int *n, yb_err *err);
int pg_cap_cut_usage_of_payer(yb_store *st, yb_id person_id, yb_id before,
			      int limit, yb_usage **out, int *n, yb_err *err);

/* --- family: scans of the F5 materials (E4) (materials.c) --- */
int pg_material_insert(yb_store *st, yb_material *m, const void *data,
		       size_t len, yb_err *err);
int pg_materials_of(yb_store *st, yb_material_target target, yb_id target_id,
		    yb_material **out, int *n, yb_err *err);
int pg_material_get(yb_store *st, yb_id id, yb_material *out, void **data,
		    size_t *len, yb_err *err);

/* --- log upkeep beside a writer (SQLite's WAL; none on PostgreSQL) (upkeep.c) --- */
int pg_set_autocheckpoint(yb_store *st, bool on, yb_err *err);
int pg_upkeep(yb_store *st, const yb_upkeep_hooks *h, yb_err *err);

/* --- notify (E3): the outbox of notifications and webhooks (notify.c) --- */
int pg_notification_insert(yb_store *st, yb_notification *n, yb_err *err);
int pg_notifications_of(yb_store *st, yb_id person_id, yb_id before,
			int limit, yb_notification **out, int *n, yb_err *err);
int pg_notifications_unread(yb_store *st, yb_id person_id, int64_t *count,
			    yb_err *err);
int pg_notification_mark_read(yb_store *st, yb_id person_id, yb_id id,
			      yb_time at, int *changed, yb_err *err);
int pg_webhook_insert(yb_store *st, yb_webhook *w, yb_err *err);
int pg_webhook_by_id(yb_store *st, yb_id id, yb_webhook *out, yb_err *err);
int pg_webhooks_list(yb_store *st, yb_id before, int limit, yb_webhook **out,
		     int *n, yb_err *err);
int pg_webhook_remove(yb_store *st, yb_id id, yb_time at, yb_err *err);
int pg_deliveries_list(yb_store *st, int state, yb_id before, int limit,
		       yb_delivery **out, int *n, yb_err *err);
int pg_delivery_by_id(yb_store *st, yb_id id, yb_delivery *out, yb_err *err);
int pg_deliveries_claim(yb_store *st, int64_t now_ms, int64_t lease_until_ms,
			int max, yb_delivery_job *out, int *n, yb_err *err);
int pg_delivery_update(yb_store *st, const yb_delivery *d, yb_err *err);

/* --- records and proofs (R1–R4) (records.c) --- */
int pg_contributions_in_period(yb_store *st, yb_id person_id,
			       const char *employer_code, const char *from,
			       const char *to, const char *after_period,
			       yb_id after_id, int limit,
			       yb_contribution **out, int *n, yb_err *err);
int pg_ledger_lines_between(yb_store *st, yb_id account_id, yb_time from,
			    yb_time to, yb_id after, int limit,
			    yb_ledger_line **out, int *n, yb_err *err);
int pg_ledger_balance_before(yb_store *st, yb_id account_id, yb_time at,
			     int64_t *balance_fen, yb_err *err);
int pg_proof_insert(yb_store *st, yb_proof *p, yb_err *err);
int pg_proof_by_code(yb_store *st, const char *code, yb_proof *out,
		     yb_err *err);
int pg_proofs_of_person(yb_store *st, yb_id person_id, yb_id before,
			int limit, yb_proof **out, int *n, yb_err *err);
int pg_proof_revoke(yb_store *st, yb_id id, yb_time at, const char *by,
		    const char *reason, yb_err *err);
int pg_employee_months_scan(yb_store *st, const char *employer_code,
			    yb_id person_id, const char *from, const char *to,
			    yb_employee_month_fn fn, void *arg, yb_err *err);

/* bulk.c: load an empty database as pg_restore does (issue 16): drop
 * the foreign keys, unique constraints and secondary indexes (their
 * definitions kept for the transaction), then build them over the rows. */
int pg_bulk_drop(PGconn *conn, yb_err *err);
int pg_bulk_restore(PGconn *conn, yb_err *err);
/* After the load's commit: VACUUM (ANALYZE) every table that holds rows
 * (bulk.c). */
int pg_bulk_vacuum(PGconn *conn, yb_err *err);

/* nhsa files (nhsa_files.c) */
int pg_nhsa_file_put(yb_store *st, const yb_nhsa_file *f, const void *data,
		       yb_err *err);
int pg_nhsa_file_get(yb_store *st, const char *file_qury_no,
		       yb_nhsa_file *out, void **data, yb_err *err);

#endif
