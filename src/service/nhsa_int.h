/*
 * nhsa_int.h — what the nhsa*.c service files share: reading and writing
 * their JSON records in the store's nhsa_records table, and small field
 * helpers.  Records are internal (never seen by a client), so their
 * numbers are JSON integers (fen) and nothing in them is a float.
 */
#ifndef YB_SERVICE_NHSA_INT_H
#define YB_SERVICE_NHSA_INT_H

#include <jansson.h>

#include "service/nhsa.h"

/* 1 found (*val a new reference; meta filled if not NULL) / 0 / -1. */
int yb_nhsa_rec_get(yb_ctx *ctx, const char *kind, const char *key,
		    json_t **val, yb_nhsa_rec *meta, yb_err *err);
/* Store `val` (borrowed) under (kind, key); result as store nhsa_put. */
int yb_nhsa_rec_put(yb_ctx *ctx, const char *kind, const char *key,
		    const char *grp, const json_t *val, int mode, yb_err *err);

/* A string member, "" if absent. */
const char *yb_nhsa_js(const json_t *o, const char *name);
/* An integer member, 0 if absent. */
int64_t yb_nhsa_ji(const json_t *o, const char *name);

/* Copy at most size-1 bytes ("" for NULL). */
void yb_nhsa_cpy(char *dst, size_t size, const char *src);

/* "310" for the employee schemes, "390" for residents (1101 insutype). */
const char *yb_nhsa_insutype_of(yb_scheme scheme);

/* nhsa_visit.c, for nhsa_settle.c: the visit `mdtrt_id` of the acting
 * institution (and of patient psn_no unless NULL), in the caller's
 * transaction: nhsa.visit_not_found, nhsa.person_mismatch. */
int yb_nhsa_visit_load(yb_ctx *ctx, const char *mdtrt_id, const char *psn_no,
		       yb_nhsa_visit *out, yb_err *err);
/* Every fee line of a visit (malloc'd, also for none). */
int yb_nhsa_fees_of(yb_ctx *ctx, const char *mdtrt_id, yb_nhsa_fee **out,
		    int *n, yb_err *err);
/* Record that a fee line was paid by `settlement_id`. */
int yb_nhsa_fee_mark(yb_ctx *ctx, const yb_nhsa_fee *f, yb_id settlement_id,
		     yb_err *err);

#endif
