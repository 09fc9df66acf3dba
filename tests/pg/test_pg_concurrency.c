/*
 * test_pg_concurrency.c — the PostgreSQL engine under real concurrency:
 * many threads, each with its own connection, against shared accounts.
 *
 * What the engine's design (docs/POSTGRESQL.md) promises, checked here:
 *  - settlement-style postings over shared personal accounts never
 *    overdraw one (A2) and never lose an update (S8): the receivable's
 *    balance equals what the threads say they paid into it, and the books
 *    balance (A1, A3);
 *  - account locks taken in any order by the callers never deadlock: no
 *    "store.busy" at all;
 *  - racing withdrawals without a balance check: the database refuses
 *    exactly the ones that would overdraw;
 *  - racing inserts of one key: one wins, the others get the domain's
 *    code ("person.duplicate", "settlement.txn_id_reused"), never
 *    "store.error";
 *  - the audit chains stay unbroken lines when every transaction
 *    appends to one, and writers spread over several (X3, pgha).
 * Registered only for YB_TEST_ENGINE=pg (tests/pg/meson.build).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/hash.h"
#include "testdb.h"

#define NTHREADS  8
#define NPERSONS  6
#define NROUNDS   120
#define START_FEN 20000
#define T0        1700000000

/* What one test shares with its threads. */
typedef struct shared {
	char url[512];
	yb_id acct[NPERSONS];           /* personal accounts */
	yb_id person[NPERSONS];
	yb_id fund, cash, receivable;
	pthread_barrier_t start;
} shared;

typedef struct worker worker;
/* A thread's work on its own connection; < 0 stops it (failure set). */
typedef int (*work_fn)(yb_store *st, worker *w);

struct worker {
	shared *sh;
	work_fn fn;
	int index;
	unsigned seed;
	int committed;
	int refused;
	int busy;
	int dup;
	int64_t paid_in;                /* into the receivable, committed */
	char failure[256];
};

static void fail_with(worker *w, const char *what, const yb_err *e)
{
	snprintf(w->failure, sizeof w->failure, "%s: %s %s", what,
		 e->code ? e->code : "?", e->message);
}

/* Roll back the transaction a failure interrupted and record why. */
static int abandon(yb_store *st, worker *w, const char *what, const yb_err *e)
{
	st->ops->rollback(st);
	fail_with(w, what, e);
	return -1;
}

#define CHECK_OK(rc, e)                                                 \
	do {                                                            \
		if ((rc) < 0)                                           \
			fail_msg("%s: %s", (e).code ? (e).code : "?",   \
				 (e).message);                          \
	} while (0)

static yb_id add_person(yb_store *st, int n)
{
	yb_person p;
	yb_err e;

	memset(&p, 0, sizeof p);
	snprintf(p.ssn, sizeof p.ssn, "%d", 90000000 + n);
	snprintf(p.id_number, sizeof p.id_number, "440300%012d", n);
	snprintf(p.name, sizeof p.name, "Person %d", n);
	p.sex = YB_SEX_MALE;
	p.birth_date = 7000;
	snprintf(p.region, sizeof p.region, "440300");
	p.scheme = YB_SCHEME_EMPLOYEE_TIER1;
	p.status = YB_STATUS_ACTIVE;
	p.created_at = p.updated_at = T0;
	CHECK_OK(st->ops->person_insert(st, &p, &e), e);
	return p.id;
}

static yb_id system_account(yb_store *st, yb_account_kind kind)
{
	yb_account a;
	yb_err e;

	assert_int_equal(st->ops->account_system(st, kind, &a, &e), 1);
	return a.id;
}

/* NPERSONS funded personal accounts and one institution. */
static void setup_books(yb_store *st, shared *sh)
{
	yb_institution inst;
	yb_err e;

	sh->fund = system_account(st, YB_ACC_FUND_POOL);
	sh->cash = system_account(st, YB_ACC_PATIENT_CASH);
	for (int i = 0; i < NPERSONS; i++) {
		yb_account a;
		yb_posting p;

		sh->person[i] = add_person(st, i + 1);
		memset(&a, 0, sizeof a);
		a.kind = YB_ACC_PERSONAL;
		a.person_id = sh->person[i];
		a.created_at = T0;
		CHECK_OK(st->ops->account_insert(st, &a, &e), e);
		sh->acct[i] = a.id;
		memset(&p, 0, sizeof p);
		p.kind = "contribution";
		p.n = 2;
		p.entries[0] = (yb_entry){ sh->fund, -START_FEN };
		p.entries[1] = (yb_entry){ a.id, START_FEN };
		CHECK_OK(st->ops->ledger_post(st, &p, T0, NULL, &e), e);
	}
	memset(&inst, 0, sizeof inst);
	snprintf(inst.code, sizeof inst.code, "H001");
	snprintf(inst.name, sizeof inst.name, "Hospital");
	inst.type = YB_INST_HOSPITAL;
	inst.created_at = T0;
	CHECK_OK(st->ops->institution_insert(st, &inst, &e), e);
	sh->receivable = inst.receivable_account_id;
}

