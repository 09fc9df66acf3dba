/*
 * nhsa_setl.c — the gateway's record of a settlement (what setlinfo says
 * beyond the settlement row: the policy's figures, the family part, the
 * visit and batch), 2208/2305 revocation and 5203 query.
 *
 * A row of the store's nhsa_setls (by the settlement id = setl_id, listed
 * by institution and local date for 3201/3202).  A revocation through the JSON API
 * of a gateway settlement comes here too (yb_nhsa_revoke_in_tx), so
 * either way the yearly totals, the fee batches and the record follow.
 */
#include "service/nhsa_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fundpolicy.h"
#include "service/settle_int.h"

/* o's record as the store keeps it (table nhsa_setls). */
static void setl_rec(const yb_ctx *ctx, const yb_nhsa_setl *o,
		     yb_nhsa_setl_rec *r)
{
	memset(r, 0, sizeof *r);
	r->id = o->s.id;
	yb_nhsa_cpy(r->inst, sizeof r->inst, ctx->actor.institution_code);
	yb_date_format(yb_date_of(o->at), r->day, sizeof r->day);
	yb_nhsa_cpy(r->mdtrt_id, sizeof r->mdtrt_id, o->mdtrt_id);
	yb_nhsa_cpy(r->chrg_bchno, sizeof r->chrg_bchno, o->chrg_bchno);
	yb_nhsa_cpy(r->insutype, sizeof r->insutype, o->insutype);
	yb_nhsa_cpy(r->med_type, sizeof r->med_type, o->med_type);
	yb_nhsa_cpy(r->cert_type, sizeof r->cert_type, o->cert_type);
	yb_nhsa_cpy(r->msgid, sizeof r->msgid, o->msgid);
	r->medfee_fen = o->medfee_fen;
	r->inscp_fen = o->inscp_fen;
	r->fulamt_fen = o->fulamt_ownpay_fen;
	r->dedc_fen = o->dedc_fen;
	r->fund_fen = o->fund_fen;
	r->ratio_bp = o->ratio_bp;
	r->acct_fen = o->acct_fen;
	r->mulaid_fen = o->mulaid_fen;
	r->cash_fen = o->cash_fen;
	r->balc_fen = o->balc_fen;
	r->at = o->at;
	r->revoked = o->revoked;
	r->revoked_at = o->revoked_at;
	r->person_id = o->person.id;
	yb_nhsa_cpy(r->req_hash, sizeof r->req_hash, o->req_hash);
}

/* Fill `o` from a setl record and the rows it names. */
static int setl_from(yb_ctx *ctx, const yb_nhsa_setl_rec *r, yb_nhsa_setl *o,
		     yb_err *err)
{
	int found;

	memset(o, 0, sizeof *o);
	snprintf(o->setl_id, sizeof o->setl_id, "%lld", (long long)r->id);
	yb_nhsa_cpy(o->mdtrt_id, sizeof o->mdtrt_id, r->mdtrt_id);
	yb_nhsa_cpy(o->chrg_bchno, sizeof o->chrg_bchno, r->chrg_bchno);
	yb_nhsa_cpy(o->insutype, sizeof o->insutype, r->insutype);
	yb_nhsa_cpy(o->med_type, sizeof o->med_type, r->med_type);
	yb_nhsa_cpy(o->cert_type, sizeof o->cert_type, r->cert_type);
	yb_nhsa_cpy(o->msgid, sizeof o->msgid, r->msgid);
	yb_nhsa_cpy(o->req_hash, sizeof o->req_hash, r->req_hash);
	o->medfee_fen = r->medfee_fen;
	o->inscp_fen = r->inscp_fen;
	o->fulamt_ownpay_fen = r->fulamt_fen;
	o->dedc_fen = r->dedc_fen;
	o->fund_fen = r->fund_fen;
	o->ratio_bp = r->ratio_bp;
	o->acct_fen = r->acct_fen;
	o->mulaid_fen = r->mulaid_fen;
	o->cash_fen = r->cash_fen;
	o->balc_fen = r->balc_fen;
	o->at = r->at;
	o->revoked = r->revoked;
	o->revoked_at = r->revoked_at;
	found = ctx->store->ops->settlement_by_id(ctx->store, r->id, &o->s, err);
	if (found > 0)
		found = ctx->store->ops->person_by_id(
			ctx->store, o->s.patient_id, &o->person, err);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "store.corrupt", "setl %s", o->setl_id);
	return 0;
}

