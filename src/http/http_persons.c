/*
 * http_persons.c — /api/v1/persons: the register of insured persons
 * (SPEC P1–P4) for the agency's staff, and the operator console's views
 * of one person (contributions, statement, settlements, family usage,
 * bindings), which are documented extras beyond API.md.
 */
#include <stddef.h>

#include "http/decode.h"
#include "http/httpd.h"
#include "service/binding.h"
#include "service/inquiry.h"
#include "service/person.h"

/* Answer with the person object of `ssn`, re-read with his account. */
static void reply_person(yb_hreq *r, unsigned status, const char *ssn)
{
	yb_person_view v;
	yb_err err;

	if (yb_person_get(&r->ctx, ssn, &v, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, status,
		      yb_json_person(YB_VIEWER(r), &v.person,
				       v.has_account ? &v.account : NULL));
}

int yb_decode_person_new(const json_t *j, yb_person_new *in, yb_err *err)
{
	return (yb_jget_str(j, NULL, "ssn", true, &in->ssn, err) < 0 ||
		yb_jget_str(j, NULL, "id_number", true, &in->id_number,
			    err) < 0 ||
		yb_jget_str(j, NULL, "name", true, &in->name, err) < 0 ||
		yb_jget_str(j, NULL, "scheme", true, &in->scheme, err) < 0 ||
		yb_jget_str(j, NULL, "region", false, &in->region, err) < 0 ||
		yb_jget_str(j, NULL, "employer_code", false,
			    &in->employer_code, err) < 0) ? -1 : 0;
}

void yb_handle_persons_post(yb_hreq *r)
{
	yb_person_new in = { 0 };
	yb_person p;
	yb_err err;

	if (yb_decode_person_new(r->json, &in, &err) < 0 ||
	    yb_person_register(&r->ctx, &in, &p, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	reply_person(r, MHD_HTTP_CREATED, p.ssn);
}

void yb_handle_persons_get(yb_hreq *r)
{
	reply_person(r, MHD_HTTP_OK, yb_req_param(r, 0));
}

void yb_handle_persons_password(yb_hreq *r)
{
	const char *password = NULL;
	yb_err err;

	if (yb_jget_str(r->json, NULL, "password", true, &password, &err) < 0 ||
	    yb_person_set_password(&r->ctx, yb_req_param(r, 0), password,
				   &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_empty(r, MHD_HTTP_NO_CONTENT);
}

void yb_handle_persons_termination(yb_hreq *r)
{
	const char *reason = NULL;
	yb_person p;
	yb_err err;

	if (yb_jget_str(r->json, NULL, "reason", true, &reason, &err) < 0 ||
	    yb_person_terminate(&r->ctx, yb_req_param(r, 0), reason, &p,
				&err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	reply_person(r, MHD_HTTP_OK, p.ssn);
}

/* ---- the operator console's views (extras) ------------------------------ */

#define FETCH_BY_SSN(fn, type)                                               \
	static int fetch_##fn(yb_hreq *r, yb_id before, int limit,           \
			      void **items, int *n, yb_err *err)             \
	{                                                                    \
		type *out = NULL;                                            \
		int rc = fn(&r->ctx, yb_req_param(r, 0), before, limit,      \
			    &out, n, err);                                   \
		*items = out;                                                \
		return rc;                                                   \
	}

FETCH_BY_SSN(yb_person_contributions, yb_contribution)
FETCH_BY_SSN(yb_person_ledger, yb_ledger_line)
FETCH_BY_SSN(yb_person_settlements, yb_settlement)
FETCH_BY_SSN(yb_person_family_usage, yb_usage)

void yb_handle_persons_contributions(yb_hreq *r)
{
	static const yb_page_kind k =
		YB_PAGE_CONTRIBUTIONS(fetch_yb_person_contributions);
	yb_reply_page(r, &k);
}

void yb_handle_persons_ledger(yb_hreq *r)
{
	static const yb_page_kind k = YB_PAGE_LEDGER(fetch_yb_person_ledger);
	yb_reply_page(r, &k);
}

void yb_handle_persons_settlements(yb_hreq *r)
{
	static const yb_page_kind k =
		YB_PAGE_SETTLEMENTS(fetch_yb_person_settlements);
	yb_reply_page(r, &k);
}

void yb_handle_persons_family_usage(yb_hreq *r)
{
	static const yb_page_kind k =
		YB_PAGE_USAGE(fetch_yb_person_family_usage);
	yb_reply_page(r, &k);
}

void yb_handle_persons_bindings(yb_hreq *r)
{
	yb_person_view v;
	yb_err err;

	if (yb_person_get(&r->ctx, yb_req_param(r, 0), &v, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_bindings_of(r, v.person.id);
}
