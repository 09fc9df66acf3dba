/*
 * fhir_int.h — what the files of the FHIR edge share: the identifier and
 * code systems yibao defines (docs/FHIR.md is their documentation), the
 * exact-decimal JSON reading and writing, typed getters that name the
 * element path of a bad element, the encoders of common data types, and
 * the pure code mappings (fhir_codes.c, unit-tested).
 */
#ifndef YB_FHIR_FHIR_INT_H
#define YB_FHIR_FHIR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "core/model.h"

/* ---- systems (docs/FHIR.md) ---------------------------------------------- */

#define YB_FHIR_NS          "https://yibao.example.org/fhir"
#define YB_FHIR_SID_SSN     YB_FHIR_NS "/sid/ssn"
#define YB_FHIR_SID_IDNUM   YB_FHIR_NS "/sid/id-number"
#define YB_FHIR_SID_CARD    YB_FHIR_NS "/sid/card-no"
#define YB_FHIR_SID_ECERT   YB_FHIR_NS "/sid/ecert"
#define YB_FHIR_SID_TXN     YB_FHIR_NS "/sid/txn-id"
#define YB_FHIR_SID_REGION  YB_FHIR_NS "/sid/region"
#define YB_FHIR_SID_INST    YB_FHIR_NS "/sid/institution"
#define YB_FHIR_CS_SCHEME   YB_FHIR_NS "/CodeSystem/scheme"
#define YB_FHIR_CS_STATUS   YB_FHIR_NS "/CodeSystem/insurance-status"
#define YB_FHIR_CS_VISIT    YB_FHIR_NS "/CodeSystem/visit-type"
#define YB_FHIR_CS_ADJ      YB_FHIR_NS "/CodeSystem/adjudication"
#define YB_FHIR_CS_ERROR    YB_FHIR_NS "/CodeSystem/error"
#define YB_FHIR_CS_ACCOUNT  YB_FHIR_NS "/CodeSystem/account-type"
#define YB_FHIR_CS_BENEFIT  YB_FHIR_NS "/CodeSystem/benefit-type"
#define YB_FHIR_SD          YB_FHIR_NS "/StructureDefinition/"
#define YB_FHIR_EXT_BALANCE   YB_FHIR_SD "account-balance"
#define YB_FHIR_EXT_SHARE     YB_FHIR_SD "account-share"
#define YB_FHIR_EXT_FUND      YB_FHIR_SD "fund-pay"
#define YB_FHIR_EXT_MATERIALS YB_FHIR_SD "binding-materials"
#define YB_FHIR_EXT_STATUS    YB_FHIR_SD "insurance-status"
#define YB_FHIR_EXT_FAMILY    YB_FHIR_SD "family-account-usable"
#define YB_FHIR_V3_ROLE     "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
#define YB_FHIR_CS_CLAIMTYPE "http://terminology.hl7.org/CodeSystem/claim-type"
#define YB_FHIR_CS_HL7ADJ   "http://terminology.hl7.org/CodeSystem/adjudication"

#define YB_FHIR_AGENCY_ID   "agency"      /* Organization/agency: the payor */
#define YB_FHIR_CTYPE       "application/fhir+json; charset=utf-8"

/* ---- exact decimals (fhir_lex.c) -------------------------------------------- */

/*
 * FHIR decimals must keep their precision, and money never touches
 * floating point (SPEC U1), but jansson reads every non-integer as a
 * double.  So before parsing, every number token of the text is turned
 * into a string that starts with YB_FHIR_NUM_TAG ("300.50" →
 * "\u0001300.50"); the getters take such strings as numbers.  On the way
 * out, yb_fhir_untag turns the tagged strings of the dumped text back
 * into bare numbers.
 */
#define YB_FHIR_NUM_TAG '\x01'

/* A malloc'd copy of `in` with its numbers tagged, NUL-terminated.
 * Errors: request.invalid_json (nesting deeper than `maxdepth`, a number
 * token that is not JSON's), out_of_memory. */
char *yb_fhir_tag_numbers(const char *in, size_t len, int maxdepth,
			  yb_err *err);
/* In place: `"\u0001123.45"` → `123.45` in dumped JSON text. */
void yb_fhir_untag(char *s);
/* The text of a tagged number, or NULL if `v` is not one. */
const char *yb_fhir_num_text(const json_t *v);
/* A decimal number value (tagged) of fen as yuan: 12345 → 123.45. */
json_t *yb_fhir_jdec(int64_t fen);
/* An integer value (tagged). */
json_t *yb_fhir_jint(int64_t v);
/* A FHIR decimal text of yuan into fen: "300", "300.5", "300.50",
 * "300.500" (trailing zeros beyond cents are exact); false otherwise. */
bool yb_fhir_dec_to_fen(const char *text, int64_t *fen);

/* ---- decoding with element paths (fhir_json.c) ------------------------------ */

/*
 * Errors of FHIR input name the element: the message is
 * "<path>: <text>" and the OperationOutcome carries <path> as
 * issue.expression (yb_fhir_expression picks it out again).
 */
