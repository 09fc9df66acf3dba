/*
 * nhsa.c — the gateway's own bookkeeping (docs/NHSA.md §2): institution
 * credentials (paasid + token), nonces seen within the time window, the
 * message log that makes a repeated msgid answer its first response and
 * never act twice, and the operators' sign-ins (9001/9002).
 *
 * Record kinds: "cred" (key paasid), "nonce" (paasid|nonce), "msg"
 * (institution|msgid), "msgx" (a message refused before it was
 * authenticated, key its inf_refmsgid), "sign" (sign_no).
 */
#include "service/nhsa_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

/* ---- records ---------------------------------------------------------------- */

int yb_nhsa_rec_get(yb_ctx *ctx, const char *kind, const char *key,
		    json_t **val, yb_nhsa_rec *meta, yb_err *err)
{
	yb_nhsa_rec rec;
	json_error_t jerr;
	int found;

	*val = NULL;
	found = ctx->store->ops->nhsa_get(ctx->store, kind, key, &rec, err);
	if (found <= 0)
		return found;
	*val = json_loads(rec.val, 0, &jerr);
	free(rec.val);
	rec.val = NULL;
	if (!*val)
		return yb_errf(err, "store.corrupt", "nhsa %s record %s", kind,
			       key);
	if (meta)
		*meta = rec;
	return 1;
}

int yb_nhsa_rec_put(yb_ctx *ctx, const char *kind, const char *key,
		    const char *grp, const json_t *val, int mode, yb_err *err)
{
	yb_nhsa_rec rec;
	int rc;

	memset(&rec, 0, sizeof rec);
	yb_nhsa_cpy(rec.kind, sizeof rec.kind, kind);
	if (strlen(key) >= sizeof rec.key || strlen(grp ? grp : "") >= sizeof rec.grp)
		return yb_errf(err, "nhsa.invalid_field", "key too long");
	yb_nhsa_cpy(rec.key, sizeof rec.key, key);
	yb_nhsa_cpy(rec.grp, sizeof rec.grp, grp);
	yb_nhsa_cpy(rec.inst, sizeof rec.inst, ctx->actor.institution_code);
	rec.at = yb_ctx_now(ctx);
	rec.val = json_dumps(val, JSON_COMPACT);
	if (!rec.val)
		return yb_errf(err, "out_of_memory", "out of memory");
	rc = ctx->store->ops->nhsa_put(ctx->store, &rec, mode, err);
	free(rec.val);
	return rc;
}

const char *yb_nhsa_js(const json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));
	return s ? s : "";
}

int64_t yb_nhsa_ji(const json_t *o, const char *name)
{
	return (int64_t)json_integer_value(json_object_get(o, name));
}

void yb_nhsa_cpy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

const char *yb_nhsa_insutype_of(yb_scheme scheme)
{
	return scheme == YB_SCHEME_RESIDENT ? "390" : "310";
}

/* ---- credentials ------------------------------------------------------------- */

int yb_nhsa_credential_issue(yb_ctx *ctx, const char *institution_code,
			     yb_nhsa_cred *out, yb_err *err)
{
	yb_institution inst;
	char target[YB_TEXT_SZ];
	json_t *v = NULL;
	int found, rc = -1;

	if (yb_authorize(ctx, "nhsa.credential.issue", err) < 0)
		return -1;
	if (!institution_code || !*institution_code)
		return yb_errf(err, "request.missing_field",
			       "institution code required");
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	found = ctx->store->ops->institution_by_code(ctx->store,
						     institution_code, &inst,
						     err);
	if (found < 0)
		goto out;
	if (!found) {
		yb_errf(err, "institution.not_found", "no institution %s",
			institution_code);
		goto out;
	}
	memset(out, 0, sizeof *out);
	/* 24 bytes → 32 characters, as the paasids HIS clients carry. */
	yb_random_token(24, out->paasid, sizeof out->paasid);
	yb_random_token(32, out->token, sizeof out->token);
	yb_nhsa_cpy(out->institution_code, sizeof out->institution_code,
		    inst.code);
	out->created_at = yb_ctx_now(ctx);
	v = json_pack("{s:s, s:s, s:I}", "token", out->token, "institution",
		      inst.code, "created_at", (json_int_t)out->created_at);
	if (!v) {
		yb_errf(err, "out_of_memory", "out of memory");
		goto out;
	}
	if (yb_nhsa_rec_put(ctx, "cred", out->paasid, inst.code, v,
			    YB_NHSA_INSERT, err) < 0)
		goto out;
	snprintf(target, sizeof target, "institution:%s", inst.code);
	rc = yb_audit(ctx, "nhsa.credential.issue", target, "ok", err);
out:
	json_decref(v);
	return yb_tx_end(ctx, rc, err);
}

