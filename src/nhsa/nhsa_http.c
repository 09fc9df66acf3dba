/*
 * nhsa_http.c — the gateway's HTTP side: POST /nhsa/api/{infno} and
 * /nhsa/api (a YB_ROUTE_RAW route of src/http/routes.c).  The raw body
 * and the x-tif-* headers go to the gateway (nhsa.h) on the connection's
 * thread; only its write transaction goes to the writer (yb_req_write);
 * the reply is always HTTP 200 with an envelope — also when the server
 * itself fails (no database connection, a failed commit): an HIS reads
 * infcode, not the status.
 *
 * Here, not in src/http, so that the server knows nothing of the
 * gateway's protocol: it only routes the two paths to this handler.
 */
#include "nhsa/nhsa.h"

#include <string.h>

#include "http/httpd.h"
#include "nhsa/nhsa_file.h"

#define NHSA_CTYPE "application/json;charset=utf-8"

static const char *header(const yb_hreq *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static void answer(yb_hreq *r, char *out, size_t len)
{
	yb_err err;

	if (!out) {
		yb_errf(&err, "out_of_memory", "out of memory");
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_take(r, 200, NHSA_CTYPE, out, len);
}

/* A settlement's message counts as the JSON API's do (/metrics). */
static void count(yb_hreq *r, const yb_nhsa_exchange *x, int rc)
{
	static const int as[] = {
		[YB_NHSA_OUT_SETTLED] = YB_SETTLE_OUT_SETTLED,
		[YB_NHSA_OUT_REPEAT] = YB_SETTLE_OUT_REPEAT,
		[YB_NHSA_OUT_PREVIEW] = YB_SETTLE_OUT_PREVIEW,
		[YB_NHSA_OUT_REFUSED] = YB_SETTLE_OUT_REFUSED,
		[YB_NHSA_OUT_ERROR] = YB_SETTLE_OUT_ERROR,
	};
	int o = yb_nhsa_outcome(x, rc);

	if (o >= 0)
		r->settle_outcome = as[o];
}

static void then(yb_hreq *r, void *x, int rc, const yb_err *err)
{
	size_t len = 0;
	char *out;

	count(r, x, rc);
	out = yb_nhsa_end(x, rc, err, &len);

	answer(r, out, len);
}

static void call_headers(const yb_hreq *r, yb_nhsa_call *c)
{
	c->paasid = header(r, "x-tif-paasid");
	c->timestamp = header(r, "x-tif-timestamp");
	c->nonce = header(r, "x-tif-nonce");
	c->signature = header(r, "x-tif-signature");
}

/* Only a signed 9101 earns the larger buffer: no anonymous client makes
 * the server hold megabytes per connection (as E4's uploads). */
size_t yb_nhsa_body_limit(yb_hreq *r)
{
	yb_nhsa_call c;
	yb_err err;

	if (r->nsegs != 3 || strcmp(r->segs[0], "nhsa") != 0 ||
	    strcmp(r->segs[1], "api") != 0 || strcmp(r->segs[2], "9101") != 0)
		return YB_HTTP_BODY_MAX;
	memset(&c, 0, sizeof c);
	call_headers(r, &c);
	yb_err_clear(&err);
	if (yb_server_store(&r->ctx.store, &err) < 0 ||
	    yb_nhsa_signed(&r->ctx, &c, &err) < 0)
		return YB_HTTP_BODY_MAX;
	return YB_NHSA_FILE_BODY_MAX;
}

void yb_nhsa_handle(yb_hreq *r)
{
	yb_nhsa_call c;
	yb_nhsa_exchange *x;
	size_t len = 0;
	yb_err err;

	memset(&c, 0, sizeof c);
	c.body = r->body;
	c.body_len = r->body_len;
	c.too_large = r->body_seen > r->body_max;
	c.path_infno = r->nparams > 0 ? yb_req_param(r, 0) : NULL;
	call_headers(r, &c);
	if (yb_server_store(&r->ctx.store, &err) < 0) {
		answer(r, yb_nhsa_fail_reply(&r->ctx, &err, &len), len);
		return;
	}
	x = yb_nhsa_begin(&r->ctx, &c);
	if (!x) {
		answer(r, NULL, 0);
		return;
	}
	yb_req_write(r, yb_nhsa_commit, x, then);
}
