/*
 * server.h — the HTTP API server (libmicrohttpd + jansson): the edge that
 * turns requests into service calls and yb_err into HTTP answers.
 */
#ifndef YB_HTTP_SERVER_H
#define YB_HTTP_SERVER_H

#include "core/err.h"
#include "core/settings.h"

typedef struct yb_http_options {
	const char *listen;              /* "127.0.0.1:8080" */
	const char *db_url;              /* store URL (see yb_store_open) */
	/* issue 16: a standby's store URL for the reads that may be a
	 * little stale (service/ctx.h "Read routing"); NULL = none */
	const char *read_db_url;
	const yb_settings *settings;
	const char *web_root;            /* static files ("web"); NULL = none */
	const char *tls_cert;            /* PEM paths; NULL = plain HTTP */
	const char *tls_key;
	int threads;                     /* worker threads; 0 = number of CPUs */
	const char *log_level;           /* "error" | "warn" | "info" | "debug" */
	/* Group commit of write requests (service/batch.h): "off", or
	 * "on"/"auto"/NULL = on (both engines). */
	const char *group_commit;
	/* With group commit: run its writer thread alone on CPU
	 * `writer_cpu` (service/batch.h), every other thread elsewhere. */
	bool pin_writer;
	int writer_cpu;
	/* With group commit: how many writers (service/batch.h); 0 = the
	 * engine's default (SQLite 1, the only number it takes; PostgreSQL
	 * one per CPU). */
	int writers;
	/* With group commit: at most this many requests in one commit;
	 * 0 = the engine's default (server.c batch_max). */
	int max_batch;
} yb_http_options;

/*
 * Serve until SIGTERM or SIGINT, then finish in-flight requests, close the
 * database and return 0.  Returns -1 (err filled) if it cannot start.
 */
int yb_http_serve(const yb_http_options *opt, yb_err *err);

#endif
