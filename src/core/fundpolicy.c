/*
 * fundpolicy.c — the fund part of a bill (docs/NHSA.md, rules N1–N5):
 *   N1 the in-scope amount first pays what is left of the year's
 *      deductible (起付线);
 *   N2 of the rest the fund pays ratio_bp / 10000, rounded down to the
 *      fen (the fund never pays a fraction more than the policy says);
 *   N3 never more than the year's ceiling minus what it paid already;
 *   N4 what is out of scope (total − in scope) is the patient's own;
 *   N5 the visit family follows the national med_type.
 * Integer arithmetic only (U1).
 */
#include "core/fundpolicy.h"

#include <string.h>

#include "core/money.h"

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t nonneg(int64_t v)
{
	return v < 0 ? 0 : v;
}

int yb_fund_compute(const yb_fund_in *in, yb_fund_out *out, yb_err *err)
{
	const yb_fund_policy *p = &in->policy;
	int64_t rest, fund;

	memset(out, 0, sizeof *out);
	if (in->medfee_fen < 0 || in->inscp_fen < 0 ||
	    in->inscp_fen > in->medfee_fen || !yb_money_valid(in->medfee_fen) ||
	    in->cum.deductible_fen < 0 || in->cum.fund_fen < 0)
		return yb_errf(err, "settlement.invalid_amounts",
			       "need 0 <= in-scope <= total and yearly totals "
			       ">= 0");
	if (p->ratio_bp < 0 || p->ratio_bp > 10000 || p->deductible_fen < 0 ||
	    p->ceiling_fen < 0)
		return yb_errf(err, "settings.invalid",
			       "fund policy: ratio 0..10000 bp, amounts >= 0");
	/* N1 */
	out->deductible_fen = min64(in->inscp_fen,
				    nonneg(p->deductible_fen -
					   in->cum.deductible_fen));
	rest = in->inscp_fen - out->deductible_fen;
	/* N2: rest < 2^53 fen and ratio <= 10^4, so the product fits. */
	fund = rest * p->ratio_bp / 10000;
	/* N3 */
	out->ceiling_left_fen = nonneg(p->ceiling_fen - in->cum.fund_fen);
	out->fund_fen = min64(fund, out->ceiling_left_fen);
	/* N4 */
	out->fulamt_ownpay_fen = in->medfee_fen - in->inscp_fen;
	return 0;
}

yb_visit_type yb_fund_visit_of_med_type(const char *med_type)
{
	if (!med_type)
		return YB_VISIT_OUTPATIENT;
	if (med_type[0] == '2' || strncmp(med_type, "52", 2) == 0)
		return YB_VISIT_INPATIENT;
	if (strncmp(med_type, "41", 2) == 0)
		return YB_VISIT_PHARMACY;
	return YB_VISIT_OUTPATIENT;
}