int yb_nhsa_setl_load(yb_ctx *ctx, const char *setl_id, const char *mdtrt_id,
		      const char *psn_no, yb_nhsa_setl *o, yb_err *err)
{
	yb_nhsa_setl_rec r;
	int found;

	if (!setl_id || !*setl_id || strlen(setl_id) > 18 ||
	    strspn(setl_id, "0123456789") != strlen(setl_id))
		return yb_errf(err, "nhsa.setl_not_found", "setl_id");
	found = ctx->store->ops->nhsa_setl_get(ctx->store,
					       strtoll(setl_id, NULL, 10), &r,
					       err);
	if (found < 0)
		return -1;
	if (!found || strcmp(r.inst, ctx->actor.institution_code) != 0)
		return yb_errf(err, "nhsa.setl_not_found", "setl_id %s",
			       setl_id);
	if (setl_from(ctx, &r, o, err) < 0)
		return -1;
	if ((mdtrt_id && strcmp(o->mdtrt_id, mdtrt_id) != 0) ||
	    (psn_no && strcmp(o->person.ssn, psn_no) != 0))
		return yb_errf(err, "nhsa.setl_not_found",
			       "setl_id, mdtrt_id and psn_no do not match");
	return 0;
}

int yb_nhsa_setl_save(yb_ctx *ctx, const yb_nhsa_setl *o, int mode,
		      yb_err *err)
{
	yb_nhsa_setl_rec r;

	setl_rec(ctx, o, &r);
	return ctx->store->ops->nhsa_setl_put(ctx->store, &r, mode, err);
}

int yb_nhsa_own_balance(yb_ctx *ctx, yb_nhsa_setl *o, bool preview,
			yb_err *err)
{
	yb_account acc;
	int found = ctx->store->ops->account_personal_of(ctx->store,
							 o->person.id, &acc,
							 err);

	if (found < 0)
		return -1;
	o->balc_fen = found && !acc.closed ? acc.balance_fen : 0;
	if (preview)     /* nothing was posted: take the own share off */
		for (int i = 0; i < o->s.nshares; i++)
			if (o->s.shares[i].relationship == YB_REL_SELF)
				o->balc_fen -= o->s.shares[i].amount_fen;
	return 0;
}

/* ---- 2208, 5203 ----------------------------------------------------------------- */

/* A stay's settlement revoked: its fee lines are unsettled again (the
 * stay may be settled anew, under the next S4 id), and a revoked final
 * settlement reopens the stay. */
static int ipt_unsettle(yb_ctx *ctx, const yb_nhsa_setl *o, yb_err *err)
{
	yb_nhsa_batch *b = NULL;
	yb_nhsa_visit v;
	int n = 0, rc = -1;

	if (yb_nhsa_visit_load(ctx, o->mdtrt_id, NULL, &v, err) < 0 ||
	    yb_nhsa_batches_of(ctx, o->mdtrt_id, &b, &n, err) < 0)
		goto out;
	for (int i = 0; i < n; i++)
		if (b[i].settlement_id == o->s.id) {
			b[i].settlement_id = 0;
			if (yb_nhsa_batch_put(ctx, o->mdtrt_id, &b[i], err) < 0)
				goto out;
		}
	if (v.final_setl == o->s.id) {
		v.final_setl = 0;
		if (yb_nhsa_visit_save(ctx, &v, YB_NHSA_UPSERT, err) < 0)
			goto out;
	}
	rc = 0;
out:
	free(b);
	return rc;
}

/* S5 for a gateway settlement `o`, in the caller's write transaction:
 * the yearly totals row locked before the accounts, as a settlement
 * takes them (one lock order, no deadlock on PostgreSQL), then the
 * ledger, the totals, a stay's fee lines and the record. */
