/*
 * nhsa_msg.c — the gateway's message log (docs/NHSA.md "How a message is
 * handled", steps 5 and 8): every message in and out is kept; a repeated
 * msgid from the same institution answers its first reply and never acts
 * twice, another body under it is refused.
 *
 * Record kinds: "msg" (key institution|msgid; no group: never listed) and
 * "msgx" (a message refused before it could claim its msgid, key its
 * inf_refmsgid).  A msg record is pending from its claim to its answer —
 * both inside one transaction, so no other transaction ever sees it
 * pending — and "reversed" once 2601 undid it (or, for a msgid 2601 named
 * before it arrived, from the start: nhsa_reversal.c).
 *
 * A record's value is its facts as one line of JSON, a newline, and the
 * reply as kept: its text exactly as sent, or — for a settlement — the
 * facts its text is rendered from (nhsa/nhsa_kept.c; this file passes it
 * through as it is, and the edge renders it: yb_nhsa_msg_get's `render`).
 * Not the reply as a JSON string member: escaping
 * two kilobytes of JSON into a string, at every message, was a fifth of
 * the group-commit writer's work (docs/BENCHMARKS.md).
 */
#include "service/nhsa_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"

void yb_nhsa_msg_key(char *key, size_t size, const char *inst,
		     const char *msgid)
{
	yb_nhsa_key2(key, size, inst, msgid);
}

/* The facts known before the answer (the record's first members). */
static void msg_head(yb_jw *w, const yb_nhsa_msg *m)
{
	yb_jw_raw(w, "{");
	yb_jw_kstr(w, "institution", m->institution_code);
	yb_jw_kstr(w, "msgid", m->msgid);
	yb_jw_kstr(w, "infno", m->infno);
	yb_jw_kstr(w, "opter", m->opter);
	yb_jw_kstr(w, "inf_refmsgid", m->inf_refmsgid);
	yb_jw_kstr(w, "body_sha256", m->body_hash);
	yb_jw_kint(w, "received_ms", m->received_ms);
}

char *yb_nhsa_msg_head(const yb_nhsa_msg *m)
{
	yb_jw w = YB_JW_INIT;

	msg_head(&w, m);
	return yb_jw_take(&w, NULL);
}

/* The record's text: facts, newline, reply (NULL: out of memory). */
static char *msg_text(const yb_nhsa_msg *m, const char *state)
{
	yb_jw w = YB_JW_INIT;

	if (m->head) {               /* made before, off the writer */
		yb_jw_raw(&w, m->head);
		w.first = false;
	} else {
		msg_head(&w, m);
	}
	yb_jw_kint(&w, "responded_ms", m->responded_ms);
	yb_jw_kint(&w, "infcode", m->infcode);
	yb_jw_kstr(&w, "err_code", m->err_code);
	yb_jw_kstr(&w, "state", state);
	if (m->effect && *m->effect) {   /* our own JSON: as it is */
		yb_jw_key(&w, "effect");
		yb_jw_raw(&w, m->effect);
	}
	yb_jw_raw(&w, "}\n");
	if (m->response)
		yb_jw_raw(&w, m->response);
	return yb_jw_take(&w, NULL);
}

/* Split a record's value into its facts and its reply. */
static int msg_parse(const char *val, json_t **meta, char **response,
		     yb_err *err)
{
	const char *nl = strchr(val, '\n');
	json_error_t jerr;

	*meta = json_loadb(val, nl ? (size_t)(nl - val) : strlen(val), 0,
			   &jerr);
	if (!*meta)
		return yb_errf(err, "store.corrupt", "nhsa message record");
	if (response) {
		*response = strdup(nl ? nl + 1 : "");
		if (!*response) {
			json_decref(*meta);
			*meta = NULL;
			return yb_errf(err, "out_of_memory", "out of memory");
		}
	}
	return 0;
}