int yb_nhsa_credential_find(yb_ctx *ctx, const char *paasid,
			    yb_nhsa_cred *out, yb_err *err)
{
	json_t *v = NULL;
	int found;

	if (!paasid || !*paasid || strlen(paasid) >= YB_NHSA_PAASID_SZ)
		return yb_errf(err, "nhsa.auth_unknown_paasid", "x-tif-paasid");
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = yb_nhsa_rec_get(ctx, "cred", paasid, &v, NULL, err);
	yb_tx_rollback(ctx);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "nhsa.auth_unknown_paasid", "x-tif-paasid");
	memset(out, 0, sizeof *out);
	yb_nhsa_cpy(out->paasid, sizeof out->paasid, paasid);
	yb_nhsa_cpy(out->token, sizeof out->token, yb_nhsa_js(v, "token"));
	yb_nhsa_cpy(out->institution_code, sizeof out->institution_code,
		    yb_nhsa_js(v, "institution"));
	out->created_at = yb_nhsa_ji(v, "created_at");
	json_decref(v);
	return 0;
}

int yb_nhsa_nonce_use(yb_ctx *ctx, const char *paasid, const char *nonce,
		      yb_err *err)
{
	char key[192];
	json_t *v = json_object();
	yb_time now = yb_ctx_now(ctx);
	int window = ctx->settings->nhsa_time_window_seconds;
	int rc = -1, fresh;

	if (!v)
		return yb_errf(err, "out_of_memory", "out of memory");
	if (strlen(nonce) > 128) {
		json_decref(v);
		return yb_errf(err, "nhsa.auth_missing", "x-tif-nonce too long");
	}
	snprintf(key, sizeof key, "%s|%s", paasid, nonce);
	if (yb_tx_begin(ctx, true, err) < 0)
		goto out;
	/* A nonce older than both sides of the window can never come with
	 * an acceptable timestamp again. */
	if (ctx->store->ops->nhsa_purge(ctx->store, "nonce",
					now - 2 * (yb_time)window, err) < 0)
		goto end;
	fresh = yb_nhsa_rec_put(ctx, "nonce", key, "", v, YB_NHSA_ENSURE, err);
	if (fresh < 0)
		goto end;
	if (!fresh) {
		yb_errf(err, "nhsa.auth_nonce_replayed", "x-tif-nonce");
		goto end;
	}
	rc = 0;
end:
	rc = yb_tx_end(ctx, rc, err);
out:
	json_decref(v);
	return rc;
}

/* ---- messages ----------------------------------------------------------------- */

static json_t *msg_json(const yb_nhsa_msg *m, const char *state)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:i, s:s, "
			 "s:s, s:s}",
			 "institution", m->institution_code ? m->institution_code : "",
			 "msgid", m->msgid ? m->msgid : "",
			 "infno", m->infno ? m->infno : "",
			 "opter", m->opter ? m->opter : "",
			 "inf_refmsgid", m->inf_refmsgid ? m->inf_refmsgid : "",
			 "body_sha256", m->body_hash,
			 "received_ms", (json_int_t)m->received_ms,
			 "responded_ms", (json_int_t)m->responded_ms,
			 "infcode", m->infcode,
			 "err_code", m->err_code ? m->err_code : "",
			 "state", state,
			 "response", m->response ? m->response : "");
}

static void msg_key(char *key, size_t size, const char *inst,
		    const char *msgid)
{
	snprintf(key, size, "%s|%s", inst, msgid);
}

