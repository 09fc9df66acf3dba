/*
 * test_batch.c — group commit (service/batch.h): many threads' use cases
 * in shared transactions, each still atomic on its own (X4: a request
 * that fails changes nothing), none acknowledged before it is durable,
 * and the audit chain (X3) and the books (A1–A3) intact afterwards.
 */
#include "fixture.h"

#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service/batch.h"
#include "service/ledger.h"
#include "service/settle.h"
#include "store/sqlite/sqlite_int.h"
#include "testdb.h"

#define THREADS 8
#define JOBS    40

typedef struct worker {
	fx *f;
	yb_batcher *b;
	int id;
	int ok, refused, other;
} worker;

static int register_employer(yb_ctx *ctx, void *arg, yb_err *err)
{
	const char *code = arg;
	yb_employer e;

	return yb_employer_register(ctx, code, "batch test employer", &e, err);
}

static void *work(void *arg)
{
	worker *w = arg;
	char code[32];

	for (int i = 0; i < JOBS; i++) {
		yb_err err;
		int rc;

		/* Every fifth job repeats a code that exists: refused. */
		if (i % 5 == 4)
			snprintf(code, sizeof code, "DUP");
		else
			snprintf(code, sizeof code, "T%d-%d", w->id, i);
		yb_err_clear(&err);
		rc = yb_batch_run(w->b, &w->f->ctx, register_employer, code,
				  &err);
		if (rc == 0)
			w->ok++;
		else if (err.code && strcmp(err.code, "employer.duplicate") == 0)
			w->refused++;
		else
			w->other++;
	}
	return NULL;
}

/* X4, X3: jobs that fail inside a batch change nothing; the others are
 * all kept, and durable once yb_batch_run has returned. */
static void test_batch_atomic_per_job(void **state)
{
	fx *f = *state;
	yb_batcher *b;
	worker w[THREADS];
	pthread_t t[THREADS];
	yb_store *other;
	yb_batch_stats stats;
	yb_audit_report rep;
	int ok = 0, refused = 0;
	int64_t audits_before;
	yb_err err;

	fx_employer(f, "DUP");
	audits_before = fx_audit_count(f);
	assert_ok(yb_batcher_start(f->url, 64, 1, &b, &err), err);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (worker){ .f = f, .b = b, .id = i };
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		ok += w[i].ok;
		refused += w[i].refused;
		assert_int_equal(w[i].other, 0);
	}
	assert_int_equal(ok, THREADS * JOBS * 4 / 5);
	assert_int_equal(refused, THREADS * JOBS / 5);

	/* Durable and visible to another connection before the batcher
	 * stops: acknowledged means committed. */
	assert_ok(yb_store_open(f->url, &other, &err), err);
	for (int i = 0; i < THREADS; i++) {
		yb_employer e;
		assert_int_equal(other->ops->employer_by_code(other, "T3-0", &e,
							      &err), 1);
		(void)i;
	}
	yb_store_close(other);

	yb_batcher_stats(b, &stats);
	assert_int_equal(stats.jobs, THREADS * JOBS);
	assert_true(stats.batches >= 1 && stats.batches <= stats.jobs);
	assert_int_equal(stats.failed_commits, 0);
	yb_batcher_stop(b);

	/* One audit record per success, none for the refusals; the chain
	 * verifies. */
	assert_int_equal(fx_audit_count(f) - audits_before, ok);
	assert_ok(yb_audit_verify(&f->ctx, &rep, &err), err);
	assert_true(rep.ok);
}

/* A job in a batch sees the effects of the jobs before it, as serial
 * transactions would: the second registration of a code in the same
 * batch is a duplicate. */
static void test_batch_serial_view(void **state)
{
	fx *f = *state;
	yb_batcher *b;
	yb_err err;

	assert_ok(yb_batcher_start(f->url, 8, 1, &b, &err), err);
	assert_ok(yb_batch_run(b, &f->ctx, register_employer, "SAME", &err),
		  err);
	assert_err(yb_batch_run(b, &f->ctx, register_employer, "SAME", &err),
		   err, "employer.duplicate");
	yb_batcher_stop(b);
}

typedef struct loader {
	fx *f;
	yb_batcher *b;
	int id, ok;
	volatile bool *stop;
} loader;

static void *load(void *arg)
{
	loader *l = arg;
	char code[32];

	for (int i = 0; !*l->stop; i++) {
		yb_err err;

		snprintf(code, sizeof code, "W%d-%d", l->id, i);
		if (yb_batch_run(l->b, &l->f->ctx, register_employer, code,
				 &err) == 0)
			l->ok++;
	}
	return NULL;
}

