/*
 * arrears.c — SPEC R4: the months in which an employer posted no
 * contribution for an employee registered with it; per employee and in
 * total, for one employer, for one person (his right to supervise his
 * employer), and for every employer at once (the agency's list).
 *
 * The store scans the register (store op employee_months_scan): each
 * employee with the periods his employer paid in the window, in employer
 * and person order.  This file walks that scan once, employee by
 * employee, keeping only the one employee in hand.
 *
 * Which months count for an employee.  The register does not keep the
 * day he started work, so his months begin when he was registered with
 * the employer — or with the first month it paid for him, if that was
 * earlier (records migrated from before) — and end with the last closed
 * month (the running month may still be paid) or, for one who is no
 * longer active, with the month his status changed.  Within those, a
 * month of the period without a contribution from this employer is a
 * month in arrears.
 */
#include "service/records_int.h"

#include <stdlib.h>
#include <string.h>

/* What the walk collects, in one of three modes. */
typedef enum { MODE_EMPLOYER, MODE_SELF, MODE_ALL } scan_mode;

typedef struct scan {
	scan_mode mode;
	yb_month_span period;
	int last_closed;
	yb_employee_month cur;           /* the employee in hand */
	bool have;
	yb_month_span *paid;             /* his paid months in the period */
	int npaid, cap;
	yb_arrears *out;                 /* MODE_EMPLOYER, MODE_SELF */
	int items_cap;
	yb_employer_arrears agg;         /* MODE_ALL: the employer in hand */
	yb_employer_arrears *list;
	int nlist, list_cap;
} scan;

/* Grow a malloc'd array to hold one more element. */
static int grow(void **arr, int n, int *cap, size_t size, yb_err *err)
{
	void *p;
	int more;

	if (n < *cap)
		return 0;
	more = *cap ? *cap * 2 : 16;
	p = realloc(*arr, size * (size_t)more);
	if (!p)
		return yb_errf(err, "out_of_memory", "out of memory");
	*arr = p;
	*cap = more;
	return 0;
}

/* The employee's months of the period (module comment): first > last
 * when none. */
static yb_month_span counted(const scan *s, const yb_employee_month *e)
{
	yb_month_span c, fp;

	c.first = yb_month_of_time(e->registered_at);
	if (yb_period_span(e->first_period, &fp) && fp.first < c.first)
		c.first = fp.first;
	if (c.first < s->period.first)
		c.first = s->period.first;
	c.last = s->period.last < s->last_closed ? s->period.last
						 : s->last_closed;
	if (e->status != YB_STATUS_ACTIVE &&
	    yb_month_of_time(e->status_at) < c.last)
		c.last = yb_month_of_time(e->status_at);
	return c;
}

static int add_item(scan *s, const yb_month_span *c, const yb_month_span *runs,
		    int nruns, int missing, yb_err *err)
{
	yb_arrears_item *it;

	if (grow((void **)&s->out->items, s->out->nitems, &s->items_cap,
		 sizeof *it, err) < 0)
		return -1;
	it = &s->out->items[s->out->nitems];
	memset(it, 0, sizeof *it);
	it->missing = malloc(sizeof *runs * (size_t)(nruns ? nruns : 1));
	if (!it->missing)
		return yb_errf(err, "out_of_memory", "out of memory");
	memcpy(it->missing, runs, sizeof *runs * (size_t)nruns);
	it->nmissing = nruns;
	it->missing_months = missing;
	it->counted = *c;
	it->person_id = s->cur.person_id;
	memcpy(it->ssn, s->cur.ssn, sizeof it->ssn);
	memcpy(it->name, s->cur.name, sizeof it->name);
	it->status = s->cur.status;
	s->out->nitems++;
	return 0;
}

