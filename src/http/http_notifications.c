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

static json_t *render_note(const yb_viewer *v, const void *item)
{
	(void)v;
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
		fetch_hooks, yb_json_webhook_item, sizeof(yb_webhook),
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
	yb_reply_json(r, MHD_HTTP_CREATED, yb_json_webhook(&w, false));
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
		fetch_deliveries, yb_json_delivery_item, sizeof(yb_delivery),
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
	yb_reply_json(r, MHD_HTTP_OK, yb_json_delivery(&d));
}
