/*
 * http_materials.c — SPEC E4 over HTTP: an operator channel uploads a
 * scan of an F5 material (the raw bytes as the body, ?kind=...) to a
 * binding, a card application or a premium payment made at its desk; the
 * agency's staff list and read them.  Never a person, a terminal or an
 * institution (the route table and the service's table both say so).
 *
 * The body of an upload route is not JSON: the server keeps it up to the
 * setting material_max_bytes (server_request.c, YB_ROUTE_UPLOAD); what it is, is
 * decided by its bytes, whatever Content-Type the client sent.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/material.h"
#include "http/httpd.h"
#include "service/material.h"

/* The {id} of a target's path; its not-found code is the target's. */
static const char *const notfound[YB_MAT__N] = {
	"binding.not_found", "card.application_not_found",
	"premium.not_found",
};

static void attach(yb_hreq *r, yb_material_target t)
{
	const char *kind = yb_req_query(r, "kind");
	yb_material m;
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, notfound[t], &id, &err) < 0 ||
	    yb_material_attach(&r->ctx, t, id, kind ? kind : "", r->body,
			       r->body_len, r->body_seen, &m, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_CREATED, yb_json_material(&m));
}

static void list(yb_hreq *r, yb_material_target t)
{
	yb_material *m = NULL;
	json_t *items = NULL;
	int n = 0;
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, notfound[t], &id, &err) < 0 ||
	    yb_materials_of(&r->ctx, t, id, &m, &n, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	items = yb_json_items(YB_VIEWER(r), m, sizeof *m, n,
			      yb_json_material_item);
	free(m);
	yb_reply_json(r, MHD_HTTP_OK, items);
}

/* POST /api/v1/bindings/{binding_id}/materials?kind=id_card (raw bytes) */
void yb_handle_binding_materials_post(yb_hreq *r)
{
	attach(r, YB_MAT_BINDING);
}

/* GET /api/v1/bindings/{binding_id}/materials */
void yb_handle_binding_materials_get(yb_hreq *r)
{
	list(r, YB_MAT_BINDING);
}

/* POST /api/v1/card-applications/{application_id}/materials?kind=... */
void yb_handle_application_materials_post(yb_hreq *r)
{
	attach(r, YB_MAT_CARD_APPLICATION);
}

/* GET /api/v1/card-applications/{application_id}/materials */
void yb_handle_application_materials_get(yb_hreq *r)
{
	list(r, YB_MAT_CARD_APPLICATION);
}

/* POST /api/v1/premiums/{premium_id}/materials?kind=... */
void yb_handle_premium_materials_post(yb_hreq *r)
{
	attach(r, YB_MAT_PREMIUM);
}

/* GET /api/v1/premiums/{premium_id}/materials */
void yb_handle_premium_materials_get(yb_hreq *r)
{
	list(r, YB_MAT_PREMIUM);
}

/*
 * GET /api/v1/materials/{material_id}: the bytes, as the type their
 * content showed.  An attachment that a browser will not render in the
 * API's origin by itself, with a sandbox policy should it try, and its
 * sha256 as the ETag.
 */
void yb_handle_material_get(yb_hreq *r)
{
	yb_material m;
	void *data = NULL;
	size_t len = 0;
	char disp[96], etag[YB_HASH_HEX_SZ + 2];
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, "material.not_found", &id, &err) < 0 ||
	    yb_material_get(&r->ctx, id, &m, &data, &len, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_take(r, MHD_HTTP_OK, m.content_type, data, len);
	if (!r->response)
		return;
	snprintf(disp, sizeof disp, "attachment; filename=\"material-%lld.%s\"",
		 (long long)m.id, yb_material_ext(m.content_type));
	snprintf(etag, sizeof etag, "\"%s\"", m.sha256);
	MHD_add_response_header(r->response, "Content-Disposition", disp);
	MHD_add_response_header(r->response, "Content-Security-Policy",
				"default-src 'none'; sandbox");
	MHD_add_response_header(r->response, MHD_HTTP_HEADER_ETAG, etag);
}
