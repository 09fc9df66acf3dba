/*
 * nhsa_txn_base.c — 9001 sign-in, 9002 sign-out, 1101 person information,
 * 5206 yearly totals and 2601 reversal (NHSA.md §2; names exactly as
 * there).
 */
#include <stdio.h>
#include <string.h>

#include "core/enums.h"
#include "nhsa/nhsa_json.h"
#include "nhsa/nhsa_txn.h"

static json_t *jstr(const char *s)
{
	return json_string(s ? s : "");
}

int yb_nhsa_9001(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	const yb_nhsa_in_sign_in *r = req;
	char sign_no[31], at_s[20];
	yb_time at;

	(void)env;
	if (yb_nhsa_sign_in(ctx, r->opter_no, r->ip, r->mac, sign_no, &at,
			    err) < 0)
		return -1;
	yb_nhsa_format_datetime(at, at_s);
	out->output = json_pack("{s:{s:s, s:s}}", "signinoutb", "sign_time", at_s,
			    "sign_no", sign_no);
	return out->output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}

int yb_nhsa_9002(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	const yb_nhsa_in_sign_out *r = req;
	char at_s[20];
	yb_time at;

	(void)env;
	if (yb_nhsa_sign_out(ctx, r->sign_no, r->opter_no, &at, err) < 0)
		return -1;
	yb_nhsa_format_datetime(at, at_s);
	/* [inferred] wrapper signoutoutb; the flat sign_time too, since
	 * NHSA.md tells parsers to accept either. */
	out->output = json_pack("{s:{s:s}, s:s}", "signoutoutb", "sign_time", at_s,
			    "sign_time", at_s);
	return out->output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}

/* 2601: output {} (NHSA.md names none). */
int yb_nhsa_2601(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	const yb_nhsa_in_reversal *r = req;
	const char *what;

	if (yb_nhsa_reverse(ctx, r->psn_no, r->omsgid, r->oinfno, env->msgid,
			    &what, err) < 0)
		return -1;
	out->output = json_object();
	return out->output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}

/* Age in whole years on `today` (NHSA 数值 4,1 → a number). */
static int age_of(yb_date birth, yb_date today)
{
	int by, bm, bd, ty, tm, td, age;

	yb_date_to_ymd(birth, &by, &bm, &bd);
	yb_date_to_ymd(today, &ty, &tm, &td);
	age = ty - by;
	if (tm < bm || (tm == bm && td < bd))
		age--;
	return age < 0 ? 0 : age;
}

static json_t *baseinfo(const yb_ctx *ctx, const yb_nhsa_person *p)
{
	char brdy[11];

	yb_date_format(p->person.birth_date, brdy, sizeof brdy);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}",
			 "psn_no", p->person.ssn, "psn_cert_type", "01",
			 "certno", p->person.id_number,
			 "psn_name", p->person.name,
			 "gend", p->person.sex == YB_SEX_MALE ? "1" : "2",
			 "naty", "", "brdy", brdy,
			 "age", age_of(p->person.birth_date, yb_ctx_today(ctx)));
}

static json_t *insuinfo(const yb_nhsa_person *p, const char *emp)
{
	/* psn_insu_stas [inferred]: 1 参保缴费, 2 暂停, 4 终止 */
	const char *stas = p->person.status == YB_STATUS_ACTIVE ? "1"
			 : p->person.status == YB_STATUS_SUSPENDED ? "2" : "4";
	char since[11];
	json_t *o;

	yb_date_format(yb_date_of(p->person.created_at), since, sizeof since);
	o = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		      "balc", yb_nhsa_jamount(p->balance_fen),
		      "insutype", p->insutype, "psn_type", p->psn_type,
		      "psn_insu_stas", stas, "psn_insu_date", since,
		      "paus_insu_date", "", "cvlserv_flag", "0",
		      "insuplc_admdvs", p->person.region, "emp_name", emp);
	return o ? json_pack("[o]", o) : NULL;
}

int yb_nhsa_1101(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	const yb_nhsa_in_person *r = req;
	json_t *base, *insu;
	yb_nhsa_person p;

	(void)env;
	if (yb_nhsa_person_info(ctx, r->cert_type, r->cert_no, &p, err) < 0)
		return -1;
	base = baseinfo(ctx, &p);
	insu = insuinfo(&p, p.person.employer_code);
	out->output = json_pack("{s:o, s:o, s:[]}", "baseinfo", base ? base : jstr(""),
			    "insuinfo", insu ? insu : json_array(), "idetinfo");
	return out->output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}

static const char *const cum_family[] = { "MZ", "YD", "ZY" };   /* visit */

int yb_nhsa_5206(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	const yb_nhsa_in_cum *r = req;
	yb_nhsa_cum cum[YB_NHSA_CUM_MAX];
	const char *cum_ym = r->cum_ym;
	json_t *list;
	int n = 0;

	(void)env;
	if (yb_nhsa_cum_get(ctx, r->psn_no, r->year, cum, &n, err) < 0)
		return -1;
	list = json_array();
	/* [inferred] cum_type_code: <MZ outpatient | YD pharmacy | ZY
	 * inpatient>_<QFX deductible | TC fund | FY medical fees | CS count>;
	 * yearly totals up to now whatever the month (docs/NHSA.md N6). */
	for (int i = 0; list && i < n; i++) {
		const char *fam = cum_family[cum[i].visit];
		struct { const char *k; int64_t v; bool money; } rows[] = {
			{ "QFX", cum[i].dedc_fen, true },
			{ "TC", cum[i].fund_fen, true },
			{ "FY", cum[i].medfee_fen, true },
			{ "CS", cum[i].count * 100, true },
		};
		for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
			char code[11], y[5];
			snprintf(code, sizeof code, "%s_%s", fam, rows[k].k);
			snprintf(y, sizeof y, "%04d", cum[i].year);
			json_array_append_new(list, json_pack(
				"{s:s, s:s, s:s, s:s, s:o}", "insutype",
				cum[i].insutype, "year", y, "cum_ym", cum_ym,
				"cum_type_code", code, "cum",
				yb_nhsa_jamount(rows[k].v)));
		}
	}
	out->output = json_pack("{s:o}", "cumInfo", list ? list : json_array());
	return out->output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}