static int msg_load_kind(yb_ctx *ctx, const char *kind, const char *key,
			 json_t **meta, char **response, yb_err *err)
{
	yb_nhsa_rec rec;
	int found;

	*meta = NULL;
	if (response)
		*response = NULL;
	found = ctx->store->ops->nhsa_get(ctx->store, kind, key, &rec, err);
	if (found <= 0)
		return found;
	found = msg_parse(rec.val, meta, response, err) < 0 ? -1 : 1;
	free(rec.val);
	return found;
}

int yb_nhsa_msg_load(yb_ctx *ctx, const char *key, json_t **meta,
		     char **response, yb_err *err)
{
	return msg_load_kind(ctx, "msg", key, meta, response, err);
}

int yb_nhsa_msg_store(yb_ctx *ctx, const char *key, const json_t *meta,
		      const char *response, int mode, yb_err *err)
{
	char *facts = json_dumps(meta, JSON_COMPACT), *text = NULL;
	size_t n;

	if (facts) {
		n = strlen(facts) + strlen(response ? response : "") + 2;
		text = malloc(n);
		if (text)
			snprintf(text, n, "%s\n%s", facts,
				 response ? response : "");
	}
	free(facts);
	return yb_nhsa_rec_put_text(ctx, "msg", key, "", text, mode, err);
}

/* A msgid already kept, its record's text `val`: its first answer, or
 * why not. */
static int msg_judge(const char *val, const yb_nhsa_msg *m, char **response,
		     yb_err *err)
{
	json_t *prev = NULL;
	const char *state;
	int rc;

	if (msg_parse(val, &prev, response, err) < 0)
		return -1;
	state = yb_nhsa_js(prev, "state");
	if (strcmp(state, "reversed") == 0 || *yb_nhsa_js(prev, "reversed_by"))
		rc = yb_errf(err, "nhsa.msgid_reversed", "msgid %s", m->msgid);
	else if (strcmp(yb_nhsa_js(prev, "body_sha256"), m->body_hash) != 0)
		rc = yb_errf(err, "nhsa.msgid_reused", "msgid %s", m->msgid);
	else if (strcmp(state, "done") != 0)
		rc = yb_errf(err, "nhsa.msgid_in_progress", "msgid %s",
			     m->msgid);
	else
		rc = 1;
	json_decref(prev);
	if (rc < 0) {
		free(*response);
		*response = NULL;
	}
	return rc;
}

/* A msgid already kept under `key`: msg_judge of its record. */
static int msg_repeat(yb_ctx *ctx, const char *key, const yb_nhsa_msg *m,
		      char **response, yb_err *err)
{
	yb_nhsa_rec rec;
	int rc = ctx->store->ops->nhsa_get(ctx->store, "msg", key, &rec, err);

	if (rc <= 0)
		return rc < 0 ? -1 : yb_errf(err, "store.corrupt", "%s", key);
	rc = msg_judge(rec.val, m, response, err);
	free(rec.val);
	return rc;
}

char *yb_nhsa_msg_pending_text(const yb_nhsa_msg *m)
{
	return msg_text(m, "pending");
}

int yb_nhsa_msg_claim(yb_ctx *ctx, const yb_nhsa_msg *m, const char *paasid,
		      const char *nonce, bool final, char *text,
		      char **response, yb_err *err)
{
	char key[192];
	int rc = -1, fresh;
	bool keep = false;           /* commit even though refused */

	*response = NULL;
	yb_err_clear(err);
	yb_nhsa_msg_key(key, sizeof key, m->institution_code, m->msgid);
	if (!text)   /* pending: the facts alone; final: facts and reply */
		text = msg_text(m, final ? "done" : "pending");
	if (!text)
		return yb_errf(err, "out_of_memory", "out of memory");
	if (yb_tx_begin(ctx, true, err) < 0) {
		free(text);
		return -1;
	}
	if (nonce && yb_nhsa_nonce_spend_in(ctx, paasid, nonce, err) < 0) {
		free(text);
		goto end;
	}
	fresh = yb_nhsa_rec_put_text(ctx, "msg", key, "", text, YB_NHSA_ENSURE,
				     err);
	if (fresh < 0)
		goto end;
	/* A repeat changed nothing but the nonce, which stays spent
	 * whatever the msgid's answer. */
	keep = true;
	rc = fresh ? 0 : msg_repeat(ctx, key, m, response, err);
end:
	if (yb_tx_end(ctx, rc < 0 && !keep ? -1 : 0, err) < 0 && rc >= 0) {
		free(*response);
		*response = NULL;
		rc = -1;
	}
	return rc;
}

