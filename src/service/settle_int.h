/*
 * settle_int.h — what settle.c, offline.c and credential.c share and
 * nobody else needs (the "shared-internal" level between settle.h and
 * file statics): checking a settlement-shaped request, resolving a
 * patient's credential, paying a bill by the S3 order inside the caller's
 * transaction, and ending a use case with its audit record.
 */
#ifndef YB_SERVICE_SETTLE_INT_H
#define YB_SERVICE_SETTLE_INT_H

#include "service/ctx.h"

/* A settlement-shaped request after its fields have been checked. */
typedef struct yb_bill {
	const char *txn_id;
	yb_cred_type cred_type;
	const char *cred_value;
	yb_visit_type visit_type;
	int64_t total_fen;
	int64_t fund_pay_fen;
	/* nhsa gateway: acct_used_flag 0 — no personal account pays at all,
	 * the patient's own or a relative's (false from yb_bill_check). */
	bool no_accounts;
} yb_bill;

/*
 * Check the fields both an online settlement and an offline record carry
 * (S2) and fill `out` (which borrows the strings).  Errors:
 * request.missing_field, request.invalid_field (txn_id charset, unknown
 * credential type), settlement.invalid_visit_type,
 * settlement.invalid_amounts.  No I/O.
 */
int yb_bill_check(const char *txn_id, const char *cred_type,
		  const char *cred_value, const char *visit_type,
		  int64_t total_fen, int64_t fund_pay_fen, yb_bill *out,
		  yb_err *err);

/* The acting institution, read in the current transaction. */
int yb_acting_institution(yb_ctx *ctx, yb_institution *out, yb_err *err);

/*
 * C4/C5: the insured person a credential names, as of instant `at` (an
 * e-credential must have been valid then).  With `strict`, the card must
 * be issued (not lost, cancelled or still in production) and the patient
 * not terminated; without, only who is named matters — that is how a
 * repeat of an earlier settlement (S4) is recognised after the card or
 * person has changed state.  Errors: settlement.credential_invalid,
 * settlement.patient_not_insured.  Runs in the caller's transaction.
 */
int yb_cred_resolve(yb_ctx *ctx, yb_cred_type type, const char *value,
		    yb_time at, bool strict, yb_person *patient, yb_err *err);

/*
 * S3, S8: pay `bill` for `patient` at `inst` inside the caller's
 * transaction — lock the accounts, split by core payorder, post one
 * balanced ledger transaction, insert the settlement (with `offline_id`
 * and `request_hash`).  With `preview` nothing is locked or written and
 * out->state is preview.  `txn_id` is the one stored (a re-settlement's
 * own).  Fills `out` completely.
 */
int yb_bill_pay(yb_ctx *ctx, const yb_institution *inst,
		const yb_person *patient, const yb_bill *bill,
		const char *txn_id, const char *request_hash, yb_id offline_id,
		bool preview, yb_settlement *out, yb_err *err);

/* S4: the fingerprint of a bill once its credential names `patient_id`. */
void yb_bill_hash(const yb_bill *bill, yb_id patient_id,
		  char out[YB_HASH_HEX_SZ]);

/*
 * S5 inside the caller's write transaction: post the reverse of `s` (an
 * own, settled settlement) and mark it revoked at `now`; fills s's
 * revocation fields.  For the nhsa gateway's 2208, which changes its own
 * records in the same transaction.
 */
int yb_revoke_in_tx(yb_ctx *ctx, yb_settlement *s, yb_time now, yb_err *err);

/*
 * nhsa gateway (nhsa_settle.c): yb_revoke_in_tx, and when `s` was settled
 * through the national interface also its yearly totals (N6) and its
 * gateway record — so a revocation through the JSON API and one through
 * 2208 leave the same state.
 */
int yb_nhsa_revoke_in_tx(yb_ctx *ctx, yb_settlement *s, yb_time now,
			 yb_err *err);

/*
 * X3: append the audit record (target "<what>:<id>", result ok) and
 * commit.  The transaction is over afterwards either way: on failure it
 * has been rolled back.
 */
int yb_audit_commit(yb_ctx *ctx, const char *action, const char *what,
		    yb_id id, yb_err *err);

/*
 * S3 step 1 and 2's accounts for `patient` on a visit of type `visit`:
 * his own open account (*has_own, *own) and, when the visit type lets
 * relatives pay (setting), the active authorizers with an open account
 * (c[], at most max; balances not yet locked).  In the caller's
 * transaction.  Settlement and the eligibility check (eligibility.c,
 * for FHIR) both ask this.
 */
int yb_payers_usable(yb_ctx *ctx, const yb_person *patient,
		     yb_visit_type visit, bool *has_own, yb_account *own,
		     yb_payer_candidate *c, int max, int *nout, yb_err *err);

#endif
