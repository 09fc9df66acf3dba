/*
 * binding.c — family mutual aid (家庭共济) bindings, SPEC F1–F9: an
 * authorizer lets close relatives pay for their own care from his
 * personal account; he can end that at any time.
 *
 * A request is checked in two stages.  First the request as a whole, in
 * one read transaction: the channel must be the caller's own (F5), the
 * authorizer must be identified, the materials of the channel must be
 * there and, on a terminal, the cards must be the persons' own issued and
 * activated cards.  A failure there refuses the whole request.  Then each
 * relative in its own write transaction (F4), so one bad row never blocks
 * a good one and each result is all or nothing; the conditions of F3 are
 * checked inside that transaction.
 *
 * Decisions the SPEC leaves open, and why:
 *  - A terminal reads ONE relative's card or ID card, so a terminal
 *    request binds exactly one relative: a material that proves one
 *    relative cannot vouch for another (binding.materials_missing).
 *  - An unknown relationship string is binding.relationship_not_allowed,
 *    like a known one the settings exclude: the row fails on its own and
 *    the answer is the same for "no such relationship" and "not here".
 *  - Every failure to identify a relative — SSN unknown, ID number
 *    unknown or malformed, or the two naming different people — is one
 *    error with one message, so the answer never reveals which of the
 *    two is registered (F2).
 *  - Only the authorizer ends a binding (F6); a relative who no longer
 *    wants to be paid for is refused (auth.forbidden) — he asks the
 *    authorizer — and anyone else is told it does not exist.
 *  - Ending an ended binding answers the binding as it is, successfully:
 *    the caller's wish (that it no longer applies) holds, and a client
 *    retrying a lost reply must not see an error.  So
 *    binding.already_ended is never raised here.  Nothing changes, so
 *    nothing is audited.
 */
#include "service/binding.h"
#include "service/binding_int.h"
#include "service/famcap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "core/idnum.h"
#include "service/notify.h"
#include "service/settle_int.h"

/* The request's authorizer and how he came, once the request is checked. */
typedef struct bind_who {
	yb_person authorizer;
	yb_channel channel;
	char materials[512];
	char operator_id[YB_ACTOR_SZ];
} bind_who;

/* F2: SSN and ID number must name one registered person. */
static int identify(yb_ctx *ctx, const char *ssn, const char *id_number,
		    yb_person *out, yb_err *err)
{
	yb_person by_id;
	yb_idnum idn;
	yb_err ignored;
	int a = 0, b = 0;

	if (ssn && id_number && yb_ssn_valid(ssn) &&
	    yb_idnum_parse(id_number, yb_ctx_today(ctx), &idn, &ignored) == 0) {
		a = ctx->store->ops->person_by_ssn(ctx->store, ssn, out, err);
		if (a < 0)
			return -1;
		b = ctx->store->ops->person_by_id_number(ctx->store,
							 idn.normalized,
							 &by_id, err);
		if (b < 0)
			return -1;
	}
	if (!a || !b || out->id != by_id.id)
		return yb_errf(err, "binding.identity_mismatch",
			       "the SSN and ID number do not identify one "
			       "registered person");
	return 0;
}

/* F5: the channels each role may act through. */
static bool channel_allowed(yb_role role, yb_channel ch)
{
	switch (role) {
	case YB_ROLE_PERSON:
		return ch == YB_CHAN_WEB || ch == YB_CHAN_WECHAT;
	case YB_ROLE_TERMINAL:
		return ch == YB_CHAN_TERMINAL;
	case YB_ROLE_HOSPITAL_OFFICE:
		return ch == YB_CHAN_HOSPITAL_OFFICE;
	case YB_ROLE_AGENCY_WINDOW:
		return ch == YB_CHAN_AGENCY_WINDOW;
	default:
		return false;
	}
}

