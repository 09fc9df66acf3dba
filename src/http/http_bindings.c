/*
 * http_bindings.c — family mutual aid bindings (SPEC F1–F8): a person's
 * own (/api/v1/me/bindings, channels web and wechat) and those made at
 * terminals and operators' desks (/api/v1/bindings, with materials).
 *
 * Request-level refusals (channel, materials, terminal cards) answer the
 * whole request with their error; once the rows are looked at, each row
 * gets its own result and the answer is 200 (F4).
 */
#include <stdlib.h>

#include "http/decode.h"
#include "http/httpd.h"
#include "service/binding.h"

void yb_reply_bindings_of(yb_hreq *r, yb_id person_id)
{
	yb_binding *mine = NULL, *theirs = NULL;
	int nmine = 0, ntheirs = 0;
	yb_err err;

	if (yb_bindings_of(&r->ctx, person_id, &mine, &nmine, &theirs,
			   &ntheirs, &err) < 0)
		yb_reply_error(r, &err);
	else
		yb_reply_json(r, MHD_HTTP_OK,
			      yb_json_bindings_of(YB_VIEWER(r), mine, nmine,
						  theirs, ntheirs));
	free(mine);
	free(theirs);
}

/* relatives: [{ssn, id_number, relationship}, ...] into rows[]. */
int yb_decode_relatives(const json_t *body, yb_bind_row *rows, int *nrows,
			yb_err *err)
{
	const json_t *arr = NULL;
	size_t n;

	if (yb_jget_arr(body, NULL, "relatives", true, &arr, err) < 0)
		return -1;
	n = json_array_size(arr);
	if (n == 0)
		return yb_errf(err, "request.invalid_field",
			       "relatives must name at least one relative");
	if (n > YB_BIND_MAX_RELATIVES)
		return yb_errf(err, "binding.too_many",
			       "at most %d relatives in one request",
			       YB_BIND_MAX_RELATIVES);
	for (size_t i = 0; i < n; i++) {
		const json_t *row = json_array_get(arr, i);
		char where[32];

		snprintf(where, sizeof where, "relatives[%zu]", i);
		if (!json_is_object(row))
			return yb_errf(err, "request.invalid_field",
				       "%s must be an object", where);
		rows[i] = (yb_bind_row){ 0 };
		if (yb_jget_str(row, where, "ssn", true, &rows[i].ssn, err) < 0 ||
		    yb_jget_str(row, where, "id_number", true,
				&rows[i].id_number, err) < 0 ||
		    yb_jget_str(row, where, "relationship", true,
				&rows[i].relationship, err) < 0)
			return -1;
	}
	*nrows = (int)n;
	return 0;
}

/*
 * The operator's part of a request: authorizer {ssn, id_number}, channel
 * and materials.  A missing material is left for the service to name
 * (binding.materials_missing); a material of the wrong type is invalid.
 */
int yb_decode_bind_operator(const json_t *body, yb_bind_req *req,
			    yb_err *err)
{
	const json_t *who = NULL, *m = NULL;
	yb_bind_materials *mat = &req->materials;

	if (yb_jget_obj(body, NULL, "authorizer", true, &who, err) < 0 ||
	    yb_jget_str(who, "authorizer", "ssn", true, &req->authorizer_ssn,
			err) < 0 ||
	    yb_jget_str(who, "authorizer", "id_number", true,
			&req->authorizer_id_number, err) < 0 ||
	    yb_jget_str(body, NULL, "channel", true, &req->channel, err) < 0 ||
	    yb_jget_obj(body, NULL, "materials", false, &m, err) < 0)
		return -1;
	if (!m)
		return 0;
	return (yb_jget_str(m, "materials", "authorizer_card_no", false,
			    &mat->authorizer_card_no, err) < 0 ||
		yb_jget_str(m, "materials", "relative_card_no", false,
			    &mat->relative_card_no, err) < 0 ||
		yb_jget_str(m, "materials", "relative_id_number", false,
			    &mat->relative_id_number, err) < 0 ||
		yb_jget_bool(m, "materials", "id_cards", false, &mat->id_cards,
			     err) < 0 ||
		yb_jget_bool(m, "materials", "social_security_cards", false,
			     &mat->social_security_cards, err) < 0 ||
		yb_jget_bool(m, "materials", "card_copies", false,
			     &mat->card_copies, err) < 0) ? -1 : 0;
}

static void bind_and_reply(yb_hreq *r, yb_bind_req *req)
{
	yb_bind_row rows[YB_BIND_MAX_RELATIVES];
	yb_bind_result res[YB_BIND_MAX_RELATIVES];
	yb_err err;

	if (yb_decode_relatives(r->json, rows, &req->nrows, &err) < 0)
		goto fail;
	req->rows = rows;
	if (yb_bind(&r->ctx, req, res, &err) < 0)
		goto fail;
	yb_reply_json(r, MHD_HTTP_OK, yb_json_bind_results(YB_VIEWER(r), res,
						   req->nrows));
	return;
fail:
	yb_reply_error(r, &err);
}

static void unbind_and_reply(yb_hreq *r, const yb_bind_req *who)
{
	yb_binding b;
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, "binding.not_found", &id, &err) < 0 ||
	    yb_unbind(&r->ctx, id, who, &b, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK, yb_json_binding(YB_VIEWER(r), &b));
}

/* ---- a person's own ------------------------------------------------------- */

void yb_handle_me_bindings_get(yb_hreq *r)
{
	yb_reply_bindings_of(r, r->ctx.actor.person_id);
}

void yb_handle_me_bindings_post(yb_hreq *r)
{
	yb_bind_req req = { 0 };
	yb_err err;

	if (yb_jget_str(r->json, NULL, "channel", false, &req.channel, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	bind_and_reply(r, &req);
}

void yb_handle_me_bindings_delete(yb_hreq *r)
{
	yb_bind_req who = { 0 };

	unbind_and_reply(r, &who);
}

/* ---- at terminals and operators' desks --------------------------------------- */

void yb_handle_bindings_post(yb_hreq *r)
{
	yb_bind_req req = { 0 };
	yb_err err;

	if (yb_decode_bind_operator(r->json, &req, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	bind_and_reply(r, &req);
}

void yb_handle_bindings_delete(yb_hreq *r)
{
	yb_bind_req who = { 0 };
	yb_err err;

	if (yb_decode_bind_operator(r->json, &who, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	unbind_and_reply(r, &who);
}
