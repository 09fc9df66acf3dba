/*
 * premium.c — SPEC E1: an authorizer pays a relative's resident premium
 * for a year from his personal account.  The rules (which year is open,
 * for how much; the F9 floor) are core/family.c; this file checks who may
 * pay for whom and posts everything in one transaction:
 *   authorizer's personal account   −amount
 *   contribution income             +amount
 * plus the relative's contribution record (period "YYYY", under the
 * pseudo-employer "resident:premium", whose ':' no real employer code
 * may contain) and the premium record that says who paid.
 */
#include "service/premium.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "core/family.h"
#include "service/binding_int.h"
#include "service/notify.h"

/* The contribution records of premiums paid for relatives carry this
 * employer code (person.c refuses ':' in real ones). */
#define PREMIUM_EMPLOYER "resident:premium"

static bool request_id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n >= YB_REQUEST_ID_SZ)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return false;
	}
	return true;
}

static int req_check(const yb_premium_req *req, yb_err *err)
{
	if (!req->relative_ssn || !req->client_request_id)
		return yb_errf(err, "request.missing_field",
			       "relative_ssn, year and client_request_id are "
			       "required");
	if (req->year < YB_PREMIUM_YEAR_MIN ||
	    req->year >= YB_PREMIUM_YEAR_MIN + YB_PREMIUM_YEARS)
		return yb_errf(err, "premium.invalid_year", "year: %d to %d",
			       YB_PREMIUM_YEAR_MIN,
			       YB_PREMIUM_YEAR_MIN + YB_PREMIUM_YEARS - 1);
	if (!request_id_ok(req->client_request_id))
		return yb_errf(err, "request.invalid_field",
			       "client_request_id: 1 to %d characters of "
			       "A-Z a-z 0-9 - _ .", YB_REQUEST_ID_SZ - 1);
	return 0;
}

/* The payer: the person himself, or the one an operator names with the
 * channel's materials; p->channel, materials and operator are filled. */
static int payer_of(yb_ctx *ctx, const yb_premium_req *req, yb_person *p,
		    yb_account *acc, yb_premium *rec, yb_err *err)
{
	int found;

	if (yb_bind_desk_check(ctx, &req->desk, p, &rec->channel,
			       rec->materials_json, sizeof rec->materials_json,
			       err) < 0)
		return -1;
	if (ctx->actor.role != YB_ROLE_PERSON)
		snprintf(rec->operator_id, sizeof rec->operator_id, "%s",
			 ctx->actor.id);
	if (p->status != YB_STATUS_ACTIVE ||
	    !ctx->settings->scheme_has_account[p->scheme] ||
	    strcmp(p->region, ctx->settings->region) != 0)
		return yb_errf(err, "premium.authorizer_not_eligible",
			       "the payer must be actively insured in this "
			       "region in a scheme with a personal account");
	found = ctx->store->ops->account_personal_of(ctx->store, p->id, acc,
						     err);
	if (found < 0)
		return -1;
	if (!found || acc->closed)
		return yb_errf(err, "premium.authorizer_not_eligible",
			       "the payer has no open personal account");
	return 0;
}

/* No active binding: at an operator's desk the materials prove the
 * relationship (F5), as they would for a binding — the relative's ID
 * card (his ID number, matching his SSN) and a relationship of F3's
 * set; anyone else is refused premium.not_bound. */
static int relation_by_materials(yb_ctx *ctx, const yb_premium_req *req,
				 const yb_person *payer, yb_person *rel,
				 yb_relationship *r, yb_err *err)
{
	if (ctx->actor.role == YB_ROLE_PERSON || !req->relationship ||
	    !req->relative_id_number)
		return yb_errf(err, "premium.not_bound",
			       "the relative is not bound to this account%s",
			       ctx->actor.role == YB_ROLE_PERSON ? ""
			       : " (without a binding, name the relationship "
				 "and the relative's ID number)");
	if (yb_bind_identify(ctx, req->relative_ssn, req->relative_id_number,
			     rel, err) < 0)
		return -1;
	if (rel->id == payer->id)
		return yb_errf(err, "binding.self",
			       "one cannot pay as one's own relative");
	if (!yb_relationship_from_str(req->relationship, r) ||
	    *r >= YB_REL__N || !ctx->settings->relationship_allowed[*r])
		return yb_errf(err, "binding.relationship_not_allowed",
			       "relationship %s is not one that may be bound "
			       "here", req->relationship);
	return 0;
}

/* The relative: related to the payer (an active binding, or the
 * materials at a desk) and insured, or registering, in this region's
 * resident scheme.  rec->binding_id and rec->relationship are filled. */
