/*
 * nhsa_settle.c — settlement on the national-interface path: 2206/2207
 * outpatient (one fee batch) and 2303/2304 inpatient (every unsettled
 * batch of a stay), pre-settlement and settlement (docs/NHSA.md).
 *
 * It is the JSON API's settlement, not a second one: the bill is paid by
 * yb_bill_pay (S3 order, S8 locks, one balanced ledger posting, the
 * settlement row with its S4 hash) inside this file's transaction, which
 * also holds what only this path has — the fund part from the N-rule
 * policy and the person's yearly totals it reads and moves (nhsa_cum.c),
 * the fee batches it pays (nhsa_fee.c), and its own record of setlinfo
 * (nhsa_setl.c).  One transaction, one audit record, as every use case.
 *
 * S4 transaction ids: an outpatient bill is its batch, "mdtrt_id/
 * chrg_bchno"; the k-th settlement of a stay is "mdtrt_id/ZY<k>", and a
 * stay whose final settlement stands answers that one to a repeat.
 */
#include "service/nhsa_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fundpolicy.h"
#include "core/hash.h"
#include "service/settle_int.h"

static yb_nhsa_insu insu_of(const char *insutype)
{
	return strcmp(insutype, "390") == 0 ? YB_NHSA_INSU_RESIDENT
					   : YB_NHSA_INSU_EMPLOYEE;
}

static bool batch_no_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= 30 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789-_.") == n;
}

/* The S4 hash of a request's content ("nhsa-setl/1|..."). */
static void hash_of(const yb_nhsa_setl_req *r, char out[YB_HASH_HEX_SZ])
{
	char buf[512];
	int n = snprintf(buf, sizeof buf,
			 "nhsa-setl/1|%s|%s|%s|%s|%d|%lld|%d|%lld", r->psn_no,
			 r->cert_type, r->med_type, r->insutype, r->acct_used,
			 (long long)r->medfee_fen, r->has_inscp,
			 (long long)r->inscp_fen);

	/* A stay's only (outpatient hashes already kept stay as they were). */
	if (r->inpatient && n > 0 && (size_t)n < sizeof buf)
		snprintf(buf + n, sizeof buf - (size_t)n, "|ZY|%d", r->mid_setl);
	yb_sha256_hex_str(buf, out);
}

static void req_hash(const yb_nhsa_setl_req *r, char out[YB_HASH_HEX_SZ])
{
	if (r->hash[0]) {                /* made before (the gateway's begin) */
		memcpy(out, r->hash, YB_HASH_HEX_SZ);
		return;
	}
	hash_of(r, out);
}

void yb_nhsa_setl_req_hash(yb_nhsa_setl_req *r)
{
	hash_of(r, r->hash);
}

/* What the bill is: one batch (outpatient) or every unsettled batch of
 * the stay (inpatient) — *b and *nb, the ones it pays (malloc'd). */
static int bill_batches(yb_ctx *ctx, const yb_nhsa_setl_req *r,
			yb_nhsa_batch **b, int *nb, int64_t *sum, yb_err *err)
{
	int n = 0, found;

	*sum = 0;
	*nb = 0;
	if (r->inpatient) {
		if (yb_nhsa_batches_of(ctx, r->mdtrt_id, b, &n, err) < 0)
			return -1;
	} else {
		*b = calloc(1, sizeof **b);
		if (!*b)
			return yb_errf(err, "out_of_memory", "out of memory");
		found = yb_nhsa_batch_get(ctx, r->mdtrt_id, r->chrg_bchno, *b,
					  err);
		if (found < 0)
			return -1;
		n = found;
	}
	for (int i = 0; i < n; i++)
		if ((*b)[i].settlement_id == 0) {
			(*b)[*nb] = (*b)[i];
			*sum += (*b)[(*nb)++].sum_fen;
		}
	return 0;
}

