/*
 * test_date.c — calendar dates and instants (src/core/date.c).
 *
 * Every case is SPEC U5: local calendar dates as day numbers, instants as
 * UTC seconds, RFC 3339 in and out, Asia/Shanghai at a fixed UTC+8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/date.h"

/* U5: known day numbers and weekdays (checked against Python's datetime). */
static void test_known_days(void **state)
{
	static const struct {
		int y, m, d;
		yb_date day;
		int weekday;
	} cases[] = {
		{ 1970, 1, 1, 0, 4 },
		{ 1969, 12, 31, -1, 3 },
		{ 2000, 3, 1, 11017, 3 },
		{ 2024, 2, 29, 19782, 4 },
		{ 1800, 1, 1, -62091, 3 },
		{ 1900, 3, 1, -25508, 4 },
		{ 9999, 12, 31, 2932896, 5 },
		{ 2026, 1, 4, 20457, 7 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int y, m, d;
		assert_int_equal(yb_date_from_ymd(cases[i].y, cases[i].m,
						  cases[i].d), cases[i].day);
		yb_date_to_ymd(cases[i].day, &y, &m, &d);
		assert_int_equal(y, cases[i].y);
		assert_int_equal(m, cases[i].m);
		assert_int_equal(d, cases[i].d);
		assert_int_equal(yb_date_weekday(cases[i].day), cases[i].weekday);
	}
}

/* U5: every valid date from 1800 to 9999 round-trips, and consecutive
 * dates are consecutive day numbers. */
static void test_round_trip_all(void **state)
{
	yb_date expect = yb_date_from_ymd(1800, 1, 1);
	(void)state;
	for (int y = 1800; y <= 9999; y++)
		for (int m = 1; m <= 12; m++)
			for (int d = 1; d <= 31; d++) {
				int yy, mm, dd;
				if (!yb_date_valid(y, m, d))
					continue;
				assert_int_equal(yb_date_from_ymd(y, m, d), expect);
				yb_date_to_ymd(expect, &yy, &mm, &dd);
				if (yy != y || mm != m || dd != d)
					fail_msg("%d-%d-%d came back as %d-%d-%d",
						 y, m, d, yy, mm, dd);
				expect++;
			}
	assert_int_equal(expect, yb_date_from_ymd(9999, 12, 31) + 1);
}

/* U5: what is a real date. */
static void test_valid(void **state)
{
	static const struct { int y, m, d; bool ok; } cases[] = {
		{ 2024, 2, 29, true },   { 2023, 2, 29, false },
		{ 1900, 2, 29, false },  { 2000, 2, 29, true },
		{ 2025, 4, 31, false },  { 2025, 12, 31, true },
		{ 2025, 13, 1, false },  { 2025, 0, 1, false },
		{ 2025, 1, 0, false },   { 1799, 12, 31, false },
		{ 1800, 1, 1, true },    { 10000, 1, 1, false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (yb_date_valid(cases[i].y, cases[i].m, cases[i].d) !=
		    cases[i].ok)
			fail_msg("%d-%d-%d", cases[i].y, cases[i].m, cases[i].d);
}

/* U5: "YYYY-MM-DD" exactly, and "YYYYMMDD" for ID numbers. */
static void test_parse_format(void **state)
{
	static const struct { const char *s; bool ok; } dashed[] = {
		{ "2025-01-01", true },  { "2024-02-29", true },
		{ "2023-02-29", false }, { "2025-1-01", false },
		{ "2025-01-1", false },  { "2025-01-01x", false },
		{ "2025/01/01", false }, { "", false },
		{ " 2025-01-01", false }, { "2025-01-0", false },
		{ "+025-01-01", false }, { "2025-01-01T00:00:00Z", false },
	};
	static const struct { const char *s; bool ok; } compact[] = {
		{ "19900101", true },  { "1990010", false },
		{ "199001011", false }, { "19900230", false },
		{ "1990-101", false },
	};
	char buf[16];
	yb_date d;
	(void)state;

	for (size_t i = 0; i < sizeof dashed / sizeof dashed[0]; i++) {
		bool ok = yb_date_parse(dashed[i].s, &d);
		if (ok != dashed[i].ok)
			fail_msg("yb_date_parse(\"%s\")", dashed[i].s);
		if (ok)
			assert_string_equal(yb_date_format(d, buf, sizeof buf),
					    dashed[i].s);
	}
	for (size_t i = 0; i < sizeof compact / sizeof compact[0]; i++)
		if (yb_date_parse_compact(compact[i].s, &d) != compact[i].ok)
			fail_msg("yb_date_parse_compact(\"%s\")", compact[i].s);
	assert_false(yb_date_parse(NULL, &d));
	assert_false(yb_date_parse_compact(NULL, &d));
	assert_true(yb_date_parse_compact("19900101", &d));
	assert_int_equal(d, yb_date_from_ymd(1990, 1, 1));
	/* formatting as "%04d-%02d-%02d" would: a year of five digits, a
	 * short buffer cut */
	assert_string_equal(yb_date_format(yb_date_from_ymd(10000, 3, 4), buf,
					   sizeof buf), "10000-03-04");
	assert_string_equal(yb_date_format(yb_date_from_ymd(987, 12, 31), buf,
					   sizeof buf), "0987-12-31");
	assert_string_equal(yb_date_format(yb_date_from_ymd(2026, 1, 2), buf,
					   5), "2026");
	assert_string_equal(yb_date_format(yb_date_from_ymd(1800, 1, 1), buf,
					   sizeof buf), "1800-01-01");
}

/* U5: the local date of an instant is UTC+8's. */
static void test_local_date(void **state)
{
	yb_time t;
	(void)state;
	assert_true(yb_time_parse("2025-12-31T15:59:59Z", &t));
	assert_int_equal(yb_date_of(t), yb_date_from_ymd(2025, 12, 31));
	assert_true(yb_time_parse("2025-12-31T16:00:00Z", &t));
	assert_int_equal(yb_date_of(t), yb_date_from_ymd(2026, 1, 1));
	assert_int_equal(yb_time_of_date(yb_date_from_ymd(2026, 1, 1)), t);
	/* Before the epoch the division must round down, not toward 0. */
	assert_int_equal(yb_date_of(-8 * 3600 - 1), -1);
	assert_int_equal(yb_date_of(-8 * 3600), 0);
	assert_int_equal(yb_date_of(0), 0);
	assert_int_equal(yb_time_of_date(0), -8 * 3600);
}

/* U5: RFC 3339 parsing, with offsets and fractions. */
static void test_time_parse(void **state)
{
	static const struct {
		const char *s;
		bool ok;
		yb_time t;
	} cases[] = {
		{ "2026-11-22T10:26:00Z", true, 1795343160 },
		{ "2026-11-22T10:26:00z", true, 1795343160 },
		{ "2026-11-22t10:26:00Z", true, 1795343160 },
		{ "2026-11-22T10:26:00.5Z", true, 1795343160 },
		{ "2026-11-22T10:26:00.123456789Z", true, 1795343160 },
		{ "2026-11-22T10:26:00+08:00", true, 1795314360 },
		{ "2026-11-22T10:26:00.25+08:00", true, 1795314360 },
		{ "2026-11-22T10:26:00-05:30", true, 1795362960 },
		{ "2026-11-22T10:26:00+00:00", true, 1795343160 },
		{ "2026-11-22T10:26:00-00:00", true, 1795343160 },
		{ "1960-06-15T12:00:00Z", true, -301233600 },
		{ "2026-11-22T10:26:00", false, 0 },
		{ "2026-11-22 10:26:00Z", false, 0 },
		{ "2026-11-22T24:00:00Z", false, 0 },
		{ "2026-11-22T10:60:00Z", false, 0 },
		{ "2026-11-22T10:26:60Z", false, 0 },
		{ "2026-11-22T10:26:00.Z", false, 0 },
		{ "2026-11-22T10:26:00+8:00", false, 0 },
		{ "2026-11-22T10:26:00+08", false, 0 },
		{ "2026-11-22T10:26:00+0800", false, 0 },
		/* an offset that carries it out of 1800..9999 UTC (fuzz_date) */
		{ "1800-01-01T10:26:00+18:26", false, 0 },
		{ "9999-12-31T23:00:00-05:00", false, 0 },
		{ "2026-11-22T10:26:00+24:00", false, 0 },
		{ "2026-11-22T10:26:00+08:60", false, 0 },
		{ "2026-11-22T10:26:00Zx", false, 0 },
		{ "2026-11-22T10:26:00+08:00 ", false, 0 },
		{ "2026-02-30T10:26:00Z", false, 0 },
		{ "2026-11-22T1:26:00Z", false, 0 },
		{ "2026-11-22", false, 0 },
		{ "", false, 0 },
	};
	yb_time t;
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool ok = yb_time_parse(cases[i].s, &t);
		if (ok != cases[i].ok)
			fail_msg("yb_time_parse(\"%s\") = %d", cases[i].s, ok);
		if (ok && t != cases[i].t)
			fail_msg("yb_time_parse(\"%s\") = %lld", cases[i].s,
				 (long long)t);
	}
	assert_false(yb_time_parse(NULL, &t));
}

/* U5: instants are written as RFC 3339 UTC and read back. */
static void test_time_format(void **state)
{
	static const struct { yb_time t; const char *s; } cases[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ 1795343160, "2026-11-22T10:26:00Z" },
		{ -301233600, "1960-06-15T12:00:00Z" },
		{ -1, "1969-12-31T23:59:59Z" },
	};
	char buf[32];
	yb_time back;
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_string_equal(yb_time_format(cases[i].t, buf, sizeof buf),
				    cases[i].s);
		assert_true(yb_time_parse(buf, &back));
		assert_int_equal(back, cases[i].t);
	}
	/* A short buffer is cut, never overrun. */
	assert_string_equal(yb_time_format(0, buf, 5), "1970");
}

/* A4: contribution periods "YYYY-MM". */
static void test_period(void **state)
{
	static const struct { const char *s; bool ok; } cases[] = {
		{ "2025-01", true },  { "2025-12", true },
		{ "2025-13", false }, { "2025-00", false },
		{ "2025-1", false },  { "202501", false },
		{ "2025-01-01", false }, { "", false },
		{ "2025-0a", false }, { "1799-12", false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (yb_period_valid(cases[i].s) != cases[i].ok)
			fail_msg("yb_period_valid(\"%s\")", cases[i].s);
	assert_false(yb_period_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_days),
		cmocka_unit_test(test_round_trip_all),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_local_date),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_period),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
