/*
 * nhsa_txn_visit.c — 2201/2202 outpatient registration, 2203 visit
 * information, 2204/2205 fee details (NHSA.md §2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhsa/nhsa_json.h"
#include "nhsa/nhsa_txn.h"

#define W "input.data"

static int datetime_field(const json_t *o, const char *where,
			  const char *name, bool required, const char **out,
			  yb_err *err)
{
	yb_time t;

	if (yb_nhsa_get_str(o, where, name, 19, required, out, err) < 0)
		return -1;
	if (**out && !yb_nhsa_parse_datetime(*out, &t))
		return yb_errf(err, "nhsa.invalid_field", "%s.%s", where, name);
	return 0;
}

int yb_nhsa_2201(yb_ctx *ctx, const yb_nhsa_env *env, json_t **output,
		 yb_err *err)
{
	static const struct { const char *name; size_t max; } more[] = {
		{ "atddr_no", 30 }, { "dr_name", 50 }, { "dept_code", 30 },
		{ "dept_name", 100 }, { "caty", 6 },
	};
	const char *psn_no, *insutype, *begntime, *ctype, *cno, *otp, *s;
	yb_nhsa_visit in, out;
	json_t *d;

	if (yb_nhsa_get_obj(env->input, "input", "data", true, &d, err) < 0 ||
	    yb_nhsa_get_str(d, W, "psn_no", 30, true, &psn_no, err) < 0 ||
	    yb_nhsa_get_str(d, W, "insutype", 6, true, &insutype, err) < 0 ||
	    datetime_field(d, W, "begntime", true, &begntime, err) < 0 ||
	    yb_nhsa_get_str(d, W, "mdtrt_cert_type", 3, true, &ctype, err) < 0 ||
	    yb_nhsa_get_str(d, W, "mdtrt_cert_no", yb_nhsa_cert_no_max(ctype),
			    true, &cno, err) < 0 ||
	    yb_nhsa_get_str(d, W, "ipt_otp_no", 30, true, &otp, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
		if (yb_nhsa_get_str(d, W, more[i].name, more[i].max, true, &s,
				    err) < 0)
			return -1;
	memset(&in, 0, sizeof in);
	snprintf(in.psn_no, sizeof in.psn_no, "%s", psn_no);
	snprintf(in.insutype, sizeof in.insutype, "%s", insutype);
	snprintf(in.begntime, sizeof in.begntime, "%s", begntime);
	snprintf(in.cert_type, sizeof in.cert_type, "%s", ctype);
	snprintf(in.cert_no, sizeof in.cert_no, "%s", cno);
	snprintf(in.ipt_otp_no, sizeof in.ipt_otp_no, "%s", otp);
	if (strlen(psn_no) >= sizeof in.psn_no)
		return yb_errf(err, "nhsa.person_mismatch", "psn_no");
	if (yb_nhsa_visit_register(ctx, &in, &out, err) < 0)
		return -1;
	*output = json_pack("{s:{s:s, s:s, s:s}}", "data", "mdtrt_id",
			    out.mdtrt_id, "psn_no", out.psn_no, "ipt_otp_no",
			    out.ipt_otp_no);
	return *output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}

int yb_nhsa_2202(yb_ctx *ctx, const yb_nhsa_env *env, json_t **output,
		 yb_err *err)
{
	const char *psn_no, *mdtrt_id, *otp;
	json_t *d;

	if (yb_nhsa_get_obj(env->input, "input", "data", true, &d, err) < 0 ||
	    yb_nhsa_get_str(d, W, "psn_no", 30, true, &psn_no, err) < 0 ||
	    yb_nhsa_get_str(d, W, "mdtrt_id", 30, true, &mdtrt_id, err) < 0 ||
	    yb_nhsa_get_str(d, W, "ipt_otp_no", 30, true, &otp, err) < 0)
		return -1;
	if (yb_nhsa_visit_cancel(ctx, psn_no, mdtrt_id, otp, err) < 0)
		return -1;
	*output = json_object();
	return *output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}

/* 2203's diseinfo[]: every required field of every diagnosis. */
static int check_diseinfo(const json_t *arr, yb_err *err)
{
	static const struct { const char *name; size_t max; } f[] = {
		{ "diag_type", 3 }, { "diag_code", 20 }, { "diag_name", 100 },
		{ "diag_dept", 50 }, { "dise_dor_no", 30 },
		{ "dise_dor_name", 50 }, { "vali_flag", 3 },
	};
	char where[48];
	const char *s;
	int64_t srt;
	size_t i;
	json_t *d;

	json_array_foreach(arr, i, d) {
		snprintf(where, sizeof where, "input.diseinfo[%zu]", i);
		for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
			if (yb_nhsa_get_str(d, where, f[k].name, f[k].max, true,
					    &s, err) < 0)
				return -1;
		if (yb_nhsa_get_int(d, where, "diag_srt_no", 99, true, &srt,
				    err) < 0 ||
		    datetime_field(d, where, "diag_time", true, &s, err) < 0)
			return -1;
	}
	return 0;
}

