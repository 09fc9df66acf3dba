/*
 * http_nhsa_admin.c — yibao's own API about the national-interface
 * gateway, for the operator console: an institution's gateway
 * credentials (list, issue — the token shown once —, revoke) and a kept
 * message looked up by msgid.  The gateway's protocol itself is not here
 * but in src/nhsa.
 */
#include <stdlib.h>

#include "http/httpd.h"
#include "nhsa/nhsa.h"
#include "service/nhsa.h"

static json_t *render_cred(const yb_nhsa_cred_info *c)
{
	return json_pack("{s:s, s:s, s:o, s:o}", "paasid", c->paasid,
			 "institution_code", c->institution_code,
			 "created_at", yb_jtime(c->created_at),
			 "revoked_at", yb_jtime(c->revoked_at));
}

void yb_handle_nhsa_credentials_get(yb_hreq *r)
{
	yb_nhsa_cred_info *list = NULL;
	json_t *items;
	int n = 0;
	yb_err err;

	if (yb_nhsa_credential_list(&r->ctx, yb_req_query(r, "institution"),
				    &list, &n, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	items = json_array();
	for (int i = 0; items && i < n; i++)
		json_array_append_new(items, render_cred(&list[i]));
	free(list);
	yb_reply_json(r, MHD_HTTP_OK,
		      items ? json_pack("{s:o}", "items", items) : NULL);
}

void yb_handle_nhsa_credentials_post(yb_hreq *r)
{
	const char *inst = NULL;
	yb_nhsa_cred c;
	yb_err err;

	if (yb_jget_str(r->json, NULL, "institution_code", true, &inst,
			&err) < 0 ||
	    yb_nhsa_credential_issue(&r->ctx, inst, &c, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	/* The token only in this answer: it is the HIS's signing secret. */
	yb_reply_json(r, MHD_HTTP_CREATED,
		      json_pack("{s:s, s:s, s:s, s:o, s:n}", "paasid", c.paasid,
				"token", c.token, "institution_code",
				c.institution_code, "created_at",
				yb_jtime(c.created_at), "revoked_at"));
}

void yb_handle_nhsa_credentials_revoke(yb_hreq *r)
{
	yb_nhsa_cred_info c;
	yb_err err;

	if (yb_nhsa_credential_revoke(&r->ctx, yb_req_param(r, 0), &c,
				      &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK, render_cred(&c));
}

void yb_handle_nhsa_messages_get(yb_hreq *r)
{
	json_error_t jerr;
	char *text = NULL;
	yb_err err;

	if (yb_nhsa_msg_get(&r->ctx, yb_req_query(r, "institution"),
			    yb_req_param(r, 0), yb_nhsa_reply_text, &text,
			    &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK, json_loads(text, 0, &jerr));
	free(text);
}
