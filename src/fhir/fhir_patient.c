/*
 * fhir_patient.c — the insured person as FHIR Patient, his insurance as
 * Coverage (payor: the agency's Organization), his personal account as
 * Account (balance in the account-balance extension).  One service call
 * each: yb_person_self for a person (himself only), yb_person_get for the
 * agency's staff — the JSON API's reads, with its roles (X1) — and
 * yb_person_seen for an employer's or an institution's Patient.
 *
 * Q3: another person's ID number and name are masked; the birth date,
 * which the masked digits of the ID number hide, is left out too.
 */
#include <string.h>
#include <strings.h>

#include "core/enums.h"
#include "core/mask.h"
#include "fhir/fhir.h"
#include "fhir/fhir_int.h"
#include "http/httpd.h"
#include "service/person.h"

/* An SSN (U3) is the logical id of a person's Patient, Coverage and
 * Account: 7-12 digits; anything else names nobody. */
static bool ssn_like(const char *s)
{
	size_t n = strlen(s);
	return n >= 7 && n <= 12 && strspn(s, "0123456789") == n;
}

/*
 * The person `key` names (SSN, or an ID number), as the caller may see
 * him: a person only himself (another is auth.forbidden), the agency's
 * staff anyone, an employer its staff and an institution its patients
 * (yb_person_seen: the Patient alone, masked; the routes of Coverage and
 * Account do not admit them); other roles are refused by the service.
 */
static int person_of(yb_hreq *r, const char *key, yb_person_view *pv,
		     yb_err *err)
{
	if (r->ctx.actor.role == YB_ROLE_EMPLOYER ||
	    r->ctx.actor.role == YB_ROLE_INSTITUTION) {
		memset(pv, 0, sizeof *pv);
		return yb_person_seen(&r->ctx, key, &pv->person, err);
	}
	if (r->ctx.actor.role == YB_ROLE_PERSON) {
		if (yb_person_self(&r->ctx, pv, err) < 0)
			return -1;
		if (strcmp(key, pv->person.ssn) != 0 &&
		    strcasecmp(key, pv->person.id_number) != 0)
			return yb_errf(err, "auth.forbidden",
				       "a person sees only his own records");
		return 0;
	}
	return yb_person_get(&r->ctx, key, pv, err);
}

