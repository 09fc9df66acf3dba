/*
 * http_me_sessions.c — a person's own sessions and password (issue 14):
 * GET /api/v1/me/sessions, DELETE /api/v1/me/sessions/{session_id},
 * POST /api/v1/me/password; and the Retry-After of a throttled login.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/httpd.h"
#include "service/auth.h"

void yb_reply_throttled(yb_hreq *r, const yb_err *err, int retry_after)
{
	char v[16];

	yb_reply_error(r, err);
	if (!r->response || retry_after <= 0 || !err->code ||
	    strcmp(err->code, "auth.throttled") != 0)
		return;
	snprintf(v, sizeof v, "%d", retry_after);
	MHD_add_response_header(r->response, MHD_HTTP_HEADER_RETRY_AFTER, v);
}

static json_t *render_session(const yb_session_view *v)
{
	return json_pack("{s:s, s:o, s:o, s:b}", "session_id", v->session_id,
			 "created_at", yb_jtime(v->created_at), "expires_at",
			 yb_jtime(v->expires_at), "current", v->current);
}

void yb_handle_me_sessions_get(yb_hreq *r)
{
	yb_session_view *v = NULL;
	json_t *items = json_array();
	int n = 0;
	yb_err err;

	if (yb_sessions_list(&r->ctx, r->bearer, &v, &n, &err) < 0) {
		json_decref(items);
		yb_reply_error(r, &err);
		return;
	}
	for (int i = 0; items && i < n; i++)
		json_array_append_new(items, render_session(&v[i]));
	free(v);
	yb_reply_json(r, MHD_HTTP_OK,
		      items ? json_pack("{s:o, s:n}", "items", items,
					"next_cursor")
			    : NULL);
}

void yb_handle_me_sessions_delete(yb_hreq *r)
{
	yb_err err;

	if (yb_session_end(&r->ctx, yb_req_param(r, 0), &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_empty(r, MHD_HTTP_NO_CONTENT);
}

void yb_handle_me_password(yb_hreq *r)
{
	const char *cur = NULL, *neu = NULL;
	int retry_after = 0;
	yb_err err;

	if (yb_jget_str(r->json, NULL, "current_password", true, &cur,
			&err) < 0 ||
	    yb_jget_str(r->json, NULL, "new_password", true, &neu, &err) < 0 ||
	    yb_password_change(&r->ctx, r->bearer, cur, neu, &retry_after,
			       &err) < 0) {
		yb_reply_throttled(r, &err, retry_after);
		return;
	}
	yb_reply_empty(r, MHD_HTTP_NO_CONTENT);
}
