/*
 * ledger.c — SQLite engine: accounts and the balanced ledger (SPEC
 * A1–A3).  See store.h for what each operation promises.
 *
 * Balances live in accounts.balance_fen and are moved only by
 * ledger_post, in the same savepoint as the entries that explain them.
 * A2 is enforced three times over: ledger_post refuses an entry that
 * would take a personal account below zero, the UPDATE that moves a
 * balance runs under the schema's CHECK personal_not_negative, and the
 * write lock (BEGIN IMMEDIATE) means no two writers ever read the same
 * balance to change it.
 */
#include "store/sqlite/sqlite_int.h"

#include <inttypes.h>
#include <string.h>

#include "core/enums.h"

/* ---- accounts ---------------------------------------------------------------- */

#define ACCOUNT_COLS \
	"id, kind, person_id, institution_code, balance_fen, closed_at, created_at"

static int read_account(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_account *a = elem;

	memset(a, 0, sizeof *a);
	a->id = sq_col_int(q, 0);
	if (SQ_COL_ENUM(q, 1, yb_account_kind_from_str, &a->kind,
			"account kind", err) < 0)
		return -1;
	a->person_id = sq_col_int(q, 2);
	sq_col_text(q, 3, a->institution_code, sizeof a->institution_code);
	a->balance_fen = sq_col_int(q, 4);
	a->closed = sqlite3_column_type(q, 5) != SQLITE_NULL;
	a->created_at = sq_col_int(q, 6);
	return 0;
}

/* An account starts at balance 0 and open, whatever *a says: only
 * ledger_post moves money (A1), and a->balance_fen / a->closed are set
 * to match what was stored. */
int sq_account_insert(yb_store *st, yb_account *a, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_ACCOUNT_INSERT,
		"INSERT INTO accounts (kind, person_id, institution_code, "
		"balance_fen, created_at) VALUES (?1, ?2, ?3, 0, ?4)", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, yb_account_kind_str(a->kind));
	sq_bind_opt_int(q, 2, a->person_id);
	sq_bind_opt_text(q, 3, a->institution_code);
	sqlite3_bind_int64(q, 4, a->created_at);
	if (sq_insert(s, q, YB_REFUSE_ACCOUNT_DUPLICATE, &a->id, err) < 0)
		return -1;
	a->balance_fen = 0;
	a->closed = false;
	return 0;
}

int sq_account_by_id(yb_store *st, yb_id id, yb_account *out, yb_err *err)
{
	return sq_get_by_int(sq_of(st), SQ_ACCOUNT_BY_ID,
		"SELECT " ACCOUNT_COLS " FROM accounts WHERE id = ?1",
		id, read_account, out, err);
}

int sq_account_personal_of(yb_store *st, yb_id person_id, yb_account *out,
			   yb_err *err)
{
	return sq_get_by_int(sq_of(st), SQ_ACCOUNT_PERSONAL_OF,
		"SELECT " ACCOUNT_COLS " FROM accounts "
		"WHERE person_id = ?1 AND kind = 'personal'",
		person_id, read_account, out, err);
}

int sq_account_system(yb_store *st, yb_account_kind kind, yb_account *out,
		      yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q;
	int found;

	if (yb_check_system_kind(kind, err) < 0)
		return -1;
	if (s->system_account_id[kind])
		return sq_account_by_id(st, s->system_account_id[kind], out,
					err);
	/* The WHERE repeats the partial index's condition so the planner
	 * uses accounts_system instead of scanning every account. */
	q = sq_stmt(s, SQ_ACCOUNT_SYSTEM,
		    "SELECT " ACCOUNT_COLS " FROM accounts WHERE kind = ?1 "
		    "AND person_id IS NULL AND institution_code IS NULL", err);
	if (!q)
		return -1;
	sq_bind_text(q, 1, yb_account_kind_str(kind));
	found = sq_lookup(s, q, read_account, out, err);
	if (found > 0)
		s->system_account_id[kind] = out->id;
	return found;
}

int sq_account_system_id(yb_store *st, yb_account_kind kind, yb_id *id,
			 yb_err *err)
{
	sq_store *s = sq_of(st);
	yb_account a;
	int found;

	if (yb_check_system_kind(kind, err) < 0)
		return -1;
	if (!s->system_account_id[kind]) {
		found = sq_account_system(st, kind, &a, err);
		if (found <= 0)
			return found;
	}
	*id = s->system_account_id[kind];
	return 1;
}

