/*
 * fhir_codes.c — the pure mappings between yibao's enums and FHIR codes
 * (docs/FHIR.md has the tables): HL7 v3 RoleCode for the relationship of
 * a binding, claim types for visit types, identifier systems for
 * credentials, Coverage.status, OperationOutcome issue types.
 * Unit tests: tests/unit/test_fhir.c.
 */
#include <string.h>

#include "fhir/fhir_int.h"

/* Indexed by the binding's relationship (what the relative is to the
 * authorizer); the code says what the authorizer is to the relative. */
static const struct {
	yb_relationship rel;
	const char *code;
	const char *display;
} roles[] = {
	{ YB_REL_SPOUSE,      "SPS",       "spouse" },
	{ YB_REL_PARENT,      "CHILD",     "child" },
	{ YB_REL_CHILD,       "PRN",       "parent" },
	{ YB_REL_SIBLING,     "SIB",       "sibling" },
	{ YB_REL_GRANDPARENT, "GRNDCHILD", "grandchild" },
	{ YB_REL_GRANDCHILD,  "GRPRN",     "grandparent" },
	{ YB_REL_SELF,        "ONESELF",   "self" },
};

#define NROLES (sizeof roles / sizeof roles[0])

const char *yb_fhir_role_code(yb_relationship binding_rel)
{
	for (size_t i = 0; i < NROLES; i++)
		if (roles[i].rel == binding_rel)
			return roles[i].code;
	return NULL;
}

bool yb_fhir_role_from_code(const char *code, yb_relationship *binding_rel)
{
	for (size_t i = 0; code && i < NROLES; i++)
		if (strcmp(roles[i].code, code) == 0 &&
		    roles[i].rel != YB_REL_SELF) {
			*binding_rel = roles[i].rel;
			return true;
		}
	return false;
}

const char *yb_fhir_role_display(const char *code)
{
	for (size_t i = 0; code && i < NROLES; i++)
		if (strcmp(roles[i].code, code) == 0)
			return roles[i].display;
	return NULL;
}

const char *yb_fhir_scheme_display(yb_scheme s)
{
	switch (s) {
	case YB_SCHEME_EMPLOYEE_TIER1:
		return "employee basic medical insurance, tier 1 (职工一档)";
	case YB_SCHEME_EMPLOYEE_TIER2:
		return "employee basic medical insurance, tier 2 (职工二档)";
	case YB_SCHEME_RESIDENT:
		return "resident basic medical insurance (居民)";
	default:
		return "unknown";
	}
}

static const struct {
	const char *claim_type;
	yb_visit_type visit;
} visits[] = {
	{ "professional",  YB_VISIT_OUTPATIENT },
	{ "pharmacy",      YB_VISIT_PHARMACY },
	{ "institutional", YB_VISIT_INPATIENT },
};

bool yb_fhir_visit_from_claim_type(const char *code, yb_visit_type *out)
{
	for (size_t i = 0; code && i < sizeof visits / sizeof visits[0]; i++)
		if (strcmp(visits[i].claim_type, code) == 0) {
			*out = visits[i].visit;
			return true;
		}
	return false;
}

const char *yb_fhir_claim_type_of(yb_visit_type v)
{
	for (size_t i = 0; i < sizeof visits / sizeof visits[0]; i++)
		if (visits[i].visit == v)
			return visits[i].claim_type;
	return "professional";
}

bool yb_fhir_cred_from_system(const char *system, yb_cred_type *out)
{
	if (!system)
		return false;
	if (strcmp(system, YB_FHIR_SID_CARD) == 0)
		*out = YB_CRED_CARD;
	else if (strcmp(system, YB_FHIR_SID_ECERT) == 0)
		*out = YB_CRED_ECERT;
	else if (strcmp(system, YB_FHIR_SID_IDNUM) == 0)
		*out = YB_CRED_ID_NUMBER;
	else
		return false;
	return true;
}

/* A suspended person still settles (P3: suspension records a gap, it
 * does not end the insurance); only termination ends it.  The yibao
 * status itself is in the insurance-status extension. */
const char *yb_fhir_coverage_status(yb_status s)
{
	return s == YB_STATUS_TERMINATED ? "cancelled" : "active";
}

const char *yb_fhir_issue_type(yb_err_kind kind, const char *code)
{
	if (code && strcmp(code, "request.missing_field") == 0)
		return "required";
	if (code && strcmp(code, "request.invalid_json") == 0)
		return "structure";
	if (code && strstr(code, ".duplicate"))
		return "duplicate";
	switch (kind) {
	case YB_EINVAL:      return "invalid";
	case YB_EAUTH:       return "login";
	case YB_EFORBIDDEN:  return "forbidden";
	case YB_ENOTFOUND:   return "not-found";
	case YB_ECONFLICT:   return "conflict";
	case YB_ETOOLARGE:   return "too-costly";
	case YB_ERULE:       return "business-rule";
	case YB_ETHROTTLED:  return "throttled";
	case YB_EUNAVAIL:    return "transient";
	default:             return "exception";
	}
}
