/*
 * server.c — the HTTP server: libmicrohttpd set-up, the access handler
 * (body accumulation, limits, routing, authentication), the per-thread
 * database connections, the access log, and the graceful shutdown.
 *
 * Threads.  MHD runs a pool of `threads` worker threads, each with its own
 * epoll loop; a connection stays on one worker for its whole life.  A
 * yb_store is one connection and not thread-safe, so every worker opens
 * its own on first use (thread-local) and the server keeps a list of them
 * to close after the workers are gone.
 *
 * Keep-alive.  libmicrohttpd 0.9.75 answers `Connection: close` when the
 * response is queued on the *first* call of the access handler (measured:
 * ~20k req/s instead of ~90k).  So the first call only sets up the request
 * and returns MHD_YES; the answer is queued on the last call, after the
 * body (if any) has been read.
 *
 * Early refusals (#14).  An answer queued before the body is read makes
 * MHD close the connection with the client's bytes still unread; the
 * kernel then sends a reset, and a client that is still sending (Node's
 * fetch, 17 times in 20 with a 2 MB body) loses the answer.  So a body
 * over YB_HTTP_BODY_MAX is read and thrown away (up to BODY_DISCARD_MAX)
 * and only then answered 413, like every other refusal (401, 403, 415,
 * 429 are all decided after the body).  Answered at once are only a
 * client that waits for "100 Continue" (it has sent nothing, and reads
 * the answer instead) and a body declared beyond BODY_DISCARD_MAX, which
 * is not worth reading.
 *
 * Shutdown.  SIGTERM and SIGINT are blocked before the workers start (so
 * they inherit the mask) and the calling thread waits for them with
 * sigwait().  Then: stop accepting (MHD_quiesce_daemon), let the requests
 * already in progress finish (counted from their first byte to their
 * completion), stop the daemon (which closes idle keep-alive
 * connections), close the stores.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/enums.h"
#include "http/httpd.h"
#include "service/auth.h"
#include "service/batch.h"
#include "webhook/sender.h"

/* Bodies over the limit are read and dropped up to this many bytes, so
 * the client reads the 413 ("Early refusals" above); beyond, it is
 * answered at once and the connection closed. */
#define BODY_DISCARD_MAX     (16 * 1024 * 1024)
#define DRAIN_TIMEOUT_S      30      /* longest wait for in-flight requests */

typedef struct store_slot {
	yb_store *st;
	struct store_slot *next;
} store_slot;

static struct {
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
	yb_webhook_sender *sender;       /* notify (E3): webhook deliveries */
} srv = { .lock = PTHREAD_MUTEX_INITIALIZER, .log_level = YB_LOG_INFO };

static __thread store_slot *tl_store;
/* A worker's standby connection (--read-db); a failed open is retried
 * at most once a second, reads going to the primary meanwhile. */
static __thread store_slot *tl_standby;
static __thread int64_t tl_standby_retry_ms;

/* Effective roles per route (yb_http_route_roles), computed at start so
 * the check per request is one AND. */
static unsigned route_roles[YB_HTTP_ROUTES_MAX];

static const char *const level_names[] = { "error", "warn", "info",
					   "debug" };

/* ---- logging ------------------------------------------------------------ */

/* Append `s` to buf as JSON string content (quotes and controls escaped). */
static size_t json_esc(char *buf, size_t size, size_t at, const char *s)
{
	for (; s && *s && at + 7 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf[at++] = '\\';
			buf[at++] = (char)c;
		} else if (c < 0x20) {
			at += (size_t)snprintf(buf + at, size - at, "\\u%04x", c);
		} else {
			buf[at++] = (char)c;
		}
	}
	buf[at] = '\0';
	return at;
}

