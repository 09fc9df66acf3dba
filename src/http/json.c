/*
 * json.c — the JSON side of the edge: parsing a request body strictly,
 * typed field getters that turn a bad field into a stable error code, the
 * reply helpers every handler answers with, the paging of lists, and the
 * reader (YB_VIEWER) that the shared renderer masks for.
 *
 * Decisions (documented here because clients depend on them):
 *  - A body must be a JSON object, at most YB_HTTP_BODY_MAX bytes (else
 *    413 request.too_large) and nested at most YB_HTTP_JSON_DEPTH_MAX deep;
 *    duplicate keys are refused (request.invalid_json).
 *  - A body with a Content-Type other than application/json (charset, if
 *    named, utf-8) is 415 request.unsupported_media_type: the code's kind
 *    says 400 but 415 is the status HTTP has for it, so the edge uses it.
 *    Likewise request.method_not_allowed answers 405 with an Allow header.
 *  - Money is a JSON integer; a real (1.0, 1e3), a string or a value
 *    beyond ±YB_MONEY_MAX is request.invalid_field.  Integers too large
 *    for int64 fail in the parser: request.invalid_json.
 *  - Members the server does not know are ignored (clients may be newer).
 *  - A cursor is the decimal id of the last item of the previous page;
 *    clients must treat it as opaque.  next_cursor is null on the last
 *    page, except that a full page of the maximum size (500) always has
 *    one, which may lead to an empty page.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mask.h"
#include "core/money.h"
#include "fhir/fhir.h"
#include "http/httpd.h"

/* ---- replies ------------------------------------------------------------ */

void yb_reply_common_headers(yb_hreq *r, struct MHD_Response *resp)
{
	(void)r;
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
}

void yb_reply_take(yb_hreq *r, unsigned status, const char *content_type,
		   char *buf, size_t len)
{
	struct MHD_Response *resp;

	if (r->response || r->later_data) {
		/* A handler answered twice: the first answer stands. */
		free(buf);
		return;
	}
	resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(buf);
		return;     /* the server answers 500 for a missing response */
	}
	if (content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				"no-store");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer");
	/* pgha: unavailable (busy, or the database lost or failing over)
	 * is always worth a retry, and soon */
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	yb_reply_common_headers(r, resp);
	r->response = resp;
	r->status = status;
}

bool yb_req_viewer_unmask(const void *r, yb_id person_id)
{
	return yb_req_may_unmask(r, person_id);
}

void yb_reply_json(yb_hreq *r, unsigned status, json_t *body)
{
	size_t len = 0;
	char *s = body ? yb_json_text(body, &len) : NULL;

	json_decref(body);
	if (!s) {
		yb_err err;
		yb_errf(&err, "out_of_memory", "out of memory");
		if (status < 500)
			yb_reply_error(r, &err);
		return;
	}
	yb_reply_take(r, status, YB_JSON_CTYPE, s, len);
}

/*
 * The writer thread is the server's bottleneck (docs/BENCHMARKS.md), and
 * building and serializing JSON is not its work; nor is freeing a tree
 * of small objects on another thread, which contends for the writer's
 * malloc arena.  So a batched handler on the hot path hands over plain
 * data (a heap copy, freed here) and the connection's thread renders it.
 */
void yb_reply_later(yb_hreq *r, unsigned status,
		    json_t *(*render)(const void *data), const void *data,
		    size_t size)
{
	void *copy;

	if (!r->in_writer) {
		yb_reply_json(r, status, render(data));
		return;
	}
	if (r->response || r->later_data)
		return;                  /* the first answer stands */
	copy = malloc(size);
	if (!copy) {
		yb_reply_json(r, status, render(data));
		return;
	}
	memcpy(copy, data, size);
	r->later_render = render;
	r->later_data = copy;
	r->later_status = status;
}

/* On the connection's thread: render what yb_reply_later kept, if the
 * batch committed (keep true), and free it. */
void yb_reply_later_finish(yb_hreq *r, bool keep)
{
	void *data = r->later_data;

	if (!data)
		return;
	r->later_data = NULL;
	if (keep)
		yb_reply_json(r, r->later_status, r->later_render(data));
	free(data);
}

void yb_reply_empty(yb_hreq *r, unsigned status)
{
	/* MHD frees nothing for a NULL buffer of length 0. */
	yb_reply_take(r, status, NULL, NULL, 0);
}

/* Status for an error: the kind's, except the two codes HTTP has its own
 * statuses for. */
