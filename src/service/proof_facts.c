/*
 * proof_facts.c — SPEC R2: what a proof of insurance states, worked out
 * from a person's records, and its JSON form — the text the agency signs
 * and keeps, and reads back to show what a proof said.
 *
 * The JSON is written once, at issue, and from then on only read: the
 * signature covers those exact bytes, so nothing here has to produce the
 * same text twice (no canonical form is needed).
 */
#include "service/records_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/enums.h"
#include "core/mask.h"

int yb_proof_facts_build(yb_ctx *ctx, const yb_person *p, const char *code,
			 yb_proof_facts *out, yb_err *err)
{
	yb_rec_history h;
	int now = yb_rec_month_now(ctx);

	memset(out, 0, sizeof *out);
	if (yb_rec_history_load(ctx, p->id, now, &h, err) < 0)
		return -1;
	snprintf(out->code, sizeof out->code, "%s", code);
	snprintf(out->name, sizeof out->name, "%s", p->name);
	yb_mask_id_number(p->id_number, out->id_number,
			  sizeof out->id_number);
	snprintf(out->ssn, sizeof out->ssn, "%s", p->ssn);
	out->scheme = p->scheme;
	out->status = p->status;
	snprintf(out->region, sizeof out->region, "%s", p->region);
	snprintf(out->agency, sizeof out->agency, "%s",
		 ctx->settings->agency_name);
	out->issued_at = yb_ctx_now(ctx);
	yb_month_format(now, out->as_of, sizeof out->as_of);
	if (h.ncover > 0 && h.cover[0].first <= now) {
		yb_month_format(h.cover[0].first, out->first_month,
				sizeof out->first_month);
		out->total_months = yb_months_covered(h.cover, h.ncover,
						      h.cover[0].first, now);
		yb_months_missing(h.cover, h.ncover, h.cover[0].first,
				  now - 1, NULL, 0, &out->gap_months);
	}
	out->continuity_months = yb_months_continuity(h.cover, h.ncover, now);
	out->nyears = h.nyears;
	memcpy(out->years, h.years, sizeof h.years[0] * (size_t)h.nyears);
	yb_rec_history_release(&h);
	return 0;
}

json_t *yb_proof_years_json(const yb_proof_facts *f)
{
	json_t *a = json_array();

	for (int i = 0; a && i < f->nyears; i++) {
		const yb_year_summary *y = &f->years[i];

		if (json_array_append_new(a, json_pack(
			"{s:i, s:i, s:I, s:I, s:I, s:I}", "year", y->year,
			"months", y->months, "base_fen", (json_int_t)y->base_fen,
			"employer_fen", (json_int_t)y->employer_fen,
			"personal_fen", (json_int_t)y->personal_fen,
			"account_credit_fen",
			(json_int_t)y->account_credit_fen)) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

char *yb_proof_facts_encode(const yb_proof_facts *f)
{
	char at[32];
	json_t *o = json_pack(
		"{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
		"s:i, s:i, s:i, s:o*}",
		"v", 1, "code", f->code, "name", f->name,
		"id_number", f->id_number, "ssn", f->ssn,
		"scheme", yb_scheme_str(f->scheme),
		"status", yb_status_str(f->status), "region", f->region,
		"agency", f->agency,
		"issued_at", yb_time_format(f->issued_at, at, sizeof at),
		"as_of", f->as_of, "first_month", f->first_month,
		"total_months", f->total_months,
		"continuity_months", f->continuity_months,
		"gap_months", f->gap_months, "years", yb_proof_years_json(f));
	char *text;

	if (!o)
		return NULL;
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

static void copy_str(char *dst, size_t size, const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	snprintf(dst, size, "%s", v ? v : "");
}

static int int_of(const json_t *o, const char *k)
{
	return (int)json_integer_value(json_object_get(o, k));
}

static int64_t fen_of(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

static void years_decode(const json_t *a, yb_proof_facts *f)
{
	size_t i;
	json_t *y;

	json_array_foreach(a, i, y) {
		yb_year_summary *s;

		if (f->nyears == YB_PROOF_YEARS_MAX)
			break;
		s = &f->years[f->nyears++];
		s->year = int_of(y, "year");
		s->months = int_of(y, "months");
		s->base_fen = fen_of(y, "base_fen");
		s->employer_fen = fen_of(y, "employer_fen");
		s->personal_fen = fen_of(y, "personal_fen");
		s->account_credit_fen = fen_of(y, "account_credit_fen");
	}
}

int yb_proof_facts_decode(const char *text, yb_proof_facts *f)
{
	json_t *o = json_loads(text ? text : "", 0, NULL);
	char at[32];
	int rc = -1;

	memset(f, 0, sizeof *f);
	if (!json_is_object(o) || int_of(o, "v") != 1)
		goto out;
	copy_str(f->code, sizeof f->code, o, "code");
	copy_str(f->name, sizeof f->name, o, "name");
	copy_str(f->id_number, sizeof f->id_number, o, "id_number");
	copy_str(f->ssn, sizeof f->ssn, o, "ssn");
	copy_str(f->region, sizeof f->region, o, "region");
	copy_str(f->agency, sizeof f->agency, o, "agency");
	copy_str(f->as_of, sizeof f->as_of, o, "as_of");
	copy_str(f->first_month, sizeof f->first_month, o, "first_month");
	copy_str(at, sizeof at, o, "issued_at");
	if (!yb_scheme_from_str(json_string_value(json_object_get(o, "scheme")),
				&f->scheme) ||
	    !yb_status_from_str(json_string_value(json_object_get(o, "status")),
				&f->status) ||
	    !yb_time_parse(at, &f->issued_at))
		goto out;
	f->total_months = int_of(o, "total_months");
	f->continuity_months = int_of(o, "continuity_months");
	f->gap_months = int_of(o, "gap_months");
	years_decode(json_object_get(o, "years"), f);
	rc = 0;
out:
	json_decref(o);
	return rc;
}
