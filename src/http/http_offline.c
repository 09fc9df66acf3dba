/*
 * http_offline.c — equipment failure (SPEC S6): a visit recorded as paid
 * in cash while the institution was offline, and its re-settlement at the
 * same institution within the window, which pays the account part as if
 * online and says how much cash to give back to the patient.
 */
#include "http/decode.h"
#include "http/httpd.h"
#include "service/settle.h"

int yb_decode_offline(const json_t *j, yb_offline_req *req, yb_err *err)
{
	yb_settle_req s = { 0 };

	if (yb_settle_body(j, &s, err) < 0 ||
	    yb_jget_time(j, NULL, "occurred_at", true, &req->occurred_at,
			 err) < 0)
		return -1;
	req->txn_id = s.txn_id;
	req->cred_type = s.cred_type;
	req->cred_value = s.cred_value;
	req->visit_type = s.visit_type;
	req->total_fen = s.total_fen;
	req->fund_pay_fen = s.fund_pay_fen;
	return 0;
}

void yb_handle_offline_post(yb_hreq *r)
{
	yb_offline_req req = { 0 };
	yb_offline o;
	yb_err err;

	if (yb_decode_offline(r->json, &req, &err) < 0)
		goto fail;
	if (yb_offline_record(&r->ctx, &req, &o, &err) < 0)
		goto fail;
	yb_reply_json(r, MHD_HTTP_CREATED, yb_json_offline(&o));
	return;
fail:
	yb_reply_error(r, &err);
}

void yb_handle_offline_get(yb_hreq *r)
{
	yb_offline o;
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, "offline.not_found", &id, &err) < 0 ||
	    yb_offline_get(&r->ctx, id, &o, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK, yb_json_offline(&o));
}

void yb_handle_offline_resettlement(yb_hreq *r)
{
	yb_offline o;
	yb_settlement s;
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, "offline.not_found", &id, &err) < 0 ||
	    yb_offline_resettle(&r->ctx, id, &o, &s, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	/* The offline record, with the settlement's account part and shares. */
	yb_reply_json(r, MHD_HTTP_OK, yb_json_resettlement(&o, &s));
}
