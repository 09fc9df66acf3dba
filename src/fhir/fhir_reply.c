/*
 * fhir_reply.c — the FHIR request and answer: the body read as a FHIR
 * resource (exact decimals, fhir_lex.c), answers as application/fhir+json,
 * and every error as an OperationOutcome whose issue.details.coding holds
 * the API's stable code and whose issue.expression names the element.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fhir/fhir.h"
#include "fhir/fhir_int.h"
#include "http/httpd.h"

bool yb_fhir_is_request(const yb_hreq *r)
{
	return r->nsegs >= 2 && strcmp(r->segs[0], "fhir") == 0 &&
	       strcmp(r->segs[1], "R4") == 0;
}

/* One media range of an Accept header (or a _format value) that a JSON
 * answer satisfies: FHIR's json names, application/json, the wildcards.
 * Parameters (";q=0.9", ";fhirVersion=4.0") are ignored, as is a range
 * of q=0: none of the FHIR clients we know send one. */
static bool json_range(const char *s, size_t n)
{
	static const char *const ok[] = { "json", "application/json",
		"application/fhir+json", "application/*", "*/*" };
	const char *semi = memchr(s, ';', n);

	if (semi)
		n = (size_t)(semi - s);
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strlen(ok[i]) == n && strncasecmp(s, ok[i], n) == 0)
			return true;
	return false;
}

