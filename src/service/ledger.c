/*
 * ledger.c — contributions (SPEC A4) and the checks of the books: the
 * invariants of the balanced ledger (A1–A3) and the audit hash chain (X3).
 */
#include "service/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/money.h"
#include "service/person_int.h"

/* A4: the amounts are sane before anything is read or written. */
static int check_amounts(const yb_contribution_new *in, int64_t *total,
			 yb_err *err)
{
	if (!yb_money_valid(in->base_fen) || !yb_money_valid(in->employer_fen) ||
	    !yb_money_valid(in->personal_fen) ||
	    !yb_money_valid(in->account_credit_fen))
		return yb_errf(err, "contribution.invalid_amounts",
			       "amounts must be between 0 and %lld fen",
			       (long long)YB_MONEY_MAX);
	/* Both parts are ≤ YB_MONEY_MAX, so the sum cannot overflow. */
	*total = in->employer_fen + in->personal_fen;
	if (*total == 0)
		return yb_errf(err, "contribution.invalid_amounts",
			       "the employer and personal parts are both 0");
	if (in->account_credit_fen > *total)
		return yb_errf(err, "contribution.invalid_amounts",
			       "the account credit exceeds the contribution");
	return 0;
}

/* Append an entry unless it is zero (a posting has no empty lines). */
static void add_entry(yb_posting *p, yb_id account_id, int64_t fen)
{
	if (fen == 0)
		return;
	p->entries[p->n].account_id = account_id;
	p->entries[p->n].amount_fen = fen;
	p->n++;
}

/* Load a system account or fail: the schema makes them, so a missing one
 * means a broken database. */
static int system_account(yb_store *st, yb_account_kind kind, yb_account *out,
			  yb_err *err)
{
	int found = st->ops->account_system(st, kind, out, err);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "internal", "a system account is missing");
	return 0;
}

/* A4 and Q2: what can be refused before the transaction begins. */
static int request_check(yb_ctx *ctx, const yb_contribution_new *in,
			 int64_t *total, yb_err *err)
{
	if (yb_authorize(ctx, "contribution.post", err) < 0)
		return -1;
	if (!in->employer_code || !in->employer_code[0] ||
	    strlen(in->employer_code) >= YB_CODE_SZ)
		return yb_errf(err, "employer.not_found", "no such employer");
	/* Q2's counterpart: an employer posts for its own staff only. */
	if (ctx->actor.role == YB_ROLE_EMPLOYER &&
	    strcmp(ctx->actor.employer_code, in->employer_code) != 0)
		return yb_errf(err, "auth.forbidden",
			       "an employer posts only its own contributions");
	if (!in->period || !yb_period_valid(in->period))
		return yb_errf(err, "contribution.invalid_period",
			       "the period must be YYYY-MM");
	return check_amounts(in, total, err);
}

/* Inside the transaction: the person, the employer, and the person's
 * personal account (left as it is when he has none). */
static int parties_load(yb_ctx *ctx, const yb_contribution_new *in,
			yb_person *p, yb_employer *e, yb_account *personal,
			yb_err *err)
{
	yb_store *st = ctx->store;
	int found;

	if (yb_person_load(ctx, in->ssn, p, err) < 0)
		return -1;
	/* ... and for its own staff only: someone else's employee is, to an
	 * employer, nobody (the same answer as an unknown SSN, so that an
	 * employer's key cannot tell who is insured elsewhere). */
	if (ctx->actor.role == YB_ROLE_EMPLOYER &&
	    strcmp(p->employer_code, ctx->actor.employer_code) != 0)
		return yb_errf(err, "person.not_found", "no such employee");
	if (yb_employer_load(ctx, in->employer_code, e, err) < 0)
		return -1;
	found = st->ops->account_personal_of(st, p->id, personal, err);
	if (found < 0)
		return -1;
	if (in->account_credit_fen > 0 && (!found || personal->closed))
		return yb_errf(err, "contribution.no_account",
			       "the person has no open personal account");
	return 0;
}

/* The balanced posting: contribution income pays the account credit to the
 * personal account and the rest to the fund pool. */
