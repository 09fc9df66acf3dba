/*
 * server_int.h — what the parts of the HTTP server share, and nobody
 * else: the server's state (settings, database URLs, the per-thread
 * stores, the batcher), the effective roles per route, the log, and
 * libmicrohttpd's callbacks.  The parts: server.c (start and stop),
 * server_log.c (JSON log lines, the access log), server_stores.c (the
 * per-thread stores), server_request.c (one request's life and its
 * dispatch).
 */
#ifndef YB_HTTP_SERVER_INT_H
#define YB_HTTP_SERVER_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "http/httpd.h"
#include "http/server.h"
#include "service/batch.h"
#include "webhook/sender.h"

typedef struct store_slot {
	yb_store *st;
	struct store_slot *next;
} store_slot;

/* One server per process: set by yb_http_serve before the workers start. */
struct yb_http_srv {
	yb_settings settings;
	const char *db_url;
	const char *read_db_url;         /* --read-db, or NULL */
	int log_level;
	bool have_web;
	atomic_int in_flight;
	atomic_bool stopping;
	atomic_bool standby_down;        /* said so in the log already */
	pthread_mutex_t lock;            /* guards stores */
	store_slot *stores;
	yb_batcher *batcher;             /* group commit; NULL when off */
	bool auth_in_writer;             /* SQLite's: server_request.c */
	yb_webhook_sender *sender;       /* notify (E3): webhook deliveries */
};
extern struct yb_http_srv yb_srv;

/* Effective roles per route (yb_http_route_roles), computed at start so
 * the check per request is one AND. */
extern unsigned yb_route_roles[YB_HTTP_ROUTES_MAX];

/* ---- server_log.c ---- */
/* One JSON line to stderr if `level` is logged; detail may be NULL. */
void yb_log_msg(int level, const char *msg, const char *detail);
/* libmicrohttpd's own messages, as warnings. */
__attribute__((format(printf, 2, 0)))
void yb_log_mhd(void *cls, const char *fmt, va_list ap);
/* The access log line of a request that took `us` microseconds. */
void yb_log_access(const yb_hreq *r, int64_t us);
/* "error" | "warn" | "info" | "debug" → YB_LOG_*; info otherwise. */
int yb_log_level_parse(const char *s);

/* ---- server_stores.c ---- */
/* After the workers have stopped: nobody uses the stores any more. */
void yb_server_stores_close(void);

/* ---- server_request.c: libmicrohttpd's callbacks ---- */
enum MHD_Result yb_http_on_access(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls);
void yb_http_on_completed(void *cls, struct MHD_Connection *conn,
			  void **con_cls, enum MHD_RequestTerminationCode toe);

#endif
