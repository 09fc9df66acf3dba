/*
 * recon.c — daily reconciliation with an institution (SPEC S7): our totals
 * for its settlements of one local date, and the comparison with the
 * totals it submits.
 *
 * A day is the local (Asia/Shanghai) calendar date: [local midnight, next
 * local midnight).  A settlement counts on the day it was settled; one
 * revoked since is left out of the money totals and counted in
 * revoked_count, so an institution that reverses a bill in its own books
 * sees the same sums.  Reading and comparing change nothing and are not
 * audited.
 */
#include "service/settle.h"

#include <string.h>

#include "service/settle_int.h"

#define DAY 86400

static int totals_of(yb_ctx *ctx, const char *action, yb_date date,
		     yb_recon_totals *out, yb_err *err)
{
	yb_institution inst;
	yb_time from;
	int rc = -1;

	if (yb_authorize(ctx, action, err) < 0)
		return -1;
	if (date <= 0)
		return yb_errf(err, "request.invalid_date", "invalid date");
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	if (yb_acting_institution(ctx, &inst, err) < 0)
		goto out;
	from = yb_time_of_date(date);
	memset(out, 0, sizeof *out);
	if (ctx->store->ops->recon_totals(ctx->store, inst.code, from,
					  from + DAY, out, err) < 0)
		goto out;
	out->date = date;
	rc = 0;
out:
	yb_tx_rollback(ctx);
	return rc;
}

int yb_recon_get(yb_ctx *ctx, yb_date date, yb_recon_totals *out,
		 yb_err *err)
{
	return totals_of(ctx, "reconciliation.get", date, out, err);
}

int yb_recon_compare(yb_ctx *ctx, yb_date date, const yb_recon_totals *theirs,
		     yb_recon_totals *ours, yb_recon_diff *diffs, int *ndiffs,
		     yb_err *err)
{
	struct field {
		const char *name;
		const int64_t *ours;
		int64_t yours;
	};
	const struct field fields[] = {
		{ "count",           &ours->count,           theirs->count },
		{ "total_fen",       &ours->total_fen,       theirs->total_fen },
		{ "fund_pay_fen",    &ours->fund_pay_fen,    theirs->fund_pay_fen },
		{ "account_pay_fen", &ours->account_pay_fen, theirs->account_pay_fen },
		{ "cash_pay_fen",    &ours->cash_pay_fen,    theirs->cash_pay_fen },
	};
	const size_t nfields = sizeof fields / sizeof fields[0];
	int n = 0;

	*ndiffs = 0;
	for (size_t i = 0; i < nfields; i++)
		if (fields[i].yours < 0)
			return yb_errf(err, "reconciliation.invalid",
				       "%s must not be negative",
				       fields[i].name);
	if (totals_of(ctx, "reconciliation.compare", date, ours, err) < 0)
		return -1;
	/* The pointers read ours only now that it is filled. */
	for (size_t i = 0; i < nfields; i++) {
		if (*fields[i].ours == fields[i].yours)
			continue;
		diffs[n].field = fields[i].name;
		diffs[n].ours = *fields[i].ours;
		diffs[n].yours = fields[i].yours;
		n++;
	}
	*ndiffs = n;
	return 0;
}
