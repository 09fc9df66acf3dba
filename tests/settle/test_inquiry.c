/*
 * test_inquiry.c — what a person, an operator and an employer may look
 * up (SPEC Q1, Q2, F7), and who gets an e-credential (C1).
 */
#include "sfx.h"

#include <stdio.h>
#include <stdlib.h>

static void post(fx *f, const char *ssn, const char *period,
		 const char *employer, int64_t fen)
{
	yb_contribution_new in = { ssn, period, employer, fen * 10, fen, fen,
				   fen };
	yb_err e;

	fx_admin(f);
	assert_ok(yb_contribution_post(&f->ctx, &in, NULL, &e), e);
}

/* Q1: a person's contributions, ledger and settlements, newest first,
 * paged by cursor. */
static void test_my_records(void **state)
{
	fx *f = *state;
	yb_person p = sfx_insured(f, 1, 0);
	yb_card c = sfx_card(f, &p, false);
	yb_contribution *con = NULL;
	yb_ledger_line *lines = NULL;
	yb_settlement *ss = NULL, s;
	int n;
	yb_err e;

	fx_employer(f, "E1");
	post(f, p.ssn, "2026-01", "E1", 1000);
	post(f, p.ssn, "2026-02", "E1", 2000);
	sfx_institution(f, "H1");
	sfx_as_inst(f, "H1");
	assert_ok(sfx_settle(f, "T1", "card", c.card_no, "outpatient", 500, 0,
			     &s, NULL, &e), e);

	sfx_as_person(f, &p);
	assert_ok(yb_my_contributions(&f->ctx, 0, 50, &con, &n, &e), e);
	assert_int_equal(n, 2);
	assert_string_equal(con[0].period, "2026-02");
	/* limit is clamped to at least 1; the cursor pages on */
	yb_id last;
	free(con);
	assert_ok(yb_my_contributions(&f->ctx, 0, 0, &con, &n, &e), e);
	assert_int_equal(n, 1);
	last = con[0].id;
	free(con);
	assert_ok(yb_my_contributions(&f->ctx, last, 1, &con, &n, &e), e);
	assert_int_equal(n, 1);
	assert_string_equal(con[0].period, "2026-01");
	free(con);
	assert_err(yb_my_contributions(&f->ctx, -1, 10, &con, &n, &e), e,
		   "request.invalid_cursor");

	assert_ok(yb_my_ledger(&f->ctx, 0, 500, &lines, &n, &e), e);
	assert_int_equal(n, 3);
	assert_int_equal(lines[0].amount_fen, -500);
	assert_int_equal(lines[0].balance_after_fen, 2500);
	free(lines);
	assert_ok(yb_my_settlements(&f->ctx, 0, 10000, &ss, &n, &e), e);
	assert_int_equal(n, 1);
	assert_int_equal(ss[0].id, s.id);
	free(ss);
	/* X1: a person does not look others up by SSN */
	assert_err(yb_person_settlements(&f->ctx, p.ssn, 0, 10, &ss, &n, &e),
		   e, "auth.forbidden");
}

/* F7: the authorizer sees who used his account, where and how much,
 * revoked uses marked as such. */
static void test_family_usage(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 10000);
	yb_person r = sfx_other(f, 2, "resident");
	yb_card c = sfx_card(f, &r, false);
	yb_usage *u = NULL;
	yb_settlement s1, s2;
	int n;
	yb_err e;

	sfx_bind(f, &a, &r, "child");
	sfx_institution(f, "H1");
	sfx_as_inst(f, "H1");
	assert_ok(sfx_settle(f, "T1", "card", c.card_no, "outpatient", 1200,
			     0, &s1, NULL, &e), e);
	assert_ok(sfx_settle(f, "T2", "card", c.card_no, "pharmacy", 300, 0,
			     &s2, NULL, &e), e);
	assert_ok(yb_revoke(&f->ctx, s2.id, &s2, &e), e);

	sfx_as_person(f, &a);
	assert_ok(yb_my_family_usage(&f->ctx, 0, 50, &u, &n, &e), e);
	assert_int_equal(n, 2);
	assert_int_equal(u[0].settlement_id, s2.id);
	assert_int_equal(u[0].state, YB_SETTLE_REVOKED);
	assert_int_equal(u[1].settlement_id, s1.id);
	assert_int_equal(u[1].amount_fen, 1200);
	assert_string_equal(u[1].relative_ssn, r.ssn);
	assert_string_equal(u[1].institution_code, "H1");
	assert_int_equal(u[1].visit_type, YB_VISIT_OUTPATIENT);
	assert_int_equal(u[1].relationship, YB_REL_CHILD);
	free(u);
	/* the relative's own usage list is empty: nobody used his account */
	sfx_as_person(f, &r);
	assert_ok(yb_my_family_usage(&f->ctx, 0, 50, &u, &n, &e), e);
	assert_int_equal(n, 0);
	free(u);
	/* an operator sees the same by SSN */
	sfx_as_operator(f, YB_ROLE_AGENCY_WINDOW);
	assert_ok(yb_person_family_usage(&f->ctx, a.ssn, 0, 50, &u, &n, &e),
		  e);
	assert_int_equal(n, 2);
	free(u);
	assert_err(yb_person_family_usage(&f->ctx, "12345678", 0, 50, &u, &n,
					  &e), e, "person.not_found");
}

