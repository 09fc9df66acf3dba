/*
 * test_batch.c — group commit (service/batch.h): many threads' use cases
 * in shared transactions, each still atomic on its own (X4: a request
 * that fails changes nothing), none acknowledged before it is durable,
 * and the audit chain (X3) and the books (A1–A3) intact afterwards.
 */
#include "fixture.h"

#include <pthread.h>
#include <stdio.h>
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
 * its limit the writer is held for a last checkpoint pass (batch.c).
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
	yb_batcher_set_wal_limit(b, 64);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
