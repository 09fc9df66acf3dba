/*
 * nhsa_txn.h — the transactions of the gateway, one function per infno
 * (nhsa_txn_*.c): decode `input` by NHSA.md's names, call one service use
 * case, build `output`.  Shared-internal to src/nhsa.
 */
#ifndef YB_NHSA_TXN_H
#define YB_NHSA_TXN_H

#include <jansson.h>

#include "nhsa/nhsa_env.h"
#include "service/nhsa.h"

typedef int yb_nhsa_txn_fn(yb_ctx *ctx, const yb_nhsa_env *env,
			   json_t **output, yb_err *err);

/* nhsa_txn_base.c */
yb_nhsa_txn_fn yb_nhsa_9001, yb_nhsa_9002, yb_nhsa_1101, yb_nhsa_5206;
/* nhsa_txn_visit.c */
yb_nhsa_txn_fn yb_nhsa_2201, yb_nhsa_2202, yb_nhsa_2203, yb_nhsa_2204,
	yb_nhsa_2205;
/* nhsa_txn_setl.c */
yb_nhsa_txn_fn yb_nhsa_2206, yb_nhsa_2207, yb_nhsa_2208, yb_nhsa_5203,
	yb_nhsa_3201, yb_nhsa_3202;

/* The transaction of an infno, NULL if unsupported. */
yb_nhsa_txn_fn *yb_nhsa_txn_find(const char *infno);

/* Longest mdtrt_cert_no: 50 (NHSA.md), except yibao's e-credential
 * tokens (type 01), which are signed and longer (docs/NHSA.md). */
size_t yb_nhsa_cert_no_max(const char *cert_type);

/* "yyyy-MM-dd" of a Unix time (local). */
void yb_nhsa_date_str(yb_time t, char out[11]);

#endif
