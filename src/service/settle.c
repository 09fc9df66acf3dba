/*
 * settle.c — designated institutions (S1) and settlement at the point of
 * care (S2–S5, S8): who pays a bill, in which order, as one balanced
 * ledger transaction; idempotent repeats; previews; revocation.
 *
 * The money of one settlement is ONE ledger posting:
 *   each payer's personal account   −share        (S3 order, core payorder)
 *   pooled fund                     −fund_pay
 *   cash paid by the patient        −cash_pay
 *   the institution's receivable    +total
 * which sums to zero because shares + fund + cash = total.  A revocation
 * posts the exact opposite, share by share (S5).
 *
 * Concurrency (A2, S8): the accounts a settlement touches are locked in
 * ascending id order before their balances are read (SQLite: the write
 * transaction already holds the database lock; PostgreSQL: row locks), so
 * the balances the split is computed from stay true until commit, and the
 * store's own refusal to take a personal account below zero is a second
 * wall, never the first.
 */
#include "service/settle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "core/hash.h"
#include "core/idnum.h"
#include "core/mask.h"
#include "core/money.h"
#include "core/payorder.h"
#include "service/notify.h"
#include "service/famcap.h"
#include "service/settle_int.h"

/* More authorizers than this for one patient is not a family; the split
 * uses the richest YB_MAX_SHARES - 1 anyway (core payorder). */
#define PAYERS_MAX 128

/* Institution and transaction ids: letters, digits and - _ . / only.
 * Keeping ':' out lets re-settlements use "offline:<id>" without ever
 * colliding with an institution's own transaction id (S6). */
static bool id_chars_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.' || c == '/'))
			return false;
	}
	return true;
}

int yb_bill_check(const char *txn_id, const char *cred_type,
		  const char *cred_value, const char *visit_type,
		  int64_t total_fen, int64_t fund_pay_fen, yb_bill *out,
		  yb_err *err)
{
	if (!txn_id || !cred_type || !cred_value || !visit_type)
		return yb_errf(err, "request.missing_field",
			       "txn_id, credential and visit_type are required");
	if (!id_chars_ok(txn_id, YB_TXN_ID_SZ))
		return yb_errf(err, "request.invalid_field",
			       "txn_id: 1 to %d characters of A-Z a-z 0-9 - _ . /",
			       YB_TXN_ID_SZ - 1);
	if (!yb_cred_type_from_str(cred_type, &out->cred_type))
		return yb_errf(err, "request.invalid_field",
			       "credential.type: card, ecert or id_number");
	if (!*cred_value || strlen(cred_value) >= YB_TEXT_SZ)
		return yb_errf(err, "settlement.credential_invalid",
			       "empty or overlong credential value");
	if (!yb_visit_type_from_str(visit_type, &out->visit_type))
		return yb_errf(err, "settlement.invalid_visit_type",
			       "visit_type: outpatient, pharmacy or inpatient");
	if (total_fen <= 0 || !yb_money_valid(total_fen) || fund_pay_fen < 0 ||
	    fund_pay_fen > total_fen)
		return yb_errf(err, "settlement.invalid_amounts",
			       "need 0 < total_fen <= %lld and "
			       "0 <= fund_pay_fen <= total_fen",
			       (long long)YB_MONEY_MAX);
	out->txn_id = txn_id;
	out->cred_value = cred_value;
	out->total_fen = total_fen;
	out->fund_pay_fen = fund_pay_fen;
	out->no_accounts = false;
	return 0;
}

/* S4: what makes two requests "the same": the credential counts by whom it
 * names (a fresh e-credential token for the same patient is a repeat). */
void yb_bill_hash(const yb_bill *bill, yb_id patient_id,
		  char out[YB_HASH_HEX_SZ])
{
	char buf[256];

	/* The nhsa flag only when set: earlier settlements keep their hash. */
	snprintf(buf, sizeof buf, "settle/1|%s|%lld|%s|%lld|%lld%s",
		 yb_cred_type_str(bill->cred_type), (long long)patient_id,
		 yb_visit_type_str(bill->visit_type),
		 (long long)bill->total_fen, (long long)bill->fund_pay_fen,
		 bill->no_accounts ? "|no_accounts" : "");
	yb_sha256_hex_str(buf, out);
}

int yb_acting_institution(yb_ctx *ctx, yb_institution *out, yb_err *err)
{
	int found = ctx->store->ops->institution_by_code(
		ctx->store, ctx->actor.institution_code, out, err);

	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "institution.not_found",
			       "the acting institution is not registered");
	return 0;
}

