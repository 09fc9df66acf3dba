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
 * WAL_RESTART_PAGES, the checkpoint thread runs passes back to back
 * until little is left, then holds the writer between two batches
 * (`hold`) for one last short pass (measured: 8-20 ms); the writer's
 * next transaction then writes the WAL from its start again.  Requests
 * queue meanwhile and go into the next batch.  Without this the WAL only
 * started over when the load paused; a WAL that keeps growing also makes
 * every commit's sync dearer (appending changes the file's size).
 */
#include "service/batch.h"

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

/* A WAL longer than this (pages: 512 MiB at 4 KiB, about four seconds
 * of saturated writing on the benchmark machine) is made to start over
 * (see the top).  Larger: fewer holds and fewer database pages written
 * twice; smaller: less disk and a shorter recovery after a crash.  At
 * 64 MiB the holds came every half second and cost 20% of throughput. */
#define WAL_RESTART_PAGES 131072

/* Hold the writer only for a last pass of at most this many pages (a
 * few milliseconds of copying), after at most HOLD_TRIES passes that try
 * to get there without holding it. */
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

/*
 * The WAL is long: copy all of it back, holding the writer for the last
 * few pages only (lock not held on entry or exit).  A pass that does not
 * reach the end of the WAL leaves what it copied unsynced (SQLite syncs
 * only once a pass catches up), so the first pass that does would sync
 * everything since the last restart, seconds of writes, with the writer
 * held (measured: 150-600 ms).  So the passes before the hold sync, the
 * first one the bulk, each later one what came in meanwhile, and the
 * held pass has only the last few pages to copy and sync.
 */
static void restart_wal(yb_batcher *b)
{
	int wal_pages = 0, copied = 0, before = 0;

	/* Each pass copies what came in during the one before; stop once
	 * that is little (the held pass will copy about as much). */
	for (int i = 0; i < HOLD_TRIES; i++) {
		before = copied;
		checkpoint_pass(b, true, &wal_pages, &copied);
		if (i > 0 && copied - before <= HOLD_MAX_PAGES)
			break;
	}

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

static void *checkpointer_main(void *arg)
{
	yb_batcher *b = arg;
	struct timespec until;
	int wal_pages, copied;

	pthread_mutex_lock(&b->lock);
	while (!b->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += CKPT_PERIOD_MS / 1000;
		until.tv_nsec += (CKPT_PERIOD_MS % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&b->ckpt_wake, &b->lock, &until);
		if (b->stopping || b->stats.batches == b->ckpt_seen)
			continue;
		b->ckpt_seen = b->stats.batches;
		pthread_mutex_unlock(&b->lock);
		checkpoint_pass(b, false, &wal_pages, &copied);
		if (wal_pages >= b->wal_restart_pages)
			restart_wal(b);
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
		if (b->hold)
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
	if (pthread_create(&b->ckpt_thread, NULL, checkpointer_main, b) != 0) {
		yb_errf(err, "internal", "cannot start the checkpoint thread");
		goto fail;
	}
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
