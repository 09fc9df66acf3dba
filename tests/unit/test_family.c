/*
 * test_family.c — premiums for relatives (SPEC E1) and monthly caps per
 * binding in the payment order (E2) (src/core/family.c, payorder.c).
 *
 * Table-driven like test_payorder.c: each case gives the authorizers with
 * their balance and, when capped, what the cap leaves this month, and the
 * expected shares and cuts (candidate index, amount).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/family.h"
#include "core/payorder.h"

#define MAXC 3
#define NONE -1   /* no cap */

struct cand {
	int64_t balance;
	int64_t cap_left;  /* NONE: uncapped */
};

struct pair {
	int candidate;
	int64_t amount;
};

static const struct cap_case {
	const char *name;
	int64_t payable;
	int64_t own;
	int ncand;
	struct cand cand[MAXC];
	int nshares;
	struct pair shares[MAXC + 1];
	int ncuts;
	struct pair cuts[MAXC];
	int64_t cash;
} cases[] = {
	{ "E2 no cap: as before", 5000, 0,
	  1, { { 10000, NONE } },
	  1, { { 0, 5000 } }, 0, { { 0, 0 } }, 0 },
	{ "E2 cap above the bill: no cut", 5000, 0,
	  1, { { 10000, 20000 } },
	  1, { { 0, 5000 } }, 0, { { 0, 0 } }, 0 },
	{ "E2 cap cuts the share, the rest in cash", 30000, 0,
	  1, { { 100000, 20000 } },
	  1, { { 0, 20000 } }, 1, { { 0, 10000 } }, 10000 },
	{ "E2 cap cuts the richest, the rest to the next authorizer", 30000, 0,
	  2, { { 100000, 5000 }, { 50000, NONE } },
	  2, { { 0, 5000 }, { 1, 25000 } }, 1, { { 0, 25000 } }, 0 },
	{ "E2 cap used up: no share, a cut, the next one pays", 8000, 0,
	  2, { { 100000, 0 }, { 50000, NONE } },
	  1, { { 1, 8000 } }, 1, { { 0, 8000 } }, 0 },
	{ "E2 own account first, the cap only on the relative's part", 30000, 1000,
	  1, { { 100000, 20000 } },
	  2, { { -1, 1000 }, { 0, 20000 } }, 1, { { 0, 9000 } }, 9000 },
	{ "E2 balance below the cap: the balance limits, no cut", 30000, 0,
	  1, { { 3000, 20000 } },
	  1, { { 0, 3000 } }, 0, { { 0, 0 } }, 27000 },
};

static void run_case(const struct cap_case *c)
{
	yb_payer_candidate cands[MAXC];
	yb_pay_input in;
	yb_pay_result out;
	yb_err err;

	memset(cands, 0, sizeof cands);
	for (int i = 0; i < c->ncand; i++) {
		cands[i].binding_id = i + 1;
		cands[i].balance_fen = c->cand[i].balance;
		cands[i].status = YB_STATUS_ACTIVE;
		cands[i].account_open = true;
		cands[i].capped = c->cand[i].cap_left != NONE;
		cands[i].cap_left_fen = c->cand[i].cap_left;
	}
	memset(&in, 0, sizeof in);
	in.payable_fen = c->payable;
	in.patient_has_account = c->own > 0;
	in.patient_balance_fen = c->own;
	in.family_allowed = true;
	in.ncandidates = c->ncand;
	in.candidates = cands;
	if (yb_payorder_compute(&in, &out, &err) != 0)
		fail_msg("%s: %s", c->name, err.message);
	if (out.nshares != c->nshares || out.ncuts != c->ncuts)
		fail_msg("%s: %d shares %d cuts, expected %d and %d", c->name,
			 out.nshares, out.ncuts, c->nshares, c->ncuts);
	for (int i = 0; i < c->nshares; i++)
		if (out.shares[i].candidate != c->shares[i].candidate ||
		    out.shares[i].amount_fen != c->shares[i].amount)
			fail_msg("%s: share %d wrong", c->name, i);
	for (int i = 0; i < c->ncuts; i++)
		if (out.cuts[i].candidate != c->cuts[i].candidate ||
		    out.cuts[i].amount_fen != c->cuts[i].amount)
			fail_msg("%s: cut %d is %lld", c->name, i,
				 (long long)out.cuts[i].amount_fen);
	if (out.cash_pay_fen != c->cash ||
	    out.account_pay_fen + out.cash_pay_fen != c->payable)
		fail_msg("%s: cash %lld", c->name, (long long)out.cash_pay_fen);
}

/* E2: the table above. */
static void test_caps(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_case(&cases[i]);
}

