/*
 * nhsa_gateway.c — one message of the national interface, start to end
 * (docs/NHSA.md "How a message is handled"; the three steps in nhsa.h):
 *
 * begin (the connection's thread and its own connection, reads only):
 *   the envelope is decoded and validated (nhsa_env.c, pure); the gateway
 *   headers authenticate an institution credential — x-tif-signature =
 *   hex(SHA-256(timestamp + token + nonce + timestamp)), compared
 *   case-insensitively in constant time, the timestamp within
 *   ±nhsa_time_window_seconds; fixmedins_code must be the credential's
 *   institution; every infno but 9001 needs a live sign_no of the
 *   operator; the input is decoded (nhsa_in_*.c, pure); a transaction
 *   that only reads runs here and its reply is made here.  On SQLite a
 *   transaction that acts leaves the reads (credential, sign-in) to
 *   commit ("Admitted on the writer" below).
 * commit (one write transaction — on SQLite the group-commit writer's):
 *   the reads left to it; the nonce is spent (once, and only by a
 *   signed request); (institution, msgid) is claimed — a repeat with
 *   the same body gets the first reply, byte for byte, and nothing is
 *   done again; a transaction that acts runs (nhsa_txn_*.c → one
 *   service use case, in its own savepoint); the reply is made and kept
 *   with the message — a settlement's as the facts its text is rendered
 *   from (nhsa_kept.c), not as text.
 * end: the reply (a settlement's, or a repeat's kept so, rendered here,
 *   off the writer), or — if the transaction could not commit — a
 *   refusal saying why, with nothing kept.
 *
 * A message refused before it could claim its msgid is kept too, under
 * its inf_refmsgid.  Why the split (docs/BENCHMARKS.md): when all of it
 * ran on the writer, the one thread every write of the server waits for
 * parsed JSON, hashed signatures and read credentials and sign-ins.
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
#include "nhsa/nhsa_in_file.h"
#include "nhsa/nhsa_json.h"
#include "nhsa/nhsa_txn.h"

struct yb_nhsa_exchange {
	yb_nhsa_call call;
	yb_nhsa_env env;
	const yb_nhsa_txn *txn;
	void *req;                       /* the decoded input */
	yb_nhsa_reply reply;
	yb_nhsa_msg msg;
	char inst[YB_CODE_SZ];
	yb_ctx when;                     /* the clock and settings, for step 3 */
	yb_err err;
	bool failed;                     /* err is the answer */
	bool authenticated;              /* a signed request: spend its nonce */
	bool claimable;                  /* past steps 1–4: claim the msgid */
	/* Steps 2–4's reads (credential, signature, sign-in) left to the
	 * write job ("Admitted on the writer" below); actor0 is the actor
	 * before act_as, for a message the writer then refuses. */
	bool late;
	yb_actor actor0;
	/* The token the signature was checked with here ("" if not); the
	 * credential the writer found, for this thread to remember. */
	char signed_with[YB_NHSA_TOKEN_SZ];
	yb_nhsa_cred found;
	char *late_head;                 /* msg.head of a message refused late */
	char *text;                      /* the reply made */
	size_t len;
	char *repeat;                    /* the first reply of a repeat, as kept */
	yb_nhsa_setl *setl;              /* 2207/2304's settlement, from act */
	bool setl_repeat;                /* S4: the first one's (act) */
	char *kept;                      /* its reply as facts (nhsa_kept.c) */
	char *effect;                    /* for 2601, JSON text */
	char *pending;                   /* the claim's record, made in step 1 */
	char *head;                      /* msg.head, made in step 1 */
	/* What step 2 changes, as step 1 left it: each run of the write job
	 * starts from it, so that the job may run twice (it is submitted
	 * replayable, service/batch.h "Undo on demand": a batch undone
	 * runs again, and a second run must answer and keep what the
	 * first would have, once).  `text` owns the reply step 1 made,
	 * if it made one; the run's own goes to x->text. */
	struct {
		bool failed;
		bool authenticated;
		bool claimable;
		yb_err err;
		yb_nhsa_reply reply;     /* output NULL */
		yb_nhsa_msg msg;
		char *text;
		size_t len;
	} base;
};

