/*
 * famcap.c — monthly caps per family binding (SPEC E2).  The rule (what a
 * cap leaves, which month) is core/family.c; the split it limits is core
 * payorder.c; this file reads and writes the caps in one transaction with
 * their audit record, and hands the payment order what each cap leaves.
 */
#include "service/famcap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/family.h"
#include "service/binding_int.h"

/* What binding `id` may still pay in the month of `at`. */
static int cap_state(yb_ctx *ctx, yb_id id, yb_time at, bool *has_cap,
		     int64_t *cap, int64_t *used, yb_err *err)
{
	yb_time from, to;
	int found;

	*used = 0;
	found = ctx->store->ops->binding_cap_get(ctx->store, id, cap, err);
	if (found < 0)
		return -1;
	*has_cap = found == 1;
	if (!*has_cap)
		return 0;
	yb_cap_month(at, &from, &to);
	return ctx->store->ops->binding_used(ctx->store, id, from, to, used,
					     err);
}

int yb_famcap_fill(yb_ctx *ctx, yb_payer_candidate *c, int n, yb_time at,
		   yb_err *err)
{
	for (int i = 0; i < n; i++) {
		int64_t cap = 0, used = 0;

		if (cap_state(ctx, c[i].binding_id, at, &c[i].capped, &cap,
			      &used, err) < 0)
			return -1;
		c[i].cap_left_fen = c[i].capped ? yb_cap_left(cap, used) : 0;
	}
	return 0;
}

int yb_famcap_describe(yb_ctx *ctx, yb_binding *b, int n, yb_err *err)
{
	yb_time now = yb_ctx_now(ctx);

	for (int i = 0; i < n; i++)
		if (cap_state(ctx, b[i].id, now, &b[i].has_cap, &b[i].cap_fen,
			      &b[i].cap_used_fen, err) < 0)
			return -1;
	return 0;
}

/* The binding, if the actor may change its cap: a person his own as
 * authorizer; an operator the binding of the authorizer he identified
 * with the channel's materials (`who`, as for ending it, F5); the
 * agency's admin (the CLI) any. */
static int cap_binding(yb_ctx *ctx, yb_id id, const yb_bind_req *who,
		       yb_binding *b, yb_err *err)
{
	yb_person authorizer;
	yb_channel channel;
	char materials[512];
	yb_id owner = 0;
	int found;

	if (ctx->actor.role == YB_ROLE_PERSON) {
		owner = ctx->actor.person_id;
	} else if (ctx->actor.role != YB_ROLE_ADMIN) {
		static const yb_bind_req none = { 0 };
		if (yb_bind_desk_check(ctx, who ? who : &none, &authorizer,
				       &channel, materials, sizeof materials,
				       err) < 0)
			return -1;
		owner = authorizer.id;
	}
	found = ctx->store->ops->binding_by_id(ctx->store, id, b, err);
	if (found < 0)
		return -1;
	if (found && owner && b->authorizer_id != owner) {
		if (b->relative_id == owner)
			return yb_errf(err, "auth.forbidden",
				       "only the authorizer sets a cap");
		found = 0;
	}
	if (!found)
		return yb_errf(err, "binding.not_found", "no binding %lld of yours",
			       (long long)id);
	if (b->ended_at != 0)
		return yb_errf(err, "binding.already_ended",
			       "binding %lld has ended", (long long)id);
	return 0;
}

int yb_binding_cap_set(yb_ctx *ctx, yb_id binding_id, bool has_cap,
		       int64_t cap_fen, const yb_bind_req *who, yb_binding *out,
		       yb_err *err)
{
	const char *action = has_cap ? "binding.cap_set" : "binding.cap_remove";
	char target[YB_TEXT_SZ];
	yb_binding b;
	int rc = -1;

	if (yb_authorize(ctx, "binding.cap", err) < 0)
		return -1;
	if (has_cap && yb_cap_check(cap_fen, err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (cap_binding(ctx, binding_id, who, &b, err) < 0)
		goto out;
	if (ctx->store->ops->binding_cap_put(ctx->store, binding_id,
					     has_cap ? cap_fen : -1,
					     yb_ctx_now(ctx), err) < 0)
		goto out;
	/* The amount goes in the target: the audit says what was set. */
	if (has_cap)
		snprintf(target, sizeof target, "binding:%lld cap_fen=%lld",
			 (long long)binding_id, (long long)cap_fen);
	else
		snprintf(target, sizeof target, "binding:%lld",
			 (long long)binding_id);
	if (yb_audit(ctx, action, target, "ok", err) < 0)
		goto out;
	if (yb_famcap_describe(ctx, &b, 1, err) < 0)
		goto out;
	if (out)
		*out = b;
	rc = 0;
out:
	return yb_tx_end(ctx, rc, err);
}

/* Merge two lists of family usage, each newest first by settlement id
 * and never naming the same settlement, into the first `limit` rows. */
static int usage_merge(yb_usage *a, int na, yb_usage *b, int nb, int limit,
		       yb_usage **out, int *n, yb_err *err)
{
	int i = 0, j = 0, k = 0, total = na + nb < limit ? na + nb : limit;

	*out = malloc((size_t)(total > 0 ? total : 1) * sizeof **out);
	if (!*out)
		return yb_errf(err, "out_of_memory", "out of memory");
	while (k < total)
		(*out)[k++] = j >= nb || (i < na && a[i].settlement_id >
					  b[j].settlement_id) ? a[i++] : b[j++];
	*n = total;
	return 0;
}

int yb_famcap_usage(yb_ctx *ctx, yb_id person_id, yb_id before, int limit,
		    yb_usage **out, int *n, yb_err *err)
{
	yb_store *st = ctx->store;
	yb_usage *shares = NULL, *cuts = NULL;
	int ns = 0, nc = 0, rc = -1;

	*out = NULL;
	*n = 0;
	if (st->ops->usage_of_payer(st, person_id, before, limit, &shares,
				    &ns, err) < 0 ||
	    st->ops->cap_cut_usage_of_payer(st, person_id, before, limit,
					    &cuts, &nc, err) < 0)
		goto out;
	rc = usage_merge(shares, ns, cuts, nc, limit, out, n, err);
out:
	free(shares);
	free(cuts);
	return rc;
}