/* Under load that never pauses the WAL cannot start over by itself; past
 * its limit the store's upkeep holds the writer for a last checkpoint
 * pass (store/sqlite/upkeep.c, through the batcher's hooks).
 * With a tiny limit that must happen within a few checkpoint periods,
 * and every acknowledged job must be there afterwards.  SQLite only. */
static void test_batch_wal_restarts_under_load(void **state)
{
	fx *f = *state;
	yb_batcher *b;
	loader l[4];
	pthread_t t[4];
	volatile bool stop = false;
	yb_batch_stats stats;
	yb_audit_report rep;
	int ok = 0;
	int64_t audits_before;
	yb_err err;

	if (strcmp(yb_test_engine(), "sqlite") != 0)
		skip();
	audits_before = fx_audit_count(f);
	assert_ok(yb_batcher_start(f->url, 64, 1, &b, &err), err);
	yb_batcher_set_upkeep_limit(b, 64);
	for (int i = 0; i < 4; i++) {
		l[i] = (loader){ .f = f, .b = b, .id = i, .stop = &stop };
		assert_int_equal(pthread_create(&t[i], NULL, load, &l[i]), 0);
	}
	for (int waited = 0; waited < 100; waited++) {
		struct timespec tick = { 0, 100 * 1000 * 1000 };
		nanosleep(&tick, NULL);
		yb_batcher_stats(b, &stats);
		if (stats.wal_holds >= 2)
			break;
	}
	stop = true;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ok += l[i].ok;
	}
	yb_batcher_stats(b, &stats);
	yb_batcher_stop(b);
	assert_true(stats.wal_holds >= 2);
	assert_int_equal(stats.failed_commits, 0);
	assert_true(ok > 0);
	assert_int_equal(fx_audit_count(f) - audits_before, ok);
	assert_ok(yb_audit_verify(&f->ctx, &rep, &err), err);
	assert_true(rep.ok);
}

/* The CPUs the thread of this process named `name` may run on. */
static void thread_cpus(const char *name, cpu_set_t *out)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	bool found = false;

	assert_non_null(d);
	while (!found && (e = readdir(d))) {
		char path[300], comm[32] = "";
		FILE *fp;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%s/comm",
			 e->d_name);
		if (!(fp = fopen(path, "r")))
			continue;
		if (fgets(comm, sizeof comm, fp))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(fp);
		if (strcmp(comm, name) == 0) {
			assert_int_equal(sched_getaffinity(atoi(e->d_name),
							   sizeof *out, out),
					 0);
			found = true;
		}
	}
	closedir(d);
	assert_true(found);
}

/* `serve --writer-cpu`: the writer alone on its CPU, the checkpoint
 * thread on the others, and writes go on as before.  A CPU the process
 * may not use is refused.  Needs two CPUs. */
static void test_batch_pin_writer(void **state)
{
	fx *f = *state;
	yb_batcher *b;
	cpu_set_t mine, writer, ckpt;
	int cpu = -1;
	yb_err err;

	assert_int_equal(sched_getaffinity(0, sizeof mine, &mine), 0);
	if (CPU_COUNT(&mine) < 2)
		skip();
	for (int i = CPU_SETSIZE - 1; i >= 0 && cpu < 0; i--)
		if (CPU_ISSET(i, &mine))
			cpu = i;
	assert_ok(yb_batcher_start(f->url, 8, 1, &b, &err), err);
	assert_ok(yb_batcher_pin_writer(b, cpu, &err), err);
	thread_cpus("yb-writer", &writer);
	thread_cpus("yb-upkeep", &ckpt);
	assert_int_equal(CPU_COUNT(&writer), 1);
	assert_true(CPU_ISSET(cpu, &writer));
	assert_false(CPU_ISSET(cpu, &ckpt));
	assert_int_equal(CPU_COUNT(&ckpt), CPU_COUNT(&mine) - 1);
	assert_ok(yb_batch_run(b, &f->ctx, register_employer, "PIN-1", &err),
		  err);

	assert_int_equal(yb_batcher_pin_writer(b, CPU_SETSIZE, &err), -1);
	assert_string_equal(err.code, "usage");
	assert_int_equal(yb_batcher_pin_writer(b, -1, &err), -1);
	yb_batcher_stop(b);
}

/* ---- several writers (PostgreSQL) --------------------------------------- */

/* Two jobs that lock the same two accounts in opposite orders, each in
 * its own writer's batch: a deadlock.  The database fails one of them
 * (store.busy); it kept nothing, so the batcher runs it again in a later
 * batch, and both succeed. */
typedef struct crossing {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int holding;                     /* jobs holding their first lock */
} crossing;

typedef struct crossing_job {
	fx *f;
	yb_batcher *b;
	crossing *x;
	yb_id first, second;
	int runs;
	int rc;
	yb_err err;
} crossing_job;