/* Compute and (unless preview) post the bill; fills `o`. */
static int settle_pay(yb_ctx *ctx, const yb_institution *inst,
		      const yb_nhsa_setl_req *r, const char *txn, bool preview,
		      yb_nhsa_setl *o, const yb_nhsa_cum_rec *cum,
		      yb_err *err)
{
	yb_fund_in fin;
	yb_fund_out fout;
	yb_bill bill;
	char hash[YB_HASH_HEX_SZ];
	int visit = yb_fund_visit_of_med_type(o->med_type);

	memset(&fin, 0, sizeof fin);
	fin.medfee_fen = r->medfee_fen;
	fin.inscp_fen = r->has_inscp ? r->inscp_fen : r->medfee_fen;
	fin.policy = ctx->settings->nhsa_policy[insu_of(r->insutype)][visit];
	fin.cum.deductible_fen = cum->dedc_fen;
	fin.cum.fund_fen = cum->fund_fen;
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
	return yb_nhsa_own_balance(ctx, o, preview, err);
}

/* Checks of the request against the visit and the patient (C4). */
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

/* A repeat of a settled bill (S4): the first answer, or refused. */
static int settle_repeat(yb_ctx *ctx, yb_id id, const char *hash,
			 yb_nhsa_setl *o, yb_err *err)
{
	char sid[24];
	int rc;

	snprintf(sid, sizeof sid, "%lld", (long long)id);
	rc = yb_nhsa_setl_load(ctx, sid, NULL, NULL, o, err);
	if (rc == 0 && strcmp(o->req_hash, hash) != 0)
		rc = yb_errf(err, "nhsa.setl_reused",
			     "mdtrt_id/chrg_bchno settled with other content");
	return rc;
}

/* The S4 id of this bill, and whether it was settled before (*prev). */
static int settle_txn(yb_ctx *ctx, const yb_institution *inst,
		      const yb_nhsa_setl_req *r, const yb_nhsa_visit *v,
		      bool preview, char txn[YB_TXN_ID_SZ], yb_id *prev,
		      yb_err *err)
{
	yb_settlement *s;
	int found;

	*prev = 0;
	if (r->inpatient) {
		snprintf(txn, YB_TXN_ID_SZ, "%.30s/ZY%d", r->mdtrt_id,
			 v->ipt_count + 1);
		*prev = preview ? 0 : v->final_setl;
		return 0;
	}
	snprintf(txn, YB_TXN_ID_SZ, "%.30s/%.30s", r->mdtrt_id, r->chrg_bchno);
	if (preview)
		return 0;
	s = malloc(sizeof *s);
	if (!s)
		return yb_errf(err, "out_of_memory", "out of memory");
	found = ctx->store->ops->settlement_by_txn(ctx->store, inst->code, txn,
						   s, err);
	if (found > 0)
		*prev = s->id;
	free(s);
	return found < 0 ? -1 : 0;
}

/* After the posting: the batches paid, a stay's count and final
 * settlement, the yearly totals and the setl record. */
static int settle_keep(yb_ctx *ctx, const yb_nhsa_setl_req *r,
		       yb_nhsa_visit *v, yb_nhsa_batch *b, int nb,
		       yb_nhsa_cum_rec *cum, yb_nhsa_setl *o,
		       const char *hash, yb_err *err)
{
	snprintf(o->setl_id, sizeof o->setl_id, "%lld", (long long)o->s.id);
	for (int i = 0; i < nb; i++) {
		b[i].settlement_id = o->s.id;
		if (yb_nhsa_batch_put(ctx, r->mdtrt_id, &b[i], err) < 0)
			return -1;
	}
	if (r->inpatient) {
		v->ipt_count++;
		if (!r->mid_setl)
			v->final_setl = o->s.id;
		if (yb_nhsa_visit_save(ctx, v, YB_NHSA_UPSERT, err) < 0)
			return -1;
	}
	if (yb_nhsa_cum_move(ctx, cum, o, 1, err) < 0)
		return -1;
	yb_nhsa_cpy(o->req_hash, sizeof o->req_hash, hash);
	return yb_nhsa_setl_save(ctx, o, YB_NHSA_INSERT, err);
}