/* Begin a log line: {"time":"...","level":"...", — returns its length. */
static size_t log_begin(char *buf, size_t size, int level)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = (size_t)snprintf(buf, size, "{\"time\":\"");
	n += strftime(buf + n, size - n, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(buf + n, size - n,
			      ".%03ldZ\",\"level\":\"%s\",",
			      ts.tv_nsec / 1000000, level_names[level]);
	return n;
}

/* One line to stderr with one write(2), so lines of concurrent workers
 * never interleave. */
static void log_write(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(STDERR_FILENO, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

static void log_msg(int level, const char *msg, const char *detail)
{
	char buf[1024];
	size_t n;

	if (level > srv.log_level)
		return;
	n = log_begin(buf, sizeof buf, level);
	n += (size_t)snprintf(buf + n, sizeof buf - n, "\"msg\":\"");
	n = json_esc(buf, sizeof buf - 8, n, msg);
	if (detail) {
		n += (size_t)snprintf(buf + n, sizeof buf - n, "\",\"detail\":\"");
		n = json_esc(buf, sizeof buf - 8, n, detail);
	}
	n += (size_t)snprintf(buf + n, sizeof buf - n, "\"}\n");
	log_write(buf, n);
}

__attribute__((format(printf, 2, 0)))
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_msg(YB_LOG_WARN, "libmicrohttpd", msg);
}

/*
 * The access log: one JSON object per request.  The route is the pattern,
 * never the raw path (which may carry SSNs and card numbers); no header,
 * body or token is ever written.
 */
static void log_access(const yb_hreq *r, int64_t us)
{
	int level = r->status >= 500 ? YB_LOG_ERROR
		  : r->status >= 400 ? YB_LOG_WARN : YB_LOG_INFO;
	char buf[1024];
	size_t n;

	if (level > srv.log_level)
		return;
	n = log_begin(buf, sizeof buf, level);
	n += (size_t)snprintf(buf + n, sizeof buf - n, "\"method\":\"");
	n = json_esc(buf, sizeof buf - 8, n, r->method);
	n += (size_t)snprintf(buf + n, sizeof buf - n,
			      "\",\"route\":\"%s\",\"status\":%u,"
			      "\"duration_us\":%lld,\"remote\":\"%s\","
			      "\"actor\":\"",
			      r->route ? r->route->pattern : "-", r->status,
			      (long long)us, r->remote);
	n = json_esc(buf, sizeof buf - 8, n,
		     r->authenticated ? r->ctx.actor.id : "");
	if (r->err_code) {
		n += (size_t)snprintf(buf + n, sizeof buf - n,
				      "\",\"error\":\"%s", r->err_code);
		if (r->err_msg[0]) {
			n += (size_t)snprintf(buf + n, sizeof buf - n,
					      "\",\"detail\":\"");
			n = json_esc(buf, sizeof buf - 8, n, r->err_msg);
		}
	}
	n += (size_t)snprintf(buf + n, sizeof buf - n, "\"}\n");
	log_write(buf, n);
}

/* ---- per-thread stores ------------------------------------------------------ */

bool yb_server_batch_stats(yb_batch_stats *out)
{
	if (!srv.batcher)
		return false;
	yb_batcher_stats(srv.batcher, out);
	return true;
}

int yb_server_store(yb_store **out, yb_err *err)
{
	store_slot *slot;

	if (tl_store) {
		*out = tl_store->st;
		return 0;
	}
	slot = calloc(1, sizeof *slot);
	if (!slot)
		return yb_errf(err, "out_of_memory", "out of memory");
	if (yb_store_open(srv.db_url, &slot->st, err) < 0) {
		free(slot);
		return -1;
	}
	pthread_mutex_lock(&srv.lock);
	slot->next = srv.stores;
	srv.stores = slot;
	pthread_mutex_unlock(&srv.lock);
	tl_store = slot;
	*out = slot->st;
	return 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * This worker's standby connection for ctx->standby, or NULL (no
 * --read-db, or the standby could not be reached: the service then
 * reads from the primary).  Once open, a lost connection is re-opened by
 * the engine itself, with backoff, at a later read.
 */
yb_store *yb_server_standby(void)
{
	store_slot *slot;
	yb_err err;

	if (!srv.read_db_url || tl_standby)
		return tl_standby ? tl_standby->st : NULL;
	if (mono_ms() < tl_standby_retry_ms)
		return NULL;
	slot = calloc(1, sizeof *slot);
	if (!slot)
		return NULL;
	if (yb_store_open(srv.read_db_url, &slot->st, &err) < 0) {
		free(slot);
		tl_standby_retry_ms = mono_ms() + 1000;
		if (!atomic_exchange(&srv.standby_down, true))
			log_msg(YB_LOG_WARN, "standby (--read-db) not reachable, "
				"reading from the primary", err.message);
		return NULL;
	}
	atomic_store(&srv.standby_down, false);
	pthread_mutex_lock(&srv.lock);
	slot->next = srv.stores;
	srv.stores = slot;
	pthread_mutex_unlock(&srv.lock);
	tl_standby = slot;
	return slot->st;
}

/* After the workers have stopped: nobody uses the stores any more. */
static void stores_close_all(void)
{
	pthread_mutex_lock(&srv.lock);
	while (srv.stores) {
		store_slot *s = srv.stores;
		srv.stores = s->next;
		yb_store_close(s->st);
		free(s);
	}
	pthread_mutex_unlock(&srv.lock);
}

/* ---- request accessors ----------------------------------------------------------- */

const char *yb_req_param(const yb_hreq *r, int i)
{
	return i >= 0 && i < r->nparams ? r->params[i] : "";
}

const char *yb_req_query(const yb_hreq *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

const char *yb_req_self_ssn(const yb_hreq *r)
{
	static const char prefix[] = "person:";

	if (!r->authenticated || r->ctx.actor.role != YB_ROLE_PERSON ||
	    strncmp(r->ctx.actor.id, prefix, sizeof prefix - 1) != 0)
		return NULL;
	return r->ctx.actor.id + sizeof prefix - 1;
}

bool yb_req_may_unmask(const yb_hreq *r, yb_id person_id)
{
	if (!r->authenticated)
		return false;
	switch (r->ctx.actor.role) {
	case YB_ROLE_ADMIN:
	case YB_ROLE_AGENCY_WINDOW:
		return true;
	case YB_ROLE_PERSON:
		return person_id != 0 && r->ctx.actor.person_id == person_id;
	default:
		return false;
	}
}

int yb_req_log_level(void)
{
	return srv.log_level;
}

/* ---- one request ---------------------------------------------------------------------- */

static void client_address(yb_hreq *r)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(r->remote, sizeof r->remote, "-");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  r->remote, sizeof r->remote);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)sa)->sin6_addr,
			  r->remote, sizeof r->remote);
}

