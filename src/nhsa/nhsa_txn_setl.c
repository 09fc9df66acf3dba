/*
 * nhsa_txn_setl.c — 2206/2303 pre-settlement, 2207/2304 settlement,
 * 2208/2305 revocation, 5203 settlement query, 3201/3202 reconciliation
 * (NHSA.md §2): setlinfo with every field NHSA.md lists, setldetail[] by
 * fund type (the same for a stay: NHSA.md "Output setlinfo and
 * setldetail[] as in 2207").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fundpolicy.h"
#include "nhsa/nhsa_json.h"
#include "nhsa/nhsa_txn.h"

static json_t *amt(int64_t fen, int sign)
{
	return yb_nhsa_jamount(sign * fen);
}

/* clr_type [inferred, NHSA.md §3]: the med_type family. */
static const char *clr_type_of(const char *med_type)
{
	switch (yb_fund_visit_of_med_type(med_type)) {
	case YB_VISIT_INPATIENT: return "21";
	case YB_VISIT_PHARMACY:  return "41";
	default:                 return "11";
	}
}

static void set_s(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, json_string(v ? v : ""));
}

static void set_o(json_t *o, const char *k, json_t *v)
{
	json_object_set_new(o, k, v ? v : json_null());
}

/* The person part of setlinfo. */
static void setl_person(json_t *o, const yb_ctx *ctx, const yb_nhsa_setl *s)
{
	char brdy[11];
	int by, bm, bd, ty, tm, td, age;

	yb_date_format(s->person.birth_date, brdy, sizeof brdy);
	yb_date_to_ymd(s->person.birth_date, &by, &bm, &bd);
	yb_date_to_ymd(yb_date_of(s->at), &ty, &tm, &td);
	age = ty - by - (tm < bm || (tm == bm && td < bd));
	set_s(o, "psn_no", s->person.ssn);
	set_s(o, "psn_name", s->person.name);
	set_s(o, "psn_cert_type", "01");
	set_s(o, "certno", s->person.id_number);
	set_s(o, "gend", s->person.sex == YB_SEX_MALE ? "1" : "2");
	set_s(o, "naty", "");
	set_s(o, "brdy", brdy);
	set_o(o, "age", json_integer(age < 0 ? 0 : age));
	set_s(o, "insutype", s->insutype);
	set_s(o, "psn_type", s->person.scheme == YB_SCHEME_RESIDENT ? "1501"
								    : "1101");
	set_s(o, "cvlserv_flag", "0");
	(void)ctx;
}

/* setlinfo in NHSA.md's order; sign -1 for 2208's reversal. */
static json_t *setlinfo(const yb_ctx *ctx, const yb_nhsa_setl *s,
			bool with_id, int sign)
{
	json_t *o = json_object();
	char t[20], rid[32];
	int64_t psn_part = s->medfee_fen - s->fund_fen;

	if (!o)
		return NULL;
	yb_nhsa_format_datetime(sign < 0 ? s->revoked_at : s->at, t);
	snprintf(rid, sizeof rid, "%s%s", sign < 0 ? "R" : "", s->setl_id);
	if (with_id)
		set_s(o, "setl_id", rid);
	set_s(o, "mdtrt_id", s->mdtrt_id);
	setl_person(o, ctx, s);
	set_s(o, "setl_time", t);
	set_s(o, "mdtrt_cert_type", s->cert_type);
	set_s(o, "med_type", s->med_type);
	set_o(o, "medfee_sumamt", amt(s->medfee_fen, sign));
	set_o(o, "fulamt_ownpay_amt", amt(s->fulamt_ownpay_fen, sign));
	set_o(o, "overlmt_selfpay", amt(0, sign));
	set_o(o, "preselfpay_amt", amt(0, sign));
	set_o(o, "inscp_scp_amt", amt(s->inscp_fen, sign));
	set_o(o, "act_pay_dedc", amt(s->dedc_fen, sign));
	set_o(o, "hifp_pay", amt(s->fund_fen, sign));
	set_o(o, "pool_prop_selfpay", yb_nhsa_jratio(s->ratio_bp));
	set_o(o, "cvlserv_pay", amt(0, sign));
	set_o(o, "hifes_pay", amt(0, sign));
	set_o(o, "hifmi_pay", amt(0, sign));
	set_o(o, "hifob_pay", amt(0, sign));
	set_o(o, "maf_pay", amt(0, sign));
	set_o(o, "oth_pay", amt(0, sign));
	set_o(o, "fund_pay_sumamt", amt(s->fund_fen, sign));
	set_o(o, "psn_part_amt", amt(psn_part, sign));
	set_o(o, "acct_pay", amt(s->acct_fen, sign));
	set_o(o, "psn_cash_pay", amt(s->cash_fen, sign));
	set_o(o, "hosp_part_amt", amt(0, sign));
	set_o(o, "balc", yb_nhsa_jamount(s->balc_fen));
	set_o(o, "acct_mulaid_pay", amt(s->mulaid_fen, sign));
	set_s(o, "medins_setl_id", s->msgid);
	set_s(o, "clr_optins", ctx->settings->region);
	set_s(o, "clr_way", "1");
	set_s(o, "clr_type", clr_type_of(s->med_type));
	return o;
}

