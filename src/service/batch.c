/*
 * batch.c — group commit (see batch.h for the why and the guarantees).
 *
 * The queue is a singly linked list of jobs.  A waiting caller's job lives
 * on its stack: it links the job in, signals the writer and sleeps on its
 * own condition until `done`.  A submitted job is on the heap, with a
 * callback; the writer calls it after the commit and frees the job.  The
 * writer detaches the list (up to max_batch) under the lock, runs it
 * without the lock, commits, and then wakes or calls back each job.
 *
 * Checkpoints (SQLite).  The writer never checkpoints; a second thread
 * does, on its own connection, with passive checkpoints that copy WAL
 * pages into the database while the writer goes on.  But a WAL only
 * starts over from its beginning when a write transaction begins with
 * every page of it copied, and under steady load the writer always
 * has added more by the time a pass ends: the WAL grew by 130 MB a
 * second in the benchmark, without end.  So once it is longer than
 * WAL_RESTART_PAGES, the checkpoint thread runs passes closer and closer
 * together until little is left, then holds the writer between two
 * batches (`hold`) for one last short pass (measured: 10-17 ms); the
 * writer's next transaction then writes the WAL from its start again.
 * Requests queue meanwhile and go into the next batch.
 *
 * One CPU for the writer (yb_batcher_pin_writer, `serve --writer-cpu`).
 * Every write waits for the writer, so a time slice it loses to another
 * thread is lost to every request in the batch.  On the 2-core benchmark
 * machine the writer alone on one core and everything else (HTTP
 * workers, checkpoints, the load generator) on the other measured p99
 * 23.3-23.7 ms against 25.6-26.1 ms unpinned, at the same throughput.
 *
 * Writeback.  Before the WAL starts over the database file must be
 * synced, and whatever the passes copied since the last sync is then
 * written in one burst — tens of thousands of scattered pages, during
 * which every commit's own sync waits (150-300 ms of slow answers every
 * few seconds in the benchmark).  So the thread hands the pages a pass
 * copied to the kernel a few dozen at a time (store op `writeback`),
 * each lot right after one of the writer's commits: a random page costs
 * the disk ~10 µs and a commit's sync waits for every write queued
 * before it, so the lot is written while the writer runs its next batch
 * (~3 ms), not while it syncs.  The rounds before a restart do the same
 * in shorter and shorter rounds, and the restart's sync finds little
 * left.  Durability does not depend on any of it.
 */
#include "service/batch.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct batch_job {
	yb_ctx ctx;
	yb_batch_fn fn;
	void *arg;
	int rc;
	yb_err err;
	bool done;
	pthread_cond_t cond;             /* waiting callers */
	yb_batch_done_fn on_done;        /* submitted jobs (heap) */
	void *done_arg;
	struct batch_job *next;
} batch_job;

struct yb_batcher {
	yb_store *store;
	/* Checkpoints: the writer's commits do not checkpoint (that would
	 * hold up a whole batch); this thread does, on its own connection. */
	yb_store *ckpt_store;
	pthread_t ckpt_thread;
	pthread_cond_t ckpt_wake;
	uint64_t ckpt_seen;              /* batches at the last checkpoint */
	int max_batch;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;             /* the writer: work, stop, or go on */
	batch_job *head, *tail;
	bool stopping;
	bool busy;                       /* the writer is inside a batch */
	bool hold;                       /* the writer must not start one */
	bool wb_waiting;                 /* checkpointer waits for a commit */
	int wal_restart_pages;           /* WAL_RESTART_PAGES unless set */
	yb_batch_stats stats;
};

/* Take up to max_batch jobs off the queue (lock held). */
static batch_job *take_jobs(yb_batcher *b, uint64_t *count)
{
	batch_job *first = b->head, *last = b->head;
	uint64_t n = 1;

	while (last->next && n < (uint64_t)b->max_batch) {
		last = last->next;
		n++;
	}
	b->head = last->next;
	if (!b->head)
		b->tail = NULL;
	last->next = NULL;
	*count = n;
	return first;
}

/* Every job of a batch fails with the same error (nothing was kept). */
static void fail_all(batch_job *jobs, const yb_err *why)
{
	for (batch_job *j = jobs; j; j = j->next) {
		j->rc = -1;
		j->err = *why;
	}
}

