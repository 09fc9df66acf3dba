/*
 * records.c — SQLite engine: what records and proofs read and
 * keep (SPEC R1–R4): contributions and account entries of a period in the
 * order a statement prints them, proofs of insurance, and the scan of an
 * employer's register that arrears are counted from.  See store.h for
 * what each operation promises; pg/records.c is the PostgreSQL twin.
 *
 * Statements page by keyset ("after this row"), never by OFFSET, so the
 * tenth page of a long statement costs what the first did.
 */
#include "store/sqlite/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"

/* ---- R1: statements ------------------------------------------------------ */

/* A yearly period ("YYYY", a resident's premium) falls in from..to when
 * its year does: ?4 and ?5 are the years of ?2 and ?3. */
#define IN_PERIOD                                                          \
	"((c.period >= ?2 AND c.period <= ?3) OR "                           \
	"(length(c.period) = 4 AND c.period >= ?4 AND c.period <= ?5)) "     \
	"AND (c.period > ?6 OR (c.period = ?6 AND c.id > ?7)) "               \
	"ORDER BY c.period, c.id LIMIT ?8"

int sq_contributions_in_period(yb_store *st, yb_id person_id,
			       const char *employer_code, const char *from,
			       const char *to, const char *after_period,
			       yb_id after_id, int limit,
			       yb_contribution **out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q;
	char fy[5], ty[5];

	*out = NULL;
	*n = 0;
	if (person_id)
		q = sq_stmt(s, SQ_CONTRIB_IN_PERIOD_PERSON,
			    "SELECT " SQ_CONTRIB_COLS " WHERE c.person_id = ?1 "
			    "AND " IN_PERIOD, err);
	else
		q = sq_stmt(s, SQ_CONTRIB_IN_PERIOD_EMPLOYER,
			    "SELECT " SQ_CONTRIB_COLS " WHERE c.employer_code = ?1 "
			    "AND " IN_PERIOD, err);
	if (!q)
		return -1;
	snprintf(fy, sizeof fy, "%.4s", from);
	snprintf(ty, sizeof ty, "%.4s", to);
	if (person_id)
		sqlite3_bind_int64(q, 1, person_id);
	else
		sq_bind_text(q, 1, employer_code);
	sq_bind_text(q, 2, from);
	sq_bind_text(q, 3, to);
	sq_bind_text(q, 4, fy);
	sq_bind_text(q, 5, ty);
	sq_bind_text(q, 6, after_period ? after_period : "");
	sqlite3_bind_int64(q, 7, after_id);
	sqlite3_bind_int64(q, 8, limit);
	return sq_list(s, q, sizeof **out, sq_read_contribution, (void **)out,
		       n, err);
}

int sq_ledger_lines_between(yb_store *st, yb_id account_id, yb_time from,
			    yb_time to, yb_id after, int limit,
			    yb_ledger_line **out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_LEDGER_BETWEEN,
		"SELECT e.id, e.txn_id, t.kind, t.ref, e.amount_fen, "
		"e.balance_after_fen, t.at FROM ledger_entries e "
		"JOIN ledger_txns t ON t.id = e.txn_id "
		"WHERE e.account_id = ?1 AND e.id > ?2 AND t.at >= ?3 "
		"AND t.at < ?4 ORDER BY e.id LIMIT ?5", err);

	*out = NULL;
	*n = 0;
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, account_id);
	sqlite3_bind_int64(q, 2, after);
	sqlite3_bind_int64(q, 3, from);
	sqlite3_bind_int64(q, 4, to);
	sqlite3_bind_int64(q, 5, limit);
	return sq_list(s, q, sizeof **out, sq_read_ledger_line, (void **)out,
		       n, err);
}

int sq_ledger_balance_before(yb_store *st, yb_id account_id, yb_time at,
			     int64_t *balance_fen, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_BALANCE_BEFORE,
		"SELECT e.balance_after_fen FROM ledger_entries e "
		"JOIN ledger_txns t ON t.id = e.txn_id "
		"WHERE e.account_id = ?1 AND t.at < ?2 "
		"ORDER BY e.id DESC LIMIT 1", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, account_id);
	sqlite3_bind_int64(q, 2, at);
	return sq_step_ints(s, q, balance_fen, 1, err);
}

/* ---- R2: proofs of insurance -------------------------------------------- */

