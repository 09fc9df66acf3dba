/*
 * http_family.c — the rest of the family policy over HTTP (SPEC E2
 * monthly caps per binding): decoding, calling service/famcap.c,
 * encoding.
 */
#include "http/httpd.h"
#include "service/famcap.h"

static void cap_reply(yb_hreq *r, bool has_cap)
{
	yb_binding b;
	int64_t cap = 0;
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, "binding.not_found", &id, &err) < 0 ||
	    (has_cap && yb_jget_fen(r->json, NULL, "monthly_cap_fen", true,
				    &cap, &err) < 0) ||
	    yb_binding_cap_set(&r->ctx, id, has_cap, cap, &b, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK, yb_render_binding(r, &b));
}

/* PUT /api/v1/me/bindings/{binding_id}/cap {"monthly_cap_fen": n} */
void yb_handle_me_binding_cap_put(yb_hreq *r)
{
	cap_reply(r, true);
}

/* DELETE /api/v1/me/bindings/{binding_id}/cap */
void yb_handle_me_binding_cap_delete(yb_hreq *r)
{
	cap_reply(r, false);
}
