/*
 * fhir_related.c — family mutual aid bindings (SPEC F1–F8) as FHIR
 * RelatedPerson: the related person is the authorizer, the patient the
 * relative who may pay from the authorizer's account, relationship the
 * HL7 v3 RoleCode of what the authorizer is to the patient (fhir_codes.c
 * inverts the binding's own relationship), active and period the
 * binding's life.
 *
 * Create is yb_bind with one row (F2–F5: the same checks, channels and
 * materials as the JSON API); a row's refusal is answered as an
 * OperationOutcome with its code.  DELETE, or a PATCH setting active to
 * false, is yb_unbind (F6) for the authorizer himself; an update (PUT)
 * with active false is yb_unbind on any channel, with its materials.
 */
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "core/mask.h"
#include "fhir/fhir.h"
#include "fhir/fhir_int.h"
#include "http/httpd.h"
#include "service/binding.h"

#define RP "RelatedPerson"

static json_t *name_for(const yb_hreq *r, yb_id id, const char *name)
{
	char buf[YB_NAME_SZ];

	return json_string(yb_req_may_unmask(r, id)
				   ? name
				   : yb_mask_name(name, buf, sizeof buf));
}

static json_t *render_related(const yb_hreq *r, const yb_binding *b)
{
	const char *code = yb_fhir_role_code(b->relationship);
	char id[24];
	json_t *o;

	snprintf(id, sizeof id, "%lld", (long long)b->id);
	o = json_pack("{s:s, s:s, s:[{s:s, s:s}], s:[o], s:b, s:o, s:[o],"
		      " s:[{s:o}], s:{s:o}}",
		      "resourceType", RP, "id", id, "extension", "url",
		      YB_FHIR_SD "binding-channel", "valueCode",
		      yb_channel_str(b->channel), "identifier",
		      yb_fhir_ident(YB_FHIR_SID_SSN, b->authorizer_ssn),
		      "active", b->ended_at == 0, "patient",
		      yb_fhir_ref("Patient", b->relative_ssn), "relationship",
		      yb_fhir_cc(YB_FHIR_V3_ROLE, code,
				 yb_fhir_role_display(code)),
		      "name", "text",
		      name_for(r, b->authorizer_id, b->authorizer_name),
		      "period", "start", yb_fhir_instant(b->created_at));
	if (o && b->ended_at != 0 &&
	    yb_fhir_set(json_object_get(o, "period"), "end",
			yb_fhir_instant(b->ended_at)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static void reply_related(yb_hreq *r, unsigned status, const yb_binding *b)
{
	char loc[360], base[300];

	yb_fhir_reply(r, status, render_related(r, b));
	if (status == MHD_HTTP_CREATED && r->response) {
		yb_fhir_base(r, base, sizeof base);
		snprintf(loc, sizeof loc, "%s/" RP "/%lld", base,
			 (long long)b->id);
		MHD_add_response_header(r->response, MHD_HTTP_HEADER_LOCATION,
					loc);
	}
}

void yb_fhir_related_read(yb_hreq *r)
{
	yb_binding b;
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, "binding.not_found", &id, &err) < 0 ||
	    yb_binding_get(&r->ctx, id, &b, &err) < 0) {
		yb_fhir_reply_error(r, &err);
		return;
	}
	reply_related(r, MHD_HTTP_OK, &b);
}

/* The bindings of b[] that the active= parameter and, if not NULL, the
 * relative's SSN select. */
static int append_all(const yb_hreq *r, json_t *list, const yb_binding *b,
		      int n, const char *relative_ssn)
{
	const char *active = yb_req_query(r, "active");

	for (int i = 0; i < n; i++) {
		bool on = b[i].ended_at == 0;
		if (active && strcmp(active, on ? "true" : "false") != 0)
			continue;
		if (relative_ssn && strcmp(relative_ssn, b[i].relative_ssn) != 0)
			continue;
		if (json_array_append_new(list, render_related(r, &b[i])) < 0)
			return -1;
	}
	return 0;
}

/* The SSN an identifier parameter names ("[ssn-system|]ssn"); "" when
 * it is of another system (names nobody). */
static const char *ssn_of_identifier(const char *ident)
{
	size_t n = strlen(YB_FHIR_SID_SSN);

	if (!strchr(ident, '|'))
		return ident;
	return strncmp(ident, YB_FHIR_SID_SSN, n) == 0 && ident[n] == '|'
		       ? ident + n + 1 : "";
}

/*
 * patient=Patient/{ssn}: the bindings in which he is the relative (who
 * may pay for him); identifier=[ssn-system|]{ssn}: those in which he is
 * the authorizer (whom he authorized); both: the one between them (FHIR
 * ands the parameters); neither, for a person: both of his own.  Nobody,
 * or nobody the caller may see: an empty Bundle.
 */
void yb_fhir_related_search(yb_hreq *r)
{
	const char *patient = yb_fhir_ref_param(r, "patient", "Patient");
	const char *ident = yb_req_query(r, "identifier");
	const char *active = yb_req_query(r, "active");
	const char *ssn = ident ? ssn_of_identifier(ident) : patient;
	bool as_relative = !ident, as_authorizer = ident || !patient;
	yb_binding *mine = NULL, *theirs = NULL;
	int nmine = 0, ntheirs = 0, rc = 0;
	json_t *list;
	yb_err err;

	if (active && strcmp(active, "true") != 0 &&
	    strcmp(active, "false") != 0) {
		yb_fhir_bad(&err, "request.invalid_field", RP, "active",
			    "the search parameter is true or false");
		yb_fhir_reply_error(r, &err);
		return;
	}
	if (!ssn && r->ctx.actor.role == YB_ROLE_PERSON)
		ssn = yb_req_self_ssn(r);
	if (!ssn) {
		yb_errf(&err, "request.missing_field",
			"search RelatedPerson by patient or identifier");
		yb_fhir_reply_error(r, &err);
		return;
	}
	if (*ssn)
		rc = yb_bindings_of_ssn(&r->ctx, ssn, &mine, &nmine, &theirs,
					&ntheirs, &err);
	if (rc < 0 && err.kind != YB_ENOTFOUND &&
	    !(err.kind == YB_EFORBIDDEN &&
	      r->ctx.actor.role == YB_ROLE_PERSON)) {
		yb_fhir_reply_error(r, &err);
		return;
	}
	list = json_array();
	if (list && rc == 0 &&
	    ((as_relative && append_all(r, list, theirs, ntheirs, NULL) < 0) ||
	     (as_authorizer &&
	      append_all(r, list, mine, nmine, ident ? patient : NULL) < 0))) {
		json_decref(list);
		list = NULL;
	}
	yb_fhir_reply_bundle(r, list);
	free(mine);
	free(theirs);
}

/* The binding-materials extension's sub-extensions (F5), as the API's
 * materials object. */
static int parse_materials(const json_t *rp, yb_bind_materials *m,
			   yb_err *err)
{
	const json_t *ext = yb_fhir_ext(rp, YB_FHIR_EXT_MATERIALS);
	const json_t *e;
	char path[160];

	if (!ext)
		return 0;
	/* The element path of a sub-extension, in FHIRPath. */
#define AT(u) (snprintf(path, sizeof path, RP ".extension('%s')" \
			".extension('%s')", YB_FHIR_EXT_MATERIALS, u), path)
