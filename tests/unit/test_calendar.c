/*
 * test_calendar.c — the working-day calendar (SPEC C3b)
 * (src/core/calendar.c), on the shipped data/calendar-2025.txt and
 * data/calendar-2026.txt (the State Council's notices for those years).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/calendar.h"

static yb_date D(const char *s)
{
	yb_date d = 0;
	if (!yb_date_parse(s, &d))
		fail_msg("bad date in test: %s", s);
	return d;
}

/* Read a whole shipped data file; the caller frees it. */
static char *read_data(const char *name)
{
	char path[512];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof path, "%s/data/%s", YB_SOURCE_ROOT, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static void load(yb_calendar *cal, const char *name)
{
	yb_calendar_year y;
	yb_err err;
	char *text = read_data(name);

	yb_err_clear(&err);
	if (yb_calendar_parse_year(text, &y, &err) != 0)
		fail_msg("%s: %s", name, err.message);
	free(text);
	assert_int_equal(yb_calendar_add_year(cal, &y, &err), 0);
}

static int setup_both(void **state)
{
	static yb_calendar cal;
	yb_calendar_init(&cal);
	load(&cal, "calendar-2025.txt");
	load(&cal, "calendar-2026.txt");
	*state = &cal;
	return 0;
}

/* C3b: the shipped files parse and hold the notices' tables. */
static void test_shipped_files(void **state)
{
	static const struct {
		const char *file;
		int year, nholidays, nworkdays, working_days;
	} cases[] = {
		/* 261 weekdays, 18 of them holidays, 5 worked weekends */
		{ "calendar-2025.txt", 2025, 28, 5, 248 },
		/* 261 weekdays, 19 of them holidays, 6 worked weekends */
		{ "calendar-2026.txt", 2026, 33, 6, 248 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		yb_calendar cal;
		yb_calendar_year y;
		yb_err err;
		char *text = read_data(cases[i].file);
		int working = 0;

		assert_int_equal(yb_calendar_parse_year(text, &y, &err), 0);
		free(text);
		assert_int_equal(y.year, cases[i].year);
		assert_int_equal(y.nholidays, cases[i].nholidays);
		assert_int_equal(y.nworkdays, cases[i].nworkdays);
		/* Adjusted workdays are all weekend days. */
		for (int j = 0; j < y.nworkdays; j++)
			assert_true(yb_date_weekday(y.workdays[j]) >= 6);

		yb_calendar_init(&cal);
		assert_int_equal(yb_calendar_add_year(&cal, &y, &err), 0);
		for (yb_date d = yb_date_from_ymd(y.year, 1, 1);
		     d <= yb_date_from_ymd(y.year, 12, 31); d++) {
			bool w;
			assert_int_equal(yb_calendar_is_working_day(&cal, d, &w,
								   &err), 0);
			working += w;
		}
		assert_int_equal(working, cases[i].working_days);
	}
}

/* C3b: single days — holidays on weekdays, adjusted working weekends. */
static void test_is_working_day(void **state)
{
	static const struct { const char *date; bool working; } cases[] = {
		{ "2025-01-01", false },   /* Wed, New Year */
		{ "2025-01-02", true },    /* Thu */
		{ "2025-01-04", false },   /* Sat */
		{ "2025-01-26", true },    /* Sun, worked (Spring Festival) */
		{ "2025-01-28", false },   /* Tue, Spring Festival */
		{ "2025-02-04", false },   /* Tue, Spring Festival */
		{ "2025-02-05", true },
		{ "2025-02-08", true },    /* Sat, worked */
		{ "2025-04-27", true },    /* Sun, worked */
		{ "2025-06-02", false },   /* Mon, Dragon Boat */
		{ "2025-09-28", true },    /* Sun, worked */
		{ "2025-10-08", false },   /* Wed, National Day */
		{ "2025-10-11", true },    /* Sat, worked */
		{ "2025-10-12", false },   /* Sun */
		{ "2026-01-02", false },   /* Fri, New Year */
		{ "2026-01-04", true },    /* Sun, worked */
		{ "2026-02-14", true },    /* Sat, worked */
		{ "2026-02-23", false },   /* Mon, Spring Festival */
		{ "2026-02-28", true },    /* Sat, worked */
		{ "2026-05-09", true },    /* Sat, worked */
		{ "2026-06-19", false },   /* Fri, Dragon Boat */
		{ "2026-09-20", true },    /* Sun, worked */
		{ "2026-09-25", false },   /* Fri, Mid-Autumn */
		{ "2026-10-07", false },   /* Wed, National Day */
		{ "2026-10-10", true },    /* Sat, worked */
	};
	const yb_calendar *cal = *state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool w;
		yb_err err;
		assert_int_equal(yb_calendar_is_working_day(cal, D(cases[i].date),
							   &w, &err), 0);
		if (w != cases[i].working)
			fail_msg("%s", cases[i].date);
	}
}

/* C3b: "the third working day after the application day". */
static void test_add_working_days(void **state)
{
	static const struct {
		const char *from;
		int n;
		const char *expect;
		const char *why;
	} cases[] = {
		{ "2025-03-05", 3, "2025-03-10", "Wed: Thu, Fri, Mon" },
		{ "2025-03-07", 3, "2025-03-12", "Fri: over the weekend" },
		{ "2025-03-08", 1, "2025-03-10", "from a Saturday" },
		{ "2025-03-09", 3, "2025-03-12", "from a Sunday" },
		{ "2025-09-30", 3, "2025-10-11",
		  "National Day: Oct 9, 10 and the worked Saturday 11" },
		{ "2025-10-01", 1, "2025-10-09", "from inside a holiday" },
		{ "2025-09-26", 1, "2025-09-28", "Fri: to the worked Sunday" },
		{ "2025-01-24", 3, "2025-02-05",
		  "Fri: worked Sun 26, Mon 27, the festival, Wed Feb 5" },
		{ "2026-02-12", 3, "2026-02-24",
		  "Thu: Fri 13, worked Sat 14, festival, Tue 24" },
		{ "2025-12-30", 1, "2025-12-31", "within the year" },
		{ "2025-12-31", 3, "2026-01-06",
		  "year boundary: Jan 1-3 off, worked Sun 4, Mon 5, Tue 6" },
		{ "2025-12-31", 1, "2026-01-04", "to the worked Sunday" },
		{ "2026-04-30", 3, "2026-05-08",
		  "Labour Day: May 6, 7, 8 (worked Sat 9 not reached)" },
		{ "2026-04-30", 4, "2026-05-09", "worked Saturday May 9" },
		{ "2025-01-01", 248, "2025-12-31", "all 248 of 2025" },
		{ "2025-01-01", 250, "2026-01-05", "into 2026" },
	};
	const yb_calendar *cal = *state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		yb_date out = 0;
		yb_err err;
		char buf[16];
		yb_err_clear(&err);
		if (yb_calendar_add_working_days(cal, D(cases[i].from), cases[i].n,
						 &out, &err) != 0)
			fail_msg("%s + %d: %s", cases[i].from, cases[i].n,
				 err.message);
		if (out != D(cases[i].expect))
			fail_msg("%s + %d = %s, expected %s (%s)", cases[i].from,
				 cases[i].n, yb_date_format(out, buf, sizeof buf),
				 cases[i].expect, cases[i].why);
	}
}

