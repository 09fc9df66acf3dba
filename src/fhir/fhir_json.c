/*
 * fhir_json.c — reading elements of a parsed FHIR resource (with the
 * element path of a bad one in the error) and building the common data
 * types of the answers (Reference, Coding, Identifier, Money, Bundle).
 * No I/O: the request and the answer are fhir_reply.c's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/money.h"
#include "fhir/fhir_int.h"

/* ---- errors with element paths ------------------------------------------- */

int yb_fhir_bad(yb_err *err, const char *code, const char *path,
		const char *name, const char *fmt, ...)
{
	char text[YB_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (name)
		return yb_errf(err, code, "%s.%s: %s", path, name, text);
	return yb_errf(err, code, "%s: %s", path, text);
}

/* A path is a resource type (upper-case first) and element names,
 * indexes and dots, "Claim.insurance[0].coverage", and FHIRPath's
 * extension('<url>') (a URL's own colon has no space after it). */
void yb_fhir_expression(const char *msg, char *buf, size_t size)
{
	const char *end = msg ? strstr(msg, ": ") : NULL;
	size_t n = end ? (size_t)(end - msg) : 0;

	buf[0] = '\0';
	if (!end || !(msg[0] >= 'A' && msg[0] <= 'Z') || n >= size)
		return;
	for (size_t i = 0; i < n; i++) {
		char c = msg[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || strchr(".[]_-$()'/:", c)))
			return;
	}
	memcpy(buf, msg, n);
	buf[n] = '\0';
}

/* ---- getters ---------------------------------------------------------------- */

static const json_t *member(const json_t *o, const char *path,
			    const char *name, bool required, yb_err *err,
			    int *rc)
{
	const json_t *v = json_is_object(o) ? json_object_get(o, name) : NULL;

	*rc = 0;
	if (!v || json_is_null(v)) {
		if (required)
			*rc = yb_fhir_bad(err, "request.missing_field", path,
					  name, "is required");
		return NULL;
	}
	return v;
}

int yb_fhir_get_str(const json_t *o, const char *path, const char *name,
		    bool required, const char **out, yb_err *err)
{
	int rc;
	const json_t *v = member(o, path, name, required, err, &rc);

	if (!v)
		return rc;
	if (!json_is_string(v) || yb_fhir_num_text(v) ||
	    json_string_length(v) == 0 || json_string_length(v) > 1024)
		return yb_fhir_bad(err, "request.invalid_field", path, name,
				   "must be a non-empty string");
	*out = json_string_value(v);
	return 0;
}

int yb_fhir_get_obj(const json_t *o, const char *path, const char *name,
		    bool required, const json_t **out, yb_err *err)
{
	int rc;
	const json_t *v = member(o, path, name, required, err, &rc);

	if (!v)
		return rc;
	if (!json_is_object(v))
		return yb_fhir_bad(err, "request.invalid_field", path, name,
				   "must be an object");
	*out = v;
	return 0;
}

int yb_fhir_get_arr(const json_t *o, const char *path, const char *name,
		    bool required, const json_t **out, yb_err *err)
{
	int rc;
	const json_t *v = member(o, path, name, required, err, &rc);

	if (!v)
		return rc;
	if (!json_is_array(v) || json_array_size(v) == 0)
		return yb_fhir_bad(err, "request.invalid_field", path, name,
				   "must be a non-empty array");
	*out = v;
	return 0;
}

int yb_fhir_get_bool(const json_t *o, const char *path, const char *name,
		     bool required, bool *out, yb_err *err)
{
	int rc;
	const json_t *v = member(o, path, name, required, err, &rc);

	if (!v)
		return rc;
	if (!json_is_boolean(v))
		return yb_fhir_bad(err, "request.invalid_field", path, name,
				   "must be true or false");
	*out = json_is_true(v);
	return 0;
}

int yb_fhir_get_money(const json_t *o, const char *path, const char *name,
		      bool required, int64_t *fen, yb_err *err)
{
	const json_t *m = NULL;
	const char *cur = NULL, *text;
	char where[128];

	if (yb_fhir_get_obj(o, path, name, required, &m, err) < 0)
		return -1;
	if (!m)
		return 0;
	snprintf(where, sizeof where, "%s.%s", path, name);
	if (yb_fhir_get_str(m, where, "currency", false, &cur, err) < 0)
		return -1;
	if (cur && strcmp(cur, "CNY") != 0)
		return yb_fhir_bad(err, "request.invalid_field", where,
				   "currency", "must be CNY");
	text = yb_fhir_num_text(json_object_get(m, "value"));
	if (!json_object_get(m, "value"))
		return yb_fhir_bad(err, "request.missing_field", where,
				   "value", "is required");
	if (!text || !yb_fhir_dec_to_fen(text, fen) || !yb_money_valid(*fen))
		return yb_fhir_bad(err, "request.invalid_field", where,
				   "value", "must be a decimal amount of "
				   "yuan, at most two decimals, not negative");
	return 0;
}

