/*
 * http_ops.c — operations: GET /healthz and GET /metrics, and the
 * counters behind the metrics.
 *
 * The counters are plain atomics in fixed arrays indexed by route and
 * status class, so recording a request costs a few relaxed increments and
 * no lock.  Durations are kept in integer microseconds; floating point
 * appears only when the Prometheus text is rendered (never near money).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "http/httpd.h"
#include "service/health.h"

/* The statuses this server answers; anything else is counted as "other". */
static const unsigned statuses[] = { 200, 201, 204, 400, 401, 403, 404, 405,
				     409, 413, 415, 422, 429, 500, 503, 0 };
#define NSTATUS (sizeof statuses / sizeof statuses[0])

/* Histogram bucket upper bounds in microseconds (le label in seconds). */
static const int64_t buckets_us[] = { 250, 500, 1000, 2500, 5000, 10000,
				      25000, 50000, 100000, 250000, 500000,
				      1000000, 2500000 };
#define NBUCKETS (sizeof buckets_us / sizeof buckets_us[0])

/* One slot per route, plus one for "no route". */
#define MAX_ROUTES YB_HTTP_ROUTES_MAX

typedef struct route_stats {
	atomic_uint_fast64_t by_status[NSTATUS];
	atomic_uint_fast64_t bucket[NBUCKETS + 1];   /* last: +Inf */
	atomic_uint_fast64_t sum_us;
	atomic_uint_fast64_t count;
} route_stats;

static route_stats stats[MAX_ROUTES + 1];
static atomic_uint_fast64_t settle_outcomes[YB_SETTLE_OUT__N];
static atomic_uint_fast64_t db_errors;

static const char *const outcome_names[YB_SETTLE_OUT__N] = {
	"settled", "repeat", "preview", "refused", "error",
};

static route_stats *stats_of(int route)
{
	if (route < 0 || route >= MAX_ROUTES || (size_t)route >= yb_http_nroutes)
		return &stats[MAX_ROUTES];
	return &stats[route];
}

void yb_metrics_request(int route, unsigned status, int64_t ns)
{
	route_stats *s = stats_of(route);
	int64_t us = ns / 1000;
	size_t i, b;

	for (i = 0; i + 1 < NSTATUS && statuses[i] != status; i++)
		;
	atomic_fetch_add_explicit(&s->by_status[i], 1, memory_order_relaxed);
	for (b = 0; b < NBUCKETS && us > buckets_us[b]; b++)
		;
	atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->sum_us, (uint_fast64_t)(us > 0 ? us : 0),
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
}

void yb_metrics_settlement(int outcome)
{
	if (outcome >= 0 && outcome < YB_SETTLE_OUT__N)
		atomic_fetch_add_explicit(&settle_outcomes[outcome], 1,
					  memory_order_relaxed);
}

void yb_metrics_db_error(const yb_err *err)
{
	if (err && err->code && strncmp(err->code, "store.", 6) == 0)
		atomic_fetch_add_explicit(&db_errors, 1, memory_order_relaxed);
}

/* ---- the Prometheus text ------------------------------------------------ */

typedef struct textbuf {
	char *buf;
	size_t len, cap;
	bool failed;
} textbuf;

__attribute__((format(printf, 2, 3)))
static void tb_printf(textbuf *tb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (tb->failed)
		return;
	for (;;) {
		size_t room = tb->cap - tb->len;
		va_start(ap, fmt);
		n = vsnprintf(tb->buf + tb->len, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			tb->failed = true;
			return;
		}
		if ((size_t)n < room) {
			tb->len += (size_t)n;
			return;
		}
		char *nb = realloc(tb->buf, tb->cap * 2 + (size_t)n);
		if (!nb) {
			tb->failed = true;
			return;
		}
		tb->buf = nb;
		tb->cap = tb->cap * 2 + (size_t)n;
	}
}

static void route_labels(int i, const char **method, const char **pattern)
{
	if (i == MAX_ROUTES) {
		*method = "-";
		*pattern = "-";
	} else {
		*method = yb_http_routes[i].method;
		*pattern = yb_http_routes[i].pattern;
	}
}

static void render_requests(textbuf *tb)
{
	tb_printf(tb, "# HELP yibao_http_requests_total HTTP requests answered."
		      "\n# TYPE yibao_http_requests_total counter\n");
	for (int i = 0; i <= MAX_ROUTES; i++) {
		const char *m, *p;
		if (i < MAX_ROUTES && (size_t)i >= yb_http_nroutes)
			continue;
		route_labels(i, &m, &p);
		for (size_t s = 0; s < NSTATUS; s++) {
			uint64_t v = atomic_load_explicit(
				&stats[i].by_status[s], memory_order_relaxed);
			char st[16];
			if (!v)
				continue;
			if (statuses[s])
				snprintf(st, sizeof st, "%u", statuses[s]);
			else
				snprintf(st, sizeof st, "other");
			tb_printf(tb,
				  "yibao_http_requests_total{method=\"%s\","
				  "route=\"%s\",status=\"%s\"} %" PRIu64 "\n",
				  m, p, st, v);
		}
	}
}