int yb_nhsa_msg_check(yb_ctx *ctx, const yb_nhsa_msg *m, const char *paasid,
		      const char *nonce, char **response, yb_err *err)
{
	char key[192];
	yb_nhsa_rec rec;
	int found;

	*response = NULL;
	yb_err_clear(err);
	if (!ctx->in_batch || !ctx->store->ops->one_writer)
		return yb_errf(err, "internal", "msgid check outside one writer");
	yb_nhsa_msg_key(key, sizeof key, m->institution_code, m->msgid);
	/* The read first: until the nonce, nothing is written, so a
	 * refusal needs no savepoint to leave nothing behind. */
	rec.val = NULL;
	found = ctx->store->ops->nhsa_get(ctx->store, "msg", key, &rec, err);
	if (found >= 0 && nonce &&
	    yb_nhsa_nonce_spend_in(ctx, paasid, nonce, err) < 0)
		found = -1;
	else if (found > 0)  /* the nonce stays spent, whatever the answer */
		found = msg_judge(rec.val, m, response, err);
	if (found != 0)
		free(rec.val);
	return found;
}

int yb_nhsa_msg_finish(yb_ctx *ctx, const yb_nhsa_msg *m, bool claimed,
		       const char *pending, yb_err *err)
{
	const char *kind = claimed ? "msg" : "msgx";
	char key[192];
	int rc;

	if (claimed)
		yb_nhsa_msg_key(key, sizeof key, m->institution_code, m->msgid);
	else
		yb_nhsa_cpy(key, sizeof key, m->inf_refmsgid);
	/* One statement: inside the group-commit batch it needs no
	 * savepoint of its own — a statement that fails is undone by the
	 * engine, and nothing else is written here (a savepoint and its
	 * release cost as much as the write). */
	if (ctx->in_batch) {
		rc = yb_nhsa_rec_put_text(ctx, kind, key, "",
					  msg_text(m, "done"), YB_NHSA_UPSERT,
					  err) < 0 ? -1 : 0;
		/* Claimed by yb_nhsa_msg_check (a read): if the record
		 * cannot be kept whole, its pending form at least, so that
		 * the msgid never acts twice (a repeat is "in progress"). */
		if (rc < 0 && pending) {
			yb_err ignored;
			char *p = strdup(pending);
			(void)yb_nhsa_rec_put_text(ctx, kind, key, "", p,
						   YB_NHSA_ENSURE, &ignored);
		}
		return rc;
	}
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	rc = yb_nhsa_rec_put_text(ctx, kind, key, "", msg_text(m, "done"),
				  YB_NHSA_UPSERT, err);
	return yb_tx_end(ctx, rc, err);
}

int yb_nhsa_msg_get(yb_ctx *ctx, const char *institution_code,
		    const char *msgid, yb_nhsa_render_fn *render, char **json,
		    yb_err *err)
{
	char key[192], *response = NULL;
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
	found = msg_load_kind(ctx, "msg", key, &v, &response, err);
	if (found == 0)   /* refused before authentication: by refmsgid */
		found = msg_load_kind(ctx, "msgx", msgid, &v, &response, err);
	yb_tx_rollback(ctx);
	if (found > 0 && render && response) {   /* facts → its text */
		char *text = render(response, NULL);

		free(response);
		response = text;
		if (!response)
			found = yb_errf(err, "out_of_memory", "out of memory");
	}
	if (found > 0)
		json_object_set_new(v, "response", json_string(response));
	free(response);
	if (found <= 0) {
		json_decref(v);
		return found < 0 ? -1 : yb_errf(err, "nhsa.message_not_found",
						"msgid %s", msgid);
	}
	*json = json_dumps(v, JSON_INDENT(2));
	json_decref(v);
	return *json ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}
