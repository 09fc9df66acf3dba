/*
 * http_settlements.c — settlement at designated institutions (SPEC S2–S5,
 * S8): settle (idempotent by the institution's txn_id), pre-settle,
 * read, revoke.
 *
 * POST /api/v1/settlements is the hot path: one parse, one service call
 * (one store transaction inside), one render; the settlement record lives
 * on the stack and nothing is looked up twice.
 */
#include "http/httpd.h"
#include "service/settle.h"

int yb_settle_body(const json_t *j, yb_settle_req *out, yb_err *err)
{
	const json_t *cred = NULL;

	return (yb_jget_str(j, NULL, "txn_id", true, &out->txn_id, err) < 0 ||
		yb_jget_obj(j, NULL, "credential", true, &cred, err) < 0 ||
		yb_jget_str(cred, "credential", "type", true, &out->cred_type,
			    err) < 0 ||
		yb_jget_str(cred, "credential", "value", true,
			    &out->cred_value, err) < 0 ||
		yb_jget_str(j, NULL, "visit_type", true, &out->visit_type,
			    err) < 0 ||
		yb_jget_fen(j, NULL, "total_fen", true, &out->total_fen,
			    err) < 0 ||
		yb_jget_fen(j, NULL, "fund_pay_fen", true, &out->fund_pay_fen,
			    err) < 0) ? -1 : 0;
}

static void settle(yb_hreq *r, bool preview)
{
	yb_settle_req req = { 0 };
	yb_settlement s;
	bool repeat = false;
	yb_err err;

	if (yb_settle_body(r->json, &req, &err) < 0 ||
	    yb_settle(&r->ctx, &req, preview, &s, &repeat, &err) < 0) {
		r->settle_outcome = YB_SETTLE_OUT_REFUSED;  /* or 5xx */
		yb_reply_error(r, &err);
		return;
	}
	if (preview)
		s.state = YB_SETTLE_PREVIEW;
	r->settle_outcome = preview ? YB_SETTLE_OUT_PREVIEW
			    : repeat ? YB_SETTLE_OUT_REPEAT
				     : YB_SETTLE_OUT_SETTLED;
	yb_reply_later(r, preview || repeat ? MHD_HTTP_OK : MHD_HTTP_CREATED,
		       yb_render_settlement_data, &s, sizeof s);
}

void yb_handle_settlements_post(yb_hreq *r)
{
	settle(r, false);
}

void yb_handle_settlements_preview(yb_hreq *r)
{
	settle(r, true);
}

json_t *yb_render_settlement_data(const void *s)
{
	return yb_json_settlement(s);
}

void yb_handle_settlements_get(yb_hreq *r)
{
	yb_settlement s;
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, "settlement.not_found", &id, &err) < 0 ||
	    yb_settlement_get(&r->ctx, id, &s, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK, yb_json_settlement(&s));
}

void yb_handle_settlements_revocation(yb_hreq *r)
{
	yb_settlement s;
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, "settlement.not_found", &id, &err) < 0 ||
	    yb_revoke(&r->ctx, id, &s, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK, yb_json_settlement(&s));
}
