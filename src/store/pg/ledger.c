/*
 * ledger.c — accounts and the balanced ledger on PostgreSQL.  This is
 * where the engine's concurrency design lives (with audit.c's chains):
 *
 *  - account_lock and ledger_post lock the account rows they touch with
 *    one SELECT ... ORDER BY id FOR NO KEY UPDATE.  Every transaction
 *    takes account locks in ascending id order, so two settlements over
 *    shared accounts queue instead of deadlocking (S8).  NO KEY UPDATE is
 *    exactly the lock the balance UPDATE takes anyway, so nothing has to
 *    be upgraded later, and it does not block the key-share locks that
 *    foreign-key checks take.
 *  - issue 16: the rows account_lock locked (and read, under the lock)
 *    are remembered until the next savepoint or transaction boundary:
 *    nothing but this transaction can change a row it has locked, so
 *    account_by_id answers them from memory and ledger_post checks its
 *    posting on them without locking again — two or three round trips
 *    less per settlement.  A posting moves the copies as it moves the
 *    rows; closing an account, a rollback_to (which releases the locks
 *    taken since its savepoint and undoes the moves) forget them.
 *  - ledger_post checks the posting (balanced, accounts open, no personal
 *    balance below zero) on the rows it has just locked, then writes the
 *    transaction, its entries and the new balances in ONE statement.  A
 *    refusal therefore changes nothing and leaves the caller's transaction
 *    usable, as on SQLite.  The UPDATE still carries the guard
 *    "kind <> 'personal' OR balance_fen + delta >= 0" and the table its
 *    CHECK constraint: the rule holds even if the check above were wrong.
 *  - audit_head (and audit_insert) claim one of PG_AUDIT_CHAINS hash
 *    chains with a transaction-scoped advisory lock, held to commit
 *    (audit.c).
 *  - system accounts and institution receivables are not locked or
 *    updated: a posting adds to their sub-account of the connection's
 *    slot (pgha).  A receivable is a hot row too (every settlement of a
 *    large hospital moves it), and with group commit on several writers
 *    a shared row locked in a different order by two batches would be a
 *    deadlock; nothing bounds its balance, so it needs no lock.
 */
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "store/pg/pg_int.h"

static pg_store *PS(yb_store *st)
{
	return (pg_store *)st;
}

/* --- accounts ---------------------------------------------------------- */

/* pgha: the accounts never locked or updated by a posting (the system
 * accounts and the institutions' receivables): it adds to the
 * sub-account of its connection's slot (account_slots). */
#define SLOTTED_KINDS \
	"('fund_pool', 'contribution_income', 'patient_cash', " \
	"'closed_liability', 'institution_receivable')"

static bool slotted_kind(yb_account_kind kind)
{
	return yb_is_system_kind(kind) ||
	       kind == YB_ACC_INSTITUTION_RECEIVABLE;
}

/* A slotted account's balance is its row's plus its sub-accounts'. */
#define ACCOUNT_BALANCE \
	"(balance_fen + CASE WHEN kind IN " SLOTTED_KINDS " THEN coalesce(" \
	"(SELECT sum(s.balance_fen) FROM account_slots s " \
	" WHERE s.account_id = accounts.id), 0)::bigint ELSE 0 END)"

#define ACCOUNT_COLS \
	"id, kind, person_id, institution_code, " ACCOUNT_BALANCE ", " \
	"closed_at IS NOT NULL, created_at"

/* A new account starts at zero and open, whatever *a says: money only
 * moves by ledger postings, so every balance equals the sum of its
 * entries (ledger_check). */
static const pg_stmt st_account_insert = { "account_insert",
	"INSERT INTO accounts (kind, person_id, institution_code, balance_fen, "
	"  created_at) VALUES ($1, $2, $3, 0, $4) RETURNING id", NULL };
static const pg_stmt st_account_by_id = { "account_by_id",
	"SELECT " ACCOUNT_COLS " FROM accounts WHERE id = $1", NULL };
static const pg_stmt st_account_personal_of = { "account_personal_of",
	"SELECT " ACCOUNT_COLS " FROM accounts "
	"WHERE person_id = $1 AND kind = 'personal'", NULL };
