/*
 * server.c — the HTTP server's start and stop: the listen address, TLS,
 * libmicrohttpd's options and worker threads, the batcher and the webhook
 * sender, and the graceful shutdown.  The rest of the server: its log
 * (server_log.c), the per-thread stores (server_stores.c), one request's
 * life (server_request.c); what they share is in server_int.h.
 *
 * Shutdown.  SIGTERM and SIGINT are blocked before the workers start (so
 * they inherit the mask) and the calling thread waits for them with
 * sigwait().  Then: stop accepting (MHD_quiesce_daemon), let the requests
 * already in progress finish (counted from their first byte to their
 * completion), stop the daemon (which closes idle keep-alive
 * connections), close the stores.
 */
#include "http/server_int.h"

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define DRAIN_TIMEOUT_S      30      /* longest wait for in-flight requests */

struct yb_http_srv yb_srv = { .lock = PTHREAD_MUTEX_INITIALIZER,
			      .log_level = YB_LOG_INFO };

unsigned yb_route_roles[YB_HTTP_ROUTES_MAX];

/* "host:port", "[v6]:port" or ":port" (all interfaces). */
static int parse_listen(const char *listen, struct addrinfo **res,
			yb_err *err)
{
	char host[256];
	const char *port, *colon;
	struct addrinfo hints;
	int rc;

	if (!listen || !*listen)
		listen = "127.0.0.1:8080";
	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');
		if (!close || close[1] != ':')
			goto bad;
		snprintf(host, sizeof host, "%.*s", (int)(close - listen - 1),
			 listen + 1);
		port = close + 2;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || (size_t)(colon - listen) >= sizeof host)
			goto bad;
		snprintf(host, sizeof host, "%.*s", (int)(colon - listen),
			 listen);
		port = colon + 1;
	}
	if (!*port || strspn(port, "0123456789") != strlen(port) ||
	    atoi(port) > 65535)
		goto bad;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, res);
	if (rc != 0)
		return yb_errf(err, "usage", "cannot resolve listen address "
			       "%s: %s", listen, gai_strerror(rc));
	return 0;
bad:
	return yb_errf(err, "usage",
		       "listen address must be HOST:PORT, got \"%s\"", listen);
}

static int read_file(const char *path, char **out, yb_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;
	int rc = -1;

	if (!f)
		return yb_errf(err, "usage", "cannot open %s: %s", path,
			       strerror(errno));
	if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 ||
	    size > 1024 * 1024 || fseek(f, 0, SEEK_SET) < 0) {
		yb_errf(err, "usage", "cannot read %s", path);
		goto out;
	}
	buf = malloc((size_t)size + 1);
	if (!buf) {
		yb_errf(err, "out_of_memory", "out of memory");
		goto out;
	}
	if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
		yb_errf(err, "usage", "cannot read %s", path);
		goto out;
	}
	buf[size] = '\0';
	*out = buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}


static bool pg_url(const char *url)
{
	return url && (strncmp(url, "pg:", 3) == 0 ||
		       strncmp(url, "postgres", 8) == 0);
}

/*
 * HTTP workers, unless --threads says: one per CPU, more on PostgreSQL,
 * where a worker waits for the database's answers and a connection stays
 * on its worker.  Without group commit a worker holds its request's
 * transaction to the commit, so 16 per CPU (pgha).  With it a write is
 * suspended while a writer runs it, and pg9 answers most authentications
 * from memory, so a worker waits only for reads: 4 per CPU.  More were
 * slower, not faster — 32 workers on 2 CPUs against 8, a million
 * persons, settle-64 (five pairs): 2,050/s mean, p99 76-191 ms, against
 * 2,330/s, p99 51-80 ms; the day mix no worse (docs/POSTGRESQL.md "HTTP
 * workers").
 */
static unsigned worker_count(int asked, const char *url, bool grouped)
{
	long n = asked > 0 ? asked : sysconf(_SC_NPROCESSORS_ONLN);
	if (asked <= 0 && pg_url(url))
		n *= grouped ? 4 : 16;
	if (n < 1)
		n = 1;
	if (n > 256)
		n = 256;
	return (unsigned)n;
}

