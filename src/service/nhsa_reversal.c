/*
 * nhsa_reversal.c — 2601 冲正 (docs/NHSA.md "2601"): an HIS that got no
 * answer to a message, or learnt it should not have been sent, asks that
 * its effect be undone, naming it by omsgid and oinfno.
 *
 * What is undone is read from the kept message (nhsa_msg.c): its
 * "effect", written when it succeeded.  A settlement (2207, 2304) is
 * revoked as by 2208/2305; a registration (2201) is cancelled as by 2202;
 * a fee upload (2204, 2301) loses exactly the lines that message brought,
 * all of them or — if any is settled — none.  Anything else is refused
 * (nhsa.reversal_refused).  A message that failed did nothing and a
 * message never received has nothing to undo: the answer is success, and
 * the msgid is closed (state "reversed") so that the original, arriving
 * late, cannot act after its reversal.  The original's record remembers
 * the reversal (reversed_by): a repeat of it is refused, never answered
 * with a reply whose effect is gone.  Again is harmless.
 */
#include "service/nhsa_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reversed settlement of 2207/2304. */
static int undo_settlement(yb_ctx *ctx, const json_t *eff, const char *psn,
			   yb_err *err)
{
	yb_nhsa_setl *o = malloc(sizeof *o);
	int rc = -1;

	if (!o)
		return yb_errf(err, "out_of_memory", "out of memory");
	if (yb_nhsa_setl_load(ctx, yb_nhsa_js(eff, "setl_id"), NULL, NULL, o,
			      err) < 0)
		goto out;
	if (strcmp(o->person.ssn, psn) != 0) {
		yb_errf(err, "nhsa.person_mismatch", "psn_no");
		goto out;
	}
	rc = yb_nhsa_revoke_setl_in(ctx, o, err);
out:
	free(o);
	return rc;
}

/* The lines a 2204/2301 uploaded, visit by visit. */
static int undo_upload(yb_ctx *ctx, const json_t *eff, const char *psn,
		       const char *omsgid, yb_err *err)
{
	json_t *visits = json_object_get(eff, "visits"), *m;
	yb_nhsa_visit v;
	size_t i;
	int removed;

	json_array_foreach(visits, i, m)
		if (yb_nhsa_visit_load(ctx, json_string_value(m), psn, &v,
				       err) < 0 ||
		    yb_nhsa_fees_delete(ctx, v.mdtrt_id, "", omsgid, true,
					&removed, err) < 0)
			return -1;
	return 0;
}

/* Undo the effect of a message that succeeded: *what says what. */
static int undo(yb_ctx *ctx, const json_t *orig, const char *psn,
		const char *omsgid, const char **what, yb_err *err)
{
	const char *infno = yb_nhsa_js(orig, "infno");
	const json_t *eff = json_object_get(orig, "effect");
	yb_nhsa_visit v;

	if (!eff)
		return yb_errf(err, "nhsa.reversal_refused",
			       "oinfno %s: not reversible", infno);
	if (strcmp(infno, "2207") == 0 || strcmp(infno, "2304") == 0) {
		*what = "settlement.revoke";
		return undo_settlement(ctx, eff, psn, err);
	}
	if (strcmp(infno, "2201") == 0) {
		*what = "visit.cancel";
		if (yb_nhsa_visit_load(ctx, yb_nhsa_js(eff, "mdtrt_id"), psn, &v,
				       err) < 0)
			return -1;
		return yb_nhsa_visit_cancel_in(ctx, &v, err);
	}
	if (strcmp(infno, "2204") == 0 || strcmp(infno, "2301") == 0) {
		*what = "fee.delete";
		return undo_upload(ctx, eff, psn, omsgid, err);
	}
	return yb_errf(err, "nhsa.reversal_refused",
		       "oinfno %s: not reversible", infno);
}

/* A msgid never received is closed: its message cannot act later. */
static int tombstone(yb_ctx *ctx, const char *key, const char *omsgid,
		     const char *oinfno, const char *by, yb_err *err)
{
	json_t *t = json_pack("{s:s, s:s, s:s, s:s, s:s}", "institution",
			      ctx->actor.institution_code, "msgid", omsgid,
			      "infno", oinfno, "state", "reversed",
			      "reversed_by", by);
	int rc;

	if (!t)
		return yb_errf(err, "out_of_memory", "out of memory");
	rc = yb_nhsa_msg_store(ctx, key, t, "", YB_NHSA_INSERT, err);
	json_decref(t);
	return rc;
}

/* Undo the kept message `orig` (or nothing, if it failed) and mark it;
 * 1 when it was reversed before (nothing to do). */
static int reverse_kept(yb_ctx *ctx, json_t *orig, const char *response,
			const char *key, const char *psn_no,
			const char *omsgid, const char *oinfno, const char *by,
			const char **what, yb_err *err)
{
	if (strcmp(yb_nhsa_js(orig, "infno"), oinfno) != 0)
		return yb_errf(err, "nhsa.reversal_refused",
			       "oinfno is not the original's infno");
	*what = "none";
	if (*yb_nhsa_js(orig, "reversed_by") ||
	    strcmp(yb_nhsa_js(orig, "state"), "reversed") == 0)
		return 1;                /* again is harmless */
	if (yb_nhsa_ji(orig, "infcode") == 0 &&
	    undo(ctx, orig, psn_no, omsgid, what, err) < 0)
		return -1;
	json_object_set_new(orig, "reversed_by", json_string(by));
	return yb_nhsa_msg_store(ctx, key, orig, response, YB_NHSA_UPSERT, err);
}

int yb_nhsa_reverse(yb_ctx *ctx, const char *psn_no, const char *omsgid,
		    const char *oinfno, const char *by_msgid,
		    const char **what, yb_err *err)
{
	char key[192], target[YB_TEXT_SZ], *response = NULL;
	json_t *orig = NULL;
	int found, rc = -1;

	*what = "none";
	if (yb_authorize(ctx, "nhsa.reversal", err) < 0)
		return -1;
	if (strcmp(omsgid, by_msgid) == 0)
		return yb_errf(err, "nhsa.reversal_refused",
			       "omsgid is this message's own msgid");
	yb_nhsa_msg_key(key, sizeof key, ctx->actor.institution_code, omsgid);
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	found = yb_nhsa_msg_load(ctx, key, &orig, &response, err);
	if (found < 0)
		goto out;
	if (!found) {
		*what = "tombstone";
		found = tombstone(ctx, key, omsgid, oinfno, by_msgid, err);
	} else {
		found = reverse_kept(ctx, orig, response, key, psn_no, omsgid,
				     oinfno, by_msgid, what, err);
	}
	if (found < 0)
		goto out;
	if (found == 1) {                /* reversed before: nothing to keep */
		json_decref(orig);
		free(response);
		yb_tx_rollback(ctx);
		return 0;
	}
	snprintf(target, sizeof target, "nhsa_msg:%s", omsgid);
	rc = yb_audit(ctx, "nhsa.reversal", target, "ok", err);
out:
	json_decref(orig);
	free(response);
	return yb_tx_end(ctx, rc, err);
}
