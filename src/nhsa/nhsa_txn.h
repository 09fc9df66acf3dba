/*
 * nhsa_txn.h — the transactions of the gateway, one run function per
 * infno (nhsa_txn_*.c): take the request its decoder made (nhsa_in.h),
 * call one service use case, build `output`.  Shared-internal to src/nhsa.
 */
#ifndef YB_NHSA_TXN_H
#define YB_NHSA_TXN_H

#include <jansson.h>

#include "nhsa/nhsa_env.h"
#include "nhsa/nhsa_in.h"
#include "service/nhsa.h"

typedef int yb_nhsa_run_fn(yb_ctx *ctx, const yb_nhsa_env *env,
			   const void *req, json_t **output, yb_err *err);
/* What 2601 needs to undo a message that succeeded, from its request and
 * output (new reference; NULL: nothing to keep). */
typedef json_t *yb_nhsa_effect_fn(const void *req, const json_t *output);

typedef struct yb_nhsa_txn {
	const char *infno;
	yb_nhsa_decode_fn *decode;
	bool writes;                     /* runs in the writer's transaction */
	yb_nhsa_run_fn *run;
	yb_nhsa_effect_fn *effect;       /* NULL: not reversible */
} yb_nhsa_txn;

/* The transaction of an infno (its decoder from nhsa_in.h), NULL if
 * unsupported. */
const yb_nhsa_txn *yb_nhsa_txn_find(const char *infno);

/* nhsa_txn_base.c */
yb_nhsa_run_fn yb_nhsa_9001, yb_nhsa_9002, yb_nhsa_1101, yb_nhsa_5206,
	yb_nhsa_2601;
/* nhsa_txn_visit.c */
yb_nhsa_run_fn yb_nhsa_2201, yb_nhsa_2202, yb_nhsa_2203, yb_nhsa_fees,
	yb_nhsa_2205, yb_nhsa_2302;
yb_nhsa_effect_fn yb_nhsa_2201_effect, yb_nhsa_fees_effect;
/* nhsa_txn_setl.c */
yb_nhsa_run_fn yb_nhsa_setl_preview, yb_nhsa_setl_create, yb_nhsa_2208,
	yb_nhsa_2305, yb_nhsa_5203, yb_nhsa_3201, yb_nhsa_3202;
yb_nhsa_effect_fn yb_nhsa_setl_effect;

/* "yyyy-MM-dd" of a Unix time (local). */
void yb_nhsa_date_str(yb_time t, char out[11]);

#endif
