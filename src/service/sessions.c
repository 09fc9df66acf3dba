/*
 * sessions.c — a person's view of his own portal sessions (issue 14):
 * the list of where he is logged in, and ending one of them (a lost
 * phone, a shared computer).  A session is named to him by the first 64
 * bits of its token's SHA-256, never by the token: the id cannot be used
 * to log in, and only his own sessions are ever looked at.
 */
#include "service/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/hash.h"

/* The person's live sessions, in the caller's read transaction. */
static int own_sessions(yb_ctx *ctx, yb_session **out, int *n, yb_err *err)
{
	return ctx->store->ops->sessions_of_person(ctx->store,
						   ctx->actor.person_id,
						   yb_ctx_now(ctx), out, n,
						   err);
}

static void view_of(const yb_session *s, const char *current_hash,
		    yb_session_view *v)
{
	memset(v, 0, sizeof *v);
	snprintf(v->session_id, sizeof v->session_id, "%.16s", s->token_hash);
	v->created_at = s->created_at;
	v->expires_at = s->expires_at;
	v->current = current_hash &&
		     sodium_memcmp(s->token_hash, current_hash,
				   YB_HASH_HEX_SZ - 1) == 0;
}

int yb_sessions_list(yb_ctx *ctx, const char *bearer, yb_session_view **out,
		     int *n, yb_err *err)
{
	yb_session *rows = NULL;
	char th[YB_HASH_HEX_SZ];
	int nrows = 0, rc = -1;

	*out = NULL;
	*n = 0;
	if (yb_authorize(ctx, "session.list", err) < 0)
		return -1;
	yb_sha256_hex_str(bearer ? bearer : "", th);
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = yb_tx_end(ctx, own_sessions(ctx, &rows, &nrows, err), err);
	if (rc < 0)
		goto out;
	*out = calloc(nrows ? (size_t)nrows : 1, sizeof **out);
	if (!*out) {
		rc = yb_errf(err, "out_of_memory", "no memory for the list");
		goto out;
	}
	for (int i = 0; i < nrows; i++)
		view_of(&rows[i], th, &(*out)[i]);
	*n = nrows;
out:
	free(rows);
	return rc;
}

/* Find the caller's session with this id and end it, in the open write
 * transaction. */
static int end_own(yb_ctx *ctx, const char *session_id, yb_err *err)
{
	yb_session *rows = NULL;
	char target[YB_TEXT_SZ];
	int nrows = 0, rc = -1, hit = -1;

	if (own_sessions(ctx, &rows, &nrows, err) < 0)
		return -1;
	for (int i = 0; i < nrows && hit < 0; i++)
		if (strncmp(rows[i].token_hash, session_id, 16) == 0)
			hit = i;
	if (hit < 0) {
		yb_errf(err, "session.not_found", "no such session of yours");
		goto out;
	}
	if (ctx->store->ops->session_delete(ctx->store, rows[hit].token_hash,
					    err) < 0)
		goto out;
	snprintf(target, sizeof target, "%s", ctx->actor.id);
	rc = yb_audit(ctx, "session.delete", target, "ok", err);
out:
	free(rows);
	return rc;
}

int yb_session_end(yb_ctx *ctx, const char *session_id, yb_err *err)
{
	if (yb_authorize(ctx, "session.end", err) < 0)
		return -1;
	if (!session_id || strlen(session_id) != YB_SESSION_ID_SZ - 1)
		return yb_errf(err, "session.not_found",
			       "no such session of yours");
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	return yb_tx_end(ctx, end_own(ctx, session_id, err), err);
}
