/*
 * material.h — the pure rules of E4: the scans of F5's materials that an
 * operator channel attaches to a binding, a card application or a premium
 * payment.  What a file is, is decided by its first bytes (its "magic"),
 * never by a name or a declared Content-Type: a client can say anything,
 * the bytes are what a viewer would open.
 */
#ifndef YB_CORE_MATERIAL_H
#define YB_CORE_MATERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/model.h"

/* Most materials on one binding, application or premium: a handful are
 * needed (two ID cards, two cards, copies); the bound keeps a runaway
 * client from filling the database. */
#define YB_MATERIALS_MAX 20

/* A target's string form: "binding", "card_application", "premium". */
const char *yb_material_target_str(yb_material_target t);
bool yb_material_target_from_str(const char *s, yb_material_target *out);

/* The kinds of material F5 names, plus "other" (e.g. a household
 * register page proving the relationship). */
bool yb_material_kind_valid(const char *kind);

/*
 * E4: the media type of a scan by its content — "image/jpeg" (FF D8 FF),
 * "image/png" (the 8-byte PNG signature) or "application/pdf" ("%PDF-")
 * — or NULL for anything else, an empty body included.
 */
const char *yb_material_sniff(const unsigned char *data, size_t len);

/*
 * E4: the checks of one upload of `len` bytes (`seen` bytes were sent:
 * more than len when the server stopped keeping them) against the limit
 * `max_bytes`: material.too_large, then material.unsupported_type (by
 * content).  *ctype gets the media type.
 */
int yb_material_check(const unsigned char *data, size_t len, size_t seen,
		      int64_t max_bytes, const char **ctype, yb_err *err);

/* The file name extension for a media type yb_material_sniff returns. */
const char *yb_material_ext(const char *ctype);

#endif