/* Add `amount` for `account` to a posting, merging repeats, skipping 0. */
static void posting_add(yb_posting *p, yb_id account, int64_t amount)
{
	if (amount == 0)
		return;
	for (int i = 0; i < p->n; i++) {
		if (p->entries[i].account_id == account) {
			p->entries[i].amount_fen += amount;
			return;
		}
	}
	p->entries[p->n].account_id = account;
	p->entries[p->n].amount_fen = amount;
	p->n++;
}

static int system_account(yb_ctx *ctx, yb_account_kind kind, yb_id *id,
			  yb_err *err)
{
	int found = ctx->store->ops->account_system_id(ctx->store, kind, id,
						       err);

	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "store.corrupt", "no %s account",
			       yb_account_kind_str(kind));
	return 0;
}

/* The accounts that may pay: the patient's own (if open) and the active
 * authorizers' open accounts (S3 2., F6, F8). Balances are read later. */
typedef struct payers {
	bool has_own;
	yb_account own;
	int n;
	yb_payer_candidate cand[PAYERS_MAX];
} payers;

int yb_payers_usable(yb_ctx *ctx, const yb_person *patient,
		     yb_visit_type visit, bool *has_own, yb_account *own,
		     yb_payer_candidate *c, int max, int *nout, yb_err *err)
{
	int found, n = 0, m = 0;

	found = ctx->store->ops->account_personal_of(ctx->store, patient->id,
						     own, err);
	if (found < 0)
		return -1;
	*has_own = found && !own->closed;
	*nout = 0;
	if (!ctx->settings->family_visit_allowed[visit])
		return 0;
	if (ctx->store->ops->payer_candidates(ctx->store, patient->id, c,
					      max, &n, err) < 0)
		return -1;
	/* Only active authorizers with an open account pay; a suspended
	 * authorizer's account is kept but not shared meanwhile. */
	for (int i = 0; i < n; i++)
		if (c[i].status == YB_STATUS_ACTIVE && c[i].account_open &&
		    c[i].account_id != 0)
			c[m++] = c[i];
	*nout = m;
	return 0;
}

static int payers_find(yb_ctx *ctx, const yb_person *patient,
		       const yb_bill *bill, payers *pp, yb_err *err)
{
	if (yb_payers_usable(ctx, patient, bill->visit_type, &pp->has_own,
			     &pp->own, pp->cand, PAYERS_MAX, &pp->n, err) < 0)
		return -1;
	/* The NHSA path's acct_used_flag 0: no personal account pays. */
	if (bill->no_accounts) {
		pp->has_own = false;
		pp->n = 0;
	}
	return 0;
}

/* Re-read every balance after the lock: what the split is computed from
 * must be what the posting will move. */
static int payers_refresh(yb_ctx *ctx, payers *pp, yb_err *err)
{
	yb_account a;
	int found, m = 0;

	if (pp->has_own) {
		found = ctx->store->ops->account_by_id(ctx->store, pp->own.id,
						       &pp->own, err);
		if (found < 0)
			return -1;
		pp->has_own = found && !pp->own.closed;
	}
	for (int i = 0; i < pp->n; i++) {
		found = ctx->store->ops->account_by_id(
			ctx->store, pp->cand[i].account_id, &a, err);
		if (found < 0)
			return -1;
		if (!found || a.closed)
			continue;
		pp->cand[m] = pp->cand[i];
		pp->cand[m].balance_fen = a.balance_fen;
		m++;
	}
	pp->n = m;
	return 0;
}

static void share_fill(yb_share *sh, const yb_person *patient,
		       const payers *pp, const yb_pay_share *ps)
{
	memset(sh, 0, sizeof *sh);
	sh->amount_fen = ps->amount_fen;
	if (ps->candidate < 0) {
		sh->payer_person_id = patient->id;
		sh->account_id = pp->own.id;
		sh->relationship = YB_REL_SELF;
		snprintf(sh->payer_ssn, sizeof sh->payer_ssn, "%s",
			 patient->ssn);
		snprintf(sh->payer_name, sizeof sh->payer_name, "%s",
			 patient->name);
		return;
	}
	const yb_payer_candidate *c = &pp->cand[ps->candidate];
	sh->payer_person_id = c->person_id;
	sh->account_id = c->account_id;
	sh->binding_id = c->binding_id;
	sh->relationship = c->relationship;
	snprintf(sh->payer_ssn, sizeof sh->payer_ssn, "%s", c->ssn);
	snprintf(sh->payer_name, sizeof sh->payer_name, "%s", c->name);
}

