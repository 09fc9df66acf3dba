/*
 * person.c — the register of insured persons and their employers (SPEC
 * P1–P4, U2–U4): registration with the personal account the scheme
 * carries, suspension and resumption, termination (which also cancels the
 * card, ends the bindings and closes the account in the same
 * transaction), the portal password, and employers.
 */
#include "service/person_int.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/enums.h"
#include "core/idnum.h"
#include "core/mask.h"
#include "service/notify.h"

#define PASSWORD_MIN 8
#define PASSWORD_MAX 128

/* Copy a validated, length-checked string into a fixed field. */
static void set_field(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* 1..size-1 bytes of printable UTF-8: the rule for names and codes'
 * human labels. */
static bool text_fits(const char *s, size_t size)
{
	size_t len;

	if (!s)
		return false;
	len = strlen(s);
	return len > 0 && len < size && yb_utf8_valid_text(s);
}

int yb_person_insert_new(yb_ctx *ctx, const yb_person_new *in,
			 yb_person *out, yb_err *err)
{
	yb_store *st = ctx->store;
	const char *region;
	yb_person p;
	yb_idnum idn;
	yb_scheme scheme;
	yb_time now = yb_ctx_now(ctx);
	char target[YB_TEXT_SZ];

	memset(&p, 0, sizeof p);
	if (!in->ssn || !yb_ssn_valid(in->ssn))
		return yb_errf(err, "person.invalid_ssn",
			       "the SSN must be 7 to 12 digits");
	if (!in->id_number)
		return yb_errf(err, "person.invalid_id_number",
			       "the ID number is missing");
	if (yb_idnum_parse(in->id_number, yb_date_of(now), &idn, err) < 0)
		return -1;
	if (!text_fits(in->name, YB_NAME_SZ))
		return yb_errf(err, "person.invalid_name",
			       "the name must be 1 to %d bytes of UTF-8 text",
			       YB_NAME_SZ - 1);
	if (!in->scheme || !yb_scheme_from_str(in->scheme, &scheme))
		return yb_errf(err, "person.invalid_scheme",
			       "unknown scheme (employee_tier1, employee_tier2 "
			       "or resident)");
	region = in->region && in->region[0] ? in->region
					     : ctx->settings->region;
	if (!yb_region_valid(region))
		return yb_errf(err, "person.invalid_region",
			       "the region must be 6 digits");
	if (in->employer_code && in->employer_code[0]) {
		yb_employer e;
		if (yb_employer_load(ctx, in->employer_code, &e, err) < 0)
			return -1;
		set_field(p.employer_code, sizeof p.employer_code, e.code);
	}

	set_field(p.ssn, sizeof p.ssn, in->ssn);
	set_field(p.id_number, sizeof p.id_number, idn.normalized);
	set_field(p.name, sizeof p.name, in->name);
	set_field(p.region, sizeof p.region, region);
	p.sex = idn.sex;
	p.birth_date = idn.birth_date;
	p.scheme = scheme;
	p.status = YB_STATUS_ACTIVE;
	p.term_reason = YB_TERM_NONE;
	p.created_at = now;
	p.updated_at = now;
	if (st->ops->person_insert(st, &p, err) < 0)
		return -1;

	/* P2: only the schemes the setting names carry a personal account. */
	if (ctx->settings->scheme_has_account[scheme]) {
		yb_account a;
		memset(&a, 0, sizeof a);
		a.kind = YB_ACC_PERSONAL;
		a.person_id = p.id;
		a.created_at = now;
		if (st->ops->account_insert(st, &a, err) < 0)
			return -1;
	}

	snprintf(target, sizeof target, "person:%s", p.ssn);
	if (yb_audit(ctx, "person.register", target, "ok", err) < 0)
		return -1;
	if (out)
		*out = p;
	return 0;
}

int yb_person_register(yb_ctx *ctx, const yb_person_new *in, yb_person *out,
		       yb_err *err)
{
	int rc;

	if (yb_authorize(ctx, "person.register", err) < 0 ||
	    yb_tx_begin(ctx, true, err) < 0)
		return -1;
	rc = yb_person_insert_new(ctx, in, out, err);
	return yb_tx_end(ctx, rc, err);
}

int yb_person_load(yb_ctx *ctx, const char *ssn, yb_person *out, yb_err *err)
{
	int found = 0;

	if (ssn && yb_ssn_valid(ssn))
		found = ctx->store->ops->person_by_ssn(ctx->store, ssn, out,
						       err);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "person.not_found", "no such person");
	return 0;
}

