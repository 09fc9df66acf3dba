/*
 * card.c — physical social security cards (SPEC C1–C3, C5, C6) and the
 * working-day calendar that the service points' promises are counted on.
 *
 * Card numbers are "YB" followed by ten digits, the store's "card_no"
 * sequence zero-padded (YB0000000001, YB0000000002, ...): unique because
 * the sequence is, and never reused because a sequence never goes back,
 * even when the transaction that drew a number rolls back.
 *
 * What was presented with an application is kept as a small JSON object
 * in materials_json, e.g. for the agent route
 *   {"holder_id_number":"4403...","agent":{"id_number":"...","name":"..."}}
 */
#include "service/card.h"

#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "core/enums.h"
#include "core/idnum.h"
#include "core/mask.h"
#include "service/person_int.h"

/* ---- a bounded JSON text builder ------------------------------------ */

typedef struct jbuf {
	char *buf;
	size_t size;
	size_t len;
	bool overflow;
} jbuf;

static void jb_raw(jbuf *j, const char *s)
{
	size_t n = strlen(s);

	if (j->overflow || j->len + n >= j->size) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->len, s, n + 1);
	j->len += n;
}

/* A JSON string literal: quotes, backslashes and control characters
 * escaped; other UTF-8 bytes pass through. */
static void jb_str(jbuf *j, const char *s)
{
	char esc[8];

	jb_raw(j, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			esc[2] = '\0';
		} else if (*p < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", *p);
		} else {
			esc[0] = (char)*p;
			esc[1] = '\0';
		}
		jb_raw(j, esc);
	}
	jb_raw(j, "\"");
}

/* ,"key":"value" (or without the comma for the first member). */
static void jb_member(jbuf *j, bool first, const char *key, const char *val)
{
	if (!first)
		jb_raw(j, ",");
	jb_str(j, key);
	jb_raw(j, ":");
	jb_str(j, val);
}

/* ---- helpers --------------------------------------------------------- */

static bool present(const char *s)
{
	return s && s[0];
}

/* A card by number, error card.not_found. */
static int load_card(yb_ctx *ctx, const char *card_no, yb_card *out,
		     yb_err *err)
{
	int found = 0;

	if (present(card_no) && strlen(card_no) < YB_CARD_NO_SZ)
		found = ctx->store->ops->card_by_no(ctx->store, card_no, out,
						    err);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "card.not_found", "no such card");
	return 0;
}

/* Write the card's new state and its audit record. */
static int save_card(yb_ctx *ctx, yb_card *c, const char *action,
		     const char *reason, yb_err *err)
{
	char target[YB_TEXT_SZ];

	c->updated_at = yb_ctx_now(ctx);
	if (ctx->store->ops->card_update(ctx->store, c, err) < 0)
		return -1;
	if (present(reason))
		snprintf(target, sizeof target, "card:%s reason:%s",
			 c->card_no, reason);
	else
		snprintf(target, sizeof target, "card:%s", c->card_no);
	return yb_audit(ctx, action, target, "ok", err);
}

/* C3b: the promised date, `service_point_working_days` working days after
 * today, on the calendar years loaded in the store.  This year and the
 * next are loaded (the promise may cross New Year); a year missing from
 * the store stays missing, and the calendar says so. */
static int ready_date(yb_ctx *ctx, yb_date today, yb_date *out, yb_err *err)
{
	yb_calendar cal;
	yb_calendar_year y;
	int year, m, d;

	yb_calendar_init(&cal);
	yb_date_to_ymd(today, &year, &m, &d);
	for (int i = 0; i < 2; i++) {
		int found = ctx->store->ops->calendar_get_year(ctx->store,
							       year + i, &y,
							       err);
		if (found < 0)
			return -1;
		if (found && yb_calendar_add_year(&cal, &y, err) < 0)
			return -1;
	}
	return yb_calendar_add_working_days(&cal, today,
					    ctx->settings->service_point_working_days,
					    out, err);
}

/*
 * C3c/C3d: the materials a route needs, checked before anything is read,
 * and written as JSON.  The employer's existence is checked later, in
 * the transaction.
 */