static unsigned error_status(const yb_err *err)
{
	if (err->code && strcmp(err->code, "request.method_not_allowed") == 0)
		return MHD_HTTP_METHOD_NOT_ALLOWED;
	if (err->code &&
	    strcmp(err->code, "request.unsupported_media_type") == 0)
		return MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
	return (unsigned)yb_err_http_status(err->kind);
}

json_t *yb_error_body(const char *code, const char *message)
{
	char msg[YB_ERR_MSG_MAX];

	/* A message may quote request bytes (jansson's "near '...'") or be
	 * cut inside a character: json_pack refuses invalid UTF-8, which
	 * once turned a 400 into 500 out_of_memory (#14). */
	snprintf(msg, sizeof msg, "%s", message);
	yb_utf8_scrub(msg);
	return json_pack("{s:{s:s, s:s}}", "error", "code", code, "message",
			 msg);
}

void yb_reply_error(yb_hreq *r, const yb_err *err)
{
	const char *code = err->code ? err->code : "internal";
	unsigned status = err->code ? error_status(err) : 500;
	const char *msg = err->message;
	json_t *body;

	if (yb_fhir_is_request(r)) {
		/* fhir: errors under /fhir/R4/ are OperationOutcomes */
		yb_fhir_reply_error(r, err);
		return;
	}
	yb_metrics_db_error(err);
	r->err_code = code;
	if (status == 500) {
		/* Store and internal messages may quote SQL or paths: they go
		 * to the log, the client gets a plain sentence. */
		snprintf(r->err_msg, sizeof r->err_msg, "%s", err->message);
		yb_utf8_scrub(r->err_msg);       /* the log is JSON too */
		msg = "internal error; the server log has the details";
	}
	body = yb_error_body(code, msg);
	if (!body) {
		static const char oom[] =
			"{\"error\":{\"code\":\"out_of_memory\","
			"\"message\":\"out of memory\"}}";
		struct MHD_Response *resp;
		if (r->response)
			return;
		resp = MHD_create_response_from_buffer(
			sizeof oom - 1, (void *)oom, MHD_RESPMEM_PERSISTENT);
		if (!resp)
			return;
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					YB_JSON_CTYPE);
		r->response = resp;
		r->status = 500;
		return;
	}
	yb_reply_json(r, status, body);
}

void yb_reply_errf(yb_hreq *r, const char *code, const char *fmt, ...)
{
	yb_err err;
	va_list ap;

	va_start(ap, fmt);
	yb_verrf(&err, code, fmt, ap);
	va_end(ap);
	yb_reply_error(r, &err);
}

/* ---- the body -------------------------------------------------------------- */

/* application/json, with at most a utf-8 charset parameter. */
static bool content_type_ok(const char *ct)
{
	static const char json[] = "application/json";
	const char *p;

	if (!ct || strncasecmp(ct, json, sizeof json - 1) != 0)
		return false;
	p = ct + sizeof json - 1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return true;
	if (*p != ';')
		return false;
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "charset=", 8) != 0)
		return *p == '\0';
	p += 8;
	if (*p == '"')
		p++;
	return strncasecmp(p, "utf-8", 5) == 0 &&
	       (p[5] == '\0' || p[5] == '"' || p[5] == ';' || p[5] == ' ');
}

/*
 * jansson nests up to 2048 levels; we accept far less, and check before
 * parsing so a deeply nested body costs no allocations.
 */
static bool depth_ok(const char *s, size_t n, int max)
{
	int depth = 0;
	bool in_str = false, esc = false;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				return false;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return true;
}

int yb_body_parse(yb_hreq *r, yb_err *err)
{
	if (r->body_seen > YB_HTTP_BODY_MAX)
		return yb_errf(err, "request.too_large",
			       "the body is larger than %d bytes",
			       YB_HTTP_BODY_MAX);
	if (r->body_len == 0) {
		if (r->route->flags & YB_ROUTE_BODY_REQUIRED)
			return yb_errf(err, "request.invalid_json",
				       "a JSON object body is required");
		r->json = json_object();
		if (!r->json)
			return yb_errf(err, "out_of_memory", "out of memory");
		return 0;
	}
	if (!content_type_ok(MHD_lookup_connection_value(
		    r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE)))
		return yb_errf(err, "request.unsupported_media_type",
			       "the body must be application/json (UTF-8)");
	return yb_body_decode(r->body, r->body_len, &r->json, err);
}