static const pg_stmt st_account_system = { "account_system",
	"SELECT " ACCOUNT_COLS " FROM accounts WHERE kind = $1 "
	"  AND kind IN ('fund_pool', 'contribution_income', 'patient_cash', "
	"               'closed_liability')", NULL };
static const pg_stmt st_account_set_closed = { "account_set_closed",
	"UPDATE accounts SET closed_at = $2 WHERE id = $1", NULL };
/* Locks the rows of the accounts a posting moves, in id order, and
 * reads the slotted accounts among them without locking (their balance
 * is not needed: nothing bounds it).  The columns after the fourth are
 * the rest of a yb_account, for account_by_id (issue 16). */
#define ACCOUNT_LOCK(skip) \
	"WITH l AS (SELECT id, kind, balance_fen, closed_at IS NOT NULL, " \
	"             person_id, institution_code, created_at " \
	"           FROM accounts WHERE id = ANY($1::bigint[]) " \
	"             AND kind NOT IN " SLOTTED_KINDS " " \
	"           ORDER BY id FOR NO KEY UPDATE" skip "), " \
	"s AS (SELECT id, kind, 0::bigint, closed_at IS NOT NULL, " \
	"        person_id, institution_code, created_at " \
	"      FROM accounts WHERE id = ANY($1::bigint[]) " \
	"        AND kind IN " SLOTTED_KINDS ") " \
	"SELECT * FROM l UNION ALL SELECT * FROM s ORDER BY 1"
static const pg_stmt st_account_lock = { "account_lock",
	ACCOUNT_LOCK(""), NULL };
/* pg6: a job that must not wait (store.h batch_job) locks what it can;
 * when a row is missing, the count says whether it exists (held by
 * another transaction) or not.  SKIP LOCKED takes the same locks in the
 * same order, and waits for none. */
static const pg_stmt st_account_lock_nowait = { "account_lock_nowait",
	ACCOUNT_LOCK(" SKIP LOCKED"), NULL };
/*
 * pg8 (hint.c): the same lock, taken ahead in the hint's round trip, of
 * the accounts the settlement will ask account_lock for — computed here
 * from the same rows the service reads them from: the patient's open
 * personal account ($5) and the active authorizers' open accounts ($6:
 * family pay allowed for the visit), of the card $1 (issued: the only
 * state that settles) or the ID number $1, of a patient not terminated,
 * and none when the institution $2 already settled txn_id $3 (a repeat
 * locks nothing); with the slotted ones $4 (read, not locked).  More
 * candidates than the service brings along (PAYERS_MAX) are all locked:
 * a superset, which account_lock serves.
 */
#define LOCK_AHEAD_IDS(holder, cond) \
	"WITH h AS MATERIALIZED (SELECT p.id FROM " holder " " \
	"  WHERE " cond " AND p.status <> 'terminated' " \
	"    AND NOT EXISTS (SELECT 1 FROM settlements x " \
	"      WHERE x.institution_code = $2 AND x.txn_id = $3)), " \
	"w AS MATERIALIZED (SELECT ARRAY(" \
	"  SELECT a.id FROM h JOIN accounts a ON a.person_id = h.id " \
	"    AND a.kind = 'personal' AND a.closed_at IS NULL WHERE $5 " \
	"  UNION ALL " \
	"  SELECT a.id FROM h " \
	"    JOIN bindings b ON b.relative_id = h.id AND b.ended_at IS NULL " \
	"    JOIN persons pa ON pa.id = b.authorizer_id " \
	"      AND pa.status = 'active' " \
	"    JOIN accounts a ON a.person_id = b.authorizer_id " \
	"      AND a.kind = 'personal' AND a.closed_at IS NULL WHERE $6" \
	") || $4::bigint[] AS ids) "
#define LOCK_AHEAD(holder, cond, skip) \
	LOCK_AHEAD_IDS(holder, cond) \
	", l AS (SELECT id, kind, balance_fen, closed_at IS NOT NULL, " \
	"          person_id, institution_code, created_at " \
	"        FROM accounts WHERE id = ANY((SELECT ids FROM w)::bigint[]) " \
	"          AND kind NOT IN " SLOTTED_KINDS " " \
	"        ORDER BY id FOR NO KEY UPDATE" skip "), " \
	"s AS (SELECT id, kind, 0::bigint, closed_at IS NOT NULL, " \
	"        person_id, institution_code, created_at " \
	"      FROM accounts WHERE id = ANY((SELECT ids FROM w)::bigint[]) " \
	"        AND kind IN " SLOTTED_KINDS ") " \
	"SELECT * FROM l UNION ALL SELECT * FROM s ORDER BY 1"