/* F5: a terminal card must be the holder's own issued card, activated. */
static int card_own(yb_ctx *ctx, const char *card_no, yb_id holder,
		    const char *whose, yb_err *err)
{
	yb_card card;
	int found;

	found = ctx->store->ops->card_by_no(ctx->store, card_no, &card, err);
	if (found < 0)
		return -1;
	if (!found || card.person_id != holder || card.state != YB_CARD_ISSUED)
		return yb_errf(err, "binding.card_mismatch",
			       "the %s card is not his own valid card", whose);
	if (!card.activated)
		return yb_errf(err, "binding.card_not_activated",
			       "the %s card is not financially activated",
			       whose);
	return 0;
}

/* F5 terminal: for the relative, his activated card or his ID card. */
static int terminal_relative(yb_ctx *ctx, const yb_bind_materials *m,
			     const yb_bind_row *row, yb_err *err)
{
	yb_person rel;
	yb_idnum shown, named;
	yb_err ignored;
	int found;

	if (m->relative_card_no && *m->relative_card_no) {
		found = row->ssn ? ctx->store->ops->person_by_ssn(
					   ctx->store, row->ssn, &rel, err)
				 : 0;
		if (found < 0)
			return -1;
		return card_own(ctx, m->relative_card_no, found ? rel.id : 0,
				"relative's", err);
	}
	if (!row->id_number ||
	    yb_idnum_parse(m->relative_id_number, yb_ctx_today(ctx), &shown,
			   &ignored) < 0 ||
	    yb_idnum_parse(row->id_number, yb_ctx_today(ctx), &named,
			   &ignored) < 0 ||
	    strcmp(shown.normalized, named.normalized) != 0)
		return yb_errf(err, "binding.card_mismatch",
			       "the ID card presented is not the relative's");
	return 0;
}

/* F5: the materials of the channel, checked and recorded as JSON.  Card
 * numbers and ID numbers are written only after they matched real
 * records, so they need no escaping. */
static int materials_check(yb_ctx *ctx, const yb_bind_req *req,
			   bool binding, bind_who *who, yb_err *err)
{
	const yb_bind_materials *m = &req->materials;
	bool rel_card = m->relative_card_no && *m->relative_card_no;
	bool rel_id = m->relative_id_number && *m->relative_id_number;
	char rel[128] = "";

	switch (who->channel) {
	case YB_CHAN_TERMINAL:
		if (!m->authorizer_card_no || !*m->authorizer_card_no ||
		    (binding && !rel_card && !rel_id))
			return yb_errf(err, "binding.materials_missing",
				       "a terminal needs the authorizer's card "
				       "and the relative's card or ID card");
		if (binding && req->nrows != 1)
			return yb_errf(err, "binding.materials_missing",
				       "a terminal binds one relative at a "
				       "time: its materials name one relative");
		if (card_own(ctx, m->authorizer_card_no, who->authorizer.id,
			     "authorizer's", err) < 0)
			return -1;
		if (binding) {
			if (terminal_relative(ctx, m, &req->rows[0], err) < 0)
				return -1;
			snprintf(rel, sizeof rel, ",\"%s\":\"%s\"",
				 rel_card ? "relative_card_no"
					  : "relative_id_number",
				 rel_card ? m->relative_card_no
					  : m->relative_id_number);
		}
		snprintf(who->materials, sizeof who->materials,
			 "{\"authorizer_card_no\":\"%s\"%s}",
			 m->authorizer_card_no, rel);
		return 0;
	case YB_CHAN_HOSPITAL_OFFICE:
	case YB_CHAN_AGENCY_WINDOW:
		if (!m->id_cards || !m->social_security_cards)
			return yb_errf(err, "binding.materials_missing",
				       "both persons' ID cards and social "
				       "security cards are required");
		if (who->channel == YB_CHAN_AGENCY_WINDOW && !m->card_copies) {
			return yb_errf(err, "binding.materials_missing",
				       "copies of both social security cards "
				       "are required at the window");
		}
		snprintf(who->materials, sizeof who->materials,
			 "{\"id_cards\":true,\"social_security_cards\":true%s}",
			 who->channel == YB_CHAN_AGENCY_WINDOW
				 ? ",\"card_copies\":true" : "");
		return 0;
	default:
		snprintf(who->materials, sizeof who->materials, "{}");
		return 0;
	}
}

