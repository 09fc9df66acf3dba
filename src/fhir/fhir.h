/*
 * fhir.h — the HL7 FHIR R4 edge (/fhir/R4/..., application/fhir+json):
 * what the HTTP server needs from it.  The FHIR handlers run inside the
 * same server as the JSON API — same authentication, roles, batching —
 * and call the same src/service/ use cases; they only decode FHIR
 * resources and encode the answers as FHIR resources (docs/FHIR.md).
 */
#ifndef YB_FHIR_FHIR_H
#define YB_FHIR_FHIR_H

#include <stdbool.h>

#include "core/err.h"

struct yb_hreq;
typedef void yb_fhir_handler_fn(struct yb_hreq *r);

/* Is this request under /fhir/R4/?  Its errors are OperationOutcomes. */
bool yb_fhir_is_request(const struct yb_hreq *r);
/* Whether the client accepts an answer in JSON: `_format` (which FHIR
 * lets override the header) or else the Accept header names a JSON type
 * or a wildcard.  XML and Turtle are not spoken: -1 with
 * request.not_acceptable (406), before anything is read or changed. */
int yb_fhir_negotiate(const struct yb_hreq *r, yb_err *err);

/* Answer an error as an OperationOutcome (status from the code's kind). */
void yb_fhir_reply_error(struct yb_hreq *r, const yb_err *err);

/* The handlers, one file per group of resources. */
/* fhir_metadata.c */
yb_fhir_handler_fn yb_fhir_metadata;
/* fhir_patient.c */
yb_fhir_handler_fn yb_fhir_patient_read, yb_fhir_patient_search,
	yb_fhir_coverage_read, yb_fhir_coverage_search,
	yb_fhir_organization_read, yb_fhir_account_read,
	yb_fhir_account_search;
/* fhir_related.c */
yb_fhir_handler_fn yb_fhir_related_read, yb_fhir_related_search,
	yb_fhir_related_create, yb_fhir_related_delete,
	yb_fhir_related_patch, yb_fhir_related_update;
/* fhir_claim.c */
yb_fhir_handler_fn yb_fhir_claim_submit, yb_fhir_claim_cancel,
	yb_fhir_claimresponse_read, yb_fhir_eligibility_submit;

#endif