int yb_nhsa_2203(yb_ctx *ctx, const yb_nhsa_env *env, json_t **output,
		 yb_err *err)
{
	const char *w = "input.mdtrtinfo", *mdtrt_id, *psn_no, *med_type, *s,
		   *dise;
	json_t *m, *dis;

	if (yb_nhsa_get_obj(env->input, "input", "mdtrtinfo", true, &m, err) < 0 ||
	    yb_nhsa_get_str(m, w, "mdtrt_id", 30, true, &mdtrt_id, err) < 0 ||
	    yb_nhsa_get_str(m, w, "psn_no", 30, true, &psn_no, err) < 0 ||
	    yb_nhsa_get_str(m, w, "med_type", 6, true, &med_type, err) < 0 ||
	    datetime_field(m, w, "begntime", true, &s, err) < 0 ||
	    yb_nhsa_get_str(m, w, "main_cond_dscr", 1000, false, &s, err) < 0 ||
	    yb_nhsa_get_str(m, w, "dise_codg", 30, false, &dise, err) < 0 ||
	    yb_nhsa_get_str(m, w, "dise_name", 500, false, &s, err) < 0 ||
	    yb_nhsa_get_arr(env->input, "input", "diseinfo", false, &dis, err) < 0 ||
	    (dis && check_diseinfo(dis, err) < 0))
		return -1;
	if (yb_nhsa_visit_info(ctx, mdtrt_id, psn_no, med_type, dise, err) < 0)
		return -1;
	*output = json_object();
	return *output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}

/* cnt (1e-4) × pric (1e-6) in fen, rounded half up: what
 * det_item_fee_sumamt must be. */
static bool line_amount_ok(int64_t cnt, int64_t pric, int64_t fen)
{
	/* cnt·pric is in 1e-10 yuan = 1e-8 fen. */
	__int128 p = (__int128)cnt * pric;
	__int128 rounded = (p + 50000000) / 100000000;
	return rounded == fen;
}

static int fee_line(const json_t *d, size_t i, yb_nhsa_fee *f, yb_err *err)
{
	static const struct { const char *name; size_t max; } req[] = {
		{ "rx_circ_flag", 3 }, { "medins_list_codg", 150 },
		{ "bilg_dept_codg", 30 }, { "bilg_dept_name", 100 },
		{ "bilg_dr_codg", 30 }, { "bilg_dr_name", 50 },
		{ "hosp_appr_flag", 3 },
	};
	char w[40];
	const char *sn, *mdtrt, *psn, *bch, *list, *s;

	snprintf(w, sizeof w, "input.feedetail[%zu]", i);
	if (yb_nhsa_get_str(d, w, "feedetl_sn", 30, true, &sn, err) < 0 ||
	    yb_nhsa_get_str(d, w, "mdtrt_id", 30, true, &mdtrt, err) < 0 ||
	    yb_nhsa_get_str(d, w, "psn_no", 30, true, &psn, err) < 0 ||
	    yb_nhsa_get_str(d, w, "chrg_bchno", 30, true, &bch, err) < 0 ||
	    datetime_field(d, w, "fee_ocur_time", true, &s, err) < 0 ||
	    yb_nhsa_get_str(d, w, "med_list_codg", 50, true, &list, err) < 0 ||
	    yb_nhsa_get_amount(d, w, "det_item_fee_sumamt", true, &f->amount_fen,
			       err) < 0 ||
	    yb_nhsa_get_fixed(d, w, "cnt", 4, true, &f->cnt, err) < 0 ||
	    yb_nhsa_get_fixed(d, w, "pric", 6, true, &f->pric, err) < 0)
		return -1;
	for (size_t k = 0; k < sizeof req / sizeof req[0]; k++)
		if (yb_nhsa_get_str(d, w, req[k].name, req[k].max, true, &s,
				    err) < 0)
			return -1;
	if (!line_amount_ok(f->cnt, f->pric, f->amount_fen))
		return yb_errf(err, "nhsa.fee_line_mismatch",
			       "%s.det_item_fee_sumamt", w);
	snprintf(f->feedetl_sn, sizeof f->feedetl_sn, "%s", sn);
	snprintf(f->mdtrt_id, sizeof f->mdtrt_id, "%s", mdtrt);
	snprintf(f->psn_no, sizeof f->psn_no, "%s", psn);
	snprintf(f->chrg_bchno, sizeof f->chrg_bchno, "%s", bch);
	snprintf(f->med_list_codg, sizeof f->med_list_codg, "%s", list);
	return 0;
}

