/*
 * http_sessions.c — /api/v1/sessions: a person's portal login and logout
 * (SPEC X2).  The client address goes to the service for throttling; the
 * password and the token never reach a log.
 */
#include "core/enums.h"
#include "http/decode.h"
#include "http/httpd.h"
#include "service/auth.h"

int yb_decode_login(const json_t *j, const char **login,
		    const char **password, yb_err *err)
{
	return (yb_jget_str(j, NULL, "login", true, login, err) < 0 ||
		yb_jget_str(j, NULL, "password", true, password, err) < 0)
		       ? -1 : 0;
}

void yb_handle_sessions_post(yb_hreq *r)
{
	const char *login = NULL, *password = NULL;
	char token[YB_TOKEN_SZ];
	yb_time expires = 0;
	int retry_after = 0;
	yb_err err;

	/* A login is a person's, over the portal. */
	r->ctx.actor.role = YB_ROLE_PERSON;
	r->ctx.actor.channel = YB_CHAN_WEB;
	if (yb_decode_login(r->json, &login, &password, &err) < 0 ||
	    yb_login_ex(&r->ctx, login, password, r->remote, token, &expires,
			&retry_after, &err) < 0) {
		yb_reply_throttled(r, &err, retry_after);
		return;
	}
	yb_reply_json(r, MHD_HTTP_CREATED,
		      json_pack("{s:s, s:o}", "token", token, "expires_at",
				yb_jtime(expires)));
}

void yb_handle_sessions_delete(yb_hreq *r)
{
	yb_err err;

	if (yb_logout(&r->ctx, r->bearer, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_empty(r, MHD_HTTP_NO_CONTENT);
}

/*
 * GET /api/v1/whoami: who the presented credential acts as.  The console
 * and the kiosk ask it once after a key is pasted, instead of guessing
 * the workstation from which calls are refused.
 */
void yb_handle_whoami(yb_hreq *r)
{
	const yb_actor *a = &r->ctx.actor;
	json_t *o = json_pack("{s:s, s:s}", "role", yb_role_str(a->role),
			      "channel", yb_channel_str(a->channel));

	if (o && a->institution_code[0])
		json_object_set_new(o, "institution_code",
				    json_string(a->institution_code));
	if (o && a->employer_code[0])
		json_object_set_new(o, "employer_code",
				    json_string(a->employer_code));
	if (o && a->role == YB_ROLE_PERSON && yb_req_self_ssn(r))
		json_object_set_new(o, "ssn", json_string(yb_req_self_ssn(r)));
	yb_reply_json(r, MHD_HTTP_OK, o);
}
