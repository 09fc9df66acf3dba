/*
 * test_recon.c — daily reconciliation per institution (S7): our totals
 * for a local date, and the comparison with the institution's own.
 */
#include "sfx.h"

/* Three settlements on 2026-03-02 at H1 (one revoked), one the next day,
 * one at H2; the patient's own account covers every bill. */
static yb_date day_make(fx *f)
{
	yb_person p = sfx_insured(f, 1, 100000);
	yb_card c = sfx_card(f, &p, false);
	yb_settlement s;
	yb_err e;

	sfx_institution(f, "H1");
	sfx_institution(f, "H2");
	sfx_as_inst(f, "H1");
	f->now = fx_local(2026, 3, 2, 0, 0);          /* first second */
	assert_ok(sfx_settle(f, "A", "card", c.card_no, "outpatient", 5000,
			     2000, &s, NULL, &e), e);
	f->now = fx_local(2026, 3, 2, 23, 59) + 59;   /* last second */
	assert_ok(sfx_settle(f, "B", "card", c.card_no, "pharmacy", 1000, 0,
			     &s, NULL, &e), e);
	f->now = fx_local(2026, 3, 2, 12, 0);
	assert_ok(sfx_settle(f, "C", "card", c.card_no, "inpatient", 70000,
			     50000, &s, NULL, &e), e);
	assert_ok(yb_revoke(&f->ctx, s.id, &s, &e), e);
	f->now = fx_local(2026, 3, 3, 0, 0);
	assert_ok(sfx_settle(f, "D", "card", c.card_no, "outpatient", 900, 0,
			     &s, NULL, &e), e);
	sfx_as_inst(f, "H2");
	f->now = fx_local(2026, 3, 2, 9, 0);
	assert_ok(sfx_settle(f, "E", "card", c.card_no, "outpatient", 300, 0,
			     &s, NULL, &e), e);
	sfx_as_inst(f, "H1");
	return yb_date_from_ymd(2026, 3, 2);
}

/* S7: the day's totals of the institution's settlements still settled;
 * revoked ones counted apart. */
static void test_totals(void **state)
{
	fx *f = *state;
	yb_date d = day_make(f);
	yb_recon_totals t;
	yb_err e;

	assert_ok(yb_recon_get(&f->ctx, d, &t, &e), e);
	assert_int_equal(t.date, d);
	assert_int_equal(t.count, 2);
	assert_int_equal(t.total_fen, 6000);
	assert_int_equal(t.fund_pay_fen, 2000);
	assert_int_equal(t.account_pay_fen, 4000);
	assert_int_equal(t.cash_pay_fen, 0);
	assert_int_equal(t.revoked_count, 1);
	assert_ok(yb_recon_get(&f->ctx, d + 1, &t, &e), e);
	assert_int_equal(t.count, 1);
	assert_int_equal(t.total_fen, 900);
	sfx_as_inst(f, "H2");
	assert_ok(yb_recon_get(&f->ctx, d, &t, &e), e);
	assert_int_equal(t.count, 1);
	assert_int_equal(t.total_fen, 300);
}

/* S7: matching totals give no differences; each differing field is
 * named with both figures. */
static void test_compare(void **state)
{
	fx *f = *state;
	yb_date d = day_make(f);
	yb_recon_totals theirs = { 0 }, ours;
	yb_recon_diff diffs[5];
	int n = -1;
	yb_err e;

	theirs.count = 2;
	theirs.total_fen = 6000;
	theirs.fund_pay_fen = 2000;
	theirs.account_pay_fen = 4000;
	theirs.cash_pay_fen = 0;
	assert_ok(yb_recon_compare(&f->ctx, d, &theirs, &ours, diffs, &n, &e),
		  e);
	assert_int_equal(n, 0);
	assert_int_equal(ours.count, 2);
	theirs.count = 3;
	theirs.cash_pay_fen = 70000;
	assert_ok(yb_recon_compare(&f->ctx, d, &theirs, &ours, diffs, &n, &e),
		  e);
	assert_int_equal(n, 2);
	assert_string_equal(diffs[0].field, "count");
	assert_int_equal(diffs[0].ours, 2);
	assert_int_equal(diffs[0].yours, 3);
	assert_string_equal(diffs[1].field, "cash_pay_fen");
	assert_int_equal(diffs[1].ours, 0);
	assert_int_equal(diffs[1].yours, 70000);
	theirs.total_fen = -1;
	assert_err(yb_recon_compare(&f->ctx, d, &theirs, &ours, diffs, &n, &e),
		   e, "reconciliation.invalid");
	/* X1: reconciliation is the institutions' */
	fx_admin(f);
	assert_err(yb_recon_get(&f->ctx, d, &ours, &e), e, "auth.forbidden");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_totals),
		T(test_compare),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
