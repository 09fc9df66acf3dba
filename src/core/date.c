/*
 * date.c — calendar dates as day numbers and instants as UTC seconds
 * (SPEC U5).
 *
 * Pure integer arithmetic on the proleptic Gregorian calendar: no libc
 * time zone, no locale.  The conversion between (y, m, d) and a day
 * number uses the "era" method: the calendar repeats every 400 years
 * (146097 days), and counting years from March puts the leap day at the
 * end of the year, so the day of the year follows from the month by a
 * linear formula.
 */
#include "core/date.h"

#include <stdio.h>

/* Days from 0000-03-01 to 1970-01-01. */
#define EPOCH_SHIFT 719468

#define SECS_PER_DAY 86400

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };
	if (m == 2 && is_leap(y))
		return 29;
	return dm[m - 1];
}

bool yb_date_valid(int y, int m, int d)
{
	if (y < 1800 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= days_in_month(y, m);
}

/* Floor division for a possibly negative numerator. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

yb_date yb_date_from_ymd(int y, int m, int d)
{
	/* Years start in March, so January and February belong to the
	 * previous year and the leap day is the year's last day. */
	int64_t yy = m <= 2 ? y - 1 : y;
	int64_t era = floor_div(yy, 400);
	int64_t yoe = yy - era * 400;                          /* 0..399 */
	int64_t mp = m > 2 ? m - 3 : m + 9;                    /* 0..11, March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + d - 1;              /* 0..365 */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;   /* 0..146096 */
	return (yb_date)(era * 146097 + doe - EPOCH_SHIFT);
}

void yb_date_to_ymd(yb_date date, int *y, int *m, int *d)
{
	int64_t z = (int64_t)date + EPOCH_SHIFT;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;                                /* 0..146096 */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);        /* 0..365 */
	int64_t mp = (5 * doy + 2) / 153;                              /* 0..11 */
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;
	int64_t yy = yoe + era * 400 + (mm <= 2 ? 1 : 0);

	if (y)
		*y = (int)yy;
	if (m)
		*m = (int)mm;
	if (d)
		*d = (int)dd;
}

int yb_date_weekday(yb_date date)
{
	/* 1970-01-01 was a Thursday (ISO 4). */
	int64_t w = ((int64_t)date + 3) % 7;
	if (w < 0)
		w += 7;
	return (int)w + 1;
}

bool yb_read_digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* "YYYY?MM?DD" where ? is `sep` (or nothing when sep is 0); only the
 * first 8 or 10 characters are read. */
static bool parse_ymd(const char *s, char sep, int *y, int *m, int *d)
{
	int w = sep ? 1 : 0;

	if (!yb_read_digits(s, 4, y))
		return false;
	if (sep && s[4] != sep)
		return false;
	if (!yb_read_digits(s + 4 + w, 2, m))
		return false;
	if (sep && s[6 + w] != sep)
		return false;
	if (!yb_read_digits(s + 6 + 2 * w, 2, d))
		return false;
	return yb_date_valid(*y, *m, *d);
}

/* Strings are checked character by character up to the expected length
 * first, so a short string never makes us read past its NUL. */
static bool has_at_least(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0')
			return false;
	return true;
}

static bool has_length(const char *s, size_t n)
{
	return has_at_least(s, n) && s[n] == '\0';
}

bool yb_date_parse(const char *s, yb_date *out)
{
	int y, m, d;

	if (!s || !has_length(s, 10) || !parse_ymd(s, '-', &y, &m, &d))
		return false;
	*out = yb_date_from_ymd(y, m, d);
	return true;
}

bool yb_date_parse_compact(const char *s, yb_date *out)
{
	int y, m, d;

	if (!s || !has_length(s, 8) || !parse_ymd(s, 0, &y, &m, &d))
		return false;
	*out = yb_date_from_ymd(y, m, d);
	return true;
}

