/*
 * store.h — the storage interface: one struct of function pointers that
 * each engine fills (sqlite/, the embedded default; pg/, PostgreSQL).
 * Built as GNU Taler's exchange DB plugin or SQLite's VFS: services never
 * see SQL, and the same service and API suites run on both engines.
 *
 * A yb_store is ONE connection.  It is not thread-safe: a server keeps one
 * per worker thread.  All SQL lives in the engines.
 *
 * Conventions for every operation:
 *  - the last argument is `yb_err *err`;
 *  - writes and plain reads return 0 on success, -1 on error;
 *  - lookups (`*_by_*`, `*_of`) return 1 when found (out filled), 0 when
 *    not found (out untouched), -1 on error;
 *  - list operations return newest first (descending id), at most `limit`
 *    rows with id < `before` (before = 0: from the newest); they allocate
 *    `*out` with malloc (the caller frees it, also when *n == 0) and set
 *    `*n`;
 *  - times are passed in by the caller (the clock is the service's), never
 *    read from the database server's clock;
 *  - uniqueness violations come back as the domain's code
 *    ("person.duplicate", "contribution.duplicate", ...) so the service
 *    does not have to race a check against an insert;
 *  - every refusal has one code and one message, whichever engine gives
 *    it (the table in check.c, which both engines use);
 *  - any other database failure is "store.error" (or "store.busy" when the
 *    database stayed locked past the busy timeout).
 *
 * Transactions: begin(write) … commit | rollback.  Every service use case
 * is one transaction.  A write transaction takes the write lock at begin
 * (SQLite BEGIN IMMEDIATE), so reads made inside it are current and stay
 * current until commit.  On PostgreSQL, `account_lock` takes row locks in
 * id order for the accounts a settlement will touch.
 * One level of savepoint lets a caller undo part of a transaction (per-row
 * atomicity in imports, per-request atomicity in group commits).
 * savepoint() opens it; release() keeps its work and ends it;
 * rollback_to() undoes its work AND ends it (no release() needed after;
 * a release() with no savepoint open is a harmless no-op).
 * An update of a row that does not exist fails with the domain's
 * not_found code ("person.not_found", "card.not_found", ...).
 */
#ifndef YB_STORE_H
#define YB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/calendar.h"
#include "core/err.h"
#include "core/model.h"
#include "core/notify.h"

typedef struct yb_store yb_store;

typedef struct yb_ledger_report {
	int64_t accounts;
	int64_t transactions;
	int64_t entries;
	int64_t sum_balances_fen;        /* must be 0 (A3) */
	int64_t sum_entries_fen;         /* must be 0 (A1) */
	int64_t unbalanced_transactions; /* transactions whose entries ≠ 0 */
	int64_t mismatched_accounts;     /* balance ≠ sum of its entries */
	int64_t negative_personal;       /* personal accounts below 0 (A2) */
	/* rows of the ledger and the settlements pointing at no row: an
	 * entry at no account or transaction, a settlement at no
	 * institution, person or transaction, a share at no settlement,
	 * person, account or binding, a notification at no person (the
	 * foreign keys PostgreSQL no longer checks per row; pg/schema.c 12) */
	int64_t dangling_refs;
} yb_ledger_report;

typedef int (*yb_audit_visit_fn)(void *arg, const yb_audit_record *rec,
				 yb_err *err);

/* --- nhsa: the gateway's files (9101 uploads, 3202 results; table
 * nhsa_files, migration 10; docs/NHSA.md "Files"). --- */
/* One file and who may use it (only its institution). */
typedef struct yb_nhsa_file {
	char file_qury_no[31];
	char inst[YB_CODE_SZ];
	char kind[8];                    /* "detail" (9101) / "result" (3202) */
	char filename[101];
	int64_t size;                    /* bytes as kept (the .zip) */
	char sha256[65];                 /* of those bytes, hex */
	int64_t lines;                   /* settlements in it */
	char paasid[41];                 /* the credential that sent or asked */
	yb_time at;
	yb_time dld_end;                 /* no use after (dld_endtime) */
} yb_nhsa_file;

/* --- nhsa: one record of the national-interface gateway (store op
 * nhsa_put and friends below; service/nhsa*.c owns the kinds and the JSON
 * in `val`). --- */
typedef struct yb_nhsa_rec {
	char kind[16];                   /* "msg", "sign", "visit", "fee", ... */
	char key[192];                   /* unique within the kind */
	char grp[96];                    /* what lists it: "" if nothing */
	char inst[YB_CODE_SZ];           /* the institution, "" if none */
	yb_time at;
	char *val;                       /* JSON text; malloc'd on reads */
} yb_nhsa_rec;

enum { YB_NHSA_INSERT, YB_NHSA_ENSURE, YB_NHSA_UPSERT };

/* Free what nhsa_get / nhsa_list allocated. */
static inline void yb_nhsa_recs_free(yb_nhsa_rec *recs, int n)
{
	for (int i = 0; recs && i < n; i++)
		free(recs[i].val);
	free(recs);
}

/* --- nhsa typed tables (migration 9): what every 2207 reads and writes,
 * in fixed columns rather than JSON in nhsa_records (docs/NHSA.md,
 * Storage; docs/BENCHMARKS.md).  service/nhsa*.c owns their meaning. --- */
