/*
 * gaps.c — SPEC R3: a person's gaps (断缴): the months since his first
 * contribution, up to the last closed month, with no contribution
 * posted, as runs of months, with the count and the continuity figure
 * (months insured in a row up to now, also on the proof, R2).
 *
 * The last closed month is the month before the current one: the
 * current month's contribution may still be posted, so it is not a gap
 * yet.  A resident's yearly premium covers its whole year (core/months).
 */
#include "service/records_int.h"

#include <stdlib.h>
#include <string.h>

/* The runs of gaps of a history up to `last`, into a malloc'd array. */
static int collect(const yb_rec_history *h, int last, yb_gaps *out,
		   yb_err *err)
{
	int first = h->cover[0].first, max = h->ncover + 1;

	out->gaps = malloc(sizeof *out->gaps * (size_t)max);
	if (!out->gaps)
		return yb_errf(err, "out_of_memory", "out of memory");
	out->ngaps = yb_months_missing(h->cover, h->ncover, first, last,
				       out->gaps, max, &out->gap_months);
	return 0;
}

int yb_gaps_of(yb_ctx *ctx, const char *ssn, yb_gaps *out, yb_err *err)
{
	yb_rec_history h;
	yb_person p;
	int now = yb_rec_month_now(ctx), rc = -1;

	memset(out, 0, sizeof *out);
	memset(&h, 0, sizeof h);
	if (yb_rec_authorize(ctx, ssn, "inquiry.person", err) < 0 ||
	    yb_tx_begin(ctx, false, err) < 0)
		return -1;
	if (yb_rec_person(ctx, ssn, &p, err) < 0 ||
	    yb_rec_history_load(ctx, p.id, now, &h, err) < 0)
		goto out;
	yb_month_format(now - 1, out->last_closed, sizeof out->last_closed);
	out->continuity_months = yb_months_continuity(h.cover, h.ncover, now);
	rc = 0;
	if (h.ncover == 0 || h.cover[0].first > now)
		goto out;                 /* nothing posted (up to now) */
	yb_month_format(h.cover[0].first, out->first_month,
			sizeof out->first_month);
	out->insured_months = yb_months_covered(h.cover, h.ncover,
						h.cover[0].first, now);
	rc = collect(&h, now - 1, out, err);
out:
	yb_rec_history_release(&h);
	yb_tx_rollback(ctx);
	if (rc < 0)
		yb_gaps_release(out);
	return rc;
}

void yb_gaps_release(yb_gaps *g)
{
	if (!g)
		return;
	free(g->gaps);
	g->gaps = NULL;
	g->ngaps = 0;
}
