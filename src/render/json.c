/*
 * json.c — the register's and the ledger's records as JSON (json.h): the
 * viewer that decides masking, the scalar forms, lists, and the records
 * without family or settlement logic (those are in json_settle.c).
 */
#include "render/json.h"

#include <stdio.h>
#include <string.h>

#include "core/enums.h"
#include "core/mask.h"
#include "core/material.h"
#include "core/notify.h"

/* ---- viewers ---------------------------------------------------------- */

static bool unmask_all(const void *ctx, yb_id person_id)
{
	(void)ctx;
	(void)person_id;
	return true;
}

const yb_viewer yb_viewer_operator = { unmask_all, NULL };
const yb_viewer yb_viewer_public = { NULL, NULL };

bool yb_viewer_may_unmask(const yb_viewer *v, yb_id person_id)
{
	return v && v->may_unmask && v->may_unmask(v->ctx, person_id);
}

/* ---- scalars ---------------------------------------------------------- */

json_t *yb_jtime(yb_time t)
{
	char buf[32];

	return t ? json_string(yb_time_format(t, buf, sizeof buf))
		 : json_null();
}

json_t *yb_jdate(yb_date d)
{
	char buf[16];

	return d ? json_string(yb_date_format(d, buf, sizeof buf))
		 : json_null();
}

json_t *yb_jfen(int64_t fen)
{
	return json_integer((json_int_t)fen);
}

json_t *yb_jstr_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

json_t *yb_json_array(const yb_viewer *v, const void *items, size_t size,
		      int n, yb_json_item_fn *fn)
{
	json_t *arr = json_array();

	for (int i = 0; arr && i < n; i++) {
		json_t *o = fn(v, (const char *)items + (size_t)i * size);
		if (!o || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

json_t *yb_json_items(const yb_viewer *v, const void *items, size_t size,
		      int n, yb_json_item_fn *fn)
{
	return json_pack("{s:o}", "items",
			 yb_json_array(v, items, size, n, fn));
}

json_t *yb_json_set(json_t *obj, const char *name, json_t *value)
{
	if (!obj || !value) {
		json_decref(obj);
		json_decref(value);
		return NULL;
	}
	/* a failed set has released value already */
	if (json_object_set_new(obj, name, value) < 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* ---- the register ----------------------------------------------------- */

json_t *yb_json_person(const yb_viewer *v, const yb_person *p,
		       const yb_account *account)
{
	char idbuf[YB_IDNUM_SZ];
	const char *id = yb_viewer_may_unmask(v, p->id)
				 ? p->id_number
				 : yb_mask_id_number(p->id_number, idbuf,
						     sizeof idbuf);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o}",
			      "ssn", p->ssn, "id_number", id, "name", p->name,
			      "sex", yb_sex_str(p->sex), "birth_date",
			      yb_jdate(p->birth_date), "region", p->region,
			      "scheme", yb_scheme_str(p->scheme), "status",
			      yb_status_str(p->status), "employer_code",
			      yb_jstr_or_null(p->employer_code));

	if (o && p->term_reason != YB_TERM_NONE)
		o = yb_json_set(o, "termination_reason",
			 json_string(yb_term_reason_str(p->term_reason)));
	return yb_json_set(o, "account",
		    account ? json_pack("{s:I, s:b}", "balance_fen",
					(json_int_t)account->balance_fen,
					"closed", account->closed)
			    : json_null());
}

json_t *yb_json_person_card(const yb_viewer *v, const yb_person *p,
			    const yb_account *account, const yb_card *card)
{
	return yb_json_set(yb_json_person(v, p, account), "card",
		    card ? yb_json_card(card) : json_null());
}

json_t *yb_json_employer(const yb_employer *e)
{
	return json_pack("{s:s, s:s, s:o}", "code", e->code, "name", e->name,
			 "created_at", yb_jtime(e->created_at));
}

json_t *yb_json_institution(const yb_institution *i)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "code", i->code, "name",
			 i->name, "type", yb_inst_type_str(i->type),
			 "created_at", yb_jtime(i->created_at));
}

json_t *yb_json_card(const yb_card *c)
{
	return json_pack("{s:s, s:s, s:b}", "card_no", c->card_no, "state",
			 yb_card_state_str(c->state), "activated", c->activated);
}

json_t *yb_json_application(const yb_card_application *a,
			    const yb_card *card)
{
	bool has_card = card && card->card_no[0];
	json_t *o = json_pack("{s:I, s:s, s:s, s:o}", "application_id",
			      (json_int_t)a->id, "route",
			      yb_card_route_str(a->route), "state",
			      yb_card_state_str(has_card
							? card->state
							: YB_CARD_IN_PRODUCTION),
			      "ready_by", yb_jdate(a->ready_by));

	/* card_no is there once a card is made for it (API.md) */
	return has_card ? yb_json_set(o, "card_no", json_string(card->card_no))
			: o;
}

static json_t *date_item(const yb_viewer *v, const void *item)
{
	(void)v;
	return yb_jdate(*(const yb_date *)item);
}

json_t *yb_json_calendar(const yb_calendar_year *y)
{
	return json_pack("{s:i, s:o, s:o}", "year", y->year, "holidays",
			 yb_json_array(NULL, y->holidays, sizeof(yb_date),
				       y->nholidays, date_item),
			 "workdays",
			 yb_json_array(NULL, y->workdays, sizeof(yb_date),
				       y->nworkdays, date_item));
}

/* family: E4 — a scan's record; its bytes are at `href`. */
json_t *yb_json_material(const yb_material *m)
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

/* ---- money ------------------------------------------------------------ */

json_t *yb_json_contribution(const yb_contribution *c)
{
	char name[YB_NAME_SZ];

	/* family: E1 — "paid from X's personal account"; X is another
	 * person to whoever reads a contribution, so masked (Q3) */
	return json_pack(
		"{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:o}",
		"contribution_id", (json_int_t)c->id, "ssn", c->ssn, "period",
		c->period, "employer_code", c->employer_code, "base_fen",
		(json_int_t)c->base_fen, "employer_fen",
		(json_int_t)c->employer_fen, "personal_fen",
		(json_int_t)c->personal_fen, "account_credit_fen",
		(json_int_t)c->account_credit_fen, "created_at",
		yb_jtime(c->created_at), "paid_by",
		c->paid_by_ssn[0]
			? json_pack("{s:s, s:s}", "ssn", c->paid_by_ssn, "name",
				    yb_mask_name(c->paid_by_name, name,
						 sizeof name))
			: json_null());
}

json_t *yb_json_ledger_line(const yb_ledger_line *l)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:I, s:I, s:o}", "entry_id",
			 (json_int_t)l->entry_id, "txn_id", (json_int_t)l->txn_id,
			 "kind", l->kind, "ref", l->ref, "amount_fen",
			 (json_int_t)l->amount_fen, "balance_after_fen",
			 (json_int_t)l->balance_after_fen, "at", yb_jtime(l->at));
}