/* setldetail[]: the pooled fund, and the personal accounts (310200). */
static json_t *setldetail(const yb_nhsa_setl *s, int sign)
{
	bool res = strcmp(s->insutype, "390") == 0;
	char proc[200];
	json_t *a = json_array();

	if (!a)
		return NULL;
	snprintf(proc, sizeof proc,
		 "符合范围%lld.%02lld，起付线%lld.%02lld，支付比例%lld.%02lld%%",
		 (long long)(s->inscp_fen / 100), (long long)(s->inscp_fen % 100),
		 (long long)(s->dedc_fen / 100), (long long)(s->dedc_fen % 100),
		 (long long)(s->ratio_bp / 100), (long long)(s->ratio_bp % 100));
	json_array_append_new(a, json_pack(
		"{s:s, s:o, s:o, s:o, s:s, s:s}",
		"fund_pay_type", res ? "390100" : "310100",
		"inscp_scp_amt", amt(s->inscp_fen, sign),
		"crt_payb_lmt_amt", amt(s->inscp_fen - s->dedc_fen, sign),
		"fund_payamt", amt(s->fund_fen, sign),
		"fund_pay_type_name", res ? "城乡居民基本医疗保险统筹基金"
					  : "职工基本医疗保险统筹基金",
		"setl_proc_info", proc));
	if (s->acct_fen > 0)
		json_array_append_new(a, json_pack(
			"{s:s, s:o, s:o, s:o, s:s, s:s}",
			"fund_pay_type", "310200",
			"inscp_scp_amt", amt(s->acct_fen, sign),
			"crt_payb_lmt_amt", amt(s->acct_fen, sign),
			"fund_payamt", amt(s->acct_fen, sign),
			"fund_pay_type_name", "职工个人账户",
			"setl_proc_info", s->mulaid_fen > 0
				? "本人账户及家庭共济账户支付" : "本人账户支付"));
	return a;
}

static int reply_setl(const yb_ctx *ctx, const yb_nhsa_setl *s, bool with_id,
		      int sign, json_t **output, yb_err *err)
{
	json_t *info = setlinfo(ctx, s, with_id, sign);
	json_t *det = setldetail(s, sign);

	*output = info && det ? json_pack("{s:o, s:o}", "setlinfo", info,
					  "setldetail", det)
			      : NULL;
	if (!*output) {
		json_decref(info);
		json_decref(det);
		return yb_errf(err, "out_of_memory", "out of memory");
	}
	return 0;
}

static int settle(yb_ctx *ctx, const void *req, bool preview,
		  json_t **output, yb_err *err)
{
	yb_nhsa_setl *s = malloc(sizeof *s);
	int rc = -1;

	if (!s)
		return yb_errf(err, "out_of_memory", "out of memory");
	if (yb_nhsa_settle(ctx, req, preview, s, NULL, err) == 0)
		rc = reply_setl(ctx, s, !preview, 1, output, err);
	free(s);
	return rc;
}

/* 2206 and 2303 */
int yb_nhsa_setl_preview(yb_ctx *ctx, const yb_nhsa_env *env,
			 const void *req, json_t **output, yb_err *err)
{
	(void)env;
	return settle(ctx, req, true, output, err);
}

/* 2207 and 2304 */
int yb_nhsa_setl_create(yb_ctx *ctx, const yb_nhsa_env *env,
			const void *req, json_t **output, yb_err *err)
{
	(void)env;
	return settle(ctx, req, false, output, err);
}

/* 2601 revokes the settlement a 2207/2304 answered. */
json_t *yb_nhsa_setl_effect(const void *req, const json_t *output)
{
	const char *id = json_string_value(json_object_get(
		json_object_get(output, "setlinfo"), "setl_id"));

	(void)req;
	return id ? json_pack("{s:s}", "setl_id", id) : NULL;
}

/* 5203's extra fields; cash_payamt replaces psn_cash_pay and psn_pay
 * psn_part_amt (NHSA.md). */
