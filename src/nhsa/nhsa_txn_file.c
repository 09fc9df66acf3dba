/*
 * nhsa_txn_file.c — the transactions of the national interface's files
 * (docs/NHSA.md "Files"): 9101 keeps an uploaded detail file, 9102 gives
 * a file back, 3202 reconciles a date range by the detail file and keeps
 * its result file for 9102.
 *
 * The bytes, the .zip and the lines are the codec's (nhsa_file.h), the
 * rules the service's (service/nhsa_file.h); 3202 calls three use cases
 * in the writer's one transaction — fetch the detail file, compare,
 * keep the result — so a refusal anywhere keeps nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/hash.h"
#include "nhsa/nhsa_file.h"
#include "nhsa/nhsa_in_file.h"
#include "nhsa/nhsa_txn.h"

static json_t *fileinfo(const yb_nhsa_file *f)
{
	char t[20];

	yb_nhsa_format_datetime(f->dld_end, t);
	return json_pack("{s:s, s:s, s:s}", "file_qury_no", f->file_qury_no,
			 "filename", f->filename, "dld_endtime", t);
}

static int oom(yb_err *err)
{
	return yb_errf(err, "out_of_memory", "out of memory");
}

int yb_nhsa_9101(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	const yb_nhsa_in_upload *r = req;
	yb_nhsa_file f;

	memset(&f, 0, sizeof f);
	snprintf(f.kind, sizeof f.kind, "detail");
	snprintf(f.filename, sizeof f.filename, "%s", r->filename);
	snprintf(f.sha256, sizeof f.sha256, "%s", r->sha256);
	snprintf(f.paasid, sizeof f.paasid, "%s", env->paasid ? env->paasid : "");
	f.size = (int64_t)r->len;
	f.lines = r->lines;
	if (yb_nhsa_file_keep(ctx, &f, r->data, err) < 0)
		return -1;
	/* [inferred] flat in output, as NHSA.md's other outputs of one
	 * record without a node name. */
	out->output = fileinfo(&f);
	return out->output ? 0 : oom(err);
}

int yb_nhsa_9102(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	const yb_nhsa_in_download *r = req;
	yb_nhsa_file f;
	void *data = NULL;
	char *b64;
	size_t b64len;

	(void)env;
	if (yb_nhsa_file_fetch(ctx, r->file_qury_no, r->filename, NULL, &f,
			       &data, err) < 0)
		return -1;
	/* [inferred] the bytes as base64, the encoding Jackson, fastjson and
	 * Json.NET all read into a byte[] (docs/NHSA.md "Files"). */
	b64len = sodium_base64_encoded_len((size_t)f.size,
					   sodium_base64_VARIANT_ORIGINAL);
	b64 = malloc(b64len);
	if (b64)
		sodium_bin2base64(b64, b64len, data, (size_t)f.size,
				  sodium_base64_VARIANT_ORIGINAL);
	free(data);
	out->output = b64 ? json_pack("{s:s, s:s, s:s}", "file_qury_no",
				      f.file_qury_no, "filename", f.filename,
				      "out", b64)
			  : NULL;
	free(b64);
	return out->output ? 0 : oom(err);
}

/* ---- 3202 ---------------------------------------------------------------------------- */

/* The lines of the institution's detail file `file_qury_no`. */
static int detail_rows(yb_ctx *ctx, const char *file_qury_no,
		       yb_nhsa_detail **rows, int *n, yb_err *err)
{
	yb_nhsa_file f;
	void *data = NULL;
	char *text = NULL;
	size_t tlen = 0;
	bool zipped = false;
	int rc;

	if (yb_nhsa_file_fetch(ctx, file_qury_no, NULL, "detail", &f, &data,
			       err) < 0)
		return -1;
	(void)yb_nhsa_filename_ok(f.filename, &zipped);
	rc = yb_nhsa_file_text(data, (size_t)f.size, zipped, &text, &tlen, err);
	if (rc == 0)
		rc = yb_nhsa_detail_parse(text, tlen, rows, n, err);
	free(text);
	free(data);
	return rc;
}

/* Keep the result rows as a .zip of one .txt named after the detail
 * file: <file_qury_no>_RESULT.zip holding <file_qury_no>_RESULT.txt. */