/* C3b: a date outside the loaded years is an error, never a guess. */
static void test_year_not_loaded(void **state)
{
	yb_calendar cal;
	yb_date out = 12345;
	bool w;
	yb_err err;
	(void)state;

	yb_calendar_init(&cal);
	load(&cal, "calendar-2025.txt");
	assert_true(yb_calendar_has_year(&cal, 2025));
	assert_false(yb_calendar_has_year(&cal, 2026));

	assert_int_equal(yb_calendar_add_working_days(&cal, D("2025-12-30"), 1,
						      &out, &err), 0);
	assert_int_equal(yb_calendar_add_working_days(&cal, D("2025-12-31"), 3,
						      &out, &err), -1);
	assert_string_equal(err.code, "calendar.year_not_loaded");
	assert_int_equal(err.kind, YB_ERULE);
	assert_non_null(strstr(err.message, "2026"));
	assert_int_equal(yb_calendar_is_working_day(&cal, D("2024-12-31"), &w,
						    &err), -1);
	assert_string_equal(err.code, "calendar.year_not_loaded");

	yb_calendar_init(&cal);
	assert_int_equal(yb_calendar_is_working_day(&cal, D("2025-03-03"), &w,
						    &err), -1);
	assert_string_equal(err.code, "calendar.year_not_loaded");

	/* n must be at least 1 */
	load(&cal, "calendar-2025.txt");
	assert_int_equal(yb_calendar_add_working_days(&cal, D("2025-03-03"), 0,
						      &out, &err), -1);
	assert_string_equal(err.code, "calendar.invalid");
}