static void render_durations(textbuf *tb)
{
	tb_printf(tb, "# HELP yibao_http_request_duration_seconds Time from "
		      "a request's first byte to its answer.\n"
		      "# TYPE yibao_http_request_duration_seconds histogram\n");
	for (int i = 0; i <= MAX_ROUTES; i++) {
		const char *m, *p;
		uint64_t count = atomic_load_explicit(&stats[i].count,
						      memory_order_relaxed);
		uint64_t cum = 0;
		if (!count)
			continue;
		route_labels(i, &m, &p);
		for (size_t b = 0; b <= NBUCKETS; b++) {
			char le[24];
			cum += atomic_load_explicit(&stats[i].bucket[b],
						    memory_order_relaxed);
			if (b < NBUCKETS)
				snprintf(le, sizeof le, "%g",
					 (double)buckets_us[b] / 1e6);
			else
				snprintf(le, sizeof le, "+Inf");
			tb_printf(tb,
				  "yibao_http_request_duration_seconds_bucket{"
				  "method=\"%s\",route=\"%s\",le=\"%s\"} %" PRIu64
				  "\n", m, p, le, cum);
		}
		tb_printf(tb,
			  "yibao_http_request_duration_seconds_sum{method=\"%s\","
			  "route=\"%s\"} %.6f\n"
			  "yibao_http_request_duration_seconds_count{method=\"%s\","
			  "route=\"%s\"} %" PRIu64 "\n",
			  m, p,
			  (double)atomic_load_explicit(&stats[i].sum_us,
						       memory_order_relaxed) / 1e6,
			  m, p, count);
	}
}

/* One of the batcher's histograms (batch.h) in Prometheus' form: the
 * buckets cumulative, `le` the bound times `scale` (ms to seconds, or
 * requests as they are). */