/* A visit (2201): table nhsa_visits, by mdtrt_id. */
typedef struct yb_nhsa_visit {
	char mdtrt_id[31];
	char inst[YB_CODE_SZ];           /* the institution that registered it */
	char psn_no[YB_SSN_SZ];
	yb_id person_id;
	char insutype[7];
	char med_type[7];
	char ipt_otp_no[31];
	char cert_type[4];
	char cert_no[256];
	char begntime[20];
	char dise_codg[31];
	char state[12];                  /* registered | cancelled */
	yb_time at;
	/* A stay (2304): settlements made so far (revoked ones too: each
	 * has its own S4 transaction id), and the final one while it
	 * stands — the stay takes no more fee lines then. */
	int ipt_count;
	yb_id final_setl;
} yb_nhsa_visit;

/* A fee batch (chrg_bchno) of a visit: the sum and number of its lines
 * and the settlement that paid them (0 while unsettled).  Table
 * nhsa_batches, by (mdtrt_id, chrg_bchno). */
typedef struct yb_nhsa_batch {
	char chrg_bchno[31];
	int64_t sum_fen;
	int64_t lines;
	yb_id settlement_id;
} yb_nhsa_batch;

/* A person's yearly totals of one insurance type and visit family (N6):
 * table nhsa_cums, by the service's key "person|year|insutype|visit". */
typedef struct yb_nhsa_cum_rec {
	char key[128];
	int64_t dedc_fen;
	int64_t fund_fen;
	int64_t medfee_fen;
	int64_t count;
} yb_nhsa_cum_rec;

/* The gateway's record of a settlement (setlinfo beyond the settlement
 * row): table nhsa_setls, by the settlement id (= setl_id), listed by
 * (institution, local date) for 3201/3202. */
typedef struct yb_nhsa_setl_rec {
	yb_id id;
	char inst[YB_CODE_SZ];
	char day[11];                    /* YYYY-MM-DD of `at`, local */
	char mdtrt_id[31];
	char chrg_bchno[31];
	char insutype[7];
	char med_type[7];
	char cert_type[4];
	char msgid[31];
	int64_t medfee_fen, inscp_fen, fulamt_fen, dedc_fen, fund_fen;
	int64_t ratio_bp, acct_fen, mulaid_fen, cash_fen, balc_fen;
	yb_time at;
	bool revoked;
	yb_time revoked_at;
	yb_id person_id;
	char req_hash[65];
} yb_nhsa_setl_rec;

/* records (R4): called for each row of employee_months_scan. */
typedef int (*yb_employee_month_fn)(void *arg, const yb_employee_month *row,
				    yb_err *err);

/* records (R2): free what proof_by_code allocated in a proof. */
static inline void yb_proof_release(yb_proof *p)
{
	if (p) {
		free(p->statement);
		p->statement = NULL;
	}
}

/* --- upkeep: what the store's log upkeep (op `upkeep`) needs from the
 * writer it works beside (service/batch.c's group-commit writer). --- */
typedef struct yb_upkeep_hooks {
	void *arg;
	/* Sleep up to `ms` milliseconds, or (for_commit) until the
	 * writer's next commit, whichever comes first.  false once the
	 * writer has stopped for good: the upkeep ends. */
	bool (*wait)(void *arg, long ms, bool for_commit);
	/* How many commits the writer has made so far. */
	uint64_t (*commits)(void *arg);
	/* Keep the writer from starting another batch, and return once the
	 * one it is running (if any) has committed; release() lets it go
	 * on.  The upkeep holds it only for a short last step. */
	void (*hold)(void *arg);
	void (*release)(void *arg);
	/* How long the log may grow before the upkeep holds the writer to
	 * start it over, in the engine's units (SQLite: WAL pages); 0: the
	 * engine's default.  For tests and tuning. */
	int (*limit)(void *arg);
} yb_upkeep_hooks;

/* --- defer_sync: what makes a writer's commits durable after the
 * commit (service/batch.c's syncer).  sync() makes every commit the
 * writer's connection had made when it started durable, from another
 * thread than the writer's, while the writer goes on; close() frees it.
 * Thread-safe against the writer's own use of its connection. --- */
typedef struct yb_log_sync {
	int (*sync)(void *arg, yb_err *err);
	void (*close)(void *arg);
	void *arg;
} yb_log_sync;

/*
 * What a bearer token's hash names (authentication, issue 16): a session
 * with its person's ssn, an API key, or nothing.  One look-up answers
 * both, as one statement, so it needs no transaction of its own.
 */
typedef struct yb_token_owner {
	bool has_session;                /* the session and its person */
	yb_session session;
	char ssn[YB_SSN_SZ];
	bool has_key;
	yb_api_key key;
} yb_token_owner;

/*
 * issue 16, pg8: what a settlement will ask next (settle_hint below).
 * The accounts it will lock are the patient's open personal account
 * (when `own_account`), the active authorizers' open accounts (when
 * `family`), and `also` (the fund, patient cash, receivable).
 */
typedef struct yb_settle_hint {
	const char *institution_code;
	const char *txn_id;
	yb_cred_type cred_type;          /* YB_CRED_CARD or YB_CRED_ID_NUMBER */
	const char *cred_value;          /* card number, normalized ID number */
	bool own_account;
	bool family;
	const yb_id *also;
	int nalso;
} yb_settle_hint;

