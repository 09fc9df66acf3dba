/*
 * routes.c — the route table (every endpoint of API.md, plus a few
 * documented extras) and the matcher the server dispatches with.
 *
 * The table is the single list: dispatch, the edge's role check, the
 * metrics labels and `yibao routes` all read it.
 */
#include "http/routes.h"

#include <string.h>

#include "core/enums.h"
#include "fhir/fhir.h"
#include "nhsa/nhsa.h"
#include "http/httpd.h"

#define B_OPT  YB_ROUTE_BODY_OPTIONAL
#define B_REQ  YB_ROUTE_BODY_REQUIRED
#define EXTRA  YB_ROUTE_EXTRA
#define OPS    (YB_R_ADMIN | YB_R_AGENCY)     /* the agency's own staff */
#define BINDERS (YB_R_TERMINAL | YB_R_HOSPITAL | YB_R_AGENCY)
#define DESKS   (YB_R_HOSPITAL | YB_R_AGENCY)  /* operator channels (F5) */

const yb_http_route yb_http_routes[] = {
	/* operations */
	{ "GET", "/healthz", yb_handle_healthz, NULL, YB_R_PUBLIC,
	  YB_ROUTE_NO_STORE, "liveness and a trivial database read" },
	{ "GET", "/metrics", yb_handle_metrics, NULL, YB_R_PUBLIC,
	  YB_ROUTE_NO_STORE, "Prometheus metrics" },

	/* persons and contributions */
	{ "POST", "/api/v1/persons", yb_handle_persons_post,
	  "person.register", YB_R_ALL, B_REQ, "register an insured person" },
	{ "GET", "/api/v1/persons/{ssn}", yb_handle_persons_get,
	  "person.get", YB_R_ALL, 0, "a person (by SSN)" },
	{ "POST", "/api/v1/persons/{ssn}/password", yb_handle_persons_password,
	  "person.set_password", YB_R_ALL, B_REQ | YB_ROUTE_NO_BATCH,
	  "set the portal password" },
	{ "POST", "/api/v1/persons/{ssn}/termination",
	  yb_handle_persons_termination, "person.terminate", YB_R_ALL, B_REQ,
	  "terminate insurance (emigrated, transferred_out, deceased)" },
	{ "GET", "/api/v1/persons/{ssn}/contributions",
	  yb_handle_persons_contributions, "inquiry.person", YB_R_ALL, EXTRA,
	  "a person's contribution records (operator console)" },
	{ "GET", "/api/v1/persons/{ssn}/ledger", yb_handle_persons_ledger,
	  "inquiry.person", YB_R_ALL, EXTRA,
	  "a person's account statement (operator console)" },
	{ "GET", "/api/v1/persons/{ssn}/settlements",
	  yb_handle_persons_settlements, "inquiry.person", YB_R_ALL, EXTRA,
	  "a person's settlements (operator console)" },
	{ "GET", "/api/v1/persons/{ssn}/family-usage",
	  yb_handle_persons_family_usage, "inquiry.person", YB_R_ALL, EXTRA,
	  "what relatives paid from a person's account (operator console)" },
	{ "GET", "/api/v1/persons/{ssn}/bindings", yb_handle_persons_bindings,
	  "binding.list", OPS, EXTRA,
	  "a person's bindings both ways (operator console)" },
	{ "POST", "/api/v1/contributions", yb_handle_contributions_post,
	  "contribution.post", YB_R_ALL, B_REQ, "post a contribution record" },
	{ "POST", "/api/v1/employers", yb_handle_employers_post,
	  "employer.register", YB_R_ALL, B_REQ, "register an employer" },

	/* sessions and the person's own view */
	{ "POST", "/api/v1/sessions", yb_handle_sessions_post, NULL,
	  YB_R_PUBLIC, B_REQ | YB_ROUTE_NO_BATCH,
	  "log in (SSN or ID number and password)" },
	{ "DELETE", "/api/v1/sessions/current", yb_handle_sessions_delete,
	  NULL, YB_R_PERSON, 0, "log out" },
	{ "GET", "/api/v1/whoami", yb_handle_whoami, NULL, YB_R_ALL, EXTRA,
	  "the role (and institution or employer) a credential acts as" },
	{ "GET", "/api/v1/me", yb_handle_me_get, "inquiry.self", YB_R_PERSON,
	  0, "my person record, with my card" },
	{ "GET", "/api/v1/me/card", yb_handle_me_card, "inquiry.self",
	  YB_R_PERSON, EXTRA, "my newest card" },
	{ "GET", "/api/v1/me/contributions", yb_handle_me_contributions,
	  "inquiry.self", YB_R_PERSON, 0, "my contribution records" },
	{ "GET", "/api/v1/me/ledger", yb_handle_me_ledger, "inquiry.self",
	  YB_R_PERSON, 0, "my personal account statement" },
	{ "GET", "/api/v1/me/settlements", yb_handle_me_settlements,
	  "inquiry.self", YB_R_PERSON, 0, "my settlements" },
	{ "GET", "/api/v1/me/bindings", yb_handle_me_bindings_get,
	  "binding.list", YB_R_PERSON, 0, "my bindings both ways" },
	{ "POST", "/api/v1/me/bindings", yb_handle_me_bindings_post,
	  "binding.create", YB_R_PERSON, B_REQ,
	  "authorize relatives (web, wechat)" },
	{ "DELETE", "/api/v1/me/bindings/{binding_id}",
	  yb_handle_me_bindings_delete, "binding.end", YB_R_PERSON, 0,
	  "end my binding" },
	/* family: E2 monthly caps per binding */
	{ "PUT", "/api/v1/me/bindings/{binding_id}/cap",
	  yb_handle_me_binding_cap_put, "binding.cap", YB_R_PERSON, B_REQ,
	  "set or change the monthly cap of my binding" },
	{ "DELETE", "/api/v1/me/bindings/{binding_id}/cap",
	  yb_handle_me_binding_cap_delete, "binding.cap", YB_R_PERSON, 0,
	  "remove the monthly cap of my binding" },
	/* family: E1 premiums for relatives */
	{ "POST", "/api/v1/me/premiums", yb_handle_me_premiums_post,
	  "premium.pay", YB_R_PERSON, B_REQ,
	  "pay a relative's resident premium from my account" },
	{ "GET", "/api/v1/me/premiums", yb_handle_me_premiums_get,
	  "inquiry.self", YB_R_PERSON, 0,
	  "the premiums I paid for relatives" },
	{ "GET", "/api/v1/premium-years", yb_handle_premium_years,
	  "premium.years", YB_R_ALL, EXTRA,
	  "each year's resident premium and when it may be paid" },
	{ "GET", "/api/v1/me/family-usage", yb_handle_me_family_usage,
	  "inquiry.self", YB_R_PERSON, 0,
	  "what my relatives paid from my account" },
	{ "POST", "/api/v1/me/ecert", yb_handle_me_ecert_post, "ecert.issue",
	  YB_R_PERSON, B_OPT, "issue an electronic credential token" },
	{ "GET", "/api/v1/me/ecert.svg", yb_handle_me_ecert_svg, "ecert.issue",
	  YB_R_PERSON, 0, "a fresh electronic credential as a QR code (SVG)" },
	/* a person's own sessions and password (issue 14) */
	{ "GET", "/api/v1/me/sessions", yb_handle_me_sessions_get,
	  "session.list", YB_R_PERSON, EXTRA, "where I am logged in" },
	{ "DELETE", "/api/v1/me/sessions/{session_id}",
	  yb_handle_me_sessions_delete, "session.end", YB_R_PERSON, EXTRA,
	  "end one of my sessions" },
	{ "POST", "/api/v1/me/password", yb_handle_me_password,
	  "password.change", YB_R_PERSON, B_REQ | YB_ROUTE_NO_BATCH | EXTRA,
	  "change my password (ends my other sessions)" },

	/* bindings by operators */
	{ "POST", "/api/v1/bindings", yb_handle_bindings_post, "binding.create",
	  BINDERS, B_REQ,
	  "authorize relatives at a terminal or an operator's desk" },
	{ "DELETE", "/api/v1/bindings/{binding_id}", yb_handle_bindings_delete,
	  "binding.end", BINDERS, B_REQ,
	  "end a binding at a terminal or an operator's desk" },
	/* family: E1 and E2 at an operator's desk, with the F5 materials */
	{ "PUT", "/api/v1/bindings/{binding_id}/cap", yb_handle_binding_cap_put,
	  "binding.cap", DESKS, B_REQ | EXTRA,
	  "set or change a binding's monthly cap for its authorizer" },
	{ "DELETE", "/api/v1/bindings/{binding_id}/cap",
	  yb_handle_binding_cap_delete, "binding.cap", DESKS, B_REQ | EXTRA,
	  "remove a binding's monthly cap for its authorizer" },
	{ "POST", "/api/v1/premiums", yb_handle_premiums_post, "premium.pay",
	  YB_R_AGENCY, B_REQ | EXTRA,
	  "pay a relative's resident premium from an authorizer's account" },
	/* family: E4 scans of the F5 materials (raw bodies, not JSON) */
	{ "POST", "/api/v1/bindings/{binding_id}/materials",
	  yb_handle_binding_materials_post, "material.attach", DESKS,
	  YB_ROUTE_UPLOAD | EXTRA, "attach a scan to a binding made at a desk" },
	{ "GET", "/api/v1/bindings/{binding_id}/materials",
	  yb_handle_binding_materials_get, "material.read", YB_R_ALL, EXTRA,
	  "the scans of a binding" },
	{ "POST", "/api/v1/card-applications/{application_id}/materials",
	  yb_handle_application_materials_post, "material.attach",
	  YB_R_AGENCY, YB_ROUTE_UPLOAD | EXTRA,
	  "attach a scan to a card application" },
	{ "GET", "/api/v1/card-applications/{application_id}/materials",
	  yb_handle_application_materials_get, "material.read", OPS, EXTRA,
	  "the scans of a card application" },
	{ "POST", "/api/v1/premiums/{premium_id}/materials",
	  yb_handle_premium_materials_post, "material.attach", YB_R_AGENCY,
	  YB_ROUTE_UPLOAD | EXTRA,
	  "attach a scan to a premium paid at the window" },
	{ "GET", "/api/v1/premiums/{premium_id}/materials",
	  yb_handle_premium_materials_get, "material.read", OPS, EXTRA,
	  "the scans of a premium paid at the window" },
	{ "GET", "/api/v1/materials/{material_id}", yb_handle_material_get,
	  "material.read", YB_R_ALL, EXTRA, "a scan's bytes" },

	/* cards and the working-day calendar */
	{ "POST", "/api/v1/card-applications",
	  yb_handle_card_applications_post, "card.apply", YB_R_ALL, B_REQ,
	  "apply for a card" },
	{ "POST", "/api/v1/card-applications/{application_id}/issue",
	  yb_handle_card_applications_issue, "card.issue", YB_R_ALL, B_OPT,
	  "hand over the card of an application" },
	{ "POST", "/api/v1/cards/{card_no}/activation",
	  yb_handle_cards_activation, "card.activate", YB_R_ALL, B_OPT,
	  "financial activation" },
	{ "POST", "/api/v1/cards/{card_no}/loss", yb_handle_cards_loss,
	  "card.report_loss", YB_R_ALL, B_OPT,
	  "report a card lost (frozen at once)" },
	{ "POST", "/api/v1/cards/{card_no}/return", yb_handle_cards_return,
	  "card.return", YB_R_ALL, B_REQ, "card returned (cancelled)" },
	{ "GET", "/api/v1/calendar/{year}", yb_handle_calendar_get,
	  "calendar.get", YB_R_ALL, 0, "a year's working-day calendar" },
	{ "PUT", "/api/v1/calendar/{year}", yb_handle_calendar_put,
	  "calendar.put", YB_R_ALL, B_REQ,
	  "replace a year's working-day calendar" },

	/* designated institutions */
	{ "POST", "/api/v1/institutions", yb_handle_institutions_post,
	  "institution.register", YB_R_ALL, B_REQ,
	  "register a designated institution" },
	{ "GET", "/api/v1/institutions/{code}", yb_handle_institutions_get,
	  "institution.get", YB_R_ALL, 0, "a designated institution" },

	/* settlement */
	{ "POST", "/api/v1/settlements", yb_handle_settlements_post,
	  "settlement.create", YB_R_ALL, B_REQ,
	  "settle a bill (idempotent by txn_id)" },
	{ "POST", "/api/v1/settlements/preview", yb_handle_settlements_preview,
	  "settlement.preview", YB_R_ALL, B_REQ | YB_ROUTE_NO_BATCH,
	  "pre-settlement: compute, keep nothing" },
	{ "GET", "/api/v1/settlements/{settlement_id}",
	  yb_handle_settlements_get, "settlement.get", YB_R_ALL, 0,
	  "a settlement of mine" },
	{ "POST", "/api/v1/settlements/{settlement_id}/revocation",
	  yb_handle_settlements_revocation, "settlement.revoke", YB_R_ALL,
	  B_OPT, "revoke a settlement (idempotent)" },
	{ "POST", "/api/v1/offline-settlements", yb_handle_offline_post,
	  "offline.record", YB_R_ALL, B_REQ,
	  "record a visit paid in cash offline" },
	{ "GET", "/api/v1/offline-settlements/{offline_id}",
	  yb_handle_offline_get, "offline.get", YB_R_ALL, EXTRA,
	  "an offline record of mine" },
	{ "POST", "/api/v1/offline-settlements/{offline_id}/resettlement",
	  yb_handle_offline_resettlement, "offline.resettle", YB_R_ALL, B_OPT,
	  "re-settle an offline record" },
	{ "GET", "/api/v1/reconciliation/{date}", yb_handle_reconciliation_get,
	  "reconciliation.get", YB_R_ALL, 0, "our totals of a day" },
	{ "POST", "/api/v1/reconciliation/{date}",
	  yb_handle_reconciliation_post, "reconciliation.compare", YB_R_ALL,
	  B_REQ, "compare your totals of a day with ours" },

	/* employer, audit */
	{ "GET", "/api/v1/employer/contributions",
	  yb_handle_employer_contributions, "inquiry.employer", YB_R_ALL, 0,
	  "my employees' contribution records (?period=YYYY-MM)" },
	{ "GET", "/api/v1/audit", yb_handle_audit_get, "audit.list", YB_R_ALL,
	  0, "audit records, newest first" },

	/* --- fhir: the HL7 FHIR R4 edge (src/fhir/, docs/FHIR.md) ---
	 * The handlers read their bodies themselves (FHIR media types, JSON
	 * Patch arrays, exact decimals), hence no body flags; the role
	 * checks are the API's.  Patient, Coverage and Account are read by a
	 * person himself (inquiry.self) or the agency's staff (person.get):
	 * two actions, so the route lists the roles and the service checks.
	 * A Patient also by an employer (its staff) and an institution (its
	 * patients), masked (person.seen, Q2, Q3). */
#define FHIR_READERS (YB_R_PERSON | YB_R_ADMIN | YB_R_AGENCY)
#define PATIENT_READERS (FHIR_READERS | YB_R_EMPLOYER | YB_R_INSTITUTION)
	{ "GET", "/fhir/R4/metadata", yb_fhir_metadata, NULL, YB_R_PUBLIC,
	  YB_ROUTE_NO_STORE | EXTRA, "FHIR CapabilityStatement" },
	{ "GET", "/fhir/R4/Patient/{id}", yb_fhir_patient_read, NULL,
	  PATIENT_READERS, EXTRA, "FHIR Patient read" },
	{ "GET", "/fhir/R4/Patient", yb_fhir_patient_search, NULL,
	  PATIENT_READERS, EXTRA, "FHIR Patient search (identifier)" },
	{ "GET", "/fhir/R4/Coverage/{id}", yb_fhir_coverage_read, NULL,
	  FHIR_READERS, EXTRA, "FHIR Coverage read" },
	{ "GET", "/fhir/R4/Coverage", yb_fhir_coverage_search, NULL,
	  FHIR_READERS, EXTRA,
	  "FHIR Coverage search (beneficiary, subscriber, status)" },
	{ "GET", "/fhir/R4/Account/{id}", yb_fhir_account_read, NULL,
	  FHIR_READERS, EXTRA, "FHIR Account read (personal account)" },
	{ "GET", "/fhir/R4/Account", yb_fhir_account_search, NULL,
	  FHIR_READERS, EXTRA, "FHIR Account search (subject, patient)" },
	{ "GET", "/fhir/R4/Organization/{id}", yb_fhir_organization_read,
	  NULL, YB_R_ALL, EXTRA, "FHIR Organization read (the agency)" },
	{ "GET", "/fhir/R4/RelatedPerson/{id}", yb_fhir_related_read,
	  "binding.list", YB_R_ALL, EXTRA, "FHIR RelatedPerson read (binding)" },
	{ "GET", "/fhir/R4/RelatedPerson", yb_fhir_related_search,
	  "binding.list", YB_R_ALL, EXTRA,
	  "FHIR RelatedPerson search (patient, identifier)" },
	{ "POST", "/fhir/R4/RelatedPerson", yb_fhir_related_create,
	  "binding.create", YB_R_ALL, EXTRA,
	  "FHIR RelatedPerson create (a binding)" },
	{ "DELETE", "/fhir/R4/RelatedPerson/{id}", yb_fhir_related_delete,
	  "binding.end", YB_R_PERSON, EXTRA,
	  "FHIR RelatedPerson delete (end my binding)" },
	{ "PATCH", "/fhir/R4/RelatedPerson/{id}", yb_fhir_related_patch,
	  "binding.end", YB_R_PERSON, EXTRA,
	  "FHIR RelatedPerson patch active=false (end my binding)" },
	{ "PUT", "/fhir/R4/RelatedPerson/{id}", yb_fhir_related_update,
	  "binding.end", YB_R_ALL, EXTRA,
	  "FHIR RelatedPerson update active=false (end a binding, any channel)" },
	{ "POST", "/fhir/R4/Claim/$submit", yb_fhir_claim_submit,
	  "settlement.create", YB_R_ALL, EXTRA,
	  "FHIR Claim $submit (settlement, or pre-settlement)" },
	{ "POST", "/fhir/R4/Claim/{id}/$cancel", yb_fhir_claim_cancel,
	  "settlement.revoke", YB_R_ALL, EXTRA,
	  "FHIR Claim $cancel (revoke a settlement)" },
	{ "GET", "/fhir/R4/ClaimResponse/{id}", yb_fhir_claimresponse_read,
	  "settlement.get", YB_R_ALL, EXTRA, "FHIR ClaimResponse read" },
	{ "POST", "/fhir/R4/CoverageEligibilityRequest/$submit",
	  yb_fhir_eligibility_submit, "settlement.preview", YB_R_ALL,
	  EXTRA | YB_ROUTE_NO_BATCH, "FHIR eligibility check" },
#undef FHIR_READERS
#undef PATIENT_READERS
	/* --- end fhir --- */
	/* nhsa: the national-interface gateway (src/nhsa, docs/NHSA.md), an
	 * edge of its own: it authenticates by the x-tif-* headers, reads the
	 * raw body and answers in its own envelope (YB_ROUTE_RAW) */
	{ "POST", "/nhsa/api/{infno}", yb_nhsa_handle, NULL, YB_R_PUBLIC,
	  EXTRA | YB_ROUTE_RAW,
	  "national interface (NHSA): one transaction, infno in the URL" },
	{ "POST", "/nhsa/api", yb_nhsa_handle, NULL, YB_R_PUBLIC,
	  EXTRA | YB_ROUTE_RAW,
	  "national interface (NHSA): one transaction, infno in the envelope" },
	/* nhsa: the gateway's credentials and kept messages, for the console */
	{ "GET", "/api/v1/nhsa/credentials", yb_handle_nhsa_credentials_get,
	  "nhsa.credential.list", YB_R_ALL, EXTRA,
	  "an institution's national-interface credentials (?institution=)" },
	{ "POST", "/api/v1/nhsa/credentials", yb_handle_nhsa_credentials_post,
	  "nhsa.credential.issue", YB_R_ALL, B_REQ | EXTRA,
	  "issue a national-interface credential (the token shown once)" },
	{ "POST", "/api/v1/nhsa/credentials/{paasid}/revocation",
	  yb_handle_nhsa_credentials_revoke, "nhsa.credential.revoke",
	  YB_R_ALL, B_OPT | EXTRA, "revoke a national-interface credential" },
	{ "GET", "/api/v1/nhsa/messages/{msgid}", yb_handle_nhsa_messages_get,
	  "nhsa.message.get", YB_R_ALL, EXTRA,
	  "a message the national interface kept (?institution=)" },
	/* --- records and proofs (R1–R4, docs/RECORDS.md) --- */
	/* R1 statements: ?from=YYYY-MM&to=YYYY-MM&format=csv|pdf, streamed */
	{ "GET", "/api/v1/me/statements/contributions",
	  yb_handle_me_statement_contributions, "inquiry.self", YB_R_PERSON,
	  EXTRA, "my contribution records of a period, as CSV or PDF" },
	{ "GET", "/api/v1/me/statements/ledger", yb_handle_me_statement_ledger,
	  "inquiry.self", YB_R_PERSON, EXTRA,
	  "my personal account's entries of a period, as CSV or PDF" },
	{ "GET", "/api/v1/persons/{ssn}/statements/contributions",
	  yb_handle_persons_statement_contributions, "inquiry.person", OPS,
	  EXTRA, "a person's contribution records of a period (on his behalf)" },
	{ "GET", "/api/v1/persons/{ssn}/statements/ledger",
	  yb_handle_persons_statement_ledger, "inquiry.person", OPS, EXTRA,
	  "a person's account entries of a period (on his behalf)" },
	{ "GET", "/api/v1/employers/{code}/statements/contributions",
	  yb_handle_employers_statement, "record.employer", YB_R_ALL, EXTRA,
	  "an employer's employees' contribution records of a period" },
	/* R2 proofs of insurance and their verification */
	{ "POST", "/api/v1/me/proofs", yb_handle_me_proofs_post, "proof.issue",
	  YB_R_PERSON, B_OPT | EXTRA, "issue a proof of insurance for me" },
	{ "GET", "/api/v1/me/proofs", yb_handle_me_proofs_get, "inquiry.self",
	  YB_R_PERSON, EXTRA, "the proofs issued for me" },
	{ "POST", "/api/v1/persons/{ssn}/proofs", yb_handle_persons_proofs_post,
	  "proof.issue", OPS, B_OPT | EXTRA,
	  "issue a proof of insurance for a person (on his behalf)" },
	{ "GET", "/api/v1/persons/{ssn}/proofs", yb_handle_persons_proofs_get,
	  "proof.get", OPS, EXTRA, "the proofs issued for a person" },
	{ "GET", "/api/v1/proofs/{code}", yb_handle_proofs_get, "proof.get",
	  YB_R_ALL, EXTRA, "a proof (its owner or the agency)" },
	{ "GET", "/api/v1/proofs/{code}/pdf", yb_handle_proofs_pdf, "proof.get",
	  YB_R_ALL, EXTRA, "a proof as a PDF to print" },
	{ "POST", "/api/v1/proofs/{code}/revocation",
	  yb_handle_proofs_revocation, "proof.revoke", YB_R_ALL, B_REQ | EXTRA,
	  "revoke a proof (the agency)" },
	{ "GET", "/api/v1/verify/{code}", yb_handle_verify_json, NULL,
	  YB_R_PUBLIC, EXTRA, "is a proof genuine, and what did it state" },
	{ "GET", "/verify/{code}", yb_handle_verify_page, NULL, YB_R_PUBLIC,
	  EXTRA, "the same as a page: where a proof's QR code points" },
	/* R3 gaps, R4 employer arrears */
	{ "GET", "/api/v1/me/gaps", yb_handle_me_gaps, "inquiry.self",
	  YB_R_PERSON, EXTRA, "my months without a contribution (断缴)" },
	{ "GET", "/api/v1/persons/{ssn}/gaps", yb_handle_persons_gaps,
	  "inquiry.person", OPS, EXTRA, "a person's months without a contribution" },
	{ "GET", "/api/v1/me/arrears", yb_handle_me_arrears, "inquiry.self",
	  YB_R_PERSON, EXTRA, "the months my employer did not pay for me" },
	{ "GET", "/api/v1/employers/{code}/arrears", yb_handle_employers_arrears,
	  "record.employer", YB_R_ALL, EXTRA,
	  "an employer's employees in arrears (?format=json|csv)" },
	{ "GET", "/api/v1/arrears", yb_handle_arrears_get, "arrears.list",
	  YB_R_ALL, EXTRA,
	  "employers with arrears, sortable (?format=json|csv)" },
	/* notify (E3): the authorizer's notifications, the agency's webhooks */
	{ "GET", "/api/v1/me/notifications", yb_handle_me_notifications_get,
	  "notification.list", YB_R_PERSON, EXTRA,
	  "my notifications (every use of my account), with the unread count" },
	{ "POST", "/api/v1/me/notifications/{notification_id}/read",
	  yb_handle_me_notifications_read_one, "notification.read",
	  YB_R_PERSON, B_OPT | EXTRA, "mark one of my notifications read" },
	{ "POST", "/api/v1/me/notifications/read",
	  yb_handle_me_notifications_read_all, "notification.read",
	  YB_R_PERSON, B_OPT | EXTRA, "mark all my notifications read" },
	{ "GET", "/api/v1/webhooks", yb_handle_webhooks_get, "webhook.list",
	  YB_R_ALL, EXTRA, "the agency's active webhooks" },
	{ "POST", "/api/v1/webhooks", yb_handle_webhooks_post,
	  "webhook.manage", YB_R_ALL, B_REQ | EXTRA,
	  "add a webhook (URL and signing secret)" },
	{ "DELETE", "/api/v1/webhooks/{webhook_id}", yb_handle_webhooks_delete,
	  "webhook.manage", YB_R_ALL, EXTRA, "remove a webhook" },
	{ "GET", "/api/v1/webhook-deliveries", yb_handle_deliveries_get,
	  "delivery.list", YB_R_ALL, EXTRA,
	  "webhook deliveries, newest first (?state=pending|delivered|dead)" },
	{ "POST", "/api/v1/webhook-deliveries/{delivery_id}/retry",
	  yb_handle_deliveries_retry, "delivery.retry", YB_R_ALL, B_OPT | EXTRA,
	  "retry a dead delivery" },
};

