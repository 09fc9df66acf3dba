/*
 * nhsa_json.c — typed field getters over the parsed tree and the output
 * of amounts (see nhsa_json.h for the marker scheme and why; the text is
 * parsed by nhsa_parse.c).
 */
#include "nhsa/nhsa_json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "core/money.h"

const char *yb_nhsa_text(const json_t *v, bool *is_number)
{
	const char *s;

	if (is_number)
		*is_number = false;
	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	if (json_string_length(v) > 1 && s[0] == '\0') {
		if (is_number)
			*is_number = true;
		return s + 1;
	}
	return s;
}

/* Characters of a UTF-8 text (jansson has checked it is valid). */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* The member's text; 1 present, 0 absent (or null / ""), -1 wrong type. */
static int member_text(const json_t *obj, const char *where, const char *name,
		       bool required, const char **out, bool *is_number,
		       yb_err *err)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, name)
					      : NULL;
	const char *s;

	*out = "";
	if (!v || json_is_null(v) ||
	    (json_is_string(v) && json_string_length(v) == 0)) {
		if (required)
			return yb_errf(err, "nhsa.missing_field", "%s.%s",
				       where, name);
		return 0;
	}
	s = yb_nhsa_text(v, is_number);
	if (!s)
		return yb_errf(err, "nhsa.invalid_field", "%s.%s", where, name);
	*out = s;
	return 1;
}

int yb_nhsa_get_str(const json_t *obj, const char *where, const char *name,
		    size_t max, bool required, const char **out, yb_err *err)
{
	int rc = member_text(obj, where, name, required, out, NULL, err);

	if (rc <= 0)
		return rc;
	if (utf8_chars(*out) > max)
		return yb_errf(err, "nhsa.field_too_long", "%s.%s (<= %zu)",
			       where, name, max);
	return 0;
}

bool yb_nhsa_decimal(const char *s, int scale, int64_t max, int64_t *out)
{
	int64_t v = 0;
	int places = 0;
	bool dot = false, digit = false;

	for (; *s; s++) {
		if (*s == '.' && !dot && digit) {
			dot = true;
			continue;
		}
		if (*s < '0' || *s > '9')
			return false;
		if (dot && ++places > scale)
			return false;
		if (v > (max - (*s - '0')) / 10)
			return false;
		v = v * 10 + (*s - '0');
		digit = true;
	}
	if (!digit || (dot && places == 0))
		return false;
	for (; places < scale; places++) {
		if (v > max / 10)
			return false;
		v *= 10;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

int yb_nhsa_get_amount(const json_t *obj, const char *where,
		       const char *name, bool required, int64_t *fen,
		       yb_err *err)
{
	const char *s;
	int rc = member_text(obj, where, name, required, &s, NULL, err);

	*fen = 0;
	if (rc < 0) {
		if (err && err->code && strcmp(err->code, "nhsa.invalid_field") == 0)
			return yb_errf(err, "nhsa.invalid_amount", "%s.%s",
				       where, name);
		return -1;
	}
	if (rc == 0)
		return 0;
	if (!yb_nhsa_decimal(s, 2, YB_MONEY_MAX, fen))
		return yb_errf(err, "nhsa.invalid_amount", "%s.%s", where,
			       name);
	return 0;
}

int yb_nhsa_get_fixed(const json_t *obj, const char *where, const char *name,
		      int scale, bool required, int64_t *out, yb_err *err)
{
	const char *s;
	int rc = member_text(obj, where, name, required, &s, NULL, err);

	*out = 0;
	if (rc <= 0)
		return rc;
	if (!yb_nhsa_decimal(s, scale, INT64_C(1) << 52, out))
		return yb_errf(err, "nhsa.invalid_field", "%s.%s", where,
			       name);
	return 0;
}

int yb_nhsa_get_int(const json_t *obj, const char *where, const char *name,
		    int64_t max, bool required, int64_t *out, yb_err *err)
{
	return yb_nhsa_get_fixed(obj, where, name, 0, required, out, err) < 0
		       ? -1
		       : (*out > max ? yb_errf(err, "nhsa.invalid_field",
					       "%s.%s (<= %lld)", where, name,
					       (long long)max)
				     : 0);
}

static int get_typed(const json_t *obj, const char *where, const char *name,
		     bool required, bool want_array, json_t **out,
		     yb_err *err)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, name) : NULL;

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return yb_errf(err, "nhsa.missing_field", "%s.%s",
				       where, name);
		return 0;
	}
	if (want_array ? !json_is_array(v) : !json_is_object(v))
		return yb_errf(err, "nhsa.invalid_field", "%s.%s", where, name);
	*out = v;
	return 0;
}

