/*
 * server_request.c — one request's life in the HTTP server: its start
 * (path, client address, body limit), the body, authentication, routing
 * and dispatch to the handler (on this thread, or in the writer's batch),
 * queueing the answer with its access log line, and its end.
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
 */
#include "http/server_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/enums.h"
#include "fhir/fhir.h"
#include "nhsa/nhsa.h"
#include "nhsa/nhsa_file.h"
#include "service/auth.h"

/* Bodies over the limit are read and dropped up to this many bytes, so
 * the client reads the 413 ("Early refusals" above); beyond, it is
 * answered at once and the connection closed. */
#define BODY_DISCARD_MAX     (16 * 1024 * 1024)

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
	return yb_srv.log_level;
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
	    r->nsegs > YB_HTTP_SEGS_MAX)
		return YB_HTTP_BODY_MAX;
	if (strcmp(r->segs[0], "nhsa") == 0)   /* 9101's detail files */
		return yb_nhsa_body_limit(r);
	if (strcmp(r->segs[r->nsegs - 1], "materials") != 0)
		return YB_HTTP_BODY_MAX;
	rt = yb_http_route_find(r->method, r->segs, r->nsegs, params,
				YB_HTTP_PARAMS_MAX, &np, &known, allow,
				sizeof allow);
	if (!rt || !(rt->flags & YB_ROUTE_UPLOAD))
		return YB_HTTP_BODY_MAX;
	yb_err_clear(&err);
	if (yb_server_store(&r->ctx.store, &err) < 0 ||
	    authenticate(r, &err) < 0 ||
	    !(yb_route_roles[rt - yb_http_routes] & YB_R(r->ctx.actor.role))) {
		r->upload_refused = true;
		return YB_HTTP_BODY_MAX;
	}
	return (size_t)yb_srv.settings.material_max_bytes + 1;
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
	r->settle_outcome = -1;
	if (split_path(r, url) < 0) {
		free(r);
		return NULL;
	}
	client_address(r);
	r->ctx.settings = &yb_srv.settings;
	r->ctx.clock = yb_clock_system();
	r->body_max = body_limit(r);
	atomic_fetch_add(&yb_srv.in_flight, 1);
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
		atomic_fetch_sub(&yb_srv.in_flight, 1);
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

/* The token of the Authorization header, checked for its form only. */
static int bearer_token(yb_hreq *r, const char **token, yb_err *err)
{
	const char *h = MHD_lookup_connection_value(
		r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);

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
	*token = h;
	return yb_token_hash(h, r->token_hash, err);
}

/* The caller of the token hashed already (r->token_hash), on the store
 * of r->ctx, and whether the route takes his role. */
static int caller_lookup(yb_hreq *r, yb_err *err)
{
	yb_actor actor;

	memset(&actor, 0, sizeof actor);
	if (yb_authenticate_hash(&r->ctx, r->token_hash, &actor, err) < 0)
		return -1;
	r->ctx.actor = actor;
	r->authenticated = true;
	return 0;
}

static int role_check(yb_hreq *r, yb_err *err)
{
	if (yb_route_roles[r->route - yb_http_routes] &
	    YB_R(r->ctx.actor.role))
		return 0;
	return yb_errf(err, "auth.forbidden", "role %s may not do this",
		       yb_role_str(r->ctx.actor.role));
}

static int authenticate(yb_hreq *r, yb_err *err)
{
	const char *token;

	if (bearer_token(r, &token, err) < 0 || caller_lookup(r, err) < 0)
		return -1;
	r->bearer = token;
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
	return yb_srv.batcher && strcmp(r->method, "GET") != 0 &&
	       !(r->route->flags & YB_ROUTE_NO_BATCH);
}

/*
 * The caller in the batch (SQLite).  Looking the token up on this
 * thread is a read transaction of its own connection, and the writer
 * commits so often that each one finds the connection's page cache
 * stale: it took a shared-memory lock (fcntl, and SQLite's process-wide
 * mutex, contended with the writer's), four page reads (pread) and
 * ~14,000 instructions a request (docs/BENCHMARKS.md).  The writer's
 * cache is always warm, and its transaction is the freshest view there
 * is, so a revoked key or ended session stops working at once as
 * before.  The token's form and hash are still checked here; should the
 * body be refused, the caller is looked up here after all, so a
 * stranger is told 401, as before, and not what was wrong with his body.
 * PostgreSQL keeps the look-up here: in the batch it would be one more
 * round trip while the writer's transaction is open.
 */
