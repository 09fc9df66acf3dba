/*
 * http_me.c — /api/v1/me: a logged-in person's own view (SPEC Q1, F7)
 * and his electronic credential (C1), as a token and as a QR code image.
 * His bindings are in http_bindings.c with the other binding endpoints.
 */
#include <qrencode.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/ecert.h"
#include "http/httpd.h"
#include "service/inquiry.h"
#include "service/person.h"
#include "service/settle.h"

void yb_handle_me_get(yb_hreq *r)
{
	yb_person_view v;
	yb_err err;

	if (yb_person_self(&r->ctx, &v, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK,
		      yb_json_person_card(YB_VIEWER(r), &v.person,
					  v.has_account ? &v.account : NULL,
					  v.has_card ? &v.card : NULL));
}

void yb_handle_me_card(yb_hreq *r)
{
	yb_person_view v;
	yb_err err;

	if (yb_person_self(&r->ctx, &v, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	if (!v.has_card) {
		yb_reply_errf(r, "card.not_found", "you have no card");
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK, yb_json_card(&v.card));
}

/* ---- my lists ------------------------------------------------------------ */

#define FETCH_MINE(fn, type)                                                 \
	static int fetch_##fn(yb_hreq *r, yb_id before, int limit,           \
			      void **items, int *n, yb_err *err)             \
	{                                                                    \
		type *out = NULL;                                            \
		int rc = fn(&r->ctx, before, limit, &out, n, err);           \
		*items = out;                                                \
		return rc;                                                   \
	}

FETCH_MINE(yb_my_contributions, yb_contribution)
FETCH_MINE(yb_my_ledger, yb_ledger_line)
FETCH_MINE(yb_my_settlements, yb_settlement)
FETCH_MINE(yb_my_family_usage, yb_usage)

void yb_handle_me_contributions(yb_hreq *r)
{
	static const yb_page_kind k =
		YB_PAGE_CONTRIBUTIONS(fetch_yb_my_contributions);
	yb_reply_page(r, &k);
}

void yb_handle_me_ledger(yb_hreq *r)
{
	static const yb_page_kind k = YB_PAGE_LEDGER(fetch_yb_my_ledger);
	yb_reply_page(r, &k);
}

void yb_handle_me_settlements(yb_hreq *r)
{
	static const yb_page_kind k =
		YB_PAGE_SETTLEMENTS(fetch_yb_my_settlements);
	yb_reply_page(r, &k);
}

void yb_handle_me_family_usage(yb_hreq *r)
{
	static const yb_page_kind k = YB_PAGE_USAGE(fetch_yb_my_family_usage);
	yb_reply_page(r, &k);
}

/* ---- the electronic credential ------------------------------------------------ */

static int issue(yb_hreq *r, char token[YB_ECERT_TOKEN_SZ], yb_time *expires,
		 yb_err *err)
{
	const char *ssn = yb_req_self_ssn(r);

	if (!ssn)
		return yb_errf(err, "auth.forbidden",
			       "only a person has a credential");
	return yb_ecert_issue_for(&r->ctx, ssn, token, YB_ECERT_TOKEN_SZ,
				  expires, err);
}

void yb_handle_me_ecert_post(yb_hreq *r)
{
	char token[YB_ECERT_TOKEN_SZ];
	yb_time expires = 0;
	yb_err err;

	if (issue(r, token, &expires, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_CREATED,
		      json_pack("{s:s, s:o}", "token", token, "expires_at",
				yb_jtime(expires)));
}

/*
 * The QR code as SVG: a white square with a 4-module quiet zone and one
 * <path> whose subpaths are the horizontal runs of dark modules, so the
 * image is small and scales without blur.
 */
static char *qr_svg(const QRcode *qr, size_t *len)
{
	const int quiet = 4, w = qr->width, size = w + 2 * quiet;
	/* A run costs at most "M999 999h999v1h-999z" (22 bytes); a row has
	 * at most w/2+1 runs. */
	size_t cap = 512 + (size_t)w * ((size_t)w / 2 + 1) * 24;
	char *buf = malloc(cap);
	size_t n = 0;

	if (!buf)
		return NULL;
	n += (size_t)snprintf(buf + n, cap - n,
			      "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			      "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
			      "shape-rendering=\"crispEdges\" role=\"img\" "
			      "aria-label=\"electronic credential QR code\">"
			      "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
			      "<path fill=\"#000\" d=\"",
			      size, size, size * 8, size * 8, size, size);
	for (int y = 0; y < w; y++) {
		const unsigned char *row = qr->data + (size_t)y * (size_t)w;
		for (int x = 0; x < w;) {
			int run = 0;
			while (x + run < w && (row[x + run] & 1))
				run++;
			if (run) {
				n += (size_t)snprintf(buf + n, cap - n,
						      "M%d %dh%dv1h-%dz",
						      x + quiet, y + quiet, run,
						      run);
				x += run;
			} else {
				x++;
			}
		}
	}
	n += (size_t)snprintf(buf + n, cap - n, "\"/></svg>\n");
	*len = n;
	return buf;
}

void yb_handle_me_ecert_svg(yb_hreq *r)
{
	char token[YB_ECERT_TOKEN_SZ];
	yb_time expires = 0;
	QRcode *qr = NULL;
	char *svg;
	size_t len = 0;
	yb_err err;

	if (issue(r, token, &expires, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	qr = QRcode_encodeString(token, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	svg = qr ? qr_svg(qr, &len) : NULL;
	QRcode_free(qr);
	if (!svg) {
		yb_reply_errf(r, "internal", "cannot draw the QR code");
		return;
	}
	yb_reply_take(r, MHD_HTTP_OK, "image/svg+xml", svg, len);
	if (r->response) {
		/* So a page can refresh the code before it lapses without
		 * knowing the agency's lifetime setting. */
		char at[32];
		MHD_add_response_header(r->response, "X-Credential-Expires-At",
					yb_time_format(expires, at, sizeof at));
	}
}
