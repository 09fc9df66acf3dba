/*
 * nhsa_visit.c — 1101 person information, 2201/2202 registration and
 * 2203 visit information (docs/NHSA.md); fee details are nhsa_fee.c.
 *
 * A visit is a row of the store's nhsa_visits (by mdtrt_id, with the
 * institution that registered it); record kind "otp" (key
 * institution|ipt_otp_no: unique within the hospital).  A visit belongs
 * to the institution that registered it; another institution's mdtrt_id
 * is "not found".
 */
#include "service/nhsa_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/settle_int.h"

/* 01 e-credential, 02 ID number, 03 social security card (NHSA.md §3). */
static int cert_type_of(const char *code, yb_cred_type *out, yb_err *err)
{
	if (code && strcmp(code, "01") == 0)
		*out = YB_CRED_ECERT;
	else if (code && strcmp(code, "02") == 0)
		*out = YB_CRED_ID_NUMBER;
	else if (code && strcmp(code, "03") == 0)
		*out = YB_CRED_CARD;
	else
		return yb_errf(err, "nhsa.invalid_field", "mdtrt_cert_type");
	return 0;
}

/* C4/C5 in the caller's transaction: who the credential names now (an
 * e-credential as of `at`). */
static int cert_person(yb_ctx *ctx, const char *type, const char *no,
		       yb_time at, yb_person *p, yb_err *err)
{
	yb_cred_type t = YB_CRED_ID_NUMBER;

	if (cert_type_of(type, &t, err) < 0)
		return -1;
	if (!no || !*no)
		return yb_errf(err, "nhsa.missing_field", "mdtrt_cert_no");
	return yb_cred_resolve(ctx, t, no, t == YB_CRED_ECERT ? at
							       : yb_ctx_now(ctx),
			       true, p, err);
}

int yb_nhsa_person_info(yb_ctx *ctx, const char *cert_type,
			const char *cert_no, yb_nhsa_person *out, yb_err *err)
{
	yb_account acc;
	int found, rc = -1;

	if (yb_authorize(ctx, "nhsa.person", err) < 0)
		return -1;
	memset(out, 0, sizeof *out);
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	if (cert_person(ctx, cert_type, cert_no, yb_ctx_now(ctx), &out->person,
			err) < 0)
		goto out;
	found = ctx->store->ops->account_personal_of(ctx->store,
						     out->person.id, &acc, err);
	if (found < 0)
		goto out;
	out->has_account = found && !acc.closed;
	out->balance_fen = out->has_account ? acc.balance_fen : 0;
	out->insutype = yb_nhsa_insutype_of(out->person.scheme);
	/* [inferred] 1101 职工在职 / 1501 普通居民（成年） */
	out->psn_type = out->person.scheme == YB_SCHEME_RESIDENT ? "1501"
								 : "1101";
	rc = 0;
out:
	yb_tx_rollback(ctx);
	return rc;
}

/* ---- visits ------------------------------------------------------------------ */

int yb_nhsa_visit_load(yb_ctx *ctx, const char *mdtrt_id, const char *psn_no,
		       yb_nhsa_visit *out, yb_err *err)
{
	int found;

	if (!mdtrt_id || strlen(mdtrt_id) > 30)
		return yb_errf(err, "nhsa.visit_not_found", "mdtrt_id");
	found = ctx->store->ops->nhsa_visit_get(ctx->store, mdtrt_id, out, err);
	if (found < 0)
		return -1;
	if (!found || strcmp(out->inst, ctx->actor.institution_code) != 0)
		return yb_errf(err, "nhsa.visit_not_found", "mdtrt_id %s",
			       mdtrt_id);
	if (psn_no && strcmp(out->psn_no, psn_no) != 0)
		return yb_errf(err, "nhsa.person_mismatch",
			       "psn_no is not the patient of mdtrt_id");
	return 0;
}

int yb_nhsa_visit_save(yb_ctx *ctx, const yb_nhsa_visit *v, int mode,
		       yb_err *err)
{
	yb_nhsa_visit row = *v;

	/* A visit is the registering institution's (the acting one). */
	yb_nhsa_cpy(row.inst, sizeof row.inst, ctx->actor.institution_code);
	return ctx->store->ops->nhsa_visit_put(ctx->store, &row, mode, err);
}

int yb_nhsa_audit_visit(yb_ctx *ctx, const char *action, const char *id,
			yb_err *err)
{
	char target[YB_TEXT_SZ];

	snprintf(target, sizeof target, "nhsa_visit:%s", id);
	return yb_audit(ctx, action, target, "ok", err);
}