int yb_body_decode(const char *body, size_t len, json_t **out, yb_err *err)
{
	json_error_t je;

	*out = NULL;
	/* JSON has no raw NUL byte anywhere (a string writes \u0000), and
	 * jansson takes one after a number for the end of the text. */
	if (memchr(body, '\0', len))
		return yb_errf(err, "request.invalid_json",
			       "a NUL byte in the body");
	if (!depth_ok(body, len, YB_HTTP_JSON_DEPTH_MAX))
		return yb_errf(err, "request.invalid_json",
			       "JSON nested deeper than %d levels",
			       YB_HTTP_JSON_DEPTH_MAX);
	*out = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!*out)
		return yb_errf(err, "request.invalid_json",
			       "invalid JSON at line %d, column %d: %s",
			       je.line, je.column, je.text);
	if (!json_is_object(*out))
		return yb_errf(err, "request.invalid_json",
			       "the body must be a JSON object");
	return 0;
}

/* ---- field getters ------------------------------------------------------------ */

#define WHERE(w) ((w) ? (w) : ""), ((w) ? "." : "")

/* The member, or NULL when absent or null (an error if required). */
static int member(const json_t *obj, const char *where, const char *name,
		  bool required, json_t **out, yb_err *err)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, name) : NULL;

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return yb_errf(err, "request.missing_field",
				       "%s%s%s is required", WHERE(where), name);
		return 0;
	}
	*out = v;
	return 0;
}

static int invalid(yb_err *err, const char *where, const char *name,
		   const char *what)
{
	return yb_errf(err, "request.invalid_field", "%s%s%s must be %s",
		       WHERE(where), name, what);
}

/* The member, present and of `type` (JSON_TRUE: either boolean), or NULL
 * when absent and not required. */
static int typed(const json_t *obj, const char *where, const char *name,
		 bool required, json_type type, const char *what, json_t **out,
		 yb_err *err)
{
	json_t *v;

	if (member(obj, where, name, required, &v, err) < 0)
		return -1;
	*out = v;
	if (v && (type == JSON_TRUE ? !json_is_boolean(v)
				    : json_typeof(v) != type))
		return invalid(err, where, name, what);
	return 0;
}

int yb_jget_str(const json_t *obj, const char *where, const char *name,
		bool required, const char **out, yb_err *err)
{
	json_t *v;

	if (typed(obj, where, name, required, JSON_STRING, "a string", &v,
		  err) < 0)
		return -1;
	if (!v)
		return 0;
	if (json_string_length(v) > YB_HTTP_STR_MAX)
		return invalid(err, where, name, "at most 1024 bytes long");
	*out = json_string_value(v);
	return 0;
}

int yb_jget_int(const json_t *obj, const char *where, const char *name,
		bool required, int64_t min, int64_t max, int64_t *out,
		yb_err *err)
{
	json_t *v;
	json_int_t i;

	if (typed(obj, where, name, required, JSON_INTEGER, "an integer", &v,
		  err) < 0)
		return -1;
	if (!v)
		return 0;
	i = json_integer_value(v);
	if (i < min || i > max)
		return yb_errf(err, "request.invalid_field",
			       "%s%s%s must be from %" PRId64 " to %" PRId64,
			       WHERE(where), name, min, max);
	*out = (int64_t)i;
	return 0;
}

int yb_jget_fen(const json_t *obj, const char *where, const char *name,
		bool required, int64_t *out, yb_err *err)
{
	json_t *v;

	if (typed(obj, where, name, required, JSON_INTEGER,
		  "an integer number of fen (no decimals)", &v, err) < 0)
		return -1;
	return yb_jget_int(obj, where, name, required, -YB_MONEY_MAX,
			   YB_MONEY_MAX, out, err);
}

int yb_jget_bool(const json_t *obj, const char *where, const char *name,
		 bool required, bool *out, yb_err *err)
{
	json_t *v;

	if (typed(obj, where, name, required, JSON_TRUE, "true or false", &v,
		  err) < 0)
		return -1;
	if (v)
		*out = json_is_true(v);
	return 0;
}

int yb_jget_obj(const json_t *obj, const char *where, const char *name,
		bool required, const json_t **out, yb_err *err)
{
	json_t *v;

	if (typed(obj, where, name, required, JSON_OBJECT, "an object", &v,
		  err) < 0)
		return -1;
	if (v)
		*out = v;
	return 0;
}

