/*
 * nhsa_setl.c — the gateway's record of a settlement (what setlinfo says
 * beyond the settlement row: the policy's figures, the family part, the
 * visit and batch), 2208/2305 revocation and 5203 query.
 *
 * Record kind "setl" (key the settlement id = setl_id, grp institution|
 * local date, which 3201/3202 list).  A revocation through the JSON API
 * of a gateway settlement comes here too (yb_nhsa_revoke_in_tx), so
 * either way the yearly totals, the fee batches and the record follow.
 */
#include "service/nhsa_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fundpolicy.h"
#include "core/jsonw.h"
#include "service/settle_int.h"

/* The record's text (core/jsonw.h: written at every settlement). */
static char *setl_text(const yb_nhsa_setl *o, const char *req_hash)
{
	yb_jw w = YB_JW_INIT;

	yb_jw_raw(&w, "{");
	yb_jw_kstr(&w, "mdtrt_id", o->mdtrt_id);
	yb_jw_kstr(&w, "chrg_bchno", o->chrg_bchno);
	yb_jw_kstr(&w, "insutype", o->insutype);
	yb_jw_kstr(&w, "med_type", o->med_type);
	yb_jw_kstr(&w, "cert_type", o->cert_type);
	yb_jw_kstr(&w, "msgid", o->msgid);
	yb_jw_kint(&w, "medfee", o->medfee_fen);
	yb_jw_kint(&w, "inscp", o->inscp_fen);
	yb_jw_kint(&w, "fulamt", o->fulamt_ownpay_fen);
	yb_jw_kint(&w, "dedc", o->dedc_fen);
	yb_jw_kint(&w, "fund", o->fund_fen);
	yb_jw_kint(&w, "ratio_bp", o->ratio_bp);
	yb_jw_kint(&w, "acct", o->acct_fen);
	yb_jw_kint(&w, "mulaid", o->mulaid_fen);
	yb_jw_kint(&w, "cash", o->cash_fen);
	yb_jw_kint(&w, "balc", o->balc_fen);
	yb_jw_kint(&w, "at", o->at);
	yb_jw_key(&w, "revoked");
	yb_jw_bool(&w, o->revoked);
	yb_jw_kint(&w, "revoked_at", o->revoked_at);
	yb_jw_kint(&w, "person_id", o->person.id);
	yb_jw_kstr(&w, "req_hash", req_hash);
	yb_jw_raw(&w, "}");
	return yb_jw_take(&w, NULL);
}

/* Fill `o` from a setl record and the rows it names. */
static int setl_from(yb_ctx *ctx, const char *setl_id, const json_t *j,
		     yb_nhsa_setl *o, yb_err *err)
{
	char *end;
	yb_id id = strtoll(setl_id, &end, 10);
	int found;

	memset(o, 0, sizeof *o);
	yb_nhsa_cpy(o->setl_id, sizeof o->setl_id, setl_id);
	yb_nhsa_cpy(o->mdtrt_id, sizeof o->mdtrt_id, yb_nhsa_js(j, "mdtrt_id"));
	yb_nhsa_cpy(o->chrg_bchno, sizeof o->chrg_bchno,
		    yb_nhsa_js(j, "chrg_bchno"));
	yb_nhsa_cpy(o->insutype, sizeof o->insutype, yb_nhsa_js(j, "insutype"));
	yb_nhsa_cpy(o->med_type, sizeof o->med_type, yb_nhsa_js(j, "med_type"));
	yb_nhsa_cpy(o->cert_type, sizeof o->cert_type,
		    yb_nhsa_js(j, "cert_type"));
	yb_nhsa_cpy(o->msgid, sizeof o->msgid, yb_nhsa_js(j, "msgid"));
	o->medfee_fen = yb_nhsa_ji(j, "medfee");
	o->inscp_fen = yb_nhsa_ji(j, "inscp");
	o->fulamt_ownpay_fen = yb_nhsa_ji(j, "fulamt");
	o->dedc_fen = yb_nhsa_ji(j, "dedc");
	o->fund_fen = yb_nhsa_ji(j, "fund");
	o->ratio_bp = yb_nhsa_ji(j, "ratio_bp");
	o->acct_fen = yb_nhsa_ji(j, "acct");
	o->mulaid_fen = yb_nhsa_ji(j, "mulaid");
	o->cash_fen = yb_nhsa_ji(j, "cash");
	o->balc_fen = yb_nhsa_ji(j, "balc");
	o->at = yb_nhsa_ji(j, "at");
	o->revoked = json_is_true(json_object_get(j, "revoked"));
	o->revoked_at = yb_nhsa_ji(j, "revoked_at");
	found = ctx->store->ops->settlement_by_id(ctx->store, id, &o->s, err);
	if (found > 0)
		found = ctx->store->ops->person_by_id(
			ctx->store, o->s.patient_id, &o->person, err);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "store.corrupt", "setl %s", setl_id);
	return 0;
}

