/*
 * ledger.h — contributions (A4) and the checks of the books (A1–A3, X3).
 */
#ifndef YB_SERVICE_LEDGER_H
#define YB_SERVICE_LEDGER_H

#include "service/ctx.h"

typedef struct yb_contribution_new {
	const char *ssn;
	const char *period;              /* "YYYY-MM" */
	const char *employer_code;
	int64_t base_fen;
	int64_t employer_fen;
	int64_t personal_fen;
	int64_t account_credit_fen;      /* ≤ employer + personal */
} yb_contribution_new;

/*
 * A4: record a contribution and credit the personal account:
 *   contribution income  −(employer+personal)
 *   personal account     +account_credit
 *   pooled fund          +(employer+personal−account_credit)
 * Errors: person.not_found, employer.not_found, contribution.invalid_period,
 * contribution.invalid_amounts, contribution.no_account (credit > 0 and no
 * personal account), contribution.duplicate.  An employer actor may post
 * only for its own employer code.
 */
int yb_contribution_post(yb_ctx *ctx, const yb_contribution_new *in,
			 yb_contribution *out, yb_err *err);

/* A3 and A1: every check of the books; ok = all zero/consistent. */
int yb_ledger_check(yb_ctx *ctx, yb_ledger_report *out, bool *ok,
		    yb_err *err);

typedef struct yb_audit_report {
	int64_t records;
	bool ok;
	yb_id first_bad_seq;             /* 0 when ok */
	char problem[YB_TEXT_SZ];
} yb_audit_report;

/* X3: walk the chain and recompute every hash. */
int yb_audit_verify(yb_ctx *ctx, yb_audit_report *out, yb_err *err);

/* Admin listing of audit records (newest first). */
int yb_audit_list(yb_ctx *ctx, yb_id before, int limit,
		  yb_audit_record **out, int *n, yb_err *err);

#endif
