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

#include "service/batch.h"
#include "service/ledger.h"
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
	assert_ok(yb_batcher_start(f->url, 64, &b, &err), err);
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

	assert_ok(yb_batcher_start(f->url, 8, &b, &err), err);
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
	assert_ok(yb_batcher_start(f->url, 64, &b, &err), err);
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
	assert_ok(yb_batcher_start(f->url, 8, &b, &err), err);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batch_atomic_per_job,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_batch_serial_view,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_batch_wal_restarts_under_load, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(test_batch_pin_writer,
						fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
