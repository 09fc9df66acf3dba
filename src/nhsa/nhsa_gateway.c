/*
 * nhsa_gateway.c — one call of the national interface, start to end
 * (docs/NHSA.md "How a message is handled"):
 *   1. the envelope is decoded and validated (nhsa_env.c, pure);
 *   2. the gateway headers authenticate an institution credential:
 *      x-tif-signature = hex(SHA-256(timestamp + token + nonce +
 *      timestamp)), compared case-insensitively in constant time, the
 *      timestamp within ±nhsa_time_window_seconds, the nonce once;
 *      fixmedins_code must be the credential's institution;
 *   3. every infno but 9001 needs a live sign_no of the operator;
 *   4. (institution, msgid) is claimed: a repeat with the same body gets
 *      the first reply, byte for byte, and nothing is done again;
 *   5. the transaction runs (nhsa_txn_*.c → one service use case);
 *   6. the reply is encoded and kept with the message.
 * A message refused before step 4 is kept too, under its inf_refmsgid.
 */
#include "nhsa/nhsa.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/hash.h"
#include "nhsa/nhsa_env.h"
#include "nhsa/nhsa_json.h"
#include "nhsa/nhsa_txn.h"

static const struct {
	const char *infno;
	yb_nhsa_txn_fn *fn;
} txns[] = {
	{ "9001", yb_nhsa_9001 }, { "9002", yb_nhsa_9002 },
	{ "1101", yb_nhsa_1101 },
	{ "2201", yb_nhsa_2201 }, { "2202", yb_nhsa_2202 },
	{ "2203", yb_nhsa_2203 }, { "2204", yb_nhsa_2204 },
	{ "2205", yb_nhsa_2205 }, { "2206", yb_nhsa_2206 },
	{ "2207", yb_nhsa_2207 }, { "2208", yb_nhsa_2208 },
	{ "3201", yb_nhsa_3201 }, { "3202", yb_nhsa_3202 },
	{ "5203", yb_nhsa_5203 }, { "5206", yb_nhsa_5206 },
};

yb_nhsa_txn_fn *yb_nhsa_txn_find(const char *infno)
{
	for (size_t i = 0; infno && i < sizeof txns / sizeof txns[0]; i++)
		if (strcmp(txns[i].infno, infno) == 0)
			return txns[i].fn;
	return NULL;
}

size_t yb_nhsa_cert_no_max(const char *cert_type)
{
	return cert_type && strcmp(cert_type, "01") == 0 ? 255 : 50;
}

void yb_nhsa_date_str(yb_time t, char out[11])
{
	yb_date_format(yb_date_of(t), out, 11);
}

static int64_t now_ms(const yb_ctx *ctx)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	/* The service's clock decides the second (tests move it). */
	return (int64_t)yb_ctx_now(ctx) * 1000 + ts.tv_nsec / 1000000;
}

/* region(6) + yyyyMMddHHmmss(14) + serial(10), NHSA.md §1.2. */
static void refmsgid(const yb_ctx *ctx, int64_t ms, char out[31])
{
	static atomic_uint_fast64_t serial;
	char stamp[18];
	uint64_t n = atomic_fetch_add(&serial, 1) % 10000000u;

	yb_nhsa_ms_stamp(ms, stamp);
	snprintf(out, 31, "%.6s%.14s%03u%07u", ctx->settings->region, stamp,
		 (unsigned)(ms % 1000), (unsigned)n);
}

/* ---- step 2: the gateway signature ---------------------------------------- */

