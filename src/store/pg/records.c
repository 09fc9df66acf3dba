/*
 * records.c — PostgreSQL engine: what records and proofs read and keep
 * (SPEC R1–R4).  The twin of sqlite/records.c; see store.h for what each
 * operation promises.
 *
 * libpq hands over a whole result at once, so the register scan of R4
 * runs page by page (EMPLOYEE_PAGE employees, each with at most one row
 * per month of the window): memory stays bounded however large the
 * employer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "store/pg/pg_int.h"

static pg_store *PS(yb_store *st)
{
	return (pg_store *)st;
}

/* ---- R1: statements ------------------------------------------------------ */

/* $4 and $5 are the years of $2 and $3: a yearly period falls in the
 * months when its year does. */
#define IN_PERIOD \
	"((c.period >= $2 AND c.period <= $3) OR " \
	" (length(c.period) = 4 AND c.period >= $4 AND c.period <= $5)) " \
	"AND (c.period > $6 OR (c.period = $6 AND c.id > $7)) " \
	"ORDER BY c.period, c.id LIMIT $8"

static const pg_stmt st_contrib_in_period_person = {
	"contributions_in_period_person",
	PG_CONTRIBUTION_SELECT "WHERE c.person_id = $1 AND " IN_PERIOD, NULL };
static const pg_stmt st_contrib_in_period_employer = {
	"contributions_in_period_employer",
	PG_CONTRIBUTION_SELECT "WHERE c.employer_code = $1 AND " IN_PERIOD,
	NULL };

int pg_contributions_in_period(yb_store *st, yb_id person_id,
			       const char *employer_code, const char *from,
			       const char *to, const char *after_period,
			       yb_id after_id, int limit,
			       yb_contribution **out, int *n, yb_err *err)
{
	char fy[5], ty[5];
	pg_params q;

	snprintf(fy, sizeof fy, "%.4s", from);
	snprintf(ty, sizeof ty, "%.4s", to);
	pg_params_init(&q);
	if (person_id)
		pg_p_i64(&q, person_id);
	else
		pg_p_text(&q, employer_code);
	pg_p_text(&q, from);
	pg_p_text(&q, to);
	pg_p_text(&q, fy);
	pg_p_text(&q, ty);
	pg_p_text(&q, after_period ? after_period : "");
	pg_p_i64(&q, after_id);
	pg_p_i64(&q, pg_limit(limit));
	return pg_list(PS(st), person_id ? &st_contrib_in_period_person
					 : &st_contrib_in_period_employer,
		       &q, sizeof **out, pg_decode_contribution, (void **)out,
		       n, err);
}

static const pg_stmt st_ledger_between = { "ledger_lines_between",
	"SELECT e.id, e.txn_id, t.kind, t.ref, e.amount_fen, "
	"  e.balance_after_fen, t.at "
	"FROM ledger_entries e JOIN ledger_txns t ON t.id = e.txn_id "
	"WHERE e.account_id = $1 AND e.id > $2 AND t.at >= $3 AND t.at < $4 "
	"ORDER BY e.id LIMIT $5", NULL };
static const pg_stmt st_balance_before = { "ledger_balance_before",
	"SELECT e.balance_after_fen "
	"FROM ledger_entries e JOIN ledger_txns t ON t.id = e.txn_id "
	"WHERE e.account_id = $1 AND t.at < $2 ORDER BY e.id DESC LIMIT 1",
	NULL };

int pg_ledger_lines_between(yb_store *st, yb_id account_id, yb_time from,
			    yb_time to, yb_id after, int limit,
			    yb_ledger_line **out, int *n, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, account_id);
	pg_p_i64(&q, after);
	pg_p_i64(&q, from);
	pg_p_i64(&q, to);
	pg_p_i64(&q, pg_limit(limit));
	return pg_list(PS(st), &st_ledger_between, &q, sizeof **out,
		       pg_decode_ledger_line, (void **)out, n, err);
}

int pg_ledger_balance_before(yb_store *st, yb_id account_id, yb_time at,
			     int64_t *balance_fen, yb_err *err)
{
	pg_params q;
	PGresult *res;
	int found;

	pg_params_init(&q);
	pg_p_i64(&q, account_id);
	pg_p_i64(&q, at);
	res = pg_run(PS(st), &st_balance_before, &q, err);
	if (!res)
		return -1;
	found = PQntuples(res) > 0;
	if (found) {
		pg_row r = pg_row_at(res, 0);
		*balance_fen = pg_r_i64(&r);
	}
	PQclear(res);
	return found;
}

