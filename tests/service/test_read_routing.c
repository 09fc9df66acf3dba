/*
 * test_read_routing.c — `serve --read-db` (issue 16): which store a use
 * case reads from when its context has a standby (service/ctx.h "Read
 * routing").
 *
 * The "standby" here is a second database on the same engine, written by
 * its own context: a standby that has replayed something else entirely.
 * So whichever database answers a call says which one it read — no
 * replication is needed to see the routing (tests/ha/readdb.test.mjs
 * does the same through a real streaming standby).  The server makes a
 * context per request; next_request() is that here (a context that has
 * written reads its own writes from the primary).
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/inquiry.h"
#include "service/ledger.h"
#include "service/person.h"
#include "service/premium.h"
#include "service/records.h"
#include "service/settle.h"

typedef struct two {
	fx *f;                  /* the primary, and the context under test */
	fx *s;                  /* the "standby", written through its own */
	yb_store *standby;
	yb_ctx sctx;
} two;

static int setup(void **state)
{
	two *t = calloc(1, sizeof *t);

	assert_non_null(t);
	fx_setup((void **)&t->f);
	fx_setup((void **)&t->s);
	t->standby = t->s->st;
	t->sctx = t->s->ctx;
	t->f->ctx.standby = t->standby;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	two *t = *state;

	fx_teardown((void **)&t->s);
	fx_teardown((void **)&t->f);
	free(t);
	return 0;
}

/* The primary's store: after every transaction the context is back on
 * it (statement_rows checks it after each page). */
static yb_store *t_primary;

static void next_request(two *t)
{
	t->f->ctx.wrote = false;
}

static void reg(yb_ctx *ctx, const char *ssn, int seq, const char *name)
{
	char idn[YB_IDNUM_SZ];
	yb_person_new in = { 0 };
	yb_person p;
	yb_err e;

	fx_idnum(idn, "440305", "19900307", seq);
	in.ssn = ssn;
	in.id_number = idn;
	in.name = name;
	in.scheme = "employee_tier1";
	assert_ok(yb_person_register(ctx, &in, &p, &e), e);
}

/* Whether `ssn` is in the database of `st`, read directly. */
static bool present(yb_store *st, const char *ssn)
{
	yb_person p;
	yb_err e;
	int found;

	assert_ok(st->ops->begin(st, false, &e), e);
	found = st->ops->person_by_ssn(st, ssn, &p, &e);
	st->ops->rollback(st);
	assert_true(found >= 0);
	return found == 1;
}

/* A write goes to the primary; a person view is read on the standby. */
static void test_write_primary_view_standby(void **state)
{
	two *t = *state;
	yb_person_view v;
	yb_err e;

	reg(&t->f->ctx, "300000001", 11, "主库");
	assert_true(present(t->f->st, "300000001"));
	assert_false(present(t->standby, "300000001"));
	/* in the request that wrote: its own write, from the primary */
	assert_ok(yb_person_get(&t->f->ctx, "300000001", &v, &e), e);
	assert_string_equal(v.person.name, "主库");
	/* the next request's view reads the standby, which has not seen
	 * him */
	next_request(t);
	assert_err(yb_person_get(&t->f->ctx, "300000001", &v, &e), e,
		   "person.not_found");
	/* the same SSN on the standby, under another name: that is what
	 * the view shows */
	reg(&t->sctx, "300000001", 11, "备库");
	assert_ok(yb_person_get(&t->f->ctx, "300000001", &v, &e), e);
	assert_string_equal(v.person.name, "备库");
	/* after the read, the context is on the primary again: the next
	 * write lands there */
	assert_ptr_equal(t->f->ctx.store, t->f->st);
	reg(&t->f->ctx, "300000002", 13, "主库二");
	assert_true(present(t->f->st, "300000002"));
	assert_false(present(t->standby, "300000002"));
	assert_true(t->f->ctx.wrote);
}

/* Statements come from the standby; the audit list (not marked) and
 * every read without a standby come from the primary. */
static void test_statement_standby_other_reads_primary(void **state)
{
	two *t = *state;
	yb_contribution *c = NULL;
	yb_audit_record *a = NULL;
	int n = -1, na = 0, na_standby;
	yb_err e;

	reg(&t->f->ctx, "300000003", 15, "甲");
	next_request(t);
	assert_err(yb_person_contributions(&t->f->ctx, "300000003", 0, 10,
					   &c, &n, &e), e, "person.not_found");
	free(c);
	c = NULL;
	/* audit.list reads the primary: it has the registration's record,
	 * the standby none at all */
	assert_ok(yb_audit_list(&t->f->ctx, 0, 100, &a, &na, &e), e);
	free(a);
	a = NULL;
	assert_true(na >= 1);
	/* without a standby: the primary, where he is */
	t->f->ctx.standby = NULL;
	assert_ok(yb_person_contributions(&t->f->ctx, "300000003", 0, 10,
					  &c, &n, &e), e);
	assert_int_equal(n, 0);
	free(c);
	/* and the standby's own audit log is still empty: no read wrote */
	t->sctx.standby = NULL;
	assert_ok(yb_audit_list(&t->sctx, 0, 100, &a, &na_standby, &e), e);
	free(a);
	assert_int_equal(na_standby, 0);
}

