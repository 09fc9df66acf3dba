/*
 * date.h — calendar dates and instants (SPEC U5).
 *
 * A yb_date is a local (Asia/Shanghai) calendar date as a day number:
 * days since 1970-01-01 (proleptic Gregorian), so date arithmetic is
 * integer arithmetic.  0 is 1970-01-01 and is never a meaningful value in
 * this system, so fields use 0 for "none".
 *
 * A yb_time is an instant: seconds since the Unix epoch, UTC.  China has
 * kept UTC+8 without daylight saving since 1991, so the local date of an
 * instant is a fixed offset away; the offset is YB_LOCAL_UTC_OFFSET.
 */
#ifndef YB_DATE_H
#define YB_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t yb_date;
typedef int64_t yb_time;

#define YB_LOCAL_UTC_OFFSET (8 * 3600)

/* Is (y, m, d) a real date?  Years 1800..9999 only. */
bool yb_date_valid(int y, int m, int d);

/* Day number of a valid (y, m, d); no validation. */
yb_date yb_date_from_ymd(int y, int m, int d);
void yb_date_to_ymd(yb_date date, int *y, int *m, int *d);

/* 1 = Monday ... 7 = Sunday (ISO). */
int yb_date_weekday(yb_date date);

/* Parse exactly "YYYY-MM-DD" (a real date); false otherwise. */
bool yb_date_parse(const char *s, yb_date *out);
/* Parse exactly "YYYYMMDD" (as in an ID number); false otherwise. */
bool yb_date_parse_compact(const char *s, yb_date *out);
/* Write "YYYY-MM-DD" into buf (at least 11 bytes). Returns buf. */
char *yb_date_format(yb_date date, char *buf, size_t size);

/* The local calendar date of an instant. */
yb_date yb_date_of(yb_time t);
/* The instant local midnight of `date` begins. */
yb_time yb_time_of_date(yb_date date);

/* Parse RFC 3339 ("2026-11-22T10:26:00Z", fractional seconds and a
 * "+08:00" offset allowed). */
bool yb_time_parse(const char *s, yb_time *out);
/* Write RFC 3339 UTC "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
char *yb_time_format(yb_time t, char *buf, size_t size);

/* Read exactly `n` decimal digits at s into *out; false if any is not a
 * digit (nothing past them is looked at). */
bool yb_read_digits(const char *s, int n, int *out);

/* Parse "YYYY-MM" (a contribution period, month 01–12). */
bool yb_period_valid(const char *s);

#endif