static void run_batch(yb_batcher *b, batch_job *jobs)
{
	yb_err err;

	yb_err_clear(&err);
	if (b->store->ops->begin(b->store, true, &err) < 0) {
		fail_all(jobs, &err);
		return;
	}
	for (batch_job *j = jobs; j; j = j->next) {
		j->ctx.store = b->store;
		j->ctx.in_batch = true;
		yb_err_clear(&j->err);
		j->rc = j->fn(&j->ctx, j->arg, &j->err);
	}
	if (b->store->ops->commit(b->store, &err) < 0) {
		b->store->ops->rollback(b->store);
		fail_all(jobs, &err);
		pthread_mutex_lock(&b->lock);
		b->stats.failed_commits++;
		pthread_mutex_unlock(&b->lock);
	}
}

/* A passive checkpoint every CKPT_PERIOD_MS while batches come in: it
 * never blocks the writer.  A page changed many times between two passes
 * is copied once, so passes far apart copy less: every second measured a
 * little better than every 100 ms (fewer copies, less disk), and the WAL
 * is bounded by WAL_RESTART_PAGES anyway. */
#define CKPT_PERIOD_MS 1000

/* Pages (4 KiB) written back after each commit: ~0.6 ms of the disk,
 * well inside the writer's next batch, and some 10,000 pages a second
 * at full load, more than a pass leaves.  Without commits (a quiet
 * server), a lot every WRITEBACK_IDLE_MS.  A restart's rounds spread
 * what a pass copied over the round instead (RESTART_FIRST_MS, then
 * half as long each round), in lots of a size that gets through it in
 * time, assuming a commit every BATCH_MS at full load. */
#define WRITEBACK_PAGES   64
#define WRITEBACK_IDLE_MS 20
#define RESTART_FIRST_MS  500
#define BATCH_MS          4

/* A WAL longer than this (pages: 512 MiB at 4 KiB, about four seconds
 * of saturated writing on the benchmark machine) is made to start over
 * (see the top).  Larger: fewer holds and fewer database pages written
 * twice; smaller: less disk and a shorter recovery after a crash.  At
 * 64 MiB the holds came every half second and cost 20% of throughput. */
#define WAL_RESTART_PAGES 131072

/* Hold the writer only for a last pass of at most this many pages (a
 * few milliseconds of copying), after at most HOLD_TRIES rounds that
 * try to get there without holding it. */
#define HOLD_MAX_PAGES 1024
#define HOLD_TRIES     8

/* A failed checkpoint loses nothing: the pages stay in the WAL for the
 * next one. */
static void checkpoint_pass(yb_batcher *b, bool sync, int *wal_pages,
			    int *copied)
{
	yb_err ignored;

	*wal_pages = *copied = 0;
	(void)b->ckpt_store->ops->checkpoint(b->ckpt_store, sync, wal_pages,
					     copied, &ignored);
}

