/*
 * nhsa_fee.c — fee details (2204/2301 upload, 2205/2302 cancel,
 * docs/NHSA.md) and the batches they add up to.
 *
 * Record kinds: "fee" (one line: key mdtrt_id|feedetl_sn, unique within
 * the visit; grp mdtrt_id); a batch is a row of the store's nhsa_batches
 * (by mdtrt_id and chrg_bchno).  A line is settled when its
 * batch is: a settlement reads and marks the batch record only.
 */
#include "service/nhsa_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---- batches ----------------------------------------------------------------- */

int yb_nhsa_batch_get(yb_ctx *ctx, const char *mdtrt_id,
		      const char *chrg_bchno, yb_nhsa_batch *out, yb_err *err)
{
	int found = ctx->store->ops->nhsa_batch_get(ctx->store, mdtrt_id,
						    chrg_bchno, out, err);

	if (found == 0)
		yb_nhsa_cpy(out->chrg_bchno, sizeof out->chrg_bchno,
			    chrg_bchno);
	return found;
}

int yb_nhsa_batches_of(yb_ctx *ctx, const char *mdtrt_id,
		       yb_nhsa_batch **out, int *n, yb_err *err)
{
	return ctx->store->ops->nhsa_batch_list(ctx->store, mdtrt_id, out, n,
						err);
}

int yb_nhsa_batch_put(yb_ctx *ctx, const char *mdtrt_id,
		      const yb_nhsa_batch *b, yb_err *err)
{
	if (b->lines <= 0 && b->settlement_id == 0)   /* nothing left */
		return ctx->store->ops->nhsa_batch_delete(ctx->store, mdtrt_id,
							  b->chrg_bchno, err);
	return ctx->store->ops->nhsa_batch_put(ctx->store, mdtrt_id, b, err);
}

/* ---- lines ---------------------------------------------------------------------- */

static int fee_insert(yb_ctx *ctx, const yb_nhsa_fee *f, const char *msgid,
		      yb_err *err)
{
	char key[192];
	json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s}",
			      "psn_no", f->psn_no, "chrg_bchno", f->chrg_bchno,
			      "med_list_codg", f->med_list_codg,
			      "amount_fen", (json_int_t)f->amount_fen,
			      "cnt", (json_int_t)f->cnt,
			      "pric", (json_int_t)f->pric, "msgid", msgid);
	int rc;

	if (!j)
		return yb_errf(err, "out_of_memory", "out of memory");
	snprintf(key, sizeof key, "%s|%s", f->mdtrt_id, f->feedetl_sn);
	rc = yb_nhsa_rec_put(ctx, "fee", key, f->mdtrt_id, j, YB_NHSA_INSERT,
			     err);
	json_decref(j);
	if (rc < 0 && err && err->code &&
	    strcmp(err->code, "nhsa.duplicate") == 0)
		return yb_errf(err, "nhsa.fee_duplicate", "feedetl_sn %s",
			       f->feedetl_sn);
	return rc;
}

/* A line record (key mdtrt_id|feedetl_sn). */
static void fee_from(const char *key, const json_t *j, void *elem)
{
	yb_nhsa_fee *f = elem;
	const char *bar = strchr(key, '|');

	memset(f, 0, sizeof *f);
	snprintf(f->mdtrt_id, sizeof f->mdtrt_id, "%.*s",
		 bar ? (int)(bar - key) : 0, key);
	yb_nhsa_cpy(f->feedetl_sn, sizeof f->feedetl_sn, bar ? bar + 1 : "");
	yb_nhsa_cpy(f->psn_no, sizeof f->psn_no, yb_nhsa_js(j, "psn_no"));
	yb_nhsa_cpy(f->chrg_bchno, sizeof f->chrg_bchno,
		    yb_nhsa_js(j, "chrg_bchno"));
	yb_nhsa_cpy(f->med_list_codg, sizeof f->med_list_codg,
		    yb_nhsa_js(j, "med_list_codg"));
	yb_nhsa_cpy(f->msgid, sizeof f->msgid, yb_nhsa_js(j, "msgid"));
	f->amount_fen = yb_nhsa_ji(j, "amount_fen");
	f->cnt = yb_nhsa_ji(j, "cnt");
	f->pric = yb_nhsa_ji(j, "pric");
}

int yb_nhsa_fees_of(yb_ctx *ctx, const char *mdtrt_id, yb_nhsa_fee **out,
		    int *n, yb_err *err)
{
	return yb_nhsa_rec_list(ctx, "fee", mdtrt_id, sizeof **out, fee_from,
				(void **)out, n, err);
}