static int relative_of(yb_ctx *ctx, const yb_premium_req *req,
		       const yb_person *payer, yb_person *rel,
		       yb_premium *rec, yb_err *err)
{
	yb_payer_candidate c[64];
	int n = 0, found;

	found = ctx->store->ops->person_by_ssn(ctx->store, req->relative_ssn,
					       rel, err);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "person.not_found", "no such relative");
	if (ctx->store->ops->payer_candidates(ctx->store, rel->id, c, 64, &n,
					      err) < 0)
		return -1;
	rec->binding_id = 0;
	for (int i = 0; i < n; i++)
		if (c[i].person_id == payer->id) {
			rec->binding_id = c[i].binding_id;
			rec->relationship = c[i].relationship;
		}
	if (!rec->binding_id &&
	    relation_by_materials(ctx, req, payer, rel, &rec->relationship,
				  err) < 0)
		return -1;
	if (rel->scheme != YB_SCHEME_RESIDENT ||
	    rel->status == YB_STATUS_TERMINATED ||
	    strcmp(rel->region, ctx->settings->region) != 0)
		return yb_errf(err, "premium.relative_not_resident",
			       "the relative is not in this region's resident "
			       "scheme");
	return 0;
}

static int premium_employer(yb_ctx *ctx, yb_err *err)
{
	yb_employer e;
	int found = ctx->store->ops->employer_by_code(ctx->store,
						      PREMIUM_EMPLOYER, &e, err);

	if (found != 0)
		return found < 0 ? -1 : 0;
	memset(&e, 0, sizeof e);
	snprintf(e.code, sizeof e.code, "%s", PREMIUM_EMPLOYER);
	snprintf(e.name, sizeof e.name, "居民医保个人缴费（亲属代缴）");
	e.created_at = yb_ctx_now(ctx);
	return ctx->store->ops->employer_insert(ctx->store, &e, err);
}

/* The money and the records, once every check has passed. */
static int premium_post(yb_ctx *ctx, const yb_account *acc,
			yb_premium *p, yb_err *err)
{
	yb_account income, now;
	yb_contribution c;
	yb_posting post;
	yb_id ids[2];
	int found;

	found = ctx->store->ops->account_system(
		ctx->store, YB_ACC_CONTRIBUTION_INCOME, &income, err);
	if (found <= 0)
		return found < 0 ? -1 : yb_errf(err, "store.corrupt",
						"no contribution income account");
	ids[0] = acc->id < income.id ? acc->id : income.id;
	ids[1] = acc->id < income.id ? income.id : acc->id;
	if (ctx->store->ops->account_lock(ctx->store, ids, 2, err) < 0)
		return -1;
	found = ctx->store->ops->account_by_id(ctx->store, acc->id, &now, err);
	if (found <= 0)
		return found < 0 ? -1 : yb_errf(err, "store.corrupt", "account");
	if (yb_premium_affordable(now.balance_fen,
				  ctx->settings->share_floor_fen,
				  p->amount_fen, err) < 0)
		return -1;
	memset(&post, 0, sizeof post);
	post.kind = "premium";
	snprintf(post.ref, sizeof post.ref, "premium:%s/%d", p->relative_ssn,
		 p->year);
	post.n = 2;
	post.entries[0].account_id = acc->id;
	post.entries[0].amount_fen = -p->amount_fen;
	post.entries[1].account_id = income.id;
	post.entries[1].amount_fen = p->amount_fen;
	if (ctx->store->ops->ledger_post(ctx->store, &post, p->created_at,
					 &p->ledger_txn_id, err) < 0 ||
	    premium_employer(ctx, err) < 0)
		return -1;
	memset(&c, 0, sizeof c);
	c.person_id = p->relative_id;
	snprintf(c.ssn, sizeof c.ssn, "%s", p->relative_ssn);
	snprintf(c.period, sizeof c.period, "%d", p->year);
	snprintf(c.employer_code, sizeof c.employer_code, PREMIUM_EMPLOYER);
	c.personal_fen = p->amount_fen;
	c.ledger_txn_id = p->ledger_txn_id;
	c.created_at = p->created_at;
	if (ctx->store->ops->contribution_insert(ctx->store, &c, err) < 0) {
		if (err && err->code &&
		    strcmp(err->code, "contribution.duplicate") == 0)
			yb_errf(err, "premium.already_paid",
				"%d is already paid for this relative", p->year);
		return -1;
	}
	p->contribution_id = c.id;
	return ctx->store->ops->premium_insert(ctx->store, p, err);
}

/* An earlier payment with the same client request id: the same one again
 * (1: *out filled) or a conflict. */
static int premium_repeat(yb_ctx *ctx, const yb_person *payer,
			  const yb_premium_req *req, yb_premium *out,
			  yb_err *err)
{
	int found = ctx->store->ops->premium_by_request(
		ctx->store, payer->id, req->client_request_id, out, err);

	if (found <= 0)
		return found;
	if (strcmp(out->relative_ssn, req->relative_ssn) != 0 ||
	    out->year != req->year)
		return yb_errf(err, "premium.request_id_reused",
			       "client_request_id was used for another payment");
	return 1;
}