static const yb_nhsa_txn txns[] = {
	{ "9001", yb_nhsa_in_9001, true, yb_nhsa_9001, NULL },
	{ "9002", yb_nhsa_in_9002, true, yb_nhsa_9002, NULL },
	{ "1101", yb_nhsa_in_1101, false, yb_nhsa_1101, NULL },
	{ "2201", yb_nhsa_in_2201, true, yb_nhsa_2201, NULL },
	{ "2202", yb_nhsa_in_2202, true, yb_nhsa_2202, NULL },
	{ "2203", yb_nhsa_in_2203, true, yb_nhsa_2203, NULL },
	{ "2204", yb_nhsa_in_fee_lines, true, yb_nhsa_fees, NULL },
	{ "2205", yb_nhsa_in_2205, true, yb_nhsa_2205, NULL },
	{ "2206", yb_nhsa_in_setl_otp, false, yb_nhsa_setl_preview, NULL },
	{ "2207", yb_nhsa_in_setl_otp, true, yb_nhsa_setl_create,
	  yb_nhsa_setl_prepare },
	{ "2208", yb_nhsa_in_setl_named, true, yb_nhsa_2208, NULL },
	{ "2301", yb_nhsa_in_fee_lines, true, yb_nhsa_fees, NULL },
	{ "2302", yb_nhsa_in_2302, true, yb_nhsa_2302, NULL },
	{ "2303", yb_nhsa_in_setl_ipt, false, yb_nhsa_setl_preview, NULL },
	{ "2304", yb_nhsa_in_setl_ipt, true, yb_nhsa_setl_create,
	  yb_nhsa_setl_prepare },
	{ "2305", yb_nhsa_in_setl_named, true, yb_nhsa_2305, NULL },
	{ "2601", yb_nhsa_in_2601, true, yb_nhsa_2601, NULL },
	{ "3201", yb_nhsa_in_3201, false, yb_nhsa_3201, NULL },
	{ "3202", yb_nhsa_in_3202, true, yb_nhsa_3202, NULL },    /* keeps its result */
	{ "5203", yb_nhsa_in_setl_named, false, yb_nhsa_5203, NULL },
	{ "5206", yb_nhsa_in_5206, false, yb_nhsa_5206, NULL },
	{ "9101", yb_nhsa_in_9101, true, yb_nhsa_9101, NULL },
	{ "9102", yb_nhsa_in_9102, false, yb_nhsa_9102, NULL },
};