/* Until both jobs hold their first lock (once: a job run again goes on
 * at once), at most 5 s. */
static void both_holding(crossing *x)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&x->lock);
	x->holding++;
	pthread_cond_broadcast(&x->cond);
	while (x->holding < 2 &&
	       pthread_cond_timedwait(&x->cond, &x->lock, &until) == 0)
		;
	pthread_mutex_unlock(&x->lock);
}

static int lock_crossing(yb_ctx *ctx, void *arg, yb_err *err)
{
	crossing_job *j = arg;
	int rc;

	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	rc = ctx->store->ops->account_lock(ctx->store, &j->first, 1, err);
	if (rc == 0 && j->runs++ == 0)
		both_holding(j->x);
	if (rc == 0)
		rc = ctx->store->ops->account_lock(ctx->store, &j->second, 1,
						   err);
	if (rc == 0)
		rc = yb_audit(ctx, "test.crossing", "", "ok", err);
	return yb_tx_end(ctx, rc, err);
}

static void *run_crossing(void *arg)
{
	crossing_job *j = arg;

	yb_err_clear(&j->err);
	j->rc = yb_batch_run(j->b, &j->f->ctx, lock_crossing, j, &j->err);
	return NULL;
}

static void test_batch_writers_deadlock_runs_again(void **state)
{
	fx *f = *state;
	crossing x = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };
	crossing_job j[2];
	pthread_t t[2];
	yb_batcher *b;
	yb_batch_stats stats;
	yb_audit_report rep;
	yb_person p1, p2;
	yb_account a1, a2;
	int64_t audits_before;
	yb_err err;

	if (strcmp(yb_test_engine(), "pg") != 0)
		skip();                  /* SQLite: one writer */
	p1 = fx_person(f, 1, "employee_tier1");
	p2 = fx_person(f, 2, "employee_tier1");
	assert_int_equal(f->ctx.store->ops->account_personal_of(
				 f->ctx.store, p1.id, &a1, &err), 1);
	assert_int_equal(f->ctx.store->ops->account_personal_of(
				 f->ctx.store, p2.id, &a2, &err), 1);
	audits_before = fx_audit_count(f);
	assert_ok(yb_batcher_start(f->url, 8, 2, &b, &err), err);
	j[0] = (crossing_job){ .f = f, .b = b, .x = &x, .first = a1.id,
			       .second = a2.id };
	j[1] = (crossing_job){ .f = f, .b = b, .x = &x, .first = a2.id,
			       .second = a1.id };
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, run_crossing,
						&j[i]), 0);
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_ok(j[i].rc, j[i].err);
	}
	yb_batcher_stats(b, &stats);
	yb_batcher_stop(b);
	/* both really crossed, and one ran again */
	assert_int_equal(x.holding, 2);
	assert_int_equal(j[0].runs + j[1].runs, 3);
	assert_int_equal(stats.retried, 1);
	/* each kept once: one audit record each, the chain verifies */
	assert_int_equal(fx_audit_count(f) - audits_before, 2);
	assert_ok(yb_audit_verify(&f->ctx, &rep, &err), err);
	assert_true(rep.ok);
}

/*
 * Several writers, issue 16 (pg6): a job after its batch's first does
 * not wait for an account another transaction holds — it holds the
 * earlier jobs' locks, and two batches so waiting for each other were a
 * deadlock.  It goes to a later batch instead, where it is first and
 * waits.  Here an outside transaction holds account X; one batch of
 * two writers' gets [lock Z, lock X]: the second is refused (no wait),
 * runs again first in the next batch, waits there until X is free, and
 * both are kept once.
 */
typedef struct held_job {
	fx_gate *done_gate;
	yb_id id;
	int runs;
	int rc;
	yb_err err;
} held_job;

static int lock_one(yb_ctx *ctx, void *arg, yb_err *err)
{
	held_job *j = arg;
	int rc;

	j->runs++;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	rc = ctx->store->ops->account_lock(ctx->store, &j->id, 1, err);
	if (rc == 0)
		rc = yb_audit(ctx, "test.held", "", "ok", err);
	return yb_tx_end(ctx, rc, err);
}

static void held_job_done(void *arg, int rc, const yb_err *err)
{
	held_job *j = arg;

	j->rc = rc;
	if (rc < 0)
		j->err = *err;
	fx_gate_done(j->done_gate);
}

static void gate_job_done(void *arg, int rc, const yb_err *err)
{
	(void)arg;
	(void)rc;
	(void)err;
}

/* A job's completion, counted in the gate (arg). */
static void count_done(void *arg, int rc, const yb_err *err)
{
	(void)rc;
	(void)err;
	fx_gate_done(arg);
}

