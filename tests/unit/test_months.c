/*
 * test_months.c — month numbers and covers (src/core/months.c): the
 * arithmetic behind statements (R1), proofs (R2), gaps (R3) and employer
 * arrears (R4).  Table-driven: each case names its rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/months.h"

static int M(const char *s)
{
	int m = -1;

	assert_true(yb_month_parse(s, &m));
	return m;
}

static void test_parse_and_format(void **state)
{
	static const struct { const char *s; bool ok; } cases[] = {
		{ "2026-01", true }, { "2026-12", true }, { "1800-01", true },
		{ "9999-12", true },
		/* R1 refusals: a month that is not one */
		{ "2026-13", false }, { "2026-00", false }, { "2026-1", false },
		{ "2026-011", false }, { "26-01", false }, { "2026/01", false },
		{ "1799-12", false }, { "", false }, { "2026", false },
		{ "2026-0a", false }, { " 2026-01", false },
	};
	char buf[YB_MONTH_SZ];
	int m;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool ok = yb_month_parse(cases[i].s, &m);
		if (ok != cases[i].ok)
			fail_msg("%s: want %d", cases[i].s, cases[i].ok);
		if (ok)
			assert_string_equal(yb_month_format(m, buf, sizeof buf),
					    cases[i].s);
	}
	assert_false(yb_month_parse(NULL, &m));
	/* the month after December is January of the next year */
	assert_string_equal(yb_month_format(M("2026-12") + 1, buf, sizeof buf),
			    "2027-01");
	assert_int_equal(yb_month_year(M("2026-07")), 2026);
	assert_int_equal(yb_month_of_year(M("2026-07")), 7);
}

static void test_local_month(void **state)
{
	yb_time t;

	(void)state;
	/* 2026-11-30T16:30Z is 2026-12-01 00:30 in Shanghai (U5) */
	assert_true(yb_time_parse("2026-11-30T16:30:00Z", &t));
	assert_int_equal(yb_month_of_time(t), M("2026-12"));
	assert_true(yb_time_parse("2026-11-30T15:59:59Z", &t));
	assert_int_equal(yb_month_of_time(t), M("2026-11"));
	assert_true(yb_time_parse("2026-11-30T16:00:00Z", &t));
	assert_int_equal(yb_month_start(M("2026-12")), t);
}

static void test_period_span(void **state)
{
	yb_month_span s;

	(void)state;
	assert_true(yb_period_span("2026-03", &s));
	assert_int_equal(s.first, M("2026-03"));
	assert_int_equal(s.last, M("2026-03"));
	/* E1: a resident's yearly premium covers the whole year */
	assert_true(yb_period_span("2026", &s));
	assert_int_equal(s.first, M("2026-01"));
	assert_int_equal(s.last, M("2026-12"));
	assert_false(yb_period_span("2026-13", &s));
	assert_false(yb_period_span("20260", &s));
	assert_false(yb_period_span("", &s));
	assert_false(yb_period_span(NULL, &s));
}

