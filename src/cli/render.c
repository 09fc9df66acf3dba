/*
 * render.c — the model's records as JSON objects, the one form every CLI
 * answer takes before out.c prints it.
 *
 * Field names follow the HTTP API (docs/openapi.yaml) where the API has
 * the object, so a script can move between `yibao --json` and the API
 * without renaming: money in *_fen integers (SPEC U1), dates
 * "YYYY-MM-DD", instants RFC 3339 UTC (U5).  The command line runs as the
 * agency's administrator, so nothing is masked here (Q3 masks for others).
 */
#include "cli/cli.h"

#include "core/enums.h"

json_t *cli_json_date(yb_date d)
{
	char buf[16];

	if (d == 0)
		return json_null();
	return json_string(yb_date_format(d, buf, sizeof buf));
}

json_t *cli_json_time(yb_time t)
{
	char buf[32];

	if (t == 0)
		return json_null();
	return json_string(yb_time_format(t, buf, sizeof buf));
}

json_t *cli_json_str(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

json_t *cli_render_error(const yb_err *err)
{
	return json_pack("{s:s, s:s}", "code", err->code ? err->code : "internal",
			 "message", err->message);
}

json_t *cli_render_card(const yb_card *c)
{
	return json_pack("{s:s, s:s, s:b, s:I, s:o, s:o}",
			 "card_no", c->card_no,
			 "state", yb_card_state_str(c->state),
			 "activated", c->activated,
			 "application_id", (json_int_t)c->application_id,
			 "created_at", cli_json_time(c->created_at),
			 "updated_at", cli_json_time(c->updated_at));
}

json_t *cli_render_person(const yb_person *p, const yb_account *acc,
			  const yb_card *card)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s}",
			      "ssn", p->ssn,
			      "id_number", p->id_number,
			      "name", p->name,
			      "sex", yb_sex_str(p->sex),
			      "birth_date", cli_json_date(p->birth_date),
			      "region", p->region,
			      "scheme", yb_scheme_str(p->scheme),
			      "status", yb_status_str(p->status));

	if (p->status == YB_STATUS_TERMINATED)
		json_object_set_new(o, "termination_reason",
				    json_string(yb_term_reason_str(p->term_reason)));
	json_object_set_new(o, "employer_code", cli_json_str(p->employer_code));
	json_object_set_new(o, "account", acc ?
		json_pack("{s:I, s:b}", "balance_fen", (json_int_t)acc->balance_fen,
			  "closed", acc->closed) : json_null());
	json_object_set_new(o, "card", card ?
		json_pack("{s:s, s:s, s:b}", "card_no", card->card_no,
			  "state", yb_card_state_str(card->state),
			  "activated", card->activated) : json_null());
	json_object_set_new(o, "created_at", cli_json_time(p->created_at));
	return o;
}

json_t *cli_render_employer(const yb_employer *e)
{
	return json_pack("{s:s, s:s, s:o}", "code", e->code, "name", e->name,
			 "created_at", cli_json_time(e->created_at));
}

json_t *cli_render_contribution(const yb_contribution *c)
{
	/* family: E1 — paid_by: the authorizer whose account paid it */
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:o}",
			 "contribution_id", (json_int_t)c->id,
			 "ssn", c->ssn,
			 "period", c->period,
			 "employer_code", c->employer_code,
			 "base_fen", (json_int_t)c->base_fen,
			 "employer_fen", (json_int_t)c->employer_fen,
			 "personal_fen", (json_int_t)c->personal_fen,
			 "account_credit_fen", (json_int_t)c->account_credit_fen,
			 "created_at", cli_json_time(c->created_at),
			 "paid_by", cli_json_str(c->paid_by_ssn));
}

json_t *cli_render_application(const yb_card_application *a,
			       const yb_card *card)
{
	bool has_card = card && card->card_no[0];
	json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:o}",
			      "application_id", (json_int_t)a->id,
			      "route", yb_card_route_str(a->route),
			      "state", has_card ? yb_card_state_str(card->state)
						: "in_production",
			      "applied_on", cli_json_date(a->applied_on),
			      "ready_by", cli_json_date(a->ready_by));

	json_object_set_new(o, "card_no",
			    has_card ? json_string(card->card_no) : json_null());
	return o;
}

json_t *cli_render_calendar(const yb_calendar_year *y)
{
	json_t *hol = json_array(), *work = json_array();

	for (int i = 0; i < y->nholidays; i++)
		json_array_append_new(hol, cli_json_date(y->holidays[i]));
	for (int i = 0; i < y->nworkdays; i++)
		json_array_append_new(work, cli_json_date(y->workdays[i]));
	return json_pack("{s:i, s:o, s:o}", "year", y->year, "holidays", hol,
			 "workdays", work);
}

json_t *cli_render_institution(const yb_institution *i)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "code", i->code,
			 "name", i->name, "type", yb_inst_type_str(i->type),
			 "created_at", cli_json_time(i->created_at));
}

json_t *cli_render_binding(const yb_binding *b)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}",
			 "binding_id", (json_int_t)b->id,
			 "authorizer_ssn", b->authorizer_ssn,
			 "authorizer_name", b->authorizer_name,
			 "relative_ssn", b->relative_ssn,
			 "relative_name", b->relative_name,
			 "relationship", yb_relationship_str(b->relationship),
			 "channel", yb_channel_str(b->channel),
			 "operator", cli_json_str(b->operator_id),
			 "created_at", cli_json_time(b->created_at),
			 "ended_at", cli_json_time(b->ended_at),
			 "end_reason", cli_json_str(b->end_reason));

	/* family: E2 — the monthly cap and this month's use (null: none) */
	if (o && b->has_cap) {
		json_object_set_new(o, "monthly_cap_fen", json_integer(b->cap_fen));
		json_object_set_new(o, "cap_used_this_month_fen",
				    json_integer(b->cap_used_fen));
	} else if (o) {
		json_object_set_new(o, "monthly_cap_fen", json_null());
	}
	return o;
}