int sq_account_set_closed(yb_store *st, yb_id id, yb_time at, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_ACCOUNT_SET_CLOSED,
		"UPDATE accounts SET closed_at = ?2 WHERE id = ?1", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, at);
	return sq_update_one(s, q, YB_REFUSE_ACCOUNT_NOT_FOUND, id, err);
}

/* SQLite has one writer at a time: a write transaction (BEGIN IMMEDIATE)
 * already holds every row it will touch. */
int sq_account_lock(yb_store *st, const yb_id *ids, int n, yb_err *err)
{
	return 0;
}

/* ---- posting ---------------------------------------------------------------- */

/* Why moving account `id` failed: the UPDATE found no open row, or a
 * CHECK refused the new balance. */
static int move_failed(sq_store *s, yb_id id, int64_t amount, int step,
		       yb_err *err)
{
	yb_account a;
	int found;

	if ((step & 0xff) == SQLITE_CONSTRAINT) {
		const char *msg = sqlite3_errmsg(s->db);

		if (strstr(msg, "personal_not_negative"))
			return yb_refuse_id_fen(err,
						YB_REFUSE_INSUFFICIENT_BALANCE,
						id, -amount);
		if (strstr(msg, "balance_integer"))
			return yb_refuse_id(err, YB_REFUSE_BALANCE_OVERFLOW, id);
		return sq_fail(s, err);
	}
	if (step != SQLITE_DONE)
		return sq_fail(s, err);
	found = sq_account_by_id(&s->base, id, &a, err);
	if (found < 0)
		return -1;
	if (found == 0)
		return yb_refuse_id(err, YB_REFUSE_ACCOUNT_NOT_FOUND, id);
	return yb_refuse_id(err, YB_REFUSE_ACCOUNT_CLOSED, id);
}

/*
 * Move one account's balance and append its entry, whose balance_after
 * the INSERT reads back from the row just moved (a lookup by rowid).
 * Not UPDATE ... RETURNING: SQLite runs a RETURNING clause through an
 * ephemeral table, which cost the writer more than the read.
 */
static int post_entry(sq_store *s, yb_id txn, const yb_entry *e, yb_err *err)
{
	sqlite3_stmt *move = sq_stmt(s, SQ_BALANCE_MOVE,
		"UPDATE accounts SET balance_fen = balance_fen + ?2 "
		"WHERE id = ?1 AND closed_at IS NULL", err);
	sqlite3_stmt *ins;
	int step;

	if (!move)
		return -1;
	sqlite3_bind_int64(move, 1, e->account_id);
	sqlite3_bind_int64(move, 2, e->amount_fen);
	step = sqlite3_step(move);
	if (step != SQLITE_DONE || sqlite3_changes(s->db) != 1) {
		move_failed(s, e->account_id, e->amount_fen, step, err);
		sq_done(move);
		return -1;
	}
	sq_done(move);

	ins = sq_stmt(s, SQ_ENTRY_INSERT,
		      "INSERT INTO ledger_entries (txn_id, account_id, amount_fen, "
		      "balance_after_fen) VALUES (?1, ?2, ?3, "
		      "(SELECT balance_fen FROM accounts WHERE id = ?2))", err);
	if (!ins)
		return -1;
	sqlite3_bind_int64(ins, 1, txn);
	sqlite3_bind_int64(ins, 2, e->account_id);
	sqlite3_bind_int64(ins, 3, e->amount_fen);
	return sq_exec(s, ins, err);
}

int sq_ledger_post(yb_store *st, const yb_posting *p, yb_time at,
		   yb_id *txn_id, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q;
	yb_id txn = 0;
	int rc = -1;

	if (yb_check_posting(p, err) < 0)
		return -1;
	/* From here on every failure rolls back to yb_op: nothing of a
	 * refused posting stays, whatever entry it failed at. */
	if (sq_op_begin(s, err) < 0)
		return -1;
	q = sq_stmt(s, SQ_TXN_INSERT,
		    "INSERT INTO ledger_txns (kind, ref, at) VALUES (?1, ?2, ?3)",
		    err);
	if (!q)
		goto out;
	sq_bind_text(q, 1, p->kind);
	sq_bind_text(q, 2, p->ref);
	sqlite3_bind_int64(q, 3, at);
	if (sq_insert(s, q, YB_REFUSE_NONE, &txn, err) < 0)
		goto out;
	for (int i = 0; i < p->n; i++)
		if (post_entry(s, txn, &p->entries[i], err) < 0)
			goto out;
	rc = 0;
out:
	rc = sq_op_end(s, rc, err);
	if (rc == 0 && txn_id)
		*txn_id = txn;
	return rc;
}