typedef struct yb_store_ops {
	const char *name;                       /* "sqlite", "postgresql" */
	/* Write transactions run one at a time (SQLite: one holds the whole
	 * database), so a row found absent inside one cannot be inserted by
	 * another before it commits.  PostgreSQL: false. */
	bool one_writer;

	void (*close)(yb_store *st);            /* frees st; NULL-safe */

	/* --- transactions --- */
	int (*begin)(yb_store *st, bool write, yb_err *err);
	int (*commit)(yb_store *st, yb_err *err);
	void (*rollback)(yb_store *st);         /* never fails; NULL-safe */
	int (*savepoint)(yb_store *st, yb_err *err);
	int (*release)(yb_store *st, yb_err *err);
	int (*rollback_to)(yb_store *st, yb_err *err);
	/* Group commit, undo on demand (service/batch.c): while on, inside
	 * a write transaction, savepoint(), release() and rollback_to() —
	 * and the engine's own savepoints within an operation — keep no
	 * undo record; a rollback_to(), or an operation refused midway,
	 * that would have had something to undo marks the transaction
	 * spoiled instead (so does losing it), and it can then only be
	 * rolled back whole.  Turning it on clears the mark; spoiled()
	 * reads it.  An engine may defer writes while it is on (pg5: the
	 * PostgreSQL engine's, whose answers nobody needs at once): one
	 * that fails spoils the transaction when it is found, at the
	 * latest when lazy_undo is turned off — so read spoiled() after
	 * that too.  NULL on an engine without it (every savepoint real). */
	void (*lazy_undo)(yb_store *st, bool on);
	bool (*spoiled)(yb_store *st);
	/* Group commit with several writers (service/batch.c; issue 16,
	 * pg6): the next job of a write transaction is about to run.  When
	 * `may_wait` is false — jobs before it ran in this transaction, so
	 * it may hold their row locks — the engine does not wait for the
	 * accounts another transaction has locked: account_lock fails with
	 * store.busy, having locked nothing, and job_refused() says so
	 * until the next batch_job() or transaction boundary.  Two batches
	 * that each hold a row the other asks for would deadlock; a batch
	 * that waits only while it holds nothing of earlier jobs cannot be
	 * part of such a cycle.  From the job's first release() on (it
	 * kept a part in the batch, which a later batch could not run
	 * again) it waits as usual.  NULL on an engine without it (SQLite:
	 * one writer holds the whole database). */
	void (*batch_job)(yb_store *st, bool may_wait);
	bool (*job_refused)(yb_store *st);

	/* --- metadata and sequences --- */
	int (*meta_get)(yb_store *st, const char *key, char *buf, size_t size,
			yb_err *err);           /* 1/0/-1 */
	int (*meta_put)(yb_store *st, const char *key, const char *value,
			yb_err *err);
	int (*next_seq)(yb_store *st, const char *name, int64_t *out,
			yb_err *err);           /* 1, 2, 3, ... per name */

	/* --- persons --- */
	int (*person_insert)(yb_store *st, yb_person *p, yb_err *err); /* sets id */
	int (*person_by_id)(yb_store *st, yb_id id, yb_person *out, yb_err *err);
	int (*person_by_ssn)(yb_store *st, const char *ssn, yb_person *out,
			     yb_err *err);
	int (*person_by_id_number)(yb_store *st, const char *id_number,
				   yb_person *out, yb_err *err);
	int (*person_set_status)(yb_store *st, yb_id id, yb_status status,
				 yb_term_reason reason, yb_time at, yb_err *err);
	int (*person_set_password)(yb_store *st, yb_id id, const char *hash,
				   yb_err *err);
	int (*person_password)(yb_store *st, yb_id id, char *hash, size_t size,
			       yb_err *err);    /* 1/0/-1 */

	/* --- employers --- */
	int (*employer_insert)(yb_store *st, yb_employer *e, yb_err *err);
	int (*employer_by_code)(yb_store *st, const char *code,
				yb_employer *out, yb_err *err);

	/* --- accounts and ledger --- */
	/* Sets id; the account starts open at balance 0 (only ledger_post
	 * moves money), whatever a->balance_fen said. */
	int (*account_insert)(yb_store *st, yb_account *a, yb_err *err);
	int (*account_by_id)(yb_store *st, yb_id id, yb_account *out,
			     yb_err *err);
	int (*account_personal_of)(yb_store *st, yb_id person_id,
				   yb_account *out, yb_err *err);
	/* The one account of a system kind (fund pool, contribution income,
	 * patient cash, closed-account liability); made by the schema. */
	int (*account_system)(yb_store *st, yb_account_kind kind,
			      yb_account *out, yb_err *err);
	/* Its id alone: constant once the schema made it, so the
	 * connection keeps it and a settlement pays no look-up for it. */
	int (*account_system_id)(yb_store *st, yb_account_kind kind,
				 yb_id *id, yb_err *err);
	int (*account_set_closed)(yb_store *st, yb_id id, yb_time at,
				  yb_err *err);
	/* Lock these accounts' rows for the rest of the transaction, in
	 * ascending id order (deadlock-free).  No-op on SQLite. */
	int (*account_lock)(yb_store *st, const yb_id *ids, int n, yb_err *err);
	/*
	 * Post a balanced transaction: insert it and its entries and move the
	 * balances.  Refuses, changing nothing: entries that do not sum to 0
	 * ("ledger.unbalanced"), a closed account ("ledger.account_closed"),
	 * a personal account that would go below 0
	 * ("ledger.insufficient_balance").
	 */
	int (*ledger_post)(yb_store *st, const yb_posting *p, yb_time at,
			   yb_id *txn_id, yb_err *err);
	int (*ledger_lines)(yb_store *st, yb_id account_id, yb_id before,
			    int limit, yb_ledger_line **out, int *n,
			    yb_err *err);
	int (*ledger_check)(yb_store *st, yb_ledger_report *out, yb_err *err);

	/* --- contributions --- */
	int (*contribution_insert)(yb_store *st, yb_contribution *c,
				   yb_err *err);   /* dup → contribution.duplicate */
	int (*contributions_of_person)(yb_store *st, yb_id person_id,
				       yb_id before, int limit,
				       yb_contribution **out, int *n,
				       yb_err *err);
	/* period may be NULL for all periods */
	int (*contributions_of_employer)(yb_store *st, const char *employer_code,
					 const char *period, yb_id before,
					 int limit, yb_contribution **out,
					 int *n, yb_err *err);

	/* --- cards --- */
	int (*card_application_insert)(yb_store *st, yb_card_application *a,
				       yb_err *err);
	int (*card_application_by_id)(yb_store *st, yb_id id,
				      yb_card_application *out, yb_err *err);
	int (*card_application_set_card)(yb_store *st, yb_id application_id,
					 yb_id card_id, yb_err *err);
	/* A second valid card (in_production, ready, issued) for the same
	 * person → "card.already_has_valid_card". */
	int (*card_insert)(yb_store *st, yb_card *c, yb_err *err);
	int (*card_by_no)(yb_store *st, const char *card_no, yb_card *out,
			  yb_err *err);
	int (*card_by_id)(yb_store *st, yb_id id, yb_card *out, yb_err *err);
	int (*card_valid_of)(yb_store *st, yb_id person_id, yb_card *out,
			     yb_err *err);
	/* The newest card of any state (for the person's own view). */
	int (*card_latest_of)(yb_store *st, yb_id person_id, yb_card *out,
			      yb_err *err);
	/* Writes state, activated and updated_at. */
	int (*card_update)(yb_store *st, const yb_card *c, yb_err *err);

	/* --- working-day calendar --- */
	int (*calendar_put_year)(yb_store *st, const yb_calendar_year *y,
				 yb_err *err);    /* replaces the year */
	int (*calendar_get_year)(yb_store *st, int year, yb_calendar_year *out,
				 yb_err *err);    /* 1/0/-1 */

	/* --- audit (X3) --- */
	/* The record to chain from: 1 found, 0 none (the first record).
	 * The next record takes out->seq + 1, out->hash as its prev_hash and
	 * out->chain as its chain.  On PostgreSQL this claims one of several
	 * chains until commit (pgha): audited writes on other chains go on;
	 * the record answered is then the chain's newest but its seq is one
	 * below a fresh number shared by all chains. */
	int (*audit_head)(yb_store *st, yb_audit_record *out, yb_err *err);
	/* rec->seq = 0 takes the next number; a given seq is stored as is
	 * (the service hashes it), and a seq already used is an error. */
	int (*audit_insert)(yb_store *st, const yb_audit_record *rec,
			    yb_err *err);
	int (*audit_list)(yb_store *st, yb_id before, int limit,
			  yb_audit_record **out, int *n, yb_err *err);
	/* Every record, oldest first. Stops at the first fn() < 0. */
	int (*audit_scan)(yb_store *st, yb_audit_visit_fn fn, void *arg,
			  yb_err *err);

	/* --- pgha: audit chain heads --- */
	/* Where the engine recorded each chain's newest record, written in
	 * the transaction that appended it, so audit verify sees a removed
	 * tail.  *n = 0 when the engine keeps none (SQLite: one chain, its
	 * tail is the newest record).  Allocates *out. */
	int (*audit_heads)(yb_store *st, yb_audit_head **out, int *n,
			   yb_err *err);

	/* --- institutions --- */
	/* dup → institution.duplicate.  Also makes the institution's
	 * receivable account in the same step and sets
	 * i->receivable_account_id — unless the caller passed one already
	 * made (≠ 0), which is then used. */
	int (*institution_insert)(yb_store *st, yb_institution *i,
				  yb_err *err);
	int (*institution_by_code)(yb_store *st, const char *code,
				   yb_institution *out, yb_err *err);

	/* --- family bindings --- */
	int (*binding_insert)(yb_store *st, yb_binding *b,
			      yb_err *err); /* active dup → binding.duplicate */
	int (*binding_by_id)(yb_store *st, yb_id id, yb_binding *out,
			     yb_err *err);
	/* Ends an active binding; one already ended →
	 * binding.already_ended, none → binding.not_found. */
	int (*binding_end)(yb_store *st, yb_id id, yb_time at,
			   const char *reason, yb_err *err);
	/* End every active binding in which the person is either party. */
	int (*bindings_end_all_of)(yb_store *st, yb_id person_id, yb_time at,
				   const char *reason, int *ended, yb_err *err);
	int (*bindings_of_authorizer)(yb_store *st, yb_id person_id,
				      bool active_only, yb_id before,
				      int limit, yb_binding **out, int *n,
				      yb_err *err);
	int (*bindings_of_relative)(yb_store *st, yb_id person_id,
				    bool active_only, yb_id before, int limit,
				    yb_binding **out, int *n, yb_err *err);
	/* The authorizers with an active binding to this relative, with
	 * their personal accounts (any order, at most `max`). */
	int (*payer_candidates)(yb_store *st, yb_id relative_id,
				yb_payer_candidate *out, int max, int *n,
				yb_err *err);

	/* --- settlements --- */
	int (*settlement_insert)(yb_store *st, yb_settlement *s,
				 yb_err *err);     /* sets id; with its shares */
	int (*settlement_by_id)(yb_store *st, yb_id id, yb_settlement *out,
				yb_err *err);
	int (*settlement_by_txn)(yb_store *st, const char *institution_code,
				 const char *txn_id, yb_settlement *out,
				 yb_err *err);
	/* issue 16, pg8: a settlement is about to ask, in a write
	 * transaction, for settlement_by_txn, the credential's look-up
	 * (card_by_no, or person_by_id_number with the normalized number),
	 * the holder, the account and candidates, and account_lock of the
	 * payers' accounts with `also`.  An engine may fetch all of it at
	 * once and answer those calls from it when their arguments match
	 * what it fetched — with what the calls one after the other would
	 * have answered — and lock ahead the accounts the settlement will
	 * lock (docs/POSTGRESQL.md, pg8).  Only a hint: every call may
	 * still be made as without it.  NULL on an engine without round
	 * trips (SQLite). */
	int (*settle_hint)(yb_store *st, const yb_settle_hint *h,
			   yb_err *err);
	int (*settlement_set_revoked)(yb_store *st, yb_id id,
				      yb_id revoke_txn_id, yb_time at,
				      yb_err *err);
	int (*settlements_of_patient)(yb_store *st, yb_id person_id,
				      yb_id before, int limit,
				      yb_settlement **out, int *n,
				      yb_err *err);
	/* Shares paid from this person's account for relatives (F7). */
	int (*usage_of_payer)(yb_store *st, yb_id person_id, yb_id before,
			      int limit, yb_usage **out, int *n, yb_err *err);
	/*
	 * Reconciliation: over the institution's settlements with
	 * from <= settled_at < to: count, total, fund, account and cash of
	 * those still settled; revoked_count = those revoked since.
	 */
	int (*recon_totals)(yb_store *st, const char *institution_code,
			    yb_time from, yb_time to, yb_recon_totals *out,
			    yb_err *err);

	/* --- offline (equipment failure) records --- */
	int (*offline_insert)(yb_store *st, yb_offline *o,
			      yb_err *err);        /* dup → offline.txn_id_reused */
	int (*offline_by_id)(yb_store *st, yb_id id, yb_offline *out,
			     yb_err *err);
	int (*offline_by_txn)(yb_store *st, const char *institution_code,
			      const char *txn_id, yb_offline *out,
			      yb_err *err);
	/* Only a cash_paid record: else offline.already_resettled. */
	int (*offline_set_resettled)(yb_store *st, yb_id id,
				     yb_id settlement_id, int64_t refund_fen,
				     yb_time at, yb_err *err);

	/* --- credentials: API keys, sessions, login throttling --- */
	int (*apikey_insert)(yb_store *st, yb_api_key *k, yb_err *err);
	int (*apikey_revoke)(yb_store *st, yb_id id, yb_time at, yb_err *err);
	int (*session_insert)(yb_store *st, const yb_session *s, yb_err *err);
	int (*session_delete)(yb_store *st, const char *token_hash,
			      yb_err *err);
	int (*sessions_purge)(yb_store *st, yb_time now, yb_err *err);
	/* The session (if its person exists; expired ones too: the caller
	 * compares expires_at with its clock) and the API key whose hash is
	 * `hash`, in one statement: callable outside a transaction, when it
	 * is its own snapshot.  1 either found, 0 neither.  The only look-up
	 * of either by hash: authentication needs both, one round trip. */
	int (*token_by_hash)(yb_store *st, const char *hash,
			     yb_token_owner *out, yb_err *err);
	/* Failed-login counters by key ("person:<id>", "addr:<ip>"). */
	int (*throttle_get)(yb_store *st, const char *key, int *failures,
			    yb_time *window_start, yb_err *err); /* 1/0/-1 */
	int (*throttle_put)(yb_store *st, const char *key, int failures,
			    yb_time window_start, yb_err *err);
	int (*throttle_clear)(yb_store *st, const char *key, yb_err *err);

	/* --- nhsa: the national-interface gateway's records --- */
	/*
	 * Put a record.  YB_NHSA_INSERT: a record of the same (kind, key) is
	 * "nhsa.duplicate"; YB_NHSA_ENSURE: inserted only if absent,
	 * returns 1 when inserted and 0 when one was there (left as it is);
	 * YB_NHSA_UPSERT: insert or replace.  Neither ever aborts the
	 * transaction on a duplicate (PostgreSQL: ON CONFLICT).
	 */
	int (*nhsa_put)(yb_store *st, const yb_nhsa_rec *rec, int mode,
			yb_err *err);
	/* 1 found (out->val malloc'd) / 0 / -1.  Inside a write transaction
	 * the row is locked until commit (PostgreSQL FOR UPDATE). */
	int (*nhsa_get)(yb_store *st, const char *kind, const char *key,
			yb_nhsa_rec *out, yb_err *err);
	/* Every record of (kind, grp), by key; free with yb_nhsa_recs_free.
	 * Only records put with a grp are listed (grp "" is no group). */
	int (*nhsa_list)(yb_store *st, const char *kind, const char *grp,
			 yb_nhsa_rec **out, int *n, yb_err *err);
	int (*nhsa_delete)(yb_store *st, const char *kind, const char *key,
			   yb_err *err);
	/* Delete the records of `kind` older than `before` — nonces only:
	 * only their time is indexed.  Kind "file": drop the bytes of the
	 * files whose dld_end is before `before` (the row stays).  Any
	 * other kind: nothing. */
	int (*nhsa_purge)(yb_store *st, const char *kind, yb_time before,
			  yb_err *err);
	/* --- nhsa files: insert f with its `f->size` bytes (a
	 * file_qury_no used before is "nhsa.duplicate"); get: 1 found / 0 /
	 * -1, with `data` also its bytes (malloc'd, f->size of them; NULL
	 * when nhsa_purge dropped them), else only the row. --- */
	int (*nhsa_file_put)(yb_store *st, const yb_nhsa_file *f,
			     const void *data, yb_err *err);
	int (*nhsa_file_get)(yb_store *st, const char *file_qury_no,
			     yb_nhsa_file *out, void **data, yb_err *err);
	/* --- nhsa typed tables (migration 9).  Puts take a mode as
	 * nhsa_put (INSERT: a duplicate is "nhsa.duplicate"; ENSURE: 1
	 * inserted / 0 there; UPSERT) and never abort the transaction on a
	 * duplicate.  Gets are 1 found / 0 (out zeroed) / -1 and, inside a
	 * write transaction, lock the row until commit (PostgreSQL FOR
	 * UPDATE) — what keeps the yearly totals exact (N6). --- */
	int (*nhsa_visit_get)(yb_store *st, const char *mdtrt_id,
			      yb_nhsa_visit *out, yb_err *err);
	int (*nhsa_visit_put)(yb_store *st, const yb_nhsa_visit *v, int mode,
			      yb_err *err);
	int (*nhsa_batch_get)(yb_store *st, const char *mdtrt_id,
			      const char *chrg_bchno, yb_nhsa_batch *out,
			      yb_err *err);
	/* Every batch of a visit by chrg_bchno (*out malloc'd; free()). */
	int (*nhsa_batch_list)(yb_store *st, const char *mdtrt_id,
			       yb_nhsa_batch **out, int *n, yb_err *err);
	/* Insert or replace. */
	int (*nhsa_batch_put)(yb_store *st, const char *mdtrt_id,
			      const yb_nhsa_batch *b, yb_err *err);
	int (*nhsa_batch_delete)(yb_store *st, const char *mdtrt_id,
				 const char *chrg_bchno, yb_err *err);
	int (*nhsa_cum_get)(yb_store *st, const char *key,
			    yb_nhsa_cum_rec *out, yb_err *err);
	int (*nhsa_cum_put)(yb_store *st, const yb_nhsa_cum_rec *c, int mode,
			    yb_err *err);
	int (*nhsa_setl_get)(yb_store *st, yb_id id, yb_nhsa_setl_rec *out,
			     yb_err *err);
	int (*nhsa_setl_put)(yb_store *st, const yb_nhsa_setl_rec *r, int mode,
			     yb_err *err);
	/* The records of an institution's local date, by id (*out
	 * malloc'd; free()). */
	int (*nhsa_setl_list)(yb_store *st, const char *inst, const char *day,
			      yb_nhsa_setl_rec **out, int *n, yb_err *err);
	/* --- sessions of a person (issue 14: list and revoke) --- */
	/* The person's sessions that have not expired at `now`, newest
	 * first, as a malloc'ed array (*out, *n; free() it). */
	int (*sessions_of_person)(yb_store *st, yb_id person_id, yb_time now,
				  yb_session **out, int *n, yb_err *err);
	/* End every session of the person except the one whose token hash
	 * is `keep_hash` (NULL or "": end them all). */
	int (*sessions_end_person)(yb_store *st, yb_id person_id,
				   const char *keep_hash, yb_err *err);
	/* --- family: premiums and caps (E1, E2) --- */
	/* E2: a binding's monthly cap: 1 with *cap_fen set, 0 none. */
	int (*binding_cap_get)(yb_store *st, yb_id binding_id, int64_t *cap_fen,
			       yb_err *err);
	/* E2: set (cap_fen >= 0) or remove (cap_fen < 0) a binding's cap. */
	int (*binding_cap_put)(yb_store *st, yb_id binding_id, int64_t cap_fen,
			       yb_time at, yb_err *err);
	/* E2: what a binding paid in settlements that are still settled
	 * (revoked ones give it back) with from <= settled_at < to. */
	int (*binding_used)(yb_store *st, yb_id binding_id, yb_time from,
			    yb_time to, int64_t *used_fen, yb_err *err);
	/* E2: store s->cap_cuts for the inserted settlement s->id; and read
	 * them back into a settlement read by id or txn. */
	int (*cap_cuts_insert)(yb_store *st, const yb_settlement *s,
			       yb_err *err);
	int (*cap_cuts_load)(yb_store *st, yb_settlement *s, yb_err *err);
	/* E1: a premium payment (sets id).  A second for the same (relative,
	 * year) → premium.already_paid; the same (payer, client request id)
	 * → premium.request_id_reused. */
	int (*premium_insert)(yb_store *st, yb_premium *p, yb_err *err);
	int (*premium_by_request)(yb_store *st, yb_id payer_id,
				  const char *client_request_id,
				  yb_premium *out, yb_err *err);
	int (*premium_by_relative_year)(yb_store *st, yb_id relative_id,
					int year, yb_premium *out, yb_err *err);
	/* E1: one premium payment by id: 1 / 0 / -1. */
	int (*premium_by_id)(yb_store *st, yb_id id, yb_premium *out,
			     yb_err *err);
	/* E1: the premiums a person paid for relatives (list convention). */
	int (*premiums_of_payer)(yb_store *st, yb_id payer_id, yb_id before,
				 int limit, yb_premium **out, int *n,
				 yb_err *err);
	/* E2: family usage rows for the cap cuts of settlements in which
	 * the payer's binding had no share (its cap was used up): amount 0,
	 * cap_cut_fen the cut; list convention by settlement id, disjoint
	 * from usage_of_payer's rows. */
	int (*cap_cut_usage_of_payer)(yb_store *st, yb_id person_id,
				      yb_id before, int limit, yb_usage **out,
				      int *n, yb_err *err);
	/* --- family: scans of the F5 materials (E4) --- */
	/* E4: a scan of `len` bytes for m->target / m->target_id (sets
	 * m->id).  The target must exist (a foreign key). */
	int (*material_insert)(yb_store *st, yb_material *m, const void *data,
			       size_t len, yb_err *err);
	/* E4: the scans of one target, oldest first, without their bytes
	 * (*out malloc'ed, also when empty). */
	int (*materials_of)(yb_store *st, yb_material_target target,
			    yb_id target_id, yb_material **out, int *n,
			    yb_err *err);
	/* E4: one scan and its bytes (*data malloc'ed, *len): 1 / 0 / -1. */
	int (*material_get)(yb_store *st, yb_id id, yb_material *out,
			    void **data, size_t *len, yb_err *err);

	/* --- log upkeep beside a writer (SQLite's WAL; none on PostgreSQL) --- */
	/* Whether this connection's commits keep the engine's log short
	 * themselves (SQLite: checkpoint the WAL, its default).  The
	 * group-commit writer turns it off and leaves that to `upkeep` on
	 * another connection, so no request waits on it. */
	int (*set_autocheckpoint)(yb_store *st, bool on, yb_err *err);
	/* This connection is the group-commit writer's (service/batch.c):
	 * every write runs on it, so it may keep more than a request's
	 * connection does (SQLite: a larger page cache; PostgreSQL, pg10:
	 * its BEGIN and COMMIT ride with the statements next to them
	 * instead of a round trip each).  NULL: nothing. */
	int (*as_writer)(yb_store *st, yb_err *err);
	/* Keep the log that the writer's commits grow short, on this
	 * connection (not the writer's), until h->wait says to end; then a
	 * last pass, so what the writer committed is in the database file
	 * when it returns.  How and when is the engine's own policy
	 * (SQLite: passive checkpoints, writeback between commits and a
	 * short hold of the writer to start the WAL over, sqlite/upkeep.c);
	 * PostgreSQL has nothing to do (its checkpointer does it) and
	 * returns at once.  Its failures are its own: it returns 0. */
	int (*upkeep)(yb_store *st, const yb_upkeep_hooks *h, yb_err *err);
	/* Make this connection's commits write the log without waiting for
	 * it to be synced, and hand back in *out what syncs it (see
	 * yb_log_sync): 1.  0 when its commits go on syncing themselves
	 * (the engine's durability setting syncs less than at every commit,
	 * or its log cannot be reached), *out untouched.  Only for a
	 * group-commit writer, which holds back every answer until a sync
	 * that started after its commit has returned (service/batch.h,
	 * "The sync apart").  NULL on an engine without it (PostgreSQL). */
	int (*defer_sync)(yb_store *st, yb_log_sync *out, yb_err *err);

	/* --- notify (E3): the outbox of notifications and webhooks --- */
	/* Sets n->id; also queues one pending delivery (due at once) for
	 * every active webhook, in the same transaction. */
	int (*notification_insert)(yb_store *st, yb_notification *n,
				   yb_err *err);
	int (*notifications_of)(yb_store *st, yb_id person_id, yb_id before,
				int limit, yb_notification **out, int *n,
				yb_err *err);
	int (*notifications_unread)(yb_store *st, yb_id person_id,
				    int64_t *count, yb_err *err);
	/* Mark one (id ≠ 0) or all of the person's unread notifications
	 * read; *changed = how many were unread.  One that is not his →
	 * notification.not_found (read already: 0 changed, no error). */
	int (*notification_mark_read)(yb_store *st, yb_id person_id, yb_id id,
				      yb_time at, int *changed, yb_err *err);
	int (*webhook_insert)(yb_store *st, yb_webhook *w, yb_err *err);
	int (*webhook_by_id)(yb_store *st, yb_id id, yb_webhook *out,
			     yb_err *err);
	/* The active webhooks (removed ones are kept but not listed). */
	int (*webhooks_list)(yb_store *st, yb_id before, int limit,
			     yb_webhook **out, int *n, yb_err *err);
	/* Active → removed; its pending deliveries stay, unsent. */
	int (*webhook_remove)(yb_store *st, yb_id id, yb_time at, yb_err *err);
	/* state < 0: every state. */
	int (*deliveries_list)(yb_store *st, int state, yb_id before,
			       int limit, yb_delivery **out, int *n,
			       yb_err *err);
	int (*delivery_by_id)(yb_store *st, yb_id id, yb_delivery *out,
			      yb_err *err);
	/* In a write transaction: up to `max` pending deliveries due at
	 * now_ms (of active webhooks), oldest due first, each leased (its
	 * next_at_ms moved to lease_until_ms) so that no other sender takes
	 * it meanwhile, and a sender that dies leaves it due again later. */
	int (*deliveries_claim)(yb_store *st, int64_t now_ms,
				int64_t lease_until_ms, int max,
				yb_delivery_job *out, int *n, yb_err *err);
	/* Record an attempt: state, attempts, next_at_ms, last_status,
	 * last_error and (delivered) delivered_at, from d. */
	int (*delivery_update)(yb_store *st, const yb_delivery *d,
			       yb_err *err);

	/* --- records and proofs (R1–R4; records.c) --- */
	/*
	 * R1: contributions whose period falls in the months from..to
	 * ("YYYY-MM", both included; a yearly period "YYYY" falls in them
	 * when its year does) — a person's (person_id ≠ 0) or an employer's
	 * (employer_code, person_id 0) — in (period, id) order, after the
	 * cursor (after_period, after_id) ("" and 0: from the start), at
	 * most `limit`.  Allocates *out as the list operations do.
	 */
	int (*contributions_in_period)(yb_store *st, yb_id person_id,
				       const char *employer_code,
				       const char *from, const char *to,
				       const char *after_period,
				       yb_id after_id, int limit,
				       yb_contribution **out, int *n,
				       yb_err *err);
	/* R1: an account's entries with from <= at < to, oldest first, entry
	 * id > after, at most `limit`.  Allocates *out. */
	int (*ledger_lines_between)(yb_store *st, yb_id account_id,
				    yb_time from, yb_time to, yb_id after,
				    int limit, yb_ledger_line **out, int *n,
				    yb_err *err);
	/* R1: the balance after the account's last entry before `at`:
	 * 1 with *balance_fen set, 0 when it had none by then. */
	int (*ledger_balance_before)(yb_store *st, yb_id account_id,
				     yb_time at, int64_t *balance_fen,
				     yb_err *err);
	/* R2: a proof (sets id).  The same code twice → proof.duplicate. */
	int (*proof_insert)(yb_store *st, yb_proof *p, yb_err *err);
	/* R2: 1 found (out->statement malloc'd: yb_proof_release), 0, -1. */
	int (*proof_by_code)(yb_store *st, const char *code, yb_proof *out,
			     yb_err *err);
	/* R2: a person's proofs (list convention; statement left NULL). */
	int (*proofs_of_person)(yb_store *st, yb_id person_id, yb_id before,
				int limit, yb_proof **out, int *n,
				yb_err *err);
	/* R2: revoke a proof not yet revoked (else proof.already_revoked,
	 * also for an id that is no proof: the service finds it first). */
	int (*proof_revoke)(yb_store *st, yb_id id, yb_time at, const char *by,
			    const char *reason, yb_err *err);
	/*
	 * R4: every employee of `employer_code` (NULL: of every employer;
	 * person_id ≠ 0: that person only, with his employer) with each
	 * period in from..to ("YYYY-MM") that his employer paid for him:
	 * one row per (employee, period), or one with period "" for an
	 * employee it paid nothing for, in (employer code, person id,
	 * period) order.  Stops at the first fn() < 0.
	 */
	int (*employee_months_scan)(yb_store *st, const char *employer_code,
				    yb_id person_id, const char *from,
				    const char *to, yb_employee_month_fn fn,
				    void *arg, yb_err *err);
} yb_store_ops;

