/*
 * eligibility.h — is a patient insured, and may his relatives' accounts
 * pay for a visit of this type?  The question a FHIR
 * CoverageEligibilityRequest asks (src/fhir/fhir_claim.c), answered by
 * the same rules settlement applies (C4/C5, S2, S3 step 2), nothing kept.
 */
#ifndef YB_SERVICE_ELIGIBILITY_H
#define YB_SERVICE_ELIGIBILITY_H

#include "service/ctx.h"

typedef struct yb_eligibility {
	yb_person patient;
	bool insured;               /* not terminated: he settles (S2) */
	bool has_own_account;       /* an open personal account (P2) */
	bool family_visit_allowed;  /* the visit type lets relatives pay */
	int family_payers;          /* active authorizers, open accounts */
} yb_eligibility;

/*
 * For the acting institution (action settlement.preview): the patient a
 * credential names (as at settlement: a lost, cancelled or unknown card
 * is settlement.credential_invalid) and what would pay for him.
 * A terminated patient is answered with insured = false, not an error.
 * Errors: request.invalid_field, settlement.invalid_visit_type,
 * settlement.credential_invalid.
 */
int yb_eligibility_check(yb_ctx *ctx, const char *cred_type,
			 const char *cred_value, const char *visit_type,
			 yb_eligibility *out, yb_err *err);

#endif
