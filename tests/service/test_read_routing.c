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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