/* E2: which caps cut a share, for the response and the record. */
static void cuts_fill(yb_settlement *out, const payers *pp,
		      const yb_pay_result *res)
{
	out->ncap_cuts = 0;
	for (int i = 0; i < res->ncuts; i++) {
		const yb_payer_candidate *c = &pp->cand[res->cuts[i].candidate];
		yb_cap_cut *k = &out->cap_cuts[out->ncap_cuts++];

		memset(k, 0, sizeof *k);
		k->binding_id = c->binding_id;
		k->payer_person_id = c->person_id;
		snprintf(k->payer_ssn, sizeof k->payer_ssn, "%s", c->ssn);
		k->cut_fen = res->cuts[i].amount_fen;
	}
}

/* Lock every account the settlement may touch: the patient's own, the
 * relatives' that may pay, the fund pool, patient cash and the
 * institution's receivable.  The store takes the locks in ascending id
 * order, each once, so concurrent settlements cannot deadlock (a no-op
 * on SQLite, whose write transaction holds the database). */
static int accounts_lock(yb_ctx *ctx, const yb_institution *inst,
			 const payers *pp, yb_id *fund, yb_id *cash,
			 yb_err *err)
{
	yb_id ids[PAYERS_MAX + 4];
	int nids = 0;

	if (system_account(ctx, YB_ACC_FUND_POOL, fund, err) < 0 ||
	    system_account(ctx, YB_ACC_PATIENT_CASH, cash, err) < 0)
		return -1;
	if (pp->has_own)
		ids[nids++] = pp->own.id;
	for (int i = 0; i < pp->n; i++)
		ids[nids++] = pp->cand[i].account_id;
	ids[nids++] = *fund;
	ids[nids++] = *cash;
	ids[nids++] = inst->receivable_account_id;
	return ctx->store->ops->account_lock(ctx->store, ids, nids, err);
}

/* Who pays how much of what the fund does not (core/payorder.h), on the
 * balances and caps as they are now (after the lock). */
static int order_compute(yb_ctx *ctx, const yb_bill *bill, payers *pp,
			 yb_pay_result *res, yb_err *err)
{
	yb_pay_input in;

	/* E2: caps are read only when the relatives may be reached at all,
	 * and after the lock (famcap.h). */
	if (pp->n > 0 && bill->total_fen - bill->fund_pay_fen >
				 (pp->has_own ? pp->own.balance_fen : 0) &&
	    yb_famcap_fill(ctx, pp->cand, pp->n, yb_ctx_now(ctx), err) < 0)
		return -1;

	memset(&in, 0, sizeof in);
	in.payable_fen = bill->total_fen - bill->fund_pay_fen;
	in.patient_has_account = pp->has_own;
	in.patient_balance_fen = pp->has_own ? pp->own.balance_fen : 0;
	in.family_allowed = ctx->settings->family_visit_allowed[bill->visit_type] &&
			    !bill->no_accounts;
	in.share_floor_fen = ctx->settings->share_floor_fen;
	in.ncandidates = pp->n;
	in.candidates = pp->cand;
	return yb_payorder_compute(&in, res, err);
}

/* The settlement as the bill and the patient describe it (out cleared
 * first); its state and amounts are the caller's. */
static void settlement_head(yb_settlement *out, const yb_institution *inst,
			    const yb_person *patient, const yb_bill *bill,
			    const char *txn_id)
{
	memset(out, 0, sizeof *out);
	snprintf(out->institution_code, sizeof out->institution_code, "%s",
		 inst->code);
	snprintf(out->txn_id, sizeof out->txn_id, "%s", txn_id);
	out->patient_id = patient->id;
	snprintf(out->patient_ssn, sizeof out->patient_ssn, "%s",
		 patient->ssn);
	snprintf(out->patient_name, sizeof out->patient_name, "%s",
		 patient->name);
	out->cred_type = bill->cred_type;
	out->visit_type = bill->visit_type;
	out->total_fen = bill->total_fen;
	out->fund_pay_fen = bill->fund_pay_fen;
}

