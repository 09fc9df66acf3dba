/*
 * payorder.c — the split of a bill's personal-account part between the
 * patient's own account, the relatives who authorized him, and cash
 * (SPEC S3, F9).  See payorder.h for the rule and its reading.
 *
 * The relatives are taken in a strict total order (balance descending,
 * then older binding, then lower binding id, then input position, which
 * only matters for malformed input with repeated ids).  Rather than sort
 * a copy, each step picks the best candidate that comes after the one
 * picked before: at most YB_MAX_SHARES - 1 passes over the input, and no
 * allocation however many candidates the store hands us.
 */
#include "core/payorder.h"

#include <string.h>

static const char invalid[] = "settlement.invalid_amounts";

bool yb_payer_pays_before(const yb_payer_candidate *x,
			  const yb_payer_candidate *y)
{
	if (x->balance_fen != y->balance_fen)
		return x->balance_fen > y->balance_fen;
	if (x->bound_at != y->bound_at)
		return x->bound_at < y->bound_at;
	return x->binding_id < y->binding_id;
}

/* Does candidate a come before candidate b in the payment order?  Equal
 * ones keep their positions, so the order is total. */
static bool pays_before(const yb_payer_candidate *cs, int a, int b)
{
	if (yb_payer_pays_before(&cs[a], &cs[b]))
		return true;
	if (yb_payer_pays_before(&cs[b], &cs[a]))
		return false;
	return a < b;
}

/* Can this authorizer pay anything at all? */
static bool can_pay(const yb_payer_candidate *c, int64_t floor_fen)
{
	return c->status == YB_STATUS_ACTIVE && c->account_open &&
	       c->balance_fen > floor_fen;
}

/* The best candidate that pays after `prev` (-1: the very best), or -1. */
static int next_payer(const yb_pay_input *in, int prev)
{
	int best = -1;

	for (int i = 0; i < in->ncandidates; i++) {
		if (!can_pay(&in->candidates[i], in->share_floor_fen))
			continue;
		if (prev >= 0 && !pays_before(in->candidates, prev, i))
			continue;
		if (best < 0 || pays_before(in->candidates, i, best))
			best = i;
	}
	return best;
}

static void add_share(yb_pay_result *out, int candidate, int64_t amount)
{
	out->shares[out->nshares].candidate = candidate;
	out->shares[out->nshares].amount_fen = amount;
	out->nshares++;
	out->account_pay_fen += amount;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* E2: limit a relative's share to what his binding's cap leaves this
 * month, noting the cut; the rest goes on to the next authorizer. */
static int64_t cap_cut(yb_pay_result *out, const yb_payer_candidate *c,
		       int candidate, int64_t pay)
{
	int64_t left = c->cap_left_fen > 0 ? c->cap_left_fen : 0;

	if (!c->capped || pay <= left)
		return pay;
	if (out->ncuts < YB_MAX_SHARES) {
		out->cuts[out->ncuts].candidate = candidate;
		out->cuts[out->ncuts].amount_fen = pay - left;
		out->ncuts++;
	}
	return left;
}

int yb_payorder_compute(const yb_pay_input *in, yb_pay_result *out,
			yb_err *err)
{
	int64_t remaining = in->payable_fen;

	memset(out, 0, sizeof *out);
	if (in->payable_fen < 0)
		return yb_errf(err, invalid, "the amount to pay is negative");
	if (in->patient_has_account && in->patient_balance_fen < 0)
		return yb_errf(err, invalid, "the patient's balance is negative");
	if (in->share_floor_fen < 0)
		return yb_errf(err, invalid, "the share floor is negative");
	if (in->ncandidates < 0 || (in->ncandidates > 0 && !in->candidates))
		return yb_errf(err, invalid, "the list of payers is malformed");
	for (int i = 0; i < in->ncandidates; i++)
		if (in->candidates[i].balance_fen < 0)
			return yb_errf(err, invalid,
				       "an authorizer's balance is negative");

	/* 1. The patient's own account. */
	if (in->patient_has_account && in->patient_balance_fen > 0 &&
	    remaining > 0) {
		int64_t pay = min64(remaining, in->patient_balance_fen);
		add_share(out, -1, pay);
		remaining -= pay;
	}

	/*
	 * 2. Relatives.  Anything still to pay means the own account (if
	 * any) is now at zero, which is the condition of S3 step 2 as read
	 * in payorder.h; what remains to check is the visit type.
	 */
	if (in->family_allowed) {
		int prev = -1, nrelatives = 0;
		/* One share slot is always the own account's, used or not,
		 * so the answer has the same shape with or without one. */
		while (remaining > 0 && nrelatives < YB_MAX_SHARES - 1) {
			int c = next_payer(in, prev);
			int64_t pay;

			if (c < 0)
				break;
			pay = min64(remaining, in->candidates[c].balance_fen -
						       in->share_floor_fen);
			pay = cap_cut(out, &in->candidates[c], c, pay);
			if (pay > 0) {
				add_share(out, c, pay);
				remaining -= pay;
				nrelatives++;
			}
			prev = c;
		}
	}

	/* 3. Cash. */
	out->cash_pay_fen = remaining;
	return 0;
}
