/*
 * material.h — SPEC E4: the scans (images or PDF) of F5's materials that
 * the operator channels attach to a binding, a card application or a
 * premium payment made at their desk, and the reading of them by the
 * agency's staff only.
 */
#ifndef YB_SERVICE_MATERIAL_H
#define YB_SERVICE_MATERIAL_H

#include <stddef.h>

#include "service/ctx.h"

/*
 * E4: attach `len` bytes (of `seen` sent: more when the edge stopped
 * keeping them) as a scan of `kind` to a target, with its sha256 and its
 * audit record ("material.attach") in one transaction.  Who: the agency
 * window (any target) and a hospital's office (bindings only).  A binding
 * must have been made on an operator channel (hospital office or agency
 * window); a card application or a premium payment is the window's.
 * Errors (each changing nothing): request.invalid_field (kind),
 * material.too_large (the setting material_max_bytes),
 * material.unsupported_type (not JPEG, PNG or PDF by content),
 * binding.not_found, card.application_not_found, premium.not_found,
 * material.not_operator_channel, material.too_many, auth.forbidden.
 */
int yb_material_attach(yb_ctx *ctx, yb_material_target target, yb_id target_id,
		       const char *kind, const void *data, size_t len,
		       size_t seen, yb_material *out, yb_err *err);

/* E4: the scans of a target, oldest first, without their bytes (the
 * target must exist; a hospital's office reads bindings' only). */
int yb_materials_of(yb_ctx *ctx, yb_material_target target, yb_id target_id,
		    yb_material **out, int *n, yb_err *err);

/* E4: one scan with its bytes (*data malloc'ed): material.not_found, or
 * auth.forbidden for a hospital's office and a scan not of a binding. */
int yb_material_get(yb_ctx *ctx, yb_id id, yb_material *out, void **data,
		    size_t *len, yb_err *err);

#endif
