/*
 * batch.h — group commit: many requests' transactions in one database
 * transaction, so one fsync makes a whole batch durable.
 *
 * Why: SQLite serializes writers and fsyncs once per commit (≈0.3 ms
 * here), so one commit per settlement caps a server near 3,000/s however
 * many threads it has.  A batcher owns a writer connection and a
 * thread.  Callers hand it a job; the thread takes every job queued, opens
 * one transaction, runs each job with a context whose transactions are
 * savepoints (ctx.in_batch), commits once, and only then wakes the
 * callers.  So:
 *   - each job stays atomic: a job that fails rolls back to its savepoint
 *     and changes nothing, whatever the others in its batch do;
 *   - nothing is acknowledged before its batch is durable: a caller's
 *     yb_batch_run returns only after the commit, and if the commit fails
 *     every job of the batch fails with that error (none of them changed
 *     anything, the whole transaction having rolled back);
 *   - jobs run one after another on one connection, so they see each
 *     other's effects exactly as serial transactions would.
 *
 * Several writers (PostgreSQL).  A server whose database lets writers
 * run side by side may start several writers, each with its own thread
 * and connection, taking turns at the one queue: while one waits for the
 * database, another runs its batch.  Each batch keeps the guarantees
 * above; batches of different writers are concurrent transactions, kept
 * apart by the engine's row locks as separate requests' would be
 * (docs/POSTGRESQL.md).  Two batches may wait for each other's rows;
 * the database then fails one statement (store.busy).  A job that
 * failed so and kept nothing in its batch (ctx.kept_in_batch) runs
 * again in a later batch, up to three times, instead of answering 503.
 * SQLite has one writer at a time: one writer.
 *
 * Undo on demand (SQLite).  A savepoint per job made SQLite copy every
 * page the job touched into its sub-journal, for an undo almost never
 * needed: ~16% of the writer's instructions per settlement.  A batch
 * whose jobs are all replayable (yb_batch_submit_replayable) runs with
 * the store's savepoints only noted (store.h lazy_undo).  If a job has
 * to undo something after all (it failed after writing), the batch is
 * spoiled: rolled back whole, then run again from the start with a real
 * savepoint per job — so every guarantee above holds, and a replayable
 * job may run twice in a batch.  A replayable job is one whose only
 * effects are in the database and in what it leaves for its caller,
 * which a second run replaces.
 *
 * The sync apart (SQLite under synchronous = FULL, store.h defer_sync).
 * The writer's commit writes the batch to the log without syncing it,
 * and a syncer thread syncs the log while the writer runs the next
 * batch: one sync at a time, each covering every commit written before
 * it started.  So "nothing is acknowledged before its batch is durable"
 * holds as follows:
 *   - a batch's jobs are done (yb_batch_run returns, done is called) only
 *     once a sync that started after their commit returned has
 *     completed; a commit that fails fails its jobs at once;
 *   - anything else that answers with what it read — every other HTTP
 *     answer — calls yb_batcher_durable_wait first: the writer counts
 *     a batch as "committing" before its commit starts, so whatever a
 *     reader could have seen is covered once the syncs reach the count
 *     read after it;
 *   - a failed sync stops the process (PostgreSQL's answer to the
 *     2018 "fsyncgate": after a failed fsync the kernel may have
 *     dropped the pages, and neither retrying nor going on is safe):
 *     one log line (yb_batcher_on_sync_failure), exit status
 *     YB_EXIT_SYNC_FAILED, and no answer for anything the sync was to
 *     cover.  The restart recovers what reached the disk.
 *
 * A job must not be slow outside the database (no password hashing): it
 * holds up its whole batch.
 */
#ifndef YB_SERVICE_BATCH_H
#define YB_SERVICE_BATCH_H

#include <sched.h>

#include "service/ctx.h"

typedef struct yb_batcher yb_batcher;

