/*
 * months.h — calendar months as numbers, and the month arithmetic of
 * records and proofs (SPEC R1–R4): which months a person's contributions
 * cover, the gaps (断缴) between them, how many months in a row he has
 * been insured, and which months of a window an employer left unpaid.
 *
 * A month is one int: year * 12 + (month - 1), so "2026-01" is 24312 and
 * the month after "2026-12" is "2027-01" by adding one.  Sets of months
 * are kept as sorted, disjoint, non-adjacent spans of whole months (a
 * "cover"): ten years of monthly contributions are one span, and every
 * question below is a walk over a handful of spans.
 *
 * Pure: no I/O, no allocation (callers pass the arrays).
 */
#ifndef YB_MONTHS_H
#define YB_MONTHS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"
#include "core/err.h"

/* "YYYY-MM\0" */
#define YB_MONTH_SZ 8

/* The longest period a statement or an arrears report may cover, when
 * settings do not say (statement_max_months, docs/settings.md): fifty
 * years, a whole working life, so that no real request is refused while a
 * period of a century is. */
#define YB_PERIOD_MAX_MONTHS_DEFAULT 600

/* A run of months, first..last inclusive. */
typedef struct yb_month_span {
	int first;
	int last;
} yb_month_span;

/* Parse exactly "YYYY-MM" (month 01–12, year 1800–9999). */
bool yb_month_parse(const char *s, int *out);
/* "YYYY-MM" into buf (at least YB_MONTH_SZ). Returns buf. */
char *yb_month_format(int month, char *buf, size_t size);
int yb_month_year(int month);
/* 1..12 */
int yb_month_of_year(int month);
/* The local (Asia/Shanghai) month an instant falls in. */
int yb_month_of_time(yb_time t);
/* The instant the month's first local day begins. */
yb_time yb_month_start(int month);

/*
 * The months a contribution period covers: "YYYY-MM" is one month; a
 * yearly period "YYYY" (a resident's premium, SPEC E1) covers the twelve
 * months of that year.  False for anything else.
 */
bool yb_period_span(const char *period, yb_month_span *out);

/*
 * A requested period "from".."to" (each "YYYY-MM"), both months included.
 * Errors, changing nothing:
 *   period.invalid   — a month that does not parse ("2026-13"), or
 *                      from after to;
 *   period.too_long  — more than max_months months.
 */
int yb_period_range(const char *from, const char *to, int max_months,
		    yb_month_span *out, yb_err *err);

/*
 * Sort and merge spans in place into a cover: sorted, disjoint and
 * non-adjacent ("2026-01".."2026-03" and "2026-04" become one span).
 * Returns the number of spans left.
 */
int yb_months_merge(yb_month_span *spans, int n);

/* Months in the cover within [first, last] (clipped). */
int yb_months_covered(const yb_month_span *cover, int n, int first, int last);

/*
 * The months of [first, last] the cover does not hold, as spans into
 * out[] (room for `max`; n + 1 always suffices).  Returns the number of
 * spans (at most max: further ones are dropped, *missing still counts
 * them), and *missing the months in all.  An empty window (first > last)
 * has none.
 */
int yb_months_missing(const yb_month_span *cover, int n, int first, int last,
		      yb_month_span *out, int max, int *missing);

/*
 * R3 continuity: the months in a row the cover holds, counted back from
 * `current` if the cover holds it, else from `current` - 1 (the last
 * closed month: a contribution for the running month is often posted
 * after it ends, so its absence does not break the run).  0 if neither.
 */
int yb_months_continuity(const yb_month_span *cover, int n, int current);

#endif
