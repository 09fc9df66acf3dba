/*
 * fhir_claim.c — settlement as FHIR (SPEC S2–S5): Claim $submit is
 * yb_settle (use = predetermination: the pre-settlement, nothing kept),
 * answered by a ClaimResponse that itemizes the fund part, every
 * personal-account share (whose account, what he is to the patient) and
 * the cash part; Claim/{id}/$cancel is yb_revoke; ClaimResponse read is
 * yb_settlement_get.  CoverageEligibilityRequest $submit is
 * yb_eligibility_check.  Idempotency is the API's: Claim.identifier is
 * the institution's txn_id (S4).
 */
#include <string.h>

#include "core/enums.h"
#include "fhir/fhir.h"
#include "fhir/fhir_int.h"
#include "http/httpd.h"
#include "service/eligibility.h"
#include "service/settle.h"

static json_t *total(const char *system, const char *code, int64_t fen)
{
	return json_pack("{s:o, s:o}", "category", yb_fhir_cc(system, code,
							       NULL),
			 "amount", yb_fhir_money(fen));
}

static json_t *share_ext(const yb_share *sh)
{
	const char *code = yb_fhir_role_code(sh->relationship);

	return json_pack(
		"{s:s, s:[{s:s, s:o}, {s:s, s:o}, {s:s, s:o}, {s:s, s:o}]}",
		"url", YB_FHIR_EXT_SHARE, "extension",
		"url", "account", "valueReference",
		yb_fhir_ref("Account", sh->payer_ssn),
		"url", "payer", "valueReference",
		yb_fhir_ref("Patient", sh->payer_ssn),
		"url", "relationship", "valueCoding",
		yb_fhir_coding(YB_FHIR_V3_ROLE, code,
			       yb_fhir_role_display(code)),
		"url", "amount", "valueMoney", yb_fhir_money(sh->amount_fen));
}

/* The totals by category: submitted, benefit (what the insurance side
 * pays: fund and accounts), and yibao's fund, personal-account (the
 * patient's own), family-account (his relatives') and cash. */
static int add_totals(json_t *o, const yb_settlement *s)
{
	int64_t own = 0, family = 0;

	for (int i = 0; i < s->nshares; i++) {
		if (s->shares[i].relationship == YB_REL_SELF)
			own += s->shares[i].amount_fen;
		else
			family += s->shares[i].amount_fen;
		if (yb_fhir_push(o, "extension", share_ext(&s->shares[i])) < 0)
			return -1;
	}
	return (yb_fhir_push(o, "total", total(YB_FHIR_CS_HL7ADJ, "submitted",
					       s->total_fen)) < 0 ||
		yb_fhir_push(o, "total", total(YB_FHIR_CS_HL7ADJ, "benefit",
					       s->fund_pay_fen +
						       s->account_pay_fen)) < 0 ||
		yb_fhir_push(o, "total", total(YB_FHIR_CS_ADJ, "fund",
					       s->fund_pay_fen)) < 0 ||
		yb_fhir_push(o, "total", total(YB_FHIR_CS_ADJ,
					       "personal-account", own)) < 0 ||
		yb_fhir_push(o, "total", total(YB_FHIR_CS_ADJ,
					       "family-account", family)) < 0 ||
		yb_fhir_push(o, "total", total(YB_FHIR_CS_ADJ, "cash",
					       s->cash_pay_fen)) < 0) ? -1 : 0;
}

static const char *disposition(const yb_settlement *s)
{
	switch (s->state) {
	case YB_SETTLE_PREVIEW: return "pre-settlement: nothing was paid";
	case YB_SETTLE_REVOKED: return "revoked: every share went back (S5)";
	default:                return "settled";
	}
}