/* A job: run use cases with `ctx` (its store is the writer connection). */
typedef int (*yb_batch_fn)(yb_ctx *ctx, void *arg, yb_err *err);

/* Upper bounds of the batcher's histograms' buckets (Prometheus `le`):
 * durations in ms, and requests per commit; one more bucket counts the
 * rest.  The histograms say where a write's time goes — waiting in the
 * queue, its batch running, the commit, the sync apart — and how big
 * the batches are, which is what the tail latency is made of
 * (docs/POSTGRESQL.md "What the tail is made of"). */
#define YB_BATCH_MS_BUCKETS 8
extern const int yb_batch_le_ms[YB_BATCH_MS_BUCKETS];
#define YB_BATCH_SIZE_BUCKETS 9
extern const int yb_batch_le_jobs[YB_BATCH_SIZE_BUCKETS];

typedef struct yb_batch_stats {
	uint64_t batches;                /* commits made */
	uint64_t jobs;                   /* jobs run */
	uint64_t failed_commits;
	uint64_t largest;                /* most jobs in one batch */
	uint64_t retried;                /* jobs run again in a later batch
					  * (another writer's locks) */
	uint64_t wal_holds;              /* writer held for the store's log
					  * upkeep (SQLite: to start the WAL
					  * over) */
	uint64_t replayed;               /* batches undone and run again
					  * with a savepoint per job */
	uint64_t run_ns;                 /* writers' time running jobs */
	uint64_t commit_ns;              /* and committing (the sync
					  * included unless apart) */
	uint64_t syncs;                  /* syncs apart from the commit */
	uint64_t sync_ns;                /* the syncer's time syncing */
	uint64_t durable_waits;          /* yb_batcher_durable_wait calls
					  * that had to wait */
	uint64_t wait_ns;                /* requests' time in the queue */
	/* Histograms, not cumulative: [i] counts the values ≤ the bound
	 * [i] and above the bound before; the last, those above all. */
	uint64_t commit_ms[YB_BATCH_MS_BUCKETS + 1];   /* commits */
	uint64_t run_ms[YB_BATCH_MS_BUCKETS + 1];      /* batches' BEGIN to
							* COMMIT */
	uint64_t wait_ms[YB_BATCH_MS_BUCKETS + 1];     /* each request's time
							* from queued (or put
							* back) to its batch's
							* start */
	uint64_t sync_ms[YB_BATCH_MS_BUCKETS + 1];     /* syncs apart */
	uint64_t size[YB_BATCH_SIZE_BUCKETS + 1];      /* requests per
							* commit */
} yb_batch_stats;

/*
 * Open `writers` writer connections to `db_url` (≥ 1) and start their
 * threads.  At most `max_batch` jobs go into one transaction (≥ 1).
 */
int yb_batcher_start(const char *db_url, int max_batch, int writers,
		     yb_batcher **out, yb_err *err);

/* Finish every queued job, stop the thread, close the connection.
 * NULL-safe. */
void yb_batcher_stop(yb_batcher *b);

/*
 * Run fn(ctx', arg) in the next batch, where ctx' is a copy of *ctx with
 * the writer's store and in_batch set, and wait until that batch is
 * durable.  Returns fn's result, or -1 with the commit's error if the
 * batch could not be committed.
 */
int yb_batch_run(yb_batcher *b, const yb_ctx *ctx, yb_batch_fn fn, void *arg,
		 yb_err *err);

/* Called on the writer thread once the job's batch is committed (rc is
 * the job's result) or has failed (rc -1, err the commit's error). */
typedef void (*yb_batch_done_fn)(void *done_arg, int rc, const yb_err *err);

/*
 * The same without waiting: queue fn(ctx', arg) and return at once; the
 * writer calls done(done_arg, ...) when its batch is durable.  For an
 * event-driven caller (the HTTP server suspends the connection and lets
 * its thread serve others meanwhile).  Fails only when the batcher is
 * stopping or out of memory, and then done is never called.
 */