/* The visit, and for a stay its med_type (2203), which must be an
 * inpatient one. */
static int settle_visit(yb_ctx *ctx, const yb_nhsa_setl_req *r,
			yb_nhsa_visit *v, yb_nhsa_setl *o, yb_err *err)
{
	if (yb_nhsa_visit_load(ctx, r->mdtrt_id, r->psn_no, v, err) < 0)
		return -1;
	if (!r->inpatient)
		return 0;
	if (yb_fund_visit_of_med_type(v->med_type) != YB_VISIT_INPATIENT ||
	    !*v->med_type)
		return yb_errf(err, "nhsa.visit_state",
			       "med_type of the visit (2203) is not inpatient");
	yb_nhsa_cpy(o->med_type, sizeof o->med_type, v->med_type);
	return 0;
}

static int settle_body(yb_ctx *ctx, const yb_nhsa_setl_req *r, bool preview,
		       yb_nhsa_setl *o, bool *repeat, const char *hash,
		       yb_err *err)
{
	yb_institution inst;
	yb_nhsa_visit v;
	yb_nhsa_batch *b = NULL;
	yb_nhsa_cum_rec cum;
	char ckey[128], txn[YB_TXN_ID_SZ];
	int64_t sum;
	yb_id prev;
	int nb = 0, rc = -1;

	if (yb_acting_institution(ctx, &inst, err) < 0 ||
	    settle_visit(ctx, r, &v, o, err) < 0 ||
	    settle_txn(ctx, &inst, r, &v, preview, txn, &prev, err) < 0)
		goto out;
	if (prev) {
		*repeat = true;
		rc = settle_repeat(ctx, prev, hash, o, err);
		goto out;
	}
	if (settle_check(ctx, r, &v, o, err) < 0 ||
	    bill_batches(ctx, r, &b, &nb, &sum, err) < 0)
		goto out;
	if (sum != r->medfee_fen) {
		yb_errf(err, "nhsa.fee_total_mismatch",
			"details %lld.%02lld, medfee_sumamt %lld.%02lld",
			(long long)(sum / 100), (long long)(sum % 100),
			(long long)(r->medfee_fen / 100),
			(long long)(r->medfee_fen % 100));
		goto out;
	}
	yb_nhsa_cum_key(ckey, sizeof ckey, o->person.id,
			yb_nhsa_year_of(yb_ctx_now(ctx)), r->insutype,
			yb_fund_visit_of_med_type(o->med_type));
	if (yb_nhsa_cum_read(ctx, ckey, !preview, &cum, err) < 0 ||
	    settle_pay(ctx, &inst, r, txn, preview, o, &cum, err) < 0)
		goto out;
	rc = preview ? 0 : settle_keep(ctx, r, &v, b, nb, &cum, o, hash, err);
out:
	free(b);
	return rc;
}

int yb_nhsa_settle(yb_ctx *ctx, const yb_nhsa_setl_req *r, bool preview,
		   yb_nhsa_setl *o, bool *repeat, yb_err *err)
{
	char hash[YB_HASH_HEX_SZ];
	bool dummy;
	int rc;

	if (!repeat)
		repeat = &dummy;
	*repeat = false;
	if (yb_authorize(ctx, preview ? "settlement.preview"
				      : "settlement.create", err) < 0)
		return -1;
	if (!r->inpatient && !batch_no_ok(r->chrg_bchno))
		return yb_errf(err, "nhsa.invalid_field", "chrg_bchno");
	if (r->medfee_fen <= 0)
		return yb_errf(err, "nhsa.invalid_amount", "medfee_sumamt > 0");
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
	rc = settle_body(ctx, r, preview, o, repeat, hash, err);
	if (rc < 0 || preview || *repeat) {
		/* A failure keeps nothing; previews and repeats nothing either. */
		yb_tx_rollback(ctx);
		return rc;
	}
	return yb_audit_commit(ctx, "settlement.create", "settlement",
			       o->s.id, err);
}
