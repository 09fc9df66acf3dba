/*
 * nhsa_file.h — the use cases of the national interface's files
 * (docs/NHSA.md "Files"): keep a file for the acting institution (9101's
 * detail file, 3202's result file), give one back to it (9102, 3202),
 * and compare a detail file's settlements with the institution's own,
 * line by line (3202).
 *
 * The bytes and lines are the edge's business (src/nhsa/nhsa_file.h:
 * base64, zip, the line format); here are the rows, the store and the
 * rules: only the institution that kept a file uses it, and not after
 * its dld_endtime.
 */
#ifndef YB_SERVICE_NHSA_FILE_H
#define YB_SERVICE_NHSA_FILE_H

#include "service/ctx.h"
#include "store/store.h"

/* How long a file may be used after it was kept [inferred]: 7 days. */
#define YB_NHSA_FILE_KEEP_SECONDS (7 * 86400)

/* One line of a detail file (NHSA.md 3202's columns, in that order). */
typedef struct yb_nhsa_detail {
	char setl_id[31];
	char mdtrt_id[31];
	char psn_no[31];
	int64_t medfee_fen;
	int64_t fund_fen;
	int64_t acct_fen;
	bool refd;                       /* refd_setl_flag 1 */
	int line;                        /* 1-based, for messages */
} yb_nhsa_detail;

/* One row of a result file (NHSA.md 3202: psn_no, mdtrt_id, setl_id,
 * msgid, stmt_rslt, refd_setl_flag, memo, medfee_sumamt,
 * fund_pay_sumamt, acct_pay). */
typedef struct yb_nhsa_result_row {
	char psn_no[31];
	char mdtrt_id[31];
	char setl_id[31];
	char msgid[31];
	bool differs;                    /* stmt_rslt 1 */
	bool refd;
	char memo[256];                  /* why it differs, "" if not */
	int64_t medfee_fen;
	int64_t fund_fen;
	int64_t acct_fen;
} yb_nhsa_result_row;

/* Keep `f->size` bytes as a file of the acting institution: kind,
 * filename, size, sha256, lines and paasid are the caller's;
 * file_qury_no, inst, at and dld_end are set here.  Audited
 * nhsa.file.<kind> (action nhsa.file, role institution). */
int yb_nhsa_file_keep(yb_ctx *ctx, yb_nhsa_file *f, const void *data,
		      yb_err *err);

/* The acting institution's file `file_qury_no` (its filename must be
 * `filename` and its kind `kind`, unless NULL), still usable; with
 * `data` its bytes (malloc'd).  nhsa.file_not_found (also another
 * institution's), nhsa.file_expired. */
int yb_nhsa_file_fetch(yb_ctx *ctx, const char *file_qury_no,
		       const char *filename, const char *kind,
		       yb_nhsa_file *out, void **data, yb_err *err);

/* What a detail comparison found, in settlements. */
typedef struct yb_nhsa_recon_sum {
	int ours, theirs;                /* rows on each side */
	int only_ours, only_theirs;      /* missing on the other side */
	int amounts;                     /* amounts differ */
	int refd;                        /* revoked on one side only */
	int ids;                         /* mdtrt_id or psn_no differ */
} yb_nhsa_recon_sum;

/* 3201/3202: authorize a reconciliation (reconciliation.compare) of
 * [begin, end] — local dates, at most a year, else
 * reconciliation.invalid — and open its read transaction. */
int yb_nhsa_recon_begin(yb_ctx *ctx, yb_date begin, yb_date end,
			yb_err *err);

/* 3202: the acting institution's settlements of [begin, end] (local
 * dates, at most a year; revoked ones too, as refd_setl_flag 1) against
 * `theirs` (sorted by setl_id), one result row per setl_id of either
 * side, sorted by it.  *rows malloc'd.  reconciliation.invalid. */
int yb_nhsa_recon_detail(yb_ctx *ctx, const yb_nhsa_detail *theirs, int n,
			 yb_date begin, yb_date end, yb_nhsa_result_row **rows,
			 int *nrows, yb_nhsa_recon_sum *sum, yb_err *err);

#endif