static int posting_build(yb_store *st, const yb_contribution_new *in,
			 const yb_person *p, const yb_employer *e,
			 const yb_account *personal, int64_t total,
			 yb_posting *post, yb_err *err)
{
	yb_account income, fund;

	if (system_account(st, YB_ACC_CONTRIBUTION_INCOME, &income, err) < 0 ||
	    system_account(st, YB_ACC_FUND_POOL, &fund, err) < 0)
		return -1;
	memset(post, 0, sizeof *post);
	post->kind = "contribution";
	snprintf(post->ref, sizeof post->ref, "contribution:%s:%s:%s", p->ssn,
		 in->period, e->code);
	add_entry(post, income.id, -total);
	add_entry(post, personal->id, in->account_credit_fen);
	add_entry(post, fund.id, total - in->account_credit_fen);
	return 0;
}

static void contribution_fill(yb_contribution *c,
			      const yb_contribution_new *in,
			      const yb_person *p, const yb_employer *e,
			      yb_time now)
{
	memset(c, 0, sizeof *c);
	c->person_id = p->id;
	snprintf(c->ssn, sizeof c->ssn, "%s", p->ssn);
	snprintf(c->period, sizeof c->period, "%s", in->period);
	snprintf(c->employer_code, sizeof c->employer_code, "%s", e->code);
	c->base_fen = in->base_fen;
	c->employer_fen = in->employer_fen;
	c->personal_fen = in->personal_fen;
	c->account_credit_fen = in->account_credit_fen;
	c->created_at = now;
}