/* What the pay order decided: the amounts, the shares, the caps' cuts. */
static void settlement_result(yb_settlement *out, const yb_person *patient,
			      const payers *pp, const yb_pay_result *res)
{
	out->account_pay_fen = res->account_pay_fen;
	out->cash_pay_fen = res->cash_pay_fen;
	out->nshares = res->nshares;
	for (int i = 0; i < res->nshares; i++)
		share_fill(&out->shares[i], patient, pp, &res->shares[i]);
	cuts_fill(out, pp, res);
}

/* The settlement's balanced posting (each share's account, the fund, the
 * patient's cash against the institution's receivable), its record,
 * its caps' cuts and the relatives' notes, in the caller's
 * transaction. */
static int settlement_record(yb_ctx *ctx, const yb_institution *inst,
			     const char *txn_id, yb_id fund, yb_id cash,
			     yb_settlement *out, yb_err *err)
{
	yb_posting post;

	memset(&post, 0, sizeof post);
	post.kind = out->offline_id ? "resettlement" : "settlement";
	snprintf(post.ref, sizeof post.ref, "settlement:%s/%s", inst->code,
		 txn_id);
	for (int i = 0; i < out->nshares; i++)
		posting_add(&post, out->shares[i].account_id,
			    -out->shares[i].amount_fen);
	posting_add(&post, fund, -out->fund_pay_fen);
	posting_add(&post, cash, -out->cash_pay_fen);
	posting_add(&post, inst->receivable_account_id, out->total_fen);
	if (ctx->store->ops->ledger_post(ctx->store, &post, out->settled_at,
					 &out->ledger_txn_id, err) < 0)
		return -1;
	if (ctx->store->ops->settlement_insert(ctx->store, out, err) < 0 ||
	    ctx->store->ops->cap_cuts_insert(ctx->store, out, err) < 0)
		return -1;
	/* E3: each relative's account used is told, in this transaction
	 * (the institution read already: not read again per settlement). */
	return yb_notify_shares(ctx, out, inst, YB_NOTE_SETTLEMENT_SHARE, err);
}

int yb_bill_pay(yb_ctx *ctx, const yb_institution *inst,
		const yb_person *patient, const yb_bill *bill,
		const char *txn_id, const char *request_hash, yb_id offline_id,
		bool preview, yb_settlement *out, yb_err *err)
{
	payers *pp;
	yb_pay_result res;
	yb_id fund = 0, cash = 0;
	int rc = -1;

	pp = malloc(sizeof *pp);
	if (!pp)
		return yb_errf(err, "out_of_memory", "out of memory");
	if (payers_find(ctx, patient, bill, pp, err) < 0)
		goto out;
	if (!preview && accounts_lock(ctx, inst, pp, &fund, &cash, err) < 0)
		goto out;
	if (payers_refresh(ctx, pp, err) < 0 ||
	    order_compute(ctx, bill, pp, &res, err) < 0)
		goto out;

	settlement_head(out, inst, patient, bill, txn_id);
	out->state = preview ? YB_SETTLE_PREVIEW : YB_SETTLE_SETTLED;
	snprintf(out->request_hash, sizeof out->request_hash, "%s",
		 request_hash);
	out->offline_id = offline_id;
	out->settled_at = yb_ctx_now(ctx);
	settlement_result(out, patient, pp, &res);
	rc = preview ? 0 : settlement_record(ctx, inst, txn_id, fund, cash,
					     out, err);
out:
	free(pp);
	return rc;
}

int yb_audit_commit(yb_ctx *ctx, const char *action, const char *what,
		    yb_id id, yb_err *err)
{
	char target[YB_TEXT_SZ];

	snprintf(target, sizeof target, "%s:%lld", what, (long long)id);
	if (yb_audit(ctx, action, target, "ok", err) < 0) {
		yb_tx_rollback(ctx);
		return -1;
	}
	return yb_tx_commit(ctx, err);
}

/* ---- institutions (S1) ------------------------------------------------ */

