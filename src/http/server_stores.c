/*
 * server_stores.c — the per-thread database connections of the HTTP
 * server.
 *
 * Threads.  MHD runs a pool of `threads` worker threads, each with its own
 * epoll loop; a connection stays on one worker for its whole life.  A
 * yb_store is one connection and not thread-safe, so every worker opens
 * its own on first use (thread-local) and the server keeps a list of them
 * to close after the workers are gone.
 */
#include "http/server_int.h"

#include <stdlib.h>
#include <time.h>

static __thread store_slot *tl_store;
/* A worker's standby connection (--read-db); a failed open is retried
 * at most once a second, reads going to the primary meanwhile. */
static __thread store_slot *tl_standby;
static __thread int64_t tl_standby_retry_ms;

bool yb_server_batch_stats(yb_batch_stats *out)
{
	if (!yb_srv.batcher)
		return false;
	yb_batcher_stats(yb_srv.batcher, out);
	return true;
}

void yb_server_durable_wait(void)
{
	(void)yb_batcher_durable_wait(yb_srv.batcher);
}

/* On the list the server closes at the end. */
static void slot_keep(store_slot *slot)
{
	pthread_mutex_lock(&yb_srv.lock);
	slot->next = yb_srv.stores;
	yb_srv.stores = slot;
	pthread_mutex_unlock(&yb_srv.lock);
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
	if (yb_store_open(yb_srv.db_url, &slot->st, err) < 0) {
		free(slot);
		return -1;
	}
	slot_keep(slot);
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

	if (!yb_srv.read_db_url || tl_standby)
		return tl_standby ? tl_standby->st : NULL;
	if (mono_ms() < tl_standby_retry_ms)
		return NULL;
	slot = calloc(1, sizeof *slot);
	if (!slot)
		return NULL;
	if (yb_store_open(yb_srv.read_db_url, &slot->st, &err) < 0) {
		free(slot);
		tl_standby_retry_ms = mono_ms() + 1000;
		if (!atomic_exchange(&yb_srv.standby_down, true))
			yb_log_msg(YB_LOG_WARN,
				   "standby (--read-db) not reachable, "
				   "reading from the primary", err.message);
		return NULL;
	}
	atomic_store(&yb_srv.standby_down, false);
	slot_keep(slot);
	tl_standby = slot;
	return slot->st;
}

/* After the workers have stopped: nobody uses the stores any more. */
void yb_server_stores_close(void)
{
	pthread_mutex_lock(&yb_srv.lock);
	while (yb_srv.stores) {
		store_slot *s = yb_srv.stores;
		yb_srv.stores = s->next;
		yb_store_close(s->st);
		free(s);
	}
	pthread_mutex_unlock(&yb_srv.lock);
}