/* The account and newest card beside a loaded person, in the open
 * transaction. */
static int fill_view(yb_store *st, yb_person_view *out, yb_err *err)
{
	int found;

	found = st->ops->account_personal_of(st, out->person.id,
					     &out->account, err);
	if (found < 0)
		return -1;
	out->has_account = found;
	found = st->ops->card_latest_of(st, out->person.id, &out->card, err);
	if (found < 0)
		return -1;
	out->has_card = found;
	return 0;
}

int yb_person_get(yb_ctx *ctx, const char *key, yb_person_view *out,
		  yb_err *err)
{
	yb_store *st;
	int rc = -1, found;

	if (yb_authorize(ctx, "person.get", err) < 0)
		return -1;
	memset(out, 0, sizeof *out);
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	st = ctx->store;        /* after begin: perhaps the standby's */
	if (key && strlen(key) == YB_IDNUM_SZ - 1) {
		char norm[YB_IDNUM_SZ];
		set_field(norm, sizeof norm, key);
		if (norm[YB_IDNUM_SZ - 2] == 'x')
			norm[YB_IDNUM_SZ - 2] = 'X';
		found = st->ops->person_by_id_number(st, norm, &out->person,
						     err);
		if (found == 0)
			yb_errf(err, "person.not_found", "no such person");
		if (found <= 0)
			goto out;
	} else if (yb_person_load(ctx, key, &out->person, err) < 0) {
		goto out;
	}
	rc = fill_view(st, out, err);
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_person_self(yb_ctx *ctx, yb_person_view *out, yb_err *err)
{
	yb_store *st;
	int rc = -1, found;

	if (yb_authorize(ctx, "inquiry.self", err) < 0)
		return -1;
	memset(out, 0, sizeof *out);
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	st = ctx->store;        /* after begin: perhaps the standby's */
	found = st->ops->person_by_id(st, ctx->actor.person_id, &out->person,
				      err);
	if (found == 0)
		yb_errf(err, "person.not_found", "no such person");
	if (found > 0)
		rc = fill_view(st, out, err);
	return yb_tx_end(ctx, rc, err);
}

/*
 * P3: move between active and suspended.  Asking for the state the person
 * is already in changes nothing and writes no audit record; a terminated
 * person stays terminated.
 */
static int set_active(yb_ctx *ctx, const char *action, const char *ssn,
		      yb_status to, yb_person *out, yb_err *err)
{
	yb_store *st = ctx->store;
	yb_person p;
	char target[YB_TEXT_SZ];
	yb_time now = yb_ctx_now(ctx);
	int rc = -1;

	if (yb_authorize(ctx, action, err) < 0 ||
	    yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (yb_person_load(ctx, ssn, &p, err) < 0)
		goto out;
	if (p.status == YB_STATUS_TERMINATED) {
		yb_errf(err, "person.already_terminated",
			"the person is terminated");
		goto out;
	}
	if (p.status != to) {
		if (st->ops->person_set_status(st, p.id, to, YB_TERM_NONE, now,
					       err) < 0)
			goto out;
		snprintf(target, sizeof target, "person:%s", p.ssn);
		if (yb_audit(ctx, action, target, "ok", err) < 0)
			goto out;
		p.status = to;
		p.updated_at = now;
	}
	if (out)
		*out = p;
	rc = 0;
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_person_suspend(yb_ctx *ctx, const char *ssn, yb_person *out,
		      yb_err *err)
{
	return set_active(ctx, "person.suspend", ssn, YB_STATUS_SUSPENDED, out,
			  err);
}

int yb_person_resume(yb_ctx *ctx, const char *ssn, yb_person *out,
		     yb_err *err)
{
	return set_active(ctx, "person.resume", ssn, YB_STATUS_ACTIVE, out,
			  err);
}

/* Cancel one card (C6), if it is in one of the `states` (a bit mask). */
static int cancel_card_if(yb_store *st, yb_card *c, unsigned states,
			  yb_time now, yb_err *err)
{
	if (!(states & (1u << c->state)))
		return 0;
	c->state = YB_CARD_CANCELLED;
	c->updated_at = now;
	return st->ops->card_update(st, c, err);
}

/* C6: cancel the person's valid card and a lost one left as his latest,
 * so that no card of a terminated person can be used or reported. */
static int cancel_cards(yb_ctx *ctx, yb_id person_id, yb_time now,
			yb_err *err)
{
	yb_store *st = ctx->store;
	yb_card c;
	int found;

	found = st->ops->card_valid_of(st, person_id, &c, err);
	if (found < 0 ||
	    (found && cancel_card_if(st, &c, ~0u, now, err) < 0))
		return -1;
	found = st->ops->card_latest_of(st, person_id, &c, err);
	if (found < 0 ||
	    (found && cancel_card_if(st, &c, 1u << YB_CARD_LOST, now,
				     err) < 0))
		return -1;
	return 0;
}

/* P4: move the whole balance to the closed-account liability (A1: one
 * balanced ledger transaction) and close the account. */
static int close_account(yb_ctx *ctx, const yb_person *p, yb_time now,
			 yb_err *err)
{
	yb_store *st = ctx->store;
	yb_account acc, liab;
	yb_posting post;
	yb_id txn;
	int found;

	found = st->ops->account_personal_of(st, p->id, &acc, err);
	if (found <= 0)
		return found;
	/* Lock, then read again: on PostgreSQL a balance read without the
	 * row lock may be older than a settlement committing right now, and
	 * the closure must move exactly what is there (A2, P4). */
	if (st->ops->account_lock(st, &acc.id, 1, err) < 0 ||
	    st->ops->account_by_id(st, acc.id, &acc, err) < 0)
		return -1;
	if (acc.closed)
		return 0;
	if (acc.balance_fen != 0) {
		found = st->ops->account_system(st, YB_ACC_CLOSED_LIABILITY,
						&liab, err);
		if (found < 0)
			return -1;
		if (!found)
			return yb_errf(err, "internal",
				       "no closed-account liability account");
		memset(&post, 0, sizeof post);
		post.kind = "account_closure";
		snprintf(post.ref, sizeof post.ref, "person:%s", p->ssn);
		post.n = 2;
		post.entries[0].account_id = acc.id;
		post.entries[0].amount_fen = -acc.balance_fen;
		post.entries[1].account_id = liab.id;
		post.entries[1].amount_fen = acc.balance_fen;
		if (st->ops->ledger_post(st, &post, now, &txn, err) < 0)
			return -1;
	}
	return st->ops->account_set_closed(st, acc.id, now, err);
}

int yb_person_terminate(yb_ctx *ctx, const char *ssn, const char *reason,
			yb_person *out, yb_err *err)
{
	yb_store *st = ctx->store;
	yb_person p;
	yb_term_reason why;
	char target[YB_TEXT_SZ];
	yb_time now = yb_ctx_now(ctx);
	int ended, rc = -1;

	if (yb_authorize(ctx, "person.terminate", err) < 0)
		return -1;
	if (!reason || !yb_term_reason_from_str(reason, &why) ||
	    why == YB_TERM_NONE)
		return yb_errf(err, "person.invalid_reason",
			       "reason must be emigrated, transferred_out "
			       "or deceased");
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (yb_person_load(ctx, ssn, &p, err) < 0)
		goto out;
	if (p.status == YB_STATUS_TERMINATED) {
		yb_errf(err, "person.already_terminated",
			"the person is already terminated");
		goto out;
	}
	/* F8: either party's termination ends the binding; E3: each
	 * authorizer is told (before they end: the list is of active ones). */
	if (cancel_cards(ctx, p.id, now, err) < 0 ||
	    yb_notify_bindings_ending(ctx, p.id, "terminated", err) < 0 ||
	    st->ops->bindings_end_all_of(st, p.id, now, "terminated", &ended,
					 err) < 0 ||
	    close_account(ctx, &p, now, err) < 0 ||
	    st->ops->person_set_status(st, p.id, YB_STATUS_TERMINATED, why,
				       now, err) < 0)
		goto out;
	snprintf(target, sizeof target, "person:%s", p.ssn);
	if (yb_audit(ctx, "person.terminate", target, "ok", err) < 0)
		goto out;
	p.status = YB_STATUS_TERMINATED;
	p.term_reason = why;
	p.updated_at = now;
	if (out)
		*out = p;
	rc = 0;
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_person_set_password(yb_ctx *ctx, const char *ssn,
			   const char *password, yb_err *err)
{
	if (yb_authorize(ctx, "person.set_password", err) < 0)
		return -1;
	return yb_person_password_replace(ctx, ssn, password, NULL, err);
}

int yb_person_password_replace(yb_ctx *ctx, const char *ssn,
			       const char *password, const char *keep_hash,
			       yb_err *err)
{
	yb_person p;
	char hash[crypto_pwhash_STRBYTES];
	char target[YB_TEXT_SZ];
	size_t len;
	int rc = -1;

	len = password ? strlen(password) : 0;
	if (len < PASSWORD_MIN)
		return yb_errf(err, "auth.weak_password",
			       "the password must be at least %d bytes",
			       PASSWORD_MIN);
	if (len > PASSWORD_MAX)
		return yb_errf(err, "request.invalid_field",
			       "the password must be at most %d bytes",
			       PASSWORD_MAX);
	/* Hash before the transaction: Argon2id takes a while and must not
	 * hold the write lock. */
	if (sodium_init() < 0)
		return yb_errf(err, "internal", "libsodium failed to start");
	if (crypto_pwhash_str(hash, password, len,
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return yb_errf(err, "out_of_memory",
			       "no memory to hash the password");
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	/* issue 14: a new password ends the person's sessions (but the one
	 * he changed it from), in the same transaction. */
	if (yb_person_load(ctx, ssn, &p, err) < 0 ||
	    ctx->store->ops->person_set_password(ctx->store, p.id, hash,
						 err) < 0 ||
	    ctx->store->ops->sessions_end_person(ctx->store, p.id, keep_hash,
						 err) < 0)
		goto out;
	snprintf(target, sizeof target, "person:%s", p.ssn);
	rc = yb_audit(ctx, "person.set_password", target, "ok", err);
out:
	return yb_tx_end(ctx, rc, err);
}

/* Employer codes: 1..32 of letters, digits, '-' and '_' (they appear in
 * URLs and CSV files). */
static bool employer_code_valid(const char *code)
{
	size_t len = code ? strlen(code) : 0;

	if (len == 0 || len >= YB_CODE_SZ)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = code[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		      (c >= 'a' && c <= 'z') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

int yb_employer_register(yb_ctx *ctx, const char *code, const char *name,
			 yb_employer *out, yb_err *err)
{
	yb_employer e;
	char target[YB_TEXT_SZ];
	int rc = -1;

	if (yb_authorize(ctx, "employer.register", err) < 0)
		return -1;
	if (!employer_code_valid(code))
		return yb_errf(err, "employer.invalid_code",
			       "the code must be 1 to %d letters, digits, "
			       "'-' or '_'", YB_CODE_SZ - 1);
	if (!text_fits(name, YB_NAME_SZ))
		return yb_errf(err, "request.invalid_field",
			       "the name must be 1 to %d bytes of UTF-8 text",
			       YB_NAME_SZ - 1);
	memset(&e, 0, sizeof e);
	set_field(e.code, sizeof e.code, code);
	set_field(e.name, sizeof e.name, name);
	e.created_at = yb_ctx_now(ctx);
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (ctx->store->ops->employer_insert(ctx->store, &e, err) < 0)
		goto out;
	snprintf(target, sizeof target, "employer:%s", e.code);
	if (yb_audit(ctx, "employer.register", target, "ok", err) < 0)
		goto out;
	if (out)
		*out = e;
	rc = 0;
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_employer_load(yb_ctx *ctx, const char *code, yb_employer *out,
		     yb_err *err)
{
	int found = 0;

	if (employer_code_valid(code))
		found = ctx->store->ops->employer_by_code(ctx->store, code,
							  out, err);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "employer.not_found", "no such employer");
	return 0;
}

int yb_employer_get(yb_ctx *ctx, const char *code, yb_employer *out,
		    yb_err *err)
{
	int rc;

	if (yb_authorize(ctx, "employer.get", err) < 0 ||
	    yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = yb_employer_load(ctx, code, out, err);
	return yb_tx_end(ctx, rc, err);
}
