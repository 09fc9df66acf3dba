/*
 * nhsa_txn_visit.c — 2201/2202 registration, 2203 visit information,
 * 2204/2301 fee details and their cancellations 2205/2302 (NHSA.md §2
 * and "Inpatient (brief)": an inpatient line is the outpatient one, kept
 * the same way).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhsa/nhsa_json.h"
#include "nhsa/nhsa_txn.h"

int yb_nhsa_2201(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	yb_nhsa_visit v;

	(void)env;
	if (yb_nhsa_visit_register(ctx, req, &v, err) < 0)
		return -1;
	out->output = json_pack("{s:{s:s, s:s, s:s}}", "data", "mdtrt_id",
				v.mdtrt_id, "psn_no", v.psn_no, "ipt_otp_no",
				v.ipt_otp_no);
	/* 2601 cancels the visit a 2201 registered */
	out->effect = json_pack("{s:s}", "mdtrt_id", v.mdtrt_id);
	return out->output && out->effect
		? 0 : yb_errf(err, "out_of_memory", "out of memory");
}

int yb_nhsa_2202(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	const yb_nhsa_in_visit_cancel *r = req;

	(void)env;
	if (yb_nhsa_visit_cancel(ctx, r->psn_no, r->mdtrt_id, r->ipt_otp_no,
				 err) < 0)
		return -1;
	out->output = json_object();
	return out->output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}

int yb_nhsa_2203(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	const yb_nhsa_in_visit_info *r = req;

	(void)env;
	if (yb_nhsa_visit_info(ctx, r->mdtrt_id, r->psn_no, r->med_type,
			       r->dise_codg, err) < 0)
		return -1;
	out->output = json_object();
	return out->output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
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

/* 2601 deletes what a 2204/2301 uploaded: the visits its lines are in
 * (each line remembers the msgid). */
static json_t *fees_effect(const yb_nhsa_in_fees *r)
{
	json_t *visits = json_array();

	for (int i = 0; visits && i < r->n; i++) {
		bool seen = false;
		for (int k = 0; k < i && !seen; k++)
			seen = strcmp(r->lines[k].mdtrt_id,
				      r->lines[i].mdtrt_id) == 0;
		if (!seen)
			json_array_append_new(visits,
					      json_string(r->lines[i].mdtrt_id));
	}
	return visits ? json_pack("{s:o}", "visits", visits) : NULL;
}

/* 2204 and 2301. */
int yb_nhsa_fees(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	const yb_nhsa_in_fees *r = req;
	json_t *res;

	if (yb_nhsa_fee_upload(ctx, r->lines, r->n, env->msgid, err) < 0)
		return -1;
	res = json_array();
	for (int i = 0; res && i < r->n; i++)
		json_array_append_new(res, fee_result(&r->lines[i]));
	out->output = json_pack("{s:o}", "result", res ? res : json_array());
	out->effect = fees_effect(r);
	return out->output && out->effect
		? 0 : yb_errf(err, "out_of_memory", "out of memory");
}

int yb_nhsa_2205(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	const yb_nhsa_in_fee_cancel *r = req;
	int removed;

	(void)env;
	if (yb_nhsa_fee_cancel(ctx, r->mdtrt_id, r->chrg_bchno, r->psn_no,
			       &removed, err) < 0)
		return -1;
	out->output = json_object();
	return out->output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}

int yb_nhsa_2302(yb_ctx *ctx, const yb_nhsa_env *env, const void *req,
		 yb_nhsa_out *out, yb_err *err)
{
	const yb_nhsa_in_fee_cancel *r = req;
	int removed;

	(void)env;
	if (yb_nhsa_fee_cancel_line(ctx, r->mdtrt_id, r->feedetl_sn,
				    r->psn_no, &removed, err) < 0)
		return -1;
	out->output = json_object();
	return out->output ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}