/* Split the path into segments in our own copy ("/a/b" → "a", "b"). */
static int split_path(yb_hreq *r, const char *url)
{
	char *p;

	r->path = strdup(url[0] == '/' ? url + 1 : url);
	if (!r->path)
		return -1;
	p = r->path;
	for (;;) {
		char *slash = strchr(p, '/');
		if (r->nsegs == YB_HTTP_SEGS_MAX) {
			r->nsegs++;      /* too deep for any route: no match */
			break;
		}
		r->segs[r->nsegs++] = p;
		if (!slash)
			break;
		*slash = '\0';
		p = slash + 1;
	}
	return 0;
}

static int authenticate(yb_hreq *r, yb_err *err);

/*
 * How much of the body to keep.  family (E4): an upload of a scan is kept
 * up to the setting material_max_bytes (one more byte tells the service
 * it was larger); every other body up to YB_HTTP_BODY_MAX.  Only a POST
 * to a .../materials path can be an upload, so other requests skip the
 * route lookup.  The caller is checked on the headers, before any of the
 * body is kept: only a token whose role the route takes earns the larger
 * buffer, so no anonymous client can make the server hold megabytes per
 * connection.  A caller refused here keeps the ordinary limit and gets
 * his 401 or 403 from dispatch() as usual (upload_refused: at once, if
 * his body is not worth reading).
 */