static json_t *render_shares(const yb_share *shares, int n)
{
	json_t *arr = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:I}",
			"payer_ssn", shares[i].payer_ssn,
			"payer_name", shares[i].payer_name,
			"relationship", yb_relationship_str(shares[i].relationship),
			"amount_fen", (json_int_t)shares[i].amount_fen));
	return arr;
}

json_t *cli_render_settlement(const yb_settlement *s)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:{s:s, s:s}, s:s, s:I, s:I, s:I, s:I, s:o, s:s, s:o}",
			      "settlement_id", (json_int_t)s->id,
			      "txn_id", s->txn_id,
			      "institution_code", s->institution_code,
			      "patient", "ssn", s->patient_ssn,
					 "name", s->patient_name,
			      "visit_type", yb_visit_type_str(s->visit_type),
			      "total_fen", (json_int_t)s->total_fen,
			      "fund_pay_fen", (json_int_t)s->fund_pay_fen,
			      "account_pay_fen", (json_int_t)s->account_pay_fen,
			      "cash_pay_fen", (json_int_t)s->cash_pay_fen,
			      "shares", render_shares(s->shares, s->nshares),
			      "state", yb_settle_state_str(s->state),
			      "settled_at", cli_json_time(s->settled_at));

	if (s->state == YB_SETTLE_REVOKED)
		json_object_set_new(o, "revoked_at", cli_json_time(s->revoked_at));
	/* family: E2 — the caps that cut a share */
	json_t *cuts = json_array();
	for (int i = 0; i < s->ncap_cuts; i++)
		json_array_append_new(cuts, json_pack("{s:I, s:s, s:I}",
			"binding_id", (json_int_t)s->cap_cuts[i].binding_id,
			"payer_ssn", s->cap_cuts[i].payer_ssn,
			"cut_fen", (json_int_t)s->cap_cuts[i].cut_fen));
	json_object_set_new(o, "cap_cuts", cuts);
	return o;
}

json_t *cli_render_offline(const yb_offline *o)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:{s:s, s:s}, s:s, s:I, s:I, s:o, s:o, s:s}",
			      "offline_id", (json_int_t)o->id,
			      "txn_id", o->txn_id,
			      "institution_code", o->institution_code,
			      "patient", "ssn", o->patient_ssn,
					 "name", o->patient_name,
			      "visit_type", yb_visit_type_str(o->visit_type),
			      "total_fen", (json_int_t)o->total_fen,
			      "fund_pay_fen", (json_int_t)o->fund_pay_fen,
			      "occurred_at", cli_json_time(o->occurred_at),
			      "recorded_at", cli_json_time(o->recorded_at),
			      "state", yb_offline_state_str(o->state));

	if (o->state == YB_OFFLINE_RESETTLED) {
		json_object_set_new(j, "settlement_id",
				    json_integer(o->settlement_id));
		json_object_set_new(j, "refund_to_patient_fen",
				    json_integer(o->refund_fen));
		json_object_set_new(j, "resettled_at",
				    cli_json_time(o->resettled_at));
	}
	return j;
}

json_t *cli_render_recon(const yb_recon_totals *t)
{
	return json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "date", cli_json_date(t->date),
			 "count", (json_int_t)t->count,
			 "total_fen", (json_int_t)t->total_fen,
			 "fund_pay_fen", (json_int_t)t->fund_pay_fen,
			 "account_pay_fen", (json_int_t)t->account_pay_fen,
			 "cash_pay_fen", (json_int_t)t->cash_pay_fen,
			 "revoked_count", (json_int_t)t->revoked_count);
}

json_t *cli_render_ledger_line(const yb_ledger_line *l)
{
	return json_pack("{s:I, s:I, s:o, s:s, s:s, s:I, s:I}",
			 "entry_id", (json_int_t)l->entry_id,
			 "txn_id", (json_int_t)l->txn_id,
			 "at", cli_json_time(l->at),
			 "kind", l->kind,
			 "ref", l->ref,
			 "amount_fen", (json_int_t)l->amount_fen,
			 "balance_after_fen", (json_int_t)l->balance_after_fen);
}

json_t *cli_render_usage(const yb_usage *u)
{
	return json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s}",
			 "settlement_id", (json_int_t)u->settlement_id,
			 "at", cli_json_time(u->at),
			 "relative_ssn", u->relative_ssn,
			 "relative_name", u->relative_name,
			 "relationship", yb_relationship_str(u->relationship),
			 "institution_code", u->institution_code,
			 "institution_name", u->institution_name,
			 "visit_type", yb_visit_type_str(u->visit_type),
			 "amount_fen", (json_int_t)u->amount_fen,
			 "state", yb_settle_state_str(u->state));
}

json_t *cli_render_audit(const yb_audit_record *r)
{
	return json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "seq", (json_int_t)r->seq,
			 "at", cli_json_time(r->at),
			 "actor", r->actor,
			 "role", yb_role_str(r->role),
			 "channel", yb_channel_str(r->channel),
			 "action", r->action,
			 "target", r->target,
			 "result", r->result,
			 "hash", r->hash);
}