int yb_nhsa_get_obj(const json_t *obj, const char *where, const char *name,
		    bool required, json_t **out, yb_err *err)
{
	return get_typed(obj, where, name, required, false, out, err);
}

int yb_nhsa_get_arr(const json_t *obj, const char *where, const char *name,
		    bool required, json_t **out, yb_err *err)
{
	return get_typed(obj, where, name, required, true, out, err);
}

/* v / 10^scale as text with `scale` decimals ("-12.30"); `text` holds
 * at least 48 bytes.  Its length. */
static size_t fixed_text(int64_t v, int scale, char *text)
{
	char buf[32], *digits = buf + sizeof buf;
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, at = 0;

	if (scale < 0 || scale > 12)
		scale = 0;
	/* The digits, at least scale + 1 of them, then the point — by
	 * hand: snprintf was a twentieth of a 2207 on the writer, whose
	 * reply has some thirty amounts (docs/BENCHMARKS.md). */
	do {
		*--digits = (char)('0' + a % 10);
		a /= 10;
		n++;
	} while (a > 0 || n < (size_t)scale + 1);
	if (v < 0)
		text[at++] = '-';
	memcpy(text + at, digits, n - (size_t)scale);
	at += n - (size_t)scale;
	if (scale > 0) {
		text[at++] = '.';
		memcpy(text + at, digits + n - (size_t)scale, (size_t)scale);
		at += (size_t)scale;
	}
	text[at] = '\0';
	return at;
}

void yb_nhsa_jw_fixed(yb_jw *w, int64_t v, int scale)
{
	char text[48];

	yb_jw_rawn(w, text, fixed_text(v, scale, text));
}

json_t *yb_nhsa_raw(char *text)
{
	size_t n = text ? strlen(text) : 0;
	char *mark = text ? malloc(n + 2) : NULL;
	json_t *v = NULL;

	if (mark) {
		mark[0] = '\0';
		memcpy(mark + 1, text, n + 1);
		/* our own text, valid UTF-8: not checked again */
		v = json_stringn_nocheck(mark, n + 1);
		free(mark);
	}
	free(text);
	return v;
}

/* A marked number "\0<text>" as a jansson string. */
static json_t *marked(const char *text)
{
	char buf[48];
	size_t n = strlen(text);

	if (n + 1 >= sizeof buf)
		return NULL;
	buf[0] = '\0';
	memcpy(buf + 1, text, n);
	return json_stringn(buf, n + 1);
}

json_t *yb_nhsa_jfixed(int64_t v, int scale)
{
	char text[48];

	if (scale < 0 || scale > 12)
		return NULL;
	fixed_text(v, scale, text);
	return marked(text);
}

json_t *yb_nhsa_jamount(int64_t fen)
{
	return yb_nhsa_jfixed(fen, 2);
}

json_t *yb_nhsa_jratio(int64_t bp)
{
	return yb_nhsa_jfixed(bp, 4);
}

/* v as compact JSON in insertion order; a marked number as its bare
 * text.  Our own walk (core/jsonw.h says why), not json_dumps. */
static void dump(yb_jw *w, const json_t *v)
{
	const char *key;
	json_t *m;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		yb_jw_raw(w, "{");
		json_object_foreach((json_t *)v, key, m) {
			yb_jw_key(w, key);
			dump(w, m);
		}
		yb_jw_raw(w, "}");
		break;
	case JSON_ARRAY:
		yb_jw_raw(w, "[");
		json_array_foreach(v, i, m) {
			yb_jw_sep(w);
			dump(w, m);
		}
		yb_jw_raw(w, "]");
		break;
	case JSON_STRING:
		if (json_string_length(v) > 1 && json_string_value(v)[0] == '\0')
			yb_jw_rawn(w, json_string_value(v) + 1,
				   json_string_length(v) - 1);
		else
			yb_jw_strn(w, json_string_value(v),
				   json_string_length(v));
		break;
	case JSON_INTEGER:
		yb_jw_int(w, (int64_t)json_integer_value(v));
		break;
	case JSON_TRUE:
		yb_jw_raw(w, "true");
		break;
	case JSON_FALSE:
		yb_jw_raw(w, "false");
		break;
	default:                         /* reals are never written here */
		yb_jw_raw(w, "null");
	}
}

void yb_nhsa_jw_value(yb_jw *w, const json_t *v)
{
	dump(w, v);
}

char *yb_nhsa_dump(const json_t *v, size_t *len)
{
	yb_jw w = YB_JW_INIT;

	dump(&w, v);
	return yb_jw_take(&w, len);
}