static size_t body_limit(yb_hreq *r)
{
	const char *params[YB_HTTP_PARAMS_MAX];
	char allow[48];
	const yb_http_route *rt;
	int np, known;
	yb_err err;

	if (strcmp(r->method, "POST") != 0 || r->nsegs < 1 ||
	    r->nsegs > YB_HTTP_SEGS_MAX ||
	    strcmp(r->segs[r->nsegs - 1], "materials") != 0)
		return YB_HTTP_BODY_MAX;
	rt = yb_http_route_find(r->method, r->segs, r->nsegs, params,
				YB_HTTP_PARAMS_MAX, &np, &known, allow,
				sizeof allow);
	if (!rt || !(rt->flags & YB_ROUTE_UPLOAD))
		return YB_HTTP_BODY_MAX;
	yb_err_clear(&err);
	if (yb_server_store(&r->ctx.store, &err) < 0 ||
	    authenticate(r, &err) < 0 ||
	    !(route_roles[rt - yb_http_routes] & YB_R(r->ctx.actor.role))) {
		r->upload_refused = true;
		return YB_HTTP_BODY_MAX;
	}
	return (size_t)srv.settings.material_max_bytes + 1;
}

static yb_hreq *req_new(struct MHD_Connection *conn, const char *url,
			const char *method)
{
	yb_hreq *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	r->conn = conn;
	r->method = method;
	if (split_path(r, url) < 0) {
		free(r);
		return NULL;
	}
	client_address(r);
	r->ctx.settings = &srv.settings;
	r->ctx.clock = yb_clock_system();
	r->body_max = body_limit(r);
	atomic_fetch_add(&srv.in_flight, 1);
	r->counted = 1;
	return r;
}

static void req_free(yb_hreq *r)
{
	if (!r)
		return;
	if (r->response)
		MHD_destroy_response(r->response);
	free(r->later_data);
	json_decref(r->json);
	free(r->body);
	free(r->path);
	if (r->counted)
		atomic_fetch_sub(&srv.in_flight, 1);
	free(r);
}

/* Keep body bytes up to the limit; count the rest so the answer is 413. */
static int body_append(yb_hreq *r, const char *data, size_t size)
{
	r->body_seen += size;
	if (r->body_seen > r->body_max)
		return 0;        /* dropped: the answer will be 413 */
	if (r->body_len + size > r->body_cap) {
		size_t cap = r->body_cap ? r->body_cap : 1024;
		char *nb;
		while (cap < r->body_len + size)
			cap *= 2;
		if (cap > r->body_max)
			cap = r->body_max;
		nb = realloc(r->body, cap);
		if (!nb)
			return -1;
		r->body = nb;
		r->body_cap = cap;
	}
	memcpy(r->body + r->body_len, data, size);
	r->body_len += size;
	return 0;
}