static void setl_query_extras(json_t *o, const yb_nhsa_env *env,
			      const yb_ctx *ctx, const yb_nhsa_setl *s)
{
	char day[11], y[5], t[20];

	yb_nhsa_date_str(s->at, day);
	snprintf(y, sizeof y, "%.4s", day);
	yb_nhsa_format_datetime(s->at, t);
	set_o(o, "psn_pay", json_incref(json_object_get(o, "psn_part_amt")));
	set_o(o, "cash_payamt", json_incref(json_object_get(o, "psn_cash_pay")));
	json_object_del(o, "psn_part_amt");
	json_object_del(o, "psn_cash_pay");
	set_s(o, "flxempe_flag", "0");
	set_s(o, "nwb_flag", "0");
	set_s(o, "insu_optins", s->person.region);
	set_s(o, "emp_name", "");
	set_s(o, "pay_loc", "2");
	set_s(o, "fixmedins_code", ctx->actor.institution_code);
	set_s(o, "fixmedins_name", env->fixmedins_name);
	set_s(o, "hosp_lv", "");
	set_s(o, "fixmedins_poolarea", ctx->settings->region);
	set_s(o, "lmtpric_hosp_lv", "");
	set_s(o, "dedc_hosp_lv", "");
	set_s(o, "begndate", day);
	set_s(o, "enddate", day);
	set_s(o, "refd_setl_flag", s->revoked ? "1" : "0");
	set_s(o, "year", y);
	set_s(o, "dise_codg", "");
	set_s(o, "dise_name", "");
	set_s(o, "invono", "");
	set_s(o, "opter_id", "");
	set_s(o, "opter_name", "");
	set_s(o, "opt_time", t);
}

/* 2208/2305 (revoke) and 5203 (read) name a settlement the same way and
 * answer setlinfo + setldetail: the reversal's negated, the query's with
 * its extra fields.  `revoke`: 0 read, 1 outpatient, 2 inpatient. */
static int setl_named(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		      int revoke, json_t **output, yb_err *err)
{
	const yb_nhsa_in_setl_ref *r = req;
	yb_nhsa_setl *s = malloc(sizeof *s);
	int rc = -1;

	if (!s)
		return yb_errf(err, "out_of_memory", "out of memory");
	if ((revoke ? yb_nhsa_revoke(ctx, r->setl_id, r->mdtrt_id, r->psn_no,
				     revoke == 2, s, err)
		    : yb_nhsa_setl_get(ctx, r->setl_id, r->mdtrt_id, r->psn_no,
				       s, err)) < 0 ||
	    reply_setl(ctx, s, true, revoke ? -1 : 1, output, err) < 0)
		goto out;
	if (!revoke)
		setl_query_extras(json_object_get(*output, "setlinfo"), env, ctx,
				  s);
	rc = 0;
out:
	free(s);
	return rc;
}

int yb_nhsa_2208(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 json_t **output, yb_err *err)
{
	return setl_named(ctx, env, req, 1, output, err);
}

int yb_nhsa_2305(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 json_t **output, yb_err *err)
{
	return setl_named(ctx, env, req, 2, output, err);
}

int yb_nhsa_5203(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 json_t **output, yb_err *err)
{
	return setl_named(ctx, env, req, 0, output, err);
}

/* ---- 3201 / 3202 ----------------------------------------------------------- */

typedef struct stmt_field {
	const char *label;               /* in stmt_rslt_dscr */
	int64_t ours, theirs;
	bool money;
} stmt_field;

/* stmt_rslt 0 平 / 1 不平 with the differences named. */
static json_t *stmtinfo(const char *optins, const stmt_field *f, int n)
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
		 json_t **output, yb_err *err)
{
	const yb_nhsa_in_stmt *r = req;
	yb_nhsa_totals ours;
	json_t *info;

	(void)env;
	if (yb_nhsa_totals_get(ctx, r->insutype, r->begin, r->end, &ours,
			       err) < 0)
		return -1;
	stmt_field f[] = {
		{ "医疗费总额", ours.medfee_fen, r->medfee_fen, true },
		{ "基金支付总额", ours.fund_fen, r->fund_fen, true },
		{ "个人账户支付", ours.acct_fen, r->acct_fen, true },
		{ "结算笔数", ours.count, r->count, false },
	};
	info = stmtinfo(r->setl_optins, f, 4);
	*output = info ? json_pack("{s:o}", "stmtinfo", info) : NULL;
	return *output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}

int yb_nhsa_3202(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 json_t **output, yb_err *err)
{
	const yb_nhsa_in_stmt *r = req;
	yb_nhsa_totals ours;
	json_t *info;
	char t[20];

	(void)env;
	if (yb_nhsa_totals_get(ctx, "", r->begin, r->end, &ours, err) < 0)
		return -1;
	stmt_field f[] = {
		{ "医疗费总额", ours.medfee_fen, r->medfee_fen, true },
		{ "基金支付总额", ours.fund_fen, r->fund_fen, true },
		{ "现金支付金额", ours.cash_fen, r->cash_fen, true },
		{ "结算笔数", ours.count, r->count, false },
	};
	/* [inferred] The detail file (9101) is not supported
	 * (docs/NHSA.md says why): the totals the HIS sends are compared,
	 * and the answer carries them in stmtinfo beside the fileinfo node
	 * NHSA.md names. */
	info = stmtinfo(r->setl_optins, f, 4);
	yb_nhsa_format_datetime(yb_ctx_now(ctx), t);
	*output = info ? json_pack("{s:{s:s, s:s, s:s}, s:o}", "fileinfo",
				   "file_qury_no", r->file_qury_no, "filename",
				   "", "dld_endtime", t, "stmtinfo", info)
		       : NULL;
	return *output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}