/* Every engine's connection struct begins with this. */
struct yb_store {
	const yb_store_ops *ops;
};

/*
 * Open a store from a URL:
 *   "sqlite:PATH", a plain PATH, or "file:PATH"  → SQLite (made if absent)
 *   "postgresql://..." or "pg:CONNINFO"          → PostgreSQL
 * The schema is created or migrated to the current version on open.
 */
int yb_store_open(const char *url, yb_store **out, yb_err *err);

/* Close and free; NULL-safe. */
void yb_store_close(yb_store *st);

/* The engine a URL names, without opening it: "sqlite" or "postgresql". */
const char *yb_store_engine_of(const char *url);

/* Engine constructors (used by yb_store_open).  SQLite commits are
 * durable (synchronous=FULL) unless the environment variable
 * YB_SQLITE_SYNC=NORMAL or OFF lowers that for tests and benchmarks. */
int yb_sqlite_open(const char *path, yb_store **out, yb_err *err);
int yb_pg_open(const char *conninfo, yb_store **out, yb_err *err);

/* SQLite online backup of an open store into `dest_path`. */
int yb_sqlite_backup(yb_store *st, const char *dest_path, yb_err *err);

/*
 * `yibao migrate`: copy every row of the SQLite database file at
 * `sqlite_path` into `pg`, an open PostgreSQL store whose database holds
 * no data yet (only what its schema made).  Both must be at the same
 * schema version (open the SQLite file with this program first: opening
 * migrates it).  One transaction: all rows or none.  Ids are kept, and
 * PostgreSQL's id sequences moved past them.
 */
int yb_pg_copy_from_sqlite(yb_store *pg, const char *sqlite_path,
			   yb_err *err);

/* The whole of `yibao migrate`: bring the SQLite file's schema up to
 * date, open the PostgreSQL URL (migrating its schema) and copy. */
int yb_store_migrate_to_pg(const char *sqlite_path, const char *pg_url,
			   yb_err *err);

#endif
