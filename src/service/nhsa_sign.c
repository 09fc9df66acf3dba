/*
 * nhsa_sign.c — operators' sign-ins (9001/9002, docs/NHSA.md step 4): a
 * sign_no per operator of an institution, required on every later call,
 * ended by sign-out or by the end of the local day.
 *
 * Record kind "sign" (key sign_no, grp institution).
 */
#include "service/nhsa_int.h"

#include <stdio.h>
#include <string.h>

#include "core/hash.h"

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

/* The sign-in's fields every request checks (yb_nhsa_rec_seen: read at
 * every request, so a sign-out is seen at once; parsed only when its
 * text changed). */
typedef struct sign_seen {
	char opter_no[64];
	bool too_long;                   /* opter_no did not fit: never equal */
	int64_t out_at, day;
} sign_seen;

static __thread yb_nhsa_seen sign_text;
static __thread sign_seen sign_parsed;

static void sign_parse(const char *sign_no, const json_t *v, void *parsed)
{
	sign_seen *out = parsed;
	const char *opter = yb_nhsa_js(v, "opter_no");

	(void)sign_no;
	memset(out, 0, sizeof *out);
	out->too_long = strlen(opter) >= sizeof out->opter_no;
	yb_nhsa_cpy(out->opter_no, sizeof out->opter_no, opter);
	out->out_at = yb_nhsa_ji(v, "out_at");
	out->day = yb_nhsa_ji(v, "day");
}

int yb_nhsa_sign_check(yb_ctx *ctx, const char *sign_no, const char *opter,
		       yb_err *err)
{
	const sign_seen *v = &sign_parsed;
	char inst[YB_CODE_SZ];
	int found;

	if (!sign_no || !*sign_no)
		return yb_errf(err, "nhsa.sign_required", "sign_no");
	found = yb_nhsa_rec_seen(ctx, "sign", sign_no, &sign_text, sign_parse,
				 &sign_parsed, inst, err);
	if (found < 0)
		return -1;
	/* Only this institution's; per operator, until sign-out or the end
	 * of the local day. */
	if (!found || strcmp(inst, ctx->actor.institution_code) != 0 ||
	    v->too_long || strcmp(v->opter_no, opter) != 0 || v->out_at != 0 ||
	    v->day != yb_ctx_today(ctx))
		return yb_errf(err, "nhsa.sign_invalid", "sign_no");
	return 0;
}
