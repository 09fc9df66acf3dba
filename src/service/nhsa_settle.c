/*
 * nhsa_settle.c — settlement on the national-interface path: 2206
 * pre-settlement, 2207 settlement, 2208 revocation, 5203 query, 5206
 * yearly totals, and the totals 3201/3202 reconcile (docs/NHSA.md).
 *
 * It is the JSON API's settlement, not a second one: the bill is paid by
 * yb_bill_pay (S3 order, S8 locks, one balanced ledger posting, the
 * settlement row with its S4 hash) inside this file's transaction, which
 * also holds what only this path has — the fund part from the N-rule
 * policy and the person's yearly totals it reads and moves, the fee lines
 * it pays, and its own record of setlinfo.  One transaction, one audit
 * record, as every use case.
 *
 * Record kinds: "setl" (key the settlement id = setl_id, grp
 * institution|local date), "cum" (key person|year|insutype|visit family).
 * Yearly totals under concurrency (N6): the "cum" row is made if absent
 * and then read locked (PostgreSQL FOR UPDATE; SQLite's write transaction
 * holds the database) before the policy is computed from it, so two bills
 * of one person at once are computed one after the other.
 */
#include "service/nhsa_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fundpolicy.h"
#include "core/hash.h"
#include "service/settle_int.h"

static int year_of(yb_time t)
{
	int y, m, d;
	yb_date_to_ymd(yb_date_of(t), &y, &m, &d);
	return y;
}

static yb_nhsa_insu insu_of(const char *insutype)
{
	return strcmp(insutype, "390") == 0 ? YB_NHSA_INSU_RESIDENT
					   : YB_NHSA_INSU_EMPLOYEE;
}

static void cum_key(char *buf, size_t size, yb_id person, int year,
		    const char *insutype, int visit)
{
	snprintf(buf, size, "%lld|%d|%s|%d", (long long)person, year,
		 insutype, visit);
}

/* ---- the setl record ------------------------------------------------------- */

static json_t *setl_json(const yb_nhsa_setl *o, const char *req_hash)
{
	json_t *j = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, "
		"s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:I, s:s}",
		"mdtrt_id", o->mdtrt_id, "chrg_bchno", o->chrg_bchno,
		"insutype", o->insutype, "med_type", o->med_type,
		"cert_type", o->cert_type, "msgid", o->msgid,
		"medfee", (json_int_t)o->medfee_fen,
		"inscp", (json_int_t)o->inscp_fen,
		"fulamt", (json_int_t)o->fulamt_ownpay_fen,
		"dedc", (json_int_t)o->dedc_fen, "fund", (json_int_t)o->fund_fen,
		"ratio_bp", (json_int_t)o->ratio_bp,
		"acct", (json_int_t)o->acct_fen,
		"mulaid", (json_int_t)o->mulaid_fen,
		"cash", (json_int_t)o->cash_fen, "balc", (json_int_t)o->balc_fen,
		"at", (json_int_t)o->at, "revoked", o->revoked,
		"revoked_at", (json_int_t)o->revoked_at,
		"person_id", (json_int_t)o->person.id, "req_hash", req_hash);
	return j;
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

/* The setl record `setl_id` of this institution (mdtrt_id and psn_no
 * must match it too).  *j is the record (new reference). */
