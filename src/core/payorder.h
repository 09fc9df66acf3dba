/*
 * payorder.h — who pays for a bill, in which order (SPEC S3, F9).
 *
 * Pure: the service reads the balances inside its transaction and asks
 * this function how to split the personal-account part; then it posts
 * exactly the answer.  Keeping the rule here lets it be table-tested
 * without a database.
 *
 * Order:
 *  1. the patient's own account, up to its balance;
 *  2. only when the patient's own balance is zero (before this bill) or he
 *     has no account, and the visit type allows family use: the
 *     authorizers in descending order of balance (ties: the older binding,
 *     then the lower binding id), each up to his balance above the floor
 *     and, when the binding has a monthly cap (E2), up to what the cap
 *     leaves this month — the rest goes on to the next one;
 *  3. the rest in cash.
 *
 * Reading of rule 2: the seeds say relatives' accounts are used when "the
 * authorized user's personal account balance is zero or there is no
 * personal account".  A patient whose own account covers part of the bill
 * and reaches zero on it is then at zero, so the remainder goes on to the
 * relatives (the worked example: own 30.00, then 250.00, then
 * 20.00).  So "own balance zero" is judged after step 1.
 */
#ifndef YB_PAYORDER_H
#define YB_PAYORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/model.h"

typedef struct yb_pay_input {
	int64_t payable_fen;          /* total - fund part: what accounts+cash cover */
	bool patient_has_account;
	int64_t patient_balance_fen;  /* ignored without an account */
	bool family_allowed;          /* visit type allows family use (setting) */
	int64_t share_floor_fen;      /* F9: only the part above this is shared */
	int ncandidates;
	const yb_payer_candidate *candidates; /* any order; sorted here */
} yb_pay_input;

typedef struct yb_pay_share {
	int candidate;                /* index into candidates, -1 = own account */
	int64_t amount_fen;           /* > 0 */
} yb_pay_share;

typedef struct yb_pay_result {
	int nshares;
	yb_pay_share shares[YB_MAX_SHARES];
	int64_t account_pay_fen;      /* sum of shares */
	int64_t cash_pay_fen;         /* payable - account_pay */
	/* E2: the candidates whose cap cut their share, and by how much
	 * (what the balance and the bill would have let them pay, less
	 * what they paid). */
	int ncuts;
	yb_pay_share cuts[YB_MAX_SHARES];
} yb_pay_result;

/* S3's order of relatives: does x pay before y?  Balance descending,
 * then the older binding, then the lower binding id (false for equals).
 * Also the store's, when it keeps only the first few of many. */
bool yb_payer_pays_before(const yb_payer_candidate *x,
			  const yb_payer_candidate *y);

/*
 * Split `in->payable_fen`.  At most YB_MAX_SHARES - 1 relatives pay (the
 * richest ones, by the order above).  Errors: "settlement.invalid_amounts"
 * for a negative payable or balance.
 */
int yb_payorder_compute(const yb_pay_input *in, yb_pay_result *out,
			yb_err *err);

#endif
