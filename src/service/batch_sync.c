/*
 * batch_sync.c — group commit's sync apart from the commit (batch.h,
 * "The sync apart"): the syncer thread, and the wait of an answer for
 * what it may have read to be durable.
 *
 * Counting.  One writer (the sync apart needs it), so batches commit in
 * order; each is counted in `committing` just before its commit begins,
 * in `written` once the commit has returned (or failed), and in
 * `durable` once a sync that began after that has returned.  The syncer
 * takes `written` and every job waiting so far, syncs, publishes
 * `durable` and only then finishes those jobs.  A reader that saw a
 * commit read `committing` after it, so waiting until `durable` reaches
 * that count waits for that commit's sync at most — or for the sync of a
 * later batch, whose commit may have begun meanwhile: an upper bound,
 * about one sync, and only while a batch is in flight.
 */
#include "service/batch_int.h"

#include <stdio.h>
#include <unistd.h>

/* A sync failed: the process ends here (batch.h says why). */
static void sync_failed(yb_batcher *b, const yb_err *err)
{
	char detail[400];

	snprintf(detail, sizeof detail,
		 "%s; the server stops with status %d without answering "
		 "the writes since the last good sync (restart it: the "
		 "database recovers what reached the disk)",
		 err->message, YB_EXIT_SYNC_FAILED);
	if (b->sync_failure_log)
		b->sync_failure_log(detail);
	else
		fprintf(stderr, "yibao: the log's sync failed: %s\n", detail);
	_exit(YB_EXIT_SYNC_FAILED);
}

/* The waiters whose count `durable` covers, out of the list (sync_lock
 * held). */
static yb_durable_waiter *take_waiters(yb_batcher *b, uint64_t durable)
{
	yb_durable_waiter *done = NULL, **p = &b->waiters;

	while (*p) {
		yb_durable_waiter *w = *p;

		if (w->count > durable) {
			p = &w->next;
			continue;
		}
		*p = w->next;
		w->next = done;
		done = w;
	}
	return done;
}

static void call_waiters(yb_durable_waiter *w)
{
	yb_durable_waiter *next;

	for (; w; w = next) {
		next = w->next;          /* w is the caller's once called */
		w->fn(w->arg);
	}
}

/* One sync: the jobs of the batches written before it are durable after
 * it.  Called and returns with sync_lock held. */
static void sync_once(yb_batcher *b)
{
	uint64_t target = b->written, t0, t1;
	batch_job *jobs = b->unsynced;
	void (*before)(void *) = b->before_sync;
	void *before_arg = b->before_sync_arg;
	yb_durable_waiter *waiters;
	yb_err err;

	b->unsynced = b->unsynced_tail = NULL;
	pthread_mutex_unlock(&b->sync_lock);
	if (before)
		before(before_arg);
	yb_err_clear(&err);
	t0 = yb_batch_now_ns();
	if (b->log_sync.sync(b->log_sync.arg, &err) < 0)
		sync_failed(b, &err);
	t1 = yb_batch_now_ns();
	atomic_fetch_add(&b->syncs, 1);
	atomic_fetch_add(&b->sync_ns, t1 - t0);
	atomic_fetch_add(&b->sync_ms[yb_batch_ms_bucket(t1 - t0)], 1);

	pthread_mutex_lock(&b->sync_lock);
	atomic_store(&b->durable, target);
	pthread_cond_broadcast(&b->durable_cond);
	waiters = take_waiters(b, target);
	pthread_mutex_unlock(&b->sync_lock);

	yb_batch_call_back(jobs);
	call_waiters(waiters);
	pthread_mutex_lock(&b->lock);
	yb_batch_wake_jobs(jobs);
	pthread_mutex_unlock(&b->lock);
	pthread_mutex_lock(&b->sync_lock);
}

static void *syncer_main(void *arg)
{
	yb_batcher *b = arg;

	pthread_mutex_lock(&b->sync_lock);
	for (;;) {
		while (b->written == atomic_load(&b->durable) &&
		       !b->sync_stopping)
			pthread_cond_wait(&b->sync_wake, &b->sync_lock);
		if (b->written == atomic_load(&b->durable))
			break;                   /* stopping, all synced */
		sync_once(b);
	}
	pthread_mutex_unlock(&b->sync_lock);
	return NULL;
}