/* Wait (bounded) until no request is between its first byte and its end. */
static void drain(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	for (int i = 0; i < DRAIN_TIMEOUT_S * 100; i++) {
		if (atomic_load(&yb_srv.in_flight) == 0)
			return;
		nanosleep(&tick, NULL);
	}
	yb_log_msg(YB_LOG_WARN,
		   "shutdown: requests still in flight, stopping", NULL);
}

/*
 * The resource limits (settings http_*, docs/settings.md): how many
 * connections in all and per client address, how long one may be idle,
 * and the memory of one connection (its request line and headers must fit:
 * larger headers are answered 431).  Returns the number of options.
 */
static int limit_options(const yb_settings *s, struct MHD_OptionItem *ops)
{
	int n = 0;

	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT,
		(intptr_t)s->http_connection_limit, NULL };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT,
		(intptr_t)s->http_connection_timeout_seconds, NULL };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(intptr_t)s->http_connection_memory_limit, NULL };
	if (s->http_per_ip_connection_limit > 0)
		ops[n++] = (struct MHD_OptionItem){
			MHD_OPTION_PER_IP_CONNECTION_LIMIT,
			(intptr_t)s->http_per_ip_connection_limit, NULL };
	return n;
}

/* On unless asked off: on both engines a batch of requests in one
 * transaction costs far less than a transaction each (SQLite: one fsync
 * per batch; PostgreSQL: docs/POSTGRESQL.md "Group commit"). */
static bool use_group_commit(const yb_http_options *opt)
{
	const char *gc = opt->group_commit;

	return !(gc && strcmp(gc, "off") == 0);
}

/* The writer alone on `cpu`: this thread leaves it before it starts the
 * HTTP workers, which take its CPU mask with them. */
static int pin_writer(yb_batcher *b, int cpu, yb_err *err)
{
	cpu_set_t others;

	if (!b)
		return yb_errf(err, "usage",
			       "--writer-cpu needs group commit (SQLite, or "
			       "--group-commit on)");
	if (yb_cpus_without(cpu, &others, err) < 0 ||
	    yb_batcher_pin_writer(b, cpu, err) < 0)
		return -1;
	if (sched_setaffinity(0, sizeof others, &others) != 0)
		return yb_errf(err, "internal", "cannot set CPU affinity: %s",
			       strerror(errno));
	return 0;
}

/* The server's state from the options, and the effective roles per
 * route; refuses options it cannot start with. */
static int state_init(const yb_http_options *opt, yb_err *err)
{
	if (opt->settings)
		yb_srv.settings = *opt->settings;
	else
		yb_settings_defaults(&yb_srv.settings);
	yb_srv.db_url = opt->db_url;
	yb_srv.read_db_url = opt->read_db_url;
	yb_srv.log_level = yb_log_level_parse(opt->log_level);
	atomic_store(&yb_srv.stopping, false);
	atomic_store(&yb_srv.in_flight, 0);

	if (!opt->db_url)
		return yb_errf(err, "usage", "no database given");
	if (yb_http_nroutes > YB_HTTP_ROUTES_MAX)
		return yb_errf(err, "internal", "route table larger than %d",
			       YB_HTTP_ROUTES_MAX);
	for (size_t i = 0; i < yb_http_nroutes; i++)
		yb_route_roles[i] = yb_http_route_roles(&yb_http_routes[i]);
	return 0;
}

/* What MHD_start_daemon is given, and what must outlive the daemon. */
typedef struct daemon_setup {
	struct addrinfo *ai;             /* the listen address */
	char *cert, *key;                /* PEM, or NULL: plain HTTP */
	unsigned flags;
	unsigned threads;
	struct MHD_OptionItem ops[14];
	int n;                           /* options in ops */
} daemon_setup;