/*
 * One settlement: the patient pays a bill from his own account, then
 * from up to two relatives' accounts, the rest in cash; everything goes
 * to the receivable.  The caller lists the accounts in its own order;
 * the store locks them in ascending order.  Returns 1 committed, 0 busy
 * (rolled back), -1 failure.
 */
static int settle_once(yb_store *st, worker *w)
{
	shared *sh = w->sh;
	int pat = rand_r(&w->seed) % NPERSONS;
	int r1 = (pat + 1 + rand_r(&w->seed) % (NPERSONS - 1)) % NPERSONS;
	int r2 = (r1 + 1) % NPERSONS == pat ? (r1 + 2) % NPERSONS
					    : (r1 + 1) % NPERSONS;
	int64_t bill = 1 + rand_r(&w->seed) % 3000, left = bill;
	yb_id lock[6] = { sh->acct[r2], sh->receivable, sh->acct[pat],
			  sh->cash, sh->acct[r1], sh->fund };
	int payer[3] = { pat, r1, r2 };
	yb_posting p;
	yb_err e;

	memset(&p, 0, sizeof p);
	p.kind = "settlement";
	if (st->ops->begin(st, true, &e) < 0 ||
	    st->ops->account_lock(st, lock, 6, &e) < 0)
		goto fail;
	for (int i = 0; i < 3 && left > 0; i++) {
		yb_account a;
		int64_t take;

		if (st->ops->account_by_id(st, sh->acct[payer[i]], &a, &e) != 1)
			goto fail;
		take = a.balance_fen < left ? a.balance_fen : left;
		if (take > 0) {
			p.entries[p.n++] = (yb_entry){ a.id, -take };
			left -= take;
		}
	}
	if (left > 0)
		p.entries[p.n++] = (yb_entry){ sh->cash, -left };
	p.entries[p.n++] = (yb_entry){ sh->receivable, bill };
	if (st->ops->ledger_post(st, &p, T0, NULL, &e) < 0 ||
	    yb_test_audit_append(st, "settlement.settle", 0, &e) < 0 ||
	    st->ops->commit(st, &e) < 0)
		goto fail;
	w->paid_in += bill;
	return 1;
fail:
	if (e.code && strcmp(e.code, "store.busy") == 0) {
		st->ops->rollback(st);
		w->busy++;
		return 0;
	}
	return abandon(st, w, "settle", &e);
}

/* Now and then a contribution tops an account up from the fund. */
static int top_up(yb_store *st, worker *w)
{
	shared *sh = w->sh;
	yb_posting p;
	yb_err e;

	memset(&p, 0, sizeof p);
	p.kind = "contribution";
	p.n = 2;
	p.entries[0] = (yb_entry){ sh->acct[rand_r(&w->seed) % NPERSONS], 500 };
	p.entries[1] = (yb_entry){ sh->fund, -500 };
	if (st->ops->begin(st, true, &e) < 0 ||
	    st->ops->ledger_post(st, &p, T0, NULL, &e) < 0 ||
	    yb_test_audit_append(st, "contribution.post", 0, &e) < 0 ||
	    st->ops->commit(st, &e) < 0)
		return abandon(st, w, "top up", &e);
	return 1;
}

static int settle_work(yb_store *st, worker *w)
{
	for (int i = 0; i < NROUNDS; i++) {
		int rc = i % 10 == 9 ? top_up(st, w) : settle_once(st, w);

		if (rc < 0)
			return -1;
		w->committed += rc;
	}
	return 0;
}

/* Each thread: its own connection, then all start together. */
static void *thread_main(void *arg)
{
	worker *w = arg;
	yb_store *st = NULL;
	yb_err e;

	if (yb_store_open(w->sh->url, &st, &e) < 0) {
		fail_with(w, "open", &e);
		pthread_barrier_wait(&w->sh->start);
		return NULL;
	}
	pthread_barrier_wait(&w->sh->start);
	w->fn(st, w);
	yb_store_close(st);
	return NULL;
}