int yb_nhsa_msg_claim(yb_ctx *ctx, const yb_nhsa_msg *m, char **response,
		      yb_err *err)
{
	char key[192];
	json_t *v = msg_json(m, "pending"), *prev = NULL;
	int rc = -1, fresh;

	*response = NULL;
	if (!v)
		return yb_errf(err, "out_of_memory", "out of memory");
	msg_key(key, sizeof key, m->institution_code, m->msgid);
	if (yb_tx_begin(ctx, true, err) < 0)
		goto out;
	fresh = yb_nhsa_rec_put(ctx, "msg", key, m->institution_code, v,
				YB_NHSA_ENSURE, err);
	if (fresh < 0)
		goto end;
	if (fresh) {
		rc = 0;
		goto end;
	}
	if (yb_nhsa_rec_get(ctx, "msg", key, &prev, NULL, err) < 0)
		goto end;
	if (strcmp(yb_nhsa_js(prev, "body_sha256"), m->body_hash) != 0) {
		yb_errf(err, "nhsa.msgid_reused", "msgid %s", m->msgid);
		goto end;
	}
	if (strcmp(yb_nhsa_js(prev, "state"), "done") != 0) {
		yb_errf(err, "nhsa.msgid_in_progress", "msgid %s", m->msgid);
		goto end;
	}
	*response = strdup(yb_nhsa_js(prev, "response"));
	if (!*response) {
		yb_errf(err, "out_of_memory", "out of memory");
		goto end;
	}
	rc = 1;
end:
	/* A repeat changed nothing; its commit is only the end of a read. */
	if (yb_tx_end(ctx, rc < 0 ? -1 : 0, err) < 0 && rc >= 0) {
		free(*response);
		*response = NULL;
		rc = -1;
	}
out:
	json_decref(v);
	json_decref(prev);
	return rc;
}

int yb_nhsa_msg_finish(yb_ctx *ctx, const yb_nhsa_msg *m, bool claimed,
		       yb_err *err)
{
	char key[192];
	json_t *v = msg_json(m, "done");
	int rc;

	if (!v)
		return yb_errf(err, "out_of_memory", "out of memory");
	if (claimed)
		msg_key(key, sizeof key, m->institution_code, m->msgid);
	else
		yb_nhsa_cpy(key, sizeof key, m->inf_refmsgid);
	if (yb_tx_begin(ctx, true, err) < 0) {
		json_decref(v);
		return -1;
	}
	rc = yb_nhsa_rec_put(ctx, claimed ? "msg" : "msgx", key,
			     m->institution_code ? m->institution_code : "",
			     v, YB_NHSA_UPSERT, err);
	json_decref(v);
	return yb_tx_end(ctx, rc, err);
}

int yb_nhsa_msg_get(yb_ctx *ctx, const char *institution_code,
		    const char *msgid, char **json, yb_err *err)
{
	char key[192];
	json_t *v = NULL;
	int found;

	*json = NULL;
	if (yb_authorize(ctx, "nhsa.message.get", err) < 0)
		return -1;
	msg_key(key, sizeof key, institution_code, msgid);
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = yb_nhsa_rec_get(ctx, "msg", key, &v, NULL, err);
	if (found == 0)   /* refused before authentication: by refmsgid */
		found = yb_nhsa_rec_get(ctx, "msgx", msgid, &v, NULL, err);
	yb_tx_rollback(ctx);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "nhsa.message_not_found", "msgid %s", msgid);
	*json = json_dumps(v, JSON_INDENT(2));
	json_decref(v);
	return *json ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}

/* ---- sign-in ---------------------------------------------------------------------- */

