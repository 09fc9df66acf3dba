/*
 * test_store_concurrency.c — several connections to one database at
 * once: transfers from many threads never lose an update nor overdraw a
 * personal account (SPEC A2, S8); connections opening a new file together
 * all get the same schema; an online backup is a usable copy; the log
 * upkeep beside a writer ends when told to, with a last pass.
 */
#include "store_test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NACCOUNTS 8
#define NTHREADS 4
#define NTRANSFERS 250
#define START_FEN 1000

struct worker {
	const char *url;
	const yb_id *accounts;
	unsigned seed;
	int committed;
	int refused;
	char failure[256];
};

/* One transfer in its own write transaction; a refused overdraft is
 * rolled back and counted.  Returns -1 on an unexpected error. */
static int transfer(yb_store *st, struct worker *w)
{
	int from = rand_r(&w->seed) % NACCOUNTS;
	int to = (from + 1 + rand_r(&w->seed) % (NACCOUNTS - 1)) % NACCOUNTS;
	int64_t amount = 1 + rand_r(&w->seed) % 400;
	yb_id lock[2];
	yb_account a;
	yb_posting p;
	yb_err e;

	memset(&p, 0, sizeof p);
	p.kind = "transfer";
	p.n = 2;
	p.entries[0].account_id = w->accounts[from];
	p.entries[0].amount_fen = -amount;
	p.entries[1].account_id = w->accounts[to];
	p.entries[1].amount_fen = amount;
	lock[0] = w->accounts[from < to ? from : to];
	lock[1] = w->accounts[from < to ? to : from];
	if (st->ops->begin(st, true, &e) < 0)
		goto fail;
	/* Lock, read, then write, as a service does: once locked (SQLite:
	 * by BEGIN IMMEDIATE already), the balance read stays current until
	 * commit. */
	if (st->ops->account_lock(st, lock, 2, &e) < 0 ||
	    st->ops->account_by_id(st, w->accounts[from], &a, &e) != 1)
		goto fail;
	if (st->ops->ledger_post(st, &p, 1, NULL, &e) < 0) {
		if (strcmp(e.code, "ledger.insufficient_balance") != 0)
			goto fail;
		if (a.balance_fen >= amount) {
			snprintf(w->failure, sizeof w->failure,
				 "refused %lld with %lld read in the same txn",
				 (long long)amount, (long long)a.balance_fen);
			st->ops->rollback(st);
			return -1;
		}
		st->ops->rollback(st);
		w->refused++;
		return 0;
	}
	if (st->ops->commit(st, &e) < 0)
		goto fail;
	w->committed++;
	return 0;
fail:
	snprintf(w->failure, sizeof w->failure, "%s: %s",
		 e.code ? e.code : "?", e.message);
	st->ops->rollback(st);
	return -1;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	yb_store *st = NULL;
	yb_err e;

	if (yb_store_open(w->url, &st, &e) < 0) {
		snprintf(w->failure, sizeof w->failure, "open: %s", e.message);
		return NULL;
	}
	for (int i = 0; i < NTRANSFERS; i++)
		if (transfer(st, w) < 0)
			break;
	yb_store_close(st);
	return NULL;
}