static json_t *render_patient(const yb_hreq *r, const yb_person *p)
{
	bool full = yb_req_may_unmask(r, p->id);
	char idbuf[YB_IDNUM_SZ], namebuf[YB_NAME_SZ];
	json_t *o = json_pack(
		"{s:s, s:s, s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}], s:b,"
		" s:[{s:s}], s:s, s:o}",
		"resourceType", "Patient", "id", p->ssn, "identifier",
		"use", "official", "system", YB_FHIR_SID_SSN, "value", p->ssn,
		"use", "official", "system", YB_FHIR_SID_IDNUM, "value",
		full ? p->id_number
		     : yb_mask_id_number(p->id_number, idbuf, sizeof idbuf),
		"active", p->status != YB_STATUS_TERMINATED, "name", "text",
		full ? p->name : yb_mask_name(p->name, namebuf, sizeof namebuf),
		"gender", p->sex == YB_SEX_MALE ? "male" : "female",
		"managingOrganization",
		yb_fhir_ref("Organization", YB_FHIR_AGENCY_ID));

	if (o && full && yb_fhir_set(o, "birthDate",
				     yb_fhir_date(p->birth_date)) < 0)
		goto fail;
	if (o && p->term_reason == YB_TERM_DECEASED &&
	    yb_fhir_set(o, "deceasedBoolean", json_true()) < 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *render_coverage(const yb_person *p)
{
	json_t *o = json_pack(
		"{s:s, s:s, s:[{s:s, s:s}], s:s, s:o, s:o, s:s, s:o, s:o,"
		" s:{s:o}, s:[o]}",
		"resourceType", "Coverage", "id", p->ssn, "extension", "url",
		YB_FHIR_EXT_STATUS, "valueCode", yb_status_str(p->status),
		"status", yb_fhir_coverage_status(p->status), "type",
		yb_fhir_cc(YB_FHIR_CS_SCHEME, yb_scheme_str(p->scheme),
			   yb_fhir_scheme_display(p->scheme)),
		"subscriber", yb_fhir_ref("Patient", p->ssn), "subscriberId",
		p->ssn, "beneficiary", yb_fhir_ref("Patient", p->ssn),
		"relationship",
		yb_fhir_cc("http://terminology.hl7.org/CodeSystem/"
			   "subscriber-relationship", "self", "Self"),
		"period", "start", yb_fhir_date_of(p->created_at), "payor",
		yb_fhir_ref("Organization", YB_FHIR_AGENCY_ID));

	/* A terminated insurance ended when the person was terminated. */
	if (o && p->status == YB_STATUS_TERMINATED &&
	    yb_fhir_set(json_object_get(o, "period"), "end",
			yb_fhir_date_of(p->updated_at)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *render_account(const yb_person *p, const yb_account *a)
{
	return json_pack(
		"{s:s, s:s, s:[{s:s, s:o}], s:[o], s:s, s:o, s:s, s:[o], s:o,"
		" s:s}",
		"resourceType", "Account", "id", p->ssn, "extension", "url",
		YB_FHIR_EXT_BALANCE, "valueMoney", yb_fhir_money(a->balance_fen),
		"identifier", yb_fhir_ident(YB_FHIR_SID_SSN, p->ssn), "status",
		a->closed ? "inactive" : "active", "type",
		yb_fhir_cc(YB_FHIR_CS_ACCOUNT, "personal",
			   "personal medical account (个人账户)"),
		"name", "个人账户", "subject", yb_fhir_ref("Patient", p->ssn),
		"owner", yb_fhir_ref("Organization", YB_FHIR_AGENCY_ID),
		"description", "balance as of now: see the account-balance "
		"extension (docs/FHIR.md)");
}

typedef json_t *render_fn(const yb_hreq *r, const yb_person_view *pv,
			  yb_err *err);

static json_t *as_patient(const yb_hreq *r, const yb_person_view *pv,
			  yb_err *err)
{
	(void)err;
	return render_patient(r, &pv->person);
}

static json_t *as_coverage(const yb_hreq *r, const yb_person_view *pv,
			   yb_err *err)
{
	(void)r;
	(void)err;
	return render_coverage(&pv->person);
}

static json_t *as_account(const yb_hreq *r, const yb_person_view *pv,
			  yb_err *err)
{
	(void)r;
	if (!pv->has_account) {
		yb_errf(err, "request.not_found",
			"this person has no personal account (P2)");
		return NULL;
	}
	return render_account(&pv->person, &pv->account);
}

/* GET /fhir/R4/<Type>/{ssn} */
static void read_one(yb_hreq *r, render_fn *render)
{
	const char *id = yb_req_param(r, 0);
	yb_person_view pv;
	json_t *res;
	yb_err err;

	if (!ssn_like(id)) {
		yb_errf(&err, "person.not_found", "no such person");
		goto fail;
	}
	if (person_of(r, id, &pv, &err) < 0)
		goto fail;
	res = render(r, &pv, &err);
	if (!res) {
		if (!err.code)
			yb_errf(&err, "out_of_memory", "out of memory");
		goto fail;
	}
	yb_fhir_reply(r, MHD_HTTP_OK, res);
	return;
fail:
	yb_fhir_reply_error(r, &err);
}

/*
 * A search that names one person (by `key`, or NULL: a person himself):
 * a Bundle of that one resource, or an empty one when there is nobody
 * (or nobody the caller may see).  `keep` filters (status=...).
 */
static void search_one(yb_hreq *r, const char *key, render_fn *render,
		       bool (*keep)(const yb_hreq *, const yb_person *))
{
	json_t *list, *res;
	yb_person_view pv;
	yb_err err;
	int rc;

	yb_err_clear(&err);
	if (!key && r->ctx.actor.role != YB_ROLE_PERSON) {
		yb_errf(&err, "request.missing_field",
			"this search needs a parameter that names the person "
			"(docs/FHIR.md)");
		yb_fhir_reply_error(r, &err);
		return;
	}
	if (!key)
		rc = yb_person_self(&r->ctx, &pv, &err);
	else if (!*key || !(ssn_like(key) || strlen(key) == 18))
		rc = 1;                  /* names nobody: no match */
	else
		rc = person_of(r, key, &pv, &err);
	/* Nobody, or nobody the caller may see, is an empty result. */
	if (rc < 0 && err.kind != YB_ENOTFOUND && err.kind != YB_EFORBIDDEN) {
		yb_fhir_reply_error(r, &err);
		return;
	}
	if (rc < 0 && err.kind == YB_EFORBIDDEN &&
	    r->ctx.actor.role != YB_ROLE_PERSON) {
		yb_fhir_reply_error(r, &err);
		return;
	}
	list = json_array();
	if (rc == 0 && (!keep || keep(r, &pv.person))) {
		res = render(r, &pv, &err);
		if (res)
			json_array_append_new(list, res);
	}
	yb_fhir_reply_bundle(r, list);
}

void yb_fhir_patient_read(yb_hreq *r)
{
	read_one(r, as_patient);
}

/* identifier=[system|]value with system SSN or ID number. */
void yb_fhir_patient_search(yb_hreq *r)
{
	const char *q = yb_req_query(r, "identifier");
	const char *bar = q ? strchr(q, '|') : NULL;
	const char *key = q;
	yb_err err;

	if (bar) {
		size_t n = (size_t)(bar - q);
		bool ssn = n == strlen(YB_FHIR_SID_SSN) &&
			   strncmp(q, YB_FHIR_SID_SSN, n) == 0;
		bool idn = n == strlen(YB_FHIR_SID_IDNUM) &&
			   strncmp(q, YB_FHIR_SID_IDNUM, n) == 0;
		key = bar + 1;
		if ((!ssn && !idn && n > 0) || (ssn && !ssn_like(key)) ||
		    (idn && strlen(key) != 18)) {
			yb_errf(&err, "request.invalid_field",
				"identifier: the system must be %s or %s, with "
				"a value of that kind", YB_FHIR_SID_SSN,
				YB_FHIR_SID_IDNUM);
			yb_fhir_reply_error(r, &err);
			return;
		}
	}
	search_one(r, key, as_patient, NULL);
}

void yb_fhir_coverage_read(yb_hreq *r)
{
	read_one(r, as_coverage);
}

static bool status_matches(const yb_hreq *r, const yb_person *p)
{
	const char *want = yb_req_query(r, "status");

	return !want || strcmp(want, yb_fhir_coverage_status(p->status)) == 0;
}

/* beneficiary | subscriber | patient = Patient/{ssn}; status = active |
 * cancelled (R4's other two codes match nothing here; any other value is
 * a bad request). */
void yb_fhir_coverage_search(yb_hreq *r)
{
	static const char *const statuses[] = { "active", "cancelled",
		"draft", "entered-in-error" };
	const char *key = yb_fhir_ref_param(r, "beneficiary", "Patient");
	const char *status = yb_req_query(r, "status");
	bool known = !status;
	yb_err err;

	for (size_t i = 0; !known && i < sizeof statuses / sizeof *statuses;
	     i++)
		known = strcmp(status, statuses[i]) == 0;
	if (!known) {
		yb_fhir_bad(&err, "request.invalid_field", "Coverage", "status",
			    "the search parameter is active, cancelled, draft "
			    "or entered-in-error");
		yb_fhir_reply_error(r, &err);
		return;
	}

	if (!key)
		key = yb_fhir_ref_param(r, "subscriber", "Patient");
	if (!key)
		key = yb_fhir_ref_param(r, "patient", "Patient");
	search_one(r, key, as_coverage, status_matches);
}

void yb_fhir_account_read(yb_hreq *r)
{
	read_one(r, as_account);
}

/* subject | patient = Patient/{ssn} */
void yb_fhir_account_search(yb_hreq *r)
{
	const char *key = yb_fhir_ref_param(r, "subject", "Patient");

	if (!key)
		key = yb_fhir_ref_param(r, "patient", "Patient");
	search_one(r, key, as_account, NULL);
}

/* Organization/agency: the insurer, payor of every Coverage. */
void yb_fhir_organization_read(yb_hreq *r)
{
	char name[96];
	yb_err err;

	if (strcmp(yb_req_param(r, 0), YB_FHIR_AGENCY_ID) != 0) {
		yb_errf(&err, "request.not_found",
			"the only Organization served is Organization/%s",
			YB_FHIR_AGENCY_ID);
		yb_fhir_reply_error(r, &err);
		return;
	}
	snprintf(name, sizeof name, "医疗保障局 (medical insurance agency, "
		 "region %s)", r->ctx.settings->region);
	yb_fhir_reply(r, MHD_HTTP_OK, json_pack(
		"{s:s, s:s, s:[o], s:b, s:[o], s:s}", "resourceType",
		"Organization", "id", YB_FHIR_AGENCY_ID, "identifier",
		yb_fhir_ident(YB_FHIR_SID_REGION, r->ctx.settings->region),
		"active", 1, "type",
		yb_fhir_cc("http://terminology.hl7.org/CodeSystem/"
			   "organization-type", "ins", "Insurance Company"),
		"name", name));
}
