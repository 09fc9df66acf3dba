/*
 * nhsa_in_visit.c — the input decoders of 2201/2202 registration, 2203
 * visit information, 2204/2301 fee details (outpatient and inpatient: the
 * same line, NHSA.md "Inpatient (brief)") and their cancellations
 * 2205/2302.
 */
#include "nhsa/nhsa_in.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhsa/nhsa_json.h"

#define W "input.data"

int yb_nhsa_in_2201(const yb_nhsa_env *env, void **req, yb_err *err)
{
	static const struct { const char *name; size_t max; } more[] = {
		{ "atddr_no", 30 }, { "dr_name", 50 }, { "dept_code", 30 },
		{ "dept_name", 100 }, { "caty", 6 },
	};
	const char *psn_no, *insutype, *begntime, *ctype, *cno, *otp, *s;
	yb_nhsa_visit *r = yb_nhsa_req_new(sizeof *r, err);
	json_t *d;
	int rc = -1;

	if (!r)
		return -1;
	if (yb_nhsa_get_obj(env->input, "input", "data", true, &d, err) < 0 ||
	    yb_nhsa_get_str(d, W, "psn_no", 30, true, &psn_no, err) < 0 ||
	    yb_nhsa_get_str(d, W, "insutype", 6, true, &insutype, err) < 0 ||
	    yb_nhsa_get_datetime(d, W, "begntime", true, &begntime, err) < 0 ||
	    yb_nhsa_get_str(d, W, "mdtrt_cert_type", 3, true, &ctype, err) < 0 ||
	    yb_nhsa_get_str(d, W, "mdtrt_cert_no", yb_nhsa_cert_no_max(ctype),
			    true, &cno, err) < 0 ||
	    yb_nhsa_get_str(d, W, "ipt_otp_no", 30, true, &otp, err) < 0)
		goto out;
	for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
		if (yb_nhsa_get_str(d, W, more[i].name, more[i].max, true, &s,
				    err) < 0)
			goto out;
	/* No SSN is that long: it cannot be the credential's person. */
	if (strlen(psn_no) >= sizeof r->psn_no) {
		yb_errf(err, "nhsa.person_mismatch", "psn_no");
		goto out;
	}
	snprintf(r->psn_no, sizeof r->psn_no, "%s", psn_no);
	snprintf(r->insutype, sizeof r->insutype, "%s", insutype);
	snprintf(r->begntime, sizeof r->begntime, "%s", begntime);
	snprintf(r->cert_type, sizeof r->cert_type, "%s", ctype);
	snprintf(r->cert_no, sizeof r->cert_no, "%s", cno);
	snprintf(r->ipt_otp_no, sizeof r->ipt_otp_no, "%s", otp);
	rc = 0;
out:
	return yb_nhsa_req_end(rc, r, req);
}

int yb_nhsa_in_2202(const yb_nhsa_env *env, void **req, yb_err *err)
{
	static const yb_nhsa_field f[] = {
		YB_NHSA_FIELD(yb_nhsa_in_visit_cancel, psn_no, 30),
		YB_NHSA_FIELD(yb_nhsa_in_visit_cancel, mdtrt_id, 30),
		YB_NHSA_FIELD(yb_nhsa_in_visit_cancel, ipt_otp_no, 30),
	};

	return yb_nhsa_in_strings(env, f, 3, sizeof(yb_nhsa_in_visit_cancel),
				  req, err);
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
		    yb_nhsa_get_datetime(d, where, "diag_time", true, &s,
					 err) < 0)
			return -1;
	}
	return 0;
}

