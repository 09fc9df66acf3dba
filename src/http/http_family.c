/*
 * http_family.c — the rest of the family policy over HTTP (SPEC E1
 * premiums for relatives, E2 monthly caps per binding), for the person
 * (/api/v1/me/...) and at an operator's desk with the F5 materials
 * (/api/v1/premiums, /api/v1/bindings/{id}/cap): decoding, calling
 * service/premium.c and famcap.c, encoding.
 */
#include <stddef.h>
#include <stdlib.h>

#include "http/decode.h"
#include "http/httpd.h"
#include "service/famcap.h"
#include "service/premium.h"

/* E2: set (has_cap) or remove a cap; `desk` reads the operator's part
 * of the body (authorizer, channel, materials) as ending a binding does. */
static void cap_reply(yb_hreq *r, bool has_cap, bool desk)
{
	yb_bind_req who = { 0 };
	yb_binding b;
	int64_t cap = 0;
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, "binding.not_found", &id, &err) < 0 ||
	    (has_cap && yb_jget_fen(r->json, NULL, "monthly_cap_fen", true,
				    &cap, &err) < 0) ||
	    (desk && yb_decode_bind_operator(r->json, &who, &err) < 0) ||
	    yb_binding_cap_set(&r->ctx, id, has_cap, cap, desk ? &who : NULL,
			       &b, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK, yb_json_binding(YB_VIEWER(r), &b));
}

/* PUT /api/v1/bindings/{binding_id}/cap {monthly_cap_fen, authorizer,
 * channel, materials}: an operator on the authorizer's behalf. */
void yb_handle_binding_cap_put(yb_hreq *r)
{
	cap_reply(r, true, true);
}

/* DELETE /api/v1/bindings/{binding_id}/cap {authorizer, channel,
 * materials} */
void yb_handle_binding_cap_delete(yb_hreq *r)
{
	cap_reply(r, false, true);
}

/* PUT /api/v1/me/bindings/{binding_id}/cap {"monthly_cap_fen": n} */
void yb_handle_me_binding_cap_put(yb_hreq *r)
{
	cap_reply(r, true, false);
}

/* DELETE /api/v1/me/bindings/{binding_id}/cap */
void yb_handle_me_binding_cap_delete(yb_hreq *r)
{
	cap_reply(r, false, false);
}

int yb_decode_premium(const json_t *j, bool desk, yb_premium_req *req,
		      yb_err *err)
{
	*req = (yb_premium_req){ 0 };
	if (yb_jget_str(j, NULL, "relative_ssn", true, &req->relative_ssn,
			err) < 0 ||
	    yb_jget_int(j, NULL, "year", true, 0, 9999, &req->year, err) < 0 ||
	    yb_jget_str(j, NULL, "client_request_id", true,
			&req->client_request_id, err) < 0)
		return -1;
	if (!desk)
		return yb_jget_str(j, NULL, "channel", false,
				   &req->desk.channel, err);
	if (yb_decode_bind_operator(j, &req->desk, err) < 0 ||
	    yb_jget_str(j, NULL, "relative_id_number", false,
			&req->relative_id_number, err) < 0 ||
	    yb_jget_str(j, NULL, "relationship", false, &req->relationship,
			err) < 0)
		return -1;
	return 0;
}

static void premium_reply(yb_hreq *r, bool desk)
{
	yb_premium_req req;
	yb_premium p;
	bool repeat = false;
	yb_err err;

	if (yb_decode_premium(r->json, desk, &req, &err) < 0 ||
	    yb_premium_pay(&r->ctx, &req, &p, &repeat, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, repeat ? MHD_HTTP_OK : MHD_HTTP_CREATED,
		      yb_json_premium(YB_VIEWER(r), &p));
}

/* POST /api/v1/me/premiums {relative_ssn, year, client_request_id,
 * channel?}: 201 paid, 200 a repeat of the same client request id. */
void yb_handle_me_premiums_post(yb_hreq *r)
{
	premium_reply(r, false);
}

/* POST /api/v1/premiums: the same at the agency's window, with the
 * authorizer, channel and materials, and — for a relative without an
 * active binding — relative_id_number and relationship. */
void yb_handle_premiums_post(yb_hreq *r)
{
	premium_reply(r, true);
}

/* GET /api/v1/premium-years: what each year costs and when it is open. */
void yb_handle_premium_years(yb_hreq *r)
{
	yb_premium_year *y = NULL;
	json_t *items = NULL;
	int n = 0;
	yb_err err;

	if (yb_premium_years(&r->ctx, &y, &n, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	items = yb_json_premium_years(y, n);
	free(y);
	yb_reply_json(r, MHD_HTTP_OK, items);
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
	static const yb_page_kind k = { fetch_premiums, yb_json_premium_item,
					sizeof(yb_premium),
					offsetof(yb_premium, id) };
	yb_reply_page(r, &k);
}
