/*
 * sender.c — the webhook sender thread (sender.h): claim due deliveries,
 * post each one with libcurl, record delivered / retry later / dead.
 *
 * Headers of every post (docs/NOTIFICATIONS.md, docs/openapi.yaml):
 *   Content-Type: application/json
 *   X-Yibao-Delivery: <delivery id>      the same on every retry
 *   X-Yibao-Timestamp: <Unix seconds>    when this attempt was signed
 *   X-Yibao-Signature: sha256=<hex HMAC-SHA256(secret, ts "." body)>
 */
#include "webhook/sender.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "core/notify.h"
#include "service/notify.h"
#include "store/store.h"
#include "webhook/payload.h"

#define CLAIM_MAX       8
#define LEASE_MARGIN_MS 1000

struct yb_webhook_sender {
	yb_settings settings;
	yb_store *store;
	CURL *curl;
	yb_webhook_log_fn log;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void say(yb_webhook_sender *ws, int level, const char *msg,
		const char *detail)
{
	if (ws->log)
		ws->log(level, msg, detail);
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* One POST; returns the HTTP status (0: no answer) and fills errbuf. */
static long post(yb_webhook_sender *ws, const yb_delivery_job *j,
		 const char *body, char *errbuf, size_t errsize)
{
	struct curl_slist *h = NULL;
	char line[160], ts[24], sig[65], cerr[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;

	snprintf(ts, sizeof ts, "%lld", (long long)(now_ms() / 1000));
	yb_webhook_sign(j->secret, ts, body, strlen(body), sig);
	h = curl_slist_append(h, "Content-Type: application/json");
	snprintf(line, sizeof line, "X-Yibao-Delivery: %lld",
		 (long long)j->d.id);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof line, "X-Yibao-Timestamp: %s", ts);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof line, "X-Yibao-Signature: sha256=%s", sig);
	h = curl_slist_append(h, line);
	h = curl_slist_append(h, "Expect:");

	curl_easy_setopt(ws->curl, CURLOPT_URL, j->d.url);
	curl_easy_setopt(ws->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(ws->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(ws->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(ws->curl, CURLOPT_ERRORBUFFER, cerr);
	rc = curl_easy_perform(ws->curl);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(ws->curl, CURLINFO_RESPONSE_CODE, &status);
		snprintf(errbuf, errsize, "HTTP %ld", status);
	} else {
		snprintf(errbuf, errsize, "%s", cerr[0] ? cerr
						: curl_easy_strerror(rc));
	}
	curl_easy_setopt(ws->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(h);
	return status;
}

/* The outcome of one attempt, as the row records it. */
static void outcome(const yb_webhook_sender *ws, yb_delivery *d, long status,
		    const char *error)
{
	const yb_settings *s = &ws->settings;
	int64_t now = now_ms();

	d->attempts++;
	d->last_status = (int)status;
	snprintf(d->last_error, sizeof d->last_error, "%s",
		 status >= 200 && status < 300 ? "" : error);
	if (status >= 200 && status < 300) {
		d->state = YB_DELIV_DELIVERED;
		d->delivered_at = (yb_time)(now / 1000);
		d->next_at_ms = now;
	} else if (d->attempts >= s->webhook_max_attempts) {
		d->state = YB_DELIV_DEAD;
		d->next_at_ms = now;
	} else {
		d->state = YB_DELIV_PENDING;
		d->next_at_ms = now + yb_webhook_backoff_ms(
			d->attempts, s->webhook_backoff_ms,
			s->webhook_backoff_max_ms, randombytes_random());
	}
}

static yb_ctx sender_ctx(yb_webhook_sender *ws)
{
	yb_ctx ctx;

	memset(&ctx, 0, sizeof ctx);
	ctx.store = ws->store;
	ctx.settings = &ws->settings;
	ctx.clock = yb_clock_system();
	ctx.actor = yb_actor_cli();
	ctx.actor.channel = YB_CHAN_API;
	snprintf(ctx.actor.id, sizeof ctx.actor.id, "webhook-sender");
	return ctx;
}

static void deliver(yb_webhook_sender *ws, yb_ctx *ctx, yb_delivery_job *j)
{
	char error[YB_TEXT_SZ], detail[YB_TEXT_SZ + 64];
	char *body = yb_delivery_body(j, j->d.attempts + 1);
	long status = 0;
	yb_err err;

	if (body)
		status = post(ws, j, body, error, sizeof error);
	else
		snprintf(error, sizeof error, "out of memory");
	free(body);
	outcome(ws, &j->d, status, error);
	if (yb_delivery_record(ctx, &j->d, &err) < 0) {
		/* Left leased: it is posted again when the lease runs out. */
		say(ws, 1, "webhook: cannot record a delivery", err.message);
		return;
	}
	if (j->d.state != YB_DELIV_DELIVERED) {
		snprintf(detail, sizeof detail, "delivery %lld attempt %d: %s%s",
			 (long long)j->d.id, j->d.attempts, error,
			 j->d.state == YB_DELIV_DEAD ? " (dead)" : "");
		say(ws, j->d.state == YB_DELIV_DEAD ? 1 : 3,
		    "webhook: delivery failed", detail);
	}
}

/* Wait up to `ms`, or until stopped; true when stopping. */
static bool nap(yb_webhook_sender *ws, int ms)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&ws->lock);
	while (!ws->stopping &&
	       pthread_cond_timedwait(&ws->wake, &ws->lock, &until) == 0)
		;
	stop = ws->stopping;
	pthread_mutex_unlock(&ws->lock);
	return stop;
}

static bool stopping(yb_webhook_sender *ws)
{
	bool stop;

	pthread_mutex_lock(&ws->lock);
	stop = ws->stopping;
	pthread_mutex_unlock(&ws->lock);
	return stop;
}

static void *sender_main(void *arg)
{
	yb_webhook_sender *ws = arg;
	yb_ctx ctx = sender_ctx(ws);
	yb_delivery_job *jobs = calloc(CLAIM_MAX, sizeof *jobs);
	/* A claim's deliveries are posted one after another, each bounded
	 * by the timeout: the last must still be leased when its turn
	 * comes.  After a crash they are due again when the lease ends. */
	int64_t lease = (int64_t)ws->settings.webhook_timeout_ms * CLAIM_MAX +
			LEASE_MARGIN_MS;
	yb_err err;
	int n;

	if (!jobs) {
		say(ws, 0, "webhook: out of memory, sender stopped", NULL);
		return NULL;
	}
	while (!stopping(ws)) {
		n = 0;
		if (yb_deliveries_claim(&ctx, now_ms(), lease, CLAIM_MAX, jobs,
					&n, &err) < 0)
			say(ws, 1, "webhook: cannot claim deliveries",
			    err.message);
		for (int i = 0; i < n && !stopping(ws); i++)
			deliver(ws, &ctx, &jobs[i]);
		/* A full claim means more may be due: go on at once. */
		if (n < CLAIM_MAX && nap(ws, ws->settings.webhook_poll_ms))
			break;
	}
	free(jobs);
	return NULL;
}

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_ALL);
}