/* C3b: tables are checked when added; a year can be replaced. */
static void test_add_year(void **state)
{
	yb_calendar cal;
	yb_calendar_year y;
	yb_err err;
	bool w;
	(void)state;

	yb_calendar_init(&cal);
	memset(&y, 0, sizeof y);
	y.year = 2027;
	y.nholidays = 1;
	y.holidays[0] = D("2027-01-01");
	assert_int_equal(yb_calendar_add_year(&cal, &y, &err), 0);

	/* replace: 2027-01-01 becomes a working day again */
	y.nholidays = 0;
	assert_int_equal(yb_calendar_add_year(&cal, &y, &err), 0);
	assert_int_equal(cal.nyears, 1);
	assert_int_equal(yb_calendar_is_working_day(&cal, D("2027-01-01"), &w,
						    &err), 0);
	assert_true(w);

	/* a date outside the year */
	y.nholidays = 1;
	y.holidays[0] = D("2026-12-31");
	assert_int_equal(yb_calendar_add_year(&cal, &y, &err), -1);
	assert_string_equal(err.code, "calendar.invalid");
	y.nholidays = 0;
	y.nworkdays = 1;
	y.workdays[0] = D("2028-01-01");
	assert_int_equal(yb_calendar_add_year(&cal, &y, &err), -1);
	assert_string_equal(err.code, "calendar.invalid");

	/* both a holiday and a workday */
	y.nholidays = 1;
	y.holidays[0] = D("2027-02-06");
	y.workdays[0] = D("2027-02-06");
	assert_int_equal(yb_calendar_add_year(&cal, &y, &err), -1);
	assert_string_equal(err.code, "calendar.invalid");

	/* too many */
	y.nworkdays = 0;
	y.nholidays = YB_CAL_MAX_DAYS + 1;
	assert_int_equal(yb_calendar_add_year(&cal, &y, &err), -1);
	assert_string_equal(err.code, "calendar.invalid");
	y.nholidays = -1;
	assert_int_equal(yb_calendar_add_year(&cal, &y, &err), -1);

	/* a nonsense year */
	y.nholidays = 0;
	y.year = 0;
	assert_int_equal(yb_calendar_add_year(&cal, &y, &err), -1);

	/* at most YB_CAL_MAX_YEARS years */
	yb_calendar_init(&cal);
	for (int i = 0; i < YB_CAL_MAX_YEARS; i++) {
		memset(&y, 0, sizeof y);
		y.year = 2020 + i;
		assert_int_equal(yb_calendar_add_year(&cal, &y, &err), 0);
	}
	y.year = 2020 + YB_CAL_MAX_YEARS;
	assert_int_equal(yb_calendar_add_year(&cal, &y, &err), -1);
	assert_string_equal(err.code, "calendar.invalid");
	y.year = 2020;     /* replacing a loaded year still works */
	assert_int_equal(yb_calendar_add_year(&cal, &y, &err), 0);
}