static yb_nhsa_batch *batch_in(yb_nhsa_batch *b, int n, const char *bchno)
{
	for (int i = 0; i < n; i++)
		if (strcmp(b[i].chrg_bchno, bchno) == 0)
			return &b[i];
	return NULL;
}

static bool line_matches(const yb_nhsa_fee *f, const char *bchno,
			 const char *msgid)
{
	return (!*bchno || strcmp(f->chrg_bchno, bchno) == 0) &&
	       (!*msgid || strcmp(f->msgid, msgid) == 0);
}

/* Delete the matching lines of unsettled batches and take them off their
 * batch records (the caller's transaction). */
static int delete_lines(yb_ctx *ctx, const char *mdtrt_id, yb_nhsa_fee *f,
			int n, yb_nhsa_batch *b, int nb, const char *bchno,
			const char *msgid, int *removed, yb_err *err)
{
	char key[192];

	for (int i = 0; i < n; i++) {
		yb_nhsa_batch *in = batch_in(b, nb, f[i].chrg_bchno);
		if (!line_matches(&f[i], bchno, msgid) ||
		    (in && in->settlement_id != 0))
			continue;
		snprintf(key, sizeof key, "%s|%s", mdtrt_id, f[i].feedetl_sn);
		if (ctx->store->ops->nhsa_delete(ctx->store, "fee", key, err) < 0)
			return -1;
		if (in) {
			in->sum_fen -= f[i].amount_fen;
			in->lines--;
		}
		(*removed)++;
	}
	for (int i = 0; i < nb; i++)
		if (b[i].settlement_id == 0 &&
		    (!*bchno || strcmp(b[i].chrg_bchno, bchno) == 0) &&
		    yb_nhsa_batch_put(ctx, mdtrt_id, &b[i], err) < 0)
			return -1;
	return 0;
}

int yb_nhsa_fees_delete(yb_ctx *ctx, const char *mdtrt_id,
			const char *chrg_bchno, const char *msgid,
			bool strict, int *removed, yb_err *err)
{
	yb_nhsa_fee *f = NULL;
	yb_nhsa_batch *b = NULL;
	int n = 0, nb = 0, rc = -1;

	*removed = 0;
	if (yb_nhsa_fees_of(ctx, mdtrt_id, &f, &n, err) < 0 ||
	    yb_nhsa_batches_of(ctx, mdtrt_id, &b, &nb, err) < 0)
		goto out;
	for (int i = 0; strict && i < n; i++) {
		yb_nhsa_batch *in = batch_in(b, nb, f[i].chrg_bchno);
		if (line_matches(&f[i], chrg_bchno, msgid) && in &&
		    in->settlement_id != 0) {
			yb_errf(err, "nhsa.batch_settled",
				"chrg_bchno %s is settled", f[i].chrg_bchno);
			goto out;
		}
	}
	rc = delete_lines(ctx, mdtrt_id, f, n, b, nb, chrg_bchno, msgid,
			  removed, err);
out:
	free(f);
	free(b);
	return rc;
}

/* ---- 2204/2301, 2205, 2302 --------------------------------------------------------- */

/* A line may go to its visit: the institution's, the patient's, open. */
static int line_visit(yb_ctx *ctx, const yb_nhsa_fee *f, yb_nhsa_visit *v,
		      yb_err *err)
{
	if (strcmp(v->mdtrt_id, f->mdtrt_id) != 0 &&
	    yb_nhsa_visit_load(ctx, f->mdtrt_id, NULL, v, err) < 0)
		return -1;
	if (strcmp(v->psn_no, f->psn_no) != 0)
		return yb_errf(err, "nhsa.person_mismatch",
			       "psn_no is not the patient of mdtrt_id");
	if (strcmp(v->state, "registered") != 0)
		return yb_errf(err, "nhsa.visit_state", "the visit was cancelled");
	if (v->final_setl != 0)
		return yb_errf(err, "nhsa.visit_state",
			       "the stay is settled (2304)");
	return 0;
}

/* Add the uploaded lines to their batch records. */
static int add_to_batches(yb_ctx *ctx, const yb_nhsa_fee *lines, int n,
			  yb_err *err)
{
	for (int i = 0; i < n; i++) {
		yb_nhsa_batch b;
		bool seen = false;
		for (int k = 0; k < i && !seen; k++)
			seen = strcmp(lines[k].mdtrt_id, lines[i].mdtrt_id) == 0 &&
			       strcmp(lines[k].chrg_bchno, lines[i].chrg_bchno) == 0;
		if (seen)
			continue;
		if (yb_nhsa_batch_get(ctx, lines[i].mdtrt_id,
				      lines[i].chrg_bchno, &b, err) < 0)
			return -1;
		if (b.settlement_id != 0)
			return yb_errf(err, "nhsa.batch_settled",
				       "chrg_bchno %s is settled",
				       lines[i].chrg_bchno);
		for (int k = i; k < n; k++)
			if (strcmp(lines[k].mdtrt_id, lines[i].mdtrt_id) == 0 &&
			    strcmp(lines[k].chrg_bchno, lines[i].chrg_bchno) == 0) {
				b.sum_fen += lines[k].amount_fen;
				b.lines++;
			}
		if (yb_nhsa_batch_put(ctx, lines[i].mdtrt_id, &b, err) < 0)
			return -1;
	}
	return 0;
}