static void test_period_range(void **state)
{
	static const struct {
		const char *from, *to;
		int max;
		const char *code;       /* NULL: accepted */
		int months;
	} cases[] = {
		{ "2016-01", "2025-12", 600, NULL, 120 },   /* R1: ten years */
		{ "2026-05", "2026-05", 600, NULL, 1 },
		{ "1977-01", "2026-12", 600, NULL, 600 },   /* the maximum */
		{ "1926-01", "2025-12", 600, "period.too_long", 0 }, /* 100 y */
		{ "1976-12", "2026-12", 600, "period.too_long", 0 },
		{ "2026-13", "2026-12", 600, "period.invalid", 0 },
		{ "2026-01", "2026-13", 600, "period.invalid", 0 },
		{ "2026-02", "2026-01", 600, "period.invalid", 0 },
		{ "2026-1", "2026-02", 600, "period.invalid", 0 },
		{ "2026-01", "2026-12", 6, "period.too_long", 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		yb_month_span r = { -1, -1 };
		yb_err e;
		int rc;

		yb_err_clear(&e);
		rc = yb_period_range(cases[i].from, cases[i].to, cases[i].max,
				     &r, &e);
		if (!cases[i].code) {
			if (rc != 0)
				fail_msg("%s..%s: %s", cases[i].from,
					 cases[i].to, e.message);
			assert_int_equal(r.last - r.first + 1, cases[i].months);
			continue;
		}
		assert_int_equal(rc, -1);
		assert_string_equal(e.code, cases[i].code);
		assert_int_equal(r.first, -1);   /* nothing changed */
	}
}

static void test_merge(void **state)
{
	yb_month_span s[] = {
		{ M("2026-05"), M("2026-05") }, { M("2026-01"), M("2026-03") },
		{ M("2026-04"), M("2026-04") }, { M("2026-02"), M("2026-02") },
		{ M("2026-08"), M("2026-09") }, { M("2025-01"), M("2025-12") },
	};
	int n = yb_months_merge(s, 6);

	(void)state;
	/* 2025 whole, then Jan..May (adjacent runs join), then Aug..Sep */
	assert_int_equal(n, 2);
	assert_int_equal(s[0].first, M("2025-01"));
	assert_int_equal(s[0].last, M("2026-05"));
	assert_int_equal(s[1].first, M("2026-08"));
	assert_int_equal(s[1].last, M("2026-09"));
	assert_int_equal(yb_months_merge(s, 0), 0);
}

/* R3 gaps and R4 arrears are both "the months of a window not covered". */
static void test_missing(void **state)
{
	yb_month_span cover[] = {
		{ M("2025-01"), M("2025-06") }, { M("2025-09"), M("2025-09") },
		{ M("2026-01"), M("2026-10") },
	};
	yb_month_span out[4];
	int missing, k;

	(void)state;
	/* R3: from the first contribution to the last closed month */
	k = yb_months_missing(cover, 3, M("2025-01"), M("2026-11"), out, 4,
			      &missing);
	assert_int_equal(k, 3);
	assert_int_equal(missing, 2 + 3 + 1);
	assert_int_equal(out[0].first, M("2025-07"));
	assert_int_equal(out[0].last, M("2025-08"));
	assert_int_equal(out[1].first, M("2025-10"));
	assert_int_equal(out[1].last, M("2025-12"));
	assert_int_equal(out[2].first, M("2026-11"));
	assert_int_equal(out[2].last, M("2026-11"));
	/* R4: a window inside one span has nothing missing */
	k = yb_months_missing(cover, 3, M("2026-02"), M("2026-05"), out, 4,
			      &missing);
	assert_int_equal(k, 0);
	assert_int_equal(missing, 0);
	/* a window before everything is all missing */
	k = yb_months_missing(cover, 3, M("2024-01"), M("2024-03"), out, 4,
			      &missing);
	assert_int_equal(k, 1);
	assert_int_equal(missing, 3);
	/* an empty cover: the whole window */
	k = yb_months_missing(NULL, 0, M("2026-01"), M("2026-12"), out, 4,
			      &missing);
	assert_int_equal(k, 1);
	assert_int_equal(missing, 12);
	/* an empty window */
	k = yb_months_missing(cover, 3, M("2026-05"), M("2026-04"), out, 4,
			      &missing);
	assert_int_equal(k, 0);
	assert_int_equal(missing, 0);
	/* more runs than room: the count still counts them all */
	k = yb_months_missing(cover, 3, M("2025-01"), M("2026-11"), out, 1,
			      &missing);
	assert_int_equal(k, 1);
	assert_int_equal(missing, 6);
	assert_int_equal(yb_months_covered(cover, 3, M("2025-05"),
					   M("2026-02")),
			 2 + 1 + 2);
}

static void test_continuity(void **state)
{
	yb_month_span cover[] = {
		{ M("2020-01"), M("2024-12") }, { M("2026-01"), M("2026-11") },
	};
	yb_month_span with_now[] = { { M("2026-01"), M("2026-12") } };

	(void)state;
	/* R3: the running month not posted yet does not break the run */
	assert_int_equal(yb_months_continuity(cover, 2, M("2026-12")), 11);
	/* ... and counts when it is posted */
	assert_int_equal(yb_months_continuity(with_now, 1, M("2026-12")), 12);
	/* a gap in the last closed month: the run is broken */
	assert_int_equal(yb_months_continuity(cover, 2, M("2027-01") + 1), 0);
	assert_int_equal(yb_months_continuity(cover, 2, M("2025-01")), 60);
	assert_int_equal(yb_months_continuity(NULL, 0, M("2026-12")), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_format),
		cmocka_unit_test(test_local_month),
		cmocka_unit_test(test_period_span),
		cmocka_unit_test(test_period_range),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_continuity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