/*
 * The request-level checks (inside the caller's transaction): channel,
 * authorizer, materials.  `binding` = for yb_bind (a terminal then needs
 * the relative's material too); for yb_unbind only the authorizer's.
 */
static int request_check(yb_ctx *ctx, const yb_bind_req *req, bool binding,
			 bind_who *who, yb_err *err)
{
	const char *ch = req->channel ? req->channel : "web";
	int found;

	memset(who, 0, sizeof *who);
	if (!yb_channel_from_str(ch, &who->channel))
		return yb_errf(err, "request.invalid_field",
			       "channel: web, wechat, terminal, "
			       "hospital_office or agency_window");
	if (!channel_allowed(ctx->actor.role, who->channel))
		return yb_errf(err, "binding.channel_not_allowed",
			       "channel %s is not open to this caller", ch);
	if (ctx->actor.role == YB_ROLE_PERSON) {
		/* Web and WeChat: the logged-in person, for himself only. */
		found = ctx->store->ops->person_by_id(ctx->store,
						      ctx->actor.person_id,
						      &who->authorizer, err);
		if (found < 0)
			return -1;
		if (!found)
			return yb_errf(err, "auth.forbidden",
				       "the session's person is unknown");
		return materials_check(ctx, req, binding, who, err);
	}
	if (!req->authorizer_ssn || !req->authorizer_id_number)
		return yb_errf(err, "request.missing_field",
			       "authorizer.ssn and authorizer.id_number are "
			       "required");
	if (identify(ctx, req->authorizer_ssn, req->authorizer_id_number,
		     &who->authorizer, err) < 0)
		return -1;
	snprintf(who->operator_id, sizeof who->operator_id, "%s",
		 ctx->actor.id);
	return materials_check(ctx, req, binding, who, err);
}

/* F3: the authorizer owns an open personal account in this region. */
static int authorizer_eligible(yb_ctx *ctx, yb_id id, yb_person *p,
			       yb_err *err)
{
	yb_account acc;
	int found;

	found = ctx->store->ops->person_by_id(ctx->store, id, p, err);
	if (found < 0)
		return -1;
	if (!found || p->status != YB_STATUS_ACTIVE ||
	    !ctx->settings->scheme_has_account[p->scheme] ||
	    strcmp(p->region, ctx->settings->region) != 0)
		return yb_errf(err, "binding.authorizer_not_eligible",
			       "the authorizer must be actively insured in "
			       "this region in a scheme with a personal "
			       "account");
	found = ctx->store->ops->account_personal_of(ctx->store, id, &acc,
						     err);
	if (found < 0)
		return -1;
	if (!found || acc.closed)
		return yb_errf(err, "binding.authorizer_not_eligible",
			       "the authorizer has no open personal account");
	return 0;
}