#define PROOF_COLS                                                         \
	"x.id, x.code, x.person_id, p.ssn, x.signature, x.key_id, "          \
	"x.issued_at, x.issued_by, x.revoked_at, x.revoked_by, "             \
	"x.revoke_reason, x.statement "                                      \
	"FROM proofs x JOIN persons p ON p.id = x.person_id"

/* The row without its statement (lists). */
static int read_proof_head(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_proof *x = elem;

	(void)err;
	memset(x, 0, sizeof *x);
	x->id = sq_col_int(q, 0);
	sq_col_text(q, 1, x->code, sizeof x->code);
	x->person_id = sq_col_int(q, 2);
	sq_col_text(q, 3, x->ssn, sizeof x->ssn);
	sq_col_text(q, 4, x->signature, sizeof x->signature);
	sq_col_text(q, 5, x->key_id, sizeof x->key_id);
	x->issued_at = sq_col_int(q, 6);
	sq_col_text(q, 7, x->issued_by, sizeof x->issued_by);
	x->revoked_at = sq_col_int(q, 8);
	sq_col_text(q, 9, x->revoked_by, sizeof x->revoked_by);
	sq_col_text(q, 10, x->revoke_reason, sizeof x->revoke_reason);
	return 0;
}

static int read_proof(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_proof *x = elem;
	const char *text;

	read_proof_head(q, elem, err);
	text = (const char *)sqlite3_column_text(q, 11);
	x->statement = strdup(text ? text : "");
	if (!x->statement)
		return yb_errf(err, "out_of_memory", "out of memory");
	return 0;
}

int sq_proof_insert(yb_store *st, yb_proof *p, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_PROOF_INSERT,
		"INSERT INTO proofs (code, person_id, statement, signature, "
		"key_id, issued_at, issued_by) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, p->code);
	sqlite3_bind_int64(q, 2, p->person_id);
	sq_bind_text(q, 3, p->statement);
	sq_bind_text(q, 4, p->signature);
	sq_bind_text(q, 5, p->key_id);
	sqlite3_bind_int64(q, 6, p->issued_at);
	sq_bind_text(q, 7, p->issued_by);
	return sq_insert(s, q, YB_REFUSE_PROOF_DUPLICATE, &p->id, err);
}

int sq_proof_by_code(yb_store *st, const char *code, yb_proof *out,
		     yb_err *err)
{
	return sq_get_by_text(sq_of(st), SQ_PROOF_BY_CODE,
			      "SELECT " PROOF_COLS " WHERE x.code = ?1", code,
			      read_proof, out, err);
}

int sq_proofs_of_person(yb_store *st, yb_id person_id, yb_id before,
			int limit, yb_proof **out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_PROOFS_OF_PERSON,
		"SELECT " PROOF_COLS " WHERE x.person_id = ?1 AND x.id < ?2 "
		"ORDER BY x.id DESC LIMIT ?3", err);

	if (q)
		sqlite3_bind_int64(q, 1, person_id);
	return sq_page(s, q, before, limit, sizeof **out, read_proof_head,
		       (void **)out, n, err);
}

int sq_proof_revoke(yb_store *st, yb_id id, yb_time at, const char *by,
		    const char *reason, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_PROOF_REVOKE,
		"UPDATE proofs SET revoked_at = ?2, revoked_by = ?3, "
		"revoke_reason = ?4 WHERE id = ?1 AND revoked_at IS NULL", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, at);
	sq_bind_text(q, 3, by);
	sq_bind_text(q, 4, reason);
	return sq_update_one(s, q, YB_REFUSE_PROOF_REVOKED, id, err);
}

/* ---- R4: an employer's register, for arrears ------------------------------ */

/*
 * One page of employees (the CTE), then each with the periods his
 * employer paid for him in the window.  ?1 employer, ?2/?3 the cursor
 * (employer code, person id), ?4/?5 the window, ?6 the page size, ?7 the
 * one person.
 */