/* ---- R2: proofs of insurance -------------------------------------------- */

#define PROOF_SELECT \
	"SELECT x.id, x.code, x.person_id, p.ssn, x.signature, x.key_id, " \
	"  x.issued_at, x.issued_by, coalesce(x.revoked_at, 0), " \
	"  coalesce(x.revoked_by, ''), coalesce(x.revoke_reason, ''), " \
	"  x.statement " \
	"FROM proofs x JOIN persons p ON p.id = x.person_id "

static const pg_stmt st_proof_insert = { "proof_insert",
	"INSERT INTO proofs (code, person_id, statement, signature, key_id, "
	"  issued_at, issued_by) VALUES ($1, $2, $3, $4, $5, $6, $7) "
	"RETURNING id", NULL };
static const pg_stmt st_proof_by_code = { "proof_by_code",
	PROOF_SELECT "WHERE x.code = $1", NULL };
static const pg_stmt st_proofs_of_person = { "proofs_of_person",
	PROOF_SELECT "WHERE x.person_id = $1 AND x.id < $2 "
	"ORDER BY x.id DESC LIMIT $3", NULL };
static const pg_stmt st_proof_revoke = { "proof_revoke",
	"UPDATE proofs SET revoked_at = $2, revoked_by = $3, "
	"  revoke_reason = $4 WHERE id = $1 AND revoked_at IS NULL", NULL };

/* The row without its statement (lists). */
static int decode_proof_head(pg_row *r, void *out)
{
	yb_proof *x = out;

	memset(x, 0, sizeof *x);
	x->id = pg_r_i64(r);
	pg_r_str(r, x->code, sizeof x->code);
	x->person_id = pg_r_i64(r);
	pg_r_str(r, x->ssn, sizeof x->ssn);
	pg_r_str(r, x->signature, sizeof x->signature);
	pg_r_str(r, x->key_id, sizeof x->key_id);
	x->issued_at = pg_r_i64(r);
	pg_r_str(r, x->issued_by, sizeof x->issued_by);
	x->revoked_at = pg_r_i64(r);
	pg_r_str(r, x->revoked_by, sizeof x->revoked_by);
	pg_r_str(r, x->revoke_reason, sizeof x->revoke_reason);
	return 0;
}

static int decode_proof(pg_row *r, void *out)
{
	yb_proof *x = out;

	decode_proof_head(r, out);
	x->statement = strdup(pg_r_text(r));
	return x->statement ? 0 : -1;
}

int pg_proof_insert(yb_store *st, yb_proof *p, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_text(&q, p->code);
	pg_p_i64(&q, p->person_id);
	pg_p_text(&q, p->statement);
	pg_p_text(&q, p->signature);
	pg_p_text(&q, p->key_id);
	pg_p_i64(&q, p->issued_at);
	pg_p_text(&q, p->issued_by);
	/* a unique violation comes back as proof.duplicate (stmt.c) */
	return pg_take_id(pg_run(PS(st), &st_proof_insert, &q, err), &p->id);
}

int pg_proof_by_code(yb_store *st, const char *code, yb_proof *out,
		     yb_err *err)
{
	pg_params q;
	int rc;

	pg_params_init(&q);
	pg_p_text(&q, code);
	rc = pg_lookup(PS(st), &st_proof_by_code, &q, decode_proof, out, err);
	if (rc > 0 && !out->statement)
		return yb_errf(err, "out_of_memory", "out of memory");
	return rc;
}

int pg_proofs_of_person(yb_store *st, yb_id person_id, yb_id before,
			int limit, yb_proof **out, int *n, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	pg_p_i64(&q, pg_before(before));
	pg_p_i64(&q, pg_limit(limit));
	return pg_list(PS(st), &st_proofs_of_person, &q, sizeof **out,
		       decode_proof_head, (void **)out, n, err);
}

int pg_proof_revoke(yb_store *st, yb_id id, yb_time at, const char *by,
		    const char *reason, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, id);
	pg_p_i64(&q, at);
	pg_p_text(&q, by);
	pg_p_text(&q, reason);
	return pg_update_one(PS(st), &st_proof_revoke, &q,
			     YB_REFUSE_PROOF_REVOKED, id, err);
}

/* ---- R4: an employer's register, for arrears ------------------------------ */

/* ... each employee of the page with the periods his employer paid for
 * him in the window ($4, $5): as sqlite/records.c. */
