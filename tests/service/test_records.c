/*
 * test_records.c — records and proofs (SPEC R1–R4) against a real store
 * of either engine, with the clock moved by hand: statements of a period
 * page by page and their refusals (R1), proofs issued, verified, changed,
 * made up, forged and revoked (R2), gaps and continuity (R3), employer
 * arrears per employee, for the person himself and for every employer
 * (R4).
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/ledger.h"
#include "service/records.h"

static int M(const char *s)
{
	int m = -1;

	assert_true(yb_month_parse(s, &m));
	return m;
}

/* A person registered now with an employer ("" none). */
static yb_person employee(fx *f, int n, const char *scheme, const char *code)
{
	yb_actor saved = f->ctx.actor;
	char ssn[YB_SSN_SZ], idn[YB_IDNUM_SZ], name[32];
	yb_person_new in = { 0 };
	yb_person p;
	yb_err e;

	snprintf(ssn, sizeof ssn, "%d", 300000000 + n);
	fx_idnum(idn, "440305", "19850101", n);
	snprintf(name, sizeof name, "王小明%d", n);
	in.ssn = ssn;
	in.id_number = idn;
	in.name = name;
	in.scheme = scheme;
	in.employer_code = code;
	fx_admin(f);
	assert_ok(yb_person_register(&f->ctx, &in, &p, &e), e);
	f->ctx.actor = saved;
	return p;
}

/* A contribution from `code` for the period (as admin). */
static void pay(fx *f, const yb_person *p, const char *period,
		const char *code, int64_t credit)
{
	yb_actor saved = f->ctx.actor;
	yb_contribution_new in = { 0 };
	yb_err e;

	fx_admin(f);
	in.ssn = p->ssn;
	in.period = period;
	in.employer_code = code;
	in.base_fen = 1000000;
	in.employer_fen = 60000;
	in.personal_fen = 20000;
	in.account_credit_fen = credit;
	assert_ok(yb_contribution_post(&f->ctx, &in, NULL, &e), e);
	f->ctx.actor = saved;
}

/* Pay every month first..last. */
static void pay_months(fx *f, const yb_person *p, const char *first,
		       const char *last, const char *code)
{
	char period[YB_MONTH_SZ];

	for (int m = M(first); m <= M(last); m++)
		pay(f, p, yb_month_format(m, period, sizeof period), code,
		    25000);
}

static void as_person(fx *f, const yb_person *p)
{
	char id[YB_ACTOR_SZ];

	snprintf(id, sizeof id, "person:%s", p->ssn);
	fx_act(f, YB_ROLE_PERSON, YB_CHAN_WEB, id);
	f->ctx.actor.person_id = p->id;
}

static void as_employer(fx *f, const char *code)
{
	fx_act(f, YB_ROLE_EMPLOYER, YB_CHAN_API, "key:9");
	snprintf(f->ctx.actor.employer_code, sizeof f->ctx.actor.employer_code,
		 "%s", code);
}

/* Read a whole contribution statement, `page` rows at a time. */
static int read_all(fx *f, yb_statement *s, int page, char periods[][8],
		    int max)
{
	int total = 0, n;
	yb_err e;

	do {
		yb_contribution *rows = NULL;

		assert_ok(yb_statement_next_contributions(&f->ctx, s, page,
							  &rows, &n, &e), e);
		for (int i = 0; i < n; i++, total++)
			if (total < max)
				memcpy(periods[total], rows[i].period, 8);
		free(rows);
	} while (n > 0);
	return total;
}