json_t *yb_json_recon(const yb_recon_totals *t)
{
	return json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:I}", "date",
			 yb_jdate(t->date), "count", (json_int_t)t->count,
			 "total_fen", (json_int_t)t->total_fen, "fund_pay_fen",
			 (json_int_t)t->fund_pay_fen, "account_pay_fen",
			 (json_int_t)t->account_pay_fen, "cash_pay_fen",
			 (json_int_t)t->cash_pay_fen, "revoked_count",
			 (json_int_t)t->revoked_count);
}

static json_t *recon_diff_item(const yb_viewer *v, const void *item)
{
	const yb_recon_diff *d = item;

	(void)v;
	return json_pack("{s:s, s:I, s:I}", "field", d->field, "ours",
			 (json_int_t)d->ours, "yours", (json_int_t)d->yours);
}

json_t *yb_json_recon_compare(const yb_recon_totals *ours,
			      const yb_recon_diff *diffs, int ndiffs)
{
	return json_pack("{s:b, s:o, s:o}", "match", ndiffs == 0,
			 "differences",
			 yb_json_array(NULL, diffs, sizeof *diffs, ndiffs,
				       recon_diff_item),
			 "ours", yb_json_recon(ours));
}

json_t *yb_json_audit(const yb_audit_record *a)
{
	return json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "seq", (json_int_t)a->seq, "at", yb_jtime(a->at),
			 "actor", a->actor, "role", yb_role_str(a->role),
			 "channel", yb_channel_str(a->channel), "action",
			 a->action, "target", a->target, "result", a->result,
			 "hash", a->hash);
}

static json_t *premium_year_item(const yb_viewer *v, const void *item)
{
	const yb_premium_year *y = item;

	(void)v;
	return json_pack("{s:i, s:I, s:o, s:o, s:b}", "year", y->year,
			 "amount_fen", (json_int_t)y->amount_fen, "opens_on",
			 yb_jdate(y->opens_on), "closes_on",
			 yb_jdate(y->closes_on), "open", y->open);
}

json_t *yb_json_premium_years(const yb_premium_year *y, int n)
{
	return yb_json_items(NULL, y, sizeof *y, n, premium_year_item);
}

/* ---- notifications (E3) --------------------------------------------- */

json_t *yb_json_webhook(const yb_webhook *w, bool with_secret)
{
	char hint[16];
	size_t n = strlen(w->secret);

	/* after it was given, its last four characters identify it */
	snprintf(hint, sizeof hint, "…%s", n > 4 ? w->secret + n - 4 : "");
	return json_pack("{s:I, s:s, s:s, s:s, s:o}",
			 "webhook_id", (json_int_t)w->id, "url", w->url,
			 "label", w->label,
			 "secret", with_secret ? w->secret : hint,
			 "created_at", yb_jtime(w->created_at));
}

json_t *yb_json_delivery(const yb_delivery *d)
{
	return json_pack("{s:I, s:I, s:I, s:s, s:s, s:i, s:o, s:i, s:s, s:o, "
			 "s:o}",
			 "delivery_id", (json_int_t)d->id,
			 "webhook_id", (json_int_t)d->webhook_id,
			 "notification_id", (json_int_t)d->notification_id,
			 "url", d->url, "state", yb_deliv_state_str(d->state),
			 "attempts", d->attempts,
			 "next_attempt_at", d->state == YB_DELIV_PENDING
				? yb_jtime((yb_time)(d->next_at_ms / 1000))
				: json_null(),
			 "last_status", d->last_status,
			 "last_error", d->last_error,
			 "created_at", yb_jtime(d->created_at),
			 "delivered_at", yb_jtime(d->delivered_at));
}

json_t *yb_json_webhook_item(const yb_viewer *v, const void *item)
{
	(void)v;
	return yb_json_webhook(item, false);
}

/* ---- list items ------------------------------------------------------- */

/* An item renderer for a record that every reader sees alike. */
#define ITEM(name, type)                                                   \
	json_t *yb_json_##name##_item(const yb_viewer *v, const void *item) \
	{                                                                  \
		(void)v;                                                   \
		return yb_json_##name((const type *)item);                 \
	}

ITEM(contribution, yb_contribution)
ITEM(ledger_line, yb_ledger_line)
ITEM(audit, yb_audit_record)
ITEM(material, yb_material)
ITEM(delivery, yb_delivery)