static int setl_load(yb_ctx *ctx, const char *setl_id, const char *mdtrt_id,
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

static int setl_save(yb_ctx *ctx, const yb_nhsa_setl *o, const char *hash,
		     int mode, yb_err *err)
{
	char grp[96], day[11];
	json_t *j = setl_json(o, hash);
	int rc;

	if (!j)
		return yb_errf(err, "out_of_memory", "out of memory");
	yb_date_format(yb_date_of(o->at), day, sizeof day);
	snprintf(grp, sizeof grp, "%s|%s", ctx->actor.institution_code, day);
	rc = yb_nhsa_rec_put(ctx, "setl", o->setl_id, grp, j, mode, err);
	json_decref(j);
	return rc;
}

/* ---- yearly totals (N6) ------------------------------------------------------ */

/* Read (locked, made if absent when `make`) the totals row. */
static int cum_read(yb_ctx *ctx, const char *key, bool make, json_t **j,
		    yb_err *err)
{
	int found;

	if (make) {
		json_t *zero = json_pack("{s:I, s:I, s:I, s:I}", "dedc",
					 (json_int_t)0, "fund", (json_int_t)0,
					 "medfee", (json_int_t)0, "count",
					 (json_int_t)0);
		int rc = zero ? yb_nhsa_rec_put(ctx, "cum", key, "", zero,
						YB_NHSA_ENSURE, err)
			      : yb_errf(err, "out_of_memory", "out of memory");
		json_decref(zero);
		if (rc < 0)
			return -1;
	}
	found = yb_nhsa_rec_get(ctx, "cum", key, j, NULL, err);
	if (found < 0)
		return -1;
	if (!found)
		*j = json_pack("{s:I, s:I, s:I, s:I}", "dedc", (json_int_t)0,
			       "fund", (json_int_t)0, "medfee", (json_int_t)0,
			       "count", (json_int_t)0);
	return *j ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}

/* Add sign × (this settlement) to its totals row. */
static int cum_move(yb_ctx *ctx, const char *key, json_t *j,
		    const yb_nhsa_setl *o, int sign, yb_err *err)
{
	json_object_set_new(j, "dedc", json_integer(yb_nhsa_ji(j, "dedc") +
						    sign * o->dedc_fen));
	json_object_set_new(j, "fund", json_integer(yb_nhsa_ji(j, "fund") +
						    sign * o->fund_fen));
	json_object_set_new(j, "medfee", json_integer(yb_nhsa_ji(j, "medfee") +
						      sign * o->medfee_fen));
	json_object_set_new(j, "count", json_integer(yb_nhsa_ji(j, "count") +
						     sign));
	return yb_nhsa_rec_put(ctx, "cum", key, "", j, YB_NHSA_UPSERT, err);
}

/* ---- 2206 / 2207 -------------------------------------------------------------- */

static bool batch_no_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= 30 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789-_.") == n;
}

static void req_hash(const yb_nhsa_setl_req *r, char out[YB_HASH_HEX_SZ])
{
	char buf[512];

	snprintf(buf, sizeof buf, "nhsa-setl/1|%s|%s|%s|%s|%d|%lld|%d|%lld",
		 r->psn_no, r->cert_type, r->med_type, r->insutype,
		 r->acct_used, (long long)r->medfee_fen, r->has_inscp,
		 (long long)r->inscp_fen);
	yb_sha256_hex_str(buf, out);
}

/* Sum of the visit's unsettled lines of one batch (2204). */
static int batch_total(yb_ctx *ctx, const yb_nhsa_setl_req *r,
		       yb_nhsa_fee **fees, int *n, int64_t *sum, yb_err *err)
{
	*sum = 0;
	if (yb_nhsa_fees_of(ctx, r->mdtrt_id, fees, n, err) < 0)
		return -1;
	for (int i = 0; i < *n; i++)
		if ((*fees)[i].settlement_id == 0 &&
		    strcmp((*fees)[i].chrg_bchno, r->chrg_bchno) == 0)
			*sum += (*fees)[i].amount_fen;
	return 0;
}