/* The employee in hand is complete: count his months. */
static int finish_employee(scan *s, yb_err *err)
{
	yb_month_span c = counted(s, &s->cur), *runs;
	int nruns, missing = 0, rc = 0;

	s->npaid = yb_months_merge(s->paid, s->npaid);
	runs = malloc(sizeof *runs * (size_t)(s->npaid + 1));
	if (!runs)
		return yb_errf(err, "out_of_memory", "out of memory");
	nruns = yb_months_missing(s->paid, s->npaid, c.first, c.last, runs,
				  s->npaid + 1, &missing);
	if (s->mode == MODE_ALL) {
		s->agg.employees++;
		s->agg.employees_in_arrears += missing > 0;
		s->agg.missing_months += missing;
	} else {
		s->out->employees++;
		s->out->employees_in_arrears += missing > 0;
		s->out->missing_months += missing;
		if (missing > 0 || s->mode == MODE_SELF)
			rc = add_item(s, &c, runs, nruns, missing, err);
	}
	free(runs);
	s->npaid = 0;
	s->have = false;
	return rc;
}

/* MODE_ALL: the employer in hand is complete; list it if in arrears. */
static int finish_employer(scan *s, yb_err *err)
{
	if (s->agg.missing_months > 0) {
		if (grow((void **)&s->list, s->nlist, &s->list_cap,
			 sizeof *s->list, err) < 0)
			return -1;
		s->list[s->nlist++] = s->agg;
	}
	memset(&s->agg, 0, sizeof s->agg);
	return 0;
}

static int on_row(void *arg, const yb_employee_month *row, yb_err *err)
{
	scan *s = arg;
	yb_month_span sp;

	if (s->have && row->person_id != s->cur.person_id &&
	    finish_employee(s, err) < 0)
		return -1;
	if (s->mode == MODE_ALL &&
	    strcmp(row->employer_code, s->agg.employer_code) != 0) {
		if (s->agg.employer_code[0] && finish_employer(s, err) < 0)
			return -1;
		memcpy(s->agg.employer_code, row->employer_code,
		       sizeof s->agg.employer_code);
		memcpy(s->agg.employer_name, row->employer_name,
		       sizeof s->agg.employer_name);
	}
	if (!s->have) {
		s->cur = *row;
		s->have = true;
	}
	if (!yb_period_span(row->period, &sp))
		return 0;                    /* paid nothing in the period */
	if (grow((void **)&s->paid, s->npaid, &s->cap, sizeof sp, err) < 0)
		return -1;
	s->paid[s->npaid++] = sp;
	return 0;
}

/* Run the scan; the last employee (and employer) finished at the end. */
static int run(yb_ctx *ctx, scan *s, const char *code, yb_id person_id,
	       const char *from, const char *to, yb_err *err)
{
	int rc;

	s->last_closed = yb_rec_month_now(ctx) - 1;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = ctx->store->ops->employee_months_scan(ctx->store, code, person_id,
						   from, to, on_row, s, err);
	yb_tx_rollback(ctx);
	if (rc == 0 && s->have)
		rc = finish_employee(s, err);
	if (rc == 0 && s->mode == MODE_ALL && s->agg.employer_code[0])
		rc = finish_employer(s, err);
	free(s->paid);
	return rc;
}

/* The period of a report: the default ends with the last closed month. */
static int period_of(yb_ctx *ctx, const char *from, const char *to,
		     scan *s, char from_s[YB_MONTH_SZ], char to_s[YB_MONTH_SZ],
		     yb_err *err)
{
	return yb_rec_period(ctx, from, to, yb_rec_month_now(ctx) - 1,
			     &s->period, from_s, to_s, err);
}