static int curl_setup(yb_webhook_sender *ws, yb_err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const yb_settings *s = &ws->settings;

	pthread_once(&once, curl_init_once);
	ws->curl = curl_easy_init();
	if (!ws->curl)
		return yb_errf(err, "internal", "libcurl failed to start");
	curl_easy_setopt(ws->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ws->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(ws->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(ws->curl, CURLOPT_TIMEOUT_MS,
			 (long)s->webhook_timeout_ms);
	curl_easy_setopt(ws->curl, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(s->webhook_timeout_ms < 5000
					? s->webhook_timeout_ms : 5000));
	curl_easy_setopt(ws->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(ws->curl, CURLOPT_USERAGENT, "yibao-webhook/1");
	return 0;
}

int yb_webhook_sender_start(const char *db_url, const yb_settings *settings,
			    yb_webhook_log_fn log, yb_webhook_sender **out,
			    yb_err *err)
{
	yb_webhook_sender *ws = calloc(1, sizeof *ws);
	sigset_t all, old;
	bool started;

	*out = NULL;
	if (!ws)
		return yb_errf(err, "out_of_memory", "out of memory");
	ws->settings = *settings;
	ws->log = log;
	pthread_mutex_init(&ws->lock, NULL);
	pthread_cond_init(&ws->wake, NULL);
	if (sodium_init() < 0) {
		yb_errf(err, "internal", "libsodium failed to start");
		goto fail;
	}
	/* Keeping the log short is the upkeep thread's (service/batch.c,
	 * store op upkeep): a commit of the sender must not do it. */
	if (curl_setup(ws, err) < 0 ||
	    yb_store_open(db_url, &ws->store, err) < 0 ||
	    ws->store->ops->set_autocheckpoint(ws->store, false, err) < 0)
		goto fail;
	/* The thread takes every signal blocked with it: the server's
	 * sigwait() must be the one to see SIGTERM. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	started = pthread_create(&ws->thread, NULL, sender_main, ws) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!started) {
		yb_errf(err, "internal", "cannot start the webhook sender");
		goto fail;
	}
	*out = ws;
	return 0;
fail:
	yb_store_close(ws->store);
	if (ws->curl)
		curl_easy_cleanup(ws->curl);
	pthread_cond_destroy(&ws->wake);
	pthread_mutex_destroy(&ws->lock);
	free(ws);
	return -1;
}

void yb_webhook_sender_stop(yb_webhook_sender *ws)
{
	if (!ws)
		return;
	pthread_mutex_lock(&ws->lock);
	ws->stopping = true;
	pthread_cond_signal(&ws->wake);
	pthread_mutex_unlock(&ws->lock);
	pthread_join(ws->thread, NULL);
	curl_easy_cleanup(ws->curl);
	yb_store_close(ws->store);
	pthread_cond_destroy(&ws->wake);
	pthread_mutex_destroy(&ws->lock);
	free(ws);
}