int yb_institution_register(yb_ctx *ctx, const char *code, const char *name,
			    const char *type, yb_institution *out,
			    yb_err *err)
{
	yb_institution inst;
	char target[YB_TEXT_SZ];
	bool open = false;
	int rc = -1;

	if (yb_authorize(ctx, "institution.register", err) < 0)
		goto out;
	memset(&inst, 0, sizeof inst);
	if (!code || !name || !type) {
		yb_errf(err, "request.missing_field",
			"code, name and type are required");
		goto out;
	}
	if (!id_chars_ok(code, YB_CODE_SZ)) {
		yb_errf(err, "request.invalid_field",
			"code: 1 to %d characters of A-Z a-z 0-9 - _ . /",
			YB_CODE_SZ - 1);
		goto out;
	}
	if (!*name || strlen(name) >= YB_NAME_SZ || !yb_utf8_valid_text(name)) {
		yb_errf(err, "request.invalid_field",
			"name: 1 to %d bytes of printable UTF-8",
			YB_NAME_SZ - 1);
		goto out;
	}
	if (!yb_inst_type_from_str(type, &inst.type)) {
		yb_errf(err, "institution.invalid_type",
			"type: hospital, clinic or pharmacy");
		goto out;
	}
	snprintf(inst.code, sizeof inst.code, "%s", code);
	snprintf(inst.name, sizeof inst.name, "%s", name);
	inst.created_at = yb_ctx_now(ctx);

	if (yb_tx_begin(ctx, true, err) < 0)
		goto out;
	open = true;
	/* The store opens the receivable account (the institution's side of
	 * every settlement posting) in the same step and fills
	 * receivable_account_id: neither exists without the other. */
	if (ctx->store->ops->institution_insert(ctx->store, &inst, err) < 0)
		goto out;
	if (inst.receivable_account_id == 0) {
		yb_errf(err, "store.error",
			"the institution got no receivable account");
		goto out;
	}
	snprintf(target, sizeof target, "institution:%s", code);
	if (yb_audit(ctx, "institution.register", target, "ok", err) < 0)
		goto out;
	open = false;
	if (yb_tx_commit(ctx, err) < 0)
		goto out;
	if (out)
		*out = inst;
	rc = 0;
out:
	if (open)
		yb_tx_rollback(ctx);
	return rc;
}

int yb_institution_get(yb_ctx *ctx, const char *code, yb_institution *out,
		       yb_err *err)
{
	int found = -1;

	if (yb_authorize(ctx, "institution.get", err) < 0)
		return -1;
	/* An institution reads only its own record. */
	if (ctx->actor.role == YB_ROLE_INSTITUTION &&
	    strcmp(code, ctx->actor.institution_code) != 0)
		return yb_errf(err, "institution.not_found",
			       "no such institution");
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = ctx->store->ops->institution_by_code(ctx->store, code, out,
						     err);
	yb_tx_rollback(ctx);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "institution.not_found",
			       "no such institution");
	return 0;
}

/* ---- settlement (S2–S4) ------------------------------------------------ */

/*
 * issue 16, pg8: tell the store what this settlement will ask next — the
 * repeat check, the credential's look-up, the payers and the accounts'
 * lock — so that an engine with round trips (PostgreSQL) can fetch and
 * lock it all in one (store.h settle_hint).  The accounts named are the
 * ones accounts_lock will name: the patient's own unless no account pays
 * (no_accounts), the relatives' only when family pay is allowed for the
 * visit, and the fund, patient cash and receivable.  A credential the
 * engine cannot look up by itself (an e-credential) gives no hint.
 */
static int settle_hint(yb_ctx *ctx, const yb_institution *inst,
		       const yb_bill *bill, yb_err *err)
{
	yb_settle_hint h;
	yb_idnum idn;
	yb_id also[3];
	yb_err ignored;

	if (!ctx->store->ops->settle_hint)
		return 0;
	memset(&h, 0, sizeof h);
	h.institution_code = inst->code;
	h.txn_id = bill->txn_id;
	h.cred_type = bill->cred_type;
	switch (bill->cred_type) {
	case YB_CRED_CARD:
		h.cred_value = bill->cred_value;
		break;
	case YB_CRED_ID_NUMBER:
		/* as yb_cred_resolve reads it; a number it would read
		 * otherwise (a repeat's date) only misses the hint */
		yb_err_clear(&ignored);
		if (yb_idnum_parse(bill->cred_value,
				   yb_date_of(yb_ctx_now(ctx)), &idn,
				   &ignored) < 0)
			return 0;
		h.cred_value = idn.normalized;
		break;
	default:
		return 0;
	}
	h.own_account = !bill->no_accounts;
	h.family = !bill->no_accounts &&
		   ctx->settings->family_visit_allowed[bill->visit_type];
	if (system_account(ctx, YB_ACC_FUND_POOL, &also[0], err) < 0 ||
	    system_account(ctx, YB_ACC_PATIENT_CASH, &also[1], err) < 0)
		return -1;
	also[2] = inst->receivable_account_id;
	h.also = also;
	h.nalso = 3;
	return ctx->store->ops->settle_hint(ctx->store, &h, err);
}

