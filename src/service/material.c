/*
 * material.c — E4: scans of F5's materials attached on the operator
 * channels and read by the agency's staff (see material.h).  What a scan
 * is, is decided by its bytes (core/material.c); the bytes go into the
 * database with their sha256, in the same transaction as the audit record
 * (docs/FAMILY.md says why not into files).
 */
#include "service/material.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/material.h"

/* A hospital's office acts on bindings only: card applications and
 * premiums are made at the agency's window. */
static int target_role_ok(const yb_ctx *ctx, yb_material_target t,
			  yb_err *err)
{
	if (ctx->actor.role == YB_ROLE_HOSPITAL_OFFICE && t != YB_MAT_BINDING)
		return yb_errf(err, "auth.forbidden",
			       "a hospital's office sees bindings' materials "
			       "only");
	return 0;
}

/* The target exists (1) — and, to attach to it (`attach`), was made at
 * an operator's desk. */
static int target_check(yb_ctx *ctx, yb_material_target t, yb_id id,
			bool attach, yb_err *err)
{
	yb_binding b;
	yb_card_application a;
	yb_premium p;
	int found;

	switch (t) {
	case YB_MAT_BINDING:
		found = ctx->store->ops->binding_by_id(ctx->store, id, &b, err);
		if (found < 0)
			return -1;
		if (!found)
			return yb_errf(err, "binding.not_found",
				       "no binding %lld", (long long)id);
		if (attach && b.channel != YB_CHAN_HOSPITAL_OFFICE &&
		    b.channel != YB_CHAN_AGENCY_WINDOW)
			return yb_errf(err, "material.not_operator_channel",
				       "binding %lld was not made at an "
				       "operator's desk", (long long)id);
		return 0;
	case YB_MAT_CARD_APPLICATION:
		found = ctx->store->ops->card_application_by_id(ctx->store, id,
								&a, err);
		if (found < 0)
			return -1;
		return found ? 0 : yb_errf(err, "card.application_not_found",
					   "no application %lld",
					   (long long)id);
	case YB_MAT_PREMIUM:
		found = ctx->store->ops->premium_by_id(ctx->store, id, &p, err);
		if (found < 0)
			return -1;
		if (!found)
			return yb_errf(err, "premium.not_found",
				       "no premium payment %lld", (long long)id);
		if (attach && p.channel != YB_CHAN_AGENCY_WINDOW)
			return yb_errf(err, "material.not_operator_channel",
				       "premium %lld was not paid at the "
				       "agency's window", (long long)id);
		return 0;
	default:
		return yb_errf(err, "request.invalid_field", "target");
	}
}

/* The checks that need no database: kind, size, type by content. */
static int upload_check(const yb_ctx *ctx, const char *kind, const void *data,
			size_t len, size_t seen, const char **ctype,
			yb_err *err)
{
	if (!yb_material_kind_valid(kind))
		return yb_errf(err, "request.invalid_field",
			       "kind: id_card, social_security_card, "
			       "card_copy or other");
	return yb_material_check(data, len, seen,
				 ctx->settings->material_max_bytes, ctype, err);
}

int yb_material_attach(yb_ctx *ctx, yb_material_target target, yb_id target_id,
		       const char *kind, const void *data, size_t len,
		       size_t seen, yb_material *out, yb_err *err)
{
	yb_material *have = NULL;
	const char *ctype;
	char audit[YB_TEXT_SZ];
	int n = 0, rc = -1;

	if (yb_authorize(ctx, "material.attach", err) < 0 ||
	    target_role_ok(ctx, target, err) < 0 ||
	    upload_check(ctx, kind, data, len, seen, &ctype, err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (target_check(ctx, target, target_id, true, err) < 0 ||
	    ctx->store->ops->materials_of(ctx->store, target, target_id, &have,
					  &n, err) < 0)
		goto out;
	if (n >= YB_MATERIALS_MAX) {
		yb_errf(err, "material.too_many", "at most %d scans on one %s",
			YB_MATERIALS_MAX, yb_material_target_str(target));
		goto out;
	}
	memset(out, 0, sizeof *out);
	out->target = target;
	out->target_id = target_id;
	snprintf(out->kind, sizeof out->kind, "%s", kind);
	snprintf(out->content_type, sizeof out->content_type, "%s", ctype);
	out->size_bytes = (int64_t)len;
	yb_sha256_hex(data, len, out->sha256);
	out->channel = ctx->actor.channel;
	snprintf(out->operator_id, sizeof out->operator_id, "%s",
		 ctx->actor.id);
	out->created_at = yb_ctx_now(ctx);
	if (ctx->store->ops->material_insert(ctx->store, out, data, len,
					     err) < 0)
		goto out;
	snprintf(audit, sizeof audit, "%s:%lld material:%lld sha256:%s",
		 yb_material_target_str(target), (long long)target_id,
		 (long long)out->id, out->sha256);
	if (yb_audit(ctx, "material.attach", audit, "ok", err) < 0)
		goto out;
	rc = 0;
out:
	free(have);
	return yb_tx_end(ctx, rc, err);
}

int yb_materials_of(yb_ctx *ctx, yb_material_target target, yb_id target_id,
		    yb_material **out, int *n, yb_err *err)
{
	int rc;

	*out = NULL;
	*n = 0;
	if (yb_authorize(ctx, "material.read", err) < 0 ||
	    target_role_ok(ctx, target, err) < 0)
		return -1;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = target_check(ctx, target, target_id, false, err);
	if (rc == 0)
		rc = ctx->store->ops->materials_of(ctx->store, target,
						   target_id, out, n, err);
	yb_tx_rollback(ctx);
	return rc;
}

int yb_material_get(yb_ctx *ctx, yb_id id, yb_material *out, void **data,
		    size_t *len, yb_err *err)
{
	int found;

	*data = NULL;
	*len = 0;
	if (yb_authorize(ctx, "material.read", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = ctx->store->ops->material_get(ctx->store, id, out, data, len,
					      err);
	yb_tx_rollback(ctx);
	if (found < 0)
		return -1;
	if (found && target_role_ok(ctx, out->target, err) < 0)
		found = -1;
	else if (!found)
		found = yb_errf(err, "material.not_found", "no material %lld",
				(long long)id);
	if (found < 0) {
		free(*data);
		*data = NULL;
		*len = 0;
		return -1;
	}
	return 0;
}