static int build_materials(const yb_card_apply_req *req, yb_card_route route,
			   yb_date today, char *json, size_t size,
			   yb_err *err)
{
	jbuf j = { json, size, 0, false };
	yb_idnum idn;

	json[0] = '\0';
	jb_raw(&j, "{");
	jb_member(&j, true, "route", yb_card_route_str(route));
	if (route == YB_ROUTE_AGENT) {
		if (!present(req->agent_id_number))
			return yb_errf(err, "card.materials_missing",
				       "the agent's ID certificate is required");
		if (!present(req->agent_name))
			return yb_errf(err, "card.materials_missing",
				       "the agent's name is required");
		if (strlen(req->agent_name) >= YB_NAME_SZ ||
		    !yb_utf8_valid_text(req->agent_name))
			return yb_errf(err, "request.invalid_field",
				       "the agent's name is not valid text");
		if (yb_idnum_parse(req->agent_id_number, today, &idn, err) < 0)
			return -1;
		jb_raw(&j, ",\"agent\":{");
		jb_member(&j, true, "id_number", idn.normalized);
		jb_member(&j, false, "name", req->agent_name);
		jb_raw(&j, "}");
	} else if (route == YB_ROUTE_EMPLOYER) {
		if (!present(req->employer_code))
			return yb_errf(err, "card.materials_missing",
				       "the employer's code is required");
		if (!present(req->letter_ref))
			return yb_errf(err, "card.materials_missing",
				       "the employer's letter of introduction "
				       "is required");
		if (!present(req->handler_id_number))
			return yb_errf(err, "card.materials_missing",
				       "the handler's ID certificate is "
				       "required");
		if (strlen(req->employer_code) >= YB_CODE_SZ)
			return yb_errf(err, "employer.not_found",
				       "no such employer");
		if (strlen(req->letter_ref) >= YB_TEXT_SZ ||
		    !yb_utf8_valid_text(req->letter_ref))
			return yb_errf(err, "request.invalid_field",
				       "the letter reference is not valid "
				       "text");
		if (yb_idnum_parse(req->handler_id_number, today, &idn,
				   err) < 0)
			return -1;
		jb_raw(&j, ",\"employer\":{");
		jb_member(&j, true, "code", req->employer_code);
		jb_member(&j, false, "letter_ref", req->letter_ref);
		jb_member(&j, false, "handler_id_number", idn.normalized);
		jb_raw(&j, "}");
	}
	jb_raw(&j, "}");
	if (j.overflow)
		return yb_errf(err, "request.invalid_field",
			       "the materials are too long");
	return 0;
}

/* Append the holder's own certificate (presented on every route) to the
 * materials object built above. */
static int add_holder(char *json, size_t size, const char *id_number,
		      yb_err *err)
{
	jbuf j = { json, size, strlen(json), false };

	if (j.len == 0 || json[j.len - 1] != '}')
		return yb_errf(err, "internal", "materials are malformed");
	j.len--;
	json[j.len] = '\0';
	jb_raw(&j, ",");
	jb_member(&j, true, "holder_id_number", id_number);
	jb_raw(&j, "}");
	if (j.overflow)
		return yb_errf(err, "request.invalid_field",
			       "the materials are too long");
	return 0;
}

/* C2: a lost card is replaced: once a new one is applied for, the lost
 * one ends its life as cancelled. */
static int retire_lost_card(yb_ctx *ctx, yb_id person_id, yb_err *err)
{
	yb_card old;
	int found;

	found = ctx->store->ops->card_latest_of(ctx->store, person_id, &old,
						err);
	if (found <= 0)
		return found;
	if (old.state != YB_CARD_LOST)
		return 0;
	old.state = YB_CARD_CANCELLED;
	return save_card(ctx, &old, "card.replace", NULL, err);
}

/*
 * C2, C3: may this person have a card made on this route now?  He exists
 * and is not terminated, the employer of the employer route exists, and
 * he has no valid card.  Inside the transaction.
 */
static int check_applicant(yb_ctx *ctx, const yb_card_apply_req *req,
			   yb_card_route route, yb_person *p, yb_err *err)
{
	yb_store *st = ctx->store;
	yb_employer e;
	yb_card valid;
	int found;

	if (yb_person_load(ctx, req->ssn, p, err) < 0)
		return -1;
	if (p->status == YB_STATUS_TERMINATED)
		return yb_errf(err, "person.not_active",
			       "the person is terminated");
	if (route == YB_ROUTE_EMPLOYER &&
	    yb_employer_load(ctx, req->employer_code, &e, err) < 0)
		return -1;
	found = st->ops->card_valid_of(st, p->id, &valid, err);
	if (found < 0)
		return -1;
	if (found)
		return yb_errf(err, "card.already_has_valid_card",
			       "the person already has a valid card");
	return 0;
}