#define EMPLOYEE_ROWS(win_from, win_to) \
	"SELECT p.id, p.ssn, p.name, p.employer_code, coalesce(e.name, ''), " \
	"  p.status, p.created_at, p.updated_at, " \
	"  coalesce((SELECT min(f.period) FROM contributions f " \
	"   WHERE f.person_id = p.id AND f.employer_code = p.employer_code), " \
	"   ''), coalesce(c.period, '') " \
	"FROM page JOIN persons p ON p.id = page.id " \
	"  LEFT JOIN employers e ON e.code = p.employer_code " \
	"  LEFT JOIN contributions c ON c.person_id = p.id " \
	"   AND c.employer_code = p.employer_code " \
	"   AND c.period >= " win_from " AND c.period <= " win_to " " \
	"ORDER BY p.employer_code, p.id, c.period"

#define EMPLOYEE_PAGE 64

/* $1 employer (or person), $2/$3 the cursor, $4/$5 the window, $6 page */
static const pg_stmt st_employees_one = { "employee_months_one",
	"WITH page AS (SELECT id FROM persons WHERE employer_code = $1 "
	"  AND (employer_code, id) > ($2, $3) ORDER BY employer_code, id "
	"  LIMIT $6) " EMPLOYEE_ROWS("$4", "$5"), NULL };
static const pg_stmt st_employees_all = { "employee_months_all",
	"WITH page AS (SELECT id FROM persons WHERE employer_code IS NOT NULL "
	"  AND (employer_code, id) > ($1, $2) ORDER BY employer_code, id "
	"  LIMIT $5) " EMPLOYEE_ROWS("$3", "$4"), NULL };
static const pg_stmt st_employees_person = { "employee_months_person",
	"WITH page AS (SELECT id FROM persons WHERE id = $1 "
	"  AND employer_code IS NOT NULL) " EMPLOYEE_ROWS("$2", "$3"), NULL };

static int decode_employee_month(pg_row *r, void *out)
{
	yb_employee_month *m = out;

	memset(m, 0, sizeof *m);
	m->person_id = pg_r_i64(r);
	pg_r_str(r, m->ssn, sizeof m->ssn);
	pg_r_str(r, m->name, sizeof m->name);
	pg_r_str(r, m->employer_code, sizeof m->employer_code);
	pg_r_str(r, m->employer_name, sizeof m->employer_name);
	PG_R_ENUM(r, yb_status_from_str, &m->status);
	m->registered_at = pg_r_i64(r);
	m->status_at = pg_r_i64(r);
	pg_r_str(r, m->first_period, sizeof m->first_period);
	pg_r_str(r, m->period, sizeof m->period);
	return 0;
}

/* Visit the rows of one page; *persons = the employees it held. */
static int visit_page(PGresult *res, char *after_code, yb_id *after_id,
		      int *persons, yb_employee_month_fn fn, void *arg,
		      yb_err *err)
{
	yb_id last = 0;
	int n = PQntuples(res);

	*persons = 0;
	for (int i = 0; i < n; i++) {
		pg_row r = pg_row_at(res, i);
		yb_employee_month m;

		decode_employee_month(&r, &m);
		if (r.bad)
			return pg_corrupt(err, "employee");
		if (fn(arg, &m, err) < 0)
			return -1;
		if (m.person_id != last) {
			(*persons)++;
			last = m.person_id;
			snprintf(after_code, YB_CODE_SZ, "%s", m.employer_code);
			*after_id = m.person_id;
		}
	}
	return 0;
}

int pg_employee_months_scan(yb_store *st, const char *employer_code,
			    yb_id person_id, const char *from, const char *to,
			    yb_employee_month_fn fn, void *arg, yb_err *err)
{
	char after_code[YB_CODE_SZ] = "";
	yb_id after_id = 0;
	int persons, rc;

	do {
		const pg_stmt *s = person_id ? &st_employees_person
				 : employer_code ? &st_employees_one
						 : &st_employees_all;
		pg_params q;
		PGresult *res;

		pg_params_init(&q);
		if (person_id)
			pg_p_i64(&q, person_id);
		else if (employer_code)
			pg_p_text(&q, employer_code);
		if (!person_id) {
			pg_p_text(&q, after_code);
			pg_p_i64(&q, after_id);
		}
		pg_p_text(&q, from);
		pg_p_text(&q, to);
		if (!person_id)
			pg_p_i64(&q, EMPLOYEE_PAGE);
		res = pg_run(PS(st), s, &q, err);
		if (!res)
			return -1;
		rc = visit_page(res, after_code, &after_id, &persons, fn, arg,
				err);
		PQclear(res);
		if (rc < 0)
			return -1;
	} while (!person_id && persons == EMPLOYEE_PAGE);
	return 0;
}
