/*
 * notify.c — E3, the writing half and the person's own view: the
 * notifications other use cases write inside their transactions, and the
 * listing and marking read of them by the authorizer (notify.h).
 * The agency's webhooks and the sender's side are in webhook.c.
 */
#include "service/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"

#define LIMIT_MAX 500

int yb_notify_add(yb_ctx *ctx, yb_notification *n, yb_err *err)
{
	n->created_at = yb_ctx_now(ctx);
	n->read_at = 0;
	return ctx->store->ops->notification_insert(ctx->store, n, err);
}

int yb_notify_shares(yb_ctx *ctx, const yb_settlement *s,
		     const yb_institution *inst, yb_note_kind kind,
		     yb_err *err)
{
	yb_institution read;
	yb_notification n;

	for (int i = 0; i < s->nshares; i++) {
		const yb_share *sh = &s->shares[i];

		/* The patient's own account is his own business. */
		if (sh->relationship == YB_REL_SELF ||
		    sh->payer_person_id == s->patient_id)
			continue;
		/* The institution's name, once, and only when someone is told:
		 * most settlements are paid from the patient's own account. */
		if (!inst) {
			memset(&read, 0, sizeof read);
			if (ctx->store->ops->institution_by_code(
				    ctx->store, s->institution_code, &read,
				    err) < 0)
				return -1;
			inst = &read;
		}
		memset(&n, 0, sizeof n);
		n.person_id = sh->payer_person_id;
		n.kind = kind;
		n.relative_id = s->patient_id;
		snprintf(n.relative_ssn, sizeof n.relative_ssn, "%s",
			 s->patient_ssn);
		snprintf(n.relative_name, sizeof n.relative_name, "%s",
			 s->patient_name);
		n.relationship = sh->relationship;
		n.amount_fen = sh->amount_fen;
		snprintf(n.institution_code, sizeof n.institution_code, "%s",
			 s->institution_code);
		snprintf(n.institution_name, sizeof n.institution_name, "%s",
			 inst->name);
		snprintf(n.ref, sizeof n.ref, "settlement:%lld",
			 (long long)s->id);
		snprintf(n.detail, sizeof n.detail, "%s",
			 yb_visit_type_str(s->visit_type));
		if (yb_notify_add(ctx, &n, err) < 0)
			return -1;
	}
	return 0;
}

int yb_notify_binding(yb_ctx *ctx, const yb_binding *b, yb_note_kind kind,
		      const char *end_reason, yb_err *err)
{
	yb_notification n;

	memset(&n, 0, sizeof n);
	n.person_id = b->authorizer_id;
	n.kind = kind;
	n.relative_id = b->relative_id;
	snprintf(n.relative_ssn, sizeof n.relative_ssn, "%s", b->relative_ssn);
	snprintf(n.relative_name, sizeof n.relative_name, "%s",
		 b->relative_name);
	n.relationship = b->relationship;
	snprintf(n.ref, sizeof n.ref, "binding:%lld", (long long)b->id);
	snprintf(n.detail, sizeof n.detail, "%s",
		 kind == YB_NOTE_BINDING_CREATED ? yb_channel_str(b->channel)
		 : end_reason ? end_reason : "");
	return yb_notify_add(ctx, &n, err);
}

typedef int (*bindings_fn)(yb_store *st, yb_id person_id, bool active_only,
			   yb_id before, int limit, yb_binding **out, int *n,
			   yb_err *err);

/* Tell the authorizer of every active binding one list names. */
static int notify_ending(yb_ctx *ctx, bindings_fn list, yb_id person_id,
			 const char *reason, yb_err *err)
{
	yb_binding *b = NULL;
	yb_id before = 0;
	int n = 0, rc = 0;

	do {
		free(b);
		b = NULL;
		if (list(ctx->store, person_id, true, before, LIMIT_MAX, &b, &n,
			 err) < 0)
			return -1;
		for (int i = 0; i < n && rc == 0; i++)
			rc = yb_notify_binding(ctx, &b[i],
					       YB_NOTE_BINDING_ENDED, reason,
					       err);
		if (n > 0)
			before = b[n - 1].id;
	} while (rc == 0 && n == LIMIT_MAX);
	free(b);
	return rc;
}

int yb_notify_bindings_ending(yb_ctx *ctx, yb_id person_id,
			      const char *reason, yb_err *err)
{
	const yb_store_ops *ops = ctx->store->ops;

	if (notify_ending(ctx, ops->bindings_of_authorizer, person_id, reason,
			  err) < 0)
		return -1;
	return notify_ending(ctx, ops->bindings_of_relative, person_id, reason,
			     err);
}

int yb_notify_premium_paid(yb_ctx *ctx, yb_id authorizer_id,
			   const yb_person *relative,
			   yb_relationship relationship, int year,
			   int64_t amount_fen, const char *ref, yb_err *err)
{
	yb_notification n;

	memset(&n, 0, sizeof n);
	n.person_id = authorizer_id;
	n.kind = YB_NOTE_PREMIUM_PAYMENT;
	n.relative_id = relative->id;
	snprintf(n.relative_ssn, sizeof n.relative_ssn, "%s", relative->ssn);
	snprintf(n.relative_name, sizeof n.relative_name, "%s",
		 relative->name);
	n.relationship = relationship;
	n.amount_fen = amount_fen;
	snprintf(n.ref, sizeof n.ref, "%s", ref ? ref : "");
	snprintf(n.detail, sizeof n.detail, "%d", year);
	return yb_notify_add(ctx, &n, err);
}

/* ---- the person's own ---------------------------------------------------- */

int yb_my_notifications(yb_ctx *ctx, yb_id before, int limit,
			yb_notification **out, int *n, yb_err *err)
{
	int rc;

	*out = NULL;
	*n = 0;
	if (yb_authorize(ctx, "notification.list", err) < 0)
		return -1;
	if (before < 0)
		return yb_errf(err, "request.invalid_cursor", "invalid cursor");
	limit = limit < 1 ? 1 : limit > LIMIT_MAX ? LIMIT_MAX : limit;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = ctx->store->ops->notifications_of(ctx->store,
					       ctx->actor.person_id, before,
					       limit, out, n, err);
	yb_tx_rollback(ctx);
	return rc;
}

int yb_my_notifications_unread(yb_ctx *ctx, int64_t *count, yb_err *err)
{
	int rc;

	*count = 0;
	if (yb_authorize(ctx, "notification.list", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = ctx->store->ops->notifications_unread(
		ctx->store, ctx->actor.person_id, count, err);
	yb_tx_rollback(ctx);
	return rc;
}

int yb_my_notifications_read(yb_ctx *ctx, yb_id id, int *changed,
			     yb_err *err)
{
	char target[YB_TEXT_SZ];
	int rc = -1;

	*changed = 0;
	if (yb_authorize(ctx, "notification.read", err) < 0)
		return -1;
	if (id < 0)
		return yb_errf(err, "notification.not_found",
			       "no such notification");
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (ctx->store->ops->notification_mark_read(
		    ctx->store, ctx->actor.person_id, id, yb_ctx_now(ctx),
		    changed, err) < 0)
		goto out;
	/* Marking what was read already changes nothing: no audit record. */
	rc = 0;
	if (*changed == 0)
		goto out;
	if (id)
		snprintf(target, sizeof target, "notification:%lld",
			 (long long)id);
	else
		snprintf(target, sizeof target, "notifications-of:%lld",
			 (long long)ctx->actor.person_id);
	rc = yb_audit(ctx, "notification.read", target, "ok", err);
out:
	return yb_tx_end(ctx, rc, err);
}