/* Everything the record says, once payer and relative are known. */
static void fill(yb_premium *out, const yb_premium_req *req,
		 const yb_person *payer, const yb_person *rel, yb_time now)
{
	out->relative_id = rel->id;
	snprintf(out->relative_ssn, sizeof out->relative_ssn, "%s", rel->ssn);
	snprintf(out->relative_name, sizeof out->relative_name, "%s",
		 rel->name);
	out->year = (int)req->year;
	out->payer_id = payer->id;
	snprintf(out->payer_ssn, sizeof out->payer_ssn, "%s", payer->ssn);
	snprintf(out->payer_name, sizeof out->payer_name, "%s", payer->name);
	snprintf(out->client_request_id, sizeof out->client_request_id, "%s",
		 req->client_request_id);
	out->created_at = now;
}

static int pay_once(yb_ctx *ctx, const yb_premium_req *req, yb_premium *out,
		    bool *repeat, yb_err *err)
{
	yb_person payer, rel;
	yb_account acc;
	yb_premium prev;
	char target[YB_TEXT_SZ];
	int found, rc = -1;

	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	memset(out, 0, sizeof *out);
	if (payer_of(ctx, req, &payer, &acc, out, err) < 0)
		goto out;
	found = premium_repeat(ctx, &payer, req, &prev, err);
	if (found != 0) {
		*repeat = found > 0;
		if (found > 0)
			*out = prev;
		yb_tx_rollback(ctx);
		return found > 0 ? 0 : -1;
	}
	if (yb_premium_due(ctx->settings, (int)req->year, yb_ctx_today(ctx),
			   &out->amount_fen, err) < 0 ||
	    relative_of(ctx, req, &payer, &rel, out, err) < 0)
		goto out;
	found = ctx->store->ops->premium_by_relative_year(
		ctx->store, rel.id, (int)req->year, &prev, err);
	if (found < 0)
		goto out;
	if (found) {
		yb_errf(err, "premium.already_paid",
			"%d is already paid for this relative", (int)req->year);
		goto out;
	}
	fill(out, req, &payer, &rel, yb_ctx_now(ctx));
	if (premium_post(ctx, &acc, out, err) < 0)
		goto out;
	snprintf(target, sizeof target, "premium:%lld relative:%s year:%d",
		 (long long)out->id, rel.ssn, out->year);
	/* E3: the authorizer is told of the payment, in this transaction. */
	if (yb_notify_premium_paid(ctx, out->payer_id, &rel, out->relationship,
				   out->year, out->amount_fen, target,
				   err) < 0)
		goto out;
	if (yb_audit(ctx, "premium.pay", target, "ok", err) < 0)
		goto out;
	rc = 0;
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_premium_pay(yb_ctx *ctx, const yb_premium_req *req, yb_premium *out,
		   bool *repeat, yb_err *err)
{
	bool dummy;
	int rc;

	if (!repeat)
		repeat = &dummy;
	*repeat = false;
	if (yb_authorize(ctx, "premium.pay", err) < 0 || req_check(req, err) < 0)
		return -1;
	rc = pay_once(ctx, req, out, repeat, err);
	/* Two requests with the same id at once (PostgreSQL): the loser's
	 * insert fails on a unique index (the year's or the request id's);
	 * once more finds the winner as a repeat, or refuses as before. */
	if (rc < 0 && err && err->code &&
	    (strcmp(err->code, "premium.request_id_reused") == 0 ||
	     strcmp(err->code, "premium.already_paid") == 0))
		rc = pay_once(ctx, req, out, repeat, err);
	return rc;
}

int yb_my_premiums(yb_ctx *ctx, yb_id before, int limit, yb_premium **out,
		   int *n, yb_err *err)
{
	int rc;

	*out = NULL;
	*n = 0;
	if (yb_authorize(ctx, "inquiry.self", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = ctx->store->ops->premiums_of_payer(ctx->store, ctx->actor.person_id,
						before, limit, out, n, err);
	yb_tx_rollback(ctx);
	return rc;
}

int yb_premium_years(yb_ctx *ctx, yb_premium_year **out, int *n, yb_err *err)
{
	const yb_settings *s = ctx->settings;
	yb_date today = yb_ctx_today(ctx);
	int count = 0;

	*out = NULL;
	*n = 0;
	if (yb_authorize(ctx, "premium.years", err) < 0)
		return -1;
	*out = calloc(YB_PREMIUM_YEARS, sizeof **out);
	if (!*out)
		return yb_errf(err, "out_of_memory", "out of memory");
	for (int i = 0; i < YB_PREMIUM_YEARS; i++) {
		yb_premium_year *y = &(*out)[count];

		if (s->resident_premium_fen[i] <= 0)
			continue;
		y->year = YB_PREMIUM_YEAR_MIN + i;
		y->amount_fen = s->resident_premium_fen[i];
		yb_premium_window(s, y->year, &y->opens_on, &y->closes_on);
		y->open = today >= y->opens_on && today <= y->closes_on;
		count++;
	}
	*n = count;
	return 0;
}
