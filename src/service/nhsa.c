/*
 * nhsa.c — the gateway's records in general (reading and writing their
 * JSON), institution credentials (paasid + token: issue, find, list,
 * revoke) and the nonces seen within the time window (docs/NHSA.md).
 * The message log is nhsa_msg.c, sign-ins nhsa_sign.c.
 *
 * Record kinds here: "cred" (key paasid, grp institution), "nonce"
 * (paasid|nonce).
 */
#include "service/nhsa_int.h"

#include <stdatomic.h>
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

int yb_nhsa_rec_put_text(yb_ctx *ctx, const char *kind, const char *key,
			 const char *grp, char *text, int mode, yb_err *err)
{
	yb_nhsa_rec rec;
	int rc;

	if (!text)
		return yb_errf(err, "out_of_memory", "out of memory");
	memset(&rec, 0, sizeof rec);
	yb_nhsa_cpy(rec.kind, sizeof rec.kind, kind);
	if (strlen(key) >= sizeof rec.key ||
	    strlen(grp ? grp : "") >= sizeof rec.grp) {
		free(text);
		return yb_errf(err, "nhsa.invalid_field", "key too long");
	}
	yb_nhsa_cpy(rec.key, sizeof rec.key, key);
	yb_nhsa_cpy(rec.grp, sizeof rec.grp, grp);
	yb_nhsa_cpy(rec.inst, sizeof rec.inst, ctx->actor.institution_code);
	rec.at = yb_ctx_now(ctx);
	rec.val = text;
	rc = ctx->store->ops->nhsa_put(ctx->store, &rec, mode, err);
	free(text);
	return rc;
}

int yb_nhsa_rec_put(yb_ctx *ctx, const char *kind, const char *key,
		    const char *grp, const json_t *val, int mode, yb_err *err)
{
	return yb_nhsa_rec_put_text(ctx, kind, key, grp,
				    json_dumps(val, JSON_COMPACT), mode, err);
}