int yb_nhsa_setl_load(yb_ctx *ctx, const char *setl_id, const char *mdtrt_id,
		      const char *psn_no, json_t **j, yb_nhsa_setl *o,
		      yb_err *err)
{
	yb_nhsa_rec meta;
	int found;

	*j = NULL;
	if (!setl_id || strlen(setl_id) > 20 ||
	    strspn(setl_id, "0123456789") != strlen(setl_id))
		return yb_errf(err, "nhsa.setl_not_found", "setl_id");
	found = yb_nhsa_rec_get(ctx, "setl", setl_id, j, &meta, err);
	if (found < 0)
		return -1;
	if (!found || strcmp(meta.inst, ctx->actor.institution_code) != 0)
		return yb_errf(err, "nhsa.setl_not_found", "setl_id %s",
			       setl_id);
	if (setl_from(ctx, setl_id, *j, o, err) < 0)
		return -1;
	if ((mdtrt_id && strcmp(o->mdtrt_id, mdtrt_id) != 0) ||
	    (psn_no && strcmp(o->person.ssn, psn_no) != 0))
		return yb_errf(err, "nhsa.setl_not_found",
			       "setl_id, mdtrt_id and psn_no do not match");
	return 0;
}

int yb_nhsa_setl_save(yb_ctx *ctx, const yb_nhsa_setl *o, const char *hash,
		      int mode, yb_err *err)
{
	char grp[96], day[11];

	yb_date_format(yb_date_of(o->at), day, sizeof day);
	snprintf(grp, sizeof grp, "%s|%s", ctx->actor.institution_code, day);
	return yb_nhsa_rec_put_text(ctx, "setl", o->setl_id, grp,
				    setl_text(o, hash), mode, err);
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

/* S5 for a gateway settlement `o` (its record `j`), in the caller's
 * write transaction: the yearly totals row locked before the accounts, as
 * a settlement takes them (one lock order, no deadlock on PostgreSQL),
 * then the ledger, the totals, a stay's fee lines and the record. */
static int revoke_rec(yb_ctx *ctx, yb_nhsa_setl *o, const json_t *j,
		      yb_time now, yb_err *err)
{
	int visit = yb_fund_visit_of_med_type(o->med_type);
	json_t *cum = NULL;
	char ckey[128];
	int rc = -1;

	yb_nhsa_cum_key(ckey, sizeof ckey, o->person.id,
			yb_nhsa_year_of(o->at), o->insutype, visit);
	if (yb_nhsa_cum_read(ctx, ckey, true, &cum, err) < 0 ||
	    yb_revoke_in_tx(ctx, &o->s, now, err) < 0 ||
	    yb_nhsa_cum_move(ctx, ckey, cum, o, -1, err) < 0 ||
	    (visit == YB_VISIT_INPATIENT && ipt_unsettle(ctx, o, err) < 0))
		goto out;
	o->revoked = true;
	o->revoked_at = o->s.revoked_at;
	if (yb_nhsa_own_balance(ctx, o, false, err) < 0 ||
	    yb_nhsa_setl_save(ctx, o, yb_nhsa_js(j, "req_hash"),
			      YB_NHSA_UPSERT, err) < 0)
		goto out;
	rc = 0;
out:
	json_decref(cum);
	return rc;
}

int yb_nhsa_revoke_in_tx(yb_ctx *ctx, yb_settlement *s, yb_time now,
			 yb_err *err)
{
	yb_nhsa_setl *o;
	char id[24];
	json_t *j = NULL;
	int found, rc = -1;

	snprintf(id, sizeof id, "%lld", (long long)s->id);
	found = yb_nhsa_rec_get(ctx, "setl", id, &j, NULL, err);
	if (found <= 0)      /* not a gateway settlement: the plain S5 */
		return found < 0 ? -1 : yb_revoke_in_tx(ctx, s, now, err);
	o = malloc(sizeof *o);
	if (!o) {
		json_decref(j);
		return yb_errf(err, "out_of_memory", "out of memory");
	}
	if (setl_from(ctx, id, j, o, err) == 0 &&
	    revoke_rec(ctx, o, j, now, err) == 0) {
		*s = o->s;
		rc = 0;
	}
	free(o);
	json_decref(j);
	return rc;
}

int yb_nhsa_revoke_setl_in(yb_ctx *ctx, yb_nhsa_setl *o, const json_t *j,
			   yb_err *err)
{
	if (o->revoked || o->s.state == YB_SETTLE_REVOKED)
		return 0;        /* S5: again is harmless, and the same */
	return revoke_rec(ctx, o, j, yb_ctx_now(ctx), err);
}

int yb_nhsa_revoke(yb_ctx *ctx, const char *setl_id, const char *mdtrt_id,
		   const char *psn_no, bool inpatient, yb_nhsa_setl *o,
		   yb_err *err)
{
	json_t *j = NULL;
	bool was_revoked;

	if (yb_authorize(ctx, "settlement.revoke", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (yb_nhsa_setl_load(ctx, setl_id, mdtrt_id, psn_no, &j, o, err) < 0)
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
	if (yb_nhsa_revoke_setl_in(ctx, o, j, err) < 0)
		goto fail;
	json_decref(j);
	if (was_revoked) {
		yb_tx_rollback(ctx);
		return 0;
	}
	return yb_audit_commit(ctx, "settlement.revoke", "settlement",
			       o->s.id, err);
fail:
	json_decref(j);
	yb_tx_rollback(ctx);
	return -1;
}

int yb_nhsa_setl_get(yb_ctx *ctx, const char *setl_id, const char *mdtrt_id,
		     const char *psn_no, yb_nhsa_setl *o, yb_err *err)
{
	json_t *j = NULL;
	int rc;

	if (yb_authorize(ctx, "settlement.get", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = yb_nhsa_setl_load(ctx, setl_id, mdtrt_id, psn_no, &j, o, err);
	yb_tx_rollback(ctx);
	json_decref(j);
	return rc;
}

