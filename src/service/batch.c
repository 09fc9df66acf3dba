/*
 * batch.c — group commit (see batch.h for the why and the guarantees).
 *
 * The queue is a singly linked list of jobs.  A waiting caller's job lives
 * on its stack: it links the job in, signals the writer and sleeps on its
 * own condition until `done`.  A submitted job is on the heap, with a
 * callback; the writer calls it after the commit and frees the job.  The
 * writer detaches the list (up to max_batch) under the lock, runs it
 * without the lock, commits, and then wakes or calls back each job — or,
 * when the sync is apart from the commit (batch.h), hands the jobs to
 * the syncer (batch_sync.c), which does so after the next sync.
 *
 * Log upkeep.  The writer's commits do not keep the database's log short
 * (that would hold up a whole batch): a second thread does, on its own
 * connection, by running the store's `upkeep` operation until the
 * batcher stops.  What to do and when is the engine's (SQLite: passive
 * checkpoints and writeback of the WAL, store/sqlite/upkeep.c;
 * PostgreSQL: nothing).  This file only lends it the writer: a wait for
 * the next commit, the number of commits, and a hold that keeps the
 * writer between two batches for a moment.
 *
 * One CPU for the writer (yb_batcher_pin_writer, `serve --writer-cpu`).
 * Every write waits for the writer, so a time slice it loses to another
 * thread is lost to every request in the batch.  On the 2-core benchmark
 * machine the writer alone on one core and everything else (HTTP
 * workers, the upkeep, the load generator) on the other measured p99
 * 23.3-23.7 ms against 25.6-26.1 ms unpinned, at the same throughput.
 */
#include "service/batch_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Turn the store's undo on demand on or off, if it has one. */
static void lazy_undo(yb_store *st, bool on)
{
	if (st->ops->lazy_undo)
		st->ops->lazy_undo(st, on);
}

/*
 * Take this writer's share of the queue (lock held): up to max_batch
 * jobs, and with several writers only its part of what waits, so that
 * the idle ones start on the rest at once instead of waiting for the
 * next arrivals.
 */
static batch_job *take_jobs(yb_batcher *b, uint64_t *count)
{
	batch_job *first = b->head, *last = b->head;
	int idle = b->nwriters - b->busy;
	int share = idle > 1 ? (b->queued + idle - 1) / idle : b->queued;
	int n = 1;

	if (share > b->max_batch)
		share = b->max_batch;
	while (last->next && n < share) {
		last = last->next;
		n++;
	}
	b->head = last->next;
	if (!b->head)
		b->tail = NULL;
	last->next = NULL;
	b->queued -= n;
	*count = (uint64_t)n;
	return first;
}

/* Every job of a batch fails with the same error (nothing was kept). */
static void fail_all(batch_job *jobs, const yb_err *why)
{
	for (batch_job *j = jobs; j; j = j->next) {
		j->rc = -1;
		j->err = *why;
		j->again = false;
	}
}

/*
 * Several writers (batch.h): a job can meet a row another writer's batch
 * holds until its commit, and two batches can wait for each other; the
 * database then fails one statement (a deadlock, or the lock wait's
 * limit) and the engine answers store.busy.  Such a job, if it kept
 * nothing in its batch, is as if it had not run: it goes to a later
 * batch instead of answering 503, a few times at most.
 */
static bool again_later(const batch_job *j)
{
	return j->rc < 0 && j->err.code &&
	       strcmp(j->err.code, "store.busy") == 0 &&
	       j->ctx.kept_in_batch == 0 &&
	       (j->held ? j->deferrals < JOB_DEFERRALS
			: j->attempts - j->deferrals < JOB_ATTEMPTS);
}

/*
 * Undo on demand (batch.h): a batch of replayable jobs on an engine that
 * can (store.h lazy_undo) runs without a real savepoint per job — those
 * made SQLite copy every page a request touched, for an undo almost
 * never needed.  Should a job have to undo something after all, the
 * batch is spoiled: it is rolled back whole and run again from the
 * start, each job in its own savepoint as before.
 */
