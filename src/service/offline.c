/*
 * offline.c — visits paid in cash while an institution's equipment failed,
 * and their re-settlement after the repair (SPEC S6).
 *
 * The money model: at the failed visit the patient paid in cash all but
 * the pooled-fund part the institution computed (total − fund_pay), so
 * recording the visit moves no money in our books — the cash went to the
 * institution directly and the fund part is only owed.  Re-settlement then
 * settles the bill exactly as an online settlement made now (current
 * balances, current bindings, S3 order): one ordinary posting for the
 * whole bill, fund part included.  What the accounts pay now is cash the
 * patient paid but did not owe, so the refund to the patient is the
 * account part.  The re-settlement is an ordinary settlement row, with
 * offline_id set and txn_id "offline:<offline id>" — a ':' never occurs in
 * an institution's own transaction ids (settle.c), so it cannot collide
 * with one — and it counts in reconciliation on the day it is made.
 * The credential was checked when the visit was recorded (as of the
 * visit); re-settlement needs only that the patient is still insured.
 * Revoking a re-settlement (S5) reverses its posting like any other; the
 * offline record stays resettled, since S6 allows one re-settlement.
 */
#include "service/settle.h"

#include <stdio.h>
#include <string.h>

#include "service/settle_int.h"

#define DAY 86400

static int window_expired(const yb_ctx *ctx, yb_time occurred_at,
			  yb_time now)
{
	return now - occurred_at >
	       (yb_time)ctx->settings->offline_window_days * DAY;
}

int yb_offline_record(yb_ctx *ctx, const yb_offline_req *req, yb_offline *out,
		      yb_err *err)
{
	yb_institution inst;
	yb_person patient;
	yb_bill bill;
	yb_time now = yb_ctx_now(ctx);
	bool open = false;
	int rc = -1;

	if (yb_authorize(ctx, "offline.record", err) < 0)
		goto out;
	if (yb_bill_check(req->txn_id, req->cred_type, req->cred_value,
			  req->visit_type, req->total_fen, req->fund_pay_fen,
			  &bill, err) < 0)
		goto out;
	if (req->occurred_at > now) {
		yb_errf(err, "request.invalid_field",
			"occurred_at is in the future");
		goto out;
	}
	/* A visit too old to be re-settled is refused at once rather than
	 * recorded to fail later. */
	if (window_expired(ctx, req->occurred_at, now)) {
		yb_errf(err, "offline.window_expired",
			"the visit is more than %d days old",
			ctx->settings->offline_window_days);
		goto out;
	}
	if (yb_tx_begin(ctx, true, err) < 0)
		goto out;
	open = true;
	if (yb_acting_institution(ctx, &inst, err) < 0)
		goto out;
	/* The credential is judged as of the visit: an e-credential shown
	 * then may well have expired by the time the record is typed in. */
	if (yb_cred_resolve(ctx, bill.cred_type, bill.cred_value,
			    req->occurred_at, true, &patient, err) < 0)
		goto out;

	memset(out, 0, sizeof *out);
	snprintf(out->institution_code, sizeof out->institution_code, "%s",
		 inst.code);
	snprintf(out->txn_id, sizeof out->txn_id, "%s", bill.txn_id);
	out->patient_id = patient.id;
	snprintf(out->patient_ssn, sizeof out->patient_ssn, "%s", patient.ssn);
	snprintf(out->patient_name, sizeof out->patient_name, "%s",
		 patient.name);
	out->cred_type = bill.cred_type;
	out->visit_type = bill.visit_type;
	out->total_fen = bill.total_fen;
	out->fund_pay_fen = bill.fund_pay_fen;
	out->occurred_at = req->occurred_at;
	out->recorded_at = now;
	out->state = YB_OFFLINE_CASH_PAID;
	if (ctx->store->ops->offline_insert(ctx->store, out, err) < 0)
		goto out;
	open = false;
	if (yb_audit_commit(ctx, "offline.record", "offline", out->id,
			    err) < 0)
		goto out;
	rc = 0;
out:
	if (open)
		yb_tx_rollback(ctx);
	return rc;
}