/* Run fn on NTHREADS threads, each with its own worker. */
static void run_workers(shared *sh, work_fn fn, worker *w)
{
	pthread_t tid[NTHREADS];

	pthread_barrier_init(&sh->start, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].sh = sh;
		w[i].index = i;
		w[i].seed = 7919u * (unsigned)(i + 1);
		w[i].fn = fn;
		assert_int_equal(pthread_create(&tid[i], NULL, thread_main,
						&w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&sh->start);
	for (int i = 0; i < NTHREADS; i++)
		if (w[i].failure[0])
			fail_msg("worker %d: %s", i, w[i].failure);
}

static void assert_books(yb_store *st)
{
	yb_ledger_report r;
	yb_err e;

	CHECK_OK(st->ops->ledger_check(st, &r, &e), e);
	assert_int_equal(r.sum_balances_fen, 0);                /* A3 */
	assert_int_equal(r.sum_entries_fen, 0);
	assert_int_equal(r.unbalanced_transactions, 0);         /* A1 */
	assert_int_equal(r.mismatched_accounts, 0);
	assert_int_equal(r.negative_personal, 0);               /* A2 */
}

/* Walk the chains (pgha): on each, seq rises and each record is linked
 * to and hashed over the one before; each ends at its recorded head. */
typedef struct chain_walk {
	int64_t records;
	int64_t last[YB_AUDIT_MAX_CHAINS];
	char prev[YB_AUDIT_MAX_CHAINS][YB_HASH_HEX_SZ];
	int chains;             /* chains with records */
	bool broken;
} chain_walk;

static int chain_visit(void *arg, const yb_audit_record *rec, yb_err *e)
{
	chain_walk *cw = arg;
	yb_audit_record copy = *rec;
	int c = rec->chain;

	(void)e;
	yb_audit_hash(&copy);
	if (c < 1 || c >= YB_AUDIT_MAX_CHAINS) {
		cw->broken = true;
		return 0;
	}
	if (cw->last[c] == 0) {
		cw->chains++;
		memset(cw->prev[c], '0', YB_HASH_HEX_SZ - 1);
	}
	if (rec->seq <= cw->last[c] || strcmp(rec->prev_hash, cw->prev[c]) ||
	    strcmp(copy.hash, rec->hash))
		cw->broken = true;
	cw->records++;
	cw->last[c] = rec->seq;
	snprintf(cw->prev[c], sizeof cw->prev[c], "%s", rec->hash);
	return 0;
}

static void chain_check(yb_store *st, chain_walk *cw)
{
	yb_audit_head *h = NULL;
	int n = 0;
	yb_err e;

	memset(cw, 0, sizeof *cw);
	CHECK_OK(st->ops->audit_scan(st, chain_visit, cw, &e), e);
	CHECK_OK(st->ops->audit_heads(st, &h, &n, &e), e);
	assert_true(n > 1);
	for (int i = 0; i < n; i++) {
		int c = h[i].chain;
		assert_true(c >= 0 && c < YB_AUDIT_MAX_CHAINS);
		assert_int_equal(h[i].seq, cw->last[c]);
		if (h[i].seq)
			assert_string_equal(h[i].hash, cw->prev[c]);
	}
	free(h);
}

/* A1-A3, S8, X3: many settlements at once over shared accounts. */
static void test_settlements(void **state)
{
	shared *sh = *state;
	yb_store *st = yb_test_store_new(sh->url);
	worker w[NTHREADS];
	int64_t paid = 0, personal = 0;
	int committed = 0;
	chain_walk cw;
	yb_account a;
	yb_ledger_report r;
	yb_err e;

	setup_books(st, sh);
	run_workers(sh, settle_work, w);
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(w[i].busy, 0);         /* no deadlock, ever */
		assert_int_equal(w[i].committed, NROUNDS);
		paid += w[i].paid_in;
		committed += w[i].committed;
	}
	assert_books(st);
	/* no lost update: the receivable got exactly what was paid */
	assert_int_equal(st->ops->account_by_id(st, sh->receivable, &a, &e), 1);
	assert_int_equal(a.balance_fen, paid);
	for (int i = 0; i < NPERSONS; i++) {
		assert_int_equal(st->ops->account_by_id(st, sh->acct[i], &a, &e), 1);
		assert_true(a.balance_fen >= 0);
		personal += a.balance_fen;
	}
	assert_true(personal < NPERSONS * START_FEN);  /* accounts did pay */
	CHECK_OK(st->ops->ledger_check(st, &r, &e), e);
	assert_int_equal(r.transactions, NPERSONS + committed);
	/* X3: one line, every transaction's record in it */
	chain_check(st, &cw);
	assert_false(cw.broken);
	assert_int_equal(cw.records, committed);
	/* no one chain every writer queues on */
	assert_true(cw.chains > 1);
	yb_test_store_free(st);
}

/* Withdraw WITHDRAW_FEN, over and over, without looking at the balance:
 * the engine alone must refuse the overdraft.  Half the attempts can
 * succeed. */
#define ATTEMPTS    20
#define WITHDRAW_FEN (START_FEN / (NTHREADS * ATTEMPTS / 2))

