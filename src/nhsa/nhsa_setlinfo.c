/*
 * nhsa_setlinfo.c — the output of every transaction that answers a
 * settlement (2206/2207, 2303/2304, 2208/2305, 5203): setlinfo with every
 * field NHSA.md lists, in its order, and setldetail[] by fund type.
 *
 * Written as text (core/jsonw.h), not as a json_t tree: a 2207's reply is
 * made inside the group-commit writer's transaction, and building and
 * freeing fifty small JSON values there cost as much as the settlement's
 * own ledger posting (docs/BENCHMARKS.md).  The text goes into the reply
 * as a raw value (yb_nhsa_raw).
 */
#include <stdio.h>
#include <string.h>

#include "core/fundpolicy.h"
#include "core/jsonw.h"
#include "nhsa/nhsa_json.h"
#include "nhsa/nhsa_txn.h"

/* clr_type [inferred, NHSA.md §3]: the med_type family. */
static const char *clr_type_of(const char *med_type)
{
	switch (yb_fund_visit_of_med_type(med_type)) {
	case YB_VISIT_INPATIENT: return "21";
	case YB_VISIT_PHARMACY:  return "41";
	default:                 return "11";
	}
}

static void amt(yb_jw *w, const char *key, int64_t fen)
{
	yb_jw_key(w, key);
	yb_nhsa_jw_fixed(w, fen, 2);
}

/* The person part of setlinfo. */
static void person(yb_jw *w, const yb_nhsa_setl *s)
{
	char brdy[11];
	int by, bm, bd, ty, tm, td, age;

	yb_date_format(s->person.birth_date, brdy, sizeof brdy);
	yb_date_to_ymd(s->person.birth_date, &by, &bm, &bd);
	yb_date_to_ymd(yb_date_of(s->at), &ty, &tm, &td);
	age = ty - by - (tm < bm || (tm == bm && td < bd));
	yb_jw_kstr(w, "psn_no", s->person.ssn);
	yb_jw_kstr(w, "psn_name", s->person.name);
	yb_jw_raw(w, ",\"psn_cert_type\":\"01\"");
	yb_jw_kstr(w, "certno", s->person.id_number);
	yb_jw_raw(w, s->person.sex == YB_SEX_MALE
			? ",\"gend\":\"1\",\"naty\":\"\""
			: ",\"gend\":\"2\",\"naty\":\"\"");
	yb_jw_kstr(w, "brdy", brdy);
	yb_jw_kint(w, "age", age < 0 ? 0 : age);
	yb_jw_kstr(w, "insutype", s->insutype);
	yb_jw_raw(w, s->person.scheme == YB_SCHEME_RESIDENT
			? ",\"psn_type\":\"1501\",\"cvlserv_flag\":\"0\""
			: ",\"psn_type\":\"1101\",\"cvlserv_flag\":\"0\"");
}

/* The money of setlinfo, NHSA.md's order; sign -1 for a revocation.
 * 5203 (query) calls psn_part_amt psn_pay and psn_cash_pay cash_payamt,
 * at the end. */
static void money(yb_jw *w, const yb_nhsa_setl *s, int sign, bool query)
{
	amt(w, "medfee_sumamt", sign * s->medfee_fen);
	amt(w, "fulamt_ownpay_amt", sign * s->fulamt_ownpay_fen);
	/* Amounts yibao has none of: one literal each run (the reply of a
	 * 2207 is written on the group-commit writer). */
	yb_jw_raw(w, ",\"overlmt_selfpay\":0.00,\"preselfpay_amt\":0.00");
	amt(w, "inscp_scp_amt", sign * s->inscp_fen);
	amt(w, "act_pay_dedc", sign * s->dedc_fen);
	amt(w, "hifp_pay", sign * s->fund_fen);
	yb_jw_key(w, "pool_prop_selfpay");
	yb_nhsa_jw_fixed(w, s->ratio_bp, 4);
	yb_jw_raw(w, ",\"cvlserv_pay\":0.00,\"hifes_pay\":0.00,"
		  "\"hifmi_pay\":0.00,\"hifob_pay\":0.00,\"maf_pay\":0.00,"
		  "\"oth_pay\":0.00");
	amt(w, "fund_pay_sumamt", sign * s->fund_fen);
	if (!query)
		amt(w, "psn_part_amt", sign * (s->medfee_fen - s->fund_fen));
	amt(w, "acct_pay", sign * s->acct_fen);
	if (!query)
		amt(w, "psn_cash_pay", sign * s->cash_fen);
	yb_jw_raw(w, ",\"hosp_part_amt\":0.00");
	amt(w, "balc", s->balc_fen);
	amt(w, "acct_mulaid_pay", sign * s->mulaid_fen);
}

/* 5203's extra fields (NHSA.md). */
static void query_extras(yb_jw *w, const yb_ctx *ctx, const yb_nhsa_env *env,
			 const yb_nhsa_setl *s)
{
	char day[11], y[5], t[20];
	static const char *const empty[] = {
		"dise_codg", "dise_name", "invono", "opter_id", "opter_name",
	};

	yb_nhsa_date_str(s->at, day);
	snprintf(y, sizeof y, "%.4s", day);
	yb_nhsa_format_datetime(s->at, t);
	amt(w, "psn_pay", s->medfee_fen - s->fund_fen);
	amt(w, "cash_payamt", s->cash_fen);
	yb_jw_kstr(w, "flxempe_flag", "0");
	yb_jw_kstr(w, "nwb_flag", "0");
	yb_jw_kstr(w, "insu_optins", s->person.region);
	yb_jw_kstr(w, "emp_name", "");
	yb_jw_kstr(w, "pay_loc", "2");
	yb_jw_kstr(w, "fixmedins_code", ctx->actor.institution_code);
	yb_jw_kstr(w, "fixmedins_name", env->fixmedins_name);
	yb_jw_kstr(w, "hosp_lv", "");
	yb_jw_kstr(w, "fixmedins_poolarea", ctx->settings->region);
	yb_jw_kstr(w, "lmtpric_hosp_lv", "");
	yb_jw_kstr(w, "dedc_hosp_lv", "");
	yb_jw_kstr(w, "begndate", day);
	yb_jw_kstr(w, "enddate", day);
	yb_jw_kstr(w, "refd_setl_flag", s->revoked ? "1" : "0");
	yb_jw_kstr(w, "year", y);
	for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++)
		yb_jw_kstr(w, empty[i], "");
	yb_jw_kstr(w, "opt_time", t);
}

