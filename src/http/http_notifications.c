/*
 * http_notifications.c — notify (E3) over HTTP: a person's notifications
 * (GET /api/v1/me/notifications with the unread count, marking one or
 * all read) and the agency's webhooks and their deliveries (admin; the
 * dead-delivery list and retry also for the agency window's console).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "http/httpd.h"
#include "service/notify.h"
#include "webhook/payload.h"

/* ---- a person's notifications -------------------------------------------- */

static int fetch_notes(yb_hreq *r, yb_id before, int limit, void **items,
		       int *n, yb_err *err)
{
	yb_notification *out = NULL;
	int rc = yb_my_notifications(&r->ctx, before, limit, &out, n, err);

	*items = out;
	return rc;
}

static json_t *render_note(const yb_hreq *r, const void *item)
{
	(void)r;
	return yb_notification_json(item);
}

static int unread_extra(yb_hreq *r, json_t *page, yb_err *err)
{
	int64_t count = 0;

	if (yb_my_notifications_unread(&r->ctx, &count, err) < 0)
		return -1;
	if (json_object_set_new(page, "unread_count",
				json_integer((json_int_t)count)) < 0)
		return yb_errf(err, "out_of_memory", "out of memory");
	return 0;
}

void yb_handle_me_notifications_get(yb_hreq *r)
{
	static const yb_page_kind k = {
		fetch_notes, render_note, sizeof(yb_notification),
		offsetof(yb_notification, id) };
	yb_reply_page_extra(r, &k, unread_extra);
}

static void mark_read(yb_hreq *r, yb_id id)
{
	int changed = 0;
	yb_err err;

	if (yb_my_notifications_read(&r->ctx, id, &changed, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK, json_pack("{s:i}", "marked", changed));
}

void yb_handle_me_notifications_read_one(yb_hreq *r)
{
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, "notification.not_found", &id, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	mark_read(r, id);
}

void yb_handle_me_notifications_read_all(yb_hreq *r)
{
	mark_read(r, 0);
}

/* ---- the agency's webhooks ------------------------------------------------ */

/* The secret is never shown again after it was given: its last four
 * characters identify it. */
static json_t *render_hook(const yb_webhook *w, bool with_secret)
{
	char hint[16];
	size_t n = strlen(w->secret);

	snprintf(hint, sizeof hint, "…%s", n > 4 ? w->secret + n - 4 : "");
	return json_pack("{s:I, s:s, s:s, s:s, s:o}",
			 "webhook_id", (json_int_t)w->id, "url", w->url,
			 "label", w->label,
			 "secret", with_secret ? w->secret : hint,
			 "created_at", yb_jtime(w->created_at));
}

static json_t *render_hook_item(const yb_hreq *r, const void *item)
{
	(void)r;
	return render_hook(item, false);
}

static int fetch_hooks(yb_hreq *r, yb_id before, int limit, void **items,
		       int *n, yb_err *err)
{
	yb_webhook *out = NULL;
	int rc = yb_webhooks_list(&r->ctx, before, limit, &out, n, err);

	*items = out;
	return rc;
}

void yb_handle_webhooks_get(yb_hreq *r)
{
	static const yb_page_kind k = {
		fetch_hooks, render_hook_item, sizeof(yb_webhook),
		offsetof(yb_webhook, id) };
	yb_reply_page(r, &k);
}

void yb_handle_webhooks_post(yb_hreq *r)
{
	const char *url = NULL, *secret = NULL, *label = NULL;
	yb_webhook w;
	yb_err err;

	if (yb_jget_str(r->json, NULL, "url", true, &url, &err) < 0 ||
	    yb_jget_str(r->json, NULL, "secret", true, &secret, &err) < 0 ||
	    yb_jget_str(r->json, NULL, "label", false, &label, &err) < 0 ||
	    yb_webhook_add(&r->ctx, url, secret, label, &w, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_CREATED, render_hook(&w, false));
}

void yb_handle_webhooks_delete(yb_hreq *r)
{
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, "webhook.not_found", &id, &err) < 0 ||
	    yb_webhook_remove(&r->ctx, id, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_empty(r, MHD_HTTP_NO_CONTENT);
}

/* ---- deliveries ----------------------------------------------------------- */

static json_t *render_delivery(const yb_delivery *d)
{
	return json_pack("{s:I, s:I, s:I, s:s, s:s, s:i, s:o, s:i, s:s, s:o, "
			 "s:o}",
			 "delivery_id", (json_int_t)d->id,
			 "webhook_id", (json_int_t)d->webhook_id,
			 "notification_id", (json_int_t)d->notification_id,
			 "url", d->url, "state", yb_deliv_state_str(d->state),
			 "attempts", d->attempts,
			 "next_attempt_at", d->state == YB_DELIV_PENDING
				? yb_jtime((yb_time)(d->next_at_ms / 1000))
				: json_null(),
			 "last_status", d->last_status,
			 "last_error", d->last_error,
			 "created_at", yb_jtime(d->created_at),
			 "delivered_at", yb_jtime(d->delivered_at));
}

static json_t *render_delivery_item(const yb_hreq *r, const void *item)
{
	(void)r;
	return render_delivery(item);
}

static int fetch_deliveries(yb_hreq *r, yb_id before, int limit,
			    void **items, int *n, yb_err *err)
{
	yb_delivery *out = NULL;
	int rc = yb_deliveries_list(&r->ctx, yb_req_query(r, "state"), before,
				    limit, &out, n, err);

	*items = out;
	return rc;
}

void yb_handle_deliveries_get(yb_hreq *r)
{
	static const yb_page_kind k = {
		fetch_deliveries, render_delivery_item, sizeof(yb_delivery),
		offsetof(yb_delivery, id) };
	yb_reply_page(r, &k);
}

void yb_handle_deliveries_retry(yb_hreq *r)
{
	yb_delivery d;
	yb_id id;
	yb_err err;

	if (yb_req_id_param(r, 0, "delivery.not_found", &id, &err) < 0 ||
	    yb_delivery_retry(&r->ctx, id, &d, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK, render_delivery(&d));
}
