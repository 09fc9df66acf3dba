/*
 * famcap.h — monthly caps per family binding (SPEC E2): setting them, and
 * applying them to the payment order of a settlement (S3 step 2).
 */
#ifndef YB_SERVICE_FAMCAP_H
#define YB_SERVICE_FAMCAP_H

#include "service/ctx.h"

/*
 * E2: set (has_cap) or remove the monthly cap of binding `binding_id`,
 * audited ("binding.cap_set" / "binding.cap_remove").  A person sets
 * caps on his own bindings as authorizer only; the agency's admin on any.
 * `out` (may be NULL) is the binding with its cap and this month's use.
 * Errors: binding.invalid_cap, binding.not_found, binding.already_ended,
 * auth.forbidden.
 */
int yb_binding_cap_set(yb_ctx *ctx, yb_id binding_id, bool has_cap,
		       int64_t cap_fen, yb_binding *out, yb_err *err);

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

#endif