static uint64_t buckets_from(const uint64_t *h, int from, int n)
{
	uint64_t sum = 0;

	for (int i = from; i < n; i++)
		sum += h[i];
	return sum;
}

/* A writer held in a gate while ten registrations queue behind it for
 * hold_ms, with at most max_batch per commit; the batcher's counts
 * once all eleven are done. */
static void ten_behind_gate(fx *f, int max_batch, const char *const codes[10],
			    int hold_ms, yb_batch_stats *st)
{
	fx_gate g;
	yb_batcher *b;
	yb_err err;

	fx_gate_init(&g);
	assert_ok(yb_batcher_start(f->url, max_batch, 1, &b, &err), err);
	assert_ok(yb_batch_submit(b, &f->ctx, fx_gate_job, &g, count_done, &g,
				  &err), err);
	fx_gate_wait_inside(&g);
	for (int i = 0; i < 10; i++)
		assert_ok(yb_batch_submit(b, &f->ctx, register_employer,
					  (void *)codes[i], count_done, &g,
					  &err), err);
	if (hold_ms > 0)
		usleep((useconds_t)hold_ms * 1000);
	fx_gate_open_until_done(&g, 11);
	yb_batcher_stats(b, st);
	yb_batcher_stop(b);
	fx_gate_destroy(&g);
}

/* At most max_batch requests share a commit (serve --max-batch): ten
 * queued behind a held writer with a largest batch of 4 make batches of
 * 4, 4 and 2, in the order they came, each kept once. */
static void test_batch_max_size(void **state)
{
	static const char *codes[] = { "M-0", "M-1", "M-2", "M-3", "M-4",
				       "M-5", "M-6", "M-7", "M-8", "M-9" };
	fx *f = *state;
	yb_batch_stats st;
	yb_employer e;
	yb_err err;

	ten_behind_gate(f, 4, codes, 0, &st);
	assert_int_equal(st.batches, 4);         /* 1 (the gate), 4, 4, 2 */
	assert_int_equal(st.jobs, 11);
	assert_int_equal(st.largest, 4);
	assert_int_equal(yb_batch_le_jobs[2], 4);
	assert_int_equal(st.size[2], 2);         /* the two of 4 */
	for (int i = 0; i < 10; i++)
		assert_ok(yb_employer_get(&f->ctx, codes[i], &e, &err), err);
}

/* The batcher's histograms (batch.h, /metrics) count what happened: the
 * writer held 60 ms in a batch of one while ten requests queue, which
 * then make one batch of ten, each having waited more than 50 ms. */
static void test_batch_histograms(void **state)
{
	static const char *codes[] = { "H-0", "H-1", "H-2", "H-3", "H-4",
				       "H-5", "H-6", "H-7", "H-8", "H-9" };
	const int nb = YB_BATCH_MS_BUCKETS + 1;
	fx *f = *state;
	yb_batch_stats st;

	ten_behind_gate(f, 64, codes, 60, &st);
	assert_int_equal(st.batches, 2);
	assert_int_equal(st.jobs, 11);
	/* sizes: 1 (le 1), 10 (le 16) */
	assert_int_equal(buckets_from(st.size, 0, YB_BATCH_SIZE_BUCKETS + 1), 2);
	assert_int_equal(yb_batch_le_jobs[0], 1);
	assert_int_equal(st.size[0], 1);
	assert_int_equal(yb_batch_le_jobs[4], 16);
	assert_int_equal(st.size[4], 1);
	/* runs and commits: one of each per batch; the held one > 50 ms */
	assert_int_equal(buckets_from(st.run_ms, 0, nb), 2);
	assert_int_equal(buckets_from(st.commit_ms, 0, nb), 2);
	assert_int_equal(yb_batch_le_ms[5], 50);
	assert_true(buckets_from(st.run_ms, 6, nb) >= 1);
	assert_true(st.run_ns >= 60u * 1000000u);
	/* waits: one per request; the ten queued behind the gate > 50 ms */
	assert_int_equal(buckets_from(st.wait_ms, 0, nb), 11);
	assert_true(buckets_from(st.wait_ms, 6, nb) >= 10);
	assert_true(st.wait_ns >= 10u * 60u * 1000000u);
	assert_true(st.wait_ns < 11u * 10000000000u);   /* each under 10 s */
	/* syncs apart: SQLite under synchronous FULL; PostgreSQL's commit
	 * syncs */
	assert_int_equal(buckets_from(st.sync_ms, 0, nb), st.syncs);
	if (strcmp(yb_test_engine(), "pg") == 0)
		assert_int_equal(st.syncs, 0);
}