static bool auth_later(const yb_hreq *r)
{
	return yb_srv.auth_in_writer && batched(r);
}

/* The token's form here; its caller and role in the batch, or now. */
static int caller_check(yb_hreq *r, yb_err *err)
{
	const char *token;

	if (r->authenticated)            /* an upload's, on its headers */
		return role_check(r, err);
	if (!auth_later(r))
		return authenticate(r, err) < 0 ? -1 : role_check(r, err);
	if (bearer_token(r, &token, err) < 0)
		return -1;
	r->bearer = token;
	r->auth_in_batch = true;
	return 0;
}

/* On the writer thread, in the batch: who is calling, if not known yet.
 * False when refused (r->auth_failed; answered by batch_finish). */
static bool caller_in_batch(yb_hreq *r)
{
	r->auth_failed = false;
	if (!r->auth_in_batch)
		return true;
	yb_err_clear(&r->auth_err);
	if (caller_lookup(r, &r->auth_err) < 0 ||
	    role_check(r, &r->auth_err) < 0)
		r->auth_failed = true;
	return !r->auth_failed;
}

/* The answer a handler built is dropped, to be built again. */
static void answer_drop(yb_hreq *r)
{
	yb_reply_later_finish(r, false);
	if (r->response)
		MHD_destroy_response(r->response);
	r->response = NULL;
	r->status = 0;
	r->err_code = NULL;
	r->err_msg[0] = '\0';
}

/*
 * On the writer thread.  A handler that failed with store.busy (another
 * writer's batch held its rows) and kept nothing in this batch answers
 * through the batcher instead, which runs it again in a later batch
 * (service/batch.h, "Several writers").  A handler is replayable: all it
 * does outside the database is its answer, so when its batch is undone
 * and run again (batch.h, "Undo on demand") the answer of the first run
 * is dropped here.  (A settlement's outcome counter, /metrics, then
 * counts it twice: it counts answers built, not batches committed.)
 */