static void render_histogram(textbuf *tb, const char *name, const char *help,
			     const int *le, int nle, double scale,
			     const uint64_t *counts, double sum)
{
	uint64_t cum = 0;

	tb_printf(tb, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	for (int i = 0; i < nle; i++) {
		cum += counts[i];
		tb_printf(tb, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", name,
			  le[i] * scale, cum);
	}
	cum += counts[nle];
	tb_printf(tb, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n%s_sum %.6f\n"
		      "%s_count %" PRIu64 "\n",
		  name, cum, name, sum, name, cum);
}

/* Where a write's time goes, and how big the batches are: the tail of
 * the writes' latency is made of these (docs/POSTGRESQL.md "What the
 * tail is made of"). */
static void render_batch_histograms(textbuf *tb, const yb_batch_stats *st)
{
	const struct {
		const char *name, *help;
		const uint64_t *counts;
		uint64_t sum_ns;
	} ms[] = {
		{ "yibao_batch_commit_duration_seconds",
		  "Group commits by duration (with the sync unless it is "
		  "apart).", st->commit_ms, st->commit_ns },
		{ "yibao_batch_run_duration_seconds",
		  "Group commits by the time their requests ran, from the "
		  "transaction's start to its commit.", st->run_ms, st->run_ns },
		{ "yibao_batch_queue_wait_seconds",
		  "Requests by the time they waited in the queue before the "
		  "group commit that ran them began.", st->wait_ms, st->wait_ns },
		{ "yibao_batch_sync_duration_seconds",
		  "Syncs of the log apart from the commit, by duration.",
		  st->sync_ms, st->sync_ns },
	};

	for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
		render_histogram(tb, ms[i].name, ms[i].help, yb_batch_le_ms,
				 YB_BATCH_MS_BUCKETS, 1e-3, ms[i].counts,
				 (double)ms[i].sum_ns / 1e9);
	render_histogram(tb, "yibao_batch_size",
			 "Group commits by how many requests ran in them.",
			 yb_batch_le_jobs, YB_BATCH_SIZE_BUCKETS, 1, st->size,
			 (double)st->jobs);
}

/* Group commit: how many requests share a commit, and the WAL upkeep
 * (docs/ARCHITECTURE.md).  Absent when the batcher is off. */
static void render_batches(textbuf *tb)
{
	yb_batch_stats st;

	if (!yb_server_batch_stats(&st))
		return;
	tb_printf(tb, "# HELP yibao_batch_commits_total Group commits.\n"
		      "# TYPE yibao_batch_commits_total counter\n"
		      "yibao_batch_commits_total %" PRIu64 "\n"
		      "# HELP yibao_batch_requests_total Requests run in a "
		      "group commit.\n"
		      "# TYPE yibao_batch_requests_total counter\n"
		      "yibao_batch_requests_total %" PRIu64 "\n"
		      "# HELP yibao_batch_failed_commits_total Group commits "
		      "that failed (every request of each failed).\n"
		      "# TYPE yibao_batch_failed_commits_total counter\n"
		      "yibao_batch_failed_commits_total %" PRIu64 "\n"
		      "# HELP yibao_batch_retried_total Requests run again "
		      "in a later commit (another writer held their rows).\n"
		      "# TYPE yibao_batch_retried_total counter\n"
		      "yibao_batch_retried_total %" PRIu64 "\n"
		      "# HELP yibao_batch_largest Most requests in one "
		      "commit.\n# TYPE yibao_batch_largest gauge\n"
		      "yibao_batch_largest %" PRIu64 "\n"
		      "# HELP yibao_wal_holds_total Times the writer paused "
		      "so that the WAL could start over.\n"
		      "# TYPE yibao_wal_holds_total counter\n"
		      "yibao_wal_holds_total %" PRIu64 "\n"
		      "# HELP yibao_batch_replayed_total Group commits undone "
		      "and run again, a savepoint per request (one failed "
		      "after writing).\n"
		      "# TYPE yibao_batch_replayed_total counter\n"
		      "yibao_batch_replayed_total %" PRIu64 "\n"
		      "# HELP yibao_batch_run_seconds_total Time the writers "
		      "spent running their requests.\n"
		      "# TYPE yibao_batch_run_seconds_total counter\n"
		      "yibao_batch_run_seconds_total %.6f\n",
		  st.batches, st.jobs, st.failed_commits, st.retried,
		  st.largest, st.wal_holds, st.replayed,
		  (double)st.run_ns / 1e9);
	tb_printf(tb, "# HELP yibao_batch_syncs_total Syncs of the log apart "
		      "from the commit, while the writer runs the next batch "
		      "(SQLite, synchronous FULL).\n"
		      "# TYPE yibao_batch_syncs_total counter\n"
		      "yibao_batch_syncs_total %" PRIu64 "\n"
		      "# HELP yibao_batch_sync_seconds_total Time the syncer "
		      "spent in those syncs.\n"
		      "# TYPE yibao_batch_sync_seconds_total counter\n"
		      "yibao_batch_sync_seconds_total %.6f\n"
		      "# HELP yibao_durable_waits_total Answers built from "
		      "reads that waited for a sync before they left.\n"
		      "# TYPE yibao_durable_waits_total counter\n"
		      "yibao_durable_waits_total %" PRIu64 "\n",
		  st.syncs, (double)st.sync_ns / 1e9, st.durable_waits);
	render_batch_histograms(tb, &st);
}

void yb_handle_metrics(yb_hreq *r)
{
	textbuf tb = { .buf = malloc(16384), .cap = 16384 };

	if (!tb.buf) {
		yb_reply_errf(r, "out_of_memory", "out of memory");
		return;
	}
	render_requests(&tb);
	render_durations(&tb);
	tb_printf(&tb, "# HELP yibao_settlements_total Settlement requests by "
		       "outcome.\n# TYPE yibao_settlements_total counter\n");
	for (int o = 0; o < YB_SETTLE_OUT__N; o++)
		tb_printf(&tb, "yibao_settlements_total{outcome=\"%s\"} %" PRIu64
			       "\n", outcome_names[o],
			  (uint64_t)atomic_load_explicit(&settle_outcomes[o],
							 memory_order_relaxed));
	tb_printf(&tb, "# HELP yibao_db_errors_total Requests failed by a "
		       "database error.\n# TYPE yibao_db_errors_total counter\n"
		       "yibao_db_errors_total %" PRIu64 "\n",
		  (uint64_t)atomic_load_explicit(&db_errors,
						 memory_order_relaxed));
	render_batches(&tb);
	if (tb.failed) {
		free(tb.buf);
		yb_reply_errf(r, "out_of_memory", "out of memory");
		return;
	}
	yb_reply_take(r, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
		      tb.buf, tb.len);
}

/* A trivial read through the worker's own connection: the database is
 * reachable and its schema readable. */
void yb_handle_healthz(yb_hreq *r)
{
	yb_health h;
	yb_err err;

	yb_err_clear(&err);
	if (yb_server_store(&r->ctx.store, &err) < 0 ||
	    yb_health_check(&r->ctx, &h, &err) < 0)
		goto fail;
	yb_reply_json(r, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"));
	return;
fail:
	/* Unhealthy is "unavailable", whatever the store's reason. */
	yb_metrics_db_error(&err);
	yb_reply_json(r, MHD_HTTP_SERVICE_UNAVAILABLE,
		      json_pack("{s:s, s:{s:s, s:s}}", "status", "unavailable",
				"error", "code", err.code ? err.code : "internal",
				"message", "the database is not reachable"));
}