int yb_contribution_post(yb_ctx *ctx, const yb_contribution_new *in,
			 yb_contribution *out, yb_err *err)
{
	yb_store *st = ctx->store;
	yb_contribution c;
	yb_person p;
	yb_employer e;
	yb_account personal = { 0 };
	yb_posting post;
	int64_t total = 0;
	yb_time now = yb_ctx_now(ctx);
	char target[YB_TEXT_SZ];
	int rc = -1;

	if (request_check(ctx, in, &total, err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (parties_load(ctx, in, &p, &e, &personal, err) < 0 ||
	    posting_build(st, in, &p, &e, &personal, total, &post, err) < 0)
		goto out;
	contribution_fill(&c, in, &p, &e, now);
	/* A4: the store refuses a second (person, period, employer) with
	 * contribution.duplicate; the posting is rolled back with it, so it
	 * is never credited twice. */
	if (st->ops->ledger_post(st, &post, now, &c.ledger_txn_id, err) < 0 ||
	    st->ops->contribution_insert(st, &c, err) < 0)
		goto out;
	snprintf(target, sizeof target, "contribution:%lld", (long long)c.id);
	if (yb_audit(ctx, "contribution.post", target, "ok", err) < 0)
		goto out;
	if (out)
		*out = c;
	rc = 0;
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_ledger_check(yb_ctx *ctx, yb_ledger_report *out, bool *ok,
		    yb_err *err)
{
	int rc;

	if (yb_authorize(ctx, "ledger.check", err) < 0 ||
	    yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = ctx->store->ops->ledger_check(ctx->store, out, err);
	if (yb_tx_end(ctx, rc, err) < 0)
		return -1;
	*ok = out->sum_balances_fen == 0 && out->sum_entries_fen == 0 &&
	      out->unbalanced_transactions == 0 &&
	      out->mismatched_accounts == 0 && out->negative_personal == 0 &&
	      out->dangling_refs == 0;
	return 0;
}

/*
 * The walk over the chains, in seq order: where each chain is and the
 * first problem seen.  Chain 0 (SQLite's one chain, and the records a
 * PostgreSQL database held before it had several) numbers its records
 * 1, 2, 3, ...; chains 1..N (pgha) share one sequence, so their numbers
 * only rise.  Either way each record carries the previous one's hash
 * and its own; a changed, removed or moved record breaks a link.
 */
typedef struct chain_state {
	yb_id last_seq;
	char last_hash[YB_HASH_HEX_SZ];
} chain_state;

typedef struct verify_state {
	yb_audit_report *rep;
	chain_state chain[YB_AUDIT_MAX_CHAINS];
} verify_state;

static void verify_fail(verify_state *vs, yb_id seq, const char *problem)
{
	vs->rep->ok = false;
	vs->rep->first_bad_seq = seq;
	snprintf(vs->rep->problem, sizeof vs->rep->problem, "%s", problem);
}

static int verify_visit(void *arg, const yb_audit_record *rec, yb_err *err)
{
	verify_state *vs = arg;
	yb_audit_record again;
	chain_state *cs;

	(void)err;
	vs->rep->records++;
	/* After the first problem only count: the rest of the chain hangs
	 * on a link that is already broken. */
	if (!vs->rep->ok)
		return 0;
	if (rec->chain < 0 || rec->chain >= YB_AUDIT_MAX_CHAINS) {
		verify_fail(vs, rec->seq, "the record names no chain");
		return 0;
	}
	cs = &vs->chain[rec->chain];
	if (rec->chain == 0 ? rec->seq != cs->last_seq + 1
			    : rec->seq <= cs->last_seq) {
		verify_fail(vs, rec->seq, "sequence numbers are not contiguous");
		return 0;
	}
	if (strcmp(rec->prev_hash, cs->last_hash) != 0) {
		verify_fail(vs, rec->seq,
			    "prev_hash does not match the previous record");
		return 0;
	}
	again = *rec;
	yb_audit_hash(&again);
	if (strcmp(again.hash, rec->hash) != 0) {
		verify_fail(vs, rec->seq,
			    "the record does not match its hash");
		return 0;
	}
	cs->last_seq = rec->seq;
	snprintf(cs->last_hash, sizeof cs->last_hash, "%s", rec->hash);
	return 0;
}

/* pgha: each chain must end where the engine recorded its head (a
 * removed tail leaves no broken link behind it). */
static int verify_heads(yb_ctx *ctx, verify_state *vs, yb_err *err)
{
	yb_audit_head *h = NULL;
	int n = 0;

	if (ctx->store->ops->audit_heads(ctx->store, &h, &n, err) < 0)
		return -1;
	for (int i = 0; i < n && vs->rep->ok; i++) {
		const chain_state *cs;

		if (h[i].chain < 0 || h[i].chain >= YB_AUDIT_MAX_CHAINS)
			continue;
		cs = &vs->chain[h[i].chain];
		if (cs->last_seq != h[i].seq ||
		    (h[i].seq != 0 && strcmp(cs->last_hash, h[i].hash) != 0))
			verify_fail(vs, cs->last_seq > h[i].seq ? cs->last_seq
								 : h[i].seq,
				    "a chain does not end at its recorded head");
	}
	free(h);
	return 0;
}

int yb_audit_verify(yb_ctx *ctx, yb_audit_report *out, yb_err *err)
{
	verify_state *vs;
	int rc;

	if (yb_authorize(ctx, "audit.verify", err) < 0)
		return -1;
	memset(out, 0, sizeof *out);
	out->ok = true;
	vs = calloc(1, sizeof *vs);
	if (!vs)
		return yb_errf(err, "out_of_memory", "out of memory");
	vs->rep = out;
	/* The first record of a chain chains from 64 zeros (see yb_audit). */
	for (int c = 0; c < YB_AUDIT_MAX_CHAINS; c++)
		memset(vs->chain[c].last_hash, '0', YB_HASH_HEX_SZ - 1);
	rc = yb_tx_begin(ctx, false, err);
	if (rc == 0) {
		rc = ctx->store->ops->audit_scan(ctx->store, verify_visit, vs,
						 err);
		if (rc == 0 && out->ok)
			rc = verify_heads(ctx, vs, err);
		rc = yb_tx_end(ctx, rc, err);
	}
	free(vs);
	return rc;
}

int yb_audit_list(yb_ctx *ctx, yb_id before, int limit,
		  yb_audit_record **out, int *n, yb_err *err)
{
	int rc;

	*out = NULL;
	*n = 0;
	if (yb_authorize(ctx, "audit.list", err) < 0 ||
	    yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = ctx->store->ops->audit_list(ctx->store, before, limit, out, n,
					 err);
	if (yb_tx_end(ctx, rc, err) < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}