#define BY_CARD "cards c JOIN persons p ON p.id = c.person_id"
#define CARD_COND "c.card_no = $1 AND c.state = 'issued'"
#define BY_IDNUM "persons p"
#define IDNUM_COND "p.id_number = $1"
static const pg_stmt st_lock_ahead_card = { "lock_ahead_card",
	LOCK_AHEAD(BY_CARD, CARD_COND, ""), NULL };
static const pg_stmt st_lock_ahead_card_nowait = { "lock_ahead_card_nowait",
	LOCK_AHEAD(BY_CARD, CARD_COND, " SKIP LOCKED"), NULL };
static const pg_stmt st_lock_ahead_idnum = { "lock_ahead_idnum",
	LOCK_AHEAD(BY_IDNUM, IDNUM_COND, ""), NULL };
static const pg_stmt st_lock_ahead_idnum_nowait = {
	"lock_ahead_idnum_nowait",
	LOCK_AHEAD(BY_IDNUM, IDNUM_COND, " SKIP LOCKED"), NULL };

const pg_stmt *pg_lock_ahead_stmt(bool idnum, bool nowait)
{
	if (idnum)
		return nowait ? &st_lock_ahead_idnum_nowait
			      : &st_lock_ahead_idnum;
	return nowait ? &st_lock_ahead_card_nowait : &st_lock_ahead_card;
}

static const pg_stmt st_account_count = { "account_count",
	"SELECT count(*) FROM accounts WHERE id = ANY($1::bigint[])", NULL };

int pg_decode_account(pg_row *r, void *out)
{
	yb_account *a = out;
	memset(a, 0, sizeof *a);
	a->id = pg_r_i64(r);
	PG_R_ENUM(r, yb_account_kind_from_str, &a->kind);
	a->person_id = pg_r_i64(r);
	pg_r_str(r, a->institution_code, sizeof a->institution_code);
	a->balance_fen = pg_r_i64(r);
	a->closed = pg_r_bool(r);
	a->created_at = pg_r_i64(r);
	return 0;
}

int pg_account_insert(yb_store *st, yb_account *a, yb_err *err)
{
	pg_params q;
	PGresult *res;

	pg_params_init(&q);
	pg_p_text(&q, yb_account_kind_str(a->kind));
	pg_p_id(&q, a->person_id);
	pg_p_opt_text(&q, a->institution_code);
	pg_p_i64(&q, a->created_at);
	res = pg_run_release(PS(st), &st_account_insert, &q, err);
	if (!res)
		return -1;
	a->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	a->balance_fen = 0;
	a->closed = false;
	PQclear(res);
	return 0;
}

/* A row account_lock holds for this request, as it is now, or NULL. */
static const yb_account *locked_row(const pg_store *ps, yb_id id)
{
	for (int i = 0; i < ps->nlocked; i++)
		if (ps->locked[i].id == id)
			return &ps->locked[i];
	return NULL;
}

int pg_account_by_id(yb_store *st, yb_id id, yb_account *out, yb_err *err)
{
	const yb_account *held = locked_row(PS(st), id);
	pg_params q;

	/* issue 16: a row locked since it was read cannot have changed but
	 * by this transaction's postings, which keep the copy current; a
	 * slotted account's balance is its slots' sum, not in the copy */
	if (held && !slotted_kind(held->kind)) {
		*out = *held;
		return 1;
	}
	pg_params_init(&q);
	pg_p_i64(&q, id);
	return pg_lookup(PS(st), &st_account_by_id, &q, pg_decode_account, out,
			 err);
}

int pg_account_personal_of(yb_store *st, yb_id person_id, yb_account *out,
			   yb_err *err)
{
	pg_params q;
	int found;

	if (pg_pre_account(PS(st), person_id, out, &found))  /* card.c */
		return found;
	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	return pg_lookup(PS(st), &st_account_personal_of, &q, pg_decode_account,
			 out, err);
}

