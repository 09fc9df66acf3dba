/*
 * test_fundpolicy.c — the fund part on the national-interface path, rules
 * N1–N5 of docs/NHSA.md (src/core/fundpolicy.c).  Table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/fundpolicy.h"

static const struct fund_case {
	const char *name;            /* with the rule it proves */
	int64_t medfee, inscp;
	yb_fund_policy pol;
	int64_t cum_dedc, cum_fund;
	int64_t want_dedc, want_fund, want_ownpay;
} cases[] = {
	{ "N1: the deductible first, then N2 the ratio",
	  30000, 30000, { 10000, 5000, 300000 }, 0, 0, 10000, 10000, 0 },
	{ "N1: a deductible paid earlier this year is not paid again",
	  30000, 30000, { 10000, 5000, 300000 }, 10000, 0, 0, 15000, 0 },
	{ "N1: part of the deductible left",
	  30000, 30000, { 10000, 5000, 300000 }, 4000, 0, 6000, 12000, 0 },
	{ "N1: a bill below the deductible: no fund",
	  5000, 5000, { 10000, 5000, 300000 }, 0, 0, 5000, 0, 0 },
	{ "N2: rounded down to the fen (the fund never pays more)",
	  10001, 10001, { 0, 3333, 1000000 }, 0, 0, 0, 3333, 0 },
	{ "N3: the yearly ceiling caps the fund",
	  100000, 100000, { 0, 9000, 50000 }, 0, 20000, 0, 30000, 0 },
	{ "N3: the ceiling reached: nothing more",
	  100000, 100000, { 0, 9000, 50000 }, 0, 50000, 0, 0, 0 },
	{ "N4: out of scope is the patient's own",
	  30000, 20000, { 0, 5000, 300000 }, 0, 0, 0, 10000, 10000 },
	{ "N2: ratio 0 (a pharmacy purchase): accounts and cash only",
	  8000, 8000, { 0, 0, 0 }, 0, 0, 0, 0, 0 },
	{ "N2: ratio 100 %",
	  8000, 8000, { 0, 10000, 1000000 }, 0, 0, 0, 8000, 0 },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct fund_case *c = &cases[i];
		yb_fund_in in;
		yb_fund_out out;
		yb_err err;

		memset(&in, 0, sizeof in);
		in.medfee_fen = c->medfee;
		in.inscp_fen = c->inscp;
		in.policy = c->pol;
		in.cum.deductible_fen = c->cum_dedc;
		in.cum.fund_fen = c->cum_fund;
		print_message("%s\n", c->name);
		assert_int_equal(yb_fund_compute(&in, &out, &err), 0);
		assert_int_equal(out.deductible_fen, c->want_dedc);
		assert_int_equal(out.fund_fen, c->want_fund);
		assert_int_equal(out.fulamt_ownpay_fen, c->want_ownpay);
		assert_true(out.fund_fen + out.deductible_fen <= c->inscp);
	}
}

static void test_refusals(void **state)
{
	yb_fund_in in;
	yb_fund_out out;
	yb_err err;

	(void)state;
	memset(&in, 0, sizeof in);
	in.medfee_fen = 100;
	in.inscp_fen = 101;                 /* in scope above the total */
	assert_int_equal(yb_fund_compute(&in, &out, &err), -1);
	assert_string_equal(err.code, "settlement.invalid_amounts");
	in.inscp_fen = 100;
	in.policy.ratio_bp = 10001;
	assert_int_equal(yb_fund_compute(&in, &out, &err), -1);
	assert_string_equal(err.code, "settings.invalid");
	in.policy.ratio_bp = 5000;
	in.cum.fund_fen = -1;
	assert_int_equal(yb_fund_compute(&in, &out, &err), -1);
}

/* N5: the visit family of a national med_type. */
static void test_med_type(void **state)
{
	(void)state;
	assert_int_equal(yb_fund_visit_of_med_type("11"), YB_VISIT_OUTPATIENT);
	assert_int_equal(yb_fund_visit_of_med_type("14"), YB_VISIT_OUTPATIENT);
	assert_int_equal(yb_fund_visit_of_med_type("140104"), YB_VISIT_OUTPATIENT);
	assert_int_equal(yb_fund_visit_of_med_type("21"), YB_VISIT_INPATIENT);
	assert_int_equal(yb_fund_visit_of_med_type("2101"), YB_VISIT_INPATIENT);
	assert_int_equal(yb_fund_visit_of_med_type("52"), YB_VISIT_INPATIENT);
	assert_int_equal(yb_fund_visit_of_med_type("41"), YB_VISIT_PHARMACY);
	assert_int_equal(yb_fund_visit_of_med_type(""), YB_VISIT_OUTPATIENT);
}

/* The policy is a setting per insutype × visit family (docs/NHSA.md). */
static void test_settings(void **state)
{
	yb_settings s;
	yb_err err;

	(void)state;
	yb_settings_defaults(&s);
	assert_int_equal(s.nhsa_time_window_seconds, 300);
	assert_int_equal(s.nhsa_policy[YB_NHSA_INSU_RESIDENT][YB_VISIT_OUTPATIENT]
				 .deductible_fen, 10000);
	assert_int_equal(yb_settings_parse(&s,
		"nhsa_policy_390_outpatient_ratio_bp = 6000\n"
		"nhsa_policy_310_inpatient_ceiling_fen = 123\n"
		"nhsa_time_window_seconds = 60\n", &err), 0);
	assert_int_equal(s.nhsa_policy[YB_NHSA_INSU_RESIDENT][YB_VISIT_OUTPATIENT]
				 .ratio_bp, 6000);
	assert_int_equal(s.nhsa_policy[YB_NHSA_INSU_EMPLOYEE][YB_VISIT_INPATIENT]
				 .ceiling_fen, 123);
	assert_int_equal(s.nhsa_time_window_seconds, 60);
	assert_int_equal(yb_settings_parse(&s,
		"nhsa_policy_390_outpatient_ratio_bp = 10001\n", &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_med_type),
		cmocka_unit_test(test_settings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