int yb_nhsa_rec_list(yb_ctx *ctx, const char *kind, const char *grp,
		     size_t size, yb_nhsa_each_fn *each, void **out, int *n,
		     yb_err *err)
{
	yb_nhsa_rec *recs = NULL;
	json_error_t jerr;
	int m = 0;

	*out = NULL;
	*n = 0;
	if (ctx->store->ops->nhsa_list(ctx->store, kind, grp, &recs, &m,
				       err) < 0)
		return -1;
	*out = calloc(m > 0 ? (size_t)m : 1, size);
	if (!*out) {
		yb_nhsa_recs_free(recs, m);
		return yb_errf(err, "out_of_memory", "out of memory");
	}
	for (int i = 0; i < m; i++) {
		json_t *v = json_loads(recs[i].val, 0, &jerr);
		each(recs[i].key, v, (char *)*out + (size_t)i * size);
		json_decref(v);
	}
	*n = m;
	yb_nhsa_recs_free(recs, m);
	return 0;
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
	/* Not snprintf: some thirty copies per settlement on the writer. */
	size_t n = src ? strnlen(src, size - 1) : 0;

	if (size == 0)
		return;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

void yb_nhsa_key2(char *dst, size_t size, const char *a, const char *b)
{
	/* snprintf(dst, size, "%s|%s", a, b), without snprintf (the keys of
	 * the message and the nonce, on the writer) */
	size_t n;

	if (size == 0)
		return;
	yb_nhsa_cpy(dst, size, a);
	n = strlen(dst);
	if (n + 1 < size) {
		dst[n] = '|';
		yb_nhsa_cpy(dst + n + 1, size - n - 1, b);
	}
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
	/* 24 bytes → 32 characters, as the paasids HIS clients carry.  A
	 * paasid is pasted into HIS settings and given to the CLI (`yibao
	 * nhsa revoke PAASID`), where one that began with '-' (1 in 64 of
	 * URL-safe base64) would read as an option: draw again. */
	do
		yb_random_token(24, out->paasid, sizeof out->paasid);
	while (out->paasid[0] == '-');
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

int yb_nhsa_rec_seen(yb_ctx *ctx, const char *kind, const char *key,
		     yb_nhsa_seen *seen, yb_nhsa_parse_fn *parse, void *parsed,
		     char inst[YB_CODE_SZ], yb_err *err)
{
	yb_nhsa_rec rec;
	int found;

	/* In the writer's batch the batch's transaction is the snapshot
	 * (and an undo would make the store forget what it remembers). */
	if (!ctx->in_batch && yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = ctx->store->ops->nhsa_get(ctx->store, kind, key, &rec, err);
	if (!ctx->in_batch)
		yb_tx_rollback(ctx);
	if (found <= 0)
		return found;
	/* What is read from the text depends on the text (and key) alone. */
	if (strcmp(seen->val, rec.val) != 0 || strcmp(seen->key, key) != 0) {
		json_error_t jerr;
		json_t *v = json_loads(rec.val, 0, &jerr);

		seen->val[0] = '\0';
		if (!v) {
			free(rec.val);
			return yb_errf(err, "store.corrupt", "nhsa %s record %s",
				       kind, key);
		}
		parse(key, v, parsed);
		json_decref(v);
		if (strlen(rec.val) < sizeof seen->val &&
		    strlen(key) < sizeof seen->key) {
			yb_nhsa_cpy(seen->val, sizeof seen->val, rec.val);
			yb_nhsa_cpy(seen->key, sizeof seen->key, key);
		}
	}
	free(rec.val);
	if (inst)
		yb_nhsa_cpy(inst, YB_CODE_SZ, rec.inst);
	return 1;
}

typedef struct cred_seen {
	yb_nhsa_cred cred;
	bool revoked;
} cred_seen;

static __thread yb_nhsa_seen cred_text;
static __thread cred_seen cred_parsed;

static void cred_parse(const char *paasid, const json_t *v, void *parsed)
{
	cred_seen *out = parsed;

	memset(out, 0, sizeof *out);
	yb_nhsa_cpy(out->cred.paasid, sizeof out->cred.paasid, paasid);
	yb_nhsa_cpy(out->cred.token, sizeof out->cred.token,
		    yb_nhsa_js(v, "token"));
	yb_nhsa_cpy(out->cred.institution_code,
		    sizeof out->cred.institution_code,
		    yb_nhsa_js(v, "institution"));
	out->cred.created_at = yb_nhsa_ji(v, "created_at");
	out->revoked = yb_nhsa_ji(v, "revoked_at") != 0;
}

int yb_nhsa_credential_find(yb_ctx *ctx, const char *paasid,
			    yb_nhsa_cred *out, yb_err *err)
{
	int found;

	if (!paasid || !*paasid || strlen(paasid) >= YB_NHSA_PAASID_SZ)
		return yb_errf(err, "nhsa.auth_unknown_paasid", "x-tif-paasid");
	found = yb_nhsa_rec_seen(ctx, "cred", paasid, &cred_text, cred_parse,
				 &cred_parsed, NULL, err);
	if (found < 0)
		return -1;
	if (!found || cred_parsed.revoked)
		return yb_errf(err, "nhsa.auth_unknown_paasid", "x-tif-paasid");
	*out = cred_parsed.cred;
	return 0;
}

static void cred_info(const char *paasid, const json_t *v, void *elem)
{
	yb_nhsa_cred_info *out = elem;

	memset(out, 0, sizeof *out);
	yb_nhsa_cpy(out->paasid, sizeof out->paasid, paasid);
	yb_nhsa_cpy(out->institution_code, sizeof out->institution_code,
		    yb_nhsa_js(v, "institution"));
	out->created_at = yb_nhsa_ji(v, "created_at");
	out->revoked_at = yb_nhsa_ji(v, "revoked_at");
}

/* Newest first; equal times by paasid, so the order is stable. */
static int cred_newer(const void *a, const void *b)
{
	const yb_nhsa_cred_info *x = a, *y = b;

	if (x->created_at != y->created_at)
		return x->created_at > y->created_at ? -1 : 1;
	return strcmp(x->paasid, y->paasid);
}

int yb_nhsa_credential_list(yb_ctx *ctx, const char *institution_code,
			    yb_nhsa_cred_info **out, int *n, yb_err *err)
{
	yb_institution inst;
	int found, rc = -1;

	*out = NULL;
	*n = 0;
	if (yb_authorize(ctx, "nhsa.credential.list", err) < 0)
		return -1;
	if (!institution_code || !*institution_code)
		return yb_errf(err, "request.missing_field",
			       "institution code required");
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = ctx->store->ops->institution_by_code(ctx->store,
						     institution_code, &inst,
						     err);
	if (found == 0)
		yb_errf(err, "institution.not_found", "no institution %s",
			institution_code);
	if (found > 0)
		rc = yb_nhsa_rec_list(ctx, "cred", inst.code, sizeof **out,
				      cred_info, (void **)out, n, err);
	yb_tx_rollback(ctx);
	if (rc == 0)
		qsort(*out, (size_t)*n, sizeof **out, cred_newer);
	return rc;
}

int yb_nhsa_credential_revoke(yb_ctx *ctx, const char *paasid,
			      yb_nhsa_cred_info *out, yb_err *err)
{
	char target[YB_TEXT_SZ];
	json_t *v = NULL;
	int found, rc = -1;

	if (yb_authorize(ctx, "nhsa.credential.revoke", err) < 0)
		return -1;
	if (!paasid || !*paasid || strlen(paasid) >= YB_NHSA_PAASID_SZ)
		return yb_errf(err, "nhsa.credential_not_found", "paasid");
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	found = yb_nhsa_rec_get(ctx, "cred", paasid, &v, NULL, err);
	if (found <= 0) {
		if (found == 0)
			yb_errf(err, "nhsa.credential_not_found", "paasid %s",
				paasid);
		goto out;
	}
	if (yb_nhsa_ji(v, "revoked_at") == 0) {
		json_object_set_new(v, "revoked_at",
				    json_integer(yb_ctx_now(ctx)));
		if (yb_nhsa_rec_put(ctx, "cred", paasid,
				    yb_nhsa_js(v, "institution"), v,
				    YB_NHSA_UPSERT, err) < 0)
			goto out;
		snprintf(target, sizeof target, "nhsa_credential:%s", paasid);
		if (yb_audit(ctx, "nhsa.credential.revoke", target, "ok",
			     err) < 0)
			goto out;
	}
	cred_info(paasid, v, out);
	rc = 0;
out:
	json_decref(v);
	return yb_tx_end(ctx, rc, err);
}

/*
 * A nonce older than both sides of the window can never come with an
 * acceptable timestamp again, so it may be forgotten — but not at every
 * request: that was a range delete inside every gateway write.  Once per
 * tenth of the window is enough to keep the table at about a window's
 * worth; a nonce kept longer only refuses its own replay, as it should
 * anyway.
 */
static bool purge_due(yb_time now, int window)
{
	static _Atomic yb_time last;

	return yb_due(&last, now, window >= 10 ? window / 10 : 1);
}

int yb_nhsa_nonce_spend_in(yb_ctx *ctx, const char *paasid,
			   const char *nonce, yb_err *err)
{
	char key[192];
	yb_time now = yb_ctx_now(ctx);
	int window = ctx->settings->nhsa_time_window_seconds;
	int fresh;

	if (strlen(nonce) > 128)
		return yb_errf(err, "nhsa.auth_missing", "x-tif-nonce too long");
	yb_nhsa_key2(key, sizeof key, paasid, nonce);
	if (purge_due(now, window) &&
	    ctx->store->ops->nhsa_purge(ctx->store, "nonce",
					now - 2 * (yb_time)window, err) < 0)
		return -1;
	fresh = yb_nhsa_rec_put_text(ctx, "nonce", key, "", strdup("{}"),
				     YB_NHSA_ENSURE, err);
	if (fresh < 0)
		return -1;
	if (!fresh)
		return yb_errf(err, "nhsa.auth_nonce_replayed", "x-tif-nonce");
	return 0;
}

int yb_nhsa_nonce_use(yb_ctx *ctx, const char *paasid, const char *nonce,
		      yb_err *err)
{
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	return yb_tx_end(ctx, yb_nhsa_nonce_spend_in(ctx, paasid, nonce, err),
			 err);
}