int pg_account_system(yb_store *st, yb_account_kind kind, yb_account *out,
		      yb_err *err)
{
	pg_params q;

	if (yb_check_system_kind(kind, err) < 0)
		return -1;
	pg_params_init(&q);
	pg_p_text(&q, yb_account_kind_str(kind));
	return pg_lookup(PS(st), &st_account_system, &q, pg_decode_account, out,
			 err);
}

int pg_account_system_id(yb_store *st, yb_account_kind kind, yb_id *id,
			 yb_err *err)
{
	pg_store *ps = PS(st);
	yb_account a;
	int found;

	if (yb_check_system_kind(kind, err) < 0)
		return -1;
	if (!ps->system_account_id[kind]) {
		found = pg_account_system(st, kind, &a, err);
		if (found <= 0)
			return found;
		ps->system_account_id[kind] = a.id;
	}
	*id = ps->system_account_id[kind];
	return 1;
}

int pg_account_set_closed(yb_store *st, yb_id id, yb_time at, yb_err *err)
{
	pg_params q;

	PS(st)->nlocked = 0;      /* the remembered rows: one changes */
	pg_params_init(&q);
	pg_p_i64(&q, id);
	pg_p_i64(&q, at);
	return pg_update_one(PS(st), &st_account_set_closed, &q,
			     YB_REFUSE_ACCOUNT_NOT_FOUND, id, err);
}

static int cmp_id(const void *a, const void *b)
{
	yb_id x = *(const yb_id *)a, y = *(const yb_id *)b;
	return (x > y) - (x < y);
}

/* Sort and de-duplicate ids in place; returns the new count. */
static int unique_ids(yb_id *ids, int n)
{
	int m = 0;

	qsort(ids, (size_t)n, sizeof *ids, cmp_id);
	for (int i = 0; i < n; i++)
		if (m == 0 || ids[m - 1] != ids[i])
			ids[m++] = ids[i];
	return m;
}

/* Lock the rows of ids[0..n) (sorted, distinct); the result has one row
 * per existing account: id, kind, balance_fen, closed. */
static PGresult *lock_accounts_as(pg_store *ps, const yb_id *ids, int n,
				  bool draw, yb_err *err)
{
	pg_params q;
	PGresult *res, *cnt;
	int64_t exist;
	const pg_stmt *s = ps->job_nowait && ps->in_txn
				   ? &st_account_lock_nowait : &st_account_lock;

	pg_params_init(&q);
	pg_p_i64_array(&q, ids, n);
	/* pg5: with the ids the request's deferred inserts will name */
	res = draw ? pg_run_drawing_ids(ps, s, &q, err)
		   : pg_run_release(ps, s, &q, err);
	if (s == &st_account_lock)
		return res;
	/* pg6: not waiting for another transaction's rows (store.h
	 * batch_job) */
	if (!res || PQntuples(res) >= n)
		return res;
	pg_params_init(&q);
	pg_p_i64_array(&q, ids, n);
	cnt = pg_run_release(ps, &st_account_count, &q, err);
	if (!cnt) {
		PQclear(res);
		return NULL;
	}
	exist = strtoll(PQgetvalue(cnt, 0, 0), NULL, 10);
	PQclear(cnt);
	if (exist <= PQntuples(res))
		return res;     /* only accounts that do not exist are missing */
	PQclear(res);
	ps->job_refused = true;
	yb_errf(err, "store.busy",
		"an account is held by another writer's batch");
	return NULL;
}

static PGresult *lock_accounts(pg_store *ps, const yb_id *ids, int n,
			       yb_err *err)
{
	return lock_accounts_as(ps, ids, n, false, err);
}

/* pg5: account_lock's (a settlement's, a revocation's, a premium's: the
 * use cases that lock before they write) draws the ids the request's
 * deferred inserts will name, in the same round trip (ids.c). */
static PGresult *lock_accounts_drawing_ids(pg_store *ps, const yb_id *ids,
					   int n, yb_err *err)
{
	return lock_accounts_as(ps, ids, n, true, err);
}

/* Remember the rows just locked (in a write transaction, where the
 * locks last): the later reads of this request are answered from them. */