static bool batch_lazy(const yb_store *st, const batch_job *jobs)
{
	if (!st->ops->lazy_undo)
		return false;
	for (const batch_job *j = jobs; j; j = j->next)
		if (!j->replayable)
			return false;
	return true;
}

/*
 * Run every job; false as soon as the batch is spoiled (lazy only).
 * With several writers (issue 16, pg6), a job after the batch's first
 * does not wait for rows another writer's batch holds (store.h
 * batch_job): it holds the earlier jobs' locks, and two batches each
 * waiting for the other's were a deadlock, found only after the
 * database's deadlock_timeout with every request of both waiting.
 * Such a job goes to the head of the queue instead, and is first (and
 * waits) in a later batch.
 */
static bool run_jobs(yb_store *st, batch_job *jobs, bool lazy, bool alone)
{
	for (batch_job *j = jobs; j; j = j->next) {
		j->ctx.store = st;
		j->ctx.in_batch = true;
		j->ctx.kept_in_batch = 0;
		yb_err_clear(&j->err);
		if (st->ops->batch_job)
			st->ops->batch_job(st, alone || j == jobs);
		j->rc = j->fn(&j->ctx, j->arg, &j->err);
		j->held = j->rc < 0 && st->ops->job_refused &&
			  st->ops->job_refused(st);
		j->again = again_later(j);
		if (lazy && st->ops->spoiled(st))
			return false;
	}
	return true;
}

const int yb_batch_le_ms[YB_BATCH_MS_BUCKETS] = {
	1, 2, 5, 10, 25, 50, 100, 250
};
const int yb_batch_le_jobs[YB_BATCH_SIZE_BUCKETS] = {
	1, 2, 4, 8, 16, 32, 64, 128, 256
};

/* The bucket a value falls in: the first bound (times `unit`) it does
 * not exceed, or n for above all. */
static int bucket_of(const int *le, int n, uint64_t unit, uint64_t v)
{
	int i = 0;

	while (i < n && v > (uint64_t)le[i] * unit)
		i++;
	return i;
}

int yb_batch_ms_bucket(uint64_t ns)
{
	return bucket_of(yb_batch_le_ms, YB_BATCH_MS_BUCKETS, 1000000u, ns);
}

static int size_bucket(uint64_t jobs)
{
	return bucket_of(yb_batch_le_jobs, YB_BATCH_SIZE_BUCKETS, 1, jobs);
}

uint64_t yb_batch_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Run and commit one batch; true if it committed. */
static bool run_batch(batch_writer *w, batch_job *jobs, bool alone)
{
	yb_batcher *b = w->b;
	yb_store *st = w->store;
	bool lazy = batch_lazy(st, jobs), whole, committed;
	uint64_t t0 = yb_batch_now_ns(), t1, t2, wait_ns = 0;
	uint64_t waits[YB_BATCH_MS_BUCKETS + 1] = { 0 };
	yb_err err;

	yb_err_clear(&err);
	for (batch_job *j = jobs; j; j = j->next) {
		uint64_t waited = t0 > j->queued_ns ? t0 - j->queued_ns : 0;

		j->attempts++;
		waits[yb_batch_ms_bucket(waited)]++;
		wait_ns += waited;
	}
	if (st->ops->begin(st, true, &err) < 0) {
		fail_all(jobs, &err);
		return false;
	}
	if (lazy)
		lazy_undo(st, true);
	whole = run_jobs(st, jobs, lazy, alone);
	if (lazy) {
		/* turning it off settles what the engine deferred (store.h):
		 * a write that failed then spoils the batch too */
		lazy_undo(st, false);
		if (whole && st->ops->spoiled(st))
			whole = false;
	}
	if (!whole) {
		st->ops->rollback(st);
		pthread_mutex_lock(&b->lock);
		b->stats.replayed++;
		pthread_mutex_unlock(&b->lock);
		if (st->ops->begin(st, true, &err) < 0) {
			fail_all(jobs, &err);
			return false;
		}
		(void)run_jobs(st, jobs, false, alone);
	}
	t1 = yb_batch_now_ns();
	yb_batch_sync_committing(b);
	committed = st->ops->commit(st, &err) == 0;
	t2 = yb_batch_now_ns();
	if (!committed) {
		st->ops->rollback(st);
		fail_all(jobs, &err);
	}
	pthread_mutex_lock(&b->lock);
	b->stats.failed_commits += !committed;
	b->stats.run_ns += t1 - t0;
	b->stats.commit_ns += t2 - t1;
	b->stats.commit_ms[yb_batch_ms_bucket(t2 - t1)]++;
	b->stats.run_ms[yb_batch_ms_bucket(t1 - t0)]++;
	b->stats.wait_ns += wait_ns;
	for (int i = 0; i <= YB_BATCH_MS_BUCKETS; i++)
		b->stats.wait_ms[i] += waits[i];
	pthread_mutex_unlock(&b->lock);
	return committed;
}