/* R1: a person's statement of a period, in pages; refusals. */
static void test_statement_contributions(void **state)
{
	fx *f = *state;
	yb_person a, b;
	yb_statement s;
	char got[40][8];
	yb_err e;

	f->now = fx_local(2026, 12, 6, 10, 0);
	fx_employer(f, "R-E1");
	a = employee(f, 1, "employee_tier1", "R-E1");
	b = employee(f, 2, "employee_tier1", "R-E1");
	pay_months(f, &a, "2024-01", "2026-11", "R-E1");
	pay(f, &b, "2025-05", "R-E1", 100);

	as_person(f, &a);
	assert_ok(yb_statement_open(&f->ctx, YB_STATEMENT_CONTRIBUTIONS, NULL,
				    "2025-03", "2025-12", &s, &e), e);
	assert_string_equal(s.person.ssn, a.ssn);
	assert_int_equal(read_all(f, &s, 4, got, 40), 10);
	assert_string_equal(got[0], "2025-03");
	assert_string_equal(got[9], "2025-12");
	/* the default period: the year up to this month */
	assert_ok(yb_statement_open(&f->ctx, YB_STATEMENT_CONTRIBUTIONS, NULL,
				    NULL, NULL, &s, &e), e);
	assert_string_equal(s.from, "2026-01");
	assert_string_equal(s.to, "2026-12");
	assert_int_equal(read_all(f, &s, 100, got, 40), 11);

	/* another person's statement: a person names no SSN */
	assert_err(yb_statement_open(&f->ctx, YB_STATEMENT_CONTRIBUTIONS,
				     b.ssn, NULL, NULL, &s, &e), e,
		   "auth.forbidden");
	/* bad periods, and a period of a century */
	assert_err(yb_statement_open(&f->ctx, YB_STATEMENT_CONTRIBUTIONS, NULL,
				     "2026-13", "2026-12", &s, &e), e,
		   "period.invalid");
	assert_err(yb_statement_open(&f->ctx, YB_STATEMENT_CONTRIBUTIONS, NULL,
				     "2026-06", "2026-01", &s, &e), e,
		   "period.invalid");
	assert_err(yb_statement_open(&f->ctx, YB_STATEMENT_CONTRIBUTIONS, NULL,
				     "1926-01", "2025-12", &s, &e), e,
		   "period.too_long");

	/* an operator on b's behalf sees b's only */
	fx_act(f, YB_ROLE_AGENCY_WINDOW, YB_CHAN_AGENCY_WINDOW, "key:1");
	assert_ok(yb_statement_open(&f->ctx, YB_STATEMENT_CONTRIBUTIONS, b.ssn,
				    "2025-01", "2025-12", &s, &e), e);
	assert_int_equal(read_all(f, &s, 100, got, 40), 1);
	assert_err(yb_statement_open(&f->ctx, YB_STATEMENT_CONTRIBUTIONS,
				     "399999999", NULL, NULL, &s, &e), e,
		   "person.not_found");
}

/* R1: the account statement — entries of the period and the balance
 * before it. */
static void test_statement_ledger(void **state)
{
	fx *f = *state;
	yb_ledger_line *rows = NULL;
	yb_statement s;
	yb_person a;
	int n;
	yb_err e;

	fx_employer(f, "R-E1");
	f->now = fx_local(2025, 1, 15, 10, 0);
	a = employee(f, 3, "employee_tier1", "R-E1");
	pay(f, &a, "2025-01", "R-E1", 1000);     /* posted in January */
	f->now = fx_local(2025, 2, 15, 10, 0);
	pay(f, &a, "2025-02", "R-E1", 2000);     /* in February */
	f->now = fx_local(2025, 3, 15, 10, 0);
	pay(f, &a, "2025-03", "R-E1", 4000);     /* in March */

	as_person(f, &a);
	assert_ok(yb_statement_open(&f->ctx, YB_STATEMENT_LEDGER, NULL,
				    "2025-02", "2025-02", &s, &e), e);
	assert_true(s.has_account);
	assert_true(s.opening_fen == 1000);
	assert_ok(yb_statement_next_ledger(&f->ctx, &s, 10, &rows, &n, &e), e);
	assert_int_equal(n, 1);
	assert_true(rows[0].amount_fen == 2000);
	assert_true(rows[0].balance_after_fen == 3000);
	free(rows);
	assert_ok(yb_statement_next_ledger(&f->ctx, &s, 10, &rows, &n, &e), e);
	assert_int_equal(n, 0);
	free(rows);
}

/* R1, Q2: an employer's statement — its own code only. */
static void test_statement_employer(void **state)
{
	fx *f = *state;
	yb_contribution *rows = NULL;
	yb_statement s;
	yb_person a, b;
	int n;
	yb_err e;

	fx_employer(f, "R-E1");
	fx_employer(f, "R-E2");
	a = employee(f, 4, "employee_tier1", "R-E1");
	b = employee(f, 5, "employee_tier1", "R-E2");
	pay(f, &a, "2026-01", "R-E1", 100);
	pay(f, &b, "2026-01", "R-E2", 100);

	as_employer(f, "R-E1");
	assert_ok(yb_statement_open(&f->ctx, YB_STATEMENT_EMPLOYER, "R-E1",
				    "2026-01", "2026-03", &s, &e), e);
	assert_ok(yb_statement_next_contributions(&f->ctx, &s, 10, &rows, &n,
						  &e), e);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].ssn, a.ssn);
	free(rows);
	assert_err(yb_statement_open(&f->ctx, YB_STATEMENT_EMPLOYER, "R-E2",
				     NULL, NULL, &s, &e), e,
		   "record.outside_scope");
	/* a person is no employer */
	as_person(f, &a);
	assert_err(yb_statement_open(&f->ctx, YB_STATEMENT_EMPLOYER, "R-E1",
				     NULL, NULL, &s, &e), e, "auth.forbidden");
	fx_admin(f);
	assert_err(yb_statement_open(&f->ctx, YB_STATEMENT_EMPLOYER, "R-NONE",
				     NULL, NULL, &s, &e), e,
		   "employer.not_found");
}