static json_t *render_response(const yb_settlement *s, yb_time now)
{
	bool preview = s->state == YB_SETTLE_PREVIEW;
	json_t *o = json_pack(
		"{s:s, s:[o], s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:{s:o},"
		" s:{s:o}, s:s, s:s}",
		"resourceType", "ClaimResponse", "identifier",
		yb_fhir_ident(YB_FHIR_SID_TXN, s->txn_id), "status",
		s->state == YB_SETTLE_REVOKED ? "cancelled" : "active", "type",
		yb_fhir_cc(YB_FHIR_CS_CLAIMTYPE,
			   yb_fhir_claim_type_of(s->visit_type), NULL),
		"subType",
		yb_fhir_cc(YB_FHIR_CS_VISIT, yb_visit_type_str(s->visit_type),
			   NULL),
		"use", preview ? "predetermination" : "claim", "patient",
		yb_fhir_ref("Patient", s->patient_ssn), "created",
		yb_fhir_instant(preview || !s->settled_at ? now : s->settled_at),
		"insurer", yb_fhir_ref("Organization", YB_FHIR_AGENCY_ID),
		"requestor", "identifier",
		yb_fhir_ident(YB_FHIR_SID_INST, s->institution_code),
		"request", "identifier",
		yb_fhir_ident(YB_FHIR_SID_TXN, s->txn_id), "outcome",
		"complete", "disposition", disposition(s));
	char id[24];

	if (!o || add_totals(o, s) < 0)
		goto fail;
	snprintf(id, sizeof id, "%lld", (long long)s->id);
	if (!preview && yb_fhir_set(o, "id", json_string(id)) < 0)
		goto fail;
	/* What the agency pays the institution: the fund and the accounts. */
	if (s->state == YB_SETTLE_SETTLED &&
	    yb_fhir_set(o, "payment", json_pack(
		    "{s:o, s:o, s:o}", "type",
		    yb_fhir_cc("http://terminology.hl7.org/CodeSystem/"
			       "ex-paymenttype", "complete", NULL),
		    "date", yb_fhir_date_of(s->settled_at), "amount",
		    yb_fhir_money(s->fund_pay_fen + s->account_pay_fen))) < 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static void reply_response(yb_hreq *r, unsigned status,
			   const yb_settlement *s)
{
	yb_fhir_reply(r, status, render_response(s, yb_ctx_now(&r->ctx)));
}

void yb_fhir_claim_submit(yb_hreq *r)
{
	yb_settle_req req = { 0 };
	yb_settlement s;
	bool preview = false, repeat = false;
	json_t *claim = NULL;
	yb_err err;

	if (yb_fhir_body(r, "Claim", &claim, &err) < 0 ||
	    yb_fhir_claim_decode(claim, &req, &preview, &err) < 0 ||
	    yb_settle(&r->ctx, &req, preview, &s, &repeat, &err) < 0) {
		json_decref(claim);
		yb_fhir_reply_error(r, &err);
		return;
	}
	if (preview)
		s.state = YB_SETTLE_PREVIEW;
	/* yb_settle borrowed the strings of the Claim until here. */
	json_decref(claim);
	reply_response(r, preview || repeat ? MHD_HTTP_OK : MHD_HTTP_CREATED,
		       &s);
}

/* One settlement by id, through a use case of settle.h's (id, out) shape. */
static void on_settlement(yb_hreq *r,
			  int (*use_case)(yb_ctx *, yb_id, yb_settlement *,
					  yb_err *))
{
	yb_settlement s;
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, "settlement.not_found", &id, &err) < 0 ||
	    use_case(&r->ctx, id, &s, &err) < 0) {
		yb_fhir_reply_error(r, &err);
		return;
	}
	reply_response(r, MHD_HTTP_OK, &s);
}

/* Claim/{id}/$cancel: {id} is the ClaimResponse's (the settlement's). */
void yb_fhir_claim_cancel(yb_hreq *r)
{
	on_settlement(r, yb_revoke);
}

void yb_fhir_claimresponse_read(yb_hreq *r)
{
	on_settlement(r, yb_settlement_get);
}

/* ---- eligibility ----------------------------------------------------------- */