/* E2: months are local (UTC+8): 2026-11-30T16:00Z is already December. */
static void test_month(void **state)
{
	yb_time t, from, to, exp_from, exp_to;
	(void)state;

	assert_true(yb_time_parse("2026-11-30T16:00:00Z", &t));
	yb_cap_month(t, &from, &to);
	assert_true(yb_time_parse("2026-12-01T00:00:00+08:00", &exp_from));
	assert_true(yb_time_parse("2027-01-01T00:00:00+08:00", &exp_to));
	assert_true(from == exp_from && to == exp_to);
	assert_true(yb_time_parse("2026-11-30T15:59:59Z", &t));
	yb_cap_month(t, &from, &to);
	assert_true(to == exp_from);
	assert_true(yb_time_parse("2026-11-01T00:00:00+08:00", &exp_from));
	assert_true(from == exp_from);
}

/* E2: what is left; a cap lowered below the used amount leaves 0. */
static void test_left_and_check(void **state)
{
	yb_err err;
	(void)state;

	assert_true(yb_cap_left(20000, 0) == 20000);
	assert_true(yb_cap_left(20000, 15000) == 5000);
	assert_true(yb_cap_left(20000, 25000) == 0);
	assert_true(yb_cap_left(0, 0) == 0);
	assert_int_equal(yb_cap_check(0, &err), 0);
	assert_int_equal(yb_cap_check(20000, &err), 0);
	assert_int_equal(yb_cap_check(-1, &err), -1);
	assert_string_equal(err.code, "binding.invalid_cap");
	assert_int_equal(yb_cap_check(INT64_MAX, &err), -1);
}

/* E1: which year is payable on which day, for how much (defaults:
 * 2026 and 2027 at 400.00, from 1 September of the year before to the
 * end of the year). */
static void test_premium_due(void **state)
{
	static const struct {
		int year;
		const char *today;
		const char *code;   /* NULL: payable */
	} days[] = {
		{ 2026, "2026-12-04", NULL },
		{ 2026, "2025-09-01", NULL },
		{ 2026, "2025-08-31", "premium.year_not_open" },
		{ 2026, "2026-12-31", NULL },
		{ 2026, "2027-01-01", "premium.year_not_open" },
		{ 2027, "2026-12-04", NULL },
		{ 2025, "2026-12-04", "premium.year_not_open" },  /* no amount */
		{ 2028, "2027-10-01", "premium.year_not_open" },  /* no amount */
		{ 1999, "2026-12-04", "premium.invalid_year" },
		{ 2100, "2026-12-04", "premium.invalid_year" },
	};
	yb_settings s;
	yb_err err;
	(void)state;

	yb_settings_defaults(&s);
	for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
		yb_date today;
		int64_t fen = -1;
		int rc;

		assert_true(yb_date_parse(days[i].today, &today));
		yb_err_clear(&err);
		rc = yb_premium_due(&s, days[i].year, today, &fen, &err);
		if (!days[i].code) {
			if (rc != 0)
				fail_msg("%d on %s: %s", days[i].year,
					 days[i].today, err.message);
			assert_true(fen == 40000);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(err.code, days[i].code);
		}
	}
	/* another city's window: March to June of the year itself */
	assert_int_equal(yb_settings_set(&s, "premium_open_month", "3", &err), 0);
	assert_int_equal(yb_settings_set(&s, "resident_premiums",
					 "2026:38000, 2027:42000", &err), 0);
	/* the window of year Y opens in March of Y-1 and closes with June of Y */
	s.premium_close_month = 6;
	{
		yb_date d;
		int64_t fen;
		assert_true(yb_date_parse("2026-06-30", &d));
		assert_int_equal(yb_premium_due(&s, 2027, d, &fen, &err), 0);
		assert_true(fen == 42000);
		assert_true(yb_date_parse("2027-07-01", &d));
		assert_int_equal(yb_premium_due(&s, 2027, d, &fen, &err), -1);
	}
	assert_int_equal(yb_settings_set(&s, "resident_premiums", "2026:1,2026:2",
					 &err), -1);
	assert_int_equal(yb_settings_set(&s, "resident_premiums", "26:100",
					 &err), -1);
}

/* E1, F9: the balance above the floor must cover the contribution. */
static void test_premium_affordable(void **state)
{
	yb_err err;
	(void)state;

	assert_int_equal(yb_premium_affordable(40000, 0, 40000, &err), 0);
	assert_int_equal(yb_premium_affordable(39999, 0, 40000, &err), -1);
	assert_string_equal(err.code, "premium.insufficient_balance");
	assert_int_equal(yb_premium_affordable(50000, 10001, 40000, &err), -1);
	assert_int_equal(yb_premium_affordable(50000, 10000, 40000, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_premium_due),
		cmocka_unit_test(test_premium_affordable),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_month),
		cmocka_unit_test(test_left_and_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