/*
 * One attempt of a settlement.  *raced is set when the insert lost to a
 * concurrent request with the same (institution, txn_id) — possible only
 * on PostgreSQL, where the two do not serialize at begin; the caller then
 * tries once more and finds the winner as an ordinary repeat.
 */
static int settle_once(yb_ctx *ctx, const yb_bill *bill, bool preview,
		       yb_settlement *out, bool *repeat, bool *raced,
		       yb_err *err)
{
	yb_institution inst;
	yb_settlement *prev = NULL;
	yb_person patient;
	char hash[YB_HASH_HEX_SZ];
	yb_time at;
	bool open = false;
	int found, rc = -1;

	prev = malloc(sizeof *prev);
	if (!prev)
		return yb_errf(err, "out_of_memory", "out of memory");
	if (yb_tx_begin(ctx, !preview, err) < 0)
		goto out;
	open = true;
	if (yb_acting_institution(ctx, &inst, err) < 0)
		goto out;
	if (!preview && settle_hint(ctx, &inst, bill, err) < 0)
		goto out;
	found = preview ? 0 : ctx->store->ops->settlement_by_txn(
		ctx->store, inst.code, bill->txn_id, prev, err);
	if (found < 0)
		goto out;
	/* A repeat is judged by whom the credential named when the first
	 * request was settled, whatever the card or person is now. */
	at = found ? prev->settled_at : yb_ctx_now(ctx);
	if (yb_cred_resolve(ctx, bill->cred_type, bill->cred_value, at,
			    !found, &patient, err) < 0)
		goto out;
	yb_bill_hash(bill, patient.id, hash);
	if (found) {
		if (strcmp(hash, prev->request_hash) != 0) {
			yb_errf(err, "settlement.txn_id_reused",
				"txn_id %s was settled with different content",
				bill->txn_id);
			goto out;
		}
		if (ctx->store->ops->cap_cuts_load(ctx->store, prev, err) < 0)
			goto out;
		*out = *prev;
		*repeat = true;
		rc = 0;
		goto out;
	}
	if (yb_bill_pay(ctx, &inst, &patient, bill, bill->txn_id, hash, 0,
			preview, out, err) < 0) {
		*raced = err && err->code &&
			 strcmp(err->code, "settlement.txn_id_reused") == 0;
		goto out;
	}
	if (preview) {
		rc = 0;
		goto out;
	}
	open = false;
	if (yb_audit_commit(ctx, "settlement.create", "settlement", out->id,
			    err) < 0)
		goto out;
	rc = 0;
out:
	/* Previews and repeats end here too: nothing they did is kept. */
	if (open)
		yb_tx_rollback(ctx);
	free(prev);
	return rc;
}

int yb_settle(yb_ctx *ctx, const yb_settle_req *req, bool preview,
	      yb_settlement *out, bool *repeat, yb_err *err)
{
	yb_bill bill;
	bool raced = false, dummy;
	int rc;

	if (!repeat)
		repeat = &dummy;
	*repeat = false;
	if (yb_authorize(ctx, preview ? "settlement.preview"
				      : "settlement.create", err) < 0)
		return -1;
	if (yb_bill_check(req->txn_id, req->cred_type, req->cred_value,
			  req->visit_type, req->total_fen, req->fund_pay_fen,
			  &bill, err) < 0)
		return -1;
	rc = settle_once(ctx, &bill, preview, out, repeat, &raced, err);
	if (rc < 0 && raced)
		rc = settle_once(ctx, &bill, preview, out, repeat, &raced,
				 err);
	return rc;
}

/* The settlement `id` if it is the acting institution's (else not_found:
 * another institution's settlements are not even acknowledged). */
static int own_settlement(yb_ctx *ctx, yb_id id, yb_settlement *out,
			  yb_err *err)
{
	int found = ctx->store->ops->settlement_by_id(ctx->store, id, out, err);

	if (found < 0)
		return -1;
	if (!found || strcmp(out->institution_code,
			     ctx->actor.institution_code) != 0)
		return yb_errf(err, "settlement.not_found",
			       "no settlement %lld here", (long long)id);
	return ctx->store->ops->cap_cuts_load(ctx->store, out, err); /* E2 */
}