/* TLS from the PEM files of the options, if any. */
static int tls_options(const yb_http_options *opt, daemon_setup *ds,
		       yb_err *err)
{
	if (!opt->tls_cert && !opt->tls_key)
		return 0;
	if (!opt->tls_cert || !opt->tls_key)
		return yb_errf(err, "usage", "TLS needs both a certificate "
			       "and a key");
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		return yb_errf(err, "usage", "this libmicrohttpd has no TLS");
	if (read_file(opt->tls_cert, &ds->cert, err) < 0 ||
	    read_file(opt->tls_key, &ds->key, err) < 0)
		return -1;
	ds->flags |= MHD_USE_TLS;
	ds->ops[ds->n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT,
						    0, ds->cert };
	ds->ops[ds->n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY,
						    0, ds->key };
	return 0;
}

/* The listen address and TLS: what can be refused before anything runs. */
static int daemon_prepare(const yb_http_options *opt, daemon_setup *ds,
			  yb_err *err)
{
	ds->flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
		    MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	ds->threads = worker_count(opt->threads, opt->db_url,
				   use_group_commit(opt));
	if (parse_listen(opt->listen, &ds->ai, err) < 0)
		return -1;
	if (ds->ai->ai_family == AF_INET6)
		ds->flags |= MHD_USE_IPv6;
	return tls_options(opt, ds, err);
}

/* The address, the worker pool and the resource limits, then the end. */
static void daemon_options_finish(daemon_setup *ds)
{
	struct MHD_OptionItem *ops = ds->ops;
	int n = ds->n;

	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0,
					    ds->ai->ai_addr };
	if (ds->threads > 1)
		ops[n++] = (struct MHD_OptionItem){
			MHD_OPTION_THREAD_POOL_SIZE, ds->threads, NULL };
	n += limit_options(&yb_srv.settings, ops + n);
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTENING_ADDRESS_REUSE,
					    1, NULL };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	ds->n = n;
}

static void daemon_setup_release(daemon_setup *ds)
{
	if (ds->ai)
		freeaddrinfo(ds->ai);
	free(ds->cert);
	free(ds->key);
}

/* How many group-commit writers: SQLite admits one writer at a time.
 * PostgreSQL's run side by side; one per CPU measured best at a million
 * persons on the 2-core machine (docs/POSTGRESQL.md "Group commit"):
 * a single writer is bound by its own round trips, and each writer more
 * makes every transaction in the database a little dearer. */
static int writer_count(const yb_http_options *opt, yb_err *err)
{
	bool sqlite = strcmp(yb_store_engine_of(opt->db_url), "sqlite") == 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (sqlite && opt->writers > 1)
		return yb_errf(err, "usage",
			       "SQLite has one writer: --writers must be 1");
	if (opt->writers > 0)
		return opt->writers;
	return sqlite || cpus < 1 ? 1 : (int)(cpus < 16 ? cpus : 16);
}

/* At most this many requests share one commit, unless --max-batch says
 * otherwise.  SQLite: as many as wait (its one writer's cost per
 * commit is a sync of the log, which a bigger batch shares further).
 * PostgreSQL: 16.  Its writers take turns, and a writer that took all
 * that waited answered the requests of a big batch only at its commit:
 * with 64 connections on two writers the batches drifted to 50 on one
 * and 14 on the other, and the 50 waited for each other.  Batches of
 * at most 12-16 keep the queue nearly first come, first served; at a
 * million persons that took the p99 from 51-85 ms (mean 67) to 45-67
 * (mean 57) at the same rate (docs/POSTGRESQL.md "A largest batch of
 * 16").
 * The cap does not matter below the writers' share of the connections. */
static int batch_max(const yb_http_options *opt)
{
	if (opt->max_batch > 0)
		return opt->max_batch;
	return strcmp(yb_store_engine_of(opt->db_url), "sqlite") == 0 ? 256
								       : 16;
}

/* The writer's log sync failed (service/batch.h): the last line before
 * the process exits. */
static void log_sync_failure(const char *detail)
{
	yb_log_msg(YB_LOG_ERROR, "the database log's sync failed: exiting",
		   detail);
}