int yb_nhsa_fee_upload(yb_ctx *ctx, const yb_nhsa_fee *lines, int n,
		       const char *msgid, yb_err *err)
{
	yb_nhsa_visit v;
	int rc = -1;

	if (yb_authorize(ctx, "nhsa.fee", err) < 0)
		return -1;
	if (n <= 0)
		return yb_errf(err, "nhsa.missing_field", "input.feedetail");
	memset(&v, 0, sizeof v);
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (line_visit(ctx, &lines[i], &v, err) < 0 ||
		    fee_insert(ctx, &lines[i], msgid ? msgid : "", err) < 0)
			goto out;
	if (add_to_batches(ctx, lines, n, err) < 0)
		goto out;
	rc = yb_nhsa_audit_visit(ctx, "nhsa.fee.upload", lines[0].mdtrt_id, err);
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_nhsa_fee_cancel(yb_ctx *ctx, const char *mdtrt_id,
		       const char *chrg_bchno, const char *psn_no,
		       int *removed, yb_err *err)
{
	yb_nhsa_visit v;
	bool all = strcmp(chrg_bchno, "0000") == 0;
	int rc = -1;

	*removed = 0;
	if (yb_authorize(ctx, "nhsa.fee", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (yb_nhsa_visit_load(ctx, mdtrt_id, psn_no, &v, err) < 0 ||
	    yb_nhsa_fees_delete(ctx, mdtrt_id, all ? "" : chrg_bchno, "",
				false, removed, err) < 0)
		goto out;
	rc = yb_nhsa_audit_visit(ctx, "nhsa.fee.cancel", mdtrt_id, err);
out:
	return yb_tx_end(ctx, rc, err);
}

/* 2302 with one feedetl_sn: that line, if its batch is not settled. */
static int cancel_one(yb_ctx *ctx, const char *mdtrt_id, const char *sn,
		      int *removed, yb_err *err)
{
	char key[192];
	json_t *j = NULL;
	yb_nhsa_batch b;
	int found;

	snprintf(key, sizeof key, "%s|%s", mdtrt_id, sn);
	found = yb_nhsa_rec_get(ctx, "fee", key, &j, NULL, err);
	if (found <= 0)
		return found < 0 ? -1 : yb_errf(err, "nhsa.fee_not_found",
						"feedetl_sn %s", sn);
	found = yb_nhsa_batch_get(ctx, mdtrt_id, yb_nhsa_js(j, "chrg_bchno"),
				  &b, err);
	if (found >= 0 && b.settlement_id != 0)
		found = yb_errf(err, "nhsa.batch_settled", "feedetl_sn %s", sn);
	if (found >= 0) {
		b.sum_fen -= yb_nhsa_ji(j, "amount_fen");
		b.lines--;
		found = ctx->store->ops->nhsa_delete(ctx->store, "fee", key, err);
	}
	if (found >= 0)
		found = yb_nhsa_batch_put(ctx, mdtrt_id, &b, err);
	json_decref(j);
	if (found < 0)
		return -1;
	*removed = 1;
	return 0;
}

int yb_nhsa_fee_cancel_line(yb_ctx *ctx, const char *mdtrt_id,
			    const char *feedetl_sn, const char *psn_no,
			    int *removed, yb_err *err)
{
	yb_nhsa_visit v;
	int rc = -1;

	*removed = 0;
	if (yb_authorize(ctx, "nhsa.fee", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (yb_nhsa_visit_load(ctx, mdtrt_id, psn_no, &v, err) < 0)
		goto out;
	if (strcmp(feedetl_sn, "0000") == 0
	    ? yb_nhsa_fees_delete(ctx, mdtrt_id, "", "", false, removed,
				  err) < 0
	    : cancel_one(ctx, mdtrt_id, feedetl_sn, removed, err) < 0)
		goto out;
	rc = yb_nhsa_audit_visit(ctx, "nhsa.fee.cancel", mdtrt_id, err);
out:
	return yb_tx_end(ctx, rc, err);
}