int yb_settlement_get(yb_ctx *ctx, yb_id id, yb_settlement *out,
		      yb_err *err)
{
	int rc;

	if (yb_authorize(ctx, "settlement.get", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = own_settlement(ctx, id, out, err);
	yb_tx_rollback(ctx);
	return rc;
}

/*
 * S5: the reverse posting.  Each share goes back to the account it came
 * from — even when the binding has ended since, because it was the
 * authorizer's money.  An account closed since (its owner terminated, P4)
 * cannot take it; its share goes to the closed-account liability, which is
 * where that account's balance went too.
 */
static int revoke_posting(yb_ctx *ctx, const yb_settlement *s,
			  yb_posting *post, yb_err *err)
{
	yb_institution inst;
	yb_account a;
	yb_id ids[YB_MAX_SHARES + 4], fund = 0, cash = 0, closed = 0;
	int nids = 0, found;

	found = ctx->store->ops->institution_by_code(ctx->store,
						     s->institution_code,
						     &inst, err);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "store.corrupt",
			       "settlement of an unknown institution");
	if (system_account(ctx, YB_ACC_FUND_POOL, &fund, err) < 0 ||
	    system_account(ctx, YB_ACC_PATIENT_CASH, &cash, err) < 0 ||
	    system_account(ctx, YB_ACC_CLOSED_LIABILITY, &closed, err) < 0)
		return -1;
	for (int i = 0; i < s->nshares; i++)
		ids[nids++] = s->shares[i].account_id;
	ids[nids++] = fund;
	ids[nids++] = cash;
	ids[nids++] = closed;
	ids[nids++] = inst.receivable_account_id;
	if (ctx->store->ops->account_lock(ctx->store, ids, nids, err) < 0)
		return -1;

	memset(post, 0, sizeof *post);
	post->kind = "revocation";
	snprintf(post->ref, sizeof post->ref, "settlement:%lld",
		 (long long)s->id);
	for (int i = 0; i < s->nshares; i++) {
		yb_id to = s->shares[i].account_id;
		found = ctx->store->ops->account_by_id(ctx->store, to, &a, err);
		if (found < 0)
			return -1;
		if (!found || a.closed)
			to = closed;
		posting_add(post, to, s->shares[i].amount_fen);
	}
	posting_add(post, fund, s->fund_pay_fen);
	posting_add(post, cash, s->cash_pay_fen);
	posting_add(post, inst.receivable_account_id, -s->total_fen);
	return 0;
}

int yb_revoke_in_tx(yb_ctx *ctx, yb_settlement *s, yb_time now, yb_err *err)
{
	yb_posting post;
	yb_id txn = 0;

	if (revoke_posting(ctx, s, &post, err) < 0)
		return -1;
	if (ctx->store->ops->ledger_post(ctx->store, &post, now, &txn,
					 err) < 0)
		return -1;
	if (ctx->store->ops->settlement_set_revoked(ctx->store, s->id, txn,
						    now, err) < 0)
		return -1;
	s->state = YB_SETTLE_REVOKED;
	s->revoke_txn_id = txn;
	s->revoked_at = now;
	return 0;
}

int yb_revoke(yb_ctx *ctx, yb_id settlement_id, yb_settlement *out,
	      yb_err *err)
{
	yb_time now = yb_ctx_now(ctx);
	bool open = false;
	int rc = -1;

	if (yb_authorize(ctx, "settlement.revoke", err) < 0)
		goto out;
	if (yb_tx_begin(ctx, true, err) < 0)
		goto out;
	open = true;
	if (own_settlement(ctx, settlement_id, out, err) < 0)
		goto out;
	/* Revoking twice is harmless (S5): the second time there is nothing
	 * to move and nothing changes, so nothing is audited either. */
	if (out->state == YB_SETTLE_REVOKED) {
		rc = 0;
		goto out;
	}
	/* nhsa: a gateway settlement's yearly totals go back too. */
	if (yb_nhsa_revoke_in_tx(ctx, out, now, err) < 0)
		goto out;
	/* E3: each relative's account given its share back is told. */
	if (yb_notify_shares(ctx, out, NULL, YB_NOTE_SHARE_REVOKED, err) < 0)
		goto out;
	open = false;
	if (yb_audit_commit(ctx, "settlement.revoke", "settlement", out->id,
			    err) < 0)
		goto out;
	rc = 0;
out:
	if (open)
		yb_tx_rollback(ctx);
	return rc;
}