/* R2: issued with the facts of today; verified; a changed or made-up
 * code is unknown; revoked; a person's own only. */
static void test_proof(void **state)
{
	fx *f = *state;
	yb_proof_view v, w;
	yb_person a, b;
	char changed[YB_PROOF_CODE_SZ];
	int64_t audits;
	yb_err e;

	f->now = fx_local(2026, 12, 6, 10, 0);
	fx_employer(f, "R-E1");
	a = employee(f, 6, "employee_tier1", "R-E1");
	b = employee(f, 7, "employee_tier1", "R-E1");
	pay_months(f, &a, "2024-01", "2024-12", "R-E1");
	pay_months(f, &a, "2025-03", "2026-11", "R-E1");   /* 2 missing */

	as_person(f, &a);
	audits = fx_audit_count(f);
	assert_ok(yb_proof_issue(&f->ctx, NULL, &v, &e), e);
	assert_int_equal(fx_audit_count(f), audits + 1);
	assert_int_equal((int)strlen(v.record.code), 26);
	assert_int_equal(v.verdict, YB_PROOF_GENUINE);
	assert_string_equal(v.facts.name, a.name);
	/* Q3: the ID number masked, first 6 and last 4 kept */
	assert_memory_equal(v.facts.id_number, "440305********", 14);
	assert_memory_equal(v.facts.id_number + 14, a.id_number + 14, 4);
	assert_string_equal(v.facts.first_month, "2024-01");
	assert_int_equal(v.facts.total_months, 12 + 21);
	assert_int_equal(v.facts.gap_months, 2);
	assert_int_equal(v.facts.continuity_months, 21);
	assert_int_equal(v.facts.nyears, 3);
	assert_int_equal(v.facts.years[1].year, 2025);
	assert_int_equal(v.facts.years[1].months, 10);
	assert_true(v.facts.years[1].employer_fen == 10 * 60000);
	assert_string_equal(v.facts.agency, "深圳市医疗保障局");
	assert_non_null(strstr(v.verify_url, v.record.code));

	/* anyone verifies it, without a login, and sees what it stated */
	memset(&f->ctx.actor, 0, sizeof f->ctx.actor);
	assert_ok(yb_proof_verify(&f->ctx, v.record.code, &w, &e), e);
	assert_int_equal(w.verdict, YB_PROOF_GENUINE);
	assert_int_equal(w.facts.total_months, 33);
	assert_string_equal(w.facts.ssn, a.ssn);
	/* lower case as typed on a phone is the same code */
	{
		char lower[YB_PROOF_CODE_SZ];

		for (int i = 0; i < 27; i++)
			lower[i] = (char)(v.record.code[i] >= 'A' &&
					  v.record.code[i] <= 'Z'
					  ? v.record.code[i] + 32
					  : v.record.code[i]);
		assert_ok(yb_proof_verify(&f->ctx, lower, &w, &e), e);
		assert_int_equal(w.verdict, YB_PROOF_GENUINE);
	}
	/* one character changed, a code made up, nonsense: not genuine */
	memcpy(changed, v.record.code, sizeof changed);
	changed[5] = changed[5] == 'A' ? 'B' : 'A';
	assert_ok(yb_proof_verify(&f->ctx, changed, &w, &e), e);
	assert_int_equal(w.verdict, YB_PROOF_UNKNOWN);
	assert_ok(yb_proof_verify(&f->ctx, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", &w,
				  &e), e);
	assert_int_equal(w.verdict, YB_PROOF_UNKNOWN);
	assert_ok(yb_proof_verify(&f->ctx, "../../etc/passwd", &w, &e), e);
	assert_int_equal(w.verdict, YB_PROOF_UNKNOWN);
	assert_int_equal(w.facts.total_months, 0);

	/* b cannot fetch a's proof: to him it does not exist */
	as_person(f, &b);
	assert_err(yb_proof_get(&f->ctx, v.record.code, &w, &e), e,
		   "proof.not_found");
	assert_err(yb_proof_issue(&f->ctx, a.ssn, &w, &e), e,
		   "auth.forbidden");
	assert_err(yb_proof_revoke(&f->ctx, v.record.code, "x", &w, &e), e,
		   "auth.forbidden");
	as_person(f, &a);
	assert_ok(yb_proof_get(&f->ctx, v.record.code, &w, &e), e);
	assert_int_equal(w.verdict, YB_PROOF_GENUINE);

	/* the agency revokes it: verified as revoked, still saying what it
	 * stated; twice is a conflict */
	fx_act(f, YB_ROLE_AGENCY_WINDOW, YB_CHAN_AGENCY_WINDOW, "key:1");
	assert_err(yb_proof_revoke(&f->ctx, v.record.code, "", &w, &e), e,
		   "proof.invalid_reason");
	assert_ok(yb_proof_revoke(&f->ctx, v.record.code, "issued in error",
				  &w, &e), e);
	assert_int_equal(w.verdict, YB_PROOF_REVOKED);
	assert_err(yb_proof_revoke(&f->ctx, v.record.code, "again", &w, &e),
		   e, "proof.already_revoked");
	assert_err(yb_proof_revoke(&f->ctx, changed, "none", &w, &e), e,
		   "proof.not_found");
	assert_ok(yb_proof_verify(&f->ctx, v.record.code, &w, &e), e);
	assert_int_equal(w.verdict, YB_PROOF_REVOKED);
	assert_int_equal(w.facts.total_months, 33);
	assert_string_equal(w.record.revoke_reason, "issued in error");

	/* an operator issues one on b's behalf */
	assert_ok(yb_proof_issue(&f->ctx, b.ssn, &w, &e), e);
	assert_string_equal(w.facts.ssn, b.ssn);
	assert_int_equal(w.facts.total_months, 0);
	{
		yb_proof *list = NULL;
		int n = 0;

		assert_ok(yb_proofs_list(&f->ctx, a.ssn, 0, 10, &list, &n, &e),
			  e);
		assert_int_equal(n, 1);
		assert_true(list[0].revoked_at != 0);
		free(list);
	}
}