int yb_nhsa_visit_register(yb_ctx *ctx, const yb_nhsa_visit *in,
			   yb_nhsa_visit *out, yb_err *err)
{
	yb_institution inst;
	yb_person p;
	char key[192];
	json_t *otp = NULL;
	int64_t seq = 0;
	int rc = -1, fresh;

	if (yb_authorize(ctx, "nhsa.visit", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (yb_acting_institution(ctx, &inst, err) < 0 ||
	    cert_person(ctx, in->cert_type, in->cert_no, yb_ctx_now(ctx), &p,
			err) < 0)
		goto out;
	/* C4: the credential is the patient's own. */
	if (strcmp(p.ssn, in->psn_no) != 0) {
		yb_errf(err, "nhsa.person_mismatch", "psn_no");
		goto out;
	}
	if (strcmp(in->insutype, yb_nhsa_insutype_of(p.scheme)) != 0) {
		yb_errf(err, "nhsa.insutype_mismatch", "insutype %s",
			in->insutype);
		goto out;
	}
	*out = *in;
	out->person_id = p.id;
	out->at = yb_ctx_now(ctx);
	yb_nhsa_cpy(out->state, sizeof out->state, "registered");
	if (ctx->store->ops->next_seq(ctx->store, "nhsa_mdtrt", &seq, err) < 0)
		goto out;
	snprintf(out->mdtrt_id, sizeof out->mdtrt_id, "%s%012lld",
		 ctx->settings->region, (long long)seq);
	snprintf(key, sizeof key, "%s|%s", inst.code, in->ipt_otp_no);
	otp = json_pack("{s:s}", "mdtrt_id", out->mdtrt_id);
	fresh = otp ? yb_nhsa_rec_put(ctx, "otp", key, "", otp,
				      YB_NHSA_ENSURE, err)
		    : yb_errf(err, "out_of_memory", "out of memory");
	if (fresh < 0)
		goto out;
	if (!fresh) {
		yb_errf(err, "nhsa.ipt_otp_no_duplicate", "ipt_otp_no %s",
			in->ipt_otp_no);
		goto out;
	}
	if (yb_nhsa_visit_save(ctx, out, YB_NHSA_INSERT, err) < 0)
		goto out;
	rc = yb_nhsa_audit_visit(ctx, "nhsa.visit.register", out->mdtrt_id, err);
out:
	json_decref(otp);
	return yb_tx_end(ctx, rc, err);
}

/* Has a batch of the visit been settled (revoked or not)? */
static int visit_settled(yb_ctx *ctx, const char *mdtrt_id, bool *settled,
			 yb_err *err)
{
	yb_nhsa_batch *b = NULL;
	int n = 0;

	*settled = false;
	if (yb_nhsa_batches_of(ctx, mdtrt_id, &b, &n, err) < 0)
		return -1;
	for (int i = 0; i < n && !*settled; i++)
		*settled = b[i].settlement_id != 0;
	free(b);
	return 0;
}

int yb_nhsa_visit_cancel_in(yb_ctx *ctx, yb_nhsa_visit *v, yb_err *err)
{
	bool settled;

	if (visit_settled(ctx, v->mdtrt_id, &settled, err) < 0)
		return -1;
	if (strcmp(v->state, "registered") != 0 || settled)
		return yb_errf(err, "nhsa.visit_state",
			       "only a registered visit without settlement");
	yb_nhsa_cpy(v->state, sizeof v->state, "cancelled");
	if (yb_nhsa_visit_save(ctx, v, YB_NHSA_UPSERT, err) < 0)
		return -1;
	return yb_nhsa_audit_visit(ctx, "nhsa.visit.cancel", v->mdtrt_id, err);
}

int yb_nhsa_visit_cancel(yb_ctx *ctx, const char *psn_no,
			 const char *mdtrt_id, const char *ipt_otp_no,
			 yb_err *err)
{
	yb_nhsa_visit v;
	int rc = -1;

	if (yb_authorize(ctx, "nhsa.visit", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (yb_nhsa_visit_load(ctx, mdtrt_id, psn_no, &v, err) < 0)
		goto out;
	if (strcmp(v.ipt_otp_no, ipt_otp_no) != 0) {
		yb_errf(err, "nhsa.visit_not_found", "ipt_otp_no");
		goto out;
	}
	rc = yb_nhsa_visit_cancel_in(ctx, &v, err);
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_nhsa_visit_info(yb_ctx *ctx, const char *mdtrt_id, const char *psn_no,
		       const char *med_type, const char *dise_codg,
		       yb_err *err)
{
	yb_nhsa_visit v;
	int rc = -1;

	if (yb_authorize(ctx, "nhsa.visit", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (yb_nhsa_visit_load(ctx, mdtrt_id, psn_no, &v, err) < 0)
		goto out;
	if (strcmp(v.state, "registered") != 0) {
		yb_errf(err, "nhsa.visit_state", "the visit was cancelled");
		goto out;
	}
	yb_nhsa_cpy(v.med_type, sizeof v.med_type, med_type);
	yb_nhsa_cpy(v.dise_codg, sizeof v.dise_codg, dise_codg);
	if (yb_nhsa_visit_save(ctx, &v, YB_NHSA_UPSERT, err) < 0)
		goto out;
	rc = yb_nhsa_audit_visit(ctx, "nhsa.visit.info", mdtrt_id, err);
out:
	return yb_tx_end(ctx, rc, err);
}