/* A standby that cannot begin a transaction is skipped: the primary
 * answers, and the context stays usable. */
static void test_standby_unusable_falls_back(void **state)
{
	two *t = *state;
	yb_person_view v;
	yb_err e;

	reg(&t->f->ctx, "300000004", 17, "乙");
	next_request(t);
	/* a transaction already open on it: its begin fails */
	assert_ok(t->standby->ops->begin(t->standby, false, &e), e);
	assert_ok(yb_person_get(&t->f->ctx, "300000004", &v, &e), e);
	assert_string_equal(v.person.name, "乙");
	assert_ptr_equal(t->f->ctx.store, t->f->st);
	t->standby->ops->rollback(t->standby);
	/* usable again: the standby answers (not found) */
	assert_err(yb_person_get(&t->f->ctx, "300000004", &v, &e), e,
		   "person.not_found");
}

/* The authorization's choice holds for one transaction: a write never
 * goes to the standby, and a later read without a marked action reads
 * the primary. */
static void test_choice_is_for_one_transaction(void **state)
{
	two *t = *state;
	yb_err e;

	assert_ok(yb_authorize(&t->f->ctx, "person.get", &e), e);
	assert_true(t->f->ctx.standby_ok);
	assert_ok(yb_tx_begin(&t->f->ctx, true, &e), e);
	assert_ptr_equal(t->f->ctx.store, t->f->st);
	yb_tx_rollback(&t->f->ctx);
	assert_false(t->f->ctx.standby_ok);
	next_request(t);
	assert_ok(yb_tx_begin(&t->f->ctx, false, &e), e);
	assert_ptr_equal(t->f->ctx.store, t->f->st);
	yb_tx_rollback(&t->f->ctx);
	/* marked: on the standby until the transaction ends */
	assert_ok(yb_authorize(&t->f->ctx, "inquiry.person", &e), e);
	assert_ok(yb_tx_begin(&t->f->ctx, false, &e), e);
	assert_ptr_equal(t->f->ctx.store, t->standby);
	assert_ok(yb_tx_commit(&t->f->ctx, &e), e);
	assert_ptr_equal(t->f->ctx.store, t->f->st);
	/* not marked: the primary */
	assert_ok(yb_authorize(&t->f->ctx, "audit.list", &e), e);
	assert_ok(yb_tx_begin(&t->f->ctx, false, &e), e);
	assert_ptr_equal(t->f->ctx.store, t->f->st);
	yb_tx_rollback(&t->f->ctx);
}

/* Every read marked for the standby answers from it alone: the same
 * person on both sides, with another name and balance, and an
 * institution only the standby knows. */