void pg_remember_locked(pg_store *ps, PGresult *res)
{
	int n = PQntuples(res);

	ps->nlocked = 0;
	if (!ps->in_txn || !ps->txn_write || n > PG_LOCKED_MAX)
		return;
	for (int i = 0; i < n; i++) {
		pg_row r = pg_row_at(res, i);
		yb_account *a = &ps->locked[i];

		memset(a, 0, sizeof *a);
		a->id = pg_r_i64(&r);
		PG_R_ENUM(&r, yb_account_kind_from_str, &a->kind);
		a->balance_fen = pg_r_i64(&r);
		a->closed = pg_r_bool(&r);
		a->person_id = pg_r_i64(&r);
		pg_r_str(&r, a->institution_code, sizeof a->institution_code);
		a->created_at = pg_r_i64(&r);
		if (r.bad)
			return;     /* ask the database instead */
	}
	ps->nlocked = n;
}

int pg_account_lock(yb_store *st, const yb_id *ids, int n, yb_err *err)
{
	yb_id *sorted;
	PGresult *res;

	if (n <= 0)
		return 0;
	sorted = malloc((size_t)n * sizeof *sorted);
	if (!sorted)
		return yb_errf(err, "out_of_memory", "out of memory");
	memcpy(sorted, ids, (size_t)n * sizeof *sorted);
	n = unique_ids(sorted, n);
	/* pg8: locked ahead by the settlement's hint, all of them (hint.c);
	 * else as before — any locked ahead are locked again, no wait */
	if (pg_hint_lock(PS(st), sorted, n)) {
		free(sorted);
		return 0;
	}
	res = lock_accounts_drawing_ids(PS(st), sorted, n, err);
	free(sorted);
	if (!res)
		return -1;
	pg_remember_locked(PS(st), res);
	PQclear(res);
	return 0;
}

/* --- ledger ------------------------------------------------------------ */

/*
 * The write half of ledger_post, one round trip: the transaction row,
 * the balance moves (guarded), and the entries in posting order with the
 * balance each one left.  Answers the new transaction's id and how many
 * accounts the UPDATE moved (all of them, or the guard tripped).
 */
/* The balance moves and the entries of the write below, after its
 * transaction row `t`. */
#define LEDGER_WRITE_MOVES \
	"u AS (UPDATE accounts a SET balance_fen = a.balance_fen + d.delta " \
	"      FROM unnest($4::bigint[], $5::bigint[]) AS d(id, delta) " \
	"      WHERE a.id = d.id AND a.closed_at IS NULL " \
	"        AND (a.kind <> 'personal' OR a.balance_fen + d.delta >= 0) " \
	"      RETURNING a.id), " \
	/* pgha: system accounts move their slot's sub-account; its \
	 * balance before is what the entries' running balances start at */ \
	"s AS (INSERT INTO account_slots AS c (account_id, slot, balance_fen) " \
	"      SELECT d.id, $9, d.delta " \
	"      FROM unnest($10::bigint[], $11::bigint[]) AS d(id, delta) " \
	"      ORDER BY d.id " \
	"      ON CONFLICT (account_id, slot) DO UPDATE " \
	"        SET balance_fen = c.balance_fen + EXCLUDED.balance_fen " \
	"      RETURNING c.account_id, c.balance_fen), " \
	"b AS (SELECT s.account_id AS id, s.balance_fen - d.delta AS before " \
	"      FROM s JOIN unnest($10::bigint[], $11::bigint[]) AS d(id, delta) " \
	"        ON d.id = s.account_id), " \
	"e AS (INSERT INTO ledger_entries (txn_id, account_id, amount_fen, " \
	"        balance_after_fen) " \
	"      SELECT t.id, x.acc, x.amt, x.after + coalesce(b.before, 0) " \
	"      FROM t, unnest($6::bigint[], $7::bigint[], $8::bigint[]) " \
	"        WITH ORDINALITY AS x(acc, amt, after, ord) " \
	"        LEFT JOIN b ON b.id = x.acc " \
	"      ORDER BY x.ord) "

static const pg_stmt st_ledger_write = { "ledger_write",
	"WITH t AS (INSERT INTO ledger_txns (kind, ref, at) "
	"           VALUES ($1, $2, $3) RETURNING id), "
	LEDGER_WRITE_MOVES
	"SELECT (SELECT id FROM t), (SELECT count(*) FROM u), "
	"  (SELECT count(*) FROM s)", NULL };

