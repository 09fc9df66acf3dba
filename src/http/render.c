/*
 * render.c — the JSON form of the model's records, as API.md fixes them.
 *
 * Q3 lives here: a person object shows the full ID number only to the
 * agency's staff and to the person himself; other people's names (in
 * bindings and family usage) show the surname only.  Times are RFC 3339
 * UTC, dates YYYY-MM-DD, absent ones null; money is integer fen.
 */
#include <stdio.h>
#include <string.h>

#include "core/enums.h"
#include "core/mask.h"
#include "core/family.h"
#include "core/material.h"
#include "http/httpd.h"

json_t *yb_jtime(yb_time t)
{
	char buf[32];
	if (t == 0)
		return json_null();
	return json_string(yb_time_format(t, buf, sizeof buf));
}

json_t *yb_jdate(yb_date d)
{
	char buf[16];
	if (d == 0)
		return json_null();
	return json_string(yb_date_format(d, buf, sizeof buf));
}

json_t *yb_jfen(int64_t fen)
{
	return json_integer((json_int_t)fen);
}

/* Set a member whose value may be NULL (allocation failed): fail then. */
static int set(json_t *obj, const char *name, json_t *v)
{
	return v ? json_object_set_new(obj, name, v) : -1;
}

static json_t *masked_name(const char *name)
{
	char buf[YB_NAME_SZ];
	return json_string(yb_mask_name(name, buf, sizeof buf));
}