int yb_jget_arr(const json_t *obj, const char *where, const char *name,
		bool required, const json_t **out, yb_err *err)
{
	json_t *v;

	if (typed(obj, where, name, required, JSON_ARRAY, "an array", &v,
		  err) < 0)
		return -1;
	if (v)
		*out = v;
	return 0;
}

int yb_jget_date(const json_t *obj, const char *where, const char *name,
		 bool required, yb_date *out, yb_err *err)
{
	const char *s = NULL;

	if (yb_jget_str(obj, where, name, required, &s, err) < 0)
		return -1;
	if (s && !yb_date_parse(s, out))
		return yb_errf(err, "request.invalid_date",
			       "%s%s%s must be a date YYYY-MM-DD",
			       WHERE(where), name);
	return 0;
}

int yb_jget_time(const json_t *obj, const char *where, const char *name,
		 bool required, yb_time *out, yb_err *err)
{
	const char *s = NULL;

	if (yb_jget_str(obj, where, name, required, &s, err) < 0)
		return -1;
	if (s && !yb_time_parse(s, out))
		return invalid(err, where, name,
			       "an RFC 3339 instant (2026-01-31T08:00:00Z)");
	return 0;
}

/* ---- lists ------------------------------------------------------------------------ */

/* A positive decimal integer of at most 18 digits (fits yb_id). */
static bool parse_id(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v <= 0)
		return false;
	*out = v;
	return true;
}

int yb_req_id_param(const yb_hreq *r, int i, const char *notfound_code,
		    yb_id *out, yb_err *err)
{
	int64_t v;

	if (!parse_id(yb_req_param(r, i), &v))
		return yb_errf(err, notfound_code, "no such record");
	*out = v;
	return 0;
}

void yb_reply_page(yb_hreq *r, const yb_page_kind *k)
{
	yb_reply_page_extra(r, k, NULL);
}

void yb_reply_page_extra(yb_hreq *r, const yb_page_kind *k,
			 yb_page_extra_fn *extra)
{
	const char *ls = yb_req_query(r, "limit");
	const char *cs = yb_req_query(r, "cursor");
	int64_t limit = YB_HTTP_LIMIT_DEFAULT, before = 0;
	void *items = NULL;
	int n = 0, shown, ask;
	bool more;
	json_t *arr = NULL, *next = NULL, *page;
	char cursor[24];
	yb_err err;

	yb_err_clear(&err);
	if (ls && (!parse_id(ls, &limit) || limit > YB_HTTP_LIMIT_MAX)) {
		yb_errf(&err, "request.invalid_field",
			"limit must be an integer from 1 to %d",
			YB_HTTP_LIMIT_MAX);
		goto fail;
	}
	if (cs && *cs && !parse_id(cs, &before)) {
		yb_errf(&err, "request.invalid_cursor",
			"cursor is not one this server gave out");
		goto fail;
	}
	/* One more than asked tells whether a next page exists.  The
	 * services clamp to YB_HTTP_LIMIT_MAX, so at the maximum a full page
	 * is taken to mean "maybe more" (the next page may then be empty). */
	ask = limit < YB_HTTP_LIMIT_MAX ? (int)limit + 1 : (int)limit;
	if (k->fetch(r, before, ask, &items, &n, &err) < 0)
		goto fail;
	more = n > limit || (ask == limit && n == limit);
	arr = json_array();
	if (!arr)
		goto oom;
	shown = n > limit ? (int)limit : n;
	for (int i = 0; i < shown; i++) {
		json_t *it = k->render(YB_VIEWER(r), (const char *)items +
					      (size_t)i * k->size);
		if (!it || json_array_append_new(arr, it) < 0)
			goto oom;
	}
	if (more && shown > 0) {
		const char *last = (const char *)items +
				   (size_t)(shown - 1) * k->size;
		yb_id id;
		memcpy(&id, last + k->id_offset, sizeof id);
		snprintf(cursor, sizeof cursor, "%" PRId64, (int64_t)id);
		next = json_string(cursor);
	} else {
		next = json_null();
	}
	free(items);
	items = NULL;
	page = json_pack("{s:o, s:o}", "items", arr, "next_cursor", next);
	arr = NULL;
	if (!page)
		goto oom;
	if (extra && extra(r, page, &err) < 0) {
		json_decref(page);
		goto fail;
	}
	yb_reply_json(r, MHD_HTTP_OK, page);
	return;
oom:
	yb_errf(&err, "out_of_memory", "out of memory");
fail:
	free(items);
	json_decref(arr);
	yb_reply_error(r, &err);
}