int yb_nhsa_in_2203(const yb_nhsa_env *env, void **req, yb_err *err)
{
	const char *w = "input.mdtrtinfo", *s;
	yb_nhsa_in_visit_info *r = yb_nhsa_req_new(sizeof *r, err);
	json_t *m, *dis;
	int rc = -1;

	if (!r)
		return -1;
	if (yb_nhsa_get_obj(env->input, "input", "mdtrtinfo", true, &m,
			    err) == 0 &&
	    yb_nhsa_get_str(m, w, "mdtrt_id", 30, true, &r->mdtrt_id, err) == 0 &&
	    yb_nhsa_get_str(m, w, "psn_no", 30, true, &r->psn_no, err) == 0 &&
	    yb_nhsa_get_str(m, w, "med_type", 6, true, &r->med_type, err) == 0 &&
	    yb_nhsa_get_datetime(m, w, "begntime", true, &s, err) == 0 &&
	    yb_nhsa_get_str(m, w, "main_cond_dscr", 1000, false, &s,
			    err) == 0 &&
	    yb_nhsa_get_str(m, w, "dise_codg", 30, false, &r->dise_codg,
			    err) == 0 &&
	    yb_nhsa_get_str(m, w, "dise_name", 500, false, &s, err) == 0 &&
	    yb_nhsa_get_arr(env->input, "input", "diseinfo", false, &dis,
			    err) == 0 &&
	    (!dis || check_diseinfo(dis, err) == 0))
		rc = 0;
	return yb_nhsa_req_end(rc, r, req);
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
	    yb_nhsa_get_datetime(d, w, "fee_ocur_time", true, &s, err) < 0 ||
	    yb_nhsa_get_str(d, w, "med_list_codg", 50, true, &list, err) < 0 ||
	    yb_nhsa_get_amount(d, w, "det_item_fee_sumamt", true,
			       &f->amount_fen, err) < 0 ||
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
	/* The batch number becomes part of a settlement's transaction id
	 * (S4) and of record keys: a code's characters only. */
	if (strspn(bch, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789-_.") != strlen(bch))
		return yb_errf(err, "nhsa.invalid_field", "%s.chrg_bchno", w);
	if (strlen(psn) >= sizeof f->psn_no)
		return yb_errf(err, "nhsa.person_mismatch", "%s.psn_no", w);
	snprintf(f->feedetl_sn, sizeof f->feedetl_sn, "%s", sn);
	snprintf(f->mdtrt_id, sizeof f->mdtrt_id, "%s", mdtrt);
	snprintf(f->psn_no, sizeof f->psn_no, "%s", psn);
	snprintf(f->chrg_bchno, sizeof f->chrg_bchno, "%s", bch);
	snprintf(f->med_list_codg, sizeof f->med_list_codg, "%s", list);
	return 0;
}

int yb_nhsa_in_fee_lines(const yb_nhsa_env *env, void **req, yb_err *err)
{
	yb_nhsa_in_fees *r;
	json_t *arr, *d;
	size_t i, n;
	int rc = -1;

	if (yb_nhsa_get_arr(env->input, "input", "feedetail", true, &arr,
			    err) < 0)
		return -1;
	n = json_array_size(arr);
	if (n == 0 || n > 500)
		return yb_errf(err, "nhsa.invalid_field",
			       "input.feedetail: 1 to 500 lines");
	r = yb_nhsa_req_new(sizeof *r + n * sizeof r->lines[0], err);
	if (!r)
		return -1;
	r->n = (int)n;
	json_array_foreach(arr, i, d)
		if (fee_line(d, i, &r->lines[i], err) < 0)
			goto out;
	rc = 0;
out:
	return yb_nhsa_req_end(rc, r, req);
}

int yb_nhsa_in_2205(const yb_nhsa_env *env, void **req, yb_err *err)
{
	static const yb_nhsa_field f[] = {
		YB_NHSA_FIELD(yb_nhsa_in_fee_cancel, mdtrt_id, 30),
		YB_NHSA_FIELD(yb_nhsa_in_fee_cancel, chrg_bchno, 30),
		YB_NHSA_FIELD(yb_nhsa_in_fee_cancel, psn_no, 30),
	};

	return yb_nhsa_in_strings(env, f, 3, sizeof(yb_nhsa_in_fee_cancel),
				  req, err);
}

int yb_nhsa_in_2302(const yb_nhsa_env *env, void **req, yb_err *err)
{
	static const yb_nhsa_field f[] = {
		YB_NHSA_FIELD(yb_nhsa_in_fee_cancel, feedetl_sn, 30),
		YB_NHSA_FIELD(yb_nhsa_in_fee_cancel, mdtrt_id, 30),
		YB_NHSA_FIELD(yb_nhsa_in_fee_cancel, psn_no, 30),
	};

	return yb_nhsa_in_strings(env, f, 3, sizeof(yb_nhsa_in_fee_cancel),
				  req, err);
}