json_t *yb_render_person(const yb_hreq *r, const yb_person *p,
			 const yb_account *account)
{
	char idbuf[YB_IDNUM_SZ];
	const char *id = yb_req_may_unmask(r, p->id)
				 ? p->id_number
				 : yb_mask_id_number(p->id_number, idbuf,
						     sizeof idbuf);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s?}",
			      "ssn", p->ssn, "id_number", id, "name", p->name,
			      "sex", yb_sex_str(p->sex), "birth_date",
			      yb_jdate(p->birth_date), "region", p->region,
			      "scheme", yb_scheme_str(p->scheme), "status",
			      yb_status_str(p->status), "employer_code",
			      p->employer_code[0] ? p->employer_code : NULL);
	if (!o)
		return NULL;
	if (p->term_reason != YB_TERM_NONE &&
	    set(o, "termination_reason",
		json_string(yb_term_reason_str(p->term_reason))) < 0)
		goto fail;
	if (set(o, "account",
		account ? json_pack("{s:I, s:b}", "balance_fen",
				    (json_int_t)account->balance_fen,
				    "closed", account->closed)
			: json_null()) < 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

json_t *yb_render_card(const yb_card *c)
{
	return json_pack("{s:s, s:s, s:b}", "card_no", c->card_no, "state",
			 yb_card_state_str(c->state), "activated", c->activated);
}

/* Q3 masks the names of others: a person sees his own name in full, and
 * so does the agency's staff. */
static json_t *name_for(const yb_hreq *r, yb_id person_id, const char *name)
{
	return yb_req_may_unmask(r, person_id) ? json_string(name)
					       : masked_name(name);
}

/* E2: a binding's monthly cap and its use this month (null: no cap). */
static json_t *cap_fields(json_t *o, const yb_binding *b)
{
	if (o && (set(o, "monthly_cap_fen",
		      b->has_cap ? yb_jfen(b->cap_fen) : json_null()) < 0 ||
		  set(o, "cap_used_this_month_fen",
		      b->has_cap ? yb_jfen(b->cap_used_fen) : json_null()) < 0 ||
		  set(o, "cap_left_fen",
		      b->has_cap ? yb_jfen(yb_cap_left(b->cap_fen,
						       b->cap_used_fen))
				 : json_null()) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *yb_render_binding(const yb_hreq *r, const yb_binding *b)
{
	return cap_fields(json_pack(
			 "{s:I, s:s, s:o, s:s, s:o, s:s, s:s, s:o, s:o}",
			 "binding_id", (json_int_t)b->id,
			 "authorizer_ssn", b->authorizer_ssn,
			 "authorizer_name",
			 name_for(r, b->authorizer_id, b->authorizer_name),
			 "relative_ssn", b->relative_ssn,
			 "relative_name",
			 name_for(r, b->relative_id, b->relative_name),
			 "relationship", yb_relationship_str(b->relationship),
			 "channel", yb_channel_str(b->channel),
			 "created_at", yb_jtime(b->created_at),
			 "ended_at", yb_jtime(b->ended_at)), b);
}

static json_t *render_shares(const yb_share *sh, int n)
{
	json_t *arr = json_array();

	for (int i = 0; arr && i < n; i++) {
		json_t *o = json_pack("{s:s, s:s, s:I}", "payer_ssn",
				      sh[i].payer_ssn, "relationship",
				      yb_relationship_str(sh[i].relationship),
				      "amount_fen", (json_int_t)sh[i].amount_fen);
		if (!o || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* E2: the caps that cut a share of this settlement. */
static json_t *render_cap_cuts(const yb_settlement *s)
{
	json_t *arr = json_array();

	for (int i = 0; arr && i < s->ncap_cuts; i++) {
		const yb_cap_cut *c = &s->cap_cuts[i];
		json_t *o = json_pack("{s:I, s:s, s:I}", "binding_id",
				      (json_int_t)c->binding_id, "payer_ssn",
				      c->payer_ssn, "cut_fen",
				      (json_int_t)c->cut_fen);
		if (!o || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

json_t *yb_render_settlement(const yb_settlement *s)
{
	bool preview = s->state == YB_SETTLE_PREVIEW;
	json_t *o = json_pack(
		"{s:o, s:s, s:s, s:{s:s, s:s}, s:s, s:I, s:I, s:I, s:I, s:o,"
		" s:s, s:o}",
		"settlement_id",
		preview || s->id == 0 ? json_null()
				      : json_integer((json_int_t)s->id),
		"txn_id", s->txn_id, "institution_code", s->institution_code,
		"patient", "ssn", s->patient_ssn, "name", s->patient_name,
		"visit_type", yb_visit_type_str(s->visit_type),
		"total_fen", (json_int_t)s->total_fen,
		"fund_pay_fen", (json_int_t)s->fund_pay_fen,
		"account_pay_fen", (json_int_t)s->account_pay_fen,
		"cash_pay_fen", (json_int_t)s->cash_pay_fen,
		"shares", render_shares(s->shares, s->nshares),
		"state", yb_settle_state_str(s->state),
		"settled_at", preview ? json_null() : yb_jtime(s->settled_at));
	if (o && set(o, "cap_cuts", render_cap_cuts(s)) < 0) { /* E2 */
		json_decref(o);
		return NULL;
	}
	if (o && s->state == YB_SETTLE_REVOKED &&
	    set(o, "revoked_at", yb_jtime(s->revoked_at)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *yb_render_settlement_item(const yb_hreq *r, const void *item)
{
	(void)r;
	return yb_render_settlement(item);
}

json_t *yb_render_offline(const yb_offline *o)
{
	return json_pack(
		"{s:I, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:I, s:I, s:o, s:o,"
		" s:o, s:o, s:o}",
		"offline_id", (json_int_t)o->id, "state",
		yb_offline_state_str(o->state), "txn_id", o->txn_id,
		"institution_code", o->institution_code, "patient", "ssn",
		o->patient_ssn, "name", o->patient_name, "visit_type",
		yb_visit_type_str(o->visit_type), "total_fen",
		(json_int_t)o->total_fen, "fund_pay_fen",
		(json_int_t)o->fund_pay_fen, "occurred_at",
		yb_jtime(o->occurred_at), "recorded_at", yb_jtime(o->recorded_at),
		"settlement_id",
		o->settlement_id ? json_integer((json_int_t)o->settlement_id)
				 : json_null(),
		"refund_to_patient_fen",
		o->state == YB_OFFLINE_RESETTLED ? yb_jfen(o->refund_fen)
						 : json_null(),
		"resettled_at", yb_jtime(o->resettled_at));
}

json_t *yb_render_contribution(const yb_hreq *r, const void *item)
{
	const yb_contribution *c = item;

	json_t *o;

	o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o}",
			 "contribution_id", (json_int_t)c->id, "ssn", c->ssn,
			 "period", c->period, "employer_code", c->employer_code,
			 "base_fen", (json_int_t)c->base_fen, "employer_fen",
			 (json_int_t)c->employer_fen, "personal_fen",
			 (json_int_t)c->personal_fen, "account_credit_fen",
			 (json_int_t)c->account_credit_fen, "created_at",
			 yb_jtime(c->created_at));
	/* family: E1 — "paid from X's personal account" (X masked, Q3) */
	if (o && set(o, "paid_by",
		     c->paid_by_ssn[0]
			     ? json_pack("{s:s, s:o}", "ssn", c->paid_by_ssn,
					 "name", masked_name(c->paid_by_name))
			     : json_null()) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* family: E1 — a premium paid for a relative, as its payer sees it. */
json_t *yb_render_premium(const yb_hreq *r, const void *item)
{
	const yb_premium *p = item;
	json_t *o = json_pack(
		"{s:I, s:s, s:o, s:i, s:I, s:s, s:I, s:I, s:o, s:s, s:s, s:o}",
		"premium_id", (json_int_t)p->id, "relative_ssn", p->relative_ssn,
		"relative_name", name_for(r, p->relative_id, p->relative_name),
		"year", p->year, "amount_fen", (json_int_t)p->amount_fen,
		"client_request_id", p->client_request_id, "ledger_txn_id",
		(json_int_t)p->ledger_txn_id, "contribution_id",
		(json_int_t)p->contribution_id, "paid_at",
		yb_jtime(p->created_at), "relationship",
		yb_relationship_str(p->relationship), "channel",
		yb_channel_str(p->channel), "binding_id",
		p->binding_id ? json_integer((json_int_t)p->binding_id)
			      : json_null());

	/* at a desk: the payer as the operator knew him */
	if (o && p->operator_id[0] &&
	    set(o, "payer", json_pack("{s:s, s:o}", "ssn", p->payer_ssn, "name",
				      name_for(r, p->payer_id,
					       p->payer_name))) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* family: E4 — a scan's record; its bytes are at `href`. */
json_t *yb_render_material(const yb_material *m)
{
	char href[64];

	snprintf(href, sizeof href, "/api/v1/materials/%lld", (long long)m->id);
	return json_pack("{s:I, s:s, s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:o,"
			 " s:s}",
			 "material_id", (json_int_t)m->id, "target",
			 yb_material_target_str(m->target), "target_id",
			 (json_int_t)m->target_id, "kind", m->kind,
			 "content_type", m->content_type, "size_bytes",
			 (json_int_t)m->size_bytes, "sha256", m->sha256,
			 "channel", yb_channel_str(m->channel), "operator",
			 m->operator_id, "uploaded_at", yb_jtime(m->created_at),
			 "href", href);
}

json_t *yb_render_ledger_line(const yb_hreq *r, const void *item)
{
	const yb_ledger_line *l = item;

	(void)r;
	return json_pack("{s:I, s:I, s:s, s:s, s:I, s:I, s:o}", "entry_id",
			 (json_int_t)l->entry_id, "txn_id", (json_int_t)l->txn_id,
			 "kind", l->kind, "ref", l->ref, "amount_fen",
			 (json_int_t)l->amount_fen, "balance_after_fen",
			 (json_int_t)l->balance_after_fen, "at", yb_jtime(l->at));
}

json_t *yb_render_usage(const yb_hreq *r, const void *item)
{
	const yb_usage *u = item;

	(void)r;
	return json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:I, s:s, s:o,"
			 " s:I}",
			 "settlement_id", (json_int_t)u->settlement_id,
			 "relative_ssn", u->relative_ssn, "relative_name",
			 masked_name(u->relative_name), "relationship",
			 yb_relationship_str(u->relationship),
			 "institution_code", u->institution_code,
			 "institution_name", u->institution_name, "visit_type",
			 yb_visit_type_str(u->visit_type), "amount_fen",
			 (json_int_t)u->amount_fen, "state",
			 yb_settle_state_str(u->state), "at", yb_jtime(u->at),
			 /* E2: what the monthly cap held back (0: nothing) */
			 "cap_cut_fen", (json_int_t)u->cap_cut_fen);
}

json_t *yb_render_audit(const yb_hreq *r, const void *item)
{
	const yb_audit_record *a = item;

	(void)r;
	return json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "seq", (json_int_t)a->seq, "at", yb_jtime(a->at),
			 "actor", a->actor, "role", yb_role_str(a->role),
			 "channel", yb_channel_str(a->channel), "action",
			 a->action, "target", a->target, "result", a->result,
			 "hash", a->hash);
}

json_t *yb_render_institution(const yb_institution *i)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "code", i->code, "name",
			 i->name, "type", yb_inst_type_str(i->type),
			 "created_at", yb_jtime(i->created_at));
}

json_t *yb_render_employer(const yb_employer *e)
{
	return json_pack("{s:s, s:s, s:o}", "code", e->code, "name", e->name,
			 "created_at", yb_jtime(e->created_at));
}