const size_t yb_http_nroutes = sizeof yb_http_routes / sizeof yb_http_routes[0];

/* Does `pat` match the segments?  Collects the {param} segments.  Walks
 * both a character at a time: with 118 routes scanned per request, the
 * calls to strchrnul, strlen and memcmp of each segment were most of the
 * cost (bench/daymix/profile), and most patterns fail at the third
 * segment's first character. */
static bool route_match(const char *pat, char *const *segs, int nsegs,
			const char **params, int maxparams, int *nparams)
{
	int i = 0;

	*nparams = 0;
	while (*pat == '/') {
		const char *g;

		pat++;
		if (i >= nsegs)
			return false;
		g = segs[i++];
		if (*pat == '{') {
			if (*g == '\0' || *nparams >= maxparams)
				return false;
			params[(*nparams)++] = g;
			while (*pat && *pat != '/')
				pat++;
			continue;
		}
		while (*pat && *pat != '/' && *pat == *g) {
			pat++;
			g++;
		}
		if ((*pat && *pat != '/') || *g)
			return false;
	}
	return i == nsegs;
}

/* Add a method to a 405's Allow header, once. */
static void allow_add(char *allow, size_t allow_size, size_t *used,
		      const char *method)
{
	int w;

	if (strstr(allow, method) || allow_size <= *used + 1)
		return;
	w = snprintf(allow + *used, allow_size - *used, "%s%s",
		     *used ? ", " : "", method);
	if (w > 0 && (size_t)w < allow_size - *used)
		*used += (size_t)w;
}

