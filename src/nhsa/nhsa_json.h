/*
 * nhsa_json.h — JSON as the national interface needs it: numbers kept as
 * their exact text (amounts are decimal yuan and must never pass through
 * floating point, U1), every field's type and length checked against
 * NHSA.md, and amounts written back as decimal numbers with two places.
 *
 * How numbers stay exact in a jansson tree (jansson parses every real
 * into a double and has no option to keep the text): the reader
 * (nhsa_parse.c) makes each number token, checked against JSON's number
 * grammar, a string whose first byte is NUL (NUL + the token).  A string
 * that begins with NUL is therefore a number, because a client's own
 * "\u0000" is refused.  On output the same marker makes yb_nhsa_dump
 * write the text back as a bare number.
 *
 * Everything here is pure (bytes in, values or a yb_err out): the fuzz
 * target links only this and nhsa_env.c.
 */
#ifndef YB_NHSA_JSON_H
#define YB_NHSA_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"

#define YB_NHSA_DEPTH_MAX   16       /* deeper nesting: nhsa.invalid_json */
#define YB_NHSA_NUMBER_MAX  40       /* longest number token */

/* Parse `len` bytes into an object (new reference).  Errors:
 * nhsa.invalid_json (syntax, not an object, duplicate key, NUL escape,
 * too deep). */
int yb_nhsa_parse(const char *buf, size_t len, json_t **out, yb_err *err);

/* The text of a string or number value (a number without its marker),
 * NULL for any other type.  *is_number tells which (may be NULL). */
const char *yb_nhsa_text(const json_t *v, bool *is_number);

/*
 * Field getters.  `where` names the object in messages ("input.data").
 * Absent, null and "" are nhsa.missing_field when `required`, else *out
 * is "" (strings) or 0 and the getter returns 0.  Strings accept a JSON
 * string or a number (its text); `max` is the length in characters
 * (nhsa.field_too_long).
 */
int yb_nhsa_get_str(const json_t *obj, const char *where, const char *name,
		    size_t max, bool required, const char **out, yb_err *err);
/* Amount in yuan, 16,2: a number or a numeric string, at most two
 * decimals, not negative, no exponent → fen.  nhsa.invalid_amount. */
int yb_nhsa_get_amount(const json_t *obj, const char *where,
		       const char *name, bool required, int64_t *fen,
		       yb_err *err);
/* A non-negative decimal with at most `scale` places (quantities 16,4,
 * prices 16,6) → the value times 10^scale.  nhsa.invalid_field. */
int yb_nhsa_get_fixed(const json_t *obj, const char *where, const char *name,
		      int scale, bool required, int64_t *out, yb_err *err);
/* A non-negative integer (counts, sequence numbers). */
int yb_nhsa_get_int(const json_t *obj, const char *where, const char *name,
		    int64_t max, bool required, int64_t *out, yb_err *err);
int yb_nhsa_get_obj(const json_t *obj, const char *where, const char *name,
		    bool required, json_t **out, yb_err *err);
int yb_nhsa_get_arr(const json_t *obj, const char *where, const char *name,
		    bool required, json_t **out, yb_err *err);

/* Decimal text → fixed point with `scale` places; false if not
 * ^[0-9]+(\.[0-9]{1,scale})?$ or over `max`. */
bool yb_nhsa_decimal(const char *s, int scale, int64_t max, int64_t *out);

/* Output values: an amount as a number with two decimals (new ref). */
json_t *yb_nhsa_jamount(int64_t fen);
/* A ratio in basis points as a number with four decimals ("0.7000"). */
json_t *yb_nhsa_jratio(int64_t bp);
/* v / 10^scale as a number with `scale` decimals (cnt 4, pric 6). */
json_t *yb_nhsa_jfixed(int64_t v, int scale);

/* v / 10^scale with `scale` decimals, written as a bare number. */
struct yb_jw;
void yb_nhsa_jw_fixed(struct yb_jw *w, int64_t v, int scale);
/* JSON text made already (by core/jsonw.h), as a value that
 * yb_nhsa_dump writes as it is — the number marker's scheme, for a whole
 * object.  Takes `text`; NULL when out of memory (or text NULL). */
json_t *yb_nhsa_raw(char *text);

/* Serialize compactly in insertion order, the number markers written as
 * bare numbers.  malloc'd NUL-terminated text, NULL on out of memory. */
char *yb_nhsa_dump(const json_t *v, size_t *len);
/* The same, appended to a writer. */
void yb_nhsa_jw_value(struct yb_jw *w, const json_t *v);

#endif
