/*
 * nhsa.h — the national-interface gateway (定点医药机构接口, docs/NHSA.md):
 * what the HTTP server calls for POST /nhsa/api/{infno} and /nhsa/api.
 *
 * The server hands over the raw body and the x-tif-* headers; the gateway
 * decodes the envelope (nhsa_env.h), authenticates the institution by the
 * gateway signature, keeps the message, calls one service use case
 * (service/nhsa.h) and encodes the reply.  Every answer is HTTP 200 with
 * infcode 0 or -1: an HIS reads the envelope, not the status.
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

/*
 * Answer one call.  `ctx` has the store, settings and clock; the actor is
 * set here.  *out is the reply text (malloc'd).  Returns -1 only when
 * not even an error reply could be made (out of memory).
 */
int yb_nhsa_serve(yb_ctx *ctx, const yb_nhsa_call *call, char **out,
		  size_t *len);

#endif
