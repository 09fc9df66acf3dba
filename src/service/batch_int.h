/*
 * batch_int.h — what the files of group commit share (batch.c: the
 * queue, the writers and the upkeep's hooks; batch_sync.c: the sync
 * apart from the commit), and nobody else.
 */
#ifndef YB_SERVICE_BATCH_INT_H
#define YB_SERVICE_BATCH_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "service/batch.h"

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
	int attempts;                    /* batches it has run in */
	bool held;                       /* refused there, not waiting for
					  * another writer's rows (pg6) */
	int deferrals;                   /* times it was so */
	bool again;                      /* to run in a later batch */
	bool replayable;                 /* may run twice (batch.h) */
	uint64_t queued_ns;              /* when it (last) joined the queue */
	struct batch_job *next;
} batch_job;

/* How many batches a job may run in when it meets another writer's
 * locks (see again_later). */
#define JOB_ATTEMPTS 3
/* How many times a job may go to a later batch, rather than wait, for
 * rows another writer holds (store.h batch_job): each batch's first job
 * waits, so every batch moves the front of the queue on; the bound is
 * only a safety net. */
#define JOB_DEFERRALS 16

/* One writer: a thread and its connection. */
typedef struct batch_writer {
	yb_batcher *b;
	yb_store *store;
	pthread_t thread;
} batch_writer;

struct yb_batcher {
	batch_writer *writers;
	int nwriters;                    /* started */
	/* Log upkeep: the writer's commits leave it to this thread, on its
	 * own connection (see the top). */
	yb_store *upkeep_store;
	pthread_t upkeep_thread;
	pthread_cond_t upkeep_wake;
	bool upkeep_stopping;            /* the writers have stopped */
	int max_batch;
	pthread_mutex_t lock;
	pthread_cond_t wake;             /* the writers: work, stop, or go on */
	batch_job *head, *tail;
	int queued;
	bool stopping;
	int busy;                        /* writers inside a batch */
	bool hold;                       /* no writer may start one */
	bool upkeep_waiting;             /* the upkeep waits for a commit */
	int upkeep_limit;                /* 0: the engine's default */
	yb_batch_stats stats;
	/* The sync apart (batch.h; batch_sync.c): log_sync.sync is NULL
	 * when commits sync themselves.  Under sync_lock: */
	yb_log_sync log_sync;
	pthread_t sync_thread;
	bool sync_started;
	pthread_mutex_t sync_lock;
	pthread_cond_t sync_wake;        /* the syncer: a commit, or stop */
	pthread_cond_t durable_cond;     /* yb_batcher_durable_wait */
	bool sync_stopping;              /* the writers have stopped */
	batch_job *unsynced, *unsynced_tail; /* committed, not yet durable */
	yb_durable_waiter *waiters;      /* yb_batcher_after_durable */
	uint64_t written;                /* batches whose commit returned */
	/* Batches whose commit had begun, and those a finished sync
	 * covers (each counted once, in order: one writer). */
	atomic_uint_least64_t committing, durable;
	atomic_uint_least64_t syncs, sync_ns, durable_waits;
	atomic_uint_least64_t sync_ms[YB_BATCH_MS_BUCKETS + 1];
	void (*sync_failure_log)(const char *detail);
	void (*before_sync)(void *arg);  /* tests */
	void *before_sync_arg;
};

/* ---- batch.c ---- */
/* Call back each finished job's submitter (no lock held). */
void yb_batch_call_back(batch_job *jobs);
/* Wake each waiting caller, free each submitted job (b->lock held). */
void yb_batch_wake_jobs(batch_job *jobs);
uint64_t yb_batch_now_ns(void);
/* The bucket of yb_batch_le_ms a duration (ns) falls in. */
int yb_batch_ms_bucket(uint64_t ns);

/* ---- batch_sync.c ---- */
/* Start the syncer if the writer's store can sync apart (one writer). */
int yb_batch_sync_start(yb_batcher *b, yb_err *err);
/* The writer is about to commit / has committed (or failed to) the
 * batch `jobs`: these wait for the next sync (committed) or finish now
 * (the caller's, when false is returned: commits sync themselves). */
void yb_batch_sync_committing(yb_batcher *b);
bool yb_batch_sync_hand_over(yb_batcher *b, batch_job *jobs, bool committed);
/* After the writers have stopped: the last sync, then the syncer ends. */
void yb_batch_sync_stop(yb_batcher *b);
void yb_batch_sync_free(yb_batcher *b);

#endif