const yb_http_route *yb_http_route_find(const char *method, char *const *segs,
					int nsegs, const char **params,
					int maxparams, int *nparams,
					int *path_known, char *allow,
					size_t allow_size)
{
	const yb_http_route *best = NULL;
	int best_np = maxparams + 1;
	const char *p[YB_HTTP_PARAMS_MAX];
	size_t used = 0;

	if (maxparams > YB_HTTP_PARAMS_MAX)
		maxparams = YB_HTTP_PARAMS_MAX;
	*path_known = 0;
	*nparams = 0;
	if (allow_size)
		allow[0] = '\0';
	/* The request's method first: the other routes are matched only
	 * when none of these is, for the 405. */
	for (size_t i = 0; i < yb_http_nroutes; i++) {
		const yb_http_route *rt = &yb_http_routes[i];
		int np;

		if (strcmp(rt->method, method) != 0 ||
		    !route_match(rt->pattern, segs, nsegs, p, maxparams, &np))
			continue;
		if (np < best_np) {
			best = rt;
			best_np = np;
			memcpy(params, p, (size_t)np * sizeof p[0]);
			*nparams = np;
		}
	}
	if (best)
		return best;
	for (size_t i = 0; i < yb_http_nroutes; i++) {
		const yb_http_route *rt = &yb_http_routes[i];
		int np;

		if (route_match(rt->pattern, segs, nsegs, p, maxparams, &np)) {
			*path_known = 1;
			allow_add(allow, allow_size, &used, rt->method);
		}
	}
	return NULL;
}

