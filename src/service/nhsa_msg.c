/*
 * nhsa_msg.c — the gateway's message log (docs/NHSA.md "How a message is
 * handled", step 5 and 8): every message in and out is kept; a repeated
 * msgid from the same institution answers its first reply and never acts
 * twice, another body under it is refused.
 *
 * Record kinds: "msg" (key institution|msgid, grp institution) and
 * "msgx" (a message refused before it could claim its msgid, key its
 * inf_refmsgid).  A msg record is pending from its claim to its answer —
 * both inside one transaction, so no other transaction ever sees it
 * pending — and "reversed" once 2601 undid it (or, for a msgid 2601 named
 * before it arrived, from the start: nhsa_reversal.c).
 */
#include "service/nhsa_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *msg_json(const yb_nhsa_msg *m, const char *state)
{
	json_t *j = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:i, s:s, s:s}",
		"institution", m->institution_code ? m->institution_code : "",
		"msgid", m->msgid ? m->msgid : "",
		"infno", m->infno ? m->infno : "",
		"opter", m->opter ? m->opter : "",
		"inf_refmsgid", m->inf_refmsgid ? m->inf_refmsgid : "",
		"body_sha256", m->body_hash,
		"received_ms", (json_int_t)m->received_ms,
		"responded_ms", (json_int_t)m->responded_ms,
		"infcode", m->infcode,
		"err_code", m->err_code ? m->err_code : "",
		"state", state);
	json_error_t jerr;

	if (j && m->effect && *m->effect)
		json_object_set_new(j, "effect", json_loads(m->effect, 0, &jerr));
	/* Last, so an operator reads the facts before the long reply. */
	if (j)
		json_object_set_new(j, "response",
				    json_string(m->response ? m->response : ""));
	return j;
}

void yb_nhsa_msg_key(char *key, size_t size, const char *inst,
		     const char *msgid)
{
	snprintf(key, size, "%s|%s", inst, msgid);
}

/* A msgid already kept: its first answer, or why not. */
static int msg_repeat(const json_t *prev, const yb_nhsa_msg *m,
		      char **response, yb_err *err)
{
	const char *state = yb_nhsa_js(prev, "state");

	if (strcmp(state, "reversed") == 0 ||
	    *yb_nhsa_js(prev, "reversed_by"))
		return yb_errf(err, "nhsa.msgid_reversed", "msgid %s", m->msgid);
	if (strcmp(yb_nhsa_js(prev, "body_sha256"), m->body_hash) != 0)
		return yb_errf(err, "nhsa.msgid_reused", "msgid %s", m->msgid);
	if (strcmp(state, "done") != 0)
		return yb_errf(err, "nhsa.msgid_in_progress", "msgid %s",
			       m->msgid);
	*response = strdup(yb_nhsa_js(prev, "response"));
	if (!*response)
		return yb_errf(err, "out_of_memory", "out of memory");
	return 1;
}

int yb_nhsa_msg_claim(yb_ctx *ctx, const yb_nhsa_msg *m, bool final,
		      char **response, yb_err *err)
{
	char key[192];
	json_t *v = msg_json(m, final ? "done" : "pending"), *prev = NULL;
	int rc = -1, fresh;

	*response = NULL;
	if (!v)
		return yb_errf(err, "out_of_memory", "out of memory");
	yb_nhsa_msg_key(key, sizeof key, m->institution_code, m->msgid);
	if (yb_tx_begin(ctx, true, err) < 0)
		goto out;
	fresh = yb_nhsa_rec_put(ctx, "msg", key, m->institution_code, v,
				YB_NHSA_ENSURE, err);
	if (fresh < 0)
		goto end;
	if (fresh) {
		rc = 0;
		goto end;
	}
	if (yb_nhsa_rec_get(ctx, "msg", key, &prev, NULL, err) < 0)
		goto end;
	rc = msg_repeat(prev, m, response, err);
end:
	/* A repeat changed nothing; its commit is only the end of a read. */
	if (yb_tx_end(ctx, rc < 0 ? -1 : 0, err) < 0 && rc >= 0) {
		free(*response);
		*response = NULL;
		rc = -1;
	}
out:
	json_decref(v);
	json_decref(prev);
	return rc;
}

int yb_nhsa_msg_finish(yb_ctx *ctx, const yb_nhsa_msg *m, bool claimed,
		       yb_err *err)
{
	char key[192];
	json_t *v = msg_json(m, "done");
	int rc;

	if (!v)
		return yb_errf(err, "out_of_memory", "out of memory");
	if (claimed)
		yb_nhsa_msg_key(key, sizeof key, m->institution_code, m->msgid);
	else
		yb_nhsa_cpy(key, sizeof key, m->inf_refmsgid);
	if (yb_tx_begin(ctx, true, err) < 0) {
		json_decref(v);
		return -1;
	}
	rc = yb_nhsa_rec_put(ctx, claimed ? "msg" : "msgx", key,
			     m->institution_code ? m->institution_code : "",
			     v, YB_NHSA_UPSERT, err);
	json_decref(v);
	return yb_tx_end(ctx, rc, err);
}

int yb_nhsa_msg_get(yb_ctx *ctx, const char *institution_code,
		    const char *msgid, char **json, yb_err *err)
{
	char key[192];
	json_t *v = NULL;
	int found;

	*json = NULL;
	if (yb_authorize(ctx, "nhsa.message.get", err) < 0)
		return -1;
	if (!msgid || !*msgid || strlen(msgid) > 64 ||
	    strlen(institution_code ? institution_code : "") > 64)
		return yb_errf(err, "nhsa.message_not_found", "msgid");
	yb_nhsa_msg_key(key, sizeof key, institution_code ? institution_code
							  : "", msgid);
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = yb_nhsa_rec_get(ctx, "msg", key, &v, NULL, err);
	if (found == 0)   /* refused before authentication: by refmsgid */
		found = yb_nhsa_rec_get(ctx, "msgx", msgid, &v, NULL, err);
	yb_tx_rollback(ctx);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "nhsa.message_not_found", "msgid %s", msgid);
	*json = json_dumps(v, JSON_INDENT(2));
	json_decref(v);
	return *json ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}