int yb_batch_submit(yb_batcher *b, const yb_ctx *ctx, yb_batch_fn fn,
		    void *arg, yb_batch_done_fn done, void *done_arg,
		    yb_err *err);
/* The same for a replayable job (the top says what that is): fn may be
 * called twice before done. */
int yb_batch_submit_replayable(yb_batcher *b, const yb_ctx *ctx,
			       yb_batch_fn fn, void *arg,
			       yb_batch_done_fn done, void *done_arg,
			       yb_err *err);

void yb_batcher_stats(yb_batcher *b, yb_batch_stats *out);

/* The exit status of a process whose log sync failed (EX_IOERR). */
#define YB_EXIT_SYNC_FAILED 74

/*
 * Return once everything committed so far — every batch whose commit
 * had begun when called — is durable (at once when the syncs are not
 * apart, or nothing is in flight).  For an answer built from reads,
 * before it leaves.  NULL-safe.  True if it had to wait.
 */
bool yb_batcher_durable_wait(yb_batcher *b);

/* Whether everything committed so far is durable (nothing to wait for). */
bool yb_batcher_durable_now(yb_batcher *b);

/* yb_batcher_durable_wait without blocking, for an event-driven caller:
 * 0 when everything committed so far is durable already (fn is not
 * called), else 1, and the syncer calls fn(arg) once it is (on its
 * thread).  `w` is the caller's, untouched after fn is called. */
typedef struct yb_durable_waiter {
	uint64_t count;
	void (*fn)(void *arg);
	void *arg;
	struct yb_durable_waiter *next;
} yb_durable_waiter;
int yb_batcher_after_durable(yb_batcher *b, yb_durable_waiter *w,
			     void (*fn)(void *arg), void *arg);

/* What to log when a sync apart fails, just before the process exits
 * (the top says why); without it, a line on stderr. */
void yb_batcher_on_sync_failure(yb_batcher *b,
				void (*log)(const char *detail));

/* Tests: fn(arg) on the syncer thread just before each of its syncs
 * (to hold one back). */
void yb_batcher_test_before_sync(yb_batcher *b, void (*fn)(void *arg),
				 void *arg);

/*
 * The same contract as a batch of one, on ctx's own connection: begin a
 * write transaction, run fn with in_batch set (its use cases' own
 * transactions are savepoints in it), commit.  For a caller without a
 * batcher (group commit off) whose job is several use
 * cases that must commit together.  Returns fn's result, or -1 with the
 * commit's error (and then nothing of it was kept).
 */
int yb_batch_alone(const yb_ctx *ctx, yb_batch_fn fn, void *arg,
		   yb_err *err);

/* How long the store's log may grow before its upkeep holds the writer to
 * start it over, in the engine's units (store.h's yb_upkeep_hooks.limit;
 * SQLite: WAL pages, default 512 MiB of 4 KiB).  For tests and tuning;
 * limit <= 0 restores the engine's default. */
void yb_batcher_set_upkeep_limit(yb_batcher *b, int limit);

/*
 * Run the writer thread on CPU `cpu` only (and the syncer with it, if
 * any: it mostly sleeps in the sync, and wakes the answers as the writer
 * did) and the upkeep thread on every other CPU (batch.c says why); a
 * batcher of one writer only.  The caller keeps its own threads
 * off `cpu` as well (the HTTP server's workers).  Refused (-1, "usage")
 * for a CPU this process may not use or on a single-CPU machine.  The
 * threads are named "yb-writer" and "yb-upkeep" either way.
 */
int yb_batcher_pin_writer(yb_batcher *b, int cpu, yb_err *err);
/* A mask of the CPUs this process may use, without `cpu`; -1 (err
 * "usage") if `cpu` is not among them or nothing would be left. */
int yb_cpus_without(int cpu, cpu_set_t *out, yb_err *err);

#endif