static int authenticate(yb_hreq *r, yb_err *err)
{
	const char *h = MHD_lookup_connection_value(
		r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	yb_actor actor;

	if (!h || !*h)
		return yb_errf(err, "auth.required",
			       "credentials are required "
			       "(Authorization: Bearer <token>)");
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return yb_errf(err, "auth.invalid_token",
			       "only Bearer tokens are accepted");
	h += 7;
	while (*h == ' ')
		h++;
	if (!*h)
		return yb_errf(err, "auth.invalid_token", "the token is empty");
	memset(&actor, 0, sizeof actor);
	if (yb_authenticate(&r->ctx, h, &actor, err) < 0)
		return -1;
	r->ctx.actor = actor;
	r->bearer = h;
	r->authenticated = true;
	return 0;
}

static bool is_api_path(const yb_hreq *r)
{
	/* fhir: /fhir/ is an API too, never a static file */
	return r->nsegs >= 1 && (strcmp(r->segs[0], "api") == 0 ||
				 strcmp(r->segs[0], "fhir") == 0);
}

/*
 * Group commit: a request that changes state runs its handler on the
 * batcher's writer thread, inside the batch's transaction (see
 * service/batch.h).  The handler only builds the response; queueing it
 * stays with this connection's thread.  Requests that read, and the few
 * writes that are slow outside the database (password hashing), run here
 * on this thread's own connection.
 */
static bool batched(const yb_hreq *r)
{
	return srv.batcher && strcmp(r->method, "GET") != 0 &&
	       !(r->route->flags & YB_ROUTE_NO_BATCH);
}

static int run_handler_in_batch(yb_ctx *ctx, void *arg, yb_err *err)
{
	yb_hreq *r = arg;
	yb_store *own = r->ctx.store;

	(void)err;
	r->ctx = *ctx;
	r->in_writer = true;
	r->route->handler(r);
	r->in_writer = false;
	r->ctx.store = own;
	r->ctx.in_batch = false;
	return 0;
}

/* On the writer thread, once the request's batch is durable (or not). */
static void batch_done(void *arg, int rc, const yb_err *err)
{
	yb_hreq *r = arg;

	r->batch_rc = rc;
	if (rc < 0)
		r->batch_err = *err;
	r->batch_phase = 2;
	MHD_resume_connection(r->conn);
}

void yb_req_write(yb_hreq *r, yb_batch_fn job, void *arg,
		  yb_req_then_fn *then)
{
	r->write_job = job;
	r->write_arg = arg;
	r->write_then = then;
}

/* A RAW route's handler asked for a write transaction (yb_req_write):
 * true when it went to the batcher and the connection is suspended. */
static bool raw_write(yb_hreq *r)
{
	yb_err err;
	int rc;

	yb_err_clear(&err);
	if (srv.batcher) {
		MHD_suspend_connection(r->conn);
		r->batch_phase = 1;
		if (yb_batch_submit(srv.batcher, &r->ctx, r->write_job,
				    r->write_arg, batch_done, r, &err) == 0)
			return true;
		r->batch_phase = 0;
		MHD_resume_connection(r->conn);
		rc = -1;
	} else {
		rc = yb_batch_alone(&r->ctx, r->write_job, r->write_arg, &err);
	}
	r->write_then(r, r->write_arg, rc, &err);
	return false;
}

/* Back on the connection's thread: the answer the handler built stands
 * only if its batch committed. */
static void batch_finish(yb_hreq *r)
{
	r->batch_phase = 0;
	if (r->write_then) {             /* a RAW route answers itself */
		r->write_then(r, r->write_arg, r->batch_rc, &r->batch_err);
		return;
	}
	yb_reply_later_finish(r, r->batch_rc == 0);
	if (r->batch_rc == 0 && r->response)
		return;
	if (r->response) {
		MHD_destroy_response(r->response);
		r->response = NULL;
	}
	if (r->batch_rc == 0)
		yb_errf(&r->batch_err, "internal", "the handler gave no answer");
	yb_reply_error(r, &r->batch_err);
}

/* Returns true when the request went to the batcher and its connection
 * is suspended (the answer comes on a later call of on_access). */
static bool dispatch(yb_hreq *r, const char *url)
{
	char allow[48];
	int known;
	yb_err err;

	yb_err_clear(&err);
	r->route = yb_http_route_find(r->method, r->segs, r->nsegs, r->params,
				      YB_HTTP_PARAMS_MAX, &r->nparams, &known,
				      allow, sizeof allow);
	if (!r->route) {
		if (known) {
			yb_reply_errf(r, "request.method_not_allowed",
				      "this resource does not answer %s",
				      r->method);
			if (r->response)
				MHD_add_response_header(r->response,
							MHD_HTTP_HEADER_ALLOW,
							allow);
			return false;
		}
		if (srv.have_web && !is_api_path(r) && yb_static_serve(r, url))
			return false;
		yb_reply_errf(r, "request.not_found", "no such resource");
		return false;
	}
	if (r->route->flags & YB_ROUTE_RAW) {
		r->route->handler(r);
		if (r->write_job && !r->response)
			return raw_write(r);
		if (r->response)
			return false;
		yb_errf(&err, "internal", "the handler gave no answer");
		goto fail;
	}
	if (!(r->route->flags & YB_ROUTE_NO_STORE)) {
		if (yb_server_store(&r->ctx.store, &err) < 0)
			goto fail;
		r->ctx.standby = yb_server_standby();
	}
	if (r->route->roles != YB_R_PUBLIC) {
		/* an upload's caller may have been checked on its headers */
		if (!r->authenticated && authenticate(r, &err) < 0)
			goto fail;
		if (!(route_roles[r->route - yb_http_routes] &
		      YB_R(r->ctx.actor.role))) {
			yb_errf(&err, "auth.forbidden",
				"role %s may not do this",
				yb_role_str(r->ctx.actor.role));
			goto fail;
		}
	}
	if ((r->route->flags &
	     (YB_ROUTE_BODY_OPTIONAL | YB_ROUTE_BODY_REQUIRED)) &&
	    yb_body_parse(r, &err) < 0)
		goto fail;
	if (batched(r)) {
		/* Suspend: this thread serves other connections while the
		 * request waits for its batch; batch_done() resumes it. */
		MHD_suspend_connection(r->conn);
		r->batch_phase = 1;
		if (yb_batch_submit(srv.batcher, &r->ctx, run_handler_in_batch,
				    r, batch_done, r, &err) == 0)
			return true;
		r->batch_phase = 0;
		MHD_resume_connection(r->conn);
		goto fail;
	}
	r->route->handler(r);
	if (r->response)
		return false;
	yb_errf(&err, "internal", "the handler gave no answer");
fail:
	yb_reply_error(r, &err);
	return false;
}

static enum MHD_Result queue(yb_hreq *r)
{
	struct timespec t1;
	int64_t ns;
	enum MHD_Result ret;

	if (!r->response) {
		/* Out of memory even for the error: let MHD drop it. */
		return MHD_NO;
	}
	if (atomic_load(&srv.stopping))
		MHD_add_response_header(r->response,
					MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(r->conn, r->status, r->response);
	MHD_destroy_response(r->response);
	r->response = NULL;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (int64_t)(t1.tv_sec - r->t0.tv_sec) * 1000000000 +
	     (t1.tv_nsec - r->t0.tv_nsec);
	yb_metrics_request(r->route ? (int)(r->route - yb_http_routes) : -1,
			   r->status, ns);
	log_access(r, ns / 1000);
	return ret;
}

/* A Content-Length over the body limit, and not worth reading: beyond
 * BODY_DISCARD_MAX, or not sent yet (the client waits for 100 Continue). */
static bool refuse_unread(struct MHD_Connection *conn, size_t max)
{
	const char *cl = MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *expect = MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
	char *end;
	unsigned long long n;

	if (!cl)
		return false;
	errno = 0;
	n = strtoull(cl, &end, 10);
	if (errno == ERANGE)
		return true;
	if (end == cl || n <= max)
		return false;
	return n > BODY_DISCARD_MAX ||
	       (expect && strcasecmp(expect, "100-continue") == 0);
}

static enum MHD_Result queue_too_large(yb_hreq *r)
{
	r->body_seen = r->body_max + 1;
	if (r->body_max != YB_HTTP_BODY_MAX)       /* family: E4 uploads */
		yb_reply_errf(r, "material.too_large",
			      "a scan may have at most %d bytes",
			      srv.settings.material_max_bytes);
	else
		yb_reply_errf(r, "request.too_large",
			      "the body is larger than %d bytes",
			      YB_HTTP_BODY_MAX);
	return queue(r);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn,
				 const char *url, const char *method,
				 const char *version, const char *upload_data,
				 size_t *upload_data_size, void **con_cls)
{
	yb_hreq *r = *con_cls;

	(void)cls;
	(void)version;
	if (!r) {
		r = req_new(conn, url, method);
		if (!r)
			return MHD_NO;
		*con_cls = r;
		if (refuse_unread(conn, r->body_max)) {
			if (!r->upload_refused)
				return queue_too_large(r);
			if (dispatch(r, url))   /* E4: his 401 or 403 */
				return MHD_YES;
			return queue(r);
		}
		return MHD_YES;      /* see "Keep-alive" at the top */
	}
	if (*upload_data_size > 0) {
		int rc = body_append(r, upload_data, *upload_data_size);
		*upload_data_size = 0;
		/* Out of memory, or a chunked body past BODY_DISCARD_MAX: MHD
		 * cannot queue an answer in mid-body, so the connection is
		 * closed. */
		if (rc < 0 || r->body_seen > BODY_DISCARD_MAX)
			return MHD_NO;
		return MHD_YES;
	}
	if (r->batch_phase == 2) {
		/* Resumed by batch_done(): its batch is over. */
		batch_finish(r);
		return queue(r);
	}
	if (dispatch(r, url))
		return MHD_YES;      /* suspended until its batch commits */
	return queue(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	req_free(*con_cls);
	*con_cls = NULL;
}

/* ---- start and stop ---------------------------------------------------------------- */

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

static int parse_log_level(const char *s)
{
	for (int i = 0; s && i <= YB_LOG_DEBUG; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	return YB_LOG_INFO;
}

/* pgha: on PostgreSQL a worker spends most of a request waiting for the
 * database's answers, and a connection stays on its worker, so one per
 * CPU would let only that many transactions run at once: 16 per CPU. */
static bool pg_url(const char *url)
{
	return url && (strncmp(url, "pg:", 3) == 0 ||
		       strncmp(url, "postgres", 8) == 0);
}

static unsigned worker_count(int asked, const char *url)
{
	long n = asked > 0 ? asked : sysconf(_SC_NPROCESSORS_ONLN);
	if (asked <= 0 && pg_url(url))
		n *= 16;
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
		if (atomic_load(&srv.in_flight) == 0)
			return;
		nanosleep(&tick, NULL);
	}
	log_msg(YB_LOG_WARN, "shutdown: requests still in flight, stopping",
		NULL);
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

/* At most this many requests share one commit. */
#define BATCH_MAX 256

static bool use_group_commit(const yb_http_options *opt)
{
	const char *gc = opt->group_commit;

	if (gc && strcmp(gc, "on") == 0)
		return true;
	if (gc && strcmp(gc, "off") == 0)
		return false;
	return strcmp(yb_store_engine_of(opt->db_url), "sqlite") == 0;
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

int yb_http_serve(const yb_http_options *opt, yb_err *err)
{
	struct addrinfo *ai = NULL;
	char *cert = NULL, *key = NULL;
	struct MHD_Daemon *d = NULL;
	struct MHD_OptionItem ops[14];
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_USE_ITC | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	unsigned threads = worker_count(opt->threads, opt->db_url);
	sigset_t sigs, oldsigs;
	bool masked = false;
	int n = 0, sig, rc = -1;
	MHD_socket ls;
	char detail[160];
	const union MHD_DaemonInfo *di;

	if (opt->settings)
		srv.settings = *opt->settings;
	else
		yb_settings_defaults(&srv.settings);
	srv.db_url = opt->db_url;
	srv.read_db_url = opt->read_db_url;
	srv.log_level = parse_log_level(opt->log_level);
	atomic_store(&srv.stopping, false);
	atomic_store(&srv.in_flight, 0);

	if (!opt->db_url) {
		yb_errf(err, "usage", "no database given");
		goto out;
	}
	if (yb_http_nroutes > YB_HTTP_ROUTES_MAX) {
		yb_errf(err, "internal", "route table larger than %d",
			YB_HTTP_ROUTES_MAX);
		goto out;
	}
	for (size_t i = 0; i < yb_http_nroutes; i++)
		route_roles[i] = yb_http_route_roles(&yb_http_routes[i]);
	if (parse_listen(opt->listen, &ai, err) < 0)
		goto out;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (opt->tls_cert || opt->tls_key) {
		if (!opt->tls_cert || !opt->tls_key) {
			yb_errf(err, "usage", "TLS needs both a certificate "
				"and a key");
			goto out;
		}
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			yb_errf(err, "usage", "this libmicrohttpd has no TLS");
			goto out;
		}
		if (read_file(opt->tls_cert, &cert, err) < 0 ||
		    read_file(opt->tls_key, &key, err) < 0)
			goto out;
		flags |= MHD_USE_TLS;
		ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT,
						    0, cert };
		ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY,
						    0, key };
	}
	srv.have_web = opt->web_root && yb_static_init(opt->web_root);
	if (use_group_commit(opt) &&
	    yb_batcher_start(opt->db_url, BATCH_MAX, &srv.batcher, err) < 0)
		goto out;
	if (opt->pin_writer && pin_writer(srv.batcher, opt->writer_cpu, err) < 0)
		goto out;
	/* notify (E3): its own thread and connection, so a slow receiver
	 * never holds up a request (webhook/sender.h). */
	if (yb_webhook_sender_start(opt->db_url, &srv.settings, log_msg,
				    &srv.sender, err) < 0)
		goto out;

	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0,
					    ai->ai_addr };
	if (threads > 1)
		ops[n++] = (struct MHD_OptionItem){
			MHD_OPTION_THREAD_POOL_SIZE, threads, NULL };
	n += limit_options(&srv.settings, ops + n);
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTENING_ADDRESS_REUSE,
					    1, NULL };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	/* Block the stop signals first: the workers inherit the mask, so
	 * only sigwait() below ever sees them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &sigs, &oldsigs) != 0) {
		yb_errf(err, "internal", "cannot block signals");
		goto out;
	}
	masked = true;
	signal(SIGPIPE, SIG_IGN);

	d = MHD_start_daemon(flags, 0, NULL, NULL, on_access, NULL,
			     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
			     MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
	if (!d) {
		yb_errf(err, "usage", "cannot listen on %s (in use, or not "
			"an address of this host?)",
			opt->listen ? opt->listen : "127.0.0.1:8080");
		goto out;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(detail, sizeof detail, "port %u, %u worker%s%s%s%s",
		 di ? (unsigned)di->port : 0, threads, threads == 1 ? "" : "s",
		 cert ? ", TLS" : "", srv.batcher ? ", group commit" : "",
		 srv.read_db_url ? ", reads from a standby" : "");
	log_msg(YB_LOG_INFO, "listening", detail);

	while (sigwait(&sigs, &sig) != 0)
		;
	log_msg(YB_LOG_INFO, "shutting down",
		sig == SIGTERM ? "SIGTERM" : "SIGINT");
	atomic_store(&srv.stopping, true);
	ls = MHD_quiesce_daemon(d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	drain();
	MHD_stop_daemon(d);
	d = NULL;
	log_msg(YB_LOG_INFO, "stopped", NULL);
	rc = 0;
out:
	if (d)
		MHD_stop_daemon(d);
	yb_webhook_sender_stop(srv.sender);
	srv.sender = NULL;
	yb_batcher_stop(srv.batcher);
	srv.batcher = NULL;
	stores_close_all();
	yb_static_release();
	if (masked)
		pthread_sigmask(SIG_SETMASK, &oldsigs, NULL);
	if (ai)
		freeaddrinfo(ai);
	free(cert);
	free(key);
	return rc;
}
