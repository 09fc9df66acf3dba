/*
 * eligibility.c — the eligibility check (eligibility.h): one read
 * transaction, the credential resolved as settlement resolves it, the
 * accounts found as settlement finds them (yb_payers_usable).
 */
#include <string.h>

#include "core/enums.h"
#include "service/eligibility.h"
#include "service/settle_int.h"

#define ELIG_PAYERS_MAX 128

int yb_eligibility_check(yb_ctx *ctx, const char *cred_type,
			 const char *cred_value, const char *visit_type,
			 yb_eligibility *out, yb_err *err)
{
	yb_payer_candidate cand[ELIG_PAYERS_MAX];
	yb_cred_type ct;
	yb_visit_type vt;
	yb_account own;
	yb_time now = yb_ctx_now(ctx);
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (yb_authorize(ctx, "settlement.preview", err) < 0)
		return -1;
	if (!cred_type || !yb_cred_type_from_str(cred_type, &ct) ||
	    !cred_value || !*cred_value)
		return yb_errf(err, "request.invalid_field",
			       "credential: a card, ecert or id_number");
	if (!visit_type || !yb_visit_type_from_str(visit_type, &vt))
		return yb_errf(err, "settlement.invalid_visit_type",
			       "visit type must be outpatient, pharmacy or "
			       "inpatient");
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	if (yb_cred_resolve(ctx, ct, cred_value, now, true, &out->patient,
			    err) == 0) {
		out->insured = true;
	} else if (err->code &&
		   strcmp(err->code, "settlement.patient_not_insured") == 0) {
		/* Who he is still matters to the answer: not insured. */
		if (yb_cred_resolve(ctx, ct, cred_value, now, false,
				    &out->patient, err) < 0)
			goto out;
	} else {
		goto out;
	}
	out->family_visit_allowed = ctx->settings->family_visit_allowed[vt];
	if (out->insured &&
	    yb_payers_usable(ctx, &out->patient, vt, &out->has_own_account,
			     &own, cand, ELIG_PAYERS_MAX, &out->family_payers,
			     err) < 0)
		goto out;
	rc = 0;
out:
	yb_tx_rollback(ctx);
	return rc;
}