/* Q1: an operator's view by SSN; a person without an account has an
 * empty ledger. */
static void test_operator_views(void **state)
{
	fx *f = *state;
	yb_person p = sfx_insured(f, 1, 700);
	yb_person r = sfx_other(f, 2, "resident");
	yb_contribution *con = NULL;
	yb_ledger_line *lines = NULL;
	int n;
	yb_err e;

	sfx_as_operator(f, YB_ROLE_AGENCY_WINDOW);
	assert_ok(yb_person_contributions(&f->ctx, p.ssn, 0, 50, &con, &n, &e),
		  e);
	assert_int_equal(n, 1);
	assert_int_equal(con[0].account_credit_fen, 700);
	free(con);
	assert_ok(yb_person_ledger(&f->ctx, p.ssn, 0, 50, &lines, &n, &e), e);
	assert_int_equal(n, 1);
	free(lines);
	assert_ok(yb_person_ledger(&f->ctx, r.ssn, 0, 50, &lines, &n, &e), e);
	assert_int_equal(n, 0);
	free(lines);
	sfx_as_operator(f, YB_ROLE_TERMINAL);
	assert_err(yb_person_ledger(&f->ctx, p.ssn, 0, 50, &lines, &n, &e), e,
		   "auth.forbidden");
}

/* Q2: an employer sees its own employees' contributions only. */
static void test_employer_own_only(void **state)
{
	fx *f = *state;
	yb_person p1 = sfx_insured(f, 1, 0), p2 = sfx_insured(f, 2, 0);
	yb_contribution *con = NULL;
	int n;
	yb_err e;

	fx_employer(f, "E1");
	fx_employer(f, "E2");
	post(f, p1.ssn, "2026-01", "E1", 100);
	post(f, p1.ssn, "2026-02", "E1", 100);
	post(f, p2.ssn, "2026-01", "E2", 100);
	fx_act(f, YB_ROLE_EMPLOYER, YB_CHAN_API, "key:e1");
	snprintf(f->ctx.actor.employer_code, sizeof f->ctx.actor.employer_code,
		 "E1");
	assert_ok(yb_employer_contributions(&f->ctx, NULL, 0, 50, &con, &n, &e),
		  e);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++)
		assert_string_equal(con[i].employer_code, "E1");
	free(con);
	assert_ok(yb_employer_contributions(&f->ctx, "2026-01", 0, 50, &con,
					    &n, &e), e);
	assert_int_equal(n, 1);
	assert_string_equal(con[0].ssn, p1.ssn);
	free(con);
	assert_err(yb_employer_contributions(&f->ctx, "2026-13", 0, 50, &con,
					     &n, &e), e,
		   "contribution.invalid_period");
	sfx_as_person(f, &p1);
	assert_err(yb_employer_contributions(&f->ctx, NULL, 0, 50, &con, &n,
					     &e), e, "auth.forbidden");
}

/* C1: a person gets his own credential; the agency names the person;
 * nobody gets one for a terminated person. */
static void test_ecert_issue(void **state)
{
	fx *f = *state;
	yb_person p = sfx_insured(f, 1, 0), q = sfx_insured(f, 2, 0), out;
	char tok[YB_ECERT_TOKEN_SZ], tok2[YB_ECERT_TOKEN_SZ];
	yb_time exp;
	yb_err e;

	sfx_as_person(f, &p);
	/* whatever SSN a person names, the credential is his own */
	assert_ok(yb_ecert_issue_for(&f->ctx, q.ssn, tok, sizeof tok, &exp,
				     &e), e);
	sfx_as_operator(f, YB_ROLE_AGENCY_WINDOW);
	assert_ok(yb_ecert_issue_for(&f->ctx, q.ssn, tok2, sizeof tok2, &exp,
				     &e), e);
	assert_string_not_equal(tok, tok2);
	assert_err(yb_ecert_issue_for(&f->ctx, "11111111", tok, sizeof tok,
				      &exp, &e), e, "person.not_found");
	assert_err(yb_ecert_issue_for(&f->ctx, NULL, tok, sizeof tok, &exp,
				      &e), e, "request.missing_field");
	fx_admin(f);
	assert_ok(yb_person_terminate(&f->ctx, q.ssn, "deceased", &out, &e),
		  e);
	assert_err(yb_ecert_issue_for(&f->ctx, q.ssn, tok, sizeof tok, &exp,
				      &e), e, "person.not_active");
	sfx_as_inst(f, "H1");
	assert_err(yb_ecert_issue_for(&f->ctx, p.ssn, tok, sizeof tok, &exp,
				      &e), e, "auth.forbidden");
	/* the patient settles with his own token: it names him, not q */
	sfx_institution(f, "H1");
	sfx_as_person(f, &p);
	assert_ok(yb_ecert_issue_for(&f->ctx, q.ssn, tok, sizeof tok, &exp,
				     &e), e);
	sfx_as_inst(f, "H1");
	yb_settlement s;
	assert_ok(sfx_settle(f, "T1", "ecert", tok, "outpatient", 100, 0, &s,
			     NULL, &e), e);
	assert_int_equal(s.patient_id, p.id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_my_records),
		T(test_family_usage),
		T(test_operator_views),
		T(test_employer_own_only),
		T(test_ecert_issue),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
