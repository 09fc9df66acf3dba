/*
 * nhsa_in_setl.c — the input decoders of settlement: 2206/2207
 * outpatient and 2303/2304 inpatient (pre-)settlement, the settlement
 * references of 2208/2305 revocation and 5203 query, and 3201/3202
 * reconciliation (NHSA.md §2).
 */
#include "nhsa/nhsa_in.h"

#include <string.h>

#include "nhsa/nhsa_json.h"

#define W "input.data"

/* A present, non-empty amount (inscp_scp_amt given by the HIS, N5). */
static bool has_value(const json_t *d, const char *name)
{
	const json_t *v = json_object_get(d, name);
	const char *t;

	if (!v || json_is_null(v))
		return false;
	t = yb_nhsa_text(v, NULL);
	return t && *t;
}

/* The fields 2206/2207 and 2303/2304 share. */
static int setl_common(const json_t *d, yb_nhsa_setl_req *r, yb_err *err)
{
	const char *flag, *setlway, *invono;
	int64_t ignored;

	if (yb_nhsa_get_str(d, W, "psn_no", 30, true, &r->psn_no, err) < 0 ||
	    yb_nhsa_get_str(d, W, "mdtrt_cert_type", 3, true, &r->cert_type,
			    err) < 0 ||
	    yb_nhsa_get_str(d, W, "mdtrt_cert_no",
			    yb_nhsa_cert_no_max(r->cert_type), false, &r->cert_no,
			    err) < 0 ||
	    yb_nhsa_get_amount(d, W, "medfee_sumamt", true, &r->medfee_fen,
			       err) < 0 ||
	    yb_nhsa_get_str(d, W, "psn_setlway", 6, true, &setlway, err) < 0 ||
	    yb_nhsa_get_str(d, W, "mdtrt_id", 30, true, &r->mdtrt_id, err) < 0 ||
	    yb_nhsa_get_str(d, W, "insutype", 6, true, &r->insutype, err) < 0 ||
	    yb_nhsa_get_str(d, W, "acct_used_flag", 1, true, &flag, err) < 0 ||
	    yb_nhsa_get_str(d, W, "invono", 20, false, &invono, err) < 0 ||
	    yb_nhsa_get_amount(d, W, "fulamt_ownpay_amt", false, &ignored,
			       err) < 0 ||
	    yb_nhsa_get_amount(d, W, "overlmt_selfpay", false, &ignored,
			       err) < 0 ||
	    yb_nhsa_get_amount(d, W, "preselfpay_amt", false, &ignored,
			       err) < 0 ||
	    yb_nhsa_get_amount(d, W, "inscp_scp_amt", false, &r->inscp_fen,
			       err) < 0)
		return -1;
	if (strcmp(flag, "0") != 0 && strcmp(flag, "1") != 0)
		return yb_errf(err, "nhsa.invalid_field", W ".acct_used_flag");
	r->acct_used = flag[0] == '1';
	r->has_inscp = has_value(d, "inscp_scp_amt");
	return 0;
}

int yb_nhsa_in_setl_otp(const yb_nhsa_env *env, void **req, yb_err *err)
{
	yb_nhsa_setl_req *r = yb_nhsa_req_new(sizeof *r, err);
	json_t *d;
	int rc = -1;

	if (!r)
		return -1;
	if (yb_nhsa_get_obj(env->input, "input", "data", true, &d, err) == 0 &&
	    setl_common(d, r, err) == 0 &&
	    yb_nhsa_get_str(d, W, "med_type", 6, true, &r->med_type, err) == 0 &&
	    yb_nhsa_get_str(d, W, "chrg_bchno", 30, true, &r->chrg_bchno,
			    err) == 0)
		rc = 0;
	r->msgid = env->msgid;
	return yb_nhsa_req_end(rc, r, req);
}

/* 2303/2304: no med_type (the visit's, from 2203) and no chrg_bchno
 * (every unsettled batch of the stay); mid_setl_flag 1 中途结算. */
int yb_nhsa_in_setl_ipt(const yb_nhsa_env *env, void **req, yb_err *err)
{
	yb_nhsa_setl_req *r = yb_nhsa_req_new(sizeof *r, err);
	const char *mid;
	json_t *d;
	int rc = -1;

	if (!r)
		return -1;
	if (yb_nhsa_get_obj(env->input, "input", "data", true, &d, err) < 0 ||
	    setl_common(d, r, err) < 0 ||
	    yb_nhsa_get_str(d, W, "mid_setl_flag", 3, false, &mid, err) < 0)
		goto out;
	if (*mid && strcmp(mid, "0") != 0 && strcmp(mid, "1") != 0) {
		yb_errf(err, "nhsa.invalid_field", W ".mid_setl_flag");
		goto out;
	}
	r->inpatient = true;
	r->mid_setl = mid[0] == '1';
	r->med_type = "";
	r->chrg_bchno = "";
	r->msgid = env->msgid;
	rc = 0;
out:
	return yb_nhsa_req_end(rc, r, req);
}