/* The offline record `id` of the acting institution.  Another
 * institution's is not_found to a read, but a re-settlement attempt there
 * is told where to go (`resettling`: offline.wrong_institution). */
static int offline_load(yb_ctx *ctx, yb_id id, bool resettling,
			yb_offline *out, yb_err *err)
{
	int found = ctx->store->ops->offline_by_id(ctx->store, id, out, err);

	if (found < 0)
		return -1;
	if (found && strcmp(out->institution_code,
			    ctx->actor.institution_code) != 0) {
		if (resettling)
			return yb_errf(err, "offline.wrong_institution",
				       "re-settle at the institution where "
				       "the visit took place");
		found = 0;
	}
	if (!found)
		return yb_errf(err, "offline.not_found",
			       "no offline record %lld", (long long)id);
	return 0;
}

int yb_offline_resettle(yb_ctx *ctx, yb_id offline_id, yb_offline *out_off,
			yb_settlement *out_settlement, yb_err *err)
{
	yb_institution inst;
	yb_person patient;
	yb_bill bill;
	char txn[YB_TXN_ID_SZ], hash[YB_HASH_HEX_SZ];
	yb_time now = yb_ctx_now(ctx);
	bool open = false;
	int found, rc = -1;

	if (yb_authorize(ctx, "offline.resettle", err) < 0)
		goto out;
	if (yb_tx_begin(ctx, true, err) < 0)
		goto out;
	open = true;
	if (offline_load(ctx, offline_id, true, out_off, err) < 0)
		goto out;
	if (out_off->state == YB_OFFLINE_RESETTLED) {
		yb_errf(err, "offline.already_resettled",
			"offline record %lld was re-settled already",
			(long long)offline_id);
		goto out;
	}
	if (window_expired(ctx, out_off->occurred_at, now)) {
		yb_errf(err, "offline.window_expired",
			"re-settlement is possible for %d days after the visit",
			ctx->settings->offline_window_days);
		goto out;
	}
	if (yb_acting_institution(ctx, &inst, err) < 0)
		goto out;
	found = ctx->store->ops->person_by_id(ctx->store, out_off->patient_id,
					      &patient, err);
	if (found < 0)
		goto out;
	if (!found || patient.status == YB_STATUS_TERMINATED) {
		yb_errf(err, "settlement.patient_not_insured",
			"the patient's insurance has ended");
		goto out;
	}

	memset(&bill, 0, sizeof bill);
	snprintf(txn, sizeof txn, "offline:%lld", (long long)offline_id);
	bill.txn_id = txn;
	bill.cred_type = out_off->cred_type;
	bill.cred_value = "";
	bill.visit_type = out_off->visit_type;
	bill.total_fen = out_off->total_fen;
	bill.fund_pay_fen = out_off->fund_pay_fen;
	yb_bill_hash(&bill, patient.id, hash);
	if (yb_bill_pay(ctx, &inst, &patient, &bill, txn, hash, offline_id,
			false, out_settlement, err) < 0)
		goto out;
	if (ctx->store->ops->offline_set_resettled(
		    ctx->store, offline_id, out_settlement->id,
		    out_settlement->account_pay_fen, now, err) < 0)
		goto out;
	open = false;
	if (yb_audit_commit(ctx, "offline.resettle", "offline", offline_id,
			    err) < 0)
		goto out;
	out_off->state = YB_OFFLINE_RESETTLED;
	out_off->settlement_id = out_settlement->id;
	out_off->refund_fen = out_settlement->account_pay_fen;
	out_off->resettled_at = now;
	rc = 0;
out:
	if (open)
		yb_tx_rollback(ctx);
	return rc;
}

int yb_offline_get(yb_ctx *ctx, yb_id offline_id, yb_offline *out,
		   yb_err *err)
{
	int rc;

	if (yb_authorize(ctx, "offline.get", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = offline_load(ctx, offline_id, false, out, err);
	yb_tx_rollback(ctx);
	return rc;
}
