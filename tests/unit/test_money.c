/*
 * test_money.c — integer fen arithmetic, parsing and formatting
 * (src/core/money.c).  Every case is SPEC U1: money is int64_t fen and
 * no floating point touches it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/money.h"

/* U1: checked addition and subtraction at the int64_t bounds. */
static void test_arithmetic(void **state)
{
	int64_t r;
	(void)state;
	assert_true(yb_money_add(1, 2, &r));
	assert_int_equal(r, 3);
	assert_true(yb_money_add(INT64_MAX - 1, 1, &r));
	assert_true(r == INT64_MAX);
	assert_false(yb_money_add(INT64_MAX, 1, &r));
	assert_false(yb_money_add(INT64_MIN, -1, &r));
	assert_true(yb_money_add(INT64_MIN, INT64_MAX, &r));
	assert_true(r == -1);
	assert_true(yb_money_sub(5, 7, &r));
	assert_true(r == -2);
	assert_false(yb_money_sub(INT64_MIN, 1, &r));
	assert_false(yb_money_sub(0, INT64_MIN, &r));
	assert_true(yb_money_sub(-1, INT64_MIN, &r));
	assert_true(r == INT64_MAX);
}

/* U1: the accepted range of an amount. */
static void test_valid(void **state)
{
	(void)state;
	assert_true(yb_money_valid(0));
	assert_true(yb_money_valid(YB_MONEY_MAX));
	assert_false(yb_money_valid(YB_MONEY_MAX + 1));
	assert_false(yb_money_valid(-1));
	assert_false(yb_money_valid(INT64_MIN));
}

/* U1: yuan strings, digit by digit. */
static void test_parse(void **state)
{
	static const struct {
		const char *s;
		bool ok;
		int64_t fen;
	} cases[] = {
		{ "0", true, 0 },
		{ "1234", true, 123400 },
		{ "1234.5", true, 123450 },
		{ "1234.50", true, 123450 },
		{ "0.07", true, 7 },
		{ "-3.07", true, -307 },
		{ "-0.07", true, -7 },
		{ "-0", true, 0 },
		{ "007.10", true, 710 },
		{ "92233720368547758.07", true, INT64_MAX },
		{ "-92233720368547758.08", true, INT64_MIN },
		{ "92233720368547758.08", false, 0 },
		{ "-92233720368547758.09", false, 0 },
		{ "92233720368547759", false, 0 },
		{ "100000000000000000000", false, 0 },
		{ "1.234", false, 0 },
		{ "1.", false, 0 },
		{ ".5", false, 0 },
		{ "-", false, 0 },
		{ "-.5", false, 0 },
		{ "+1", false, 0 },
		{ "1e3", false, 0 },
		{ " 1", false, 0 },
		{ "1 ", false, 0 },
		{ "1,000.00", false, 0 },
		{ "1.0.0", false, 0 },
		{ "--1", false, 0 },
		{ "", false, 0 },
		{ "0x10", false, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t fen = 12345;
		bool ok = yb_money_parse_yuan(cases[i].s, &fen);
		if (ok != cases[i].ok)
			fail_msg("parse \"%s\" = %d", cases[i].s, ok);
		if (ok && fen != cases[i].fen)
			fail_msg("parse \"%s\" = %lld", cases[i].s,
				 (long long)fen);
		if (!ok && fen != 12345)
			fail_msg("parse \"%s\" wrote a value on failure",
				 cases[i].s);
	}
	{
		int64_t fen;
		assert_false(yb_money_parse_yuan(NULL, &fen));
	}
}

/* U1: two decimals always; grouping by thousands on request. */
static void test_format(void **state)
{
	static const struct {
		int64_t fen;
		const char *plain, *grouped;
	} cases[] = {
		{ 0, "0.00", "0.00" },
		{ 7, "0.07", "0.07" },
		{ -7, "-0.07", "-0.07" },
		{ 100, "1.00", "1.00" },
		{ 123450, "1234.50", "1,234.50" },
		{ 99999, "999.99", "999.99" },
		{ 100000, "1000.00", "1,000.00" },
		{ -123456789, "-1234567.89", "-1,234,567.89" },
		{ 100000000000, "1000000000.00", "1,000,000,000.00" },
		{ INT64_MAX, "92233720368547758.07",
		  "92,233,720,368,547,758.07" },
		{ INT64_MIN, "-92233720368547758.08",
		  "-92,233,720,368,547,758.08" },
	};
	char buf[32];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t back;
		assert_string_equal(yb_money_format(cases[i].fen, false, buf,
						    sizeof buf), cases[i].plain);
		assert_true(yb_money_parse_yuan(buf, &back));
		assert_true(back == cases[i].fen);
		assert_string_equal(yb_money_format(cases[i].fen, true, buf,
						    sizeof buf),
				    cases[i].grouped);
	}
	/* A short buffer is cut, never overrun. */
	assert_string_equal(yb_money_format(123450, true, buf, 4), "1,2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arithmetic),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
