/*
 * fhir_decode.c — reading a Claim into the settlement request the JSON
 * API's settlement takes (yb_settle_req), and a patient's credential out
 * of a Claim or a CoverageEligibilityRequest.  Pure functions of the
 * parsed resource (the handlers in fhir_claim.c call them), so the unit
 * tests and the FHIR fuzz target (tests/fuzz/fuzz_fhir.c) run them alone.
 */
#include <stdio.h>
#include <string.h>

#include "core/enums.h"
#include "fhir/fhir_int.h"
#include "service/settle.h"           /* yb_settle_req only */

/* The patient's credential: Claim.patient / CoverageEligibilityRequest.
 * patient as a Reference by identifier of the card, e-credential or
 * ID-number system (C4: the patient's own credential, never an SSN). */
int yb_fhir_cred_decode(const json_t *res, const char *path,
			const char **type, const char **value, yb_err *err)
{
	const json_t *pat = NULL, *id = NULL;
	const char *system = NULL;
	char where[64];
	yb_cred_type ct;

	snprintf(where, sizeof where, "%s.patient", path);
	if (yb_fhir_get_obj(res, path, "patient", true, &pat, err) < 0 ||
	    yb_fhir_get_obj(pat, where, "identifier", true, &id, err) < 0)
		return -1;
	snprintf(where, sizeof where, "%s.patient.identifier", path);
	if (yb_fhir_get_str(id, where, "system", true, &system, err) < 0 ||
	    yb_fhir_get_str(id, where, "value", true, value, err) < 0)
		return -1;
	if (!yb_fhir_cred_from_system(system, &ct))
		return yb_fhir_bad(err, "request.invalid_field", where,
				   "system", "must be %s, %s or %s",
				   YB_FHIR_SID_CARD, YB_FHIR_SID_ECERT,
				   YB_FHIR_SID_IDNUM);
	*type = yb_cred_type_str(ct);
	return 0;
}

/* Claim.subType (visit-type system) if given, else Claim.type. */
static int parse_visit(const json_t *claim, const char **visit, yb_err *err)
{
	const char *code = yb_fhir_code_of(json_object_get(claim, "subType"),
					   YB_FHIR_CS_VISIT);
	const json_t *type = NULL;
	yb_visit_type v;

	if (yb_fhir_get_obj(claim, "Claim", "type", true, &type, err) < 0)
		return -1;
	if (code) {
		*visit = code;          /* the service checks it */
		return 0;
	}
	if (!yb_fhir_visit_from_claim_type(
		    yb_fhir_code_of(type, YB_FHIR_CS_CLAIMTYPE), &v))
		return yb_fhir_bad(err, "request.invalid_field", "Claim",
				   "type", "must be claim-type professional, "
				   "pharmacy or institutional");
	*visit = yb_visit_type_str(v);
	return 0;
}

int yb_fhir_claim_decode(const json_t *claim, yb_settle_req *req,
			 bool *preview, yb_err *err)
{
	const json_t *ids = NULL;
	const char *use = NULL, *status = NULL;
	const json_t *fund = yb_fhir_ext(claim, YB_FHIR_EXT_FUND);

	if (yb_fhir_get_str(claim, "Claim", "status", true, &status, err) < 0 ||
	    yb_fhir_get_str(claim, "Claim", "use", true, &use, err) < 0 ||
	    yb_fhir_get_arr(claim, "Claim", "identifier", true, &ids, err) < 0 ||
	    yb_fhir_get_str(json_array_get(ids, 0), "Claim.identifier[0]",
			    "value", true, &req->txn_id, err) < 0 ||
	    parse_visit(claim, &req->visit_type, err) < 0 ||
	    yb_fhir_cred_decode(claim, "Claim", &req->cred_type, &req->cred_value,
		       err) < 0 ||
	    yb_fhir_get_money(claim, "Claim", "total", true, &req->total_fen,
			      err) < 0)
		return -1;
	if (strcmp(status, "active") != 0)
		return yb_fhir_bad(err, "request.invalid_field", "Claim",
				   "status", "must be active");
	if (strcmp(use, "claim") != 0 && strcmp(use, "predetermination") != 0)
		return yb_fhir_bad(err, "request.invalid_field", "Claim",
				   "use", "must be claim or predetermination");
	*preview = strcmp(use, "predetermination") == 0;
	req->fund_pay_fen = 0;                 /* S2: 0 if none */
	if (fund && yb_fhir_get_money(fund, "Claim.extension('"
				      YB_FHIR_EXT_FUND "')",
				      "valueMoney", true, &req->fund_pay_fen,
				      err) < 0)
		return -1;
	return 0;
}