static void test_batch_writers_held_goes_later(void **state)
{
	fx *f = *state;
	fx_gate g[2];
	held_job j[2];
	yb_batcher *b;
	yb_batch_stats stats;
	yb_audit_report rep;
	yb_store *outside;
	yb_person px, pz;
	yb_account ax, az;
	int64_t audits_before;
	yb_err err;

	if (strcmp(yb_test_engine(), "pg") != 0)
		skip();                  /* SQLite: one writer */
	px = fx_person(f, 1, "employee_tier1");
	pz = fx_person(f, 2, "employee_tier1");
	assert_int_equal(f->ctx.store->ops->account_personal_of(
				 f->ctx.store, px.id, &ax, &err), 1);
	assert_int_equal(f->ctx.store->ops->account_personal_of(
				 f->ctx.store, pz.id, &az, &err), 1);
	audits_before = fx_audit_count(f);
	assert_ok(yb_store_open(f->url, &outside, &err), err);
	assert_ok(outside->ops->begin(outside, true, &err), err);
	assert_ok(outside->ops->account_lock(outside, &ax.id, 1, &err), err);

	for (int i = 0; i < 2; i++)
		fx_gate_init(&g[i]);
	j[0] = (held_job){ .done_gate = &g[0], .id = az.id };
	j[1] = (held_job){ .done_gate = &g[0], .id = ax.id };
	assert_ok(yb_batcher_start(f->url, 8, 2, &b, &err), err);
	/* both writers held in a gate, then the two jobs queued */
	for (int i = 0; i < 2; i++) {
		assert_ok(yb_batch_submit(b, &f->ctx, fx_gate_job, &g[i],
					  gate_job_done, NULL, &err), err);
		fx_gate_wait_inside(&g[i]);
	}
	for (int i = 0; i < 2; i++)
		assert_ok(yb_batch_submit_replayable(b, &f->ctx, lock_one,
						     &j[i], held_job_done, &j[i],
						     &err), err);
	/* one writer goes on with both in one batch: Z kept, X refused */
	fx_gate_open_until_done(&g[0], 1);
	for (int tries = 0; tries < 500; tries++) {
		yb_batcher_stats(b, &stats);
		if (stats.retried > 0)
			break;
		usleep(10000);
	}
	assert_int_equal(stats.retried, 1);
	/* X's job is waiting for it now, first in its batch */
	assert_ok(outside->ops->commit(outside, &err), err);
	fx_gate_open_until_done(&g[0], 2);
	fx_gate_open_until_done(&g[1], 0);
	yb_batcher_stats(b, &stats);
	yb_batcher_stop(b);
	yb_store_close(outside);
	for (int i = 0; i < 2; i++) {
		assert_ok(j[i].rc, j[i].err);
		fx_gate_destroy(&g[i]);
	}
	assert_int_equal(j[0].runs, 1);
	assert_int_equal(j[1].runs, 2);
	assert_int_equal(stats.retried, 1);
	assert_int_equal(stats.replayed, 0);
	assert_int_equal(fx_audit_count(f) - audits_before, 2);
	assert_ok(yb_audit_verify(&f->ctx, &rep, &err), err);
	assert_true(rep.ok);
}

/* SQLite takes one writer only; a batcher itself takes any number. */
static void test_batch_writers_count(void **state)
{
	fx *f = *state;
	yb_batcher *b;
	yb_err err;

	assert_ok(yb_batcher_start(f->url, 8, 3, &b, &err), err);
	if (strcmp(yb_test_engine(), "pg") == 0) {
		assert_ok(yb_batch_run(b, &f->ctx, register_employer, "W3-A",
				       &err), err);
		assert_err(yb_batch_run(b, &f->ctx, register_employer, "W3-A",
					&err), err, "employer.duplicate");
	}
	yb_batcher_stop(b);
}

/* ---- undo on demand (batch.h): a batch undone and run again ---------- */

typedef struct replay {
	fx_gate gate;                    /* holds the writer: one batch */
	int failed;                      /* under gate.lock */
	char code[64];                   /* the failed job's error code */
	int runs_a;
} replay;

static int job_a(yb_ctx *ctx, void *arg, yb_err *err)
{
	replay *x = arg;

	x->runs_a++;
	return register_employer(ctx, "RA", err);
}

static int job_c(yb_ctx *ctx, void *arg, yb_err *err)
{
	(void)arg;
	return register_employer(ctx, "RC", err);
}

/* Refused after a read only: nothing for the engine to undo. */
static int job_read_then_refused(yb_ctx *ctx, void *arg, yb_err *err)
{
	yb_employer e;

	(void)arg;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (ctx->store->ops->employer_by_code(ctx->store, "RA", &e, err) < 0) {
		yb_tx_rollback(ctx);
		return -1;
	}
	yb_tx_rollback(ctx);
	return yb_errf(err, "test.refused", "refused after reading");
}