char *yb_date_format(yb_date date, char *buf, size_t size)
{
	int y, m, d;

	yb_date_to_ymd(date, &y, &m, &d);
	if (size >= 11 && y >= 0 && y <= 9999) {
		/* "%04d-%02d-%02d" by hand: a settlement's path formats a
		 * few dates on the group-commit writer */
		buf[0] = (char)('0' + y / 1000);
		buf[1] = (char)('0' + y / 100 % 10);
		buf[2] = (char)('0' + y / 10 % 10);
		buf[3] = (char)('0' + y % 10);
		buf[4] = '-';
		buf[5] = (char)('0' + m / 10);
		buf[6] = (char)('0' + m % 10);
		buf[7] = '-';
		buf[8] = (char)('0' + d / 10);
		buf[9] = (char)('0' + d % 10);
		buf[10] = '\0';
		return buf;
	}
	snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
	return buf;
}

yb_date yb_date_of(yb_time t)
{
	return (yb_date)floor_div(t + YB_LOCAL_UTC_OFFSET, SECS_PER_DAY);
}

yb_time yb_time_of_date(yb_date date)
{
	return (yb_time)date * SECS_PER_DAY - YB_LOCAL_UTC_OFFSET;
}

/*
 * RFC 3339 date-time: full-date "T" full-time, full-time being
 * HH:MM:SS[.frac] then "Z" or ±HH:MM.  Lower-case "t" and "z" are allowed
 * by the RFC (section 5.6) and accepted.  A leap second (":60") cannot be
 * an instant in Unix time and is refused.  Fractional seconds are
 * truncated: instants here have one-second resolution.
 */
bool yb_time_parse(const char *s, yb_time *out)
{
	int y, mo, d, hh, mm, ss, oh = 0, om = 0, sign = 0, uy, um, ud;
	yb_time t;
	const char *p;

	if (!s || !has_at_least(s, 20))   /* date, time and a zone */
		return false;
	if (!parse_ymd(s, '-', &y, &mo, &d))
		return false;
	if (s[10] != 'T' && s[10] != 't')
		return false;
	if (!yb_read_digits(s + 11, 2, &hh) || s[13] != ':' ||
	    !yb_read_digits(s + 14, 2, &mm) || s[16] != ':' ||
	    !yb_read_digits(s + 17, 2, &ss))
		return false;
	if (hh > 23 || mm > 59 || ss > 59)
		return false;

	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		p++;
		if (!has_at_least(p, 5) || !yb_read_digits(p, 2, &oh) || p[2] != ':' ||
		    !yb_read_digits(p + 3, 2, &om))
			return false;
		if (oh > 23 || om > 59)
			return false;
		p += 5;
	} else {
		return false;
	}
	if (*p != '\0')
		return false;

	/* Local time minus its offset is UTC. */
	t = (yb_time)yb_date_from_ymd(y, mo, d) * SECS_PER_DAY + hh * 3600 +
	    mm * 60 + ss - sign * (oh * 3600 + om * 60);
	/* The offset may carry it out of 1800..9999 in UTC, where it could
	 * not be written back as an instant we read (found by fuzz_date). */
	yb_date_to_ymd((yb_date)floor_div(t, SECS_PER_DAY), &uy, &um, &ud);
	if (!yb_date_valid(uy, um, ud))
		return false;
	*out = t;
	return true;
}

char *yb_time_format(yb_time t, char *buf, size_t size)
{
	int64_t days = floor_div(t, SECS_PER_DAY);
	int64_t sec = t - days * SECS_PER_DAY;
	int y, m, d;

	yb_date_to_ymd((yb_date)days, &y, &m, &d);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
		 (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
	return buf;
}

bool yb_period_valid(const char *s)
{
	int y, m;

	if (!s || !has_length(s, 7))
		return false;
	if (!yb_read_digits(s, 4, &y) || s[4] != '-' || !yb_read_digits(s + 5, 2, &m))
		return false;
	return yb_date_valid(y, m, 1);
}
