/*
 * nhsa_txn_setl.c — 2206/2303 pre-settlement, 2207/2304 settlement,
 * 2208/2305 revocation, 5203 settlement query, 3201 reconciliation and
 * the stmtinfo 3202 shares (NHSA.md §2; 3202 itself: nhsa_txn_file.c).  The settlement's output (setlinfo, setldetail[]; the
 * same for a stay: NHSA.md "Output setlinfo and setldetail[] as in
 * 2207") is written by nhsa_setlinfo.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhsa/nhsa_json.h"
#include "nhsa/nhsa_txn.h"

static int settle(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		  bool preview, yb_nhsa_out *out, yb_err *err)
{
	yb_nhsa_setl *s = malloc(sizeof *s);
	int rc = -1;

	if (!s)
		return yb_errf(err, "out_of_memory", "out of memory");
	if (yb_nhsa_settle(ctx, req, preview, s, &out->repeat, err) < 0) {
		free(s);
		return -1;
	}
	if (preview) {
		out->output = yb_nhsa_setl_output(ctx, env, s, false, 1, false);
		free(s);
		return out->output ? 0 : yb_errf(err, "out_of_memory",
						 "out of memory");
	}
	/* The settlement itself: its reply is kept as these facts and
	 * rendered off the writer (nhsa_kept.c). */
	out->setl = s;
	out->effect = json_pack("{s:s}", "setl_id", s->setl_id);  /* for 2601 */
	rc = out->effect ? 0 : yb_errf(err, "out_of_memory", "out of memory");
	return rc;
}

/* 2206 and 2303 */
int yb_nhsa_setl_preview(yb_ctx *ctx, const yb_nhsa_env *env,
			 const void *req, yb_nhsa_out *out, yb_err *err)
{
	return settle(ctx, env, req, true, out, err);
}

void yb_nhsa_setl_prepare(void *req)
{
	yb_nhsa_setl_req_hash(req);
}

/* 2207 and 2304 */
int yb_nhsa_setl_create(yb_ctx *ctx, const yb_nhsa_env *env,
			const void *req, yb_nhsa_out *out, yb_err *err)
{
	return settle(ctx, env, req, false, out, err);
}

/* 2208/2305 (revoke) and 5203 (read) name a settlement the same way and
 * answer setlinfo + setldetail: the reversal's negated, the query's with
 * its extra fields.  `revoke`: 0 read, 1 outpatient, 2 inpatient. */
static int setl_named(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		      int revoke, yb_nhsa_out *out, yb_err *err)
{
	const yb_nhsa_in_setl_ref *r = req;
	yb_nhsa_setl *s = malloc(sizeof *s);
	int rc = -1;

	if (!s)
		return yb_errf(err, "out_of_memory", "out of memory");
	if ((revoke ? yb_nhsa_revoke(ctx, r->setl_id, r->mdtrt_id, r->psn_no,
				     revoke == 2, s, err)
		    : yb_nhsa_setl_get(ctx, r->setl_id, r->mdtrt_id, r->psn_no,
				       s, err)) == 0) {
		out->output = yb_nhsa_setl_output(ctx, env, s, true,
						  revoke ? -1 : 1, !revoke);
		rc = out->output ? 0 : yb_errf(err, "out_of_memory",
					       "out of memory");
	}
	free(s);
	return rc;
}

int yb_nhsa_2208(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	return setl_named(ctx, env, req, 1, out, err);
}

int yb_nhsa_2305(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	return setl_named(ctx, env, req, 2, out, err);
}

int yb_nhsa_5203(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	return setl_named(ctx, env, req, 0, out, err);
}

/* ---- 3201 / 3202 ----------------------------------------------------------- */

json_t *yb_nhsa_stmtinfo(const char *optins, const yb_nhsa_stmt_field *f,
			  int n)
{
	char dscr[600] = "";
	size_t at = 0;
	bool equal = true;

	for (int i = 0; i < n; i++) {
		if (f[i].ours == f[i].theirs)
			continue;
		equal = false;
		if (f[i].money)
			at += (size_t)snprintf(dscr + at, sizeof dscr - at,
				"%s%s 本方%lld.%02lld 贵方%lld.%02lld",
				at ? "；" : "", f[i].label,
				(long long)(f[i].ours / 100), (long long)(f[i].ours % 100),
				(long long)(f[i].theirs / 100),
				(long long)(f[i].theirs % 100));
		else
			at += (size_t)snprintf(dscr + at, sizeof dscr - at,
				"%s%s 本方%lld 贵方%lld", at ? "；" : "",
				f[i].label, (long long)f[i].ours,
				(long long)f[i].theirs);
		if (at >= sizeof dscr)
			at = sizeof dscr - 1;
	}
	return json_pack("{s:s, s:s, s:s}", "setl_optins", optins, "stmt_rslt",
			 equal ? "0" : "1", "stmt_rslt_dscr",
			 equal ? "对账相符" : dscr);
}

int yb_nhsa_3201(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	const yb_nhsa_in_stmt *r = req;
	yb_nhsa_totals ours;
	json_t *info;

	(void)env;
	if (yb_nhsa_totals_get(ctx, r->insutype, r->begin, r->end, &ours,
			       err) < 0)
		return -1;
	yb_nhsa_stmt_field f[] = {
		{ "医疗费总额", ours.medfee_fen, r->medfee_fen, true },
		{ "基金支付总额", ours.fund_fen, r->fund_fen, true },
		{ "个人账户支付", ours.acct_fen, r->acct_fen, true },
		{ "结算笔数", ours.count, r->count, false },
	};
	info = yb_nhsa_stmtinfo(r->setl_optins, f, 4);
	out->output = info ? json_pack("{s:o}", "stmtinfo", info) : NULL;
	return out->output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}