static void replay_done(void *arg, int rc, const yb_err *err)
{
	replay *x = arg;

	pthread_mutex_lock(&x->gate.lock);
	if (rc < 0) {
		x->failed++;
		snprintf(x->code, sizeof x->code, "%s",
			 err->code ? err->code : "");
	}
	pthread_mutex_unlock(&x->gate.lock);
	fx_gate_done(&x->gate);
}

/*
 * One batch of replayable jobs: the gate's (it holds the writer until the
 * others wait), A, `job_b` with `arg_b`, C.  Whatever B did, A's and C's
 * employers and audit records are kept once each and the chain verifies
 * (X4); A ran once more for each time the batch was run again.
 */
static void batch_a_b_c(fx *f, replay *x, yb_batch_fn job_b, void *arg_b,
			yb_batch_stats *stats)
{
	yb_batch_fn fns[] = { fx_gate_job, job_a, job_b, job_c };
	void *args[] = { &x->gate, x, arg_b, x };
	yb_batcher *b;
	yb_store *other;
	yb_employer e;
	yb_audit_report rep;
	int64_t audits_before = fx_audit_count(f);
	yb_err err;

	fx_gate_init(&x->gate);
	assert_ok(yb_batcher_start(f->url, 64, 1, &b, &err), err);
	for (int i = 0; i < 4; i++) {
		assert_ok(yb_batch_submit_replayable(b, &f->ctx, fns[i],
						     args[i], replay_done, x,
						     &err),
			  err);
		if (i == 0)
			fx_gate_wait_inside(&x->gate);
	}
	fx_gate_open_until_done(&x->gate, 4);
	yb_batcher_stats(b, stats);
	yb_batcher_stop(b);

	assert_int_equal(x->failed, 1);
	assert_int_equal(stats->batches, 2);
	assert_int_equal(x->runs_a, 1 + (int)stats->replayed);
	assert_ok(yb_store_open(f->url, &other, &err), err);
	assert_int_equal(other->ops->employer_by_code(other, "RA", &e, &err), 1);
	assert_int_equal(other->ops->employer_by_code(other, "RC", &e, &err), 1);
	yb_store_close(other);
	/* RA's and RC's audit records only; the chain verifies. */
	assert_int_equal(fx_audit_count(f) - audits_before, 2);
	assert_ok(yb_audit_verify(&f->ctx, &rep, &err), err);
	assert_true(rep.ok);
	fx_gate_destroy(&x->gate);
}

/* X4 with replayable jobs: a job that fails after writing leaves nothing,
 * the others of its batch are kept once each; with undo on demand (both
 * engines) the batch was undone and run again (job A twice), elsewhere
 * each job had its savepoint from the start. */
static void test_batch_replay_undoes_a_failed_job(void **state)
{
	fx *f = *state;
	replay x = { .failed = 0 };
	yb_batch_stats stats;
	char value[8];
	yb_err err;

	batch_a_b_c(f, &x, fx_job_written_then_refused, NULL, &stats);
	assert_string_equal(x.code, "test.refused");
	if (f->ctx.store->ops->lazy_undo)
		assert_int_equal(stats.replayed, 1);
	assert_int_equal(f->ctx.store->ops->meta_get(f->ctx.store,
						     FX_WRITTEN_THEN_REFUSED_KEY,
						     value, sizeof value, &err),
			 0);
}

/* Undo on demand: a job refused before it wrote anything needs no undo,
 * so the batch is not run again (only its own answer is a refusal). */
static void test_batch_refusal_without_writes_not_replayed(void **state)
{
	fx *f = *state;
	replay x = { .failed = 0 };
	yb_batch_stats stats;

	batch_a_b_c(f, &x, job_read_then_refused, NULL, &stats);
	assert_string_equal(x.code, "test.refused");
	assert_int_equal(stats.replayed, 0);
	assert_int_equal(x.runs_a, 1);
}

/* Registers the institution `arg` (its receivable account with it). */
static int register_institution(yb_ctx *ctx, void *arg, yb_err *err)
{
	yb_institution inst;

	return yb_institution_register(ctx, arg, "batch test hospital",
				       "hospital", &inst, err);
}

/* A statement that fails in the database (a duplicate key): on
 * PostgreSQL, with no savepoint under it, it aborted the batch's whole
 * transaction, which is then undone and run again with savepoints; the
 * job is refused as a duplicate, A and C kept once each. */
static void test_batch_failed_statement_replays(void **state)
{
	fx *f = *state;
	replay x = { .failed = 0 };
	yb_batch_stats stats;
	yb_institution inst;
	yb_err err;

	assert_ok(yb_institution_register(&f->ctx, "H-RDUP", "taken",
					  "hospital", &inst, &err),
		  err);
	batch_a_b_c(f, &x, register_institution, "H-RDUP", &stats);
	assert_string_equal(x.code, "institution.duplicate");
	if (strcmp(yb_test_engine(), "pg") == 0)
		assert_int_equal(stats.replayed, 1);
}

