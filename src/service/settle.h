/*
 * settle.h — designated institutions and settlement at the point of care
 * (SPEC S1–S8), offline re-settlement (S6), reconciliation (S7) and the
 * electronic credential (C1).
 */
#ifndef YB_SERVICE_SETTLE_H
#define YB_SERVICE_SETTLE_H

#include "service/ctx.h"

int yb_institution_register(yb_ctx *ctx, const char *code, const char *name,
			    const char *type, yb_institution *out,
			    yb_err *err);
int yb_institution_get(yb_ctx *ctx, const char *code, yb_institution *out,
		       yb_err *err);

typedef struct yb_settle_req {
	const char *txn_id;
	const char *cred_type;           /* card | ecert | id_number */
	const char *cred_value;
	const char *visit_type;          /* outpatient | pharmacy | inpatient */
	int64_t total_fen;
	int64_t fund_pay_fen;
} yb_settle_req;

/*
 * S2–S4, S8: settle a bill for the acting institution.  With `preview`,
 * the same computation and nothing kept (NHSA 2206).  A repeat of the same
 * (institution, txn_id) with the same content returns the first result
 * with *repeat = true; with different content: settlement.txn_id_reused.
 * Errors: settlement.invalid_amounts, settlement.invalid_visit_type,
 * settlement.credential_invalid, settlement.patient_not_insured.
 */
int yb_settle(yb_ctx *ctx, const yb_settle_req *req, bool preview,
	      yb_settlement *out, bool *repeat, yb_err *err);

/* Read a settlement; an institution sees only its own (else not_found). */
int yb_settlement_get(yb_ctx *ctx, yb_id id, yb_settlement *out,
		      yb_err *err);

/* S5: revoke (own institution only); again is harmless. */
int yb_revoke(yb_ctx *ctx, yb_id settlement_id, yb_settlement *out,
	      yb_err *err);

typedef struct yb_offline_req {
	const char *txn_id;
	const char *cred_type;
	const char *cred_value;
	const char *visit_type;
	int64_t total_fen;
	int64_t fund_pay_fen;
	yb_time occurred_at;             /* not in the future */
} yb_offline_req;

/* S6: record a visit paid in cash while the equipment failed. */
int yb_offline_record(yb_ctx *ctx, const yb_offline_req *req, yb_offline *out,
		      yb_err *err);

/*
 * S6: re-settle at the same institution within the window: pay the
 * account part as if online now; out_off->refund_fen is the cash to give
 * back.  Errors: offline.not_found, offline.wrong_institution,
 * offline.already_resettled, offline.window_expired.
 */
int yb_offline_resettle(yb_ctx *ctx, yb_id offline_id, yb_offline *out_off,
			yb_settlement *out_settlement, yb_err *err);

int yb_offline_get(yb_ctx *ctx, yb_id offline_id, yb_offline *out,
		   yb_err *err);

/* S7: our totals for the acting institution on a local date. */
int yb_recon_get(yb_ctx *ctx, yb_date date, yb_recon_totals *out,
		 yb_err *err);

typedef struct yb_recon_diff {
	const char *field;               /* "count", "total_fen", ... */
	int64_t ours;
	int64_t yours;
} yb_recon_diff;

/* S7: compare the institution's totals with ours. diffs[] ≥ 5. */
int yb_recon_compare(yb_ctx *ctx, yb_date date, const yb_recon_totals *theirs,
		     yb_recon_totals *ours, yb_recon_diff *diffs, int *ndiffs,
		     yb_err *err);

/* C1: issue an e-credential for the acting person (or, for admin/agency,
 * the person named by ssn). */
int yb_ecert_issue_for(yb_ctx *ctx, const char *ssn, char *token,
		       size_t size, yb_time *expires_at, yb_err *err);

#endif
