/*
 * months.c — month numbers and covers of months (months.h): the pure
 * arithmetic behind statements, proofs, gaps and arrears (SPEC R1–R4).
 */
#include "core/months.h"

#include <stdio.h>
#include <stdlib.h>

static bool year_ok(int y)
{
	return y >= 1800 && y <= 9999;
}

bool yb_month_parse(const char *s, int *out)
{
	int y, m;

	if (!s || !yb_read_digits(s, 4, &y) || s[4] != '-' || !yb_read_digits(s + 5, 2, &m) ||
	    s[7] != '\0' || !year_ok(y) || m < 1 || m > 12)
		return false;
	*out = y * 12 + (m - 1);
	return true;
}

int yb_month_year(int month)
{
	return month / 12;
}

int yb_month_of_year(int month)
{
	return month % 12 + 1;
}

char *yb_month_format(int month, char *buf, size_t size)
{
	snprintf(buf, size, "%04d-%02d", yb_month_year(month),
		 yb_month_of_year(month));
	return buf;
}

int yb_month_of_time(yb_time t)
{
	int y, m, d;

	yb_date_to_ymd(yb_date_of(t), &y, &m, &d);
	return y * 12 + (m - 1);
}

yb_time yb_month_start(int month)
{
	return yb_time_of_date(yb_date_from_ymd(yb_month_year(month),
						yb_month_of_year(month), 1));
}

bool yb_period_span(const char *period, yb_month_span *out)
{
	int y, m;

	if (!period)
		return false;
	if (yb_month_parse(period, &m)) {
		out->first = out->last = m;
		return true;
	}
	if (!yb_read_digits(period, 4, &y) || period[4] != '\0' || !year_ok(y))
		return false;
	out->first = y * 12;
	out->last = y * 12 + 11;
	return true;
}

int yb_period_range(const char *from, const char *to, int max_months,
		    yb_month_span *out, yb_err *err)
{
	int a, b;

	if (!yb_month_parse(from, &a))
		return yb_errf(err, "period.invalid",
			       "from: a month as YYYY-MM (01 to 12) is needed");
	if (!yb_month_parse(to, &b))
		return yb_errf(err, "period.invalid",
			       "to: a month as YYYY-MM (01 to 12) is needed");
	if (a > b)
		return yb_errf(err, "period.invalid",
			       "the period begins after it ends");
	if (b - a + 1 > max_months)
		return yb_errf(err, "period.too_long",
			       "a period may cover at most %d months "
			       "(%d years)", max_months, max_months / 12);
	out->first = a;
	out->last = b;
	return 0;
}

static int span_cmp(const void *x, const void *y)
{
	const yb_month_span *a = x, *b = y;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return (a->last > b->last) - (a->last < b->last);
}

int yb_months_merge(yb_month_span *spans, int n)
{
	int k = 0;

	if (n <= 0)
		return 0;
	qsort(spans, (size_t)n, sizeof *spans, span_cmp);
	for (int i = 1; i < n; i++) {
		if (spans[i].first <= spans[k].last + 1) {
			if (spans[i].last > spans[k].last)
				spans[k].last = spans[i].last;
		} else {
			spans[++k] = spans[i];
		}
	}
	return k + 1;
}

int yb_months_covered(const yb_month_span *cover, int n, int first, int last)
{
	int total = 0;

	for (int i = 0; i < n; i++) {
		int a = cover[i].first > first ? cover[i].first : first;
		int b = cover[i].last < last ? cover[i].last : last;

		if (a <= b)
			total += b - a + 1;
	}
	return total;
}

/* Record the run [a, b] of missing months. */
static void add_missing(int a, int b, yb_month_span *out, int max, int *k,
			int *missing)
{
	if (a > b)
		return;
	*missing += b - a + 1;
	if (*k < max) {
		out[*k].first = a;
		out[*k].last = b;
	}
	(*k)++;
}

int yb_months_missing(const yb_month_span *cover, int n, int first, int last,
		      yb_month_span *out, int max, int *missing)
{
	int k = 0, at = first;

	*missing = 0;
	if (first > last)
		return 0;
	for (int i = 0; i < n && at <= last; i++) {
		if (cover[i].last < at)
			continue;
		if (cover[i].first > last)
			break;
		add_missing(at, cover[i].first - 1, out, max, &k, missing);
		at = cover[i].last + 1;
	}
	add_missing(at, last, out, max, &k, missing);
	return k < max ? k : max;
}

int yb_months_continuity(const yb_month_span *cover, int n, int current)
{
	for (int end = current; end >= current - 1; end--)
		for (int i = n - 1; i >= 0; i--)
			if (cover[i].first <= end && end <= cover[i].last)
				return end - cover[i].first + 1;
	return 0;
}
