/*
 * famcap.h — monthly caps per family binding (SPEC E2): setting them, and
 * applying them to the payment order of a settlement (S3 step 2).
 */
#ifndef YB_SERVICE_FAMCAP_H
#define YB_SERVICE_FAMCAP_H

#include "service/binding.h"
#include "service/ctx.h"

/*
 * E2: set (has_cap) or remove the monthly cap of binding `binding_id`,
 * audited ("binding.cap_set" / "binding.cap_remove", with the actor: the
 * person, the operator or the CLI).  A person sets caps on his own
 * bindings as authorizer only; an operator (agency window, hospital
 * office) on behalf of the authorizer he names in `who` with the
 * channel's materials, as for ending a binding (F5); the agency's admin
 * on any (who may be NULL but for operators).  `out` (may be NULL) is
 * the binding with its cap and this month's use.
 * Errors: binding.invalid_cap, binding.not_found, binding.already_ended,
 * auth.forbidden, and the desk's (binding.channel_not_allowed,
 * request.missing_field, binding.identity_mismatch,
 * binding.materials_missing).
 */
int yb_binding_cap_set(yb_ctx *ctx, yb_id binding_id, bool has_cap,
		       int64_t cap_fen, const yb_bind_req *who, yb_binding *out,
		       yb_err *err);

/* E2: fill b->has_cap, cap_fen and cap_used_fen (the current local month)
 * for each binding, inside the caller's transaction. */
int yb_famcap_describe(yb_ctx *ctx, yb_binding *b, int n, yb_err *err);

/*
 * E2, inside a settlement's transaction and after the authorizers'
 * accounts are locked: give each capped candidate what its cap leaves in
 * the local month of `at`.  Locked first, read second: a concurrent
 * settlement of the same relative waits for the lock and then sees this
 * one's share (never exceeded under concurrency).
 */
int yb_famcap_fill(yb_ctx *ctx, yb_payer_candidate *c, int n, yb_time at,
		   yb_err *err);

/*
 * F7 with E2: the person's family usage, newest first by settlement id:
 * the shares his account paid for relatives, and the settlements in
 * which a cap used up left his binding no share (amount 0, the cut).
 * Inside the caller's transaction; list convention.
 */
int yb_famcap_usage(yb_ctx *ctx, yb_id person_id, yb_id before, int limit,
		    yb_usage **out, int *n, yb_err *err);

#endif
