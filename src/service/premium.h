/*
 * premium.h — an authorizer pays a relative's yearly resident-scheme
 * individual contribution from his personal account (SPEC E1).
 */
#ifndef YB_SERVICE_PREMIUM_H
#define YB_SERVICE_PREMIUM_H

#include "service/binding.h"
#include "service/ctx.h"

typedef struct yb_premium_req {
	const char *relative_ssn;
	int64_t year;
	const char *client_request_id;   /* 1..64 of A-Z a-z 0-9 - _ . */
	/* Who pays and how (F5, as for a binding): a person on the web (or
	 * WeChat) pays himself and names at most desk.channel; an operator
	 * names the authorizer by SSN and ID number, with the channel and its
	 * materials (desk.rows are not used). */
	yb_bind_req desk;
	/* An operator paying for a relative with no active binding proves
	 * the relationship by the materials: the relative's ID number (his
	 * ID card) and the relationship; ignored when a binding exists. */
	const char *relative_id_number;
	const char *relationship;
} yb_premium_req;

/*
 * E1: pay `req->year`'s resident contribution of the relative from the
 * authorizer's personal account: one ledger transaction (his account →
 * contribution income), a contribution record for the relative (period =
 * the year, marked as paid by him) and the premium record (channel,
 * operator, materials, relationship), with the authorizer's notification
 * (E3) and the audit record, in one transaction.  The relationship is
 * proven by an active binding of the authorizer to the relative or, at
 * the agency window, by the binding's materials (F5) and the relative's
 * ID number.  A repeat of the same client request id returns the first
 * payment with *repeat = true.
 * Errors (each changing nothing): request.missing_field,
 * request.invalid_field, premium.invalid_year, premium.year_not_open,
 * the desk's (binding.channel_not_allowed, binding.identity_mismatch,
 * binding.materials_missing), premium.authorizer_not_eligible (not active
 * tier 1 of this region), person.not_found (relative), premium.not_bound
 * (no binding, and no relationship proven at a desk),
 * binding.relationship_not_allowed, binding.self,
 * premium.relative_not_resident, premium.already_paid (by anyone),
 * premium.insufficient_balance (above the F9 floor),
 * premium.request_id_reused (the id was used for another payment).
 */
int yb_premium_pay(yb_ctx *ctx, const yb_premium_req *req, yb_premium *out,
		   bool *repeat, yb_err *err);

/* E1: the premiums the acting person paid for relatives, newest first. */
int yb_my_premiums(yb_ctx *ctx, yb_id before, int limit, yb_premium **out,
		   int *n, yb_err *err);

/* E1: the years the settings hold an amount for, in order: year, amount,
 * the local dates payment opens and closes, and whether it is open today.
 * *out malloc'ed (free it), *n entries. */
typedef struct yb_premium_year {
	int year;
	int64_t amount_fen;
	yb_date opens_on, closes_on;
	bool open;
} yb_premium_year;
int yb_premium_years(yb_ctx *ctx, yb_premium_year **out, int *n,
		     yb_err *err);

#endif