/* 2204's result[] element: every line is in the policy's scope (N5). */
static json_t *fee_result(const yb_nhsa_fee *f)
{
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
			 "s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "feedetl_sn", f->feedetl_sn,
			 "det_item_fee_sumamt", yb_nhsa_jamount(f->amount_fen),
			 "cnt", yb_nhsa_jfixed(f->cnt, 4),
			 "pric", yb_nhsa_jfixed(f->pric, 6),
			 "pric_uplmt_amt", yb_nhsa_jfixed(f->pric, 6),
			 "selfpay_prop", yb_nhsa_jratio(0),
			 "fulamt_ownpay_amt", yb_nhsa_jamount(0),
			 "overlmt_amt", yb_nhsa_jamount(0),
			 "preselfpay_amt", yb_nhsa_jamount(0),
			 "inscp_scp_amt", yb_nhsa_jamount(f->amount_fen),
			 "chrgitm_lv", "01", "med_chrgitm_type", "",
			 "bas_medn_flag", "0", "hi_nego_drug_flag", "0",
			 "chld_medc_flag", "0", "list_sp_item_flag", "0",
			 "lmt_used_flag", "0", "drt_reim_flag", "0", "memo", "");
}

int yb_nhsa_2204(yb_ctx *ctx, const yb_nhsa_env *env, json_t **output,
		 yb_err *err)
{
	yb_nhsa_fee *lines = NULL;
	json_t *arr, *d, *res = NULL;
	size_t i, n;
	int rc = -1;

	if (yb_nhsa_get_arr(env->input, "input", "feedetail", true, &arr,
			    err) < 0)
		return -1;
	n = json_array_size(arr);
	if (n == 0 || n > 500)
		return yb_errf(err, "nhsa.invalid_field",
			       "input.feedetail: 1 to 500 lines");
	lines = calloc(n, sizeof *lines);
	if (!lines)
		return yb_errf(err, "out_of_memory", "out of memory");
	json_array_foreach(arr, i, d)
		if (fee_line(d, i, &lines[i], err) < 0)
			goto out;
	if (yb_nhsa_fee_upload(ctx, lines, (int)n, err) < 0)
		goto out;
	res = json_array();
	for (i = 0; res && i < n; i++)
		json_array_append_new(res, fee_result(&lines[i]));
	*output = json_pack("{s:o}", "result", res ? res : json_array());
	rc = *output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
out:
	free(lines);
	return rc;
}

int yb_nhsa_2205(yb_ctx *ctx, const yb_nhsa_env *env, json_t **output,
		 yb_err *err)
{
	const char *mdtrt_id, *bch, *psn_no;
	json_t *d;
	int removed;

	if (yb_nhsa_get_obj(env->input, "input", "data", true, &d, err) < 0 ||
	    yb_nhsa_get_str(d, W, "mdtrt_id", 30, true, &mdtrt_id, err) < 0 ||
	    yb_nhsa_get_str(d, W, "chrg_bchno", 30, true, &bch, err) < 0 ||
	    yb_nhsa_get_str(d, W, "psn_no", 30, true, &psn_no, err) < 0)
		return -1;
	if (yb_nhsa_fee_cancel(ctx, mdtrt_id, bch, psn_no, &removed, err) < 0)
		return -1;
	*output = json_object();
	return *output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}