/*
 * pg5: the same write deferred in a lazy batch (stmt.c pg_defer): its
 * transaction's id reserved ahead ($12, ids.c), and since nobody reads
 * its answer, a guard that tripped (a row not moved) fails it —
 * division by zero — which spoils the batch; the replay runs the write
 * above and reports what the guard found.
 */
static const pg_stmt st_ledger_write_deferred = { "ledger_write_deferred",
	"WITH t AS (INSERT INTO ledger_txns (id, kind, ref, at) "
	"           VALUES ($12, $1, $2, $3) RETURNING id), "
	LEDGER_WRITE_MOVES
	"SELECT 1 / ((SELECT count(*) FROM u) = $13 "
	"  AND (SELECT count(*) FROM s) = $14)::int", NULL };

/* What ledger_post knows of one account it posts to. */
typedef struct post_acct {
	yb_id id;
	bool personal;
	bool slotted;           /* moved through its slot (pgha) */
	bool closed;
	int64_t balance;        /* running, as the entries apply */
	int64_t delta;
} post_acct;

static post_acct *find_acct(post_acct *a, int n, yb_id id)
{
	for (int i = 0; i < n; i++)
		if (a[i].id == id)
			return &a[i];
	return NULL;
}

static void acct_fill(post_acct *a, yb_id id, yb_account_kind kind,
		      int64_t balance, bool closed)
{
	a->id = id;
	a->personal = kind == YB_ACC_PERSONAL;
	a->slotted = slotted_kind(kind);
	a->balance = balance;
	a->closed = closed;
	a->delta = 0;
}

/* The posting's accounts (ids sorted, distinct), locked: from the rows
 * account_lock remembered when it holds them all (issue 16: a round
 * trip less per settlement), else locked now.  *nacct is fewer than n
 * when an account does not exist. */
static int load_accts(pg_store *ps, const yb_id *ids, int n,
		      post_acct *accts, int *nacct, yb_err *err)
{
	PGresult *res;
	int i;

	for (i = 0; i < n; i++) {
		const yb_account *a = locked_row(ps, ids[i]);
		if (!a)
			break;
		acct_fill(&accts[i], a->id, a->kind, a->balance_fen, a->closed);
	}
	*nacct = n;
	if (i == n)
		return 0;
	res = lock_accounts(ps, ids, n, err);
	if (!res)
		return -1;
	*nacct = PQntuples(res);
	for (i = 0; i < *nacct; i++) {
		pg_row r = pg_row_at(res, i);
		yb_account_kind kind = YB_ACC_PERSONAL;
		yb_id id = pg_r_i64(&r);
		int64_t balance;

		PG_R_ENUM(&r, yb_account_kind_from_str, &kind);
		balance = pg_r_i64(&r);
		acct_fill(&accts[i], id, kind, balance, pg_r_bool(&r));
		if (r.bad) {
			PQclear(res);
			return pg_corrupt(err, "account");
		}
	}
	PQclear(res);
	return 0;
}

/* Check the posting against its locked accounts and compute each
 * entry's balance_after; 0 or -1 with the refusal. */
static int check_posting(const yb_posting *p, post_acct *accts, int nacct,
			 int64_t *after, yb_err *err)
{
	/* Entry by entry, as the SQLite engine moves them: a personal
	 * account may not dip below zero even in the middle of a posting. */
	for (int i = 0; i < p->n; i++) {
		post_acct *a = find_acct(accts, nacct, p->entries[i].account_id);
		int64_t amt = p->entries[i].amount_fen;

		if (!a)
			return yb_refuse_id(err, YB_REFUSE_ACCOUNT_NOT_FOUND,
					    p->entries[i].account_id);
		if (a->closed)
			return yb_refuse_id(err, YB_REFUSE_ACCOUNT_CLOSED, a->id);
		if (__builtin_add_overflow(a->balance, amt, &a->balance) ||
		    __builtin_add_overflow(a->delta, amt, &a->delta))
			return yb_refuse_id(err, YB_REFUSE_BALANCE_OVERFLOW,
					    a->id);
		if (a->personal && a->balance < 0)
			return yb_refuse_id_fen(err,
						YB_REFUSE_INSUFFICIENT_BALANCE,
						a->id, -amt);
		after[i] = a->balance;
	}
	return 0;
}