/* ---- pg5: a deferred write that fails ----------------------------------- */

typedef struct contribution_job {
	const char *ssn;
	const char *period;
	int64_t fen;
} contribution_job;

/* Posts a contribution (a ledger write: deferred in a lazy batch on
 * PostgreSQL). */
static int post_contribution(yb_ctx *ctx, void *arg, yb_err *err)
{
	const contribution_job *j = arg;
	yb_contribution_new in = {
		.ssn = j->ssn, .period = j->period, .employer_code = "FXEMP",
		.base_fen = j->fen * 10, .employer_fen = j->fen,
		.personal_fen = j->fen, .account_credit_fen = j->fen,
	};

	return yb_contribution_post(ctx, &in, NULL, err);
}

/* Ledger entries of 777 fen refused by the database (a trigger the
 * store knows nothing of): on PostgreSQL the ledger write, deferred in
 * the lazy batch, fails only when the next statement collects it. */
static const char *const refuse_777[] = {
	"CREATE TRIGGER yb_test_777 BEFORE INSERT ON ledger_entries "
	"WHEN NEW.amount_fen = 777 "
	"BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
	"CREATE FUNCTION yb_test_refuse() RETURNS trigger LANGUAGE plpgsql "
	"AS $$BEGIN RAISE EXCEPTION 'refused by the test'; END$$; "
	"CREATE TRIGGER yb_test_777 BEFORE INSERT ON ledger_entries "
	"FOR EACH ROW WHEN (NEW.amount_fen = 777) "
	"EXECUTE FUNCTION yb_test_refuse();",
};

/*
 * X4 with a write deferred in a lazy batch (pg5): job B's ledger write
 * fails in the database after B answered to the batch; the batch is
 * spoiled, undone and run again with savepoints, where B is refused at
 * its call and nothing of it is kept (no contribution, no money, no
 * audit record), while A and C are kept once each; the books balance
 * and the audit chain verifies.
 */
static void test_batch_deferred_write_fails_replays(void **state)
{
	fx *f = *state;
	bool pg = strcmp(yb_test_engine(), "pg") == 0;
	yb_person p = fx_person(f, 1, "employee_tier1");
	contribution_job job = { p.ssn, "2026-03", 777 };
	replay x = { .failed = 0 };
	yb_batch_stats stats;
	yb_ledger_report rep;
	yb_contribution *list;
	int n;
	bool ok;
	yb_err err;

	fx_credit(f, p.ssn, "2026-01", 100);
	yb_test_raw_exec(f->url, refuse_777[pg]);
	batch_a_b_c(f, &x, post_contribution, &job, &stats);
	if (pg) {
		assert_string_equal(x.code, "store.error");
		assert_int_equal(stats.replayed, 1);
	}
	assert_true(fx_balance(f, p.id) == 100);
	assert_ok(f->ctx.store->ops->contributions_of_person(
			  f->ctx.store, p.id, 0, 10, &list, &n, &err), err);
	free(list);
	assert_int_equal(n, 1);
	assert_ok(yb_ledger_check(&f->ctx, &rep, &ok, &err), err);
	assert_true(ok);
}

/* ---- the sync apart (batch.h): nothing answers before its sync ---------- */

typedef struct held_sync {
	fx_gate gate;                    /* holds the syncer */
	bool done, read_done;            /* the job's answer; a reader's */
	bool later_done;                 /* a reader's, without blocking */
	int rc;
	yb_batcher *b;
} held_sync;

/* On the syncer thread, before each sync: hold it until the test opens. */
static void hold_sync(void *arg)
{
	held_sync *h = arg;

	fx_gate_hold(&h->gate);
}

static void held_done(void *arg, int rc, const yb_err *err)
{
	held_sync *h = arg;

	(void)err;
	pthread_mutex_lock(&h->gate.lock);
	h->done = true;
	h->rc = rc;
	pthread_cond_broadcast(&h->gate.cond);
	pthread_mutex_unlock(&h->gate.lock);
}

static void later_done(void *arg)
{
	held_sync *h = arg;

	pthread_mutex_lock(&h->gate.lock);
	h->later_done = true;
	pthread_cond_broadcast(&h->gate.cond);
	pthread_mutex_unlock(&h->gate.lock);
}

/* An answer built from reads, on its own thread. */
static void *read_and_wait(void *arg)
{
	held_sync *h = arg;

	(void)yb_batcher_durable_wait(h->b);
	pthread_mutex_lock(&h->gate.lock);
	h->read_done = true;
	pthread_cond_broadcast(&h->gate.cond);
	pthread_mutex_unlock(&h->gate.lock);
	return NULL;
}

