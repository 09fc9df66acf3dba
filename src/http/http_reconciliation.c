/*
 * http_reconciliation.c — daily reconciliation (SPEC S7): an institution
 * reads our totals of a day, or submits its own and is told whether they
 * match and, if not, which fields differ.
 */
#include "http/decode.h"
#include "http/httpd.h"
#include "service/settle.h"

static int date_param(const yb_hreq *r, yb_date *out, yb_err *err)
{
	if (!yb_date_parse(yb_req_param(r, 0), out))
		return yb_errf(err, "request.invalid_date",
			       "the date must be YYYY-MM-DD");
	return 0;
}

void yb_handle_reconciliation_get(yb_hreq *r)
{
	yb_recon_totals t;
	yb_date date;
	yb_err err;

	if (date_param(r, &date, &err) < 0 ||
	    yb_recon_get(&r->ctx, date, &t, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	t.date = date;
	yb_reply_json(r, MHD_HTTP_OK, yb_json_recon(&t));
}

int yb_decode_recon(const json_t *j, yb_recon_totals *t, yb_err *err)
{
	return (yb_jget_int(j, NULL, "count", true, 0, INT64_MAX, &t->count,
			    err) < 0 ||
		yb_jget_fen(j, NULL, "total_fen", true, &t->total_fen,
			    err) < 0 ||
		yb_jget_fen(j, NULL, "fund_pay_fen", true, &t->fund_pay_fen,
			    err) < 0 ||
		yb_jget_fen(j, NULL, "account_pay_fen", true,
			    &t->account_pay_fen, err) < 0 ||
		yb_jget_fen(j, NULL, "cash_pay_fen", true, &t->cash_pay_fen,
			    err) < 0 ||
		yb_jget_int(j, NULL, "revoked_count", false, 0, INT64_MAX,
			    &t->revoked_count, err) < 0) ? -1 : 0;
}

void yb_handle_reconciliation_post(yb_hreq *r)
{
	yb_recon_totals theirs = { 0 }, ours = { 0 };
	yb_recon_diff diffs[8];
	int ndiffs = 0;
	yb_err err;

	if (date_param(r, &theirs.date, &err) < 0 ||
	    yb_decode_recon(r->json, &theirs, &err) < 0 ||
	    yb_recon_compare(&r->ctx, theirs.date, &theirs, &ours, diffs,
			     &ndiffs, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	ours.date = theirs.date;
	yb_reply_json(r, MHD_HTTP_OK,
		      yb_json_recon_compare(&ours, diffs, ndiffs));
}