#define STR(u, f) ((e = yb_fhir_ext(ext, u)) && \
	yb_fhir_get_str(e, AT(u), "valueString", true, &m->f, err) < 0)
#define FLAG(u, f) ((e = yb_fhir_ext(ext, u)) && \
	yb_fhir_get_bool(e, AT(u), "valueBoolean", true, &m->f, err) < 0)
	if (STR("authorizer-card-no", authorizer_card_no) ||
	    STR("relative-card-no", relative_card_no) ||
	    STR("relative-id-number", relative_id_number) ||
	    FLAG("id-cards", id_cards) ||
	    FLAG("social-security-cards", social_security_cards) ||
	    FLAG("card-copies", card_copies))
		return -1;
#undef AT
#undef STR
#undef FLAG
	return 0;
}

/* An operator names the authorizer — the RelatedPerson himself — by his
 * SSN and ID number (identifier[]), and presents the materials (F5). */
static int parse_operator(const json_t *rp, yb_bind_req *req, yb_err *err)
{
	const json_t *ids = NULL;

	if (yb_fhir_get_arr(rp, RP, "identifier", true, &ids, err) < 0)
		return -1;
	for (size_t i = 0; i < json_array_size(ids); i++) {
		const json_t *id = json_array_get(ids, i);
		const char *v;
		if ((v = yb_fhir_ident_of(id, YB_FHIR_SID_SSN)))
			req->authorizer_ssn = v;
		if ((v = yb_fhir_ident_of(id, YB_FHIR_SID_IDNUM)))
			req->authorizer_id_number = v;
	}
	if (!req->authorizer_ssn || !req->authorizer_id_number)
		return yb_fhir_bad(err, "request.missing_field", RP,
				   "identifier", "the authorizer's SSN and ID "
				   "number are required (F2, F5)");
	return parse_materials(rp, &req->materials, err);
}