static const char *coding_code(const json_t *c, const char *system)
{
	const json_t *s = json_object_get(c, "system");
	const json_t *code = json_object_get(c, "code");

	if (!json_is_string(code) || yb_fhir_num_text(code))
		return NULL;
	if (system && !(json_is_string(s) &&
			strcmp(json_string_value(s), system) == 0))
		return NULL;
	return json_string_value(code);
}

const char *yb_fhir_code_of(const json_t *cc, const char *system)
{
	const json_t *codings = json_object_get(cc, "coding");
	size_t i;
	const json_t *c;

	if (!json_is_array(codings))
		return json_is_object(cc) ? coding_code(cc, system) : NULL;
	json_array_foreach(codings, i, c) {
		const char *code = coding_code(c, system);
		if (code)
			return code;
	}
	return NULL;
}

const char *yb_fhir_ident_of(const json_t *ident, const char *system)
{
	const json_t *s, *v;

	if (json_is_object(ident) && json_object_get(ident, "identifier"))
		ident = json_object_get(ident, "identifier");
	s = json_object_get(ident, "system");
	v = json_object_get(ident, "value");
	if (!json_is_string(s) || !json_is_string(v) || yb_fhir_num_text(v) ||
	    strcmp(json_string_value(s), system) != 0)
		return NULL;
	return json_string_value(v);
}

const json_t *yb_fhir_ext(const json_t *o, const char *url)
{
	const json_t *exts = json_object_get(o, "extension");
	size_t i;
	const json_t *e;

	json_array_foreach(exts, i, e) {
		const json_t *u = json_object_get(e, "url");
		if (json_is_string(u) && strcmp(json_string_value(u), url) == 0)
			return e;
	}
	return NULL;
}

/* ---- encoders ------------------------------------------------------------------ */

json_t *yb_fhir_ref(const char *type, const char *id)
{
	char buf[128];

	snprintf(buf, sizeof buf, "%s/%s", type, id);
	return json_pack("{s:s}", "reference", buf);
}

json_t *yb_fhir_coding(const char *system, const char *code,
		       const char *display)
{
	return json_pack("{s:s, s:s, s:s*}", "system", system, "code", code,
			 "display", display);
}

json_t *yb_fhir_cc(const char *system, const char *code, const char *display)
{
	return json_pack("{s:[o]}", "coding",
			 yb_fhir_coding(system, code, display));
}

json_t *yb_fhir_ident(const char *system, const char *value)
{
	return json_pack("{s:s, s:s}", "system", system, "value", value);
}

json_t *yb_fhir_money(int64_t fen)
{
	return json_pack("{s:o, s:s}", "value", yb_fhir_jdec(fen), "currency",
			 "CNY");
}

json_t *yb_fhir_instant(yb_time t)
{
	char buf[32];

	return json_string(yb_time_format(t, buf, sizeof buf));
}

json_t *yb_fhir_date(yb_date d)
{
	char buf[16];

	return json_string(yb_date_format(d, buf, sizeof buf));
}

json_t *yb_fhir_date_of(yb_time t)
{
	return yb_fhir_date(yb_date_of(t));
}

int yb_fhir_set(json_t *o, const char *name, json_t *v)
{
	return v && o ? json_object_set_new(o, name, v) : (json_decref(v), -1);
}

int yb_fhir_push(json_t *o, const char *name, json_t *v)
{
	json_t *arr;

	if (!o || !v) {
		json_decref(v);
		return -1;
	}
	arr = json_object_get(o, name);
	if (!arr) {
		arr = json_array();
		if (!arr || json_object_set_new(o, name, arr) < 0) {
			json_decref(v);
			return -1;
		}
	}
	return json_array_append_new(arr, v);
}

json_t *yb_fhir_bundle(json_t *resources, const char *base)
{
	json_t *b = json_pack("{s:s, s:s, s:o, s:[]}", "resourceType", "Bundle",
			      "type", "searchset", "total",
			      yb_fhir_jint((int64_t)json_array_size(resources)),
			      "entry");
	json_t *entries = b ? json_object_get(b, "entry") : NULL;
	size_t i;
	json_t *res;

	json_array_foreach(resources, i, res) {
		char url[256];
		const char *type = json_string_value(
			json_object_get(res, "resourceType"));
		const char *id = json_string_value(json_object_get(res, "id"));
		json_t *e;

		snprintf(url, sizeof url, "%s/%s/%s", base, type ? type : "",
			 id ? id : "");
		e = json_pack("{s:s, s:O, s:{s:s}}", "fullUrl", url,
			      "resource", res, "search", "mode", "match");
		if (!entries || !e || json_array_append_new(entries, e) < 0) {
			json_decref(e);
			json_decref(b);
			b = NULL;
			break;
		}
	}
	json_decref(resources);
	if (b && json_array_size(entries) == 0)
		json_object_del(b, "entry");
	return b;
}
