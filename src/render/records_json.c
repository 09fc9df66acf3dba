/*
 * records_json.c — records and proofs as JSON (render.h), the one form
 * both the HTTP API and `yibao --json` answer with (SPEC R2–R4).
 * Masking (Q3) is the caller's choice: the edge knows who is asking.
 */
#include "render/render_int.h"
#include "render/json.h"

#include <stdio.h>
#include <string.h>

#include "core/enums.h"
#include "core/mask.h"

json_t *yb_json_months(const yb_month_span *runs, int n)
{
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++) {
		char f[YB_MONTH_SZ], t[YB_MONTH_SZ];

		if (json_array_append_new(a, json_pack("{s:s, s:s, s:i}",
			"from", yb_month_format(runs[i].first, f, sizeof f),
			"to", yb_month_format(runs[i].last, t, sizeof t),
			"months", runs[i].last - runs[i].first + 1)) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *yb_json_gaps(const yb_gaps *g, const char *explanation)
{
	return json_pack("{s:o, s:s, s:i, s:i, s:i, s:o, s:s}",
		"first_month", yb_jstr_or_null(g->first_month),
		"last_closed_month", g->last_closed,
		"insured_months", g->insured_months,
		"gap_months", g->gap_months,
		"continuity_months", g->continuity_months,
		"gaps", yb_json_months(g->gaps, g->ngaps),
		"explanation", explanation ? explanation : "");
}

static json_t *arrears_item(const yb_arrears_item *it, bool mask)
{
	char name[YB_NAME_SZ], f[YB_MONTH_SZ], t[YB_MONTH_SZ];
	bool any = it->counted.first <= it->counted.last;

	if (mask)
		yb_mask_name(it->name, name, sizeof name);
	else
		snprintf(name, sizeof name, "%s", it->name);
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:i, s:o}",
		"ssn", it->ssn, "name", name,
		"status", yb_status_str(it->status),
		"counted_from", any ? json_string(yb_month_format(
			it->counted.first, f, sizeof f)) : json_null(),
		"counted_to", any ? json_string(yb_month_format(
			it->counted.last, t, sizeof t)) : json_null(),
		"missing_months", it->missing_months,
		"missing", yb_json_months(it->missing, it->nmissing));
}

json_t *yb_json_arrears(const yb_arrears *a, bool mask_names)
{
	json_t *items = json_array();

	for (int i = 0; items && i < a->nitems; i++)
		if (json_array_append_new(items, arrears_item(&a->items[i],
							      mask_names)) < 0) {
			json_decref(items);
			items = NULL;
		}
	return json_pack("{s:o, s:o, s:s, s:s, s:i, s:i, s:I, s:o}",
		"employer_code", yb_jstr_or_null(a->employer_code),
		"employer_name", yb_jstr_or_null(a->employer_name),
		"from", a->from, "to", a->to, "employees", a->employees,
		"employees_in_arrears", a->employees_in_arrears,
		"missing_months", (json_int_t)a->missing_months,
		"items", items);
}

json_t *yb_json_employers_arrears(const yb_employer_arrears *list, int n,
				  const char *from, const char *to)
{
	json_t *items = json_array();

	for (int i = 0; items && i < n; i++)
		if (json_array_append_new(items, json_pack(
			"{s:s, s:s, s:i, s:i, s:I}",
			"employer_code", list[i].employer_code,
			"employer_name", list[i].employer_name,
			"employees", list[i].employees,
			"employees_in_arrears", list[i].employees_in_arrears,
			"missing_months",
			(json_int_t)list[i].missing_months)) < 0) {
			json_decref(items);
			items = NULL;
		}
	return json_pack("{s:s, s:s, s:o}", "from", from, "to", to, "items",
			 items);
}

/* ---- R2 ------------------------------------------------------------------- */

/* What the proof stated; `masked` for the public verification. */
static json_t *stated_json(const yb_proof_facts *f, bool masked)
{
	char name[YB_NAME_SZ], ssn[YB_SSN_SZ];

	if (masked) {
		yb_mask_name(f->name, name, sizeof name);
		yb_mask_ssn(f->ssn, ssn, sizeof ssn);
	} else {
		snprintf(name, sizeof name, "%s", f->name);
		snprintf(ssn, sizeof ssn, "%s", f->ssn);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, "
			 "s:i, s:i, s:i, s:o}",
		"name", name, "id_number", f->id_number, "ssn", ssn,
		"scheme", yb_scheme_str(f->scheme),
		"status", yb_status_str(f->status), "region", f->region,
		"agency", f->agency, "as_of", f->as_of,
		"first_month", yb_jstr_or_null(f->first_month),
		"total_months", f->total_months,
		"continuity_months", f->continuity_months,
		"gap_months", f->gap_months, "years", yb_proof_years_json(f));
}

json_t *yb_json_proof(const yb_proof_view *v)
{
	char pdf[96];

	snprintf(pdf, sizeof pdf, "/api/v1/proofs/%s/pdf", v->record.code);
	return json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o}",
		"code", v->record.code,
		"verdict", yb_proof_verdict_str(v->verdict),
		"issued_at", yb_jtime(v->record.issued_at),
		"verify_url", v->verify_url, "pdf_url", pdf,
		"revoked_at", yb_jtime(v->record.revoked_at),
		"revoke_reason", v->record.revoked_at
			? json_string(v->record.revoke_reason) : json_null(),
		"stated", stated_json(&v->facts, false));
}

json_t *yb_json_proof_item(const yb_viewer *v, const void *item)
{
	const yb_proof *x = item;

	(void)v;
	return json_pack("{s:s, s:o, s:o, s:o}", "code", x->code,
		"issued_at", yb_jtime(x->issued_at),
		"revoked_at", yb_jtime(x->revoked_at),
		"revoke_reason", x->revoked_at ? json_string(x->revoke_reason)
					       : json_null());
}

json_t *yb_json_verify(const char *code, const yb_proof_view *v)
{
	bool kept = v->verdict == YB_PROOF_GENUINE ||
		    v->verdict == YB_PROOF_REVOKED;

	return json_pack("{s:s, s:b, s:s, s:o, s:o, s:o, s:o}",
		"code", code, "genuine", v->verdict == YB_PROOF_GENUINE,
		"verdict", yb_proof_verdict_str(v->verdict),
		"issued_at", kept ? yb_jtime(v->record.issued_at) : json_null(),
		"revoked_at", kept ? yb_jtime(v->record.revoked_at) : json_null(),
		"revoke_reason", v->verdict == YB_PROOF_REVOKED
			? json_string(v->record.revoke_reason) : json_null(),
		"stated", kept ? stated_json(&v->facts, true) : json_null());
}