const yb_nhsa_txn *yb_nhsa_txn_find(const char *infno)
{
	for (size_t i = 0; infno && i < sizeof txns / sizeof txns[0]; i++)
		if (strcmp(txns[i].infno, infno) == 0)
			return &txns[i];
	return NULL;
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

/* ---- the gateway signature ------------------------------------------------- */

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

/* What authentication checks without reading: headers and window. */
static int auth_headers(const yb_ctx *ctx, const yb_nhsa_call *c,
			yb_err *err)
{
	yb_time now = yb_ctx_now(ctx), ts;
	int window = ctx->settings->nhsa_time_window_seconds;
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
	if (ts < now - window || ts > now + window)
		return yb_errf(err, "nhsa.auth_stale_timestamp",
			       "x-tif-timestamp (±%d s)", window);
	if (strlen(c->nonce) > 128)
		return yb_errf(err, "nhsa.auth_missing", "x-tif-nonce too long");
	return 0;
}

/* Headers, window, credential, signature: the request is signed by
 * `cred` (its nonce is spent in the write transaction, step 2). */
static int authenticate(yb_ctx *ctx, const yb_nhsa_call *c,
			yb_nhsa_cred *cred, yb_err *err)
{
	if (auth_headers(ctx, c, err) < 0 ||
	    yb_nhsa_credential_find(ctx, c->paasid, cred, err) < 0)
		return -1;
	return check_signature(c, cred, err);
}

int yb_nhsa_signed(yb_ctx *ctx, const yb_nhsa_call *c, yb_err *err)
{
	yb_nhsa_cred cred;

	return authenticate(ctx, c, &cred, err);
}

/* The gateway acts as role institution for the credential's institution
 * (X1), actor nhsa:<code>:<opter> in the audit chain. */
static void act_as(yb_ctx *ctx, const char *institution_code,
		   const char *opter)
{
	memset(&ctx->actor, 0, sizeof ctx->actor);
	ctx->actor.role = YB_ROLE_INSTITUTION;
	ctx->actor.channel = YB_CHAN_API;
	snprintf(ctx->actor.id, sizeof ctx->actor.id, "nhsa:%.32s:%.24s",
		 institution_code, opter);
	snprintf(ctx->actor.institution_code,
		 sizeof ctx->actor.institution_code, "%s", institution_code);
}

/* ---- the reply ---------------------------------------------------------------- */

/* Make the reply of x as it stands (success with output, or x->err) and
 * note it in the message. */
static int encode(const yb_ctx *ctx, yb_nhsa_exchange *x)
{
	int64_t ms = now_ms(ctx);
	yb_nhsa_setl *setl = x->setl;

	free(x->text);
	x->text = NULL;
	x->setl = NULL;
	yb_nhsa_ms_stamp(ms, x->reply.respond_time);
	x->reply.infcode = x->failed ? -1 : 0;
	x->reply.err_msg[0] = '\0';
	if (x->failed)
		yb_nhsa_err_msg(&x->err, x->reply.err_msg,
				sizeof x->reply.err_msg);
	if (setl && !x->failed) {
		/* A settlement's reply: kept as its facts, its text rendered
		 * from them off the writer (yb_nhsa_end, nhsa_kept.c). */
		free(x->kept);
		x->kept = yb_nhsa_kept_setl(&x->reply, ctx->settings->region,
					    setl);
		free(setl);
		x->msg.responded_ms = ms;
		x->msg.infcode = 0;
		x->msg.err_code = "";
		x->msg.response = x->kept ? x->kept : "";
		return x->kept ? 0 : -1;
	}
	free(setl);
	x->text = yb_nhsa_reply_encode(&x->reply, &x->len);
	/* The output is spent: freed on the thread that made it (a tree of
	 * small blocks freed on another thread is contention in the
	 * writer's malloc arena, as http/json.c found). */
	json_decref(x->reply.output);
	x->reply.output = NULL;
	x->msg.responded_ms = ms;
	x->msg.infcode = x->reply.infcode;
	x->msg.err_code = x->failed ? x->err.code : "";
	x->msg.response = x->text ? x->text : "";
	return x->text ? 0 : -1;
}

/* x's answer is a refusal: err stands, any output goes. */
static void refuse(yb_nhsa_exchange *x)
{
	x->failed = true;
	json_decref(x->reply.output);
	x->reply.output = NULL;
}

/* ---- step 1 ------------------------------------------------------------------------ */

/* Steps 1–4 of docs/NHSA.md on a decoded envelope. */
static int admit(yb_ctx *ctx, yb_nhsa_exchange *x)
{
	const yb_nhsa_env *env = &x->env;
	yb_nhsa_cred cred;

	if (authenticate(ctx, &x->call, &cred, &x->err) < 0)
		return -1;
	x->authenticated = true;
	if (strcmp(env->fixmedins_code, cred.institution_code) != 0)
		return yb_errf(&x->err, "nhsa.institution_mismatch",
			       "fixmedins_code");
	act_as(ctx, cred.institution_code, env->opter);
	x->env.paasid = x->call.paasid;
	snprintf(x->inst, sizeof x->inst, "%s", cred.institution_code);
	x->msg.institution_code = x->inst;
	if (x->call.path_infno && strcmp(x->call.path_infno, env->infno) != 0)
		return yb_errf(&x->err, "nhsa.infno_mismatch", "infno");
	x->txn = yb_nhsa_txn_find(env->infno);
	if (!x->txn)
		return yb_errf(&x->err, "nhsa.unknown_infno", "infno %s",
			       env->infno);
	if (strcmp(env->infno, "9001") != 0 &&
	    yb_nhsa_sign_check(ctx, env->sign_no, env->opter, &x->err) < 0)
		return -1;
	x->claimable = true;
	return 0;
}

/* A transaction that only reads, on the caller's connection. */
static int read_only(yb_ctx *ctx, yb_nhsa_exchange *x)
{
	yb_nhsa_out out = { NULL, NULL, NULL, false };
	int rc = x->txn->run(ctx, &x->env, x->req, &out, &x->err);

	json_decref(out.effect);
	x->reply.output = out.output;
	return rc;
}

/*
 * Tokens known.  Each connection thread remembers the tokens of the
 * credentials the writer found good (yb_nhsa_end); a message signed by
 * one has its signature checked here, and the writer only confirms that
 * the credential still stands with that token: the SHA-256 (~10,000
 * instructions) stays off the writer.  A paasid's token never changes
 * (a new credential is a new paasid), so nothing here goes stale: a
 * revocation is the writer's to see, at once.
 */
#define KNOWN_SLOTS 8

static __thread struct {
	char paasid[YB_NHSA_PAASID_SZ];
	char token[YB_NHSA_TOKEN_SZ];
} known[KNOWN_SLOTS];
static __thread unsigned known_next;

static const char *known_token(const char *paasid)
{
	for (int i = 0; i < KNOWN_SLOTS; i++)
		if (known[i].paasid[0] && strcmp(known[i].paasid, paasid) == 0)
			return known[i].token;
	return NULL;
}

static void known_learn(const yb_nhsa_cred *cred)
{
	unsigned i;

	if (!cred->paasid[0] || known_token(cred->paasid))
		return;
	i = known_next++ % KNOWN_SLOTS;
	memcpy(known[i].paasid, cred->paasid, sizeof known[i].paasid);
	memcpy(known[i].token, cred->token, sizeof known[i].token);
}

/*
 * Admitted on the writer.  On a store with one writer (SQLite), a message
 * that acts has its credential, signature and sign-in checked in its
 * write job, where the group-commit writer reads them from its warm
 * cache and remembers them (store/sqlite/nhsa.c, "The gateway's memo"):
 * on the connection's thread each was a read transaction of its own that
 * found its page cache stale after the writer's commits and fought the
 * writer for SQLite's mutex (docs/BENCHMARKS.md, gw4 round).  Only when
 * everything that reads nothing has passed: a message with any other
 * fault is admitted here, as before, so that its refusals come in the
 * documented order (a stranger learns nothing of the body).  Here the
 * message goes on as if fixmedins_code were the credential's
 * institution; the writer refuses it if not (admit_late).
 */
static bool admit_later(yb_ctx *ctx, yb_nhsa_exchange *x)
{
	const yb_nhsa_env *env = &x->env;
	const yb_nhsa_txn *txn = yb_nhsa_txn_find(env->infno);
	const char *token;
	yb_err ignored;

	if (!ctx->store->ops->one_writer || !txn || !txn->writes ||
	    auth_headers(ctx, &x->call, &ignored) < 0 ||
	    (x->call.path_infno && strcmp(x->call.path_infno, env->infno) != 0))
		return false;
	token = known_token(x->call.paasid);
	if (token) {
		/* a wrong signature: refused here, in admit()'s order */
		yb_nhsa_cred k = { .paasid = "" };

		snprintf(k.token, sizeof k.token, "%s", token);
		if (check_signature(&x->call, &k, &ignored) < 0)
			return false;
		snprintf(x->signed_with, sizeof x->signed_with, "%s", token);
	}
	x->env.paasid = x->call.paasid;
	if (txn->decode(&x->env, &x->req, &ignored) < 0) {
		free(x->req);
		x->req = NULL;
		return false;
	}
	x->txn = txn;
	x->actor0 = ctx->actor;
	act_as(ctx, env->fixmedins_code, env->opter);
	snprintf(x->inst, sizeof x->inst, "%s", env->fixmedins_code);
	x->msg.institution_code = x->inst;
	x->authenticated = x->claimable = x->late = true;
	return true;
}

/* On the writer, refused by admit_late: kept as admit() would have left
 * it (institution "" until the credential is known to be its). */
static int late_refused(yb_ctx *ctx, yb_nhsa_exchange *x, bool inst_known)
{
	x->claimable = false;
	if (!inst_known) {
		ctx->actor = x->actor0;
		x->msg.institution_code = "";
	}
	free(x->late_head);
	x->late_head = yb_nhsa_msg_head(&x->msg);
	x->msg.head = x->late_head;
	refuse(x);
	(void)encode(ctx, x);
	return -1;
}

/* Steps 2–4's reads of admit(), in the write job. */
static int admit_late(yb_ctx *ctx, yb_nhsa_exchange *x)
{
	const yb_nhsa_env *env = &x->env;
	yb_nhsa_cred cred;

	if (yb_nhsa_credential_find(ctx, x->call.paasid, &cred, &x->err) < 0 ||
	    ((!x->signed_with[0] || strcmp(cred.token, x->signed_with) != 0) &&
	     check_signature(&x->call, &cred, &x->err) < 0)) {
		x->authenticated = false;
		return late_refused(ctx, x, false);
	}
	if (!x->signed_with[0])
		x->found = cred;         /* for the connection's thread */
	if (strcmp(env->fixmedins_code, cred.institution_code) != 0) {
		yb_errf(&x->err, "nhsa.institution_mismatch", "fixmedins_code");
		return late_refused(ctx, x, false);
	}
	if (strcmp(env->infno, "9001") != 0 &&
	    yb_nhsa_sign_check(ctx, env->sign_no, env->opter, &x->err) < 0)
		return late_refused(ctx, x, true);
	return 0;
}

yb_nhsa_exchange *yb_nhsa_begin(yb_ctx *ctx, const yb_nhsa_call *c)
{
	yb_nhsa_exchange *x = calloc(1, sizeof *x);
	int64_t ms = now_ms(ctx);

	if (!x)
		return NULL;
	x->call = *c;
	x->when.clock = ctx->clock;
	x->when.settings = ctx->settings;
	yb_err_clear(&x->err);
	refmsgid(ctx, ms, x->reply.inf_refmsgid);
	yb_nhsa_ms_stamp(ms, x->reply.refmsg_time);
	x->msg.received_ms = ms;
	x->msg.inf_refmsgid = x->reply.inf_refmsgid;
	x->msg.institution_code = x->msg.msgid = x->msg.infno = "";
	x->msg.opter = "";
	yb_sha256_hex(c->body ? c->body : "", c->body ? c->body_len : 0,
		      x->msg.body_hash);
	if (c->too_large) {
		yb_errf(&x->err, "nhsa.too_large", "body");
		refuse(x);
	} else if (yb_nhsa_env_decode(c->body, c->body_len, &x->env,
				      &x->err) < 0) {
		refuse(x);
	} else {
		x->msg.msgid = x->env.msgid;
		x->msg.infno = x->env.infno;
		x->msg.opter = x->env.opter;
		if (!admit_later(ctx, x) &&
		    (admit(ctx, x) < 0 ||
		     x->txn->decode(&x->env, &x->req, &x->err) < 0 ||
		     (!x->txn->writes && read_only(ctx, x) < 0)))
			refuse(x);
		else if (x->txn->prepare)
			x->txn->prepare(x->req);
	}
	/* The record's facts known now, made here rather than on the
	 * writer.  A message that does not act has its reply now, off the
	 * writer; one that acts, the record its claim will keep. */
	x->head = yb_nhsa_msg_head(&x->msg);
	x->msg.head = x->head;
	if (x->failed || !x->txn->writes)
		(void)encode(ctx, x);
	else if (x->claimable)
		x->pending = yb_nhsa_msg_pending_text(&x->msg);
	x->base.failed = x->failed;
	x->base.authenticated = x->authenticated;
	x->base.claimable = x->claimable;
	x->base.err = x->err;
	x->base.reply = x->reply;
	x->base.msg = x->msg;
	x->base.text = x->text;
	x->base.len = x->len;
	x->text = NULL;
	x->len = 0;
	return x;
}

/* ---- step 2 ------------------------------------------------------------------------ */

/* A transaction that acts, and what 2601 would need to undo it. */
static void act(yb_ctx *ctx, yb_nhsa_exchange *x)
{
	yb_nhsa_out out = { NULL, NULL, NULL, false };

	if (x->txn->run(ctx, &x->env, x->req, &out, &x->err) < 0) {
		json_decref(out.output);
		json_decref(out.effect);
		free(out.setl);
		refuse(x);
		return;
	}
	x->reply.output = out.output;
	x->setl = out.setl;
	x->setl_repeat = out.repeat;
	if (out.effect)
		x->effect = yb_nhsa_dump(out.effect, NULL);
	json_decref(out.effect);
	x->msg.effect = x->effect;
}

/* Spend the nonce and claim the msgid: 0 new (*claimed), 1 a repeat
 * answered (x->repeat), -1 refused (x->err).  On a store with one writer
 * (SQLite) the claim of a message that acts is a read, and its row is
 * written once, at the end (yb_nhsa_msg_finish): x->pending stays for
 * that.  Elsewhere a pending row is written now (on PostgreSQL, what
 * makes a second message with the msgid wait at the unique key). */
/* Is the claim a read (one writer: SQLite's batch), the message row
 * then written only at the end? */
static bool claim_reads(const yb_ctx *ctx, bool acts)
{
	return acts && ctx->in_batch && ctx->store->ops->one_writer;
}

static int claim(yb_ctx *ctx, yb_nhsa_exchange *x, bool acts)
{
	char *text;

	if (claim_reads(ctx, acts))
		return yb_nhsa_msg_check(ctx, &x->msg, x->call.paasid,
					 x->call.nonce, &x->repeat, &x->err);
	/* The claim takes its text: a copy, x->pending stays for a run
	 * again (NULL — out of memory — makes the claim make its own). */
	text = acts && x->pending ? strdup(x->pending) : NULL;
	return yb_nhsa_msg_claim(ctx, &x->msg, x->call.paasid, x->call.nonce,
				 !acts, text, &x->repeat, &x->err);
}

/* Back to the state step 1 left (x->base): whatever an earlier run of
 * the job made is dropped — its transaction was rolled back. */
static void run_start(yb_nhsa_exchange *x)
{
	json_decref(x->reply.output);
	free(x->text);
	free(x->repeat);
	free(x->effect);
	free(x->setl);
	free(x->kept);
	x->text = x->repeat = x->effect = x->kept = NULL;
	x->setl = NULL;
	x->setl_repeat = false;
	x->len = 0;
	x->failed = x->base.failed;
	x->authenticated = x->base.authenticated;
	x->claimable = x->base.claimable;
	x->err = x->base.err;
	x->reply = x->base.reply;
	x->msg = x->base.msg;
}

int yb_nhsa_commit(yb_ctx *ctx, void *arg, yb_err *err)
{
	yb_nhsa_exchange *x = arg;
	bool acts, claimed = false;
	yb_err ignored;

	(void)err;
	run_start(x);
	if (x->late)
		(void)admit_late(ctx, x);
	acts = !x->failed && x->txn->writes;
	/* Only a signed request spends its nonce; a replay is refused
	 * whatever else was wrong with it.  One that may claim its msgid
	 * spends the nonce in the claim's transaction. */
	if (x->claimable) {
		switch (claim(ctx, x, acts)) {
		case 1:
			return 0;        /* the first reply, nothing else */
		case 0:
			claimed = true;
			break;
		default:
			refuse(x);
			(void)encode(ctx, x);
			acts = false;
		}
	} else if (x->authenticated &&
		   yb_nhsa_nonce_use(ctx, x->call.paasid, x->call.nonce,
				     &x->err) < 0) {
		refuse(x);
		(void)encode(ctx, x);
		acts = false;
	}
	if (claimed && !acts)
		return 0;                /* kept whole at its claim */
	if (acts) {
		act(ctx, x);
		(void)encode(ctx, x);
	}
	/* A log failure does not change the answer. */
	yb_nhsa_msg_finish(ctx, &x->msg, claimed,
			   claimed && claim_reads(ctx, true) ? x->pending : NULL,
			   &ignored);
	free(x->effect);             /* made on this thread, freed here */
	x->effect = NULL;
	x->msg.effect = NULL;
	return 0;
}

/* ---- step 3 ------------------------------------------------------------------------ */

static void exchange_free(yb_nhsa_exchange *x)
{
	json_decref(x->reply.output);
	yb_nhsa_env_free(&x->env);
	free(x->req);
	free(x->text);
	free(x->repeat);
	free(x->effect);
	free(x->setl);
	free(x->kept);
	free(x->pending);
	free(x->head);
	free(x->late_head);
	free(x->base.text);
	free(x);
}

int yb_nhsa_outcome(const yb_nhsa_exchange *x, int rc)
{
	const yb_nhsa_txn *t = x->txn ? x->txn : yb_nhsa_txn_find(x->env.infno);
	bool creates = t && t->run == yb_nhsa_setl_create;

	if (!t || (!creates && t->run != yb_nhsa_setl_preview))
		return YB_NHSA_OUT_NONE;
	if (rc < 0)
		return YB_NHSA_OUT_ERROR;
	if (x->repeat || x->setl_repeat)
		return YB_NHSA_OUT_REPEAT;
	if (x->failed)
		return YB_NHSA_OUT_REFUSED;
	return creates ? YB_NHSA_OUT_SETTLED : YB_NHSA_OUT_PREVIEW;
}

char *yb_nhsa_end(yb_nhsa_exchange *x, int rc, const yb_err *err,
		  size_t *len)
{
	char *out;

	known_learn(&x->found);
	if (rc < 0) {
		/* The transaction did not commit: nothing was kept, and the
		 * HIS is told so (never a 5xx). */
		x->err = *err;
		refuse(x);
		x->text = (free(x->text), NULL);
		x->repeat = (free(x->repeat), NULL);
		x->kept = (free(x->kept), NULL);
	}
	if (x->repeat && !yb_nhsa_kept_is_facts(x->repeat)) {
		out = x->repeat;             /* kept as text */
		x->repeat = NULL;
		*len = strlen(out);
	} else if (x->repeat || x->kept) {
		/* kept as facts: rendered here, off the writer, by the one
		 * renderer — a repeat is the first answer byte for byte */
		out = yb_nhsa_reply_text(x->repeat ? x->repeat : x->kept, len);
	} else if (x->text || (rc == 0 && x->base.text)) {
		/* the reply the job made, else the one step 1 made */
		if (!x->text) {
			x->text = x->base.text;
			x->len = x->base.len;
			x->base.text = NULL;
		}
		out = x->text;
		*len = x->len;
		x->text = NULL;
	} else {
		(void)encode(&x->when, x);
		out = x->text;
		*len = x->len;
		x->text = NULL;
	}
	exchange_free(x);
	return out;
}

char *yb_nhsa_fail_reply(const yb_ctx *ctx, const yb_err *err, size_t *len)
{
	yb_nhsa_reply reply;
	int64_t ms = now_ms(ctx);

	memset(&reply, 0, sizeof reply);
	reply.infcode = -1;
	refmsgid(ctx, ms, reply.inf_refmsgid);
	yb_nhsa_ms_stamp(ms, reply.refmsg_time);
	yb_nhsa_ms_stamp(ms, reply.respond_time);
	yb_nhsa_err_msg(err, reply.err_msg, sizeof reply.err_msg);
	return yb_nhsa_reply_encode(&reply, len);
}