static int revoke_rec(yb_ctx *ctx, yb_nhsa_setl *o, yb_time now, yb_err *err)
{
	int visit = yb_fund_visit_of_med_type(o->med_type);
	yb_nhsa_cum_rec cum;
	char ckey[128];

	yb_nhsa_cum_key(ckey, sizeof ckey, o->person.id,
			yb_nhsa_year_of(o->at), o->insutype, visit);
	if (yb_nhsa_cum_read(ctx, ckey, true, &cum, err) < 0 ||
	    yb_revoke_in_tx(ctx, &o->s, now, err) < 0 ||
	    yb_nhsa_cum_move(ctx, &cum, o, -1, err) < 0 ||
	    (visit == YB_VISIT_INPATIENT && ipt_unsettle(ctx, o, err) < 0))
		return -1;
	o->revoked = true;
	o->revoked_at = o->s.revoked_at;
	if (yb_nhsa_own_balance(ctx, o, false, err) < 0)
		return -1;
	return yb_nhsa_setl_save(ctx, o, YB_NHSA_UPSERT, err);
}

int yb_nhsa_revoke_in_tx(yb_ctx *ctx, yb_settlement *s, yb_time now,
			 yb_err *err)
{
	yb_nhsa_setl_rec r;
	yb_nhsa_setl *o;
	int found, rc = -1;

	found = ctx->store->ops->nhsa_setl_get(ctx->store, s->id, &r, err);
	if (found <= 0)      /* not a gateway settlement: the plain S5 */
		return found < 0 ? -1 : yb_revoke_in_tx(ctx, s, now, err);
	o = malloc(sizeof *o);
	if (!o)
		return yb_errf(err, "out_of_memory", "out of memory");
	if (setl_from(ctx, &r, o, err) == 0 &&
	    revoke_rec(ctx, o, now, err) == 0) {
		*s = o->s;
		rc = 0;
	}
	free(o);
	return rc;
}

int yb_nhsa_revoke_setl_in(yb_ctx *ctx, yb_nhsa_setl *o, yb_err *err)
{
	if (o->revoked || o->s.state == YB_SETTLE_REVOKED)
		return 0;        /* S5: again is harmless, and the same */
	return revoke_rec(ctx, o, yb_ctx_now(ctx), err);
}

int yb_nhsa_revoke(yb_ctx *ctx, const char *setl_id, const char *mdtrt_id,
		   const char *psn_no, bool inpatient, yb_nhsa_setl *o,
		   yb_err *err)
{
	bool was_revoked;

	if (yb_authorize(ctx, "settlement.revoke", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (yb_nhsa_setl_load(ctx, setl_id, mdtrt_id, psn_no, o, err) < 0)
		goto fail;
	/* 2208 revokes an outpatient (or pharmacy) settlement, 2305 a
	 * stay's: the other kind is not found under that transaction. */
	if ((yb_fund_visit_of_med_type(o->med_type) == YB_VISIT_INPATIENT) !=
	    inpatient) {
		yb_errf(err, "nhsa.setl_not_found", "setl_id %s is %s", setl_id,
			inpatient ? "not a stay's (2208)" : "a stay's (2305)");
		goto fail;
	}
	was_revoked = o->revoked || o->s.state == YB_SETTLE_REVOKED;
	if (yb_nhsa_revoke_setl_in(ctx, o, err) < 0)
		goto fail;
	if (was_revoked) {
		yb_tx_rollback(ctx);
		return 0;
	}
	return yb_audit_commit(ctx, "settlement.revoke", "settlement",
			       o->s.id, err);
fail:
	yb_tx_rollback(ctx);
	return -1;
}

int yb_nhsa_setl_get(yb_ctx *ctx, const char *setl_id, const char *mdtrt_id,
		     const char *psn_no, yb_nhsa_setl *o, yb_err *err)
{
	int rc;

	if (yb_authorize(ctx, "settlement.get", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = yb_nhsa_setl_load(ctx, setl_id, mdtrt_id, psn_no, o, err);
	yb_tx_rollback(ctx);
	return rc;
}