static int keep_result(yb_ctx *ctx, const yb_nhsa_env *env, const char *of,
		       const yb_nhsa_result_row *rows, int n, yb_nhsa_file *f,
		       yb_err *err)
{
	char name[64];
	size_t tlen = 0, zlen = 0;
	unsigned char *zip = NULL;
	char *text = yb_nhsa_result_text(rows, n, &tlen);
	int rc;

	if (!text)
		return oom(err);
	memset(f, 0, sizeof *f);
	snprintf(name, sizeof name, "%.30s_RESULT.txt", of);
	rc = yb_nhsa_zip_one(name, text, tlen, &zip, &zlen, err);
	free(text);
	if (rc < 0)
		return -1;
	snprintf(f->kind, sizeof f->kind, "result");
	snprintf(f->filename, sizeof f->filename, "%.30s_RESULT.zip", of);
	snprintf(f->paasid, sizeof f->paasid, "%s", env->paasid ? env->paasid : "");
	yb_sha256_hex(zip, zlen, f->sha256);
	f->size = (int64_t)zlen;
	f->lines = n;
	rc = yb_nhsa_file_keep(ctx, f, zip, err);
	free(zip);
	return rc;
}

/* stmtinfo of the totals, then the detail's differences: 平 only when
 * both agree. */
static json_t *stmtinfo(const char *optins, const yb_nhsa_stmt_field *f,
			int nf, const yb_nhsa_recon_sum *s)
{
	json_t *info = yb_nhsa_stmtinfo(optins, f, nf);
	const char *totals;
	char dscr[800];
	bool equal;

	if (!info)
		return NULL;
	equal = strcmp(json_string_value(json_object_get(info, "stmt_rslt")),
		       "0") == 0;
	totals = json_string_value(json_object_get(info, "stmt_rslt_dscr"));
	if (s->only_ours + s->only_theirs + s->amounts + s->refd + s->ids == 0) {
		snprintf(dscr, sizeof dscr, "%s；明细%d笔相符", totals, s->ours);
	} else {
		snprintf(dscr, sizeof dscr,
			 "%s%s明细不符 本方%d笔 贵方%d笔：贵方无%d笔，本方无%d笔，"
			 "金额不符%d笔，撤销状态不符%d笔，就诊或人员不符%d笔",
			 equal ? "" : totals, equal ? "" : "；", s->ours,
			 s->theirs, s->only_ours, s->only_theirs, s->amounts,
			 s->refd, s->ids);
		equal = false;
	}
	json_object_set_new(info, "stmt_rslt", json_string(equal ? "0" : "1"));
	json_object_set_new(info, "stmt_rslt_dscr", json_string(dscr));
	return info;
}

int yb_nhsa_3202(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	const yb_nhsa_in_stmt *r = req;
	yb_nhsa_totals ours;
	yb_nhsa_detail *theirs = NULL;
	yb_nhsa_result_row *rows = NULL;
	yb_nhsa_recon_sum sum;
	yb_nhsa_file res;
	json_t *info;
	int nt = 0, nrows = 0, rc = -1;

	if (yb_nhsa_totals_get(ctx, "", r->begin, r->end, &ours, err) < 0 ||
	    detail_rows(ctx, r->file_qury_no, &theirs, &nt, err) < 0 ||
	    yb_nhsa_recon_detail(ctx, theirs, nt, r->begin, r->end, &rows,
				 &nrows, &sum, err) < 0 ||
	    keep_result(ctx, env, r->file_qury_no, rows, nrows, &res, err) < 0)
		goto out;
	yb_nhsa_stmt_field f[] = {
		{ "医疗费总额", ours.medfee_fen, r->medfee_fen, true },
		{ "基金支付总额", ours.fund_fen, r->fund_fen, true },
		{ "现金支付金额", ours.cash_fen, r->cash_fen, true },
		{ "结算笔数", ours.count, r->count, false },
	};
	info = stmtinfo(r->setl_optins, f, 4, &sum);
	out->output = info ? json_pack("{s:o, s:o}", "fileinfo", fileinfo(&res),
				       "stmtinfo", info)
			   : NULL;
	rc = out->output ? 0 : oom(err);
out:
	free(theirs);
	free(rows);
	return rc;
}
