/*
 * batch.c — group commit (see batch.h for the why and the guarantees).
 *
 * The queue is a singly linked list of jobs.  A waiting caller's job lives
 * on its stack: it links the job in, signals the writer and sleeps on its
 * own condition until `done`.  A submitted job is on the heap, with a
 * callback; the writer calls it after the commit and frees the job.  The
 * writer detaches the list (up to max_batch) under the lock, runs it
 * without the lock, commits, and then wakes or calls back each job.
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
	pthread_cond_t wake;             /* the writer: work or stop */
	batch_job *head, *tail;
	bool stopping;
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

/* Checkpoint after every CKPT_EVERY batches, or at least every 100 ms
 * while batches come in: the WAL stays short, and a passive checkpoint
 * never blocks the writer. */
#define CKPT_EVERY 64

/* The writer's page cache: with the readers' default caches the server
 * stays within its memory budget (docs/BENCHMARKS.md: 256 MB at ten
 * million persons), and the writer reads few pages from the file. */
#define WRITER_CACHE_MB 128

static void *checkpointer_main(void *arg)
{
	yb_batcher *b = arg;
	struct timespec until;

	pthread_mutex_lock(&b->lock);
	while (!b->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&b->ckpt_wake, &b->lock, &until);
		if (b->stopping || b->stats.batches == b->ckpt_seen)
			continue;
		b->ckpt_seen = b->stats.batches;
		pthread_mutex_unlock(&b->lock);
		{
			yb_err ignored;
			/* A failed checkpoint loses nothing: the pages stay
			 * in the WAL for the next one. */
			b->ckpt_store->ops->checkpoint(b->ckpt_store, &ignored);
		}
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

		while (!b->head && !b->stopping)
			pthread_cond_wait(&b->wake, &b->lock);
		if (!b->head)
			break;                   /* stopping, queue drained */
		jobs = take_jobs(b, &n);
		pthread_mutex_unlock(&b->lock);

		run_batch(b, jobs);

		/* Callbacks first, without the lock (they may take others'). */
		for (batch_job *j = jobs; j; j = j->next)
			if (j->on_done)
				j->on_done(j->done_arg, j->rc, &j->err);

		pthread_mutex_lock(&b->lock);
		b->stats.batches++;
		if (b->stats.batches - b->ckpt_seen >= CKPT_EVERY)
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
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->wake, NULL);
	pthread_cond_init(&b->ckpt_wake, NULL);
	if (yb_store_open(db_url, &b->store, err) < 0 ||
	    yb_store_open(db_url, &b->ckpt_store, err) < 0 ||
	    b->store->ops->set_autocheckpoint(b->store, false, err) < 0 ||
	    b->store->ops->set_cache_mb(b->store, WRITER_CACHE_MB, err) < 0)
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
		yb_err ignored;
		b->ckpt_store->ops->checkpoint(b->ckpt_store, &ignored);
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

void yb_batcher_stats(yb_batcher *b, yb_batch_stats *out)
{
	pthread_mutex_lock(&b->lock);
	*out = b->stats;
	pthread_mutex_unlock(&b->lock);
}