int yb_nhsa_in_setl_named(const yb_nhsa_env *env, void **req, yb_err *err)
{
	static const yb_nhsa_field f[] = {
		YB_NHSA_FIELD(yb_nhsa_in_setl_ref, setl_id, 30),
		YB_NHSA_FIELD(yb_nhsa_in_setl_ref, mdtrt_id, 30),
		YB_NHSA_FIELD(yb_nhsa_in_setl_ref, psn_no, 30),
	};

	return yb_nhsa_in_strings(env, f, 3, sizeof(yb_nhsa_in_setl_ref), req,
				  err);
}

static int stmt_dates(const json_t *d, yb_nhsa_in_stmt *r, yb_err *err)
{
	const char *bs, *es;

	if (yb_nhsa_get_str(d, W, "stmt_begndate", 10, true, &bs, err) < 0 ||
	    yb_nhsa_get_str(d, W, "stmt_enddate", 10, true, &es, err) < 0)
		return -1;
	if (!yb_date_parse(bs, &r->begin))
		return yb_errf(err, "nhsa.invalid_field", W ".stmt_begndate");
	if (!yb_date_parse(es, &r->end))
		return yb_errf(err, "nhsa.invalid_field", W ".stmt_enddate");
	return 0;
}

int yb_nhsa_in_3201(const yb_nhsa_env *env, void **req, yb_err *err)
{
	yb_nhsa_in_stmt *r = yb_nhsa_req_new(sizeof *r, err);
	const char *clr_type;
	json_t *d;
	int rc = -1;

	if (!r)
		return -1;
	if (yb_nhsa_get_obj(env->input, "input", "data", true, &d, err) == 0 &&
	    yb_nhsa_get_str(d, W, "insutype", 6, true, &r->insutype, err) == 0 &&
	    yb_nhsa_get_str(d, W, "clr_type", 6, true, &clr_type, err) == 0 &&
	    yb_nhsa_get_str(d, W, "setl_optins", 6, true, &r->setl_optins,
			    err) == 0 &&
	    stmt_dates(d, r, err) == 0 &&
	    yb_nhsa_get_amount(d, W, "medfee_sumamt", true, &r->medfee_fen,
			       err) == 0 &&
	    yb_nhsa_get_amount(d, W, "fund_pay_sumamt", true, &r->fund_fen,
			       err) == 0 &&
	    yb_nhsa_get_amount(d, W, "acct_pay", true, &r->acct_fen, err) == 0 &&
	    yb_nhsa_get_int(d, W, "fixmedins_setl_cnt", 9999999999LL, true,
			    &r->count, err) == 0)
		rc = 0;
	r->file_qury_no = "";
	return yb_nhsa_req_end(rc, r, req);
}

int yb_nhsa_in_3202(const yb_nhsa_env *env, void **req, yb_err *err)
{
	yb_nhsa_in_stmt *r = yb_nhsa_req_new(sizeof *r, err);
	json_t *d;
	int rc = -1;

	if (!r)
		return -1;
	if (yb_nhsa_get_obj(env->input, "input", "data", true, &d, err) == 0 &&
	    yb_nhsa_get_str(d, W, "setl_optins", 6, true, &r->setl_optins,
			    err) == 0 &&
	    yb_nhsa_get_str(d, W, "file_qury_no", 30, true, &r->file_qury_no,
			    err) == 0 &&
	    stmt_dates(d, r, err) == 0 &&
	    yb_nhsa_get_amount(d, W, "medfee_sumamt", true, &r->medfee_fen,
			       err) == 0 &&
	    yb_nhsa_get_amount(d, W, "fund_pay_sumamt", true, &r->fund_fen,
			       err) == 0 &&
	    yb_nhsa_get_amount(d, W, "cash_payamt", true, &r->cash_fen,
			       err) == 0 &&
	    yb_nhsa_get_int(d, W, "fixmedins_setl_cnt", 9999999999LL, true,
			    &r->count, err) == 0)
		rc = 0;
	r->insutype = "";
	return yb_nhsa_req_end(rc, r, req);
}
