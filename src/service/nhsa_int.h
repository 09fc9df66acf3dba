/*
 * nhsa_int.h — what the nhsa*.c service files share: reading and writing
 * their JSON records in the store's nhsa_records table, and small field
 * helpers.  Records are internal (never seen by a client), so their
 * numbers are JSON integers (fen) and nothing in them is fractional.
 */
#ifndef YB_SERVICE_NHSA_INT_H
#define YB_SERVICE_NHSA_INT_H

#include <jansson.h>

#include "service/nhsa.h"

/* 1 found (*val a new reference; meta filled if not NULL) / 0 / -1. */
int yb_nhsa_rec_get(yb_ctx *ctx, const char *kind, const char *key,
		    json_t **val, yb_nhsa_rec *meta, yb_err *err);
/* The same with the value's text made already (taken, freed here; NULL
 * is out of memory) — by core/jsonw.h on the hot path. */
int yb_nhsa_rec_put_text(yb_ctx *ctx, const char *kind, const char *key,
			 const char *grp, char *text, int mode, yb_err *err);
/* Store `val` (borrowed) under (kind, key); result as store nhsa_put. */
int yb_nhsa_rec_put(yb_ctx *ctx, const char *kind, const char *key,
		    const char *grp, const json_t *val, int mode, yb_err *err);

/* A record the gateway reads at every request (credential, sign-in):
 * read from the store each time — a revocation or sign-out, also by the
 * CLI's own process, is seen at once — but its JSON parsed (by `parse`,
 * into `parsed`) only when the text differs from the one `seen` says
 * `parsed` holds.  `seen` and `parsed` are the calling thread's (plain
 * arrays: nothing to free when it ends).  The parse was a tenth of a
 * 2207's work on the connection thread (docs/BENCHMARKS.md).  inst (if
 * not NULL): the record's institution.  1 found / 0 / -1. */
typedef struct yb_nhsa_seen {
	char key[64];
	char val[512];                   /* the text `parsed` was read from */
} yb_nhsa_seen;
typedef void yb_nhsa_parse_fn(const char *key, const json_t *val,
			      void *parsed);
int yb_nhsa_rec_seen(yb_ctx *ctx, const char *kind, const char *key,
		     yb_nhsa_seen *seen, yb_nhsa_parse_fn *parse, void *parsed,
		     char inst[YB_CODE_SZ], yb_err *err);

/* yb_nhsa_nonce_use in the caller's transaction (nhsa.c). */
int yb_nhsa_nonce_spend_in(yb_ctx *ctx, const char *paasid,
			   const char *nonce, yb_err *err);

/* "institution|msgid", the key of a kept message (nhsa_msg.c). */
void yb_nhsa_msg_key(char *key, size_t size, const char *inst,
		     const char *msgid);
/* A kept message (kind "msg"): its facts (*meta, new reference) and its
 * reply (*response, malloc'd).  1 found / 0 absent / -1. */
int yb_nhsa_msg_load(yb_ctx *ctx, const char *key, json_t **meta,
		     char **response, yb_err *err);
/* Keep a message from its facts and reply (mode as store nhsa_put). */
int yb_nhsa_msg_store(yb_ctx *ctx, const char *key, const json_t *meta,
		      const char *response, int mode, yb_err *err);

/* Every record of (kind, grp) by key, each read into a fresh element of
 * `size` bytes by each(key, value, element): *out malloc'd (also for
 * none), *n elements. */
typedef void yb_nhsa_each_fn(const char *key, const json_t *val, void *elem);
int yb_nhsa_rec_list(yb_ctx *ctx, const char *kind, const char *grp,
		     size_t size, yb_nhsa_each_fn *each, void **out, int *n,
		     yb_err *err);

/* A string member, "" if absent. */
const char *yb_nhsa_js(const json_t *o, const char *name);
/* An integer member, 0 if absent. */
int64_t yb_nhsa_ji(const json_t *o, const char *name);

/* Copy at most size-1 bytes ("" for NULL). */
void yb_nhsa_cpy(char *dst, size_t size, const char *src);
/* "a|b" into dst, cut to size - 1 bytes as snprintf would. */
void yb_nhsa_key2(char *dst, size_t size, const char *a, const char *b);

/* "310" for the employee schemes, "390" for residents (1101 insutype). */
const char *yb_nhsa_insutype_of(yb_scheme scheme);

