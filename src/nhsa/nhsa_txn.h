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

/* What a transaction answers: its output node, and — when 2601 can undo
 * it — what it did (kept with the message; NULL otherwise). */
typedef struct yb_nhsa_out {
	json_t *output;
	json_t *effect;
	/* 2207/2304: the settlement instead of output (malloc'd, taken by
	 * the gateway): its reply is kept as facts, rendered off the
	 * writer (nhsa_kept.c). */
	yb_nhsa_setl *setl;
	bool repeat;                     /* S4: setl is the first one's */
} yb_nhsa_out;

typedef int yb_nhsa_run_fn(yb_ctx *ctx, const yb_nhsa_env *env,
			   const void *req, yb_nhsa_out *out, yb_err *err);

/* Work on a decoded input that needs no database, done in begin so that
 * it is not done on the writer (NULL: none). */
typedef void yb_nhsa_prepare_fn(void *req);

typedef struct yb_nhsa_txn {
	const char *infno;
	yb_nhsa_decode_fn *decode;
	bool writes;                     /* runs in the writer's transaction */
	yb_nhsa_run_fn *run;
	yb_nhsa_prepare_fn *prepare;
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
/* nhsa_txn_setl.c */
yb_nhsa_run_fn yb_nhsa_setl_preview, yb_nhsa_setl_create, yb_nhsa_2208,
	yb_nhsa_2305, yb_nhsa_5203, yb_nhsa_3201;
/* 2207/2304: the request's S4 hash (SHA-256) */
yb_nhsa_prepare_fn yb_nhsa_setl_prepare;
/* nhsa_setlinfo.c: {setlinfo, setldetail} of a settlement as a raw
 * output value; without setl_id for a pre-settlement, negated (sign -1,
 * setl_id "R"+id) for a revocation, with 5203's fields for a query. */
json_t *yb_nhsa_setl_output(const yb_ctx *ctx, const yb_nhsa_env *env,
			    const yb_nhsa_setl *s, bool with_id, int sign,
			    bool query);
/* The same for 2207/2304 (with setl_id, not negated), clr_optins
 * `region`, written as text into w: what a reply kept as facts is
 * rendered with (nhsa_kept.c, into the envelope's own buffer). */
void yb_nhsa_setl_render(struct yb_jw *w, const char *region,
			 const yb_nhsa_setl *s);
/* nhsa_kept.c: a 2207/2304 reply `r` (its output aside) kept as facts;
 * NULL on out of memory. */
char *yb_nhsa_kept_setl(const yb_nhsa_reply *r, const char *region,
			const yb_nhsa_setl *s);

/* One figure 3201/3202 compare: ours and the HIS's. */
typedef struct yb_nhsa_stmt_field {
	const char *label;               /* in stmt_rslt_dscr */
	int64_t ours, theirs;
	bool money;
} yb_nhsa_stmt_field;
/* stmtinfo {setl_optins, stmt_rslt 0 平 / 1 不平, stmt_rslt_dscr naming
 * each difference} (nhsa_txn_setl.c). */
json_t *yb_nhsa_stmtinfo(const char *optins, const yb_nhsa_stmt_field *f,
			 int n);
/* nhsa_txn_file.c: 9101 upload, 9102 download, 3202 by the detail file */
yb_nhsa_run_fn yb_nhsa_9101, yb_nhsa_9102, yb_nhsa_3202;

/* "yyyy-MM-dd" of a Unix time (local). */
void yb_nhsa_date_str(yb_time t, char out[11]);

#endif
