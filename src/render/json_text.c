/*
 * json_text.c — a JSON tree as compact text (json.h, yb_json_text): what
 * jansson's json_dumps(v, JSON_COMPACT) writes, written with the small
 * writer (core/jsonw.h) instead.
 *
 * Why.  Every answer of the HTTP API is a json_t tree serialized on the
 * connection's thread, and those threads bound the SQLite engine's rate
 * (docs/BENCHMARKS.md).  json_dumps goes through a callback per piece, a
 * UTF-8 decode per character and snprintf per integer: it cost ~42,000
 * instructions of a settlement's answer (~400 bytes), this ~11,000
 * (bench/nhsa/profile: 201k -> 170k a JSON settlement on the
 * connection threads).  The tree's
 * strings are valid UTF-8 already (jansson checks them when they are
 * made), so copying them in runs is enough.
 *
 * The text is the same byte for byte, but for a control character in a
 * string, which jsonw writes \u001f where jansson writes \u001F — the
 * same JSON (tests/unit/test_json_text.c checks both).  Reals, which no
 * answer has today, are left to jansson.
 */
#include "render/json.h"

#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"

static void text_of(yb_jw *w, const json_t *v);

static void object_text(yb_jw *w, const json_t *o)
{
	void *it = json_object_iter((json_t *)o);
	bool first = true;

	yb_jw_rawn(w, "{", 1);
	for (; it; it = json_object_iter_next((json_t *)o, it)) {
		if (!first)
			yb_jw_rawn(w, ",", 1);
		first = false;
		yb_jw_strn(w, json_object_iter_key(it),
			   json_object_iter_key_len(it));
		yb_jw_rawn(w, ":", 1);
		text_of(w, json_object_iter_value(it));
	}
	yb_jw_rawn(w, "}", 1);
}

static void array_text(yb_jw *w, const json_t *a)
{
	size_t n = json_array_size(a);

	yb_jw_rawn(w, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			yb_jw_rawn(w, ",", 1);
		text_of(w, json_array_get(a, i));
	}
	yb_jw_rawn(w, "]", 1);
}

/* jansson's own text for a real (its precision and "1.0" forms). */
static void real_text(yb_jw *w, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (!s) {
		w->failed = true;
		return;
	}
	yb_jw_raw(w, s);
	free(s);
}

static void text_of(yb_jw *w, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		object_text(w, v);
		break;
	case JSON_ARRAY:
		array_text(w, v);
		break;
	case JSON_STRING:
		yb_jw_strn(w, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		yb_jw_int(w, json_integer_value(v));
		break;
	case JSON_REAL:
		real_text(w, v);
		break;
	case JSON_TRUE:
		yb_jw_rawn(w, "true", 4);
		break;
	case JSON_FALSE:
		yb_jw_rawn(w, "false", 5);
		break;
	case JSON_NULL:
		yb_jw_rawn(w, "null", 4);
		break;
	}
}

char *yb_json_text(const json_t *v, size_t *len)
{
	yb_jw w = YB_JW_INIT;

	if (!v || !(json_is_object(v) || json_is_array(v)))
		return NULL;
	text_of(&w, v);
	return yb_jw_take(&w, len);
}