unsigned yb_http_route_roles(const yb_http_route *rt)
{
	unsigned roles = 0;
	yb_ctx probe;

	if (rt->roles == YB_R_PUBLIC || !rt->action)
		return rt->roles;
	/* Ask the service's own table, one role at a time. */
	memset(&probe, 0, sizeof probe);
	for (int role = 0; role < YB_ROLE__N; role++) {
		probe.actor.role = (yb_role)role;
		if (yb_authorize(&probe, rt->action, NULL) == 0)
			roles |= YB_R(role);
	}
	return roles & rt->roles;
}

void yb_http_routes_print(FILE *f)
{
	for (size_t i = 0; i < yb_http_nroutes; i++) {
		const yb_http_route *rt = &yb_http_routes[i];
		unsigned roles = yb_http_route_roles(rt);
		int n = 0;

		fprintf(f, "%s\t%s\t", rt->method, rt->pattern);
		for (int role = 0; role < YB_ROLE__N; role++) {
			if (!(roles & YB_R(role)))
				continue;
			fprintf(f, "%s%s", n++ ? "," : "",
				yb_role_str((yb_role)role));
		}
		if (n == 0)
			fputs("public", f);
		fprintf(f, "\t%s%s\n", rt->summary,
			(rt->flags & YB_ROUTE_EXTRA) ? " [extra]" : "");
	}
}