/* The remembered rows move as their rows did. */
static void moved(pg_store *ps, const yb_id *ids, const int64_t *deltas,
		  int nrow)
{
	for (int i = 0; i < nrow; i++)
		for (int j = 0; j < ps->nlocked; j++)
			if (ps->locked[j].id == ids[i])
				ps->locked[j].balance_fen += deltas[i];
}

/* pg5: the write of `q` (built for st_ledger_write) deferred, its
 * transaction's id reserved ahead; releases q. */
static int write_deferred(pg_store *ps, pg_params *q, int nrow, int nsys,
			  const yb_id *ids, const int64_t *deltas,
			  yb_id *txn_id, yb_err *err)
{
	int64_t id;

	if (pg_reserve_id(ps, PG_ID_LEDGER_TXN, &id, err) < 0) {
		pg_params_release(q);
		return -1;
	}
	pg_p_i64(q, id);
	pg_p_i64(q, nrow);
	pg_p_i64(q, nsys);
	if (pg_defer(ps, &st_ledger_write_deferred, q, err) < 0)
		return -1;
	if (txn_id)
		*txn_id = id;
	moved(ps, ids, deltas, nrow);
	return 0;
}

/* Lock, check, write: the body of ledger_post inside a transaction. */
static int post(pg_store *ps, const yb_posting *p, yb_time at, yb_id *txn_id,
		yb_err *err)
{
	yb_id ids[YB_POSTING_MAX_ENTRIES];
	post_acct accts[YB_POSTING_MAX_ENTRIES];
	int64_t deltas[YB_POSTING_MAX_ENTRIES];
	int64_t ent_acc[YB_POSTING_MAX_ENTRIES];
	int64_t ent_amt[YB_POSTING_MAX_ENTRIES];
	int64_t after[YB_POSTING_MAX_ENTRIES];
	yb_id sys_ids[YB_POSTING_MAX_ENTRIES];
	int64_t sys_deltas[YB_POSTING_MAX_ENTRIES];
	PGresult *res;
	pg_params q;
	int nacct, nrow = 0, nsys = 0;

	for (int i = 0; i < p->n; i++) {
		ids[i] = p->entries[i].account_id;
		ent_acc[i] = p->entries[i].account_id;
		ent_amt[i] = p->entries[i].amount_fen;
	}
	nacct = unique_ids(ids, p->n);
	if (load_accts(ps, ids, nacct, accts, &nacct, err) < 0 ||
	    check_posting(p, accts, nacct, after, err) < 0)
		return -1;
	/* rows (updated in place) and system accounts (through a slot) */
	for (int i = 0; i < nacct; i++) {
		if (accts[i].slotted) {
			sys_ids[nsys] = accts[i].id;
			sys_deltas[nsys++] = accts[i].delta;
		} else {
			ids[nrow] = accts[i].id;
			deltas[nrow++] = accts[i].delta;
		}
	}

	pg_params_init(&q);
	pg_p_text(&q, p->kind);
	pg_p_text(&q, p->ref);
	pg_p_i64(&q, at);
	pg_p_i64_array(&q, ids, nrow);
	pg_p_i64_array(&q, deltas, nrow);
	pg_p_i64_array(&q, ent_acc, p->n);
	pg_p_i64_array(&q, ent_amt, p->n);
	pg_p_i64_array(&q, after, p->n);
	pg_p_i64(&q, ps->slot);
	pg_p_i64_array(&q, sys_ids, nsys);
	pg_p_i64_array(&q, sys_deltas, nsys);
	if (pg_deferring(ps))
		return write_deferred(ps, &q, nrow, nsys, ids, deltas, txn_id,
				      err);
	res = pg_run_release(ps, &st_ledger_write, &q, err);
	if (!res)
		return -1;
	if (strtoll(PQgetvalue(res, 0, 1), NULL, 10) != nrow ||
	    strtoll(PQgetvalue(res, 0, 2), NULL, 10) != nsys) {
		/* the rows are locked and were just checked: cannot happen */
		PQclear(res);
		return yb_errf(err, "store.error",
			       "ledger guard refused a checked posting");
	}
	if (txn_id)
		*txn_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	moved(ps, ids, deltas, nrow);
	return 0;
}

