/*
 * sender.h — E3's background webhook sender: a thread with its own store
 * connection that posts each due delivery to its webhook, signed, and
 * records the outcome.
 *
 * Why its own thread and connection: a slow or dead receiver must never
 * slow a settlement.  The sender holds no transaction while it waits for
 * a receiver (claim, post, record are three separate steps), every
 * request has a connect and a total timeout, and the only thing it shares
 * with the request path is the database.
 *
 * At least once: a claimed delivery is leased (timeout + a margin), so a
 * sender that crashes or is killed mid-request leaves it due again when
 * the lease runs out; a 2xx answer marks it delivered.  A receiver
 * deduplicates on X-Yibao-Delivery.
 */
#ifndef YB_WEBHOOK_SENDER_H
#define YB_WEBHOOK_SENDER_H

#include "core/err.h"
#include "core/settings.h"

typedef struct yb_webhook_sender yb_webhook_sender;

/* A line for the server's log: level 0 error, 1 warn, 2 info, 3 debug. */
typedef void (*yb_webhook_log_fn)(int level, const char *msg,
				  const char *detail);

/* Open the connection and start the thread.  `settings` is copied. */
int yb_webhook_sender_start(const char *db_url, const yb_settings *settings,
			    yb_webhook_log_fn log, yb_webhook_sender **out,
			    yb_err *err);

/* Stop after the request in progress (bounded by its timeout), close the
 * connection, free.  NULL-safe. */
void yb_webhook_sender_stop(yb_webhook_sender *ws);

#endif
