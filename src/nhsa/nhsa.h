/*
 * nhsa.h — the national-interface gateway (定点医药机构接口, docs/NHSA.md):
 * one message, from the raw body and the x-tif-* headers to the reply.
 *
 * A message is answered in three steps, so that only what must be in the
 * write transaction runs there (on SQLite, on the group-commit writer
 * that every write of the server waits for):
 *   1. yb_nhsa_begin, on the caller's own connection (reads only):
 *      decode and validate the envelope, authenticate the institution by
 *      the gateway signature, check its sign-in, decode the transaction's
 *      input — and run the transaction there if it only reads;
 *   2. yb_nhsa_commit, one write transaction: spend the nonce, claim the
 *      msgid (a repeat gets the first reply), run a transaction that
 *      acts, keep the message and its reply;
 *   3. yb_nhsa_end: the reply — also when step 2's transaction failed.
 * Every answer is an envelope with infcode 0 or -1 (HTTP 200): an HIS
 * reads the envelope, not the status.
 */
#ifndef YB_NHSA_H
#define YB_NHSA_H

#include <stdbool.h>
#include <stddef.h>

#include "service/ctx.h"

typedef struct yb_nhsa_call {
	const char *body;                /* raw bytes, not NUL-terminated */
	size_t body_len;
	bool too_large;                  /* the server kept only part of it */
	const char *path_infno;          /* {infno} of the URL, NULL if none */
	const char *paasid;              /* x-tif-paasid, NULL if absent */
	const char *timestamp;           /* x-tif-timestamp */
	const char *nonce;               /* x-tif-nonce */
	const char *signature;           /* x-tif-signature */
} yb_nhsa_call;

/* One message in flight.  Its strings (`call`'s) must outlive it. */
typedef struct yb_nhsa_exchange yb_nhsa_exchange;

/* Step 1.  `ctx` has the caller's store, settings and clock; the actor
 * is set here (role institution once authenticated).  NULL only when out
 * of memory. */
yb_nhsa_exchange *yb_nhsa_begin(yb_ctx *ctx, const yb_nhsa_call *call);

/* Step 2, as a yb_batch_fn (service/batch.h): `ctx` is in one write
 * transaction (ctx->in_batch).  Always 0: its refusals are replies. */
int yb_nhsa_commit(yb_ctx *ctx, void *exchange, yb_err *err);

/* Step 3: the reply text (malloc'd, *len) and the exchange freed.  rc <
 * 0: step 2's transaction failed (err), nothing was kept, and the reply
 * says so.  NULL only when out of memory. */
char *yb_nhsa_end(yb_nhsa_exchange *x, int rc, const yb_err *err,
		  size_t *len);

/* What step 1–2 made of a settlement's message (2206/2207, 2303/2304),
 * for the server's count of settlements (yibao_settlements_total, the
 * JSON API's counter: a benchmark checks the replies it does not read
 * against it).  Before yb_nhsa_end, with its rc.  NONE: not one. */
enum { YB_NHSA_OUT_NONE = -1, YB_NHSA_OUT_SETTLED, YB_NHSA_OUT_REPEAT,
       YB_NHSA_OUT_PREVIEW, YB_NHSA_OUT_REFUSED, YB_NHSA_OUT_ERROR };
int yb_nhsa_outcome(const yb_nhsa_exchange *x, int rc);

/* A reply for a message that could not even begin (no database
 * connection): infcode -1 with err.  NULL only when out of memory. */
char *yb_nhsa_fail_reply(const yb_ctx *ctx, const yb_err *err, size_t *len);

/* Is c signed by a live credential (headers, window, signature; its
 * nonce is not spent)?  0, or -1 with the refusal. */
int yb_nhsa_signed(yb_ctx *ctx, const yb_nhsa_call *c, yb_err *err);

/* nhsa_kept.c: the reply text of a kept message's reply (its text as
 * kept, or rendered from the facts a 2207/2304 keeps: docs/NHSA.md
 * "Storage"), malloc'd, *len if len.  NULL only when out of memory.
 * The renderer yb_nhsa_msg_get takes. */
char *yb_nhsa_reply_text(const char *kept, size_t *len);
bool yb_nhsa_kept_is_facts(const char *kept);

/* nhsa_http.c: the handler of the gateway's routes (src/http/routes.c). */
struct yb_hreq;
void yb_nhsa_handle(struct yb_hreq *r);
/* How much of a POST to /nhsa/... the server keeps: YB_HTTP_BODY_MAX, or
 * for /nhsa/api/9101 signed by a live credential (checked on the headers,
 * before the body is read) YB_NHSA_FILE_BODY_MAX (nhsa_file.h). */
size_t yb_nhsa_body_limit(struct yb_hreq *r);

#endif