int yb_fhir_bad(yb_err *err, const char *code, const char *path,
		const char *name, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The element path at the start of an error message, copied to buf
 * (empty when the message has none). */
void yb_fhir_expression(const char *msg, char *buf, size_t size);

int yb_fhir_get_str(const json_t *o, const char *path, const char *name,
		    bool required, const char **out, yb_err *err);
int yb_fhir_get_obj(const json_t *o, const char *path, const char *name,
		    bool required, const json_t **out, yb_err *err);
int yb_fhir_get_arr(const json_t *o, const char *path, const char *name,
		    bool required, const json_t **out, yb_err *err);
int yb_fhir_get_bool(const json_t *o, const char *path, const char *name,
		     bool required, bool *out, yb_err *err);
/* A Money element: {value (decimal), currency (CNY if given)}. */
int yb_fhir_get_money(const json_t *o, const char *path, const char *name,
		      bool required, int64_t *fen, yb_err *err);
/* The code of the first coding of a CodeableConcept (or of a Coding, with
 * `concept` false) whose system is `system`; NULL when there is none. */
const char *yb_fhir_code_of(const json_t *cc, const char *system);
/* The value of an Identifier or Reference.identifier of that system. */
const char *yb_fhir_ident_of(const json_t *ident, const char *system);
/* The extension of `url` in o.extension[], or NULL. */
const json_t *yb_fhir_ext(const json_t *o, const char *url);

/* ---- encoders (fhir_json.c) ------------------------------------------------- */

json_t *yb_fhir_ref(const char *type, const char *id);
json_t *yb_fhir_coding(const char *system, const char *code,
		       const char *display);
json_t *yb_fhir_cc(const char *system, const char *code, const char *display);
json_t *yb_fhir_ident(const char *system, const char *value);
json_t *yb_fhir_money(int64_t fen);
json_t *yb_fhir_instant(yb_time t);      /* RFC 3339 UTC */
json_t *yb_fhir_date(yb_date d);
json_t *yb_fhir_date_of(yb_time t);      /* the local date of an instant */
/* Set o[name] = v (stolen); -1 when v is NULL (out of memory). */
int yb_fhir_set(json_t *o, const char *name, json_t *v);
/* Append v (stolen) to o[name] (an array made on first use). */
int yb_fhir_push(json_t *o, const char *name, json_t *v);
/* A searchset Bundle of the entries (stolen), with their fullUrls. */
json_t *yb_fhir_bundle(json_t *resources, const char *base);

/* ---- pure mappings (fhir_codes.c) ------------------------------------------- */

/*
 * RelatedPerson.relationship is what the related person (the authorizer)
 * is to the patient (the relative); a binding records what the relative
 * is to the authorizer.  So the code is the inverse: a binding "child"
 * (the relative is the authorizer's child) is RoleCode PRN (the
 * authorizer is the patient's parent).  YB_REL_SELF is ONESELF.
 */
const char *yb_fhir_role_code(yb_relationship binding_rel);
bool yb_fhir_role_from_code(const char *code, yb_relationship *binding_rel);
const char *yb_fhir_role_display(const char *code);
const char *yb_fhir_scheme_display(yb_scheme s);
/* Visit type from Claim.type (claim-type system): professional →
 * outpatient, pharmacy → pharmacy, institutional → inpatient. */
bool yb_fhir_visit_from_claim_type(const char *code, yb_visit_type *out);
const char *yb_fhir_claim_type_of(yb_visit_type v);
/* Credential type from a patient identifier system (card, ecert, ID). */
bool yb_fhir_cred_from_system(const char *system, yb_cred_type *out);
/* Coverage.status of a person's insurance status. */
const char *yb_fhir_coverage_status(yb_status s);
/* OperationOutcome issue.code (IssueType) of an error kind / code. */
const char *yb_fhir_issue_type(yb_err_kind kind, const char *code);

/* ---- decoding resources (fhir_decode.c) -------------------------------------- */

struct yb_settle_req;

/* The patient's credential in res.patient.identifier (card, e-credential
 * or ID-number system): its API type name and value.  Errors name the
 * element under `path` (the resource type). */
int yb_fhir_cred_decode(const json_t *res, const char *path,
			const char **type, const char **value, yb_err *err);
/* A Claim into the settlement request (strings point into `claim`);
 * *preview for use = predetermination.  Errors name the element. */
int yb_fhir_claim_decode(const json_t *claim, struct yb_settle_req *req,
			 bool *preview, yb_err *err);

/* ---- the request and the answer (fhir_reply.c) ------------------------------ */

struct yb_hreq;

/* Parse the body as a FHIR resource of `type` (NULL: any JSON value, for
 * a JSON Patch).  Content-Type application/fhir+json (or
 * application/json).  *out is a new reference. */
int yb_fhir_body(struct yb_hreq *r, const char *type, json_t **out,
		 yb_err *err);
/* Answer a resource (stolen; NULL: out of memory). */
void yb_fhir_reply(struct yb_hreq *r, unsigned status, json_t *resource);
/* "http://host/fhir/R4", for Bundle fullUrls and Location headers. */
void yb_fhir_base(const struct yb_hreq *r, char *buf, size_t size);
/* Answer a searchset Bundle of the resources (stolen). */
void yb_fhir_reply_bundle(struct yb_hreq *r, json_t *resources);
/* A search parameter that is a reference: "Patient/123" or "123" → "123";
 * NULL if absent, "" if of another resource type. */
const char *yb_fhir_ref_param(const struct yb_hreq *r, const char *name,
			      const char *type);

#endif
