/*
 * webhook.c — E3, the delivering half: the agency's webhooks (URL and
 * secret; several allowed), the delivery rows of each notification, the
 * operator's retry of a dead one, and the two steps of the background
 * sender (claim due deliveries; record an attempt), each one transaction.
 *
 * The sender's attempts are not audited: they are the transport's own
 * bookkeeping (as login throttling is), and an audit record per attempt
 * would put every retry on the audit chain's lock.  What people decide —
 * a webhook added or removed, a delivery retried — is audited.
 */
#include "service/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT_MAX 500

static int clamp(int limit)
{
	return limit < 1 ? 1 : limit > LIMIT_MAX ? LIMIT_MAX : limit;
}

int yb_webhook_add(yb_ctx *ctx, const char *url, const char *secret,
		   const char *label, yb_webhook *out, yb_err *err)
{
	yb_webhook w;
	char target[YB_TEXT_SZ];
	int rc = -1;

	if (yb_authorize(ctx, "webhook.manage", err) < 0)
		return -1;
	if (!yb_webhook_url_valid(url))
		return yb_errf(err, "webhook.invalid_url",
			       "url: http:// or https://, at most %d "
			       "characters, no blanks", YB_URL_SZ - 1);
	if (!yb_webhook_secret_valid(secret))
		return yb_errf(err, "webhook.invalid_secret",
			       "secret: %d to %d characters of printable ASCII",
			       YB_SECRET_MIN, YB_SECRET_SZ - 1);
	if (label && strlen(label) >= YB_NAME_SZ)
		return yb_errf(err, "request.invalid_field",
			       "label: at most %d bytes", YB_NAME_SZ - 1);
	memset(&w, 0, sizeof w);
	snprintf(w.url, sizeof w.url, "%s", url);
	snprintf(w.secret, sizeof w.secret, "%s", secret);
	snprintf(w.label, sizeof w.label, "%s", label ? label : "");
	w.created_at = yb_ctx_now(ctx);
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (ctx->store->ops->webhook_insert(ctx->store, &w, err) < 0)
		goto out;
	snprintf(target, sizeof target, "webhook:%lld", (long long)w.id);
	if (yb_audit(ctx, "webhook.add", target, "ok", err) < 0)
		goto out;
	if (out)
		*out = w;
	rc = 0;
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_webhooks_list(yb_ctx *ctx, yb_id before, int limit, yb_webhook **out,
		     int *n, yb_err *err)
{
	int rc;

	*out = NULL;
	*n = 0;
	if (yb_authorize(ctx, "webhook.list", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = ctx->store->ops->webhooks_list(ctx->store, before, clamp(limit),
					    out, n, err);
	yb_tx_rollback(ctx);
	return rc;
}

int yb_webhook_remove(yb_ctx *ctx, yb_id id, yb_err *err)
{
	char target[YB_TEXT_SZ];
	int rc = -1;

	if (yb_authorize(ctx, "webhook.manage", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (ctx->store->ops->webhook_remove(ctx->store, id, yb_ctx_now(ctx),
					    err) < 0)
		goto out;
	snprintf(target, sizeof target, "webhook:%lld", (long long)id);
	rc = yb_audit(ctx, "webhook.remove", target, "ok", err);
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_deliveries_list(yb_ctx *ctx, const char *state, yb_id before,
		       int limit, yb_delivery **out, int *n, yb_err *err)
{
	yb_deliv_state s = YB_DELIV_PENDING;
	int rc;

	*out = NULL;
	*n = 0;
	if (yb_authorize(ctx, "delivery.list", err) < 0)
		return -1;
	if (state && *state && !yb_deliv_state_from_str(state, &s))
		return yb_errf(err, "request.invalid_field",
			       "state: pending, delivered or dead");
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = ctx->store->ops->deliveries_list(ctx->store,
					      state && *state ? (int)s : -1,
					      before, clamp(limit), out, n,
					      err);
	yb_tx_rollback(ctx);
	return rc;
}

/* A delivery, or delivery.not_found. */
static int delivery_load(yb_ctx *ctx, yb_id id, yb_delivery *d, yb_err *err)
{
	int found = ctx->store->ops->delivery_by_id(ctx->store, id, d, err);

	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "delivery.not_found", "no delivery %lld",
			       (long long)id);
	return 0;
}

int yb_delivery_retry(yb_ctx *ctx, yb_id id, yb_delivery *out, yb_err *err)
{
	yb_delivery d;
	yb_webhook w;
	char target[YB_TEXT_SZ];
	int found, rc = -1;

	if (yb_authorize(ctx, "delivery.retry", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (delivery_load(ctx, id, &d, err) < 0)
		goto out;
	if (d.state != YB_DELIV_DEAD) {
		yb_errf(err, "delivery.not_dead",
			"only a dead delivery is retried (this one is %s)",
			yb_deliv_state_str(d.state));
		goto out;
	}
	found = ctx->store->ops->webhook_by_id(ctx->store, d.webhook_id, &w,
					       err);
	if (found < 0)
		goto out;
	if (!found || w.removed_at != 0) {
		yb_errf(err, "webhook.removed",
			"the webhook of this delivery was removed");
		goto out;
	}
	d.state = YB_DELIV_PENDING;
	d.attempts = 0;
	d.next_at_ms = (int64_t)yb_ctx_now(ctx) * 1000;
	if (ctx->store->ops->delivery_update(ctx->store, &d, err) < 0)
		goto out;
	snprintf(target, sizeof target, "delivery:%lld", (long long)id);
	if (yb_audit(ctx, "delivery.retry", target, "ok", err) < 0)
		goto out;
	if (out)
		*out = d;
	rc = 0;
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_deliveries_claim(yb_ctx *ctx, int64_t now_ms, int64_t lease_ms,
			int max, yb_delivery_job *jobs, int *n, yb_err *err)
{
	int rc;

	*n = 0;
	if (yb_authorize(ctx, "webhook.send", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	rc = ctx->store->ops->deliveries_claim(ctx->store, now_ms,
					       now_ms + lease_ms, max, jobs, n,
					       err);
	return yb_tx_end(ctx, rc, err);
}

int yb_delivery_record(yb_ctx *ctx, const yb_delivery *d, yb_err *err)
{
	int rc;

	if (yb_authorize(ctx, "webhook.send", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	rc = ctx->store->ops->delivery_update(ctx->store, d, err);
	return yb_tx_end(ctx, rc, err);
}