/* The visit types asked: item[].category (visit-type system), or all. */
static int parse_visits(const json_t *req, const char **visits, int *n,
			yb_err *err)
{
	const json_t *items = json_object_get(req, "item");
	size_t i;
	const json_t *it;

	*n = 0;
	if (!items || json_array_size(items) == 0) {
		for (int v = 0; v < YB_VISIT__N; v++)
			visits[(*n)++] = yb_visit_type_str((yb_visit_type)v);
		return 0;
	}
	if (!json_is_array(items) || json_array_size(items) > YB_VISIT__N)
		return yb_fhir_bad(err, "request.invalid_field",
				   "CoverageEligibilityRequest", "item",
				   "at most %d items", YB_VISIT__N);
	json_array_foreach(items, i, it) {
		const char *c = yb_fhir_code_of(json_object_get(it, "category"),
						YB_FHIR_CS_VISIT);
		if (!c)
			return yb_errf(err, "request.missing_field",
				       "CoverageEligibilityRequest.item[%zu]."
				       "category: a code of %s", i,
				       YB_FHIR_CS_VISIT);
		visits[(*n)++] = c;
	}
	return 0;
}

static json_t *elig_item(const char *visit, const yb_eligibility *e)
{
	bool usable = e->insured && e->family_visit_allowed &&
		      e->family_payers > 0;

	return json_pack(
		"{s:[{s:s, s:b}], s:o, s:s}", "extension", "url",
		YB_FHIR_EXT_FAMILY, "valueBoolean", usable, "category",
		yb_fhir_cc(YB_FHIR_CS_VISIT, visit, NULL), "description",
		!e->family_visit_allowed
			? "relatives' accounts do not pay for this visit type"
		: e->family_payers == 0
			? "no relative's account is bound to this patient"
			: "relatives' accounts pay once his own is empty (S3)");
}

static json_t *render_eligibility(const yb_hreq *r, const yb_eligibility *e,
				  json_t *items)
{
	return json_pack(
		"{s:s, s:s, s:[s, s], s:o, s:o, s:{s:s}, s:s, s:o,"
		" s:{s:o}, s:[{s:o, s:b, s:o}]}",
		"resourceType", "CoverageEligibilityResponse", "status",
		"active", "purpose", "validation", "benefits", "patient",
		yb_fhir_ref("Patient", e->patient.ssn), "created",
		yb_fhir_instant(yb_ctx_now(&r->ctx)), "request", "display",
		"the CoverageEligibilityRequest (not kept)", "outcome",
		"complete", "insurer",
		yb_fhir_ref("Organization", YB_FHIR_AGENCY_ID), "requestor",
		"identifier",
		yb_fhir_ident(YB_FHIR_SID_INST, r->ctx.actor.institution_code),
		"insurance", "coverage",
		yb_fhir_ref("Coverage", e->patient.ssn), "inforce",
		e->insured, "item", items);
}

void yb_fhir_eligibility_submit(yb_hreq *r)
{
	const char *visits[YB_VISIT__N], *ctype = NULL, *cvalue = NULL;
	json_t *req = NULL, *items = NULL;
	yb_eligibility e;
	int n = 0;
	yb_err err;

	if (yb_fhir_body(r, "CoverageEligibilityRequest", &req, &err) < 0 ||
	    yb_fhir_cred_decode(req, "CoverageEligibilityRequest", &ctype, &cvalue,
		       &err) < 0 ||
	    parse_visits(req, visits, &n, &err) < 0)
		goto fail;
	items = json_array();
	for (int i = 0; i < n; i++) {
		if (yb_eligibility_check(&r->ctx, ctype, cvalue, visits[i], &e,
					 &err) < 0)
			goto fail;
		if (json_array_append_new(items, elig_item(visits[i], &e)) < 0)
			goto oom;
	}
	yb_fhir_reply(r, MHD_HTTP_OK, render_eligibility(r, &e, items));
	json_decref(req);
	return;
oom:
	yb_errf(&err, "out_of_memory", "out of memory");
fail:
	json_decref(items);
	json_decref(req);
	yb_fhir_reply_error(r, &err);
}