static int run_handler_in_batch(yb_ctx *ctx, void *arg, yb_err *err)
{
	yb_hreq *r = arg;
	yb_store *own = r->ctx.store;
	bool busy;

	if (r->response || r->later_data)
		answer_drop(r);
	r->ctx = *ctx;
	if (!caller_in_batch(r)) {
		r->ctx.store = own;
		r->ctx.in_batch = false;
		return 0;
	}
	r->in_writer = true;
	r->route->handler(r);
	r->in_writer = false;
	ctx->kept_in_batch = r->ctx.kept_in_batch;
	r->ctx.store = own;
	r->ctx.in_batch = false;
	busy = r->response && r->err_code &&
	       strcmp(r->err_code, "store.busy") == 0;
	if (!busy || ctx->kept_in_batch > 0)
		return 0;
	yb_errf(err, "store.busy", "%s", r->err_msg);
	answer_drop(r);
	return -1;
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
	if (yb_srv.batcher) {
		MHD_suspend_connection(r->conn);
		r->batch_phase = 1;
		if (yb_batch_submit_replayable(yb_srv.batcher, &r->ctx,
					       r->write_job, r->write_arg,
					       batch_done, r, &err) == 0)
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
	r->durable = true;
	if (r->auth_failed) {            /* refused in the batch */
		yb_reply_error(r, &r->auth_err);
		return;
	}
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
/*
 * A read served by the standby failed because the standby went away under
 * it (issue 16: a killed standby's backends answer for a moment, then
 * the connection breaks mid-transaction).  The answer is dropped and the
 * request is to run once more without the standby, on the primary: a
 * standby is an offload, never a new way to fail.  Reads only — a
 * request that wrote never read on the standby afterwards (ctx.h).
 */
static bool standby_lost(yb_hreq *r)
{
	if (!r->ctx.read_on_standby || r->ctx.wrote || !r->response ||
	    !r->err_code || strcmp(r->err_code, "store.unavailable") != 0)
		return false;
	answer_drop(r);
	r->ctx.standby = NULL;
	r->ctx.read_on_standby = false;
	yb_log_msg(YB_LOG_WARN, "standby (--read-db) lost during a read, "
		   "read again from the primary", r->route->pattern);
	return true;
}

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
		if (yb_srv.have_web && !is_api_path(r) && yb_static_serve(r, url))
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
	/* FHIR answers JSON only, said before anything is read or done */
	if (yb_fhir_is_request(r) && yb_fhir_negotiate(r, &err) < 0)
		goto fail;
	if (!(r->route->flags & YB_ROUTE_NO_STORE)) {
		if (yb_server_store(&r->ctx.store, &err) < 0)
			goto fail;
		r->ctx.standby = yb_server_standby();
	}
	if (r->route->roles != YB_R_PUBLIC && caller_check(r, &err) < 0)
		goto fail;
	if ((r->route->flags &
	     (YB_ROUTE_BODY_OPTIONAL | YB_ROUTE_BODY_REQUIRED)) &&
	    yb_body_parse(r, &err) < 0) {
		/* a refused caller hears that first ("The caller in the
		 * batch") */
		if (r->auth_in_batch) {
			r->auth_in_batch = false;
			if (caller_lookup(r, &err) == 0)
				role_check(r, &err);
		}
		goto fail;
	}
	if (batched(r)) {
		/* Suspend: this thread serves other connections while the
		 * request waits for its batch; batch_done() resumes it. */
		MHD_suspend_connection(r->conn);
		r->batch_phase = 1;
		if (yb_batch_submit_replayable(yb_srv.batcher, &r->ctx,
					       run_handler_in_batch, r,
					       batch_done, r, &err) == 0)
			return true;
		r->batch_phase = 0;
		MHD_resume_connection(r->conn);
		goto fail;
	}
	r->route->handler(r);
	if (standby_lost(r))             /* once more, on the primary */
		r->route->handler(r);
	if (r->response)
		return false;
	yb_errf(&err, "internal", "the handler gave no answer");
fail:
	yb_reply_error(r, &err);
	return false;
}

/* On the syncer thread: what the answer read is durable now. */
static void durable_done(void *arg)
{
	yb_hreq *r = arg;

	r->durable = true;
	r->durable_phase = 2;
	MHD_resume_connection(r->conn);
}

/*
 * An answer built from reads may have seen a batch not yet durable
 * (service/batch.h, "The sync apart"): rather than block this worker
 * thread in queue() for the sync, the connection is suspended and the
 * syncer resumes it.  False when nothing is in flight (the usual case).
 */
static bool wait_durable(yb_hreq *r)
{
	if (!r->response)
		return false;
	if (yb_batcher_durable_now(yb_srv.batcher)) {
		r->durable = true;       /* all it may have read, then too */
		return false;
	}
	MHD_suspend_connection(r->conn);
	r->durable_phase = 1;
	if (yb_batcher_after_durable(yb_srv.batcher, &r->durable_waiter,
				     durable_done, r))
		return true;
	r->durable_phase = 0;
	r->durable = true;
	MHD_resume_connection(r->conn);
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
	if (atomic_load(&yb_srv.stopping))
		MHD_add_response_header(r->response,
					MHD_HTTP_HEADER_CONNECTION, "close");
	/* The one place every answer leaves: one built from reads waits
	 * until all it may have seen is durable (service/batch.h, "The
	 * sync apart"); a batch's own answers were released after theirs. */
	if (!r->durable)
		yb_server_durable_wait();
	ret = MHD_queue_response(r->conn, r->status, r->response);
	MHD_destroy_response(r->response);
	r->response = NULL;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (int64_t)(t1.tv_sec - r->t0.tv_sec) * 1000000000 +
	     (t1.tv_nsec - r->t0.tv_nsec);
	yb_metrics_request(r->route ? (int)(r->route - yb_http_routes) : -1,
			   r->status, ns);
	if (r->settle_outcome >= 0)
		yb_metrics_settlement(r->status >= 500 ? YB_SETTLE_OUT_ERROR
						       : r->settle_outcome);
	yb_log_access(r, ns / 1000);
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
	if (r->body_max != YB_HTTP_BODY_MAX &&
	    r->body_max != YB_NHSA_FILE_BODY_MAX)  /* family: E4 uploads */
		yb_reply_errf(r, "material.too_large",
			      "a scan may have at most %d bytes",
			      yb_srv.settings.material_max_bytes);
	else
		yb_reply_errf(r, "request.too_large",
			      "the body is larger than %zu bytes",
			      r->body_max);
	return queue(r);
}

enum MHD_Result yb_http_on_access(void *cls, struct MHD_Connection *conn,
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
	if (r->durable_phase == 2) {
		/* Resumed by durable_done(): what it read is durable. */
		r->durable_phase = 0;
		return queue(r);
	}
	if (dispatch(r, url))
		return MHD_YES;      /* suspended until its batch commits */
	if (wait_durable(r))
		return MHD_YES;      /* suspended until the next sync */
	return queue(r);
}

void yb_http_on_completed(void *cls, struct MHD_Connection *conn,
			  void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	req_free(*con_cls);
	*con_cls = NULL;
}