/* nhsa_visit.c, for nhsa_settle.c: the visit `mdtrt_id` of the acting
 * institution (and of patient psn_no unless NULL), in the caller's
 * transaction: nhsa.visit_not_found, nhsa.person_mismatch. */
int yb_nhsa_visit_load(yb_ctx *ctx, const char *mdtrt_id, const char *psn_no,
		       yb_nhsa_visit *out, yb_err *err);
/* The audit record of a visit's change ("nhsa_visit:<mdtrt_id>"). */
int yb_nhsa_audit_visit(yb_ctx *ctx, const char *action, const char *id,
			yb_err *err);
/* 2202 in the caller's transaction: only a registered visit none of
 * whose batches was settled (nhsa.visit_state); audited. */
int yb_nhsa_visit_cancel_in(yb_ctx *ctx, yb_nhsa_visit *v, yb_err *err);
/* Keep a visit record (mode as store nhsa_put). */
int yb_nhsa_visit_save(yb_ctx *ctx, const yb_nhsa_visit *v, int mode,
		       yb_err *err);

/* ---- fee lines and their batches (nhsa_fee.c) ---------------------------- */

/* yb_nhsa_batch: store/store.h (table nhsa_batches). */

/* 1 found / 0 absent (out zeroed, its chrg_bchno set) / -1. */
int yb_nhsa_batch_get(yb_ctx *ctx, const char *mdtrt_id,
		      const char *chrg_bchno, yb_nhsa_batch *out, yb_err *err);
/* Every batch of a visit (malloc'd, also for none). */
int yb_nhsa_batches_of(yb_ctx *ctx, const char *mdtrt_id,
		       yb_nhsa_batch **out, int *n, yb_err *err);
int yb_nhsa_batch_put(yb_ctx *ctx, const char *mdtrt_id,
		      const yb_nhsa_batch *b, yb_err *err);
/* Every fee line of a visit (malloc'd, also for none). */
int yb_nhsa_fees_of(yb_ctx *ctx, const char *mdtrt_id, yb_nhsa_fee **out,
		    int *n, yb_err *err);
/* Delete the visit's unsettled lines that match (batch "" any; msgid ""
 * any): *removed lines.  With `strict`, a matching line of a settled
 * batch is nhsa.batch_settled and nothing is deleted. */
int yb_nhsa_fees_delete(yb_ctx *ctx, const char *mdtrt_id,
			const char *chrg_bchno, const char *msgid,
			bool strict, int *removed, yb_err *err);

/* ---- settlement records (nhsa_setl.c) and yearly totals (nhsa_cum.c) ---- */

/* The setl record `setl_id` of this institution (mdtrt_id and psn_no
 * must match it too, unless NULL), with its settlement and patient.
 * nhsa.setl_not_found. */
int yb_nhsa_setl_load(yb_ctx *ctx, const char *setl_id, const char *mdtrt_id,
		      const char *psn_no, yb_nhsa_setl *o, yb_err *err);
/* Keep o's record (o->req_hash, the S4 hash of its request). */
int yb_nhsa_setl_save(yb_ctx *ctx, const yb_nhsa_setl *o, int mode,
		      yb_err *err);
/* o->balc_fen: the patient's own balance after `o` (with `preview`,
 * nothing was posted: his own share is taken off). */
int yb_nhsa_own_balance(yb_ctx *ctx, yb_nhsa_setl *o, bool preview,
			yb_err *err);
/* S5 of a loaded setl record in the caller's write transaction (no audit
 * record: the caller's); nothing for one already revoked. */
int yb_nhsa_revoke_setl_in(yb_ctx *ctx, yb_nhsa_setl *o, yb_err *err);

int yb_nhsa_year_of(yb_time t);
void yb_nhsa_cum_key(char *buf, size_t size, yb_id person, int year,
		     const char *insutype, int visit);
/* The totals row of `key`, locked; made if absent when `make` (zeros
 * if absent and not made). */
int yb_nhsa_cum_read(yb_ctx *ctx, const char *key, bool make,
		     yb_nhsa_cum_rec *c, yb_err *err);
/* Add sign × (this settlement) to its totals row `c` and write it. */
int yb_nhsa_cum_move(yb_ctx *ctx, yb_nhsa_cum_rec *c, const yb_nhsa_setl *o,
		     int sign, yb_err *err);

#endif
