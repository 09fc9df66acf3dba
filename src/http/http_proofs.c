/*
 * http_proofs.c — proofs of insurance and their verification (SPEC R2):
 *
 *   POST /api/v1/me/proofs, /api/v1/persons/{ssn}/proofs   issue (201)
 *   GET  /api/v1/me/proofs, /api/v1/persons/{ssn}/proofs   list
 *   GET  /api/v1/proofs/{code}        the proof (its owner, the agency)
 *   GET  /api/v1/proofs/{code}/pdf    the PDF to print
 *   POST /api/v1/proofs/{code}/revocation {reason}   the agency revokes
 *   GET  /api/v1/verify/{code}        anyone: genuine or not (JSON)
 *   GET  /verify/{code}               the same as a page for a phone —
 *                                      where the printed QR code points
 *
 * What a verification shows of the person is masked (name, ID number,
 * SSN, Q3): it is for whoever holds the paper, to compare.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/httpd.h"

/* ---- issue, list, get, revoke -------------------------------------------------- */

static void issue(yb_hreq *r, const char *ssn)
{
	yb_proof_view v;
	yb_err err;

	if (yb_proof_issue(&r->ctx, ssn, &v, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_CREATED, yb_json_proof(&v));
}

void yb_handle_me_proofs_post(yb_hreq *r)
{
	issue(r, NULL);
}

void yb_handle_persons_proofs_post(yb_hreq *r)
{
	issue(r, yb_req_param(r, 0));
}

static int fetch_mine(yb_hreq *r, yb_id before, int limit, void **items,
		      int *n, yb_err *err)
{
	yb_proof *out = NULL;
	int rc = yb_proofs_list(&r->ctx, NULL, before, limit, &out, n, err);

	*items = out;
	return rc;
}

static int fetch_by_ssn(yb_hreq *r, yb_id before, int limit, void **items,
			int *n, yb_err *err)
{
	yb_proof *out = NULL;
	int rc = yb_proofs_list(&r->ctx, yb_req_param(r, 0), before, limit,
				&out, n, err);

	*items = out;
	return rc;
}

void yb_handle_me_proofs_get(yb_hreq *r)
{
	static const yb_page_kind k = { fetch_mine, yb_json_proof_item,
		sizeof(yb_proof), offsetof(yb_proof, id) };
	yb_reply_page(r, &k);
}

void yb_handle_persons_proofs_get(yb_hreq *r)
{
	static const yb_page_kind k = { fetch_by_ssn, yb_json_proof_item,
		sizeof(yb_proof), offsetof(yb_proof, id) };
	yb_reply_page(r, &k);
}

void yb_handle_proofs_get(yb_hreq *r)
{
	yb_proof_view v;
	yb_err err;

	if (yb_proof_get(&r->ctx, yb_req_param(r, 0), &v, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK, yb_json_proof(&v));
}

void yb_handle_proofs_pdf(yb_hreq *r)
{
	char name[64], *pdf;
	yb_proof_view v;
	size_t len;
	yb_err err;

	if (yb_proof_get(&r->ctx, yb_req_param(r, 0), &v, &err) < 0 ||
	    yb_proof_pdf(&v, &pdf, &len, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	snprintf(name, sizeof name, "proof-%s.pdf", v.record.code);
	yb_reply_file(r, pdf, len, "application/pdf", name);
}

void yb_handle_proofs_revocation(yb_hreq *r)
{
	const char *reason = NULL;
	yb_proof_view v;
	yb_err err;

	if (yb_jget_str(r->json, NULL, "reason", true, &reason, &err) < 0 ||
	    yb_proof_revoke(&r->ctx, yb_req_param(r, 0), reason, &v,
			    &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK, yb_json_proof(&v));
}

/* ---- verification, for anyone ---------------------------------------------------- */

static bool verify(yb_hreq *r, yb_proof_view *v)
{
	yb_err err;

	if (yb_proof_verify(&r->ctx, yb_req_param(r, 0), v, &err) < 0) {
		yb_reply_error(r, &err);
		return false;
	}
	return true;
}

void yb_handle_verify_json(yb_hreq *r)
{
	yb_proof_view v;

	if (verify(r, &v))
		yb_reply_json(r, MHD_HTTP_OK,
			      yb_json_verify(yb_req_param(r, 0), &v));
}

void yb_handle_verify_page(yb_hreq *r)
{
	yb_proof_view v;
	char *html;
	size_t len;

	if (!verify(r, &v))
		return;
	html = yb_verify_html(r->ctx.settings, yb_req_param(r, 0), &v, &len);
	if (!html) {
		yb_reply_errf(r, "out_of_memory", "out of memory");
		return;
	}
	yb_reply_take(r, MHD_HTTP_OK, "text/html; charset=utf-8", html, len);
	if (r->response)
		MHD_add_response_header(r->response, "Content-Security-Policy",
					"default-src 'none'; "
					"style-src 'unsafe-inline'; "
					"frame-ancestors 'none'");
}