int yb_nhsa_sign_in(yb_ctx *ctx, const char *opter_no, const char *ip,
		    const char *mac, char sign_no[31], yb_time *at,
		    yb_err *err)
{
	char target[YB_TEXT_SZ], hex[17];
	json_t *v = NULL;
	int64_t seq = 0;
	int rc = -1;

	if (yb_authorize(ctx, "nhsa.sign", err) < 0)
		return -1;
	*at = yb_ctx_now(ctx);
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (ctx->store->ops->next_seq(ctx->store, "nhsa_sign", &seq, err) < 0)
		goto out;
	/* A serial for uniqueness and 6 random bytes so a sign_no cannot be
	 * guessed from another one. */
	yb_random_token(6, hex, sizeof hex);
	snprintf(sign_no, 31, "S%010lld%s", (long long)seq, hex);
	for (char *p = sign_no; *p; p++)
		if (*p == '-' || *p == '_')
			*p = 'x';
	v = json_pack("{s:s, s:s, s:s, s:I, s:i, s:I}", "opter_no", opter_no,
		      "ip", ip ? ip : "", "mac", mac ? mac : "", "at",
		      (json_int_t)*at, "day", (int)yb_date_of(*at), "out_at",
		      (json_int_t)0);
	if (!v) {
		yb_errf(err, "out_of_memory", "out of memory");
		goto out;
	}
	if (yb_nhsa_rec_put(ctx, "sign", sign_no, ctx->actor.institution_code,
			    v, YB_NHSA_INSERT, err) < 0)
		goto out;
	snprintf(target, sizeof target, "nhsa_sign:%s", sign_no);
	rc = yb_audit(ctx, "nhsa.sign_in", target, "ok", err);
out:
	json_decref(v);
	return yb_tx_end(ctx, rc, err);
}

/* The sign-in record of sign_no if it is this institution's. */
static int sign_load(yb_ctx *ctx, const char *sign_no, json_t **v,
		     yb_err *err)
{
	yb_nhsa_rec meta;
	int found = yb_nhsa_rec_get(ctx, "sign", sign_no, v, &meta, err);

	if (found < 0)
		return -1;
	if (!found || strcmp(meta.inst, ctx->actor.institution_code) != 0)
		return yb_errf(err, "nhsa.sign_invalid", "sign_no");
	return 0;
}

int yb_nhsa_sign_out(yb_ctx *ctx, const char *sign_no, const char *opter_no,
		     yb_time *at, yb_err *err)
{
	char target[YB_TEXT_SZ];
	json_t *v = NULL;
	int rc = -1;

	if (yb_authorize(ctx, "nhsa.sign", err) < 0)
		return -1;
	*at = yb_ctx_now(ctx);
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (sign_load(ctx, sign_no, &v, err) < 0)
		goto out;
	if (strcmp(yb_nhsa_js(v, "opter_no"), opter_no) != 0) {
		yb_errf(err, "nhsa.sign_invalid", "opter_no");
		goto out;
	}
	if (yb_nhsa_ji(v, "out_at") == 0) {
		json_object_set_new(v, "out_at", json_integer(*at));
		if (yb_nhsa_rec_put(ctx, "sign", sign_no,
				    ctx->actor.institution_code, v,
				    YB_NHSA_UPSERT, err) < 0)
			goto out;
		snprintf(target, sizeof target, "nhsa_sign:%s", sign_no);
		if (yb_audit(ctx, "nhsa.sign_out", target, "ok", err) < 0)
			goto out;
	}
	rc = 0;
out:
	json_decref(v);
	return yb_tx_end(ctx, rc, err);
}

int yb_nhsa_sign_check(yb_ctx *ctx, const char *sign_no, const char *opter,
		       yb_err *err)
{
	json_t *v = NULL;
	int rc = -1;

	if (!sign_no || !*sign_no)
		return yb_errf(err, "nhsa.sign_required", "sign_no");
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	if (sign_load(ctx, sign_no, &v, err) < 0)
		goto out;
	/* Per operator, until sign-out or the end of the local day. */
	if (strcmp(yb_nhsa_js(v, "opter_no"), opter) != 0 ||
	    yb_nhsa_ji(v, "out_at") != 0 ||
	    yb_nhsa_ji(v, "day") != yb_ctx_today(ctx)) {
		yb_errf(err, "nhsa.sign_invalid", "sign_no");
		goto out;
	}
	rc = 0;
out:
	yb_tx_rollback(ctx);
	json_decref(v);
	return rc;
}
