/*
 * inquiry.h — what a person and an employer may look up (SPEC Q1–Q3, F7).
 *
 * All lists are newest first with a cursor (`before` = the last id of the
 * previous page, 0 for the first); the caller frees *out.
 */
#ifndef YB_SERVICE_INQUIRY_H
#define YB_SERVICE_INQUIRY_H

#include "service/ctx.h"

int yb_my_contributions(yb_ctx *ctx, yb_id before, int limit,
			yb_contribution **out, int *n, yb_err *err);
int yb_my_ledger(yb_ctx *ctx, yb_id before, int limit, yb_ledger_line **out,
		 int *n, yb_err *err);
int yb_my_settlements(yb_ctx *ctx, yb_id before, int limit,
		      yb_settlement **out, int *n, yb_err *err);
/* F7: who used my account, when, where, how much. */
int yb_my_family_usage(yb_ctx *ctx, yb_id before, int limit, yb_usage **out,
		       int *n, yb_err *err);

/* Q2: an employer's own employees' contributions (period may be NULL). */
int yb_employer_contributions(yb_ctx *ctx, const char *period, yb_id before,
			      int limit, yb_contribution **out, int *n,
			      yb_err *err);

/* The same views for an operator (admin, agency_window), by SSN. */
int yb_person_contributions(yb_ctx *ctx, const char *ssn, yb_id before,
			    int limit, yb_contribution **out, int *n,
			    yb_err *err);
int yb_person_ledger(yb_ctx *ctx, const char *ssn, yb_id before, int limit,
		     yb_ledger_line **out, int *n, yb_err *err);
int yb_person_settlements(yb_ctx *ctx, const char *ssn, yb_id before,
			  int limit, yb_settlement **out, int *n, yb_err *err);
int yb_person_family_usage(yb_ctx *ctx, const char *ssn, yb_id before,
			   int limit, yb_usage **out, int *n, yb_err *err);

#endif