int pg_ledger_post(yb_store *st, const yb_posting *p, yb_time at,
		   yb_id *txn_id, yb_err *err)
{
	pg_store *ps = PS(st);
	bool own;
	int rc;

	if (yb_check_posting(p, err) < 0)
		return -1;
	/* the locks must live until the write: never outside a transaction */
	if (pg_auto_begin(ps, &own, err) < 0)
		return -1;
	rc = post(ps, p, at, txn_id, err);
	return pg_auto_end(ps, own, rc == 0, err);
}

static const pg_stmt st_ledger_lines = { "ledger_lines",
	"SELECT e.id, e.txn_id, t.kind, t.ref, e.amount_fen, "
	"  e.balance_after_fen, t.at "
	"FROM ledger_entries e JOIN ledger_txns t ON t.id = e.txn_id "
	"WHERE e.account_id = $1 AND e.id < $2 ORDER BY e.id DESC LIMIT $3",
	NULL };

int pg_decode_ledger_line(pg_row *r, void *out)
{
	yb_ledger_line *l = out;
	memset(l, 0, sizeof *l);
	l->entry_id = pg_r_i64(r);
	l->txn_id = pg_r_i64(r);
	pg_r_str(r, l->kind, sizeof l->kind);
	pg_r_str(r, l->ref, sizeof l->ref);
	l->amount_fen = pg_r_i64(r);
	l->balance_after_fen = pg_r_i64(r);
	l->at = pg_r_i64(r);
	return 0;
}

int pg_ledger_lines(yb_store *st, yb_id account_id, yb_id before, int limit,
		    yb_ledger_line **out, int *n, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, account_id);
	pg_p_i64(&q, pg_before(before));
	pg_p_i64(&q, pg_limit(limit));
	return pg_list(PS(st), &st_ledger_lines, &q, sizeof **out,
		       pg_decode_ledger_line,
		       (void **)out, n, err);
}

/* Sums are cast back to bigint: an overflow is an error, not a wrong
 * number. */
static const pg_stmt st_ledger_check = { "ledger_check",
	"SELECT (SELECT count(*) FROM accounts), "
	"  (SELECT count(*) FROM ledger_txns), "
	"  (SELECT count(*) FROM ledger_entries), "
	"  (SELECT (coalesce(sum(balance_fen), 0) + (SELECT coalesce("
	"     sum(balance_fen), 0) FROM account_slots))::bigint FROM accounts), "
	"  (SELECT coalesce(sum(amount_fen), 0)::bigint FROM ledger_entries), "
	/* unbalanced: sum not 0, fewer than two entries, or none at all */
	"  (SELECT count(*) FROM ledger_txns t LEFT JOIN "
	"     (SELECT txn_id, sum(amount_fen) AS s, count(*) AS c "
	"      FROM ledger_entries GROUP BY txn_id) e ON e.txn_id = t.id "
	"   WHERE e.txn_id IS NULL OR e.s <> 0 OR e.c < 2), "
	"  (SELECT count(*) FROM accounts a LEFT JOIN "
	"     (SELECT account_id, sum(amount_fen) AS s FROM ledger_entries "
	"      GROUP BY account_id) e ON e.account_id = a.id "
	"   WHERE a.balance_fen + coalesce((SELECT sum(s.balance_fen) "
	"     FROM account_slots s WHERE s.account_id = a.id), 0) "
	"     <> coalesce(e.s, 0)), "
	"  (SELECT count(*) FROM accounts "
	"   WHERE kind = 'personal' AND balance_fen < 0), "
	"  (" YB_SQL_DANGLING_REFS ")", NULL };

int pg_ledger_check(yb_store *st, yb_ledger_report *out, yb_err *err)
{
	PGresult *res = pg_run(PS(st), &st_ledger_check, NULL, err);
	pg_row r;

	if (!res)
		return -1;
	r = pg_row_at(res, 0);
	memset(out, 0, sizeof *out);
	out->accounts = pg_r_i64(&r);
	out->transactions = pg_r_i64(&r);
	out->entries = pg_r_i64(&r);
	out->sum_balances_fen = pg_r_i64(&r);
	out->sum_entries_fen = pg_r_i64(&r);
	out->unbalanced_transactions = pg_r_i64(&r);
	out->mismatched_accounts = pg_r_i64(&r);
	out->negative_personal = pg_r_i64(&r);
	out->dangling_refs = pg_r_i64(&r);
	PQclear(res);
	return r.bad ? pg_corrupt(err, "ledger report") : 0;
}