/* F3, F4: one relative, in its own transaction. */
static int bind_row(yb_ctx *ctx, const bind_who *who, const yb_bind_row *row,
		    yb_binding *b, yb_err *err)
{
	yb_person auth, rel;
	yb_relationship r;
	bool open = false;
	int rc = -1;

	if (yb_tx_begin(ctx, true, err) < 0)
		goto out;
	open = true;
	if (identify(ctx, row->ssn, row->id_number, &rel, err) < 0)
		goto out;
	if (rel.id == who->authorizer.id) {
		yb_errf(err, "binding.self", "one cannot authorize oneself");
		goto out;
	}
	if (authorizer_eligible(ctx, who->authorizer.id, &auth, err) < 0)
		goto out;
	if (rel.status != YB_STATUS_ACTIVE ||
	    strcmp(rel.region, ctx->settings->region) != 0) {
		yb_errf(err, "binding.relative_not_eligible",
			"the relative must be actively insured in this region");
		goto out;
	}
	if (!row->relationship ||
	    !yb_relationship_from_str(row->relationship, &r) ||
	    r >= YB_REL__N || !ctx->settings->relationship_allowed[r]) {
		yb_errf(err, "binding.relationship_not_allowed",
			"relationship %s is not one that may be bound here",
			row->relationship ? row->relationship : "(none)");
		goto out;
	}

	memset(b, 0, sizeof *b);
	b->authorizer_id = auth.id;
	b->relative_id = rel.id;
	snprintf(b->authorizer_ssn, sizeof b->authorizer_ssn, "%s", auth.ssn);
	snprintf(b->authorizer_name, sizeof b->authorizer_name, "%s",
		 auth.name);
	snprintf(b->relative_ssn, sizeof b->relative_ssn, "%s", rel.ssn);
	snprintf(b->relative_name, sizeof b->relative_name, "%s", rel.name);
	b->relationship = r;
	b->channel = who->channel;
	snprintf(b->materials_json, sizeof b->materials_json, "%s",
		 who->materials);
	snprintf(b->operator_id, sizeof b->operator_id, "%s",
		 who->operator_id);
	b->created_at = yb_ctx_now(ctx);
	/* An active binding of the same pair is refused by the store's
	 * uniqueness (binding.duplicate), so two racing requests cannot
	 * both pass a check. */
	if (ctx->store->ops->binding_insert(ctx->store, b, err) < 0)
		goto out;
	/* E3: the authorizer is told, in this transaction. */
	if (yb_notify_binding(ctx, b, YB_NOTE_BINDING_CREATED, NULL, err) < 0)
		goto out;
	open = false;
	if (yb_audit_commit(ctx, "binding.create", "binding", b->id, err) < 0)
		goto out;
	rc = 0;
out:
	if (open)
		yb_tx_rollback(ctx);
	return rc;
}

int yb_bind(yb_ctx *ctx, const yb_bind_req *req, yb_bind_result *results,
	    yb_err *err)
{
	bind_who who;
	int rc;

	if (yb_authorize(ctx, "binding.create", err) < 0)
		return -1;
	if (!req || req->nrows < 1 || !req->rows)
		return yb_errf(err, "request.missing_field",
			       "at least one relative is required");
	if (req->nrows > YB_BIND_MAX_RELATIVES)
		return yb_errf(err, "binding.too_many",
			       "at most %d relatives in one request",
			       YB_BIND_MAX_RELATIVES);
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = request_check(ctx, req, true, &who, err);
	yb_tx_rollback(ctx);
	if (rc < 0)
		return -1;
	for (int i = 0; i < req->nrows; i++) {
		yb_bind_result *res = &results[i];
		memset(res, 0, sizeof *res);
		yb_err_clear(&res->error);
		res->ok = bind_row(ctx, &who, &req->rows[i], &res->binding,
				   &res->error) == 0;
	}
	return 0;
}

int yb_unbind(yb_ctx *ctx, yb_id binding_id, const yb_bind_req *who_req,
	      yb_binding *out, yb_err *err)
{
	static const yb_bind_req web = { 0 };
	bind_who who;
	yb_time now = yb_ctx_now(ctx);
	bool open = false;
	int found, rc = -1;

	/* A person on the web names nothing but the binding. */
	if (!who_req)
		who_req = &web;
	if (yb_authorize(ctx, "binding.end", err) < 0)
		goto out;
	if (yb_tx_begin(ctx, true, err) < 0)
		goto out;
	open = true;
	if (request_check(ctx, who_req, false, &who, err) < 0)
		goto out;
	found = ctx->store->ops->binding_by_id(ctx->store, binding_id, out,
					       err);
	if (found < 0)
		goto out;
	if (found && out->authorizer_id != who.authorizer.id &&
	    out->relative_id == who.authorizer.id) {
		yb_errf(err, "auth.forbidden",
			"only the authorizer can end a binding");
		goto out;
	}
	if (!found || out->authorizer_id != who.authorizer.id) {
		yb_errf(err, "binding.not_found", "no binding %lld of yours",
			(long long)binding_id);
		goto out;
	}
	if (out->ended_at != 0) {
		rc = 0;
		goto out;
	}
	if (ctx->store->ops->binding_end(ctx->store, binding_id, now,
					 "authorizer", err) < 0)
		goto out;
	/* E3: told even though he ended it himself (another channel, an
	 * operator, someone with his password). */
	if (yb_notify_binding(ctx, out, YB_NOTE_BINDING_ENDED, "authorizer",
			      err) < 0)
		goto out;
	open = false;
	if (yb_audit_commit(ctx, "binding.end", "binding", binding_id,
			    err) < 0)
		goto out;
	out->ended_at = now;
	snprintf(out->end_reason, sizeof out->end_reason, "authorizer");
	rc = 0;
out:
	if (open)
		yb_tx_rollback(ctx);
	return rc;
}

