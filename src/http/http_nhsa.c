/*
 * http_nhsa.c — the HTTP side of the national-interface gateway: POST
 * /nhsa/api/{infno} and /nhsa/api hand the raw body and the x-tif-*
 * headers to src/nhsa (yb_nhsa_serve) and send back its envelope.  The
 * gateway authenticates by its own headers (the routes are public to the
 * Bearer check) and always answers 200: an HIS reads infcode, not the
 * status — also when the server itself fails (yb_nhsa_http_fail).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/httpd.h"
#include "nhsa/nhsa.h"
#include "nhsa/nhsa_env.h"

#define NHSA_CTYPE "application/json;charset=utf-8"

static const char *header(const yb_hreq *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void yb_handle_nhsa(yb_hreq *r)
{
	yb_nhsa_call c;
	char *out = NULL;
	size_t len = 0;
	yb_err err;

	memset(&c, 0, sizeof c);
	c.body = r->body;
	c.body_len = r->body_len;
	c.too_large = r->body_seen > YB_HTTP_BODY_MAX;
	c.path_infno = r->nparams > 0 ? yb_req_param(r, 0) : NULL;
	c.paasid = header(r, "x-tif-paasid");
	c.timestamp = header(r, "x-tif-timestamp");
	c.nonce = header(r, "x-tif-nonce");
	c.signature = header(r, "x-tif-signature");
	if (yb_nhsa_serve(&r->ctx, &c, &out, &len) < 0) {
		yb_errf(&err, "out_of_memory", "out of memory");
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_take(r, 200, NHSA_CTYPE, out, len);
}

bool yb_nhsa_http_fail(yb_hreq *r, const yb_err *err)
{
	yb_nhsa_reply reply;
	char *out;
	size_t len;

	if (!r->route || r->route->handler != yb_handle_nhsa)
		return false;
	memset(&reply, 0, sizeof reply);
	reply.infcode = -1;
	yb_nhsa_err_msg(err, reply.err_msg, sizeof reply.err_msg);
	out = yb_nhsa_reply_encode(&reply, &len);
	if (!out)
		return false;
	yb_reply_take(r, 200, NHSA_CTYPE, out, len);
	return true;
}
