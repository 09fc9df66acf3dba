/*
 * calendar.h — the working-day calendar (SPEC C3b).
 *
 * Monday to Friday are working days, minus public holidays, plus the
 * adjusted working weekends (调休) the State Council announces each year.
 * The agency loads one table per year; a date in a year that is not loaded
 * is an error ("calendar.year_not_loaded"), never a guess.
 *
 * A yb_calendar is a value the service fills from the store (the years it
 * needs) and then asks pure questions of.
 */
#ifndef YB_CALENDAR_H
#define YB_CALENDAR_H

#include <stdbool.h>

#include "core/date.h"
#include "core/err.h"

#define YB_CAL_MAX_YEARS 8
#define YB_CAL_MAX_DAYS  64     /* special days per year, either kind */

typedef struct yb_calendar_year {
	int year;
	int nholidays;
	yb_date holidays[YB_CAL_MAX_DAYS];   /* weekdays that are days off */
	int nworkdays;
	yb_date workdays[YB_CAL_MAX_DAYS];   /* weekend days that are worked */
} yb_calendar_year;

typedef struct yb_calendar {
	int nyears;
	yb_calendar_year years[YB_CAL_MAX_YEARS];
} yb_calendar;

void yb_calendar_init(yb_calendar *cal);

/*
 * Add (or replace) a year's table.  Every date must lie in `year`; a date
 * may not be both a holiday and a workday; more than YB_CAL_MAX_DAYS of a
 * kind is refused.  Errors: "calendar.invalid".
 */
int yb_calendar_add_year(yb_calendar *cal, const yb_calendar_year *y,
			 yb_err *err);

bool yb_calendar_has_year(const yb_calendar *cal, int year);

/* Is `date` a working day?  Error if its year is not loaded. */
int yb_calendar_is_working_day(const yb_calendar *cal, yb_date date,
			       bool *working, yb_err *err);

/*
 * The n-th working day after `from` (n ≥ 1; `from` itself does not count,
 * whether or not it is a working day).  Error if any year crossed is not
 * loaded.
 */
int yb_calendar_add_working_days(const yb_calendar *cal, yb_date from, int n,
				 yb_date *out, yb_err *err);

/*
 * Parse a calendar data file (data/calendar-YYYY.txt): lines
 * "holiday YYYY-MM-DD" and "workday YYYY-MM-DD", '#' comments, blank
 * lines; a "year YYYY" line first.  Errors name the line.
 */
int yb_calendar_parse_year(const char *text, yb_calendar_year *out,
			   yb_err *err);

#endif