/* Write the application and the card made for it. */
static int make_card(yb_ctx *ctx, yb_card_application *app, yb_card *card,
		     yb_err *err)
{
	yb_store *st = ctx->store;
	int64_t seq;

	if (st->ops->card_application_insert(st, app, err) < 0 ||
	    st->ops->next_seq(st, "card_no", &seq, err) < 0)
		return -1;
	memset(card, 0, sizeof *card);
	snprintf(card->card_no, sizeof card->card_no, "YB%010lld",
		 (long long)seq);
	card->person_id = app->person_id;
	/* C3a: the center makes and hands over the card on the spot. */
	card->state = app->route == YB_ROUTE_CENTER ? YB_CARD_ISSUED
						    : YB_CARD_IN_PRODUCTION;
	card->application_id = app->id;
	card->created_at = app->created_at;
	card->updated_at = app->created_at;
	if (st->ops->card_insert(st, card, err) < 0 ||
	    st->ops->card_application_set_card(st, app->id, card->id,
					       err) < 0)
		return -1;
	app->card_id = card->id;
	return 0;
}

int yb_card_apply(yb_ctx *ctx, const yb_card_apply_req *req,
		  yb_card_application *out_app, yb_card *out_card,
		  yb_err *err)
{
	yb_card_application app;
	yb_card card;
	yb_card_route route;
	yb_person p;
	yb_time now = yb_ctx_now(ctx);
	yb_date today = yb_date_of(now);
	char target[YB_TEXT_SZ];
	int rc = -1;

	if (yb_authorize(ctx, "card.apply", err) < 0)
		return -1;
	if (!req->route || !yb_card_route_from_str(req->route, &route))
		return yb_errf(err, "card.invalid_route",
			       "route must be center, service_point, agent "
			       "or employer");
	memset(&app, 0, sizeof app);
	if (build_materials(req, route, today, app.materials_json,
			    sizeof app.materials_json, err) < 0)
		return -1;

	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (check_applicant(ctx, req, route, &p, err) < 0 ||
	    add_holder(app.materials_json, sizeof app.materials_json,
		       p.id_number, err) < 0)
		goto out;
	if (route != YB_ROUTE_CENTER &&
	    ready_date(ctx, today, &app.ready_by, err) < 0)
		goto out;
	if (retire_lost_card(ctx, p.id, err) < 0)
		goto out;
	app.person_id = p.id;
	app.route = route;
	app.applied_on = today;
	snprintf(app.operator_id, sizeof app.operator_id, "%s", ctx->actor.id);
	app.created_at = now;
	if (make_card(ctx, &app, &card, err) < 0)
		goto out;
	snprintf(target, sizeof target, "card_application:%lld card:%s",
		 (long long)app.id, card.card_no);
	if (yb_audit(ctx, "card.apply", target, "ok", err) < 0)
		goto out;
	if (out_app)
		*out_app = app;
	if (out_card)
		*out_card = card;
	rc = 0;
out:
	return yb_tx_end(ctx, rc, err);
}

/* The card made for an application, inside a transaction. */
static int card_of_application(yb_ctx *ctx, yb_id application_id,
			       yb_card *out, yb_err *err)
{
	yb_store *st = ctx->store;
	yb_card_application app;
	int found;

	found = st->ops->card_application_by_id(st, application_id, &app, err);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "card.application_not_found",
			       "no such card application");
	found = app.card_id ? st->ops->card_by_id(st, app.card_id, out, err)
			    : 0;
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "card.not_found",
			       "no card was made for this application");
	return 0;
}

/*
 * One state transition of a card: `from` is the set of states (bit mask)
 * it may leave, `to` the state it enters.  The card is found either by
 * application id or by number.
 */
typedef struct card_move {
	const char *action;
	unsigned from;
	yb_card_state to;
} card_move;

#define S(state) (1u << (state))

static const card_move move_issue = {
	"card.issue", S(YB_CARD_IN_PRODUCTION) | S(YB_CARD_READY),
	YB_CARD_ISSUED };
static const card_move move_ready = {
	"card.mark_ready", S(YB_CARD_IN_PRODUCTION), YB_CARD_READY };
/* C5: only a card that is in the holder's hands (or waiting for him) can
 * be lost; it is frozen at once. */
static const card_move move_loss = {
	"card.report_loss", S(YB_CARD_READY) | S(YB_CARD_ISSUED),
	YB_CARD_LOST };
/* C6: a returned card is cancelled whatever its state. */
static const card_move move_return = {
	"card.return",
	S(YB_CARD_IN_PRODUCTION) | S(YB_CARD_READY) | S(YB_CARD_ISSUED) |
	S(YB_CARD_LOST),
	YB_CARD_CANCELLED };

