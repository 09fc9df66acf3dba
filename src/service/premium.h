/*
 * premium.h — an authorizer pays a relative's yearly resident-scheme
 * individual contribution from his personal account (SPEC E1).
 */
#ifndef YB_SERVICE_PREMIUM_H
#define YB_SERVICE_PREMIUM_H

#include "service/ctx.h"

typedef struct yb_premium_req {
	const char *authorizer_ssn;      /* operators only; a person pays himself */
	const char *relative_ssn;
	int64_t year;
	const char *client_request_id;   /* 1..64 of A-Z a-z 0-9 - _ . */
} yb_premium_req;

/*
 * E1: pay `req->year`'s resident contribution of the relative from the
 * authorizer's personal account: one ledger transaction (his account →
 * contribution income), a contribution record for the relative (period =
 * the year, marked as paid by him) and the premium record, with its audit
 * record, in one transaction.  The relationship is proven by an active
 * binding of the authorizer to the relative.  A repeat of the same client
 * request id returns the first payment with *repeat = true.
 * Errors (each changing nothing): request.missing_field,
 * request.invalid_field, premium.invalid_year, premium.year_not_open,
 * premium.authorizer_not_eligible (not active tier 1 of this region),
 * person.not_found (relative), premium.not_bound,
 * premium.relative_not_resident, premium.already_paid (by anyone),
 * premium.insufficient_balance (above the F9 floor),
 * premium.request_id_reused (the id was used for another payment).
 */
int yb_premium_pay(yb_ctx *ctx, const yb_premium_req *req, yb_premium *out,
		   bool *repeat, yb_err *err);

/* E1: the premiums the acting person paid for relatives, newest first. */
int yb_my_premiums(yb_ctx *ctx, yb_id before, int limit, yb_premium **out,
		   int *n, yb_err *err);

#endif