/* The patient's own balance after the settlement `o` was computed. */
static int own_balance(yb_ctx *ctx, yb_nhsa_setl *o, bool preview,
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

/* Compute and (unless preview) post the bill; fills `o`. */
static int settle_pay(yb_ctx *ctx, const yb_institution *inst,
		      const yb_nhsa_setl_req *r, const char *txn, bool preview, yb_nhsa_setl *o,
		      json_t *cum, yb_err *err)
{
	yb_fund_in fin;
	yb_fund_out fout;
	yb_bill bill;
	char hash[YB_HASH_HEX_SZ];
	int visit = yb_fund_visit_of_med_type(r->med_type);

	memset(&fin, 0, sizeof fin);
	fin.medfee_fen = r->medfee_fen;
	fin.inscp_fen = r->has_inscp ? r->inscp_fen : r->medfee_fen;
	fin.policy = ctx->settings->nhsa_policy[insu_of(r->insutype)][visit];
	fin.cum.deductible_fen = yb_nhsa_ji(cum, "dedc");
	fin.cum.fund_fen = yb_nhsa_ji(cum, "fund");
	if (yb_fund_compute(&fin, &fout, err) < 0)
		return -1;
	memset(&bill, 0, sizeof bill);
	bill.txn_id = txn;
	bill.cred_type = o->s.cred_type;
	bill.cred_value = "";
	bill.visit_type = (yb_visit_type)visit;
	bill.total_fen = r->medfee_fen;
	bill.fund_pay_fen = fout.fund_fen;
	bill.no_accounts = !r->acct_used;
	yb_bill_hash(&bill, o->person.id, hash);
	if (yb_bill_pay(ctx, inst, &o->person, &bill, txn, hash, 0, preview,
			&o->s, err) < 0)
		return -1;
	o->inscp_fen = fin.inscp_fen;
	o->fulamt_ownpay_fen = fout.fulamt_ownpay_fen;
	o->dedc_fen = fout.deductible_fen;
	o->fund_fen = fout.fund_fen;
	o->ratio_bp = fin.policy.ratio_bp;
	o->acct_fen = o->s.account_pay_fen;
	o->cash_fen = o->s.cash_pay_fen;
	for (int i = 0; i < o->s.nshares; i++)
		if (o->s.shares[i].relationship != YB_REL_SELF)
			o->mulaid_fen += o->s.shares[i].amount_fen;
	o->at = o->s.settled_at;
	return own_balance(ctx, o, preview, err);
}

/* Checks of the request against the visit and the patient (C4, 2204). */
static int settle_check(yb_ctx *ctx, const yb_nhsa_setl_req *r,
			const yb_nhsa_visit *v, yb_nhsa_setl *o, yb_err *err)
{
	yb_cred_type t;
	const char *no = *r->cert_no ? r->cert_no : v->cert_no;

	if (strcmp(v->state, "registered") != 0)
		return yb_errf(err, "nhsa.visit_state", "the visit was cancelled");
	if (strcmp(r->insutype, v->insutype) != 0)
		return yb_errf(err, "nhsa.insutype_mismatch", "insutype");
	if (strcmp(r->cert_type, "01") == 0)
		t = YB_CRED_ECERT;
	else if (strcmp(r->cert_type, "02") == 0)
		t = YB_CRED_ID_NUMBER;
	else if (strcmp(r->cert_type, "03") == 0)
		t = YB_CRED_CARD;
	else
		return yb_errf(err, "nhsa.invalid_field", "mdtrt_cert_type");
	/* An e-credential shown at registration is judged as of then (its
	 * token lives minutes); a card as of now (C5: frozen since → no). */
	if (yb_cred_resolve(ctx, t, no, t == YB_CRED_ECERT && !*r->cert_no
					     ? v->at : yb_ctx_now(ctx),
			    true, &o->person, err) < 0)
		return -1;
	if (o->person.id != v->person_id)
		return yb_errf(err, "nhsa.person_mismatch",
			       "the credential is not the patient's (C4)");
	o->s.cred_type = t;
	if (r->has_inscp && r->inscp_fen > r->medfee_fen)
		return yb_errf(err, "nhsa.invalid_amount",
			       "inscp_scp_amt > medfee_sumamt");
	return 0;
}

/* A repeat of (institution, txn) (S4): the first answer, or refused. */
static int settle_repeat(yb_ctx *ctx, const yb_settlement *prev,
			 const char *hash, yb_nhsa_setl *o, yb_err *err)
{
	char id[24];
	json_t *j = NULL;
	int rc;

	snprintf(id, sizeof id, "%lld", (long long)prev->id);
	rc = setl_load(ctx, id, NULL, NULL, &j, o, err);
	if (rc == 0 && strcmp(yb_nhsa_js(j, "req_hash"), hash) != 0)
		rc = yb_errf(err, "nhsa.setl_reused",
			     "mdtrt_id/chrg_bchno settled with other content");
	json_decref(j);
	return rc;
}

static int settle_body(yb_ctx *ctx, const yb_nhsa_setl_req *r, bool preview,
		       yb_nhsa_setl *o, bool *repeat, const char *hash,
		       const char *txn, yb_err *err)
{
	yb_institution inst;
	yb_nhsa_visit v;
	yb_settlement *prev = NULL;
	yb_nhsa_fee *fees = NULL;
	json_t *cum = NULL;
	char ckey[128];
	int64_t sum;
	int n = 0, found, rc = -1;

	if (yb_acting_institution(ctx, &inst, err) < 0 ||
	    yb_nhsa_visit_load(ctx, r->mdtrt_id, r->psn_no, &v, err) < 0)
		goto out;
	prev = malloc(sizeof *prev);
	if (!prev) {
		yb_errf(err, "out_of_memory", "out of memory");
		goto out;
	}
	found = preview ? 0 : ctx->store->ops->settlement_by_txn(
		ctx->store, inst.code, txn, prev, err);
	if (found < 0)
		goto out;
	if (found) {
		*repeat = true;
		rc = settle_repeat(ctx, prev, hash, o, err);
		goto out;
	}
	if (settle_check(ctx, r, &v, o, err) < 0 ||
	    batch_total(ctx, r, &fees, &n, &sum, err) < 0)
		goto out;
	if (sum != r->medfee_fen) {
		yb_errf(err, "nhsa.fee_total_mismatch",
			"details %lld.%02lld, medfee_sumamt %lld.%02lld",
			(long long)(sum / 100), (long long)(sum % 100),
			(long long)(r->medfee_fen / 100),
			(long long)(r->medfee_fen % 100));
		goto out;
	}
	cum_key(ckey, sizeof ckey, o->person.id, year_of(yb_ctx_now(ctx)),
		r->insutype, yb_fund_visit_of_med_type(r->med_type));
	if (cum_read(ctx, ckey, !preview, &cum, err) < 0 ||
	    settle_pay(ctx, &inst, r, txn, preview, o, cum, err) < 0)
		goto out;
	if (preview) {
		rc = 0;
		goto out;
	}
	snprintf(o->setl_id, sizeof o->setl_id, "%lld", (long long)o->s.id);
	for (int i = 0; i < n; i++)
		if (fees[i].settlement_id == 0 &&
		    strcmp(fees[i].chrg_bchno, r->chrg_bchno) == 0 &&
		    yb_nhsa_fee_mark(ctx, &fees[i], o->s.id, err) < 0)
			goto out;
	if (cum_move(ctx, ckey, cum, o, 1, err) < 0 ||
	    setl_save(ctx, o, hash, YB_NHSA_INSERT, err) < 0)
		goto out;
	rc = 0;
out:
	free(prev);
	free(fees);
	json_decref(cum);
	return rc;
}

int yb_nhsa_settle(yb_ctx *ctx, const yb_nhsa_setl_req *r, bool preview,
		   yb_nhsa_setl *o, bool *repeat, yb_err *err)
{
	char txn[YB_TXN_ID_SZ], hash[YB_HASH_HEX_SZ];
	bool dummy;
	int rc;

	if (!repeat)
		repeat = &dummy;
	*repeat = false;
	if (yb_authorize(ctx, preview ? "settlement.preview"
				      : "settlement.create", err) < 0)
		return -1;
	if (!batch_no_ok(r->chrg_bchno))
		return yb_errf(err, "nhsa.invalid_field", "chrg_bchno");
	if (r->medfee_fen <= 0)
		return yb_errf(err, "nhsa.invalid_amount", "medfee_sumamt > 0");
	snprintf(txn, sizeof txn, "%.30s/%.30s", r->mdtrt_id, r->chrg_bchno);
	req_hash(r, hash);
	memset(o, 0, sizeof *o);
	yb_nhsa_cpy(o->mdtrt_id, sizeof o->mdtrt_id, r->mdtrt_id);
	yb_nhsa_cpy(o->chrg_bchno, sizeof o->chrg_bchno, r->chrg_bchno);
	yb_nhsa_cpy(o->insutype, sizeof o->insutype, r->insutype);
	yb_nhsa_cpy(o->med_type, sizeof o->med_type, r->med_type);
	yb_nhsa_cpy(o->cert_type, sizeof o->cert_type, r->cert_type);
	yb_nhsa_cpy(o->msgid, sizeof o->msgid, r->msgid);
	o->medfee_fen = r->medfee_fen;
	if (yb_tx_begin(ctx, !preview, err) < 0)
		return -1;
	rc = settle_body(ctx, r, preview, o, repeat, hash, txn, err);
	if (rc < 0 || preview || *repeat) {
		/* A failure keeps nothing; previews and repeats nothing either. */
		yb_tx_rollback(ctx);
		return rc;
	}
	return yb_audit_commit(ctx, "settlement.create", "settlement",
			       o->s.id, err);
}

/* ---- 2208, 5203 ----------------------------------------------------------------- */

/* S5 for a gateway settlement `o` (its record `j`), in the caller's
 * write transaction: the yearly totals row locked before the accounts, as
 * a settlement takes them (one lock order, no deadlock on PostgreSQL),
 * then the ledger, the totals and the record. */
static int revoke_rec(yb_ctx *ctx, yb_nhsa_setl *o, const json_t *j,
		      yb_time now, yb_err *err)
{
	json_t *cum = NULL;
	char ckey[128];
	int rc = -1;

	cum_key(ckey, sizeof ckey, o->person.id, year_of(o->at), o->insutype,
		yb_fund_visit_of_med_type(o->med_type));
	if (cum_read(ctx, ckey, true, &cum, err) < 0 ||
	    yb_revoke_in_tx(ctx, &o->s, now, err) < 0 ||
	    cum_move(ctx, ckey, cum, o, -1, err) < 0)
		goto out;
	o->revoked = true;
	o->revoked_at = o->s.revoked_at;
	if (own_balance(ctx, o, false, err) < 0 ||
	    setl_save(ctx, o, yb_nhsa_js(j, "req_hash"), YB_NHSA_UPSERT,
		      err) < 0)
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

int yb_nhsa_revoke(yb_ctx *ctx, const char *setl_id, const char *mdtrt_id,
		   const char *psn_no, yb_nhsa_setl *o, yb_err *err)
{
	json_t *j = NULL;

	if (yb_authorize(ctx, "settlement.revoke", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (setl_load(ctx, setl_id, mdtrt_id, psn_no, &j, o, err) < 0)
		goto fail;
	if (o->revoked || o->s.state == YB_SETTLE_REVOKED) {
		/* S5: again is harmless, and answers the same. */
		yb_tx_rollback(ctx);
		json_decref(j);
		return 0;
	}
	if (revoke_rec(ctx, o, j, yb_ctx_now(ctx), err) < 0)
		goto fail;
	json_decref(j);
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
	rc = setl_load(ctx, setl_id, mdtrt_id, psn_no, &j, o, err);
	yb_tx_rollback(ctx);
	json_decref(j);
	return rc;
}

/* ---- 5206, 3201/3202 --------------------------------------------------------------- */

int yb_nhsa_cum_get(yb_ctx *ctx, const char *psn_no, int year,
		    yb_nhsa_cum *out, int *n, yb_err *err)
{
	static const char *const insus[] = { "310", "390" };
	yb_person p;
	char key[128];
	int found, rc = -1;

	*n = 0;
	if (yb_authorize(ctx, "nhsa.cumulative", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = ctx->store->ops->person_by_ssn(ctx->store, psn_no, &p, err);
	if (found <= 0) {
		if (found == 0)
			yb_errf(err, "person.not_found", "psn_no");
		goto out;
	}
	for (int i = 0; i < 2; i++)
		for (int v = 0; v < YB_VISIT__N; v++) {
			json_t *j = NULL;
			cum_key(key, sizeof key, p.id, year, insus[i], v);
			found = yb_nhsa_rec_get(ctx, "cum", key, &j, NULL, err);
			if (found < 0)
				goto out;
			if (!found)
				continue;
			yb_nhsa_cum *c = &out[(*n)++];
			memset(c, 0, sizeof *c);
			yb_nhsa_cpy(c->insutype, sizeof c->insutype, insus[i]);
			c->year = year;
			c->visit = v;
			c->dedc_fen = yb_nhsa_ji(j, "dedc");
			c->fund_fen = yb_nhsa_ji(j, "fund");
			c->medfee_fen = yb_nhsa_ji(j, "medfee");
			c->count = yb_nhsa_ji(j, "count");
			json_decref(j);
		}
	rc = 0;
out:
	yb_tx_rollback(ctx);
	return rc;
}

/* Add the institution's settlements of one local date. */
static int totals_day(yb_ctx *ctx, const char *insutype, yb_date d,
		      yb_nhsa_totals *t, yb_err *err)
{
	char grp[96], day[11];
	yb_nhsa_rec *recs = NULL;
	json_error_t jerr;
	int n = 0;

	yb_date_format(d, day, sizeof day);
	snprintf(grp, sizeof grp, "%s|%s", ctx->actor.institution_code, day);
	if (ctx->store->ops->nhsa_list(ctx->store, "setl", grp, &recs, &n,
				       err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		json_t *j = json_loads(recs[i].val, 0, &jerr);
		if (j && !json_is_true(json_object_get(j, "revoked")) &&
		    (!*insutype ||
		     strcmp(yb_nhsa_js(j, "insutype"), insutype) == 0)) {
			t->count++;
			t->medfee_fen += yb_nhsa_ji(j, "medfee");
			t->fund_fen += yb_nhsa_ji(j, "fund");
			t->acct_fen += yb_nhsa_ji(j, "acct");
			t->cash_fen += yb_nhsa_ji(j, "cash");
		}
		json_decref(j);
	}
	yb_nhsa_recs_free(recs, n);
	return 0;
}

int yb_nhsa_totals_get(yb_ctx *ctx, const char *insutype, yb_date begin,
		       yb_date end, yb_nhsa_totals *out, yb_err *err)
{
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (yb_authorize(ctx, "reconciliation.compare", err) < 0)
		return -1;
	if (begin <= 0 || end < begin || end - begin > 366)
		return yb_errf(err, "reconciliation.invalid",
			       "stmt_begndate..stmt_enddate: at most a year");
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	for (yb_date d = begin; d <= end && rc == 0; d++)
		rc = totals_day(ctx, insutype ? insutype : "", d, out, err);
	yb_tx_rollback(ctx);
	return rc;
}