#define EMPLOYEE_ROWS                                                      \
	"SELECT p.id, p.ssn, p.name, p.employer_code, coalesce(e.name, ''), " \
	"p.status, p.created_at, p.updated_at, "                             \
	"coalesce((SELECT min(f.period) FROM contributions f "               \
	"WHERE f.person_id = p.id AND f.employer_code = p.employer_code), ''), " \
	"coalesce(c.period, '') "                                            \
	"FROM page JOIN persons p ON p.id = page.id "                        \
	"LEFT JOIN employers e ON e.code = p.employer_code "                 \
	"LEFT JOIN contributions c ON c.person_id = p.id "                   \
	"AND c.employer_code = p.employer_code "                             \
	"AND c.period >= ?4 AND c.period <= ?5 "                             \
	"ORDER BY p.employer_code, p.id, c.period"

#define EMPLOYEE_PAGE 256

static int read_employee_month(sqlite3_stmt *q, yb_employee_month *r,
			       yb_err *err)
{
	memset(r, 0, sizeof *r);
	r->person_id = sq_col_int(q, 0);
	sq_col_text(q, 1, r->ssn, sizeof r->ssn);
	sq_col_text(q, 2, r->name, sizeof r->name);
	sq_col_text(q, 3, r->employer_code, sizeof r->employer_code);
	sq_col_text(q, 4, r->employer_name, sizeof r->employer_name);
	if (SQ_COL_ENUM(q, 5, yb_status_from_str, &r->status, "status",
			err) < 0)
		return -1;
	r->registered_at = sq_col_int(q, 6);
	r->status_at = sq_col_int(q, 7);
	sq_col_text(q, 8, r->first_period, sizeof r->first_period);
	sq_col_text(q, 9, r->period, sizeof r->period);
	return 0;
}

static sqlite3_stmt *employee_stmt(sq_store *s, const char *employer_code,
				   yb_id person_id, yb_err *err)
{
	if (person_id)
		return sq_stmt(s, SQ_EMPLOYEES_PERSON,
			"WITH page AS (SELECT id FROM persons WHERE id = ?7 "
			"AND employer_code IS NOT NULL) "
			EMPLOYEE_ROWS, err);
	if (employer_code)
		return sq_stmt(s, SQ_EMPLOYEES_ONE,
			"WITH page AS (SELECT id FROM persons "
			"WHERE employer_code = ?1 AND (employer_code, id) > (?2, ?3) "
			"ORDER BY employer_code, id LIMIT ?6) " EMPLOYEE_ROWS, err);
	return sq_stmt(s, SQ_EMPLOYEES_ALL,
		"WITH page AS (SELECT id FROM persons "
		"WHERE employer_code IS NOT NULL AND (employer_code, id) > (?2, ?3) "
		"ORDER BY employer_code, id LIMIT ?6) "
		EMPLOYEE_ROWS, err);
}

/* One page from the cursor; *persons = how many employees it held. */
static int employee_page(sq_store *s, sqlite3_stmt *q, char *after_code,
			 yb_id *after_id, int *persons,
			 yb_employee_month_fn fn, void *arg, yb_err *err)
{
	yb_employee_month row;
	yb_id last = 0;
	int step, rc = 0;

	*persons = 0;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		if (read_employee_month(q, &row, err) < 0 ||
		    fn(arg, &row, err) < 0) {
			rc = -1;
			break;
		}
		if (row.person_id != last) {
			(*persons)++;
			last = row.person_id;
			snprintf(after_code, YB_CODE_SZ, "%s", row.employer_code);
			*after_id = row.person_id;
		}
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sq_fail(s, err);
	sq_done(q);
	return rc;
}

int sq_employee_months_scan(yb_store *st, const char *employer_code,
			    yb_id person_id, const char *from, const char *to,
			    yb_employee_month_fn fn, void *arg, yb_err *err)
{
	sq_store *s = sq_of(st);
	char after_code[YB_CODE_SZ] = "";
	yb_id after_id = 0;
	int persons;

	do {
		sqlite3_stmt *q = employee_stmt(s, employer_code, person_id,
						err);

		if (!q)
			return -1;
		sq_bind_opt_text(q, 1, employer_code);
		sq_bind_text(q, 2, after_code);
		sqlite3_bind_int64(q, 3, after_id);
		sq_bind_text(q, 4, from);
		sq_bind_text(q, 5, to);
		sqlite3_bind_int64(q, 6, EMPLOYEE_PAGE);
		if (person_id)
			sqlite3_bind_int64(q, 7, person_id);
		if (employee_page(s, q, after_code, &after_id, &persons, fn,
				  arg, err) < 0)
			return -1;
	} while (persons == EMPLOYEE_PAGE);
	return 0;
}