/* R2: a record put in the database without the agency's signature —
 * a forged one, or a genuine one changed — is not genuine. */
static void test_proof_forged(void **state)
{
	fx *f = *state;
	yb_proof_view v, w;
	yb_proof forged;
	yb_person a;
	char *text;
	yb_err e;

	fx_employer(f, "R-E1");
	a = employee(f, 8, "employee_tier1", "R-E1");
	pay(f, &a, "2026-01", "R-E1", 100);
	as_person(f, &a);
	assert_ok(yb_proof_issue(&f->ctx, NULL, &v, &e), e);

	/* the genuine record's statement, changed (1 month → 9), under a
	 * new code, with the genuine signature and key */
	{
		yb_proof x;

		assert_int_equal(f->st->ops->begin(f->st, false, &e), 0);
		assert_int_equal(f->st->ops->proof_by_code(f->st, v.record.code,
							   &x, &e), 1);
		f->st->ops->rollback(f->st);
		forged = x;
		text = strstr(x.statement, "\"total_months\":1");
		assert_non_null(text);
		memcpy(text, "\"total_months\":9", 16);   /* 1 → 9 */
		snprintf(forged.code, sizeof forged.code, "%s",
			 "FORGEDFORGEDFORGEDFORGED22");
		assert_int_equal(f->st->ops->begin(f->st, true, &e), 0);
		assert_int_equal(f->st->ops->proof_insert(f->st, &forged, &e),
				 0);
		assert_int_equal(f->st->ops->commit(f->st, &e), 0);
		yb_proof_release(&x);
	}
	memset(&f->ctx.actor, 0, sizeof f->ctx.actor);
	assert_ok(yb_proof_verify(&f->ctx, "FORGEDFORGEDFORGEDFORGED22", &w,
				  &e), e);
	assert_int_equal(w.verdict, YB_PROOF_TAMPERED);
	assert_int_equal(w.facts.total_months, 0);       /* nothing shown */
	assert_ok(yb_proof_verify(&f->ctx, v.record.code, &w, &e), e);
	assert_int_equal(w.verdict, YB_PROOF_GENUINE);
}