/* C3b: the file format, and errors that name the line. */
static void test_parse(void **state)
{
	static const struct {
		const char *text;
		const char *error;   /* NULL: accepted; else in the message */
	} cases[] = {
		{ "year 2027\nholiday 2027-01-01\n", NULL },
		{ "# comment\n\n  year 2027  # trailing\r\n"
		  "\tholiday\t2027-01-01\r\nworkday 2027-01-03\n", NULL },
		{ "year 2027", NULL },
		{ "year 2027\nholiday 2027-01-01\nholiday 2027-01-01\n", NULL },
		{ "", "no \"year\" line" },
		{ "# only a comment\n", "no \"year\" line" },
		{ "holiday 2027-01-01\nyear 2027\n", "line 1: the file must start" },
		{ "year 2027\nyear 2028\n", "line 2: a second" },
		{ "year 27\n", "line 1: \"27\" is not a year" },
		{ "year 20x7\n", "line 1" },
		{ "year\n", "line 1: expected a keyword" },
		{ "year 2027\nholiday\n", "line 2: expected a keyword" },
		{ "year 2027\nholiday 2027-01-01 2027-01-02\n", "line 2" },
		{ "year 2027\n\nvacation 2027-01-01\n", "line 3: unknown keyword" },
		{ "year 2027\nholiday 2027-02-30\n", "line 2: \"2027-02-30\" is not a date" },
		{ "year 2027\nholiday 2027/01/01\n", "line 2" },
		{ "year 2027\nholiday 2026-12-31\n", "line 2: 2026-12-31 is not in 2027" },
		{ "year 2027\nholiday 2027-01-02\nworkday 2027-01-02\n",
		  "line 3: 2027-01-02 is both" },
		{ "year 2027\nworkday 2027-01-02\nholiday 2027-01-02\n",
		  "line 3: 2027-01-02 is both" },
		{ "year 2027\nHoliday 2027-01-01\n", "line 2: unknown keyword" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		yb_calendar_year y;
		yb_err err;
		int rc;
		yb_err_clear(&err);
		rc = yb_calendar_parse_year(cases[i].text, &y, &err);
		if (!cases[i].error) {
			if (rc != 0)
				fail_msg("case %zu: %s", i, err.message);
			assert_int_equal(y.year, 2027);
			continue;
		}
		if (rc != -1)
			fail_msg("case %zu was accepted", i);
		assert_string_equal(err.code, "calendar.invalid");
		if (!strstr(err.message, cases[i].error))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i,
				 err.message, cases[i].error);
	}
}

/* C3b: the limits of the parser. */
static void test_parse_limits(void **state)
{
	char text[4096], *p = text;
	yb_calendar_year y;
	yb_err err;
	(void)state;

	/* a repeated line is kept once */
	assert_int_equal(yb_calendar_parse_year(
		"year 2027\nholiday 2027-01-01\nholiday 2027-01-01\n", &y, &err), 0);
	assert_int_equal(y.nholidays, 1);

	/* more than YB_CAL_MAX_DAYS holidays */
	p += sprintf(p, "year 2027\n");
	for (int i = 0; i <= YB_CAL_MAX_DAYS; i++) {
		char buf[16];
		p += sprintf(p, "holiday %s\n",
			     yb_date_format(D("2027-01-01") + i, buf, sizeof buf));
	}
	assert_int_equal(yb_calendar_parse_year(text, &y, &err), -1);
	assert_non_null(strstr(err.message, "line 66: more than 64 holidays"));

	/* a very long line */
	memset(text, ' ', sizeof text);
	memcpy(text, "year 2027\n", 10);
	text[sizeof text - 1] = '\0';
	assert_int_equal(yb_calendar_parse_year(text, &y, &err), -1);
	assert_non_null(strstr(err.message, "line 2 is too long"));

	assert_int_equal(yb_calendar_parse_year(NULL, &y, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_files),
		cmocka_unit_test_setup(test_is_working_day, setup_both),
		cmocka_unit_test_setup(test_add_working_days, setup_both),
		cmocka_unit_test(test_year_not_loaded),
		cmocka_unit_test(test_add_year),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
