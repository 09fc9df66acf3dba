/*
 * http_institutions.c — designated institutions (SPEC S1): hospitals,
 * clinics and pharmacies registered by the agency's administrator.  Their
 * API keys are made with the CLI (`yibao key create --role institution`).
 */
#include "http/decode.h"
#include "http/httpd.h"
#include "service/settle.h"

int yb_decode_institution(const json_t *j, const char **code,
			  const char **name, const char **type, yb_err *err)
{
	return (yb_jget_str(j, NULL, "code", true, code, err) < 0 ||
		yb_jget_str(j, NULL, "name", true, name, err) < 0 ||
		yb_jget_str(j, NULL, "type", true, type, err) < 0) ? -1 : 0;
}

void yb_handle_institutions_post(yb_hreq *r)
{
	const char *code = NULL, *name = NULL, *type = NULL;
	yb_institution i;
	yb_err err;

	if (yb_decode_institution(r->json, &code, &name, &type, &err) < 0 ||
	    yb_institution_register(&r->ctx, code, name, type, &i, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_CREATED, yb_json_institution(&i));
}

void yb_handle_institutions_get(yb_hreq *r)
{
	yb_institution i;
	yb_err err;

	if (yb_institution_get(&r->ctx, yb_req_param(r, 0), &i, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK, yb_json_institution(&i));
}