int yb_batch_sync_start(yb_batcher *b, yb_err *err)
{
	yb_store *st = b->writers[0].store;
	int rc;

	if (!st->ops->defer_sync)
		return 0;
	rc = st->ops->defer_sync(st, &b->log_sync, err);
	if (rc <= 0)
		return rc;
	if (pthread_create(&b->sync_thread, NULL, syncer_main, b) != 0) {
		b->log_sync.close(b->log_sync.arg);
		b->log_sync = (yb_log_sync){ 0 };
		return yb_errf(err, "internal", "cannot start the syncer thread");
	}
	(void)pthread_setname_np(b->sync_thread, "yb-syncer");
	b->sync_started = true;
	return 0;
}

void yb_batch_sync_committing(yb_batcher *b)
{
	if (b->log_sync.sync)
		atomic_fetch_add(&b->committing, 1);
}

bool yb_batch_sync_hand_over(yb_batcher *b, batch_job *jobs, bool committed)
{
	if (!b->log_sync.sync)
		return false;
	pthread_mutex_lock(&b->sync_lock);
	/* A failed commit changed nothing, but was counted: the readers'
	 * waits must get past it.  With every earlier batch durable and no
	 * sync in flight there is nothing to sync for it (and a failing
	 * disk is not asked for a sync it need not make). */
	if (!committed && atomic_load(&b->durable) == b->written) {
		yb_durable_waiter *waiters;

		b->written = atomic_load(&b->committing);
		atomic_store(&b->durable, b->written);
		pthread_cond_broadcast(&b->durable_cond);
		waiters = take_waiters(b, b->written);
		pthread_mutex_unlock(&b->sync_lock);
		call_waiters(waiters);
		return false;
	}
	b->written = atomic_load(&b->committing);
	if (committed && jobs) {
		if (b->unsynced_tail)
			b->unsynced_tail->next = jobs;
		else
			b->unsynced = jobs;
		while (jobs->next)
			jobs = jobs->next;
		b->unsynced_tail = jobs;
	}
	pthread_cond_signal(&b->sync_wake);
	pthread_mutex_unlock(&b->sync_lock);
	return committed;
}

void yb_batch_sync_stop(yb_batcher *b)
{
	if (!b->sync_started)
		return;
	pthread_mutex_lock(&b->sync_lock);
	b->sync_stopping = true;
	pthread_cond_signal(&b->sync_wake);
	pthread_mutex_unlock(&b->sync_lock);
	pthread_join(b->sync_thread, NULL);
	b->sync_started = false;
}

void yb_batch_sync_free(yb_batcher *b)
{
	if (b->log_sync.close)
		b->log_sync.close(b->log_sync.arg);
	b->log_sync = (yb_log_sync){ 0 };
	pthread_cond_destroy(&b->durable_cond);
	pthread_cond_destroy(&b->sync_wake);
	pthread_mutex_destroy(&b->sync_lock);
}

bool yb_batcher_durable_wait(yb_batcher *b)
{
	uint64_t g;

	if (!b || !b->log_sync.sync)
		return false;
	g = atomic_load(&b->committing);
	if (atomic_load(&b->durable) >= g)
		return false;
	atomic_fetch_add(&b->durable_waits, 1);
	pthread_mutex_lock(&b->sync_lock);
	while (atomic_load(&b->durable) < g)
		pthread_cond_wait(&b->durable_cond, &b->sync_lock);
	pthread_mutex_unlock(&b->sync_lock);
	return true;
}

bool yb_batcher_durable_now(yb_batcher *b)
{
	return !b || !b->log_sync.sync ||
	       atomic_load(&b->durable) >= atomic_load(&b->committing);
}

int yb_batcher_after_durable(yb_batcher *b, yb_durable_waiter *w,
			     void (*fn)(void *arg), void *arg)
{
	uint64_t g;

	if (!b || !b->log_sync.sync)
		return 0;
	g = atomic_load(&b->committing);
	if (atomic_load(&b->durable) >= g)
		return 0;
	atomic_fetch_add(&b->durable_waits, 1);
	pthread_mutex_lock(&b->sync_lock);
	if (atomic_load(&b->durable) >= g) {
		pthread_mutex_unlock(&b->sync_lock);
		return 0;
	}
	*w = (yb_durable_waiter){ .count = g, .fn = fn, .arg = arg,
				  .next = b->waiters };
	b->waiters = w;
	pthread_mutex_unlock(&b->sync_lock);
	return 1;
}

void yb_batcher_on_sync_failure(yb_batcher *b,
				void (*log)(const char *detail))
{
	b->sync_failure_log = log;
}

void yb_batcher_test_before_sync(yb_batcher *b, void (*fn)(void *arg),
				 void *arg)
{
	pthread_mutex_lock(&b->sync_lock);
	b->before_sync = fn;
	b->before_sync_arg = arg;
	pthread_mutex_unlock(&b->sync_lock);
}
