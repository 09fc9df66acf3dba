/*
 * test_concurrency.c — many institutions' terminals settling at once over
 * the same family accounts (S8, A2): 8 threads, each with its own store
 * connection to one database, 50 settlements each, for patients whose
 * bills all fall on the same two authorizers' accounts.  No account may
 * go below zero, no update may be lost, and the books must balance.
 */
#include "sfx.h"

#include <pthread.h>
#include <stdio.h>

#define THREADS 8
#define PER_THREAD 50
#define BUSY_RETRIES 200

typedef struct worker {
	const char *url;
	const yb_settings *settings;
	yb_time now;
	const char *id_number;           /* the thread's patient */
	int index;
	int64_t account_paid;            /* what the accounts paid, by answer */
	int64_t shares_paid;             /* the same, summed share by share */
	int settled;
	int busy_retries;
	char failure[YB_ERR_MSG_MAX + 64];
} worker;

static yb_time worker_clock(void *arg)
{
	return *(const yb_time *)arg;
}

/* A worker's own connection, acting as institution H<index % 2>.
 * cmocka's asserts are not for threads: a worker notes its first failure
 * and the main thread fails the test with it. */
static int worker_open(worker *w, yb_ctx *ctx)
{
	yb_err e;

	memset(ctx, 0, sizeof *ctx);
	if (yb_store_open(w->url, &ctx->store, &e) < 0) {
		snprintf(w->failure, sizeof w->failure, "open: %s", e.message);
		return -1;
	}
	ctx->settings = w->settings;
	ctx->clock.now = worker_clock;
	ctx->clock.arg = &w->now;
	ctx->actor.role = YB_ROLE_INSTITUTION;
	ctx->actor.channel = YB_CHAN_API;
	snprintf(ctx->actor.id, sizeof ctx->actor.id, "key:h%d", w->index);
	snprintf(ctx->actor.institution_code,
		 sizeof ctx->actor.institution_code, "H%d", w->index % 2);
	return 0;
}

/* Settle, trying again while SQLite stays busy past its timeout, as the
 * server's request loop would. */
static int settle_retry(worker *w, yb_ctx *ctx, const yb_settle_req *req,
			yb_settlement *s, bool *repeat, yb_err *e)
{
	int rc, tries = 0;

	while ((rc = yb_settle(ctx, req, false, s, repeat, e)) < 0 &&
	       strcmp(e->code, "store.busy") == 0 && tries++ < BUSY_RETRIES)
		w->busy_retries++;
	if (rc < 0)
		snprintf(w->failure, sizeof w->failure, "%s: %s: %s",
			 req->txn_id, e->code, e->message);
	return rc;
}

static void *worker_run(void *arg)
{
	worker *w = arg;
	yb_ctx ctx;

	if (worker_open(w, &ctx) < 0)
		return NULL;
	for (int i = 0; i < PER_THREAD; i++) {
		char txn[32];
		int64_t total = 300 + 10 * ((w->index * PER_THREAD + i) % 17);
		yb_settle_req req = { txn, "id_number", w->id_number,
				      i % 3 ? "outpatient" : "pharmacy",
				      total, 0 };
		yb_settlement s;
		bool repeat;
		yb_err e;

		snprintf(txn, sizeof txn, "W%d-%d", w->index, i);
		if (settle_retry(w, &ctx, &req, &s, &repeat, &e) < 0)
			break;
		if (repeat || s.account_pay_fen + s.cash_pay_fen != total) {
			snprintf(w->failure, sizeof w->failure,
				 "%s: wrong split", txn);
			break;
		}
		w->settled++;
		w->account_paid += s.account_pay_fen;
		for (int k = 0; k < s.nshares; k++)
			w->shares_paid += s.shares[k].amount_fen;
	}
	yb_store_close(ctx.store);
	return NULL;
}

/* Run fn in THREADS threads over w[], each acting for w[i].id_number;
 * fail the test with the first worker's failure. */
static void run_workers(fx *f, worker *w, void *(*fn)(void *))
{
	pthread_t tid[THREADS];

	for (int i = 0; i < THREADS; i++) {
		w[i].url = f->url;
		w[i].settings = &f->settings;
		w[i].now = f->now;
		assert_int_equal(pthread_create(&tid[i], NULL, fn, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(tid[i], NULL), 0);
	for (int i = 0; i < THREADS; i++)
		if (w[i].failure[0])
			fail_msg("worker %d: %s", i, w[i].failure);
}

/* S8, A2: never overdrawn, no lost update, the books balance. */
static void test_concurrent_settlements(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 60000), b = sfx_insured(f, 2, 40000);
	yb_person patients[THREADS];
	worker w[THREADS];
	int64_t paid = 0, shares = 0, demanded = 0;
	int settled = 0, retries = 0;

	sfx_institution(f, "H0");
	sfx_institution(f, "H1");
	for (int i = 0; i < THREADS; i++) {
		patients[i] = sfx_other(f, 10 + i, "resident");
		sfx_bind(f, &a, &patients[i], "child");
		sfx_bind(f, &b, &patients[i], "parent");
	}
	memset(w, 0, sizeof w);
	for (int i = 0; i < THREADS; i++) {
		w[i].id_number = patients[i].id_number;
		w[i].index = i;
	}
	run_workers(f, w, worker_run);
	for (int i = 0; i < THREADS; i++) {
		settled += w[i].settled;
		paid += w[i].account_paid;
		shares += w[i].shares_paid;
		retries += w[i].busy_retries;
		for (int k = 0; k < PER_THREAD; k++)
			demanded += 300 + 10 * ((i * PER_THREAD + k) % 17);
	}
	print_message("%d settlements, %d busy retries\n", settled, retries);
	assert_int_equal(settled, THREADS * PER_THREAD);
	/* the bills asked for more than the family had: all of it went */
	assert_true(demanded > 100000);
	assert_int_equal(paid, shares);
	assert_int_equal(paid, 100000);
	assert_int_equal(fx_balance(f, a.id), 0);
	assert_int_equal(fx_balance(f, b.id), 0);
	sfx_ledger_ok(f);
}

/* S4 under concurrency: the same request from every thread settles once. */
static void *repeat_run(void *arg)
{
	worker *w = arg;
	yb_settle_req req = { "SAME", "id_number", w->id_number, "outpatient",
			      700, 0 };
	yb_settlement s;
	bool repeat = false;
	yb_ctx ctx;
	yb_err e;

	if (worker_open(w, &ctx) < 0)
		return NULL;
	if (settle_retry(w, &ctx, &req, &s, &repeat, &e) == 0 && !repeat)
		w->settled = 1;
	yb_store_close(ctx.store);
	return NULL;
}

static void test_concurrent_repeats(void **state)
{
	fx *f = *state;
	yb_person p = sfx_insured(f, 1, 5000);
	worker w[THREADS];
	int firsts = 0;

	sfx_institution(f, "H0");
	memset(w, 0, sizeof w);
	for (int i = 0; i < THREADS; i++) {
		w[i].id_number = p.id_number;
		w[i].index = 2 * i;     /* all at H0 */
	}
	run_workers(f, w, repeat_run);
	for (int i = 0; i < THREADS; i++)
		firsts += w[i].settled;
	assert_int_equal(firsts, 1);
	assert_int_equal(fx_balance(f, p.id), 4300);
	sfx_ledger_ok(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_concurrent_settlements),
		T(test_concurrent_repeats),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
