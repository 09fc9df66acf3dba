/*
 * http_family.c — the rest of the family policy over HTTP (SPEC E1
 * premiums for relatives, E2 monthly caps per binding): decoding, calling
 * service/premium.c and famcap.c, encoding.
 */
#include <stddef.h>

#include "http/httpd.h"
#include "service/famcap.h"
#include "service/premium.h"

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

/* POST /api/v1/me/premiums {relative_ssn, year, client_request_id}:
 * 201 paid, 200 a repeat of the same client request id. */
void yb_handle_me_premiums_post(yb_hreq *r)
{
	yb_premium_req req = { 0 };
	yb_premium p;
	bool repeat = false;
	yb_err err;

	if (yb_jget_str(r->json, NULL, "relative_ssn", true, &req.relative_ssn,
			&err) < 0 ||
	    yb_jget_int(r->json, NULL, "year", true, 0, 9999, &req.year,
			&err) < 0 ||
	    yb_jget_str(r->json, NULL, "client_request_id", true,
			&req.client_request_id, &err) < 0 ||
	    yb_premium_pay(&r->ctx, &req, &p, &repeat, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, repeat ? MHD_HTTP_OK : MHD_HTTP_CREATED,
		      yb_render_premium(r, &p));
}

static int fetch_premiums(yb_hreq *r, yb_id before, int limit, void **items,
			  int *n, yb_err *err)
{
	yb_premium *out = NULL;
	int rc = yb_my_premiums(&r->ctx, before, limit, &out, n, err);

	*items = out;
	return rc;
}

/* GET /api/v1/me/premiums: the premiums I paid for relatives. */
void yb_handle_me_premiums_get(yb_hreq *r)
{
	static const yb_page_kind k = { fetch_premiums, yb_render_premium,
					sizeof(yb_premium),
					offsetof(yb_premium, id) };
	yb_reply_page(r, &k);
}