static void test_every_marked_read(void **state)
{
	two *t = *state;
	yb_ctx *c = &t->f->ctx;
	yb_person pp, sp;
	yb_person_view v;
	yb_contribution *co = NULL;
	yb_ledger_line *ll = NULL;
	yb_settlement *se = NULL;
	yb_usage *us = NULL;
	yb_premium *pr = NULL;
	yb_institution inst;
	yb_recon_totals tot;
	int n;
	yb_err e;

	pp = fx_person(t->f, 5, "employee_tier1");
	fx_credit(t->f, pp.ssn, "2026-01", 100);
	sp = fx_person(t->s, 5, "employee_tier1");
	assert_string_equal(sp.ssn, pp.ssn);
	fx_credit(t->s, sp.ssn, "2026-01", 700);
	fx_credit(t->s, sp.ssn, "2026-02", 700);
	fx_admin(t->s);
	assert_ok(yb_institution_register(&t->sctx, "H-ONLY-STANDBY", "备院",
					  "hospital", &inst, &e), e);
	next_request(t);

	/* an operator's views (person.get, inquiry.person) */
	assert_ok(yb_person_get(c, pp.ssn, &v, &e), e);
	assert_int_equal(v.account.balance_fen, 1400);
	assert_ok(yb_person_contributions(c, pp.ssn, 0, 10, &co, &n, &e), e);
	assert_int_equal(n, 2);
	assert_ok(yb_person_ledger(c, pp.ssn, 0, 10, &ll, &n, &e), e);
	assert_int_equal(n, 2);
	assert_ok(yb_person_settlements(c, pp.ssn, 0, 10, &se, &n, &e), e);
	assert_ok(yb_person_family_usage(c, pp.ssn, 0, 10, &us, &n, &e), e);
	free(co), free(ll), free(se), free(us);
	/* the person's own (inquiry.self) */
	fx_act(t->f, YB_ROLE_PERSON, YB_CHAN_WEB, "person:x");
	c->actor.person_id = sp.id;
	assert_ok(yb_person_self(c, &v, &e), e);
	assert_int_equal(v.account.balance_fen, 1400);
	assert_ok(yb_my_contributions(c, 0, 10, &co, &n, &e), e);
	assert_int_equal(n, 2);
	assert_ok(yb_my_ledger(c, 0, 10, &ll, &n, &e), e);
	assert_int_equal(n, 2);
	assert_ok(yb_my_premiums(c, 0, 10, &pr, &n, &e), e);
	free(co), free(ll), free(pr);
	/* an employer's (inquiry.employer) */
	fx_act(t->f, YB_ROLE_EMPLOYER, YB_CHAN_API, "key:e");
	snprintf(c->actor.employer_code, sizeof c->actor.employer_code,
		 "FXEMP");
	assert_ok(yb_employer_contributions(c, NULL, 0, 10, &co, &n, &e), e);
	assert_int_equal(n, 2);
	free(co);
	/* reconciliation: an institution the primary does not know */
	fx_act(t->f, YB_ROLE_INSTITUTION, YB_CHAN_API, "key:h");
	snprintf(c->actor.institution_code, sizeof c->actor.institution_code,
		 "H-ONLY-STANDBY");
	assert_ok(yb_recon_get(c, yb_date_from_ymd(2026, 3, 2), &tot, &e), e);
	assert_int_equal(tot.count, 0);
	/* ... and without the standby, the primary does not know it */
	c->standby = NULL;
	assert_err(yb_recon_get(c, yb_date_from_ymd(2026, 3, 2), &tot, &e), e,
		   "institution.not_found");
	fx_admin(t->f);
	assert_ok(yb_person_get(c, pp.ssn, &v, &e), e);
	assert_int_equal(v.account.balance_fen, 100);
}


/* An employee of `code` registered through `ctx` (as admin), the same
 * SSN and ID number whichever database. */
static yb_person employee(yb_ctx *ctx, const char *code)
{
	yb_actor saved = ctx->actor;
	char idn[YB_IDNUM_SZ];
	yb_person_new in = { 0 };
	yb_person p;
	yb_err e;

	fx_idnum(idn, "440305", "19850101", 21);
	in.ssn = "300000021";
	in.id_number = idn;
	in.name = "王记录";
	in.scheme = "employee_tier1";
	in.employer_code = code;
	ctx->actor = yb_actor_cli();
	assert_ok(yb_person_register(ctx, &in, &p, &e), e);
	ctx->actor = saved;
	return p;
}

/* Contributions of `code` for him, months first..last of 2026. */
static void pay_2026(yb_ctx *ctx, const char *ssn, const char *code,
		     int first, int last)
{
	yb_actor saved = ctx->actor;
	char period[YB_MONTH_SZ];
	yb_err e;

	ctx->actor = yb_actor_cli();
	for (int m = first; m <= last; m++) {
		yb_contribution_new in = { 0 };

		snprintf(period, sizeof period, "2026-%02d", m);
		in.ssn = ssn;
		in.period = period;
		in.employer_code = code;
		in.base_fen = 1000000;
		in.employer_fen = 60000;
		in.personal_fen = 20000;
		in.account_credit_fen = 25000;
		assert_ok(yb_contribution_post(ctx, &in, NULL, &e), e);
	}
	ctx->actor = saved;
}

/* Rows of a statement, read `page` at a time: each page is its own
 * read transaction, after the authorization's own has ended. */
static int statement_rows(yb_ctx *c, yb_statement_kind kind, const char *who)
{
	yb_statement st;
	int total = 0, n;
	yb_err e;

	assert_ok(yb_statement_open(c, kind, who, "2026-01", "2026-12", &st,
				    &e), e);
	do {
		if (kind == YB_STATEMENT_LEDGER) {
			yb_ledger_line *l = NULL;

			assert_ok(yb_statement_next_ledger(c, &st, 1, &l, &n,
							   &e), e);
			free(l);
		} else {
			yb_contribution *r = NULL;

			assert_ok(yb_statement_next_contributions(c, &st, 1, &r,
								  &n, &e), e);
			free(r);
		}
		assert_ptr_equal(c->store, t_primary);
		total += n;
	} while (n > 0);
	return total;
}