/* The channel a role binds on: the caller's own (F5); a person on the
 * web unless the binding-channel extension says wechat. */
static const char *channel_of(const yb_hreq *r, const json_t *rp)
{
	const json_t *e = yb_fhir_ext(rp, YB_FHIR_SD "binding-channel");
	const char *c = json_string_value(json_object_get(e, "valueCode"));

	switch (r->ctx.actor.role) {
	case YB_ROLE_TERMINAL:        return "terminal";
	case YB_ROLE_HOSPITAL_OFFICE: return "hospital_office";
	case YB_ROLE_AGENCY_WINDOW:   return "agency_window";
	default:                      return c ? c : "web";
	}
}

/* RelatedPerson → one row and the request's operator part. */
static int parse_create(const yb_hreq *r, const json_t *rp, yb_bind_req *req,
			yb_bind_row *row, yb_err *err)
{
	const json_t *pat = NULL, *rels = NULL;
	const char *ref = NULL, *code;
	yb_relationship rel;

	if (yb_fhir_get_obj(rp, RP, "patient", true, &pat, err) < 0 ||
	    yb_fhir_get_str(pat, RP ".patient", "reference", true, &ref,
			    err) < 0 ||
	    yb_fhir_get_arr(rp, RP, "relationship", true, &rels, err) < 0)
		return -1;
	if (strncmp(ref, "Patient/", 8) != 0 || !ref[8])
		return yb_fhir_bad(err, "request.invalid_field",
				   RP ".patient", "reference",
				   "must be Patient/{ssn}");
	row->ssn = ref + 8;
	row->id_number = yb_fhir_ident_of(pat, YB_FHIR_SID_IDNUM);
	if (!row->id_number)
		return yb_fhir_bad(err, "request.missing_field",
				   RP ".patient", "identifier",
				   "the relative's ID number (system %s) is "
				   "required (F2)", YB_FHIR_SID_IDNUM);
	code = yb_fhir_code_of(json_array_get(rels, 0), YB_FHIR_V3_ROLE);
	if (!yb_fhir_role_from_code(code, &rel))
		return yb_fhir_bad(err, "request.invalid_field", RP,
				   "relationship[0]",
				   "must be a v3-RoleCode: SPS, PRN, CHILD, "
				   "SIB, GRPRN or GRNDCHILD");
	row->relationship = yb_relationship_str(rel);
	req->channel = channel_of(r, rp);
	if (r->ctx.actor.role == YB_ROLE_PERSON)
		return 0;
	return parse_operator(rp, req, err);
}