typedef int (*bindings_page_fn)(yb_store *st, yb_id person_id,
				bool active_only, yb_id before, int limit,
				yb_binding **out, int *n, yb_err *err);

/* Every binding of one direction, all pages (a person has a handful). */
static int bindings_all(yb_ctx *ctx, bindings_page_fn page, yb_id pid,
			yb_binding **out, int *n, yb_err *err)
{
	yb_binding *all = NULL, *chunk = NULL, *grown;
	yb_id before = 0;
	int total = 0, got = 0, rc = -1;

	for (;;) {
		chunk = NULL;
		if (page(ctx->store, pid, false, before, 500, &chunk, &got,
			 err) < 0)
			goto out;
		if (got == 0)
			break;
		grown = realloc(all, (size_t)(total + got) * sizeof *all);
		if (!grown) {
			yb_errf(err, "out_of_memory", "out of memory");
			goto out;
		}
		all = grown;
		memcpy(all + total, chunk, (size_t)got * sizeof *all);
		total += got;
		before = chunk[got - 1].id;
		free(chunk);
		chunk = NULL;
		if (got < 500)
			break;
	}
	*out = all;
	*n = total;
	all = NULL;
	rc = 0;
out:
	free(chunk);
	free(all);
	return rc;
}

int yb_bindings_of(yb_ctx *ctx, yb_id person_id, yb_binding **authorized,
		   int *nauthorized, yb_binding **authorized_by,
		   int *nauthorized_by, yb_err *err)
{
	yb_person p;
	int found, rc = -1;

	*authorized = *authorized_by = NULL;
	*nauthorized = *nauthorized_by = 0;
	if (yb_authorize(ctx, "binding.list", err) < 0)
		return -1;
	if (ctx->actor.role == YB_ROLE_PERSON &&
	    person_id != ctx->actor.person_id)
		return yb_errf(err, "auth.forbidden",
			       "a person sees his own bindings only");
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = ctx->store->ops->person_by_id(ctx->store, person_id, &p, err);
	if (found < 0)
		goto out;
	if (!found) {
		yb_errf(err, "person.not_found", "no such person");
		goto out;
	}
	if (bindings_all(ctx, ctx->store->ops->bindings_of_authorizer,
			 person_id, authorized, nauthorized, err) < 0 ||
	    bindings_all(ctx, ctx->store->ops->bindings_of_relative,
			 person_id, authorized_by, nauthorized_by, err) < 0)
		goto out;
	/* family: E2 — each binding's monthly cap and this month's use */
	if (yb_famcap_describe(ctx, *authorized, *nauthorized, err) < 0 ||
	    yb_famcap_describe(ctx, *authorized_by, *nauthorized_by, err) < 0)
		goto out;
	rc = 0;
out:
	yb_tx_rollback(ctx);
	if (rc < 0) {
		free(*authorized);
		*authorized = NULL;
		*nauthorized = 0;
	}
	return rc;
}

/* ---- for E1 and E2 at an operator's desk (binding_int.h) ---------------- */

int yb_bind_desk_check(yb_ctx *ctx, const yb_bind_req *req,
		       yb_person *authorizer, yb_channel *channel,
		       char *materials, size_t size, yb_err *err)
{
	bind_who who;

	if (request_check(ctx, req, false, &who, err) < 0)
		return -1;
	*authorizer = who.authorizer;
	*channel = who.channel;
	snprintf(materials, size, "%s", who.materials);
	return 0;
}

int yb_bind_identify(yb_ctx *ctx, const char *ssn, const char *id_number,
		     yb_person *out, yb_err *err)
{
	return identify(ctx, ssn, id_number, out, err);
}
