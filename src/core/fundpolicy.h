/*
 * fundpolicy.h — the pooled-fund part of a bill on the national-interface
 * path (rules N1–N5 of docs/NHSA.md), as a pure function: the in-scope
 * amount, the policy of the person's insurance type and visit family
 * (settings nhsa_policy_*), and what the person has already used this
 * calendar year go in; the deductible paid now and the fund's part come
 * out.  No I/O: the caller reads and writes the yearly totals in the same
 * transaction as the settlement.
 */
#ifndef YB_CORE_FUNDPOLICY_H
#define YB_CORE_FUNDPOLICY_H

#include <stdint.h>

#include "core/err.h"
#include "core/settings.h"

/* What a person used this year in one insurance type and visit family. */
typedef struct yb_fund_cum {
	int64_t deductible_fen;          /* 起付线 paid so far */
	int64_t fund_fen;                /* fund paid so far */
} yb_fund_cum;

typedef struct yb_fund_in {
	int64_t medfee_fen;              /* the bill's total */
	int64_t inscp_fen;               /* in scope of the policy, <= total */
	yb_fund_policy policy;
	yb_fund_cum cum;
} yb_fund_in;

typedef struct yb_fund_out {
	int64_t deductible_fen;          /* act_pay_dedc: of the deductible now */
	int64_t fund_fen;                /* hifp_pay: the fund pays */
	int64_t fulamt_ownpay_fen;       /* total − in scope: all the patient's */
	int64_t ceiling_left_fen;        /* what the fund could still pay */
} yb_fund_out;

/*
 * N1–N5.  Errors: settlement.invalid_amounts when an amount is negative
 * or out of range, or inscp > medfee; settings.invalid for a ratio over
 * 10000 bp.
 */
int yb_fund_compute(const yb_fund_in *in, yb_fund_out *out, yb_err *err);

/* The visit family of a national med_type code: 2x and 52 inpatient, 41
 * pharmacy, everything else outpatient (N5). */
yb_visit_type yb_fund_visit_of_med_type(const char *med_type);

#endif