/* A2, S8: concurrent transfers over shared accounts. */
static void test_concurrent_transfers(void **state)
{
	ts_fixture *f = *state;
	yb_store *st = f->st;
	yb_id accounts[NACCOUNTS];
	struct worker w[NTHREADS];
	pthread_t tid[NTHREADS];
	yb_ledger_report r;
	int64_t total = 0;
	int committed = 0;

	for (int i = 0; i < NACCOUNTS; i++) {
		char ssn[16];

		snprintf(ssn, sizeof ssn, "900000%d", i);
		accounts[i] = ts_account(st, ts_person(st, ssn, "Concurrent"));
		ts_fund(st, accounts[i], START_FEN);
	}
	for (int i = 0; i < NTHREADS; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].url = f->url;
		w[i].accounts = accounts;
		w[i].seed = 1234u + (unsigned)i;
		assert_int_equal(pthread_create(&tid[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < NTHREADS; i++) {
		if (w[i].failure[0])
			print_error("worker %d: %s\n", i, w[i].failure);
		assert_string_equal(w[i].failure, "");
		assert_int_equal(w[i].committed + w[i].refused, NTRANSFERS);
		committed += w[i].committed;
	}
	/* Some transfers must have been refused, or A2 was not exercised. */
	assert_true(committed < NTHREADS * NTRANSFERS);

	r = ts_check(st);
	assert_int_equal(r.transactions, NACCOUNTS + committed);  /* none lost */
	assert_int_equal(r.sum_balances_fen, 0);
	assert_int_equal(r.sum_entries_fen, 0);
	assert_int_equal(r.unbalanced_transactions, 0);
	assert_int_equal(r.mismatched_accounts, 0);
	assert_int_equal(r.negative_personal, 0);
	for (int i = 0; i < NACCOUNTS; i++) {
		int64_t b = ts_balance(st, accounts[i]);

		assert_true(b >= 0);
		total += b;
	}
	assert_int_equal(total, NACCOUNTS * START_FEN);
}

struct opener {
	const char *url;
	pthread_barrier_t *barrier;
	int accounts;
	char failure[256];
};

static void *opener_main(void *arg)
{
	struct opener *o = arg;
	yb_store *st = NULL;
	yb_ledger_report r;
	yb_err e;

	pthread_barrier_wait(o->barrier);
	if (yb_store_open(o->url, &st, &e) < 0 ||
	    st->ops->ledger_check(st, &r, &e) < 0) {
		snprintf(o->failure, sizeof o->failure, "%s", e.message);
	} else {
		o->accounts = (int)r.accounts;
	}
	yb_store_close(st);
	return NULL;
}

/* Connections that open the same new file at the same moment all
 * succeed, and the schema is made once (4 system accounts, not 4 × 4). */
static void test_concurrent_open(void **state)
{
	char path[256], url[300];
	struct opener o[NTHREADS];
	pthread_t tid[NTHREADS];
	pthread_barrier_t barrier;
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	(void)state;
	snprintf(path, sizeof path, "%s/yb-open-%d.db", dir, (int)getpid());
	ts_remove_db(path);
	snprintf(url, sizeof url, "sqlite:%s", path);
	pthread_barrier_init(&barrier, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		memset(&o[i], 0, sizeof o[i]);
		o[i].url = url;
		o[i].barrier = &barrier;
		assert_int_equal(pthread_create(&tid[i], NULL, opener_main, &o[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&barrier);
	for (int i = 0; i < NTHREADS; i++) {
		assert_string_equal(o[i].failure, "");
		assert_int_equal(o[i].accounts, 4);
	}
	ts_remove_db(path);
}

/* An online backup, taken while a transaction of another connection is
 * open, holds the committed state and opens as a store. */
static void test_backup(void **state)
{
	ts_fixture *f = *state;
	yb_store *st = f->st, *other = NULL, *copy = NULL;
	char path[600];
	yb_person p;
	yb_err e;

	ts_person(st, "1010101", "Backed Up");
	TS_OK(yb_store_open(f->url, &other, &e), &e);
	TS_OK(other->ops->begin(other, true, &e), &e);
	ts_person(other, "2020202", "Not Yet Committed");

	snprintf(path, sizeof path, "%s.bak", f->url + strlen("sqlite:"));
	unlink(path);
	TS_OK(yb_sqlite_backup(st, path, &e), &e);
	other->ops->rollback(other);
	yb_store_close(other);

	TS_OK(yb_store_open(path, &copy, &e), &e);
	assert_int_equal(TS_OK(copy->ops->person_by_ssn(copy, "1010101", &p, &e),
			       &e), 1);
	assert_string_equal(p.name, "Backed Up");
	assert_int_equal(TS_OK(copy->ops->person_by_ssn(copy, "2020202", &p, &e),
			       &e), 0);
	assert_int_equal(ts_check(copy).accounts, 4);
	yb_store_close(copy);
	ts_remove_db(path);

	/* Not a SQLite store: refused. */
	TS_REFUSED(yb_sqlite_backup(NULL, path, &e), &e, "store.error",
		   "backup needs a SQLite store");
}

/* ---- log upkeep (store op upkeep) -------------------------------------- */

/* A writer that has already stopped: the upkeep must end at once. */
typedef struct stopped_writer {
	int waits, holds;
} stopped_writer;

static bool stopped_wait(void *arg, long ms, bool for_commit)
{
	((stopped_writer *)arg)->waits++;
	return false;
}

static uint64_t stopped_commits(void *arg)
{
	return 1;
}

static void stopped_hold(void *arg)
{
	((stopped_writer *)arg)->holds++;
}

static void stopped_release(void *arg)
{
}

static int64_t file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : -1;
}

/* Told to end, the upkeep ends without holding the writer — after one
 * last pass that puts what was committed into the database file
 * (SQLite; PostgreSQL has nothing to do). */
static void test_upkeep_ends_with_a_pass(void **state)
{
	ts_fixture *f = *state;
	yb_store *st = f->st, *upkeep = NULL;
	stopped_writer w = { 0, 0 };
	const yb_upkeep_hooks hooks = {
		.arg = &w, .wait = stopped_wait, .commits = stopped_commits,
		.hold = stopped_hold, .release = stopped_release,
	};
	const char *path = f->url + strlen("sqlite:");
	int64_t before = 0;
	yb_err e;

	TS_OK(st->ops->set_autocheckpoint(st, false, &e), &e);
	TS_OK(st->ops->begin(st, true, &e), &e);
	for (int i = 0; i < 300; i++) {
		char ssn[16];

		snprintf(ssn, sizeof ssn, "91%05d", i);
		ts_person(st, ssn, "Written");
	}
	TS_OK(st->ops->commit(st, &e), &e);
	if (ts_sqlite())
		before = file_size(path);
	TS_OK(yb_store_open(f->url, &upkeep, &e), &e);
	assert_int_equal(TS_OK(upkeep->ops->upkeep(upkeep, &hooks, &e), &e), 0);
	yb_store_close(upkeep);
	assert_int_equal(w.holds, 0);
	if (ts_sqlite()) {
		assert_true(w.waits >= 1);
		assert_true(file_size(path) > before);
	}
}

/*
 * Group commit with several writers (store.h batch_job, issue 16 pg6):
 * a job that is not its batch's first does not wait for accounts
 * another transaction holds — account_lock answers store.busy, says so
 * in job_refused, and under undo on demand leaves the batch whole; an
 * account that does not exist is not "held"; the first job, and one
 * after its first release, would wait as before.  Two batches, each
 * holding one account from its first job and asking for the other's
 * in its second: both refused, nothing waits, no deadlock.  The same
 * for a card (a settlement's first lock): held, refused; none, not
 * found.
 */
static void test_batch_job_nowait(void **state)
{
	ts_fixture *f = *state;
	yb_store *a = f->st, *b = NULL, *w[2];
	yb_id acc[2], both[2], ghost[2], holder;
	yb_card k, got;
	yb_err e;

	if (ts_sqlite()) {
		assert_null(a->ops->batch_job);
		return;
	}
	acc[0] = ts_account(a, ts_person(a, "5100001", "Held One"));
	acc[1] = ts_account(a, ts_person(a, "5100002", "Held Two"));
	holder = ts_person(a, "5100003", "Card Holder");
	ts_account(a, holder);
	memset(&k, 0, sizeof k);
	snprintf(k.card_no, sizeof k.card_no, "K5100003");
	k.person_id = holder;
	k.state = YB_CARD_ISSUED;
	k.created_at = k.updated_at = 1700000000;
	TS_OK(a->ops->card_insert(a, &k, &e), &e);
	both[0] = acc[1];
	both[1] = acc[0];
	TS_OK(yb_store_open(f->url, &b, &e), &e);
	w[0] = a;
	w[1] = b;
	/* each batch's first job locks its account */
	for (int i = 0; i < 2; i++) {
		TS_OK(w[i]->ops->begin(w[i], true, &e), &e);
		w[i]->ops->lazy_undo(w[i], true);
		w[i]->ops->batch_job(w[i], true);
		TS_OK(w[i]->ops->savepoint(w[i], &e), &e);
		TS_OK(w[i]->ops->account_lock(w[i], &acc[i], 1, &e), &e);
		TS_OK(w[i]->ops->release(w[i], &e), &e);
		assert_false(w[i]->ops->job_refused(w[i]));
	}
	/* each batch's second job asks for both: refused at once */
	for (int i = 0; i < 2; i++) {
		w[i]->ops->batch_job(w[i], false);
		TS_OK(w[i]->ops->savepoint(w[i], &e), &e);
		TS_FAILS(w[i]->ops->account_lock(w[i], both, 2, &e), &e,
			 "store.busy");
		assert_true(w[i]->ops->job_refused(w[i]));
		TS_OK(w[i]->ops->rollback_to(w[i], &e), &e);
		assert_false(w[i]->ops->spoiled(w[i]));
	}
	/* a card the other batch's first job holds: refused; a card that
	 * does not exist: not found */
	b->ops->batch_job(b, false);
	TS_OK(b->ops->savepoint(b, &e), &e);
	assert_int_equal(TS_OK(b->ops->card_by_no(b, "K5100003", &got, &e),
			       &e), 1);
	TS_OK(b->ops->release(b, &e), &e);
	a->ops->batch_job(a, false);
	TS_OK(a->ops->savepoint(a, &e), &e);
	TS_FAILS(a->ops->card_by_no(a, "K5100003", &got, &e), &e,
		 "store.busy");
	assert_true(a->ops->job_refused(a));
	TS_OK(a->ops->rollback_to(a, &e), &e);
	assert_false(a->ops->spoiled(a));
	a->ops->batch_job(a, false);
	TS_OK(a->ops->savepoint(a, &e), &e);
	assert_int_equal(TS_OK(a->ops->card_by_no(a, "K5100099", &got, &e),
			       &e), 0);
	assert_false(a->ops->job_refused(a));
	TS_OK(a->ops->release(a, &e), &e);
	/* an account that does not exist is missing, not held */
	a->ops->batch_job(a, false);
	assert_false(a->ops->job_refused(a));
	ghost[0] = acc[0];
	ghost[1] = acc[1] + 1000000;
	TS_OK(a->ops->savepoint(a, &e), &e);
	TS_OK(a->ops->account_lock(a, ghost, 2, &e), &e);
	assert_false(a->ops->job_refused(a));
	TS_OK(a->ops->release(a, &e), &e);
	/* once the first batch has committed, the second's next job gets
	 * its account */
	a->ops->lazy_undo(a, false);
	TS_OK(a->ops->commit(a, &e), &e);
	assert_false(a->ops->job_refused(a));
	b->ops->batch_job(b, false);
	TS_OK(b->ops->savepoint(b, &e), &e);
	TS_OK(b->ops->account_lock(b, both, 2, &e), &e);
	TS_OK(b->ops->release(b, &e), &e);
	assert_false(b->ops->spoiled(b));
	b->ops->lazy_undo(b, false);
	TS_OK(b->ops->commit(b, &e), &e);
	yb_store_close(b);
}

/*
 * issue 16, pg8: a settlement's hint (store.h settle_hint) locks ahead,
 * in one round trip, the card and accounts a batch's non-first job
 * would lock: pg6's rule holds as before — a card or an account another
 * batch holds makes the job fail with store.busy, the batch not spoiled,
 * and once it is free the job gets it.
 */
static void hinted_job(yb_store *st, const yb_settle_hint *h, bool *busy)
{
	yb_payer_candidate c[8];
	yb_settlement *prev = malloc(sizeof *prev);
	yb_id ids[12];
	yb_person p;
	yb_account own;
	yb_card k;
	yb_err e;
	int n = 0, nids = 0, rc;

	assert_non_null(prev);
	*busy = false;
	TS_OK(st->ops->savepoint(st, &e), &e);
	TS_OK(st->ops->settle_hint(st, h, &e), &e);
	assert_int_equal(TS_OK(st->ops->settlement_by_txn(
		st, h->institution_code, h->txn_id, prev, &e), &e), 0);
	free(prev);
	rc = st->ops->card_by_no(st, h->cred_value, &k, &e);
	if (rc < 0) {
		assert_string_equal(e.code, "store.busy");
		goto refused;
	}
	assert_int_equal(rc, 1);
	assert_int_equal(TS_OK(st->ops->person_by_id(st, k.person_id, &p, &e),
			       &e), 1);
	assert_int_equal(TS_OK(st->ops->account_personal_of(st, p.id, &own,
							    &e), &e), 1);
	TS_OK(st->ops->payer_candidates(st, p.id, c, 8, &n, &e), &e);
	ids[nids++] = own.id;
	for (int i = 0; i < n; i++)
		ids[nids++] = c[i].account_id;
	for (int i = 0; i < h->nalso; i++)
		ids[nids++] = h->also[i];
	if (st->ops->account_lock(st, ids, nids, &e) < 0) {
		assert_string_equal(e.code, "store.busy");
		goto refused;
	}
	assert_false(st->ops->job_refused(st));
	TS_OK(st->ops->release(st, &e), &e);
	return;
refused:
	*busy = true;
	assert_true(st->ops->job_refused(st));
	TS_OK(st->ops->rollback_to(st, &e), &e);
	assert_false(st->ops->spoiled(st));
}

static void test_hint_nowait(void **state)
{
	ts_fixture *f = *state;
	yb_store *a = f->st, *b = NULL;
	yb_id holder[2], payer, payer_acc, other, also[2];
	yb_settle_hint h;
	yb_binding bd;
	yb_card k;
	bool busy;
	yb_err e;

	if (ts_sqlite()) {
		assert_null(a->ops->settle_hint);
		return;
	}
	also[0] = ts_system(a, YB_ACC_FUND_POOL);
	also[1] = ts_system(a, YB_ACC_PATIENT_CASH);
	other = ts_account(a, ts_person(a, "5200009", "Other"));
	payer = ts_person(a, "5200005", "Payer");
	payer_acc = ts_account(a, payer);
	for (int i = 0; i < 2; i++) {
		holder[i] = ts_person(a, ts_fmt("520000%d", i + 1),
				      ts_fmt("Holder %d", i + 1));
		ts_account(a, holder[i]);
		memset(&k, 0, sizeof k);
		snprintf(k.card_no, sizeof k.card_no, "K520000%d", i + 1);
		k.person_id = holder[i];
		k.state = YB_CARD_ISSUED;
		k.created_at = k.updated_at = 1700000000;
		TS_OK(a->ops->card_insert(a, &k, &e), &e);
	}
	memset(&bd, 0, sizeof bd);
	bd.authorizer_id = payer;
	bd.relative_id = holder[0];
	bd.relationship = YB_REL_PARENT;
	bd.channel = YB_CHAN_WEB;
	snprintf(bd.materials_json, sizeof bd.materials_json, "{}");
	bd.created_at = 1700000000;
	TS_OK(a->ops->binding_insert(a, &bd, &e), &e);
	TS_OK(yb_store_open(f->url, &b, &e), &e);

	/* the other batch's first job holds the payer's account and the
	 * second card */
	TS_OK(b->ops->begin(b, true, &e), &e);
	b->ops->lazy_undo(b, true);
	b->ops->batch_job(b, true);
	TS_OK(b->ops->savepoint(b, &e), &e);
	TS_OK(b->ops->account_lock(b, &payer_acc, 1, &e), &e);
	assert_int_equal(TS_OK(b->ops->card_by_no(b, "K5200002", &k, &e),
			       &e), 1);
	TS_OK(b->ops->release(b, &e), &e);
	/* this batch's first job */
	TS_OK(a->ops->begin(a, true, &e), &e);
	a->ops->lazy_undo(a, true);
	a->ops->batch_job(a, true);
	TS_OK(a->ops->savepoint(a, &e), &e);
	TS_OK(a->ops->account_lock(a, &other, 1, &e), &e);
	TS_OK(a->ops->release(a, &e), &e);

	memset(&h, 0, sizeof h);
	h.institution_code = "H5200";
	h.txn_id = "T-1";
	h.cred_type = YB_CRED_CARD;
	h.own_account = h.family = true;
	h.also = also;
	h.nalso = 2;
	/* an account held: refused at account_lock */
	h.cred_value = "K5200001";
	a->ops->batch_job(a, false);
	hinted_job(a, &h, &busy);
	assert_true(busy);
	/* the card held: refused at card_by_no */
	h.cred_value = "K5200002";
	a->ops->batch_job(a, false);
	hinted_job(a, &h, &busy);
	assert_true(busy);
	/* once the other batch has committed, both are had */
	b->ops->lazy_undo(b, false);
	TS_OK(b->ops->commit(b, &e), &e);
	h.cred_value = "K5200001";
	a->ops->batch_job(a, false);
	hinted_job(a, &h, &busy);
	assert_false(busy);
	h.cred_value = "K5200002";
	h.txn_id = "T-2";
	a->ops->batch_job(a, false);
	hinted_job(a, &h, &busy);
	assert_false(busy);
	a->ops->lazy_undo(a, false);
	assert_false(a->ops->spoiled(a));
	TS_OK(a->ops->commit(a, &e), &e);
	yb_store_close(b);
}

int ts_run_concurrency(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_concurrent_transfers, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_batch_job_nowait, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_hint_nowait, ts_setup,
						ts_teardown),
	};
	const struct CMUnitTest sqlite_only[] = {
		cmocka_unit_test(test_concurrent_open),
		cmocka_unit_test_setup_teardown(test_backup, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_upkeep_ends_with_a_pass,
						ts_setup, ts_teardown),
	};
	int failed = cmocka_run_group_tests_name("store concurrency", tests, NULL,
						 NULL);

	if (ts_sqlite())
		failed += cmocka_run_group_tests_name("store sqlite files",
						      sqlite_only, NULL, NULL);
	return failed;
}