/* R3: the months since the first contribution, up to the last closed
 * month, with none; a resident's yearly premium covers its year. */
static void test_gaps(void **state)
{
	fx *f = *state;
	yb_person a, r, z;
	yb_gaps g;
	yb_err e;

	f->now = fx_local(2026, 12, 6, 10, 0);
	fx_employer(f, "R-E1");
	a = employee(f, 9, "employee_tier1", "R-E1");
	r = employee(f, 10, "resident", "");
	z = employee(f, 11, "employee_tier1", "R-E1");
	pay_months(f, &a, "2025-01", "2025-04", "R-E1");
	pay_months(f, &a, "2025-07", "2025-07", "R-E1");
	pay_months(f, &a, "2025-09", "2026-10", "R-E1");   /* Nov missing */
	pay_months(f, &a, "2026-12", "2026-12", "R-E1");   /* this month */

	as_person(f, &a);
	assert_ok(yb_gaps_of(&f->ctx, NULL, &g, &e), e);
	assert_string_equal(g.first_month, "2025-01");
	assert_string_equal(g.last_closed, "2026-11");
	assert_int_equal(g.gap_months, 2 + 1 + 1);
	assert_int_equal(g.ngaps, 3);
	assert_int_equal(g.gaps[0].first, M("2025-05"));
	assert_int_equal(g.gaps[0].last, M("2025-06"));
	assert_int_equal(g.gaps[2].first, M("2026-11"));
	/* the run ends in November's gap: this month alone */
	assert_int_equal(g.continuity_months, 1);
	assert_int_equal(g.insured_months, 4 + 1 + 14 + 1);
	yb_gaps_release(&g);

	/* E1: a resident's 2026 premium covers 2026 entirely */
	{
		yb_actor saved = f->ctx.actor;
		yb_contribution c;

		memset(&c, 0, sizeof c);
		fx_admin(f);
		assert_int_equal(f->st->ops->begin(f->st, true, &e), 0);
		{
			yb_employer em;

			if (f->st->ops->employer_by_code(f->st,
					"resident:premium", &em, &e) == 0) {
				memset(&em, 0, sizeof em);
				snprintf(em.code, sizeof em.code,
					 "resident:premium");
				assert_int_equal(f->st->ops->employer_insert(
					f->st, &em, &e), 0);
			}
		}
		c.person_id = r.id;
		snprintf(c.period, sizeof c.period, "2026");
		snprintf(c.employer_code, sizeof c.employer_code,
			 "resident:premium");
		c.personal_fen = 40000;
		assert_int_equal(f->st->ops->contribution_insert(f->st, &c, &e),
				 0);
		assert_int_equal(f->st->ops->commit(f->st, &e), 0);
		f->ctx.actor = saved;
	}
	fx_act(f, YB_ROLE_AGENCY_WINDOW, YB_CHAN_AGENCY_WINDOW, "key:1");
	assert_ok(yb_gaps_of(&f->ctx, r.ssn, &g, &e), e);
	assert_string_equal(g.first_month, "2026-01");
	assert_int_equal(g.gap_months, 0);
	assert_int_equal(g.continuity_months, 12);
	yb_gaps_release(&g);
	/* nothing posted yet: no first month, no gaps */
	assert_ok(yb_gaps_of(&f->ctx, z.ssn, &g, &e), e);
	assert_string_equal(g.first_month, "");
	assert_int_equal(g.gap_months, 0);
	assert_int_equal(g.ngaps, 0);
	yb_gaps_release(&g);
}

/* R4: per employee, totals; his months begin with his registration (or
 * the first month paid) and end with the last closed month. */