/* `t` = now + ms, on the clock the condition variables use. */
static void deadline_in(struct timespec *t, long ms)
{
	clock_gettime(CLOCK_REALTIME, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static bool passed(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec > t->tv_sec ||
	       (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* ---- what the store's upkeep may do with the writer (store.h) ---------- */

static bool upkeep_wait(void *arg, long ms, bool for_commit)
{
	yb_batcher *b = arg;
	struct timespec until;
	uint64_t seen;
	bool go_on;

	deadline_in(&until, ms);
	pthread_mutex_lock(&b->lock);
	seen = b->stats.batches;
	b->upkeep_waiting = for_commit;
	while (!b->upkeep_stopping &&
	       !(for_commit && b->stats.batches != seen) && !passed(&until))
		pthread_cond_timedwait(&b->upkeep_wake, &b->lock, &until);
	b->upkeep_waiting = false;
	go_on = !b->upkeep_stopping;
	pthread_mutex_unlock(&b->lock);
	return go_on;
}

static uint64_t upkeep_commits(void *arg)
{
	yb_batcher *b = arg;
	uint64_t n;

	pthread_mutex_lock(&b->lock);
	n = b->stats.batches;
	pthread_mutex_unlock(&b->lock);
	return n;
}

static void upkeep_hold(void *arg)
{
	yb_batcher *b = arg;

	pthread_mutex_lock(&b->lock);
	b->hold = true;
	while (b->busy && !b->stopping)
		pthread_cond_wait(&b->upkeep_wake, &b->lock);
	pthread_mutex_unlock(&b->lock);
}

static void upkeep_release(void *arg)
{
	yb_batcher *b = arg;

	pthread_mutex_lock(&b->lock);
	b->hold = false;
	b->stats.wal_holds++;
	pthread_cond_signal(&b->wake);
	pthread_mutex_unlock(&b->lock);
}

static int upkeep_limit(void *arg)
{
	yb_batcher *b = arg;
	int limit;

	pthread_mutex_lock(&b->lock);
	limit = b->upkeep_limit;
	pthread_mutex_unlock(&b->lock);
	return limit;
}

/* The store's upkeep until the writer has stopped; an engine with none
 * returns at once, and the thread then only waits for the stop (so that
 * yb_batcher_pin_writer always finds it). */
static void *upkeep_main(void *arg)
{
	yb_batcher *b = arg;
	const yb_upkeep_hooks hooks = {
		.arg = b,
		.wait = upkeep_wait,
		.commits = upkeep_commits,
		.hold = upkeep_hold,
		.release = upkeep_release,
		.limit = upkeep_limit,
	};
	yb_err ignored;

	(void)b->upkeep_store->ops->upkeep(b->upkeep_store, &hooks, &ignored);
	pthread_mutex_lock(&b->lock);
	while (!b->upkeep_stopping)
		pthread_cond_wait(&b->upkeep_wake, &b->lock);
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* Take the jobs to run again out of *jobs and put them back at the head
 * of the queue, in their order, for the next batch (lock held). */
static void requeue_again(yb_batcher *b, batch_job **jobs)
{
	batch_job *first = NULL, *last = NULL, **p = jobs;
	int n = 0;

	while (*p) {
		batch_job *j = *p;

		if (!j->again) {
			p = &j->next;
			continue;
		}
		if (j->held)
			j->deferrals++;  /* not an attempt (again_later) */
		*p = j->next;                /* out of the finished list */
		j->next = NULL;
		j->queued_ns = yb_batch_now_ns();
		if (last)
			last->next = j;
		else
			first = j;
		last = j;
		n++;
	}
	if (!first)
		return;
	last->next = b->head;
	if (!b->head)
		b->tail = last;
	b->head = first;
	b->queued += n;
	b->stats.retried += (uint64_t)n;
	pthread_cond_signal(&b->wake);
}

void yb_batch_call_back(batch_job *jobs)
{
	for (batch_job *j = jobs; j; j = j->next)
		if (j->on_done)
			j->on_done(j->done_arg, j->rc, &j->err);
}

void yb_batch_wake_jobs(batch_job *jobs)
{
	batch_job *next;

	/* `next` first: once done is set the job's owner may return and its
	 * stack frame (the job) is gone. */
	for (batch_job *j = jobs; j; j = next) {
		next = j->next;
		if (j->on_done) {
			free(j);
			continue;
		}
		j->done = true;
		pthread_cond_signal(&j->cond);
	}
}

/* The writer is between batches again (lock held). */
static void writer_idle(yb_batcher *b)
{
	b->busy--;
	if (b->hold || b->upkeep_waiting)
		pthread_cond_signal(&b->upkeep_wake);
}

static void *writer_main(void *arg)
{
	batch_writer *w = arg;
	yb_batcher *b = w->b;

	pthread_mutex_lock(&b->lock);
	for (;;) {
		batch_job *jobs;
		uint64_t n;
		bool committed, alone;

		while ((!b->head || b->hold) && !b->stopping)
			pthread_cond_wait(&b->wake, &b->lock);
		if (!b->head)
			break;                   /* stopping, queue drained */
		jobs = take_jobs(b, &n);
		alone = b->nwriters == 1;
		b->busy++;
		/* more left for an idle writer */
		if (b->head && b->busy < b->nwriters)
			pthread_cond_signal(&b->wake);
		pthread_mutex_unlock(&b->lock);

		committed = run_batch(w, jobs, alone);

		/* Counted before any answer leaves: a client that reads the
		 * metrics right after its write must find the batch counted
		 * (the upkeep thread is only woken further down, as before). */
		pthread_mutex_lock(&b->lock);
		b->stats.batches++;
		b->stats.jobs += n;
		b->stats.size[size_bucket(n)]++;
		if (n > b->stats.largest)
			b->stats.largest = n;
		requeue_again(b, &jobs);
		writer_idle(b);
		pthread_mutex_unlock(&b->lock);

		/* The jobs finish after the next sync, or now (callbacks
		 * without the lock: they may take others'). */
		if (!yb_batch_sync_hand_over(b, jobs, committed)) {
			yb_batch_call_back(jobs);
			pthread_mutex_lock(&b->lock);
			yb_batch_wake_jobs(jobs);
			pthread_mutex_unlock(&b->lock);
		}
		pthread_mutex_lock(&b->lock);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

int yb_cpus_without(int cpu, cpu_set_t *out, yb_err *err)
{
	if (cpu < 0 || cpu >= CPU_SETSIZE ||
	    sched_getaffinity(0, sizeof *out, out) != 0 ||
	    !CPU_ISSET(cpu, out))
		return yb_errf(err, "usage",
			       "CPU %d is not one this process may use", cpu);
	CPU_CLR(cpu, out);
	if (CPU_COUNT(out) == 0)
		return yb_errf(err, "usage",
			       "pinning the writer to CPU %d leaves no CPU for "
			       "anything else",
			       cpu);
	return 0;
}

int yb_batcher_pin_writer(yb_batcher *b, int cpu, yb_err *err)
{
	cpu_set_t others, one;

	if (b->nwriters != 1)
		return yb_errf(err, "usage",
			       "only a single writer can have a CPU of its own");
	if (yb_cpus_without(cpu, &others, err) < 0)
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (pthread_setaffinity_np(b->writers[0].thread, sizeof one, &one) !=
		    0 ||
	    pthread_setaffinity_np(b->upkeep_thread, sizeof others, &others) !=
		    0 ||
	    (b->sync_started &&
	     pthread_setaffinity_np(b->sync_thread, sizeof one, &one) != 0))
		return yb_errf(err, "internal",
			       "cannot set the writer's CPU affinity");
	return 0;
}

/* Stop the writers started so far (after the queue drained), then the
 * upkeep if it runs. */
static void stop_threads(yb_batcher *b, bool upkeep)
{
	pthread_mutex_lock(&b->lock);
	b->stopping = true;
	pthread_cond_broadcast(&b->wake);
	pthread_cond_signal(&b->upkeep_wake);
	pthread_mutex_unlock(&b->lock);
	for (int i = 0; i < b->nwriters; i++)
		pthread_join(b->writers[i].thread, NULL);
	yb_batch_sync_stop(b);
	if (!upkeep)
		return;
	/* Only now does the upkeep end, with a last pass over what the last
	 * batches wrote, before the server says it has stopped. */
	pthread_mutex_lock(&b->lock);
	b->upkeep_stopping = true;
	pthread_cond_signal(&b->upkeep_wake);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->upkeep_thread, NULL);
}

static void batcher_free(yb_batcher *b, int nstores)
{
	yb_batch_sync_free(b);
	for (int i = 0; i < nstores; i++)
		yb_store_close(b->writers[i].store);
	yb_store_close(b->upkeep_store);
	pthread_cond_destroy(&b->upkeep_wake);
	pthread_cond_destroy(&b->wake);
	pthread_mutex_destroy(&b->lock);
	free(b->writers);
	free(b);
}

/* Open every writer's connection (and the upkeep's); the number opened
 * in *opened. */
static int open_stores(yb_batcher *b, const char *db_url, int writers,
		       int *opened, yb_err *err)
{
	*opened = 0;
	for (int i = 0; i < writers; i++) {
		batch_writer *w = &b->writers[i];

		w->b = b;
		if (yb_store_open(db_url, &w->store, err) < 0)
			return -1;
		(*opened)++;
		if (w->store->ops->set_autocheckpoint(w->store, false, err) < 0 ||
		    (w->store->ops->as_writer &&
		     w->store->ops->as_writer(w->store, err) < 0))
			return -1;
	}
	return yb_store_open(db_url, &b->upkeep_store, err);
}

int yb_batcher_start(const char *db_url, int max_batch, int writers,
		     yb_batcher **out, yb_err *err)
{
	yb_batcher *b = calloc(1, sizeof *b);
	int opened = 0;

	*out = NULL;
	if (writers < 1)
		writers = 1;
	if (b)
		b->writers = calloc((size_t)writers, sizeof *b->writers);
	if (!b || !b->writers) {
		free(b);
		return yb_errf(err, "out_of_memory", "no memory for the batcher");
	}
	b->max_batch = max_batch > 0 ? max_batch : 1;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->wake, NULL);
	pthread_cond_init(&b->upkeep_wake, NULL);
	pthread_mutex_init(&b->sync_lock, NULL);
	pthread_cond_init(&b->sync_wake, NULL);
	pthread_cond_init(&b->durable_cond, NULL);
	if (open_stores(b, db_url, writers, &opened, err) < 0 ||
	    (writers == 1 && yb_batch_sync_start(b, err) < 0))
		goto fail;
	for (; b->nwriters < writers; b->nwriters++) {
		batch_writer *w = &b->writers[b->nwriters];

		if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
			yb_errf(err, "internal", "cannot start a writer thread");
			goto fail;
		}
		(void)pthread_setname_np(w->thread, "yb-writer");
	}
	if (pthread_create(&b->upkeep_thread, NULL, upkeep_main, b) != 0) {
		yb_errf(err, "internal", "cannot start the upkeep thread");
		goto fail;
	}
	(void)pthread_setname_np(b->upkeep_thread, "yb-upkeep");
	*out = b;
	return 0;
fail:
	stop_threads(b, false);
	batcher_free(b, opened);
	return -1;
}

void yb_batcher_stop(yb_batcher *b)
{
	if (!b)
		return;
	stop_threads(b, true);
	batcher_free(b, b->nwriters);
}

/* Link a job in and wake the writer; refused while stopping. */
static int enqueue(yb_batcher *b, batch_job *job, yb_err *err)
{
	if (b->stopping)
		return yb_errf(err, "store.busy", "the server is stopping");
	if (b->tail)
		b->tail->next = job;
	else
		b->head = job;
	b->tail = job;
	job->queued_ns = yb_batch_now_ns();
	b->queued++;
	pthread_cond_signal(&b->wake);
	return 0;
}

static int submit(yb_batcher *b, const yb_ctx *ctx, yb_batch_fn fn,
		  void *arg, yb_batch_done_fn done, void *done_arg,
		  bool replayable, yb_err *err)
{
	batch_job *job = calloc(1, sizeof *job);
	int rc;

	if (!job)
		return yb_errf(err, "out_of_memory", "no memory for a job");
	job->ctx = *ctx;
	job->fn = fn;
	job->arg = arg;
	job->on_done = done;
	job->done_arg = done_arg;
	job->replayable = replayable;
	pthread_mutex_lock(&b->lock);
	rc = enqueue(b, job, err);
	pthread_mutex_unlock(&b->lock);
	if (rc < 0)
		free(job);
	return rc;
}

int yb_batch_submit(yb_batcher *b, const yb_ctx *ctx, yb_batch_fn fn,
		    void *arg, yb_batch_done_fn done, void *done_arg,
		    yb_err *err)
{
	return submit(b, ctx, fn, arg, done, done_arg, false, err);
}

int yb_batch_submit_replayable(yb_batcher *b, const yb_ctx *ctx,
			       yb_batch_fn fn, void *arg,
			       yb_batch_done_fn done, void *done_arg,
			       yb_err *err)
{
	return submit(b, ctx, fn, arg, done, done_arg, true, err);
}

int yb_batch_run(yb_batcher *b, const yb_ctx *ctx, yb_batch_fn fn, void *arg,
		 yb_err *err)
{
	batch_job job;

	memset(&job, 0, sizeof job);
	job.ctx = *ctx;
	job.fn = fn;
	job.arg = arg;
	pthread_cond_init(&job.cond, NULL);

	pthread_mutex_lock(&b->lock);
	if (enqueue(b, &job, err) < 0) {
		pthread_mutex_unlock(&b->lock);
		pthread_cond_destroy(&job.cond);
		return -1;
	}
	while (!job.done)
		pthread_cond_wait(&job.cond, &b->lock);
	pthread_mutex_unlock(&b->lock);
	pthread_cond_destroy(&job.cond);

	if (job.rc < 0 && err)
		*err = job.err;
	return job.rc;
}

void yb_batcher_set_upkeep_limit(yb_batcher *b, int limit)
{
	pthread_mutex_lock(&b->lock);
	b->upkeep_limit = limit > 0 ? limit : 0;
	pthread_mutex_unlock(&b->lock);
}

void yb_batcher_stats(yb_batcher *b, yb_batch_stats *out)
{
	pthread_mutex_lock(&b->lock);
	*out = b->stats;
	pthread_mutex_unlock(&b->lock);
	out->syncs = atomic_load(&b->syncs);
	out->sync_ns = atomic_load(&b->sync_ns);
	out->durable_waits = atomic_load(&b->durable_waits);
	for (int i = 0; i <= YB_BATCH_MS_BUCKETS; i++)
		out->sync_ms[i] = atomic_load(&b->sync_ms[i]);
}

int yb_batch_alone(const yb_ctx *ctx, yb_batch_fn fn, void *arg, yb_err *err)
{
	yb_ctx c = *ctx;
	int rc;

	if (c.store->ops->begin(c.store, true, err) < 0)
		return -1;
	c.in_batch = true;
	yb_err_clear(err);
	rc = fn(&c, arg, err);
	if (c.store->ops->commit(c.store, err) < 0) {
		c.store->ops->rollback(c.store);
		return -1;
	}
	return rc;
}