/* The web root, the group-commit writers and the webhook sender. */
static int helpers_start(const yb_http_options *opt, yb_err *err)
{
	int writers;

	yb_srv.have_web = opt->web_root && yb_static_init(opt->web_root);
	if (use_group_commit(opt) &&
	    ((writers = writer_count(opt, err)) < 0 ||
	     yb_batcher_start(opt->db_url, batch_max(opt), writers,
			      &yb_srv.batcher, err) < 0))
		return -1;
	if (opt->pin_writer &&
	    pin_writer(yb_srv.batcher, opt->writer_cpu, err) < 0)
		return -1;
	if (yb_srv.batcher)
		yb_batcher_on_sync_failure(yb_srv.batcher, log_sync_failure);
	yb_srv.auth_in_writer = yb_srv.batcher &&
		strcmp(yb_store_engine_of(opt->db_url), "sqlite") == 0;
	/* notify (E3): its own thread and connection, so a slow receiver
	 * never holds up a request (webhook/sender.h). */
	return yb_webhook_sender_start(opt->db_url, &yb_srv.settings,
				       yb_log_msg, &yb_srv.sender, err);
}

static void helpers_stop(void)
{
	yb_webhook_sender_stop(yb_srv.sender);
	yb_srv.sender = NULL;
	yb_batcher_stop(yb_srv.batcher);
	yb_srv.batcher = NULL;
	yb_server_stores_close();
	yb_static_release();
}

/* Block the stop signals first: the workers inherit the mask, so only
 * sigwait() in wait_and_stop ever sees them. */
static int stop_signals_block(sigset_t *sigs, sigset_t *old, yb_err *err)
{
	sigemptyset(sigs);
	sigaddset(sigs, SIGTERM);
	sigaddset(sigs, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, sigs, old) != 0)
		return yb_errf(err, "internal", "cannot block signals");
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void log_listening(struct MHD_Daemon *d, const daemon_setup *ds)
{
	const union MHD_DaemonInfo *di;
	char detail[160];

	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(detail, sizeof detail, "port %u, %u worker%s%s%s%s",
		 di ? (unsigned)di->port : 0, ds->threads,
		 ds->threads == 1 ? "" : "s", ds->cert ? ", TLS" : "",
		 yb_srv.batcher ? ", group commit" : "",
		 yb_srv.read_db_url ? ", reads from a standby" : "");
	yb_log_msg(YB_LOG_INFO, "listening", detail);
}

/* Until SIGTERM or SIGINT; then the graceful shutdown (see the top). */
static void wait_and_stop(struct MHD_Daemon *d, const sigset_t *sigs)
{
	MHD_socket ls;
	int sig;

	while (sigwait(sigs, &sig) != 0)
		;
	yb_log_msg(YB_LOG_INFO, "shutting down",
		   sig == SIGTERM ? "SIGTERM" : "SIGINT");
	atomic_store(&yb_srv.stopping, true);
	ls = MHD_quiesce_daemon(d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	drain();
	MHD_stop_daemon(d);
	yb_log_msg(YB_LOG_INFO, "stopped", NULL);
}

int yb_http_serve(const yb_http_options *opt, yb_err *err)
{
	daemon_setup ds = { 0 };
	struct MHD_Daemon *d;
	sigset_t sigs, oldsigs;
	bool masked = false;
	int rc = -1;

	if (state_init(opt, err) < 0 || daemon_prepare(opt, &ds, err) < 0 ||
	    helpers_start(opt, err) < 0)
		goto out;
	daemon_options_finish(&ds);
	if (stop_signals_block(&sigs, &oldsigs, err) < 0)
		goto out;
	masked = true;

	d = MHD_start_daemon(ds.flags, 0, NULL, NULL, yb_http_on_access, NULL,
			     MHD_OPTION_EXTERNAL_LOGGER, yb_log_mhd, NULL,
			     MHD_OPTION_NOTIFY_COMPLETED, yb_http_on_completed,
			     NULL, MHD_OPTION_ARRAY, ds.ops, MHD_OPTION_END);
	if (!d) {
		yb_errf(err, "usage", "cannot listen on %s (in use, or not "
			"an address of this host?)",
			opt->listen ? opt->listen : "127.0.0.1:8080");
		goto out;
	}
	log_listening(d, &ds);
	wait_and_stop(d, &sigs);
	rc = 0;
out:
	helpers_stop();
	if (masked)
		pthread_sigmask(SIG_SETMASK, &oldsigs, NULL);
	daemon_setup_release(&ds);
	return rc;
}