int yb_fhir_negotiate(const yb_hreq *r, yb_err *err)
{
	const char *format = yb_req_query(r, "_format");
	const char *accept = MHD_lookup_connection_value(
		r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	const char *list = format ? format : accept;

	if (!list || !*list)
		return 0;
	for (const char *p = list;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (json_range(p, n))
			return 0;
		if (!comma)
			break;
		p = comma + 1;
	}
	return yb_errf(err, "request.not_acceptable",
		       "this server answers in application/fhir+json only "
		       "(%s asked for %.80s)", format ? "_format" : "Accept",
		       list);
}

/* The media types a FHIR body may come as (charset utf-8, if named). */
static bool fhir_ctype_ok(const char *ct)
{
	static const char *const types[] = { "application/fhir+json",
		"application/json-patch+json", "application/json" };

	for (size_t i = 0; ct && i < sizeof types / sizeof types[0]; i++) {
		size_t n = strlen(types[i]);
		const char *p = ct + n;
		if (strncasecmp(ct, types[i], n) != 0)
			continue;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return true;
		if (*p != ';')
			continue;
		p++;
		while (*p == ' ')
			p++;
		return strncasecmp(p, "charset=utf-8", 13) == 0 ||
		       strncasecmp(p, "fhirVersion=4.0", 15) == 0;
	}
	return false;
}

int yb_fhir_body(yb_hreq *r, const char *type, json_t **out, yb_err *err)
{
	json_error_t je;
	char *text;
	json_t *j;
	const char *rt;

	*out = NULL;
	if (r->body_seen > YB_HTTP_BODY_MAX)
		return yb_errf(err, "request.too_large",
			       "the body is larger than %d bytes",
			       YB_HTTP_BODY_MAX);
	if (r->body_len == 0)
		return yb_errf(err, "request.invalid_json",
			       "a %s resource body is required",
			       type ? type : "JSON");
	if (!fhir_ctype_ok(MHD_lookup_connection_value(
		    r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE)))
		return yb_errf(err, "request.unsupported_media_type",
			       "the body must be application/fhir+json");
	text = yb_fhir_tag_numbers(r->body, r->body_len,
				   YB_HTTP_JSON_DEPTH_MAX, err);
	if (!text)
		return -1;
	j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (!j)
		return yb_errf(err, "request.invalid_json",
			       "invalid JSON at line %d: %s", je.line, je.text);
	if (type) {
		rt = json_string_value(json_object_get(j, "resourceType"));
		if (!json_is_object(j) || !rt || strcmp(rt, type) != 0) {
			json_decref(j);
			return yb_fhir_bad(err, "request.invalid_field", type,
					   "resourceType", "must be %s", type);
		}
	}
	*out = j;
	return 0;
}

void yb_fhir_reply(yb_hreq *r, unsigned status, json_t *resource)
{
	char *s = resource ? json_dumps(resource, JSON_COMPACT) : NULL;

	json_decref(resource);
	if (!s) {
		yb_err err;
		yb_errf(&err, "out_of_memory", "out of memory");
		yb_fhir_reply_error(r, &err);
		return;
	}
	yb_fhir_untag(s);
	yb_reply_take(r, status, YB_FHIR_CTYPE, s, strlen(s));
}

void yb_fhir_base(const yb_hreq *r, char *buf, size_t size)
{
	const char *host = MHD_lookup_connection_value(
		r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);

	/* A Host header is echoed only when it looks like one. */
	if (!host || strspn(host, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") !=
			     strlen(host))
		host = "localhost";
	snprintf(buf, size, "http://%s/fhir/R4", host);
}

void yb_fhir_reply_bundle(yb_hreq *r, json_t *resources)
{
	char base[300];

	yb_fhir_base(r, base, sizeof base);
	yb_fhir_reply(r, MHD_HTTP_OK,
		      resources ? yb_fhir_bundle(resources, base) : NULL);
}

const char *yb_fhir_ref_param(const yb_hreq *r, const char *name,
			      const char *type)
{
	const char *v = yb_req_query(r, name);
	size_t n = strlen(type);

	if (!v)
		return NULL;
	if (strncmp(v, type, n) == 0 && v[n] == '/')
		return v + n + 1;
	return strchr(v, '/') ? "" : v;
}

/* The status of an error: its kind's, and HTTP's own two. */
static unsigned outcome_status(const yb_err *err)
{
	if (strcmp(err->code, "request.method_not_allowed") == 0)
		return MHD_HTTP_METHOD_NOT_ALLOWED;
	if (strcmp(err->code, "request.unsupported_media_type") == 0)
		return MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
	if (strcmp(err->code, "request.not_acceptable") == 0)
		return MHD_HTTP_NOT_ACCEPTABLE;
	return (unsigned)yb_err_http_status(err->kind);
}

/* The OperationOutcome of an error; NULL when out of memory. */
static char *outcome_text(const char *code, yb_err_kind kind,
			  const char *msg)
{
	char expr[YB_ERR_MSG_MAX];
	json_t *oo, *issue;
	char *s;

	yb_fhir_expression(msg, expr, sizeof expr);
	issue = json_pack("{s:s, s:s, s:{s:[o], s:s}}", "severity", "error",
			  "code", yb_fhir_issue_type(kind, code), "details",
			  "coding",
			  yb_fhir_coding(YB_FHIR_CS_ERROR, code, NULL), "text",
			  msg);
	if (issue && expr[0] &&
	    yb_fhir_set(issue, "expression", json_pack("[s]", expr)) < 0) {
		json_decref(issue);
		return NULL;
	}
	oo = json_pack("{s:s, s:[o]}", "resourceType", "OperationOutcome",
		       "issue", issue);
	s = oo ? json_dumps(oo, JSON_COMPACT) : NULL;
	json_decref(oo);
	return s;
}

void yb_fhir_reply_error(yb_hreq *r, const yb_err *err)
{
	static const char oom[] =
		"{\"resourceType\":\"OperationOutcome\",\"issue\":[{"
		"\"severity\":\"fatal\",\"code\":\"exception\","
		"\"details\":{\"coding\":[{\"system\":\"" YB_FHIR_CS_ERROR
		"\",\"code\":\"out_of_memory\"}]}}]}";
	const char *code = err->code ? err->code : "internal";
	yb_err_kind kind = err->code ? err->kind : YB_EINTERNAL;
	unsigned status = err->code ? outcome_status(err) : 500;
	const char *msg = err->message;
	char *s;

	yb_metrics_db_error(err);
	r->err_code = code;
	if (status >= 500) {
		/* Store and internal messages may quote SQL or paths: they go
		 * to the log, the client gets a plain sentence. */
		snprintf(r->err_msg, sizeof r->err_msg, "%s", err->message);
		msg = "internal error; the server log has the details";
	}
	s = outcome_text(code, kind, msg);
	if (!s) {
		s = strdup(oom);
		status = 500;
	}
	if (s)
		yb_reply_take(r, status, YB_FHIR_CTYPE, s, strlen(s));
}
