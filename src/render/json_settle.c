/*
 * json_settle.c — family mutual aid and settlement as JSON (json.h):
 * bindings with their caps (F, E2), premiums (E1), settlements and their
 * shares (S), offline records and their re-settlement (S6), family usage
 * (F7).  Names of other persons are masked unless the viewer may see
 * them (Q3).
 */
#include "render/json.h"

#include "core/enums.h"
#include "core/family.h"
#include "core/mask.h"

static json_t *masked_name(const char *name)
{
	char buf[YB_NAME_SZ];

	return json_string(yb_mask_name(name, buf, sizeof buf));
}

/* Q3: a person's own name, or any name to the agency's staff, in full;
 * else the surname only. */
static json_t *name_for(const yb_viewer *v, yb_id person_id,
			const char *name)
{
	return yb_viewer_may_unmask(v, person_id) ? json_string(name)
						  : masked_name(name);
}

/* E2: a binding's monthly cap and its use this month (null: no cap). */
static json_t *cap_fields(json_t *o, const yb_binding *b)
{
	o = yb_json_set(o, "monthly_cap_fen",
		 b->has_cap ? yb_jfen(b->cap_fen) : json_null());
	o = yb_json_set(o, "cap_used_this_month_fen",
		 b->has_cap ? yb_jfen(b->cap_used_fen) : json_null());
	return yb_json_set(o, "cap_left_fen",
		    b->has_cap ? yb_jfen(yb_cap_left(b->cap_fen,
						     b->cap_used_fen))
			       : json_null());
}

json_t *yb_json_binding(const yb_viewer *v, const yb_binding *b)
{
	return cap_fields(json_pack(
			 "{s:I, s:s, s:o, s:s, s:o, s:s, s:s, s:o, s:o}",
			 "binding_id", (json_int_t)b->id,
			 "authorizer_ssn", b->authorizer_ssn,
			 "authorizer_name",
			 name_for(v, b->authorizer_id, b->authorizer_name),
			 "relative_ssn", b->relative_ssn,
			 "relative_name",
			 name_for(v, b->relative_id, b->relative_name),
			 "relationship", yb_relationship_str(b->relationship),
			 "channel", yb_channel_str(b->channel),
			 "created_at", yb_jtime(b->created_at),
			 "ended_at", yb_jtime(b->ended_at)), b);
}

json_t *yb_json_bindings_of(const yb_viewer *v, const yb_binding *mine,
			    int nmine, const yb_binding *theirs, int ntheirs)
{
	return json_pack("{s:o, s:o}", "authorized",
			 yb_json_array(v, mine, sizeof *mine, nmine,
				       yb_json_binding_item),
			 "authorized_by",
			 yb_json_array(v, theirs, sizeof *theirs, ntheirs,
				       yb_json_binding_item));
}

static json_t *bind_error(const yb_err *e)
{
	return json_pack("{s:s, s:s}", "code", e->code ? e->code : "internal",
			 "message", e->message);
}

json_t *yb_json_bind_results(const yb_viewer *v, const yb_bind_result *res,
			     int n)
{
	json_t *arr = json_array();

	for (int i = 0; arr && i < n; i++) {
		const yb_bind_result *r = &res[i];
		json_t *o = json_pack("{s:i, s:b, s:o}", "index", i, "ok", r->ok,
				      r->ok ? "binding" : "error",
				      r->ok ? yb_json_binding(v, &r->binding)
					    : bind_error(&r->error));
		if (!o || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return json_pack("{s:o}", "results", arr);
}

/* family: E1 — a premium paid for a relative, as its payer sees it. */
json_t *yb_json_premium(const yb_viewer *v, const yb_premium *p)
{
	json_t *o = json_pack(
		"{s:I, s:s, s:o, s:i, s:I, s:s, s:I, s:I, s:o, s:s, s:s, s:o}",
		"premium_id", (json_int_t)p->id, "relative_ssn", p->relative_ssn,
		"relative_name", name_for(v, p->relative_id, p->relative_name),
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
	if (o && p->operator_id[0])
		o = yb_json_set(o, "payer",
			 json_pack("{s:s, s:o}", "ssn", p->payer_ssn, "name",
				   name_for(v, p->payer_id, p->payer_name)));
	return o;
}

static json_t *share_item(const yb_viewer *v, const void *item)
{
	const yb_share *sh = item;

	(void)v;
	return json_pack("{s:s, s:s, s:I}", "payer_ssn", sh->payer_ssn,
			 "relationship", yb_relationship_str(sh->relationship),
			 "amount_fen", (json_int_t)sh->amount_fen);
}

/* E2: a cap that cut a share of the settlement. */
static json_t *cap_cut_item(const yb_viewer *v, const void *item)
{
	const yb_cap_cut *c = item;

	(void)v;
	return json_pack("{s:I, s:s, s:I}", "binding_id",
			 (json_int_t)c->binding_id, "payer_ssn", c->payer_ssn,
			 "cut_fen", (json_int_t)c->cut_fen);
}

json_t *yb_json_settlement(const yb_settlement *s)
{
	/* a preview is no settlement yet: no id, no time */
	bool preview = s->state == YB_SETTLE_PREVIEW;
	json_t *o = json_pack(
		"{s:o, s:s, s:s, s:{s:s, s:s}, s:s, s:I, s:I, s:I, s:I, s:o,"
		" s:s, s:o, s:o}",
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
		"shares", yb_json_array(NULL, s->shares, sizeof s->shares[0],
					s->nshares, share_item),
		"state", yb_settle_state_str(s->state),
		"settled_at", preview ? json_null() : yb_jtime(s->settled_at),
		"cap_cuts", yb_json_array(NULL, s->cap_cuts,
					  sizeof s->cap_cuts[0], s->ncap_cuts,
					  cap_cut_item));

	if (o && s->state == YB_SETTLE_REVOKED)
		o = yb_json_set(o, "revoked_at", yb_jtime(s->revoked_at));
	return o;
}

json_t *yb_json_offline(const yb_offline *o)
{
	bool done = o->state == YB_OFFLINE_RESETTLED;

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
		done ? yb_jfen(o->refund_fen) : json_null(),
		"resettled_at", yb_jtime(o->resettled_at));
}

json_t *yb_json_resettlement(const yb_offline *o, const yb_settlement *s)
{
	json_t *st = yb_json_settlement(s);
	json_t *body = st ? yb_json_offline(o) : NULL;
	static const char *const from_settlement[] = {
		"account_pay_fen", "cash_pay_fen", "shares", "settlement_id",
	};

	for (size_t i = 0; body && i < sizeof from_settlement /
					    sizeof from_settlement[0]; i++)
		body = yb_json_set(body, from_settlement[i],
			    json_incref(json_object_get(st,
							from_settlement[i])));
	json_decref(st);
	return body;
}

/* F7: a share paid from the reader's account for a relative; the
 * relative's name is masked for every reader, as API.md has it. */
json_t *yb_json_usage(const yb_usage *u)
{
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

json_t *yb_json_binding_item(const yb_viewer *v, const void *item)
{
	return yb_json_binding(v, item);
}

json_t *yb_json_premium_item(const yb_viewer *v, const void *item)
{
	return yb_json_premium(v, item);
}

json_t *yb_json_settlement_item(const yb_viewer *v, const void *item)
{
	(void)v;
	return yb_json_settlement(item);
}

json_t *yb_json_usage_item(const yb_viewer *v, const void *item)
{
	(void)v;
	return yb_json_usage(item);
}