/* The records (R1-R4): statements (every page), gaps and arrears read
 * the standby; a person's proofs, a proof and its verification read the
 * primary, where the proof just issued is.  The same employee on both
 * sides: the primary has his eleven months of 2026 paid, the standby
 * three. */
static void test_records_reads(void **state)
{
	two *t = *state;
	yb_ctx *c = &t->f->ctx;
	yb_person p;
	yb_gaps g;
	yb_arrears ar;
	yb_employer_arrears *list = NULL;
	yb_proof_view v, w;
	yb_proof *pl = NULL;
	char pf[YB_MONTH_SZ], pt[YB_MONTH_SZ];
	int n;
	yb_err e;

	t_primary = t->f->st;
	t->f->now = t->s->now = fx_local(2026, 1, 10, 10, 0);
	fx_employer(t->f, "RR-E");
	fx_employer(t->s, "RR-E");
	p = employee(c, "RR-E");
	employee(&t->sctx, "RR-E");
	t->f->now = t->s->now = fx_local(2026, 12, 6, 10, 0);
	pay_2026(c, p.ssn, "RR-E", 1, 11);
	pay_2026(&t->sctx, p.ssn, "RR-E", 1, 3);
	next_request(t);

	/* the person himself (inquiry.self) */
	fx_act(t->f, YB_ROLE_PERSON, YB_CHAN_WEB, "person:x");
	c->actor.person_id = p.id;
	assert_int_equal(statement_rows(c, YB_STATEMENT_CONTRIBUTIONS, NULL),
			 3);
	assert_int_equal(statement_rows(c, YB_STATEMENT_LEDGER, NULL), 3);
	assert_ok(yb_gaps_of(c, NULL, &g, &e), e);
	assert_int_equal(g.gap_months, 8);               /* 2026-04..11 */
	yb_gaps_release(&g);
	assert_ok(yb_arrears_self(c, "2026-01", "2026-12", &ar, &e), e);
	assert_true(ar.missing_months == 8);
	yb_arrears_release(&ar);

	/* his proof: issued on the primary, and there for him at once */
	assert_ok(yb_proof_issue(c, NULL, &v, &e), e);
	assert_int_equal(v.facts.total_months, 11);
	next_request(t);
	assert_ok(yb_proofs_list(c, NULL, 0, 10, &pl, &n, &e), e);
	assert_int_equal(n, 1);
	free(pl);
	assert_ok(yb_proof_get(c, v.record.code, &w, &e), e);
	assert_int_equal(w.verdict, YB_PROOF_GENUINE);
	memset(&c->actor, 0, sizeof c->actor);
	assert_ok(yb_proof_verify(c, v.record.code, &w, &e), e);
	assert_int_equal(w.verdict, YB_PROOF_GENUINE);

	/* the agency's views (inquiry.person, record.employer,
	 * arrears.list): the employer's arrears is a look-up and a scan,
	 * both on the standby */
	fx_admin(t->f);
	assert_int_equal(statement_rows(c, YB_STATEMENT_CONTRIBUTIONS, p.ssn),
			 3);
	assert_int_equal(statement_rows(c, YB_STATEMENT_EMPLOYER, "RR-E"), 3);
	assert_ok(yb_gaps_of(c, p.ssn, &g, &e), e);
	assert_int_equal(g.gap_months, 8);
	yb_gaps_release(&g);
	assert_ok(yb_arrears_of_employer(c, "RR-E", "2026-01", "2026-12", &ar,
					 &e), e);
	assert_true(ar.missing_months == 8);
	yb_arrears_release(&ar);
	assert_ok(yb_arrears_employers(c, "2026-01", "2026-12", NULL, false, pf,
				       pt, &list, &n, &e), e);
	assert_int_equal(n, 1);
	assert_true(list[0].missing_months == 8);
	free(list);
	/* the employer's own key (record.employer) */
	fx_act(t->f, YB_ROLE_EMPLOYER, YB_CHAN_API, "key:e");
	snprintf(c->actor.employer_code, sizeof c->actor.employer_code,
		 "RR-E");
	assert_int_equal(statement_rows(c, YB_STATEMENT_EMPLOYER, "RR-E"), 3);

	/* without the standby, the primary's: nothing missing */
	c->standby = NULL;
	fx_admin(t->f);
	assert_ok(yb_gaps_of(c, p.ssn, &g, &e), e);
	assert_int_equal(g.gap_months, 0);
	yb_gaps_release(&g);
	assert_int_equal(statement_rows(c, YB_STATEMENT_EMPLOYER, "RR-E"), 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_primary_view_standby,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_statement_standby_other_reads_primary, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_standby_unusable_falls_back,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_choice_is_for_one_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_marked_read, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_records_reads, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