static int move_card(yb_ctx *ctx, const card_move *mv, yb_id application_id,
		     const char *card_no, const char *reason, yb_card *out,
		     yb_err *err)
{
	yb_card c;
	int rc = -1;

	if (yb_authorize(ctx, mv->action, err) < 0)
		return -1;
	if (reason && (strlen(reason) >= YB_TEXT_SZ / 2 ||
		       !yb_utf8_valid_text(reason)))
		return yb_errf(err, "request.invalid_field",
			       "the reason is not valid text");
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (card_no ? load_card(ctx, card_no, &c, err)
		    : card_of_application(ctx, application_id, &c, err))
		goto out;
	/* A person may act only on his own card; any other card number is
	 * answered as unknown so numbers cannot be probed. */
	if (ctx->actor.role == YB_ROLE_PERSON &&
	    c.person_id != ctx->actor.person_id) {
		yb_errf(err, "card.not_found", "no such card");
		goto out;
	}
	if (!(mv->from & S(c.state))) {
		yb_errf(err, "card.invalid_state", "the card is %s",
			yb_card_state_str(c.state));
		goto out;
	}
	c.state = mv->to;
	if (save_card(ctx, &c, mv->action, reason, err) < 0)
		goto out;
	if (out)
		*out = c;
	rc = 0;
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_card_issue(yb_ctx *ctx, yb_id application_id, yb_card *out,
		  yb_err *err)
{
	return move_card(ctx, &move_issue, application_id, NULL, NULL, out,
			 err);
}

int yb_card_mark_ready(yb_ctx *ctx, yb_id application_id, yb_card *out,
		       yb_err *err)
{
	return move_card(ctx, &move_ready, application_id, NULL, NULL, out,
			 err);
}

int yb_card_report_loss(yb_ctx *ctx, const char *card_no, yb_card *out,
			yb_err *err)
{
	return move_card(ctx, &move_loss, 0, card_no ? card_no : "", NULL,
			 out, err);
}

int yb_card_return(yb_ctx *ctx, const char *card_no, const char *reason,
		   yb_card *out, yb_err *err)
{
	return move_card(ctx, &move_return, 0, card_no ? card_no : "",
			 reason, out, err);
}

/* C1: the bank activates an issued card; activating it again changes
 * nothing. */
int yb_card_activate(yb_ctx *ctx, const char *card_no, yb_card *out,
		     yb_err *err)
{
	yb_card c;
	int rc = -1;

	if (yb_authorize(ctx, "card.activate", err) < 0 ||
	    yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (load_card(ctx, card_no, &c, err) < 0)
		goto out;
	if (c.state != YB_CARD_ISSUED) {
		yb_errf(err, "card.invalid_state",
			"only an issued card can be activated (it is %s)",
			yb_card_state_str(c.state));
		goto out;
	}
	if (!c.activated) {
		c.activated = true;
		if (save_card(ctx, &c, "card.activate", NULL, err) < 0)
			goto out;
	}
	if (out)
		*out = c;
	rc = 0;
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_card_get(yb_ctx *ctx, const char *card_no, yb_card *out, yb_err *err)
{
	int rc;

	if (yb_authorize(ctx, "card.get", err) < 0 ||
	    yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = load_card(ctx, card_no, out, err);
	return yb_tx_end(ctx, rc, err);
}

int yb_card_application_get(yb_ctx *ctx, yb_id id, yb_card_application *out,
			    yb_err *err)
{
	int found;

	if (yb_authorize(ctx, "card.get", err) < 0 ||
	    yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = ctx->store->ops->card_application_by_id(ctx->store, id, out,
							err);
	if (found == 0)
		yb_errf(err, "card.application_not_found",
			"no such card application");
	return yb_tx_end(ctx, found > 0 ? 0 : -1, err);
}

int yb_calendar_put(yb_ctx *ctx, const yb_calendar_year *year, yb_err *err)
{
	yb_calendar check;
	char target[YB_TEXT_SZ];
	int rc = -1;

	if (yb_authorize(ctx, "calendar.put", err) < 0)
		return -1;
	/* The core's rules for a year's table (dates inside the year, no
	 * day both off and worked) before it reaches the store. */
	yb_calendar_init(&check);
	if (yb_calendar_add_year(&check, year, err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (ctx->store->ops->calendar_put_year(ctx->store, year, err) < 0)
		goto out;
	snprintf(target, sizeof target, "calendar:%d", year->year);
	rc = yb_audit(ctx, "calendar.put", target, "ok", err);
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_calendar_get(yb_ctx *ctx, int year, yb_calendar_year *out,
		    yb_err *err)
{
	int found;

	if (yb_authorize(ctx, "calendar.get", err) < 0 ||
	    yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = ctx->store->ops->calendar_get_year(ctx->store, year, out, err);
	if (yb_tx_end(ctx, found < 0 ? -1 : 0, err) < 0)
		return -1;
	return found;
}