void yb_fhir_related_create(yb_hreq *r)
{
	yb_bind_req req = { 0 };
	yb_bind_row row = { 0 };
	yb_bind_result res;
	json_t *rp = NULL;
	yb_err err;

	if (yb_fhir_body(r, RP, &rp, &err) < 0 ||
	    parse_create(r, rp, &req, &row, &err) < 0)
		goto fail;
	req.nrows = 1;
	req.rows = &row;
	if (yb_bind(&r->ctx, &req, &res, &err) < 0)
		goto fail;
	if (!res.ok) {
		err = res.error;
		goto fail;
	}
	reply_related(r, MHD_HTTP_CREATED, &res.binding);
	json_decref(rp);
	return;
fail:
	json_decref(rp);
	yb_fhir_reply_error(r, &err);
}

/* F6: `who` NULL for the authorizer himself (web), else an operator's
 * or a terminal's request naming him, with its materials. */
static void end_binding(yb_hreq *r, const yb_bind_req *who)
{
	yb_binding b;
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, "binding.not_found", &id, &err) < 0 ||
	    yb_unbind(&r->ctx, id, who, &b, &err) < 0) {
		yb_fhir_reply_error(r, &err);
		return;
	}
	reply_related(r, MHD_HTTP_OK, &b);
}

void yb_fhir_related_delete(yb_hreq *r)
{
	end_binding(r, NULL);
}

/*
 * PUT RelatedPerson/{id}: the update a binding takes is its end — the
 * resource with active false.  This is how a terminal or an operator's
 * desk ends one (F5, F6): the RelatedPerson names the authorizer by
 * identifier[] and carries the binding-materials extension, as on
 * create; for a person the resource needs no more than active false.
 */
void yb_fhir_related_update(yb_hreq *r)
{
	yb_bind_req who = { 0 };
	json_t *rp = NULL;
	bool active = true;
	yb_err err;

	if (yb_fhir_body(r, RP, &rp, &err) < 0 ||
	    yb_fhir_get_bool(rp, RP, "active", true, &active, &err) < 0)
		goto fail;
	if (active) {
		yb_fhir_bad(&err, "request.invalid_field", RP, "active",
			    "the only update a binding takes is its end: "
			    "active false (F6)");
		goto fail;
	}
	if (r->ctx.actor.role != YB_ROLE_PERSON) {
		who.channel = channel_of(r, rp);
		if (parse_operator(rp, &who, &err) < 0)
			goto fail;
	}
	end_binding(r, r->ctx.actor.role == YB_ROLE_PERSON ? NULL : &who);
	json_decref(rp);
	return;
fail:
	json_decref(rp);
	yb_fhir_reply_error(r, &err);
}

/* A JSON Patch whose every operation is a test, or the replace of
 * /active by false: the only change a binding takes is its end (F6). */
static int patch_ends(const json_t *patch, yb_err *err)
{
	bool ends = false;
	size_t i;
	const json_t *op;

	if (!json_is_array(patch) || json_array_size(patch) == 0)
		return yb_errf(err, "request.invalid_field", RP ": the body "
			       "must be a JSON Patch array");
	json_array_foreach(patch, i, op) {
		const char *o = json_string_value(json_object_get(op, "op"));
		const char *p = json_string_value(json_object_get(op, "path"));
		if (o && strcmp(o, "test") == 0)
			continue;
		if (!o || !p || strcmp(o, "replace") != 0 ||
		    strcmp(p, "/active") != 0 ||
		    !json_is_false(json_object_get(op, "value")))
			return yb_errf(err, "request.invalid_field",
				       RP ".active: the only change allowed "
				       "is replace /active with false (F6)");
		ends = true;
	}
	if (!ends)
		return yb_errf(err, "request.invalid_field",
			       RP ".active: the patch changes nothing");
	return 0;
}

void yb_fhir_related_patch(yb_hreq *r)
{
	json_t *patch = NULL;
	yb_err err;

	if (yb_fhir_body(r, NULL, &patch, &err) < 0 ||
	    patch_ends(patch, &err) < 0) {
		json_decref(patch);
		yb_fhir_reply_error(r, &err);
		return;
	}
	json_decref(patch);
	end_binding(r, NULL);
}