int yb_arrears_of_employer(yb_ctx *ctx, const char *code, const char *from,
			   const char *to, yb_arrears *out, yb_err *err)
{
	yb_employer e;
	scan s;
	int found;
	bool standby_ok;

	memset(out, 0, sizeof *out);
	memset(&s, 0, sizeof s);
	s.mode = MODE_EMPLOYER;
	s.out = out;
	if (yb_rec_employer_scope(ctx, code, err) < 0)
		return -1;
	standby_ok = yb_reads_kept(ctx);  /* for the look-up and the scan */
	if (period_of(ctx, from, to, &s, out->from, out->to, err) < 0 ||
	    yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = ctx->store->ops->employer_by_code(ctx->store, code, &e, err);
	yb_tx_rollback(ctx);
	if (found <= 0)
		return found < 0 ? -1 : yb_errf(err, "employer.not_found",
						"no employer with this code");
	memcpy(out->employer_code, e.code, sizeof out->employer_code);
	memcpy(out->employer_name, e.name, sizeof out->employer_name);
	yb_reads_rearm(ctx, standby_ok);
	if (run(ctx, &s, code, 0, out->from, out->to, err) < 0) {
		yb_arrears_release(out);
		return -1;
	}
	return 0;
}

int yb_arrears_self(yb_ctx *ctx, const char *from, const char *to,
		    yb_arrears *out, yb_err *err)
{
	scan s;

	memset(out, 0, sizeof *out);
	memset(&s, 0, sizeof s);
	s.mode = MODE_SELF;
	s.out = out;
	if (yb_authorize(ctx, "inquiry.self", err) < 0 ||
	    period_of(ctx, from, to, &s, out->from, out->to, err) < 0)
		return -1;
	if (run(ctx, &s, NULL, ctx->actor.person_id, out->from, out->to,
		err) < 0) {
		yb_arrears_release(out);
		return -1;
	}
	if (s.cur.person_id) {
		memcpy(out->employer_code, s.cur.employer_code,
		       sizeof out->employer_code);
		memcpy(out->employer_name, s.cur.employer_name,
		       sizeof out->employer_name);
	}
	return 0;
}

void yb_arrears_release(yb_arrears *a)
{
	if (!a)
		return;
	for (int i = 0; i < a->nitems; i++)
		free(a->items[i].missing);
	free(a->items);
	a->items = NULL;
	a->nitems = 0;
}

/* ---- every employer: the agency's list -------------------------------------- */

static const char *const sort_keys[] = {
	"missing_months", "employees_in_arrears", "employees",
	"employer_code", "employer_name",
};
enum { BY_MISSING, BY_IN_ARREARS, BY_EMPLOYEES, BY_CODE, BY_NAME };

typedef struct sort_by {
	int key;
	bool ascending;
} sort_by;

/* qsort_r: by the key, then by code (so equal rows keep one order). */
static int cmp_employers(const void *x, const void *y, void *arg)
{
	const yb_employer_arrears *a = x, *b = y;
	const sort_by *by = arg;
	int64_t d = 0;
	int c;

	switch (by->key) {
	case BY_MISSING:    d = a->missing_months - b->missing_months; break;
	case BY_IN_ARREARS: d = a->employees_in_arrears -
				b->employees_in_arrears; break;
	case BY_EMPLOYEES:  d = a->employees - b->employees; break;
	case BY_NAME:       d = strcmp(a->employer_name, b->employer_name);
			    break;
	default:            d = strcmp(a->employer_code, b->employer_code);
			    break;
	}
	c = d < 0 ? -1 : d > 0;
	if (c == 0 && by->key != BY_CODE)
		return strcmp(a->employer_code, b->employer_code);
	return by->ascending ? c : -c;
}

int yb_arrears_employers(yb_ctx *ctx, const char *from, const char *to,
			 const char *sort, bool ascending,
			 char from_s[YB_MONTH_SZ], char to_s[YB_MONTH_SZ],
			 yb_employer_arrears **out, int *n, yb_err *err)
{
	int key = -1;
	scan s;

	*out = NULL;
	*n = 0;
	memset(&s, 0, sizeof s);
	s.mode = MODE_ALL;
	if (yb_authorize(ctx, "arrears.list", err) < 0)
		return -1;
	for (int i = 0; i < (int)(sizeof sort_keys / sizeof sort_keys[0]); i++)
		if (strcmp(sort ? sort : "missing_months", sort_keys[i]) == 0)
			key = i;
	if (key < 0)
		return yb_errf(err, "record.invalid_sort",
			       "sort: missing_months, employees_in_arrears, "
			       "employees, employer_code or employer_name");
	if (period_of(ctx, from, to, &s, from_s, to_s, err) < 0)
		return -1;
	if (run(ctx, &s, NULL, 0, from_s, to_s, err) < 0) {
		free(s.list);
		return -1;
	}
	{
		sort_by by = { key, ascending };

		qsort_r(s.list, (size_t)s.nlist, sizeof *s.list,
			cmp_employers, &by);
	}
	*out = s.list;
	*n = s.nlist;
	return 0;
}