/* A failed writeback loses nothing either: the next sync writes it. */
static int write_back(yb_batcher *b, int max_pages)
{
	yb_err ignored;
	int pending = 0;

	if (b->ckpt_store->ops->writeback(b->ckpt_store, max_pages, &pending,
					  &ignored) < 0)
		return 0;
	return pending;
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

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Until the writer ends a batch, `until`, or stop (lock held). */
static void wait_for_commit(yb_batcher *b, const struct timespec *until)
{
	uint64_t seen = b->stats.batches;

	b->wb_waiting = true;
	while (!b->stopping && b->stats.batches == seen && !passed(until))
		pthread_cond_timedwait(&b->ckpt_wake, &b->lock, until);
	b->wb_waiting = false;
}

/* Write back what the passes copied, a lot after each of the writer's
 * commits, until nothing is left or `ms` have passed (lock not held on
 * entry or exit). */
static void drain(yb_batcher *b, long ms)
{
	struct timespec end, until;
	int pending = write_back(b, 0);

	deadline_in(&end, ms);
	while (pending > 0 && !passed(&end)) {
		struct timespec now;
		long left_ms;
		int lot;
		bool stopping;

		pthread_mutex_lock(&b->lock);
		deadline_in(&until, WRITEBACK_IDLE_MS);
		wait_for_commit(b, before(&until, &end) ? &until : &end);
		stopping = b->stopping;
		pthread_mutex_unlock(&b->lock);
		if (stopping)
			return;
		clock_gettime(CLOCK_REALTIME, &now);
		left_ms = (end.tv_sec - now.tv_sec) * 1000 +
			  (end.tv_nsec - now.tv_nsec) / 1000000;
		lot = left_ms > BATCH_MS ? (int)(pending / (left_ms / BATCH_MS))
					 : pending;
		pending = write_back(b, lot > WRITEBACK_PAGES ? lot
							      : WRITEBACK_PAGES);
	}
}

static bool is_stopping(yb_batcher *b)
{
	bool stopping;

	pthread_mutex_lock(&b->lock);
	stopping = b->stopping;
	pthread_mutex_unlock(&b->lock);
	return stopping;
}

/*
 * The WAL is long: copy all of it back, holding the writer for the last
 * few pages only (lock not held on entry or exit).  Each round writes
 * back what the pass before copied, between commits, then copies what
 * came in meanwhile; writing back outpaces copying, so each round is
 * shorter than the last.  Once little is left, a synced pass writes the
 * rest (little: it was written back) and the held pass copies and syncs
 * only the last few pages.  (Syncing a pass of seconds of pages at once
 * instead was what made the dips of up to 300 ms.)
 */
static void restart_wal(yb_batcher *b)
{
	int wal_pages = 0, copied = 0, earlier;
	long spread = RESTART_FIRST_MS;

	for (int i = 0; i < HOLD_TRIES && !is_stopping(b); i++) {
		drain(b, spread);
		earlier = copied;
		checkpoint_pass(b, false, &wal_pages, &copied);
		if (i > 0 && copied - earlier <= HOLD_MAX_PAGES)
			break;
		spread /= 2;
	}
	(void)write_back(b, INT_MAX);    /* what is left: little */
	checkpoint_pass(b, true, &wal_pages, &copied);

	pthread_mutex_lock(&b->lock);
	b->hold = true;
	while (b->busy && !b->stopping)
		pthread_cond_wait(&b->ckpt_wake, &b->lock);
	pthread_mutex_unlock(&b->lock);

	checkpoint_pass(b, false, &wal_pages, &copied);

	pthread_mutex_lock(&b->lock);
	b->hold = false;
	b->stats.wal_holds++;
	pthread_cond_signal(&b->wake);
	pthread_mutex_unlock(&b->lock);
}

/*
 * A pass every CKPT_PERIOD_MS while batches come in; while pages it
 * copied wait to be written back, a lot of them after each commit (lock
 * held between the steps).
 */
static void *checkpointer_main(void *arg)
{
	yb_batcher *b = arg;
	struct timespec next_pass, until;
	int wal_pages, copied;
	int pending = write_back(b, 0);  /* keeps the list from now on */

	deadline_in(&next_pass, CKPT_PERIOD_MS);
	pthread_mutex_lock(&b->lock);
	while (!b->stopping) {
		if (pending > 0) {
			deadline_in(&until, WRITEBACK_IDLE_MS);
			wait_for_commit(b, before(&until, &next_pass)
						   ? &until : &next_pass);
		} else {
			pthread_cond_timedwait(&b->ckpt_wake, &b->lock,
					       &next_pass);
		}
		if (b->stopping)
			break;
		if (pending > 0) {
			pthread_mutex_unlock(&b->lock);
			pending = write_back(b, WRITEBACK_PAGES);
			pthread_mutex_lock(&b->lock);
		}
		if (!passed(&next_pass))
			continue;
		deadline_in(&next_pass, CKPT_PERIOD_MS);
		if (b->stats.batches == b->ckpt_seen)
			continue;
		b->ckpt_seen = b->stats.batches;
		pthread_mutex_unlock(&b->lock);
		checkpoint_pass(b, false, &wal_pages, &copied);
		if (wal_pages >= b->wal_restart_pages) {
			restart_wal(b);
			/* A full period before the next look: the WAL only
			 * starts over with the writer's next transaction, and
			 * a pass before it would find the old one still long. */
			deadline_in(&next_pass, CKPT_PERIOD_MS);
		}
		pending = write_back(b, 0);
		pthread_mutex_lock(&b->lock);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

static void *writer_main(void *arg)
{
	yb_batcher *b = arg;

	pthread_mutex_lock(&b->lock);
	for (;;) {
		batch_job *jobs, *next;
		uint64_t n;

		while ((!b->head || b->hold) && !b->stopping)
			pthread_cond_wait(&b->wake, &b->lock);
		if (!b->head)
			break;                   /* stopping, queue drained */
		jobs = take_jobs(b, &n);
		b->busy = true;
		pthread_mutex_unlock(&b->lock);

		run_batch(b, jobs);

		/* Callbacks first, without the lock (they may take others'). */
		for (batch_job *j = jobs; j; j = j->next)
			if (j->on_done)
				j->on_done(j->done_arg, j->rc, &j->err);

		pthread_mutex_lock(&b->lock);
		b->busy = false;
		b->stats.batches++;
		if (b->hold || b->wb_waiting)
			pthread_cond_signal(&b->ckpt_wake);
		b->stats.jobs += n;
		if (n > b->stats.largest)
			b->stats.largest = n;
		/* `next` first: once done is set the job's owner may return
		 * and its stack frame (the job) is gone. */
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

	if (yb_cpus_without(cpu, &others, err) < 0)
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (pthread_setaffinity_np(b->thread, sizeof one, &one) != 0 ||
	    pthread_setaffinity_np(b->ckpt_thread, sizeof others, &others) !=
		    0)
		return yb_errf(err, "internal",
			       "cannot set the writer's CPU affinity");
	return 0;
}

int yb_batcher_start(const char *db_url, int max_batch, yb_batcher **out,
		     yb_err *err)
{
	yb_batcher *b = calloc(1, sizeof *b);
	bool writer = false;

	*out = NULL;
	if (!b)
		return yb_errf(err, "out_of_memory", "no memory for the batcher");
	b->max_batch = max_batch > 0 ? max_batch : 1;
	b->wal_restart_pages = WAL_RESTART_PAGES;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->wake, NULL);
	pthread_cond_init(&b->ckpt_wake, NULL);
	if (yb_store_open(db_url, &b->store, err) < 0 ||
	    yb_store_open(db_url, &b->ckpt_store, err) < 0 ||
	    b->store->ops->set_autocheckpoint(b->store, false, err) < 0)
		goto fail;
	if (pthread_create(&b->thread, NULL, writer_main, b) != 0) {
		yb_errf(err, "internal", "cannot start the writer thread");
		goto fail;
	}
	writer = true;
	(void)pthread_setname_np(b->thread, "yb-writer");
	if (pthread_create(&b->ckpt_thread, NULL, checkpointer_main, b) != 0) {
		yb_errf(err, "internal", "cannot start the checkpoint thread");
		goto fail;
	}
	(void)pthread_setname_np(b->ckpt_thread, "yb-checkpoint");
	*out = b;
	return 0;
fail:
	if (writer) {
		pthread_mutex_lock(&b->lock);
		b->stopping = true;
		pthread_cond_signal(&b->wake);
		pthread_mutex_unlock(&b->lock);
		pthread_join(b->thread, NULL);
	}
	yb_store_close(b->ckpt_store);
	yb_store_close(b->store);
	pthread_cond_destroy(&b->ckpt_wake);
	pthread_cond_destroy(&b->wake);
	pthread_mutex_destroy(&b->lock);
	free(b);
	return -1;
}

void yb_batcher_stop(yb_batcher *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	b->stopping = true;
	pthread_cond_signal(&b->wake);
	pthread_cond_signal(&b->ckpt_wake);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->thread, NULL);
	pthread_join(b->ckpt_thread, NULL);
	{
		/* What the last batches wrote goes into the database file
		 * before the server says it has stopped. */
		int wal_pages, copied;
		checkpoint_pass(b, false, &wal_pages, &copied);
	}
	pthread_cond_destroy(&b->ckpt_wake);
	pthread_cond_destroy(&b->wake);
	pthread_mutex_destroy(&b->lock);
	yb_store_close(b->ckpt_store);
	yb_store_close(b->store);
	free(b);
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
	pthread_cond_signal(&b->wake);
	return 0;
}

int yb_batch_submit(yb_batcher *b, const yb_ctx *ctx, yb_batch_fn fn,
		    void *arg, yb_batch_done_fn done, void *done_arg,
		    yb_err *err)
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
	pthread_mutex_lock(&b->lock);
	rc = enqueue(b, job, err);
	pthread_mutex_unlock(&b->lock);
	if (rc < 0)
		free(job);
	return rc;
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

void yb_batcher_set_wal_limit(yb_batcher *b, int pages)
{
	pthread_mutex_lock(&b->lock);
	b->wal_restart_pages = pages > 0 ? pages : WAL_RESTART_PAGES;
	pthread_mutex_unlock(&b->lock);
}

void yb_batcher_stats(yb_batcher *b, yb_batch_stats *out)
{
	pthread_mutex_lock(&b->lock);
	*out = b->stats;
	pthread_mutex_unlock(&b->lock);
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