/* ctx and env are read only for 5203 (query); region is clr_optins. */
static void setlinfo(yb_jw *w, const yb_ctx *ctx, const yb_nhsa_env *env,
		     const char *region, const yb_nhsa_setl *s, bool with_id,
		     int sign, bool query)
{
	char t[20], rid[32] = "R";
	size_t n = strnlen(s->setl_id, sizeof rid - 2);

	yb_nhsa_format_datetime(sign < 0 ? s->revoked_at : s->at, t);
	memcpy(rid + 1, s->setl_id, n);     /* "R" + setl_id for a reversal */
	rid[n + 1] = '\0';
	yb_jw_raw(w, "{");
	if (with_id)
		yb_jw_kstr(w, "setl_id", sign < 0 ? rid : rid + 1);
	yb_jw_kstr(w, "mdtrt_id", s->mdtrt_id);
	person(w, s);
	yb_jw_kstr(w, "setl_time", t);
	yb_jw_kstr(w, "mdtrt_cert_type", s->cert_type);
	yb_jw_kstr(w, "med_type", s->med_type);
	money(w, s, sign, query);
	yb_jw_kstr(w, "medins_setl_id", s->msgid);
	yb_jw_kstr(w, "clr_optins", region);
	yb_jw_raw(w, ",\"clr_way\":\"1\"");
	yb_jw_kstr(w, "clr_type", clr_type_of(s->med_type));
	if (query)
		query_extras(w, ctx, env, s);
	yb_jw_raw(w, "}");
}

/* One element of setldetail[] up to its setl_proc_info, whose value
 * (and the closing brace) the caller writes. */
static void detail(yb_jw *w, const char *type, int64_t scope, int64_t limit,
		   int64_t paid, const char *name)
{
	yb_jw_sep(w);
	yb_jw_raw(w, "{");
	yb_jw_kstr(w, "fund_pay_type", type);
	amt(w, "inscp_scp_amt", scope);
	amt(w, "crt_payb_lmt_amt", limit);
	amt(w, "fund_payamt", paid);
	yb_jw_kstr(w, "fund_pay_type_name", name);
	yb_jw_key(w, "setl_proc_info");
}

/* setldetail[]: the pooled fund, and the personal accounts (310200). */
static void setldetail(yb_jw *w, const yb_nhsa_setl *s, int sign)
{
	bool res = strcmp(s->insutype, "390") == 0;

	yb_jw_raw(w, "[");
	detail(w, res ? "390100" : "310100", sign * s->inscp_fen,
	       sign * (s->inscp_fen - s->dedc_fen), sign * s->fund_fen,
	       res ? "城乡居民基本医疗保险统筹基金" : "职工基本医疗保险统筹基金");
	/* "符合范围x.xx，起付线x.xx，支付比例x.xx%": the amounts are never
	 * negative, nothing in it to escape (not snprintf: on the writer) */
	yb_jw_raw(w, "\"符合范围");
	yb_nhsa_jw_fixed(w, s->inscp_fen, 2);
	yb_jw_raw(w, "，起付线");
	yb_nhsa_jw_fixed(w, s->dedc_fen, 2);
	yb_jw_raw(w, "，支付比例");
	yb_nhsa_jw_fixed(w, s->ratio_bp, 2);
	yb_jw_raw(w, "%\"}");
	if (s->acct_fen > 0) {
		detail(w, "310200", sign * s->acct_fen, sign * s->acct_fen,
		       sign * s->acct_fen, "职工个人账户");
		yb_jw_raw(w, s->mulaid_fen > 0 ? "\"本人账户及家庭共济账户支付\"}"
					       : "\"本人账户支付\"}");
	}
	yb_jw_raw(w, "]");
}

static void write_output(yb_jw *w, const yb_ctx *ctx,
			 const yb_nhsa_env *env, const char *region,
			 const yb_nhsa_setl *s, bool with_id, int sign,
			 bool query)
{
	yb_jw_raw(w, "{");
	yb_jw_key(w, "setlinfo");
	setlinfo(w, ctx, env, region, s, with_id, sign, query);
	yb_jw_key(w, "setldetail");
	setldetail(w, s, sign);
	yb_jw_raw(w, "}");
}

static json_t *output(const yb_ctx *ctx, const yb_nhsa_env *env,
		      const char *region, const yb_nhsa_setl *s, bool with_id,
		      int sign, bool query)
{
	yb_jw w = YB_JW_INIT;

	write_output(&w, ctx, env, region, s, with_id, sign, query);
	return yb_nhsa_raw(yb_jw_take(&w, NULL));
}

json_t *yb_nhsa_setl_output(const yb_ctx *ctx, const yb_nhsa_env *env,
			    const yb_nhsa_setl *s, bool with_id, int sign,
			    bool query)
{
	return output(ctx, env, ctx->settings->region, s, with_id, sign,
		      query);
}

void yb_nhsa_setl_render(yb_jw *w, const char *region,
			 const yb_nhsa_setl *s)
{
	write_output(w, NULL, NULL, region, s, true, 1, false);
}
