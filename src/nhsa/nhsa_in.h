/*
 * nhsa_in.h — the decoders of each transaction's `input` (NHSA.md §2):
 * pure functions from a decoded envelope to a request struct, every field
 * checked for presence, type, length and format, nothing read from a
 * clock or a database.
 *
 * Why apart from the transactions: the gateway decodes on the
 * connection's own thread, and only the use case itself runs inside the
 * writer's transaction (nhsa_gateway.c); and a fuzz target can run every
 * decoder on bytes alone (tests/fuzz/fuzz_nhsa.c).  Part of the codec
 * library: links nothing but core and jansson.
 *
 * A request is one malloc'd block (free() it); its strings point into
 * env->root, so it lives no longer than the envelope.
 */
#ifndef YB_NHSA_IN_H
#define YB_NHSA_IN_H

#include <stddef.h>

#include "nhsa/nhsa_env.h"
#include "service/nhsa.h"

/* Decode env->input into *req (malloc'd) or fail with a stable code. */
typedef int yb_nhsa_decode_fn(const yb_nhsa_env *env, void **req,
			      yb_err *err);

/* The decoder of an infno, NULL if unsupported; *writes tells whether
 * the transaction changes anything (may be NULL). */
yb_nhsa_decode_fn *yb_nhsa_decoder_find(const char *infno, bool *writes);
/* Iterate the table (the fuzz target): NULL past the end. */
const char *yb_nhsa_decoder_at(int i, yb_nhsa_decode_fn **fn);

/* 9001 */
typedef struct yb_nhsa_in_sign_in {
	const char *opter_no, *mac, *ip;
} yb_nhsa_in_sign_in;
/* 9002 */
typedef struct yb_nhsa_in_sign_out {
	const char *sign_no, *opter_no;  /* sign_no "" → the envelope's */
} yb_nhsa_in_sign_out;
/* 1101 */
typedef struct yb_nhsa_in_person {
	const char *cert_type, *cert_no;
} yb_nhsa_in_person;
/* 5206 */
typedef struct yb_nhsa_in_cum {
	const char *psn_no, *cum_ym;
	int year;
} yb_nhsa_in_cum;
/* 2202 */
typedef struct yb_nhsa_in_visit_cancel {
	const char *psn_no, *mdtrt_id, *ipt_otp_no;
} yb_nhsa_in_visit_cancel;
/* 2203 */
typedef struct yb_nhsa_in_visit_info {
	const char *mdtrt_id, *psn_no, *med_type, *dise_codg;
} yb_nhsa_in_visit_info;
/* 2204, 2301: every line, all checked before anything is kept */
typedef struct yb_nhsa_in_fees {
	int n;
	yb_nhsa_fee lines[];
} yb_nhsa_in_fees;
/* 2205 (chrg_bchno, "0000" all) and 2302 (feedetl_sn, "0000" all) */
typedef struct yb_nhsa_in_fee_cancel {
	const char *mdtrt_id, *psn_no;
	const char *chrg_bchno;          /* 2205; NULL for 2302 */
	const char *feedetl_sn;          /* 2302; NULL for 2205 */
} yb_nhsa_in_fee_cancel;
/* 2208, 2305, 5203 */
typedef struct yb_nhsa_in_setl_ref {
	const char *setl_id, *mdtrt_id, *psn_no;
} yb_nhsa_in_setl_ref;
/* 3201 (acct) and 3202 (cash, file_qury_no) */
typedef struct yb_nhsa_in_stmt {
	const char *insutype;            /* 3201; "" (all) for 3202 */
	const char *setl_optins, *file_qury_no;
	yb_date begin, end;
	int64_t medfee_fen, fund_fen, acct_fen, cash_fen, count;
} yb_nhsa_in_stmt;
/* 2601 */
typedef struct yb_nhsa_in_reversal {
	const char *psn_no, *omsgid, *oinfno;
} yb_nhsa_in_reversal;

/* A field that is a date-time "yyyy-MM-dd HH:mm:ss" ("" when optional
 * and absent).  For the decoders. */
int yb_nhsa_get_datetime(const json_t *o, const char *where,
			 const char *name, bool required, const char **out,
			 yb_err *err);

/* For the decoders whose input is required strings of input.data: each
 * field's name, length and place (a const char * member) in the request.
 * yb_nhsa_in_strings makes the request (`size` bytes) and fills them. */
typedef struct yb_nhsa_field {
	const char *name;
	size_t max;
	size_t offset;
} yb_nhsa_field;
#define YB_NHSA_FIELD(type, member, max) { #member, max, offsetof(type, member) }
int yb_nhsa_in_strings(const yb_nhsa_env *env, const yb_nhsa_field *f,
		       size_t n, size_t size, void **req, yb_err *err);

/* For the decoders: a zeroed request of `size` bytes (or out_of_memory),
 * and its end — *req = r when rc is 0, else r freed and -1. */
void *yb_nhsa_req_new(size_t size, yb_err *err);
int yb_nhsa_req_end(int rc, void *r, void **req);

/* Longest mdtrt_cert_no: 50 (NHSA.md), except yibao's e-credential
 * tokens (type 01), which are signed and longer (docs/NHSA.md). */
size_t yb_nhsa_cert_no_max(const char *cert_type);

/* nhsa_in_base.c */
yb_nhsa_decode_fn yb_nhsa_in_9001, yb_nhsa_in_9002, yb_nhsa_in_1101,
	yb_nhsa_in_5206, yb_nhsa_in_2601;
/* nhsa_in_visit.c: 2201 (a yb_nhsa_visit), 2202, 2203, 2204/2301, 2205,
 * 2302 */
yb_nhsa_decode_fn yb_nhsa_in_2201, yb_nhsa_in_2202, yb_nhsa_in_2203,
	yb_nhsa_in_fee_lines, yb_nhsa_in_2205, yb_nhsa_in_2302;
/* nhsa_in_setl.c: 2206/2207 and 2303/2304 (a yb_nhsa_setl_req), 2208/
 * 2305/5203, 3201, 3202 */
yb_nhsa_decode_fn yb_nhsa_in_setl_otp, yb_nhsa_in_setl_ipt,
	yb_nhsa_in_setl_named, yb_nhsa_in_3201, yb_nhsa_in_3202;

#endif