int sq_read_ledger_line(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_ledger_line *l = elem;

	l->entry_id = sq_col_int(q, 0);
	l->txn_id = sq_col_int(q, 1);
	sq_col_text(q, 2, l->kind, sizeof l->kind);
	sq_col_text(q, 3, l->ref, sizeof l->ref);
	l->amount_fen = sq_col_int(q, 4);
	l->balance_after_fen = sq_col_int(q, 5);
	l->at = sq_col_int(q, 6);
	return 0;
}

/* Cursor: entry id. */
int sq_ledger_lines(yb_store *st, yb_id account_id, yb_id before, int limit,
		    yb_ledger_line **out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_LEDGER_LINES,
		"SELECT e.id, e.txn_id, t.kind, t.ref, e.amount_fen, "
		"e.balance_after_fen, t.at FROM ledger_entries e "
		"JOIN ledger_txns t ON t.id = e.txn_id "
		"WHERE e.account_id = ?1 AND e.id < ?2 ORDER BY e.id DESC LIMIT ?3",
		err);

	if (q)
		sqlite3_bind_int64(q, 1, account_id);
	return sq_page(s, q, before, limit, sizeof **out, sq_read_ledger_line,
		       (void **)out, n, err);
}

/* Run a one-row aggregate query and read its first `ncols` columns. */
static int aggregate(sq_store *s, enum sq_stmt_id id, const char *sql,
		     int64_t *cols, int ncols, yb_err *err)
{
	sqlite3_stmt *q = sq_stmt(s, id, sql, err);

	/* An aggregate without GROUP BY always yields its one row. */
	return q && sq_step_ints(s, q, cols, ncols, err) == 1 ? 0 : -1;
}

/*
 * A1–A3 in SQL aggregates, each a single pass over a covering index, so
 * the check stays a matter of seconds on millions of entries.  sum() on
 * integers fails on overflow rather than going to floating point.
 */
int sq_ledger_check(yb_store *st, yb_ledger_report *out, yb_err *err)
{
	sq_store *s = sq_of(st);
	int64_t acc[3] = { 0 }, txns[1] = { 0 }, ent[2] = { 0 }, grp[2] = { 0 },
		mis[1] = { 0 }, dangling[1] = { 0 };

	if (aggregate(s, SQ_CHECK_ACCOUNTS,
		      "SELECT count(*), coalesce(sum(balance_fen), 0), "
		      "count(*) FILTER (WHERE kind = 'personal' AND balance_fen < 0) "
		      "FROM accounts", acc, 3, err) < 0 ||
	    aggregate(s, SQ_CHECK_TXNS, "SELECT count(*) FROM ledger_txns",
		      txns, 1, err) < 0 ||
	    aggregate(s, SQ_CHECK_ENTRIES,
		      "SELECT count(*), coalesce(sum(amount_fen), 0) "
		      "FROM ledger_entries", ent, 2, err) < 0 ||
	    /* Per transaction: sum ≠ 0 or fewer than two entries is
	     * unbalanced; grp[1] counts transactions that have entries. */
	    aggregate(s, SQ_CHECK_UNBALANCED,
		      "SELECT count(*) FILTER (WHERE s <> 0 OR c < 2), count(*) "
		      "FROM (SELECT sum(amount_fen) AS s, count(*) AS c "
		      "FROM ledger_entries GROUP BY txn_id)", grp, 2, err) < 0 ||
	    aggregate(s, SQ_CHECK_MISMATCHED,
		      "SELECT count(*) FROM accounts a WHERE a.balance_fen <> "
		      "(SELECT coalesce(sum(e.amount_fen), 0) FROM ledger_entries e "
		      "WHERE e.account_id = a.id)", mis, 1, err) < 0 ||
	    aggregate(s, SQ_CHECK_DANGLING, YB_SQL_DANGLING_REFS, dangling, 1,
		      err) < 0)
		return -1;
	memset(out, 0, sizeof *out);
	out->accounts = acc[0];
	out->sum_balances_fen = acc[1];
	out->negative_personal = acc[2];
	out->transactions = txns[0];
	out->entries = ent[0];
	out->sum_entries_fen = ent[1];
	/* A transaction with no entries at all is unbalanced too. */
	out->unbalanced_transactions = grp[0] + (txns[0] - grp[1]);
	out->mismatched_accounts = mis[0];
	out->dangling_refs = dangling[0];
	return 0;
}