static void test_arrears(void **state)
{
	fx *f = *state;
	yb_employer_arrears *list = NULL;
	char pf[YB_MONTH_SZ], pt[YB_MONTH_SZ];
	yb_person a, b, c, d;
	yb_arrears ar;
	int n;
	yb_err e;

	fx_employer(f, "R-A");
	fx_employer(f, "R-B");
	f->now = fx_local(2025, 6, 10, 10, 0);
	a = employee(f, 12, "employee_tier1", "R-A");    /* from 2025-06 */
	b = employee(f, 13, "employee_tier1", "R-A");
	c = employee(f, 14, "employee_tier1", "R-B");
	f->now = fx_local(2026, 12, 6, 10, 0);
	d = employee(f, 15, "employee_tier1", "R-A");    /* from 2026-12 */
	pay_months(f, &a, "2025-01", "2026-11", "R-A");  /* none missing */
	pay_months(f, &b, "2026-01", "2026-08", "R-A");  /* 2026-09..11 */
	pay(f, &b, "2026-10", "R-B", 100);               /* not R-A's */
	pay_months(f, &c, "2026-01", "2026-11", "R-B");
	(void)d;

	fx_admin(f);
	assert_ok(yb_arrears_of_employer(&f->ctx, "R-A", "2026-01", "2026-12",
					 &ar, &e), e);
	assert_int_equal(ar.employees, 3);
	assert_int_equal(ar.employees_in_arrears, 1);
	assert_true(ar.missing_months == 3);
	assert_int_equal(ar.nitems, 1);
	assert_string_equal(ar.items[0].ssn, b.ssn);
	assert_int_equal(ar.items[0].nmissing, 1);
	assert_int_equal(ar.items[0].missing[0].first, M("2026-09"));
	assert_int_equal(ar.items[0].missing[0].last, M("2026-11"));
	yb_arrears_release(&ar);
	/* b registered in 2025-06: 2025-06..2025-12 unpaid too */
	assert_ok(yb_arrears_of_employer(&f->ctx, "R-A", "2025-01", "2026-12",
					 &ar, &e), e);
	assert_true(ar.missing_months == 7 + 3);
	yb_arrears_release(&ar);

	/* the employer sees its own; another's is outside its scope */
	as_employer(f, "R-B");
	assert_ok(yb_arrears_of_employer(&f->ctx, "R-B", NULL, NULL, &ar, &e),
		  e);
	assert_string_equal(ar.from, "2025-12");
	assert_string_equal(ar.to, "2026-11");
	assert_int_equal(ar.employees_in_arrears, 1);     /* c: 2025-12 */
	assert_true(ar.missing_months == 1);
	yb_arrears_release(&ar);
	assert_err(yb_arrears_of_employer(&f->ctx, "R-A", NULL, NULL, &ar, &e),
		   e, "record.outside_scope");
	assert_err(yb_arrears_employers(&f->ctx, NULL, NULL, NULL, false, pf,
					pt, &list, &n, &e), e,
		   "auth.forbidden");

	/* b sees his own employer's missing months for him only */
	as_person(f, &b);
	assert_ok(yb_arrears_self(&f->ctx, "2026-01", "2026-12", &ar, &e), e);
	assert_string_equal(ar.employer_code, "R-A");
	assert_int_equal(ar.nitems, 1);
	assert_string_equal(ar.items[0].ssn, b.ssn);
	assert_int_equal(ar.items[0].missing_months, 3);
	yb_arrears_release(&ar);
	as_person(f, &a);
	assert_ok(yb_arrears_self(&f->ctx, "2026-01", "2026-12", &ar, &e), e);
	assert_int_equal(ar.nitems, 1);
	assert_int_equal(ar.items[0].missing_months, 0);
	yb_arrears_release(&ar);

	/* the agency: employers with arrears, sorted */
	fx_act(f, YB_ROLE_AGENCY_WINDOW, YB_CHAN_AGENCY_WINDOW, "key:1");
	pay(f, &c, "2026-12", "R-B", 100);
	assert_ok(yb_arrears_employers(&f->ctx, "2025-01", "2026-12",
				       "missing_months", false, pf, pt, &list,
				       &n, &e), e);
	assert_int_equal(n, 2);                 /* R-B: c from 2025-06 */
	assert_string_equal(pf, "2025-01");
	assert_string_equal(pt, "2026-12");
	assert_string_equal(list[0].employer_code, "R-A");
	assert_true(list[0].missing_months == 10);
	assert_string_equal(list[1].employer_code, "R-B");
	assert_true(list[1].missing_months == 7);
	free(list);
	assert_ok(yb_arrears_employers(&f->ctx, "2025-01", "2026-12",
				       "employer_code", false, pf, pt, &list,
				       &n, &e), e);
	assert_string_equal(list[0].employer_code, "R-B");
	free(list);
	assert_err(yb_arrears_employers(&f->ctx, NULL, NULL, "salary", false,
					pf, pt, &list, &n, &e), e,
		   "record.invalid_sort");
	assert_err(yb_arrears_employers(&f->ctx, "2026-13", NULL, NULL, false,
					pf, pt, &list, &n, &e), e,
		   "period.invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_statement_contributions,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_statement_ledger,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_statement_employer,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_proof, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_proof_forged, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_gaps, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_arrears, fx_setup,
						fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
