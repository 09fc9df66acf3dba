/*
 * http_employer.c — employers and their contributions (SPEC A4, Q2):
 * registering an employer (admin), posting a contribution record (agency
 * staff, or an employer for its own staff), and an employer's own view of
 * its employees' records.
 */
#include <stddef.h>

#include "http/decode.h"
#include "http/httpd.h"
#include "service/inquiry.h"
#include "service/ledger.h"
#include "service/person.h"

int yb_decode_employer(const json_t *j, const char **code, const char **name,
		       yb_err *err)
{
	return (yb_jget_str(j, NULL, "code", true, code, err) < 0 ||
		yb_jget_str(j, NULL, "name", true, name, err) < 0) ? -1 : 0;
}

void yb_handle_employers_post(yb_hreq *r)
{
	const char *code = NULL, *name = NULL;
	yb_employer e;
	yb_err err;

	if (yb_decode_employer(r->json, &code, &name, &err) < 0 ||
	    yb_employer_register(&r->ctx, code, name, &e, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_CREATED, yb_json_employer(&e));
}

int yb_decode_contribution(const json_t *j, yb_contribution_new *in,
			   yb_err *err)
{
	return (yb_jget_str(j, NULL, "ssn", true, &in->ssn, err) < 0 ||
		yb_jget_str(j, NULL, "period", true, &in->period, err) < 0 ||
		yb_jget_str(j, NULL, "employer_code", true,
			    &in->employer_code, err) < 0 ||
		yb_jget_fen(j, NULL, "base_fen", true, &in->base_fen,
			    err) < 0 ||
		yb_jget_fen(j, NULL, "employer_fen", true, &in->employer_fen,
			    err) < 0 ||
		yb_jget_fen(j, NULL, "personal_fen", true, &in->personal_fen,
			    err) < 0 ||
		yb_jget_fen(j, NULL, "account_credit_fen", true,
			    &in->account_credit_fen, err) < 0) ? -1 : 0;
}

void yb_handle_contributions_post(yb_hreq *r)
{
	yb_contribution_new in = { 0 };
	yb_contribution c;
	yb_err err;

	if (yb_decode_contribution(r->json, &in, &err) < 0 ||
	    yb_contribution_post(&r->ctx, &in, &c, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_CREATED, yb_json_contribution(&c));
}

static int fetch_employer(yb_hreq *r, yb_id before, int limit, void **items,
			  int *n, yb_err *err)
{
	const char *period = yb_req_query(r, "period");
	yb_contribution *out = NULL;
	int rc;

	rc = yb_employer_contributions(&r->ctx, period && *period ? period
								  : NULL,
				       before, limit, &out, n, err);
	*items = out;
	return rc;
}

void yb_handle_employer_contributions(yb_hreq *r)
{
	static const yb_page_kind k = YB_PAGE_CONTRIBUTIONS(fetch_employer);
	yb_reply_page(r, &k);
}