/* Whether *flag is still false after 200 ms (h->gate.lock taken here). */
static bool still_false(held_sync *h, const bool *flag)
{
	bool v;

	usleep(200 * 1000);
	pthread_mutex_lock(&h->gate.lock);
	v = *flag;
	pthread_mutex_unlock(&h->gate.lock);
	return !v;
}

/* SQLite under FULL: the batch is committed (another connection sees
 * it) while its sync is held back, and yet neither its own answer nor
 * a reader's answer leaves before that sync has returned. */
static void test_batch_answers_wait_for_the_sync(void **state)
{
	fx *f = *state;
	held_sync h = { .done = false };
	yb_batch_stats stats;
	yb_store *other;
	yb_employer e;
	pthread_t reader;
	yb_durable_waiter waiter;
	yb_err err;

	if (!f->ctx.store->ops->defer_sync)
		skip();                  /* PostgreSQL: its commit syncs */
	fx_gate_init(&h.gate);
	assert_ok(yb_batcher_start(f->url, 8, 1, &h.b, &err), err);
	yb_batcher_test_before_sync(h.b, hold_sync, &h);
	assert_ok(yb_batch_submit(h.b, &f->ctx, register_employer, "HELD",
				  held_done, &h, &err),
		  err);
	fx_gate_wait_inside(&h.gate);    /* committed; its sync begins */

	assert_ok(yb_store_open(f->url, &other, &err), err);
	assert_int_equal(other->ops->employer_by_code(other, "HELD", &e, &err),
			 1);
	yb_store_close(other);
	assert_true(still_false(&h, &h.done));
	assert_int_equal(pthread_create(&reader, NULL, read_and_wait, &h), 0);
	assert_true(still_false(&h, &h.read_done));
	assert_int_equal(yb_batcher_after_durable(h.b, &waiter, later_done, &h),
			 1);
	assert_true(still_false(&h, &h.later_done));

	pthread_mutex_lock(&h.gate.lock);
	h.gate.open = true;
	pthread_cond_broadcast(&h.gate.cond);
	while (!h.done || !h.read_done || !h.later_done)
		pthread_cond_wait(&h.gate.cond, &h.gate.lock);
	pthread_mutex_unlock(&h.gate.lock);
	pthread_join(reader, NULL);
	assert_int_equal(h.rc, 0);
	/* Nothing in flight now: no wait. */
	assert_false(yb_batcher_durable_wait(h.b));
	assert_int_equal(yb_batcher_after_durable(h.b, &waiter, later_done, &h),
			 0);
	yb_batcher_stats(h.b, &stats);
	assert_true(stats.syncs >= 1);
	assert_int_equal(stats.durable_waits, 2);
	yb_batcher_stop(h.b);
	fx_gate_destroy(&h.gate);
}

/* The page cache size a connection has (SQLite). */
static int64_t cache_size(yb_store *st)
{
	sqlite3_stmt *q = NULL;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(sq_of(st)->db, "PRAGMA cache_size",
					    -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

static int writer_cache_size(yb_ctx *ctx, void *arg, yb_err *err)
{
	*(int64_t *)arg = cache_size(ctx->store);
	return 0;
}

/* The writer's connection keeps a larger page cache than a request's
 * (store op as_writer; store/sqlite/engine.c): 256 MiB against 32 MiB
 * (negative: KiB).  SQLite only: on PostgreSQL the op changes how the
 * writer's transactions begin and commit (pg10), which every test of a
 * batch there goes through. */
static void test_batch_writer_cache(void **state)
{
	fx *f = *state;
	yb_batcher *b;
	int64_t writer = 0;
	yb_err err;

	if (strcmp(yb_test_engine(), "sqlite") != 0)
		skip();
	assert_ok(yb_batcher_start(f->url, 8, 1, &b, &err), err);
	assert_ok(yb_batch_run(b, &f->ctx, writer_cache_size, &writer, &err),
		  err);
	yb_batcher_stop(b);
	assert_int_equal(writer, -262144);
	assert_int_equal(cache_size(f->ctx.store), -32768);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batch_atomic_per_job,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_batch_serial_view,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_batch_histograms,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_batch_max_size,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_batch_wal_restarts_under_load, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_batch_deferred_write_fails_replays, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(test_batch_pin_writer,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_batch_writers_deadlock_runs_again, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_batch_writers_held_goes_later, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(test_batch_writers_count,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_batch_replay_undoes_a_failed_job, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_batch_refusal_without_writes_not_replayed,
			fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_batch_failed_statement_replays, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_batch_answers_wait_for_the_sync, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(test_batch_writer_cache,
						fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