static int check_signature(const yb_nhsa_call *c, const yb_nhsa_cred *cred,
			   yb_err *err)
{
	crypto_hash_sha256_state st;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char want[crypto_hash_sha256_BYTES * 2 + 1], got[sizeof want];
	size_t n = strlen(c->signature);

	if (n != sizeof want - 1)
		return yb_errf(err, "nhsa.auth_bad_signature", "x-tif-signature");
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)c->timestamp,
				  strlen(c->timestamp));
	crypto_hash_sha256_update(&st, (const unsigned char *)cred->token,
				  strlen(cred->token));
	crypto_hash_sha256_update(&st, (const unsigned char *)c->nonce,
				  strlen(c->nonce));
	crypto_hash_sha256_update(&st, (const unsigned char *)c->timestamp,
				  strlen(c->timestamp));
	crypto_hash_sha256_final(&st, digest);
	sodium_bin2hex(want, sizeof want, digest, sizeof digest);
	/* Lower-case (S8, S17) and upper-case (S19) hex are both in use. */
	for (size_t i = 0; i < n; i++) {
		char ch = c->signature[i];
		got[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	got[n] = '\0';
	if (sodium_memcmp(want, got, n) != 0)
		return yb_errf(err, "nhsa.auth_bad_signature", "x-tif-signature");
	return 0;
}

static int authenticate(yb_ctx *ctx, const yb_nhsa_call *c,
			const yb_nhsa_env *env, yb_err *err)
{
	yb_nhsa_cred cred;
	yb_time now = yb_ctx_now(ctx), ts = 0;
	const char *t = c->timestamp;

	if (!c->paasid || !*c->paasid || !t || !*t || !c->nonce ||
	    !*c->nonce || !c->signature || !*c->signature)
		return yb_errf(err, "nhsa.auth_missing",
			       "x-tif-paasid, x-tif-timestamp, x-tif-nonce, "
			       "x-tif-signature");
	if (strlen(t) > 12 || strspn(t, "0123456789") != strlen(t))
		return yb_errf(err, "nhsa.auth_stale_timestamp",
			       "x-tif-timestamp: Unix seconds");
	ts = strtoll(t, NULL, 10);
	if (ts < now - ctx->settings->nhsa_time_window_seconds ||
	    ts > now + ctx->settings->nhsa_time_window_seconds)
		return yb_errf(err, "nhsa.auth_stale_timestamp",
			       "x-tif-timestamp (±%d s)",
			       ctx->settings->nhsa_time_window_seconds);
	if (yb_nhsa_credential_find(ctx, c->paasid, &cred, err) < 0 ||
	    check_signature(c, &cred, err) < 0)
		return -1;
	/* Only a signed request may spend a nonce. */
	if (yb_nhsa_nonce_use(ctx, c->paasid, c->nonce, err) < 0)
		return -1;
	if (strcmp(env->fixmedins_code, cred.institution_code) != 0)
		return yb_errf(err, "nhsa.institution_mismatch",
			       "fixmedins_code");
	memset(&ctx->actor, 0, sizeof ctx->actor);
	ctx->actor.role = YB_ROLE_INSTITUTION;
	ctx->actor.channel = YB_CHAN_API;
	snprintf(ctx->actor.id, sizeof ctx->actor.id, "nhsa:%.32s:%.24s",
		 cred.institution_code, env->opter);
	snprintf(ctx->actor.institution_code,
		 sizeof ctx->actor.institution_code, "%s",
		 cred.institution_code);
	return 0;
}

/* ---- the reply and the log ------------------------------------------------ */

typedef struct call_state {
	yb_nhsa_reply reply;
	yb_nhsa_msg msg;
	bool claimed;
	bool authenticated;
	yb_err err;
} call_state;

/* Encode the reply and keep it with the message (a log failure does not
 * change the answer: the transaction's own commit already stands). */
static int finish(yb_ctx *ctx, call_state *cs, char **out, size_t *len)
{
	yb_err ignored;
	int64_t ms = now_ms(ctx);

	yb_nhsa_ms_stamp(ms, cs->reply.respond_time);
	if (cs->reply.infcode != 0)
		yb_nhsa_err_msg(&cs->err, cs->reply.err_msg,
				sizeof cs->reply.err_msg);
	*out = yb_nhsa_reply_encode(&cs->reply, len);
	json_decref(cs->reply.output);
	cs->reply.output = NULL;
	if (!*out)
		return -1;
	cs->msg.responded_ms = ms;
	cs->msg.infcode = cs->reply.infcode;
	cs->msg.err_code = cs->reply.infcode ? cs->err.code : "";
	cs->msg.response = *out;
	if (ctx->store)
		yb_nhsa_msg_finish(ctx, &cs->msg, cs->claimed, &ignored);
	return 0;
}

/* Steps 2–5 on a decoded envelope; fills cs->reply.output or cs->err. */
static int handle(yb_ctx *ctx, const yb_nhsa_call *c, const yb_nhsa_env *env,
		  call_state *cs, char **repeat)
{
	yb_nhsa_txn_fn *fn;

	if (authenticate(ctx, c, env, &cs->err) < 0)
		return -1;
	cs->authenticated = true;
	cs->msg.institution_code = ctx->actor.institution_code;
	if (c->path_infno && strcmp(c->path_infno, env->infno) != 0)
		return yb_errf(&cs->err, "nhsa.infno_mismatch", "infno");
	fn = yb_nhsa_txn_find(env->infno);
	if (!fn)
		return yb_errf(&cs->err, "nhsa.unknown_infno", "infno %s",
			       env->infno);
	if (strcmp(env->infno, "9001") != 0 &&
	    yb_nhsa_sign_check(ctx, env->sign_no, env->opter, &cs->err) < 0)
		return -1;
	switch (yb_nhsa_msg_claim(ctx, &cs->msg, repeat, &cs->err)) {
	case 0:
		break;
	case 1:
		return 0;
	default:
		return -1;
	}
	cs->claimed = true;
	return fn(ctx, env, &cs->reply.output, &cs->err);
}

int yb_nhsa_serve(yb_ctx *ctx, const yb_nhsa_call *c, char **out,
		  size_t *len)
{
	call_state cs;
	yb_nhsa_env env;
	char *repeat = NULL;
	int64_t ms = now_ms(ctx);
	int rc;

	memset(&cs, 0, sizeof cs);
	memset(&env, 0, sizeof env);
	yb_err_clear(&cs.err);
	cs.reply.infcode = -1;
	refmsgid(ctx, ms, cs.reply.inf_refmsgid);
	yb_nhsa_ms_stamp(ms, cs.reply.refmsg_time);
	cs.msg.received_ms = ms;
	cs.msg.inf_refmsgid = cs.reply.inf_refmsgid;
	cs.msg.institution_code = "";
	yb_sha256_hex(c->body ? c->body : "", c->body ? c->body_len : 0,
		      cs.msg.body_hash);
	if (c->too_large) {
		yb_errf(&cs.err, "nhsa.too_large", "body");
	} else if (yb_nhsa_env_decode(c->body, c->body_len, &env, &cs.err) == 0) {
		cs.msg.msgid = env.msgid;
		cs.msg.infno = env.infno;
		cs.msg.opter = env.opter;
		if (handle(ctx, c, &env, &cs, &repeat) == 0)
			cs.reply.infcode = 0;
	}
	if (repeat) {
		/* Step 4: the first reply, and nothing else happens. */
		yb_nhsa_env_free(&env);
		json_decref(cs.reply.output);
		*out = repeat;
		*len = strlen(repeat);
		return 0;
	}
	if (cs.reply.infcode != 0) {
		json_decref(cs.reply.output);
		cs.reply.output = NULL;
	}
	cs.msg.msgid = cs.msg.msgid ? cs.msg.msgid : "";
	cs.msg.infno = cs.msg.infno ? cs.msg.infno : "";
	rc = finish(ctx, &cs, out, len);
	yb_nhsa_env_free(&env);
	return rc;
}