static int withdraw_work(yb_store *st, worker *w)
{
	shared *sh = w->sh;
	yb_err e;

	for (int i = 0; i < ATTEMPTS; i++) {
		yb_posting p;

		memset(&p, 0, sizeof p);
		p.kind = "settlement";
		p.n = 2;
		p.entries[0] = (yb_entry){ sh->acct[0], -WITHDRAW_FEN };
		p.entries[1] = (yb_entry){ sh->receivable, WITHDRAW_FEN };
		if (st->ops->begin(st, true, &e) < 0)
			return abandon(st, w, "withdraw", &e);
		if (st->ops->ledger_post(st, &p, T0, NULL, &e) < 0) {
			if (strcmp(e.code, "ledger.insufficient_balance") != 0)
				return abandon(st, w, "withdraw", &e);
			st->ops->rollback(st);
			w->refused++;
			continue;
		}
		if (st->ops->commit(st, &e) < 0)
			return abandon(st, w, "withdraw", &e);
		w->committed++;
	}
	return 0;
}

/* A2: exactly START_FEN / WITHDRAW_FEN withdrawals succeed, whoever
 * makes them. */
static void test_overdraft_race(void **state)
{
	shared *sh = *state;
	yb_store *st = yb_test_store_new(sh->url);
	worker w[NTHREADS];
	int committed = 0, refused = 0;
	yb_account a;
	yb_err e;

	setup_books(st, sh);
	run_workers(sh, withdraw_work, w);
	for (int i = 0; i < NTHREADS; i++) {
		committed += w[i].committed;
		refused += w[i].refused;
	}
	assert_int_equal(committed, START_FEN / WITHDRAW_FEN);
	assert_int_equal(committed + refused, NTHREADS * ATTEMPTS);
	assert_int_equal(st->ops->account_by_id(st, sh->acct[0], &a, &e), 1);
	assert_int_equal(a.balance_fen, 0);
	assert_books(st);
	yb_test_store_free(st);
}

/* Every thread inserts the same person and the same settlement, inside a
 * transaction it then keeps using: one wins each race, the others get
 * the domain's code, and their transactions stay usable (as on SQLite). */
static int dup_work(yb_store *st, worker *w)
{
	yb_person p;
	yb_settlement s;
	yb_err e;
	int rc;

	memset(&p, 0, sizeof p);
	snprintf(p.ssn, sizeof p.ssn, "77777777");
	snprintf(p.id_number, sizeof p.id_number, "440300777777777777");
	snprintf(p.name, sizeof p.name, "Same");
	snprintf(p.region, sizeof p.region, "440300");
	p.birth_date = 7000;
	p.created_at = p.updated_at = T0;
	memset(&s, 0, sizeof s);
	snprintf(s.institution_code, sizeof s.institution_code, "H001");
	snprintf(s.txn_id, sizeof s.txn_id, "T-1");
	s.patient_id = w->sh->person[0];
	s.total_fen = s.cash_pay_fen = 100;
	s.settled_at = T0;

	if (st->ops->begin(st, true, &e) < 0)
		return abandon(st, w, "begin", &e);
	rc = st->ops->person_insert(st, &p, &e);
	if (rc < 0 && strcmp(e.code, "person.duplicate") != 0)
		return abandon(st, w, "person", &e);
	w->dup += rc < 0;
	rc = st->ops->settlement_insert(st, &s, &e);
	if (rc < 0 && strcmp(e.code, "settlement.txn_id_reused") != 0)
		return abandon(st, w, "settlement", &e);
	w->dup += rc < 0;
	/* the transaction is still good for work after a refusal */
	if (yb_test_audit_append(st, "dup.test", 0, &e) < 0 ||
	    st->ops->commit(st, &e) < 0)
		return abandon(st, w, "commit", &e);
	w->committed++;
	return 0;
}

static void test_duplicate_race(void **state)
{
	shared *sh = *state;
	yb_store *st = yb_test_store_new(sh->url);
	worker w[NTHREADS];
	int dup = 0;
	chain_walk cw;

	setup_books(st, sh);
	run_workers(sh, dup_work, w);
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(w[i].committed, 1);
		dup += w[i].dup;
	}
	assert_int_equal(dup, 2 * (NTHREADS - 1));
	chain_check(st, &cw);
	assert_false(cw.broken);
	assert_int_equal(cw.records, NTHREADS);
	yb_test_store_free(st);
}

static int setup(void **state)
{
	shared *sh = calloc(1, sizeof *sh);

	if (!sh)
		return -1;
	*state = sh;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_settlements, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overdraft_race, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_race, setup,
						teardown),
	};

	if (strcmp(yb_test_engine(), "pg") != 0) {
		fprintf(stderr, "test_pg_concurrency: YB_TEST_ENGINE=pg only\n");
		return 77;      /* meson: skipped */
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
