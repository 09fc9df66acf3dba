/*
 * test_store_ledger.c — accounts, the double-entry ledger and
 * contributions (SPEC A1–A4) on the store.
 */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A posting of `n` (account, amount) pairs. */
static yb_posting posting(const char *kind, int n, const yb_id *acc,
			  const int64_t *amt)
{
	yb_posting p;

	memset(&p, 0, sizeof p);
	p.kind = kind;
	snprintf(p.ref, sizeof p.ref, "%s:test", kind);
	p.n = n;
	for (int i = 0; i < n; i++) {
		p.entries[i].account_id = acc[i];
		p.entries[i].amount_fen = amt[i];
	}
	return p;
}

/* The books as a comparable value: report plus the balances asked for. */
static void assert_unchanged(yb_store *st, const yb_ledger_report *before,
			     const yb_id *acc, const int64_t *bal, int n)
{
	yb_ledger_report now = ts_check(st);

	assert_memory_equal(&now, before, sizeof now);
	for (int i = 0; i < n; i++)
		assert_int_equal(ts_balance(st, acc[i]), bal[i]);
}

/* A1: the system accounts exist from the start, one of each kind. */
static void test_system_accounts(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_account_kind kinds[] = { YB_ACC_FUND_POOL, YB_ACC_CONTRIBUTION_INCOME,
				    YB_ACC_PATIENT_CASH, YB_ACC_CLOSED_LIABILITY };
	yb_account a;
	yb_err e;

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		yb_id id = 0, again = 0;

		assert_int_equal(TS_OK(st->ops->account_system(st, kinds[i], &a, &e),
				       &e), 1);
		assert_int_equal(a.kind, kinds[i]);
		assert_int_equal(a.balance_fen, 0);
		assert_false(a.closed);
		/* the id alone: the same, asked twice (kept by the
		 * connection the second time) */
		assert_int_equal(TS_OK(st->ops->account_system_id(st, kinds[i],
								  &id, &e),
				       &e), 1);
		assert_int_equal(id, a.id);
		assert_int_equal(TS_OK(st->ops->account_system_id(st, kinds[i],
								  &again, &e),
				       &e), 1);
		assert_int_equal(again, a.id);
	}
	TS_REFUSED(st->ops->account_system(st, YB_ACC_PERSONAL, &a, &e), &e,
		   "store.error",
		   ts_fmt("account kind %d is not a system account",
			  (int)YB_ACC_PERSONAL));
	{
		yb_id id;
		TS_REFUSED(st->ops->account_system_id(st, YB_ACC_PERSONAL, &id,
						      &e),
			   &e, "store.error",
			   ts_fmt("account kind %d is not a system account",
				  (int)YB_ACC_PERSONAL));
	}
	/* A second account of a system kind is refused. */
	memset(&a, 0, sizeof a);
	a.kind = YB_ACC_FUND_POOL;
	TS_REFUSED(st->ops->account_insert(st, &a, &e), &e, "store.error",
		   "that person, institution or system kind already has its "
		   "account");
}

static void test_personal_account(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id pid = ts_person(st, "1111111", "Owner");
	yb_account a, got;
	yb_err e;

	assert_int_equal(TS_OK(st->ops->account_personal_of(st, pid, &got, &e), &e),
			 0);
	memset(&a, 0, sizeof a);
	a.kind = YB_ACC_PERSONAL;
	a.person_id = pid;
	a.balance_fen = 5000; /* ignored: money moves only by posting (A1) */
	a.created_at = 1700000000;
	TS_OK(st->ops->account_insert(st, &a, &e), &e);
	assert_int_equal(a.balance_fen, 0);
	assert_int_equal(TS_OK(st->ops->account_personal_of(st, pid, &got, &e), &e),
			 1);
	assert_memory_equal(&got, &a, sizeof a);
	assert_int_equal(TS_OK(st->ops->account_by_id(st, a.id, &got, &e), &e), 1);
	assert_memory_equal(&got, &a, sizeof a);
	assert_int_equal(TS_OK(st->ops->account_by_id(st, a.id + 99, &got, &e), &e),
			 0);
	/* One personal account per person. */
	TS_REFUSED(st->ops->account_insert(st, &a, &e), &e, "store.error",
		   "that person, institution or system kind already has its "
		   "account");
	/* A personal account needs its person. */
	a.person_id = 0;
	TS_FAILS(st->ops->account_insert(st, &a, &e), &e, "store.error");

	TS_OK(st->ops->account_set_closed(st, got.id, 1800000000, &e), &e);
	assert_int_equal(TS_OK(st->ops->account_by_id(st, got.id, &got, &e), &e), 1);
	assert_true(got.closed);
	TS_REFUSED(st->ops->account_set_closed(st, 9999, 1, &e), &e,
		   "store.error", "no account with id 9999");
	TS_OK(st->ops->account_lock(st, &got.id, 1, &e), &e);
}

/* A1: a balanced posting moves the balances and records its entries. */
static void test_post_and_lines(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id acc = ts_account(st, ts_person(st, "2222222", "Saver"));
	yb_id pool = ts_system(st, YB_ACC_FUND_POOL);
	yb_id income = ts_system(st, YB_ACC_CONTRIBUTION_INCOME);
	yb_id ids[3] = { income, acc, pool };
	int64_t amounts[3] = { -1000, 300, 700 };
	yb_posting p = posting("contribution", 3, ids, amounts);
	yb_ledger_line *lines = NULL;
	yb_id txn = 0, first_txn;
	int n = 0;
	yb_err e;

	TS_OK(st->ops->ledger_post(st, &p, 1700000100, &txn, &e), &e);
	assert_true(txn > 0);
	first_txn = txn;
	assert_int_equal(ts_balance(st, acc), 300);
	assert_int_equal(ts_balance(st, pool), 700);
	assert_int_equal(ts_balance(st, income), -1000);

	/* Ten more, then page through the statement. */
	for (int i = 0; i < 10; i++) {
		int64_t a2[2] = { -(i + 1), i + 1 };
		yb_id i2[2] = { pool, acc };

		p = posting("contribution", 2, i2, a2);
		TS_OK(st->ops->ledger_post(st, &p, 1700000200 + i, &txn, &e), &e);
	}
	assert_int_equal(ts_balance(st, acc), 300 + 55);

	TS_OK(st->ops->ledger_lines(st, acc, 0, 4, &lines, &n, &e), &e);
	assert_int_equal(n, 4);
	/* Newest first, with the running balance after each entry. */
	assert_int_equal(lines[0].amount_fen, 10);
	assert_int_equal(lines[0].balance_after_fen, 355);
	assert_int_equal(lines[0].txn_id, txn);
	assert_int_equal(lines[0].at, 1700000209);
	assert_string_equal(lines[0].kind, "contribution");
	assert_string_equal(lines[0].ref, "contribution:test");
	assert_int_equal(lines[1].balance_after_fen, 345);
	assert_true(lines[0].entry_id > lines[1].entry_id);
	{
		yb_id cursor = lines[3].entry_id;
		int total = 4;

		free(lines);
		lines = NULL;
		for (;;) {
			TS_OK(st->ops->ledger_lines(st, acc, cursor, 4, &lines, &n,
						    &e), &e);
			assert_non_null(lines);
			for (int i = 0; i < n; i++)
				assert_true(lines[i].entry_id < cursor);
			total += n;
			if (n < 4) {
				assert_int_equal(lines[n - 1].txn_id, first_txn);
				assert_int_equal(lines[n - 1].balance_after_fen, 300);
				free(lines);
				break;
			}
			cursor = lines[n - 1].entry_id;
			free(lines);
		}
		assert_int_equal(total, 11);
	}
	/* No lines: still an array to free. */
	TS_OK(st->ops->ledger_lines(st, 99999, 0, 10, &lines, &n, &e), &e);
	assert_int_equal(n, 0);
	assert_non_null(lines);
	free(lines);
	/* A txn_id pointer is optional. */
	p = posting("contribution", 2, (yb_id[]){ pool, acc },
		    (int64_t[]){ -1, 1 });
	TS_OK(st->ops->ledger_post(st, &p, 1700000300, NULL, &e), &e);
}

/* A1: unbalanced or one-sided postings are refused and change nothing. */
static void test_post_unbalanced(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id acc = ts_account(st, ts_person(st, "3333333", "Victim"));
	yb_id pool = ts_system(st, YB_ACC_FUND_POOL);
	yb_ledger_report before;
	yb_posting p;
	yb_err e;

	ts_fund(st, acc, 100);
	before = ts_check(st);
	p = posting("x", 2, (yb_id[]){ pool, acc }, (int64_t[]){ -100, 99 });
	TS_REFUSED(st->ops->ledger_post(st, &p, 1, NULL, &e), &e,
		   "ledger.unbalanced", "the entries of 'x' sum to -1, not 0");
	p = posting("x", 1, (yb_id[]){ acc }, (int64_t[]){ 0 });
	TS_REFUSED(st->ops->ledger_post(st, &p, 1, NULL, &e), &e,
		   "ledger.unbalanced",
		   "a ledger transaction has 2 to 40 entries, not 1");
	p = posting("x", 2, (yb_id[]){ pool, acc },
		    (int64_t[]){ INT64_MAX, INT64_MAX });
	TS_REFUSED(st->ops->ledger_post(st, &p, 1, NULL, &e), &e,
		   "ledger.unbalanced", "the entries of 'x' overflow");
	p = posting("x", 2, (yb_id[]){ pool, acc }, (int64_t[]){ -1, 1 });
	p.kind = NULL;
	TS_REFUSED(st->ops->ledger_post(st, &p, 1, NULL, &e), &e,
		   "ledger.unbalanced", "a ledger transaction needs a kind");
	p.kind = "x";
	p.n = YB_POSTING_MAX_ENTRIES + 1;
	TS_REFUSED(st->ops->ledger_post(st, &p, 1, NULL, &e), &e,
		   "ledger.unbalanced",
		   "a ledger transaction has 2 to 40 entries, not 41");
	assert_unchanged(st, &before, (yb_id[]){ acc, pool },
			 (int64_t[]){ 100, -100 }, 2);
}

/* A balance that would pass INT64_MAX is refused, not wrapped. */
static void test_post_overflow(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id a = ts_account(st, ts_person(st, "4444443", "Rich"));
	yb_id pool = ts_system(st, YB_ACC_FUND_POOL);
	yb_posting p;
	yb_err e;

	ts_fund(st, a, INT64_MAX);
	p = posting("x", 2, (yb_id[]){ pool, a }, (int64_t[]){ -1, 1 });
	TS_REFUSED(st->ops->ledger_post(st, &p, 1, NULL, &e), &e,
		   "money.overflow",
		   ts_fmt("balance of account %lld would overflow",
			  (long long)a));
	assert_true(ts_balance(st, a) == INT64_MAX);
}

/* A2: a personal account never goes below zero; the refused posting
 * leaves nothing behind, not even the entries before the failing one. */
static void test_post_overdraft(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id a = ts_account(st, ts_person(st, "4444441", "Payer"));
	yb_id b = ts_account(st, ts_person(st, "4444442", "Other"));
	yb_id cash = ts_system(st, YB_ACC_PATIENT_CASH);
	yb_ledger_report before;
	yb_posting p;
	yb_err e;

	ts_fund(st, a, 500);
	ts_fund(st, b, 100);
	before = ts_check(st);
	/* b is credited first, then a overdraws. */
	p = posting("settlement", 3, (yb_id[]){ b, cash, a },
		    (int64_t[]){ 50, 451, -501 });
	TS_REFUSED(st->ops->ledger_post(st, &p, 1, NULL, &e), &e,
		   "ledger.insufficient_balance",
		   ts_fmt("account %lld cannot pay 501 fen", (long long)a));
	assert_unchanged(st, &before, (yb_id[]){ a, b, cash },
			 (int64_t[]){ 500, 100, 0 }, 3);
	/* Exactly to zero is fine. */
	p = posting("settlement", 2, (yb_id[]){ a, cash }, (int64_t[]){ -500, 500 });
	TS_OK(st->ops->ledger_post(st, &p, 1, NULL, &e), &e);
	assert_int_equal(ts_balance(st, a), 0);
	/* Twice the same account in one posting counts both entries. */
	p = posting("settlement", 3, (yb_id[]){ b, b, cash },
		    (int64_t[]){ -60, -60, 120 });
	TS_REFUSED(st->ops->ledger_post(st, &p, 1, NULL, &e), &e,
		   "ledger.insufficient_balance",
		   ts_fmt("account %lld cannot pay 60 fen", (long long)b));
	assert_int_equal(ts_balance(st, b), 100);
	/* Non-personal accounts may go negative (they are the other side). */
	assert_true(ts_balance(st, ts_system(st, YB_ACC_FUND_POOL)) < 0);
}

/* P4: a closed account takes no more entries; an unknown one neither. */
static void test_post_closed(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id a = ts_account(st, ts_person(st, "5555551", "Gone"));
	yb_id liab = ts_system(st, YB_ACC_CLOSED_LIABILITY);
	yb_id pool = ts_system(st, YB_ACC_FUND_POOL);
	yb_ledger_report before;
	yb_posting p;
	yb_err e;

	ts_fund(st, a, 300);
	p = posting("account_closure", 2, (yb_id[]){ a, liab },
		    (int64_t[]){ -300, 300 });
	TS_OK(st->ops->ledger_post(st, &p, 2, NULL, &e), &e);
	TS_OK(st->ops->account_set_closed(st, a, 3, &e), &e);
	before = ts_check(st);
	p = posting("contribution", 2, (yb_id[]){ pool, a }, (int64_t[]){ -10, 10 });
	TS_REFUSED(st->ops->ledger_post(st, &p, 4, NULL, &e), &e,
		   "ledger.account_closed",
		   ts_fmt("account %lld is closed", (long long)a));
	p = posting("contribution", 2, (yb_id[]){ pool, 424242 },
		    (int64_t[]){ -10, 10 });
	TS_REFUSED(st->ops->ledger_post(st, &p, 4, NULL, &e), &e,
		   "store.error", "no account with id 424242");
	assert_unchanged(st, &before, (yb_id[]){ a, pool, liab },
			 (int64_t[]){ 0, -300, 300 }, 3);
}

/* A posting inside the caller's savepoint: the caller can still undo it. */
static void test_post_in_savepoint(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id a = ts_account(st, ts_person(st, "6666661", "Nested"));
	yb_id pool = ts_system(st, YB_ACC_FUND_POOL);
	yb_posting p = posting("x", 2, (yb_id[]){ pool, a }, (int64_t[]){ -7, 7 });
	yb_posting bad = posting("x", 2, (yb_id[]){ a, pool },
				 (int64_t[]){ -100, 100 });
	yb_err e;

	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->savepoint(st, &e), &e);
	TS_OK(st->ops->ledger_post(st, &p, 1, NULL, &e), &e);
	/* A refused posting inside the savepoint undoes only itself. */
	TS_REFUSED(st->ops->ledger_post(st, &bad, 1, NULL, &e), &e,
		   "ledger.insufficient_balance",
		   ts_fmt("account %lld cannot pay 100 fen", (long long)a));
	assert_int_equal(ts_balance(st, a), 7);
	TS_OK(st->ops->rollback_to(st, &e), &e);
	assert_int_equal(ts_balance(st, a), 0);
	TS_OK(st->ops->ledger_post(st, &p, 1, NULL, &e), &e);
	TS_OK(st->ops->commit(st, &e), &e);
	assert_int_equal(ts_balance(st, a), 7);
	assert_int_equal(ts_check(st).transactions, 1);
}

/*
 * Reads after account_lock in the same transaction (issue 16: PostgreSQL
 * answers them, and the posting's own check, from the rows it locked):
 * they show each posting's move, refuse an overdraft on the moved
 * balance, see an account closed meanwhile, and after a rollback_to the
 * balances as they were.  The same on both engines.
 */
static void test_lock_then_read(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id a = ts_account(st, ts_person(st, "7777771", "Locked"));
	yb_id b = ts_account(st, ts_person(st, "7777772", "Closing"));
	yb_id pool = ts_system(st, YB_ACC_FUND_POOL);
	yb_id ids[3] = { pool, b, a };
	yb_posting in = posting("x", 2, (yb_id[]){ pool, a },
				(int64_t[]){ -7, 7 });
	yb_posting out = posting("x", 2, (yb_id[]){ a, pool },
				 (int64_t[]){ -17, 17 });
	yb_posting more = posting("x", 2, (yb_id[]){ a, pool },
				  (int64_t[]){ -1, 1 });
	yb_account got;
	int64_t pool0;
	yb_err e;

	ts_fund(st, a, 10);
	pool0 = ts_balance(st, pool);
	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->savepoint(st, &e), &e);
	TS_OK(st->ops->account_lock(st, ids, 3, &e), &e);
	assert_int_equal(ts_balance(st, a), 10);
	TS_OK(st->ops->ledger_post(st, &in, 1, NULL, &e), &e);
	assert_int_equal(ts_balance(st, a), 17);
	assert_int_equal(ts_balance(st, pool), pool0 - 7);
	TS_OK(st->ops->ledger_post(st, &out, 1, NULL, &e), &e);
	assert_int_equal(ts_balance(st, a), 0);
	TS_REFUSED(st->ops->ledger_post(st, &more, 1, NULL, &e), &e,
		   "ledger.insufficient_balance",
		   ts_fmt("account %lld cannot pay 1 fen", (long long)a));
	TS_OK(st->ops->account_set_closed(st, b, 2, &e), &e);
	assert_int_equal(TS_OK(st->ops->account_by_id(st, b, &got, &e), &e),
			 1);
	assert_true(got.closed);
	TS_OK(st->ops->rollback_to(st, &e), &e);
	assert_int_equal(ts_balance(st, a), 10);
	assert_int_equal(ts_balance(st, pool), pool0);
	assert_int_equal(TS_OK(st->ops->account_by_id(st, b, &got, &e), &e),
			 1);
	assert_false(got.closed);
	/* locked again after the rollback: the posting sees 10, not 0 */
	TS_OK(st->ops->account_lock(st, ids, 3, &e), &e);
	TS_OK(st->ops->ledger_post(st, &more, 1, NULL, &e), &e);
	assert_int_equal(ts_balance(st, a), 9);
	TS_OK(st->ops->commit(st, &e), &e);
	assert_int_equal(ts_balance(st, a), 9);
	assert_int_equal(ts_check(st).transactions, 2);
}

/* A1–A3: the check on a consistent book after many postings. */
static void test_ledger_check(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_ledger_report r = ts_check(st);
	yb_id acc[10];
	yb_err e;

	assert_int_equal(r.accounts, 4);
	assert_int_equal(r.transactions, 0);
	assert_int_equal(r.entries, 0);
	TS_OK(st->ops->begin(st, true, &e), &e);
	for (int i = 0; i < 10; i++) {
		char ssn[16];

		snprintf(ssn, sizeof ssn, "700000%d", i);
		acc[i] = ts_account(st, ts_person(st, ssn, "Many"));
		ts_fund(st, acc[i], 1000 * (i + 1));
	}
	for (int i = 0; i < 100; i++) {
		yb_posting p = posting("transfer", 2,
				       (yb_id[]){ acc[i % 10], acc[(i + 3) % 10] },
				       (int64_t[]){ -(i % 50), i % 50 });
		TS_OK(st->ops->ledger_post(st, &p, 1, NULL, &e), &e);
	}
	TS_OK(st->ops->commit(st, &e), &e);
	r = ts_check(st);
	assert_int_equal(r.accounts, 14);
	assert_int_equal(r.transactions, 110);
	assert_int_equal(r.entries, 220);
	assert_int_equal(r.sum_balances_fen, 0);     /* A3 */
	assert_int_equal(r.sum_entries_fen, 0);      /* A1 */
	assert_int_equal(r.unbalanced_transactions, 0);
	assert_int_equal(r.mismatched_accounts, 0);
	assert_int_equal(r.negative_personal, 0);    /* A2 */
}

/* ---- contributions (A4) ---------------------------------------------------- */

static yb_contribution contribution(yb_id person, const char *period,
				    const char *employer)
{
	yb_contribution c;

	memset(&c, 0, sizeof c);
	c.person_id = person;
	snprintf(c.period, sizeof c.period, "%s", period);
	snprintf(c.employer_code, sizeof c.employer_code, "%s", employer);
	c.base_fen = 1000000;
	c.employer_fen = 60000;
	c.personal_fen = 20000;
	c.account_credit_fen = 20000;
	c.created_at = 1700000000;
	return c;
}

static void add_employer(yb_store *st, const char *code)
{
	yb_employer em;
	yb_err e;

	memset(&em, 0, sizeof em);
	snprintf(em.code, sizeof em.code, "%s", code);
	snprintf(em.name, sizeof em.name, "Employer %s", code);
	TS_OK(st->ops->employer_insert(st, &em, &e), &e);
}

static void test_contributions(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id p1 = ts_person(st, "8000001", "Worker One");
	yb_id p2 = ts_person(st, "8000002", "Worker Two");
	yb_contribution c, *list = NULL;
	int n = 0;
	yb_err e;

	add_employer(st, "EMP1");
	add_employer(st, "EMP2");
	for (int m = 1; m <= 6; m++) {
		char period[8];

		snprintf(period, sizeof period, "2025-%02d", m);
		c = contribution(p1, period, "EMP1");
		TS_OK(st->ops->contribution_insert(st, &c, &e), &e);
		assert_true(c.id > 0);
		c = contribution(p2, period, m % 2 ? "EMP1" : "EMP2");
		TS_OK(st->ops->contribution_insert(st, &c, &e), &e);
	}
	/* A4: the same (person, period, employer) only once... */
	c = contribution(p1, "2025-03", "EMP1");
	TS_REFUSED(st->ops->contribution_insert(st, &c, &e), &e,
		   "contribution.duplicate",
		   "this person's contribution for this period and employer is "
		   "already recorded");
	/* ...but another employer for the same month is another record. */
	c = contribution(p1, "2025-03", "EMP2");
	c.ledger_txn_id = 0;
	TS_OK(st->ops->contribution_insert(st, &c, &e), &e);

	TS_OK(st->ops->contributions_of_person(st, p1, 0, 100, &list, &n, &e), &e);
	assert_int_equal(n, 7);
	assert_string_equal(list[0].period, "2025-03");
	assert_string_equal(list[0].employer_code, "EMP2");
	assert_string_equal(list[0].ssn, "8000001");
	assert_string_equal(list[1].period, "2025-06");
	assert_int_equal(list[1].account_credit_fen, 20000);
	for (int i = 1; i < n; i++)
		assert_true(list[i].id < list[i - 1].id);
	{
		yb_id cursor = list[2].id;
		yb_contribution *more = NULL;
		int m = 0;

		TS_OK(st->ops->contributions_of_person(st, p1, cursor, 2, &more,
						       &m, &e), &e);
		assert_int_equal(m, 2);
		assert_int_equal(more[0].id, list[3].id);
		assert_int_equal(more[1].id, list[4].id);
		free(more);
	}
	free(list);

	/* Q2: an employer's records, all periods or one. */
	TS_OK(st->ops->contributions_of_employer(st, "EMP1", NULL, 0, 100, &list,
						 &n, &e), &e);
	assert_int_equal(n, 9);
	for (int i = 0; i < n; i++)
		assert_string_equal(list[i].employer_code, "EMP1");
	free(list);
	TS_OK(st->ops->contributions_of_employer(st, "EMP1", "2025-03", 0, 100,
						 &list, &n, &e), &e);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].ssn, "8000002");
	assert_string_equal(list[1].ssn, "8000001");
	free(list);
	TS_OK(st->ops->contributions_of_employer(st, "EMP2", "2025-03", 0, 100,
						 &list, &n, &e), &e);
	assert_int_equal(n, 1);
	free(list);
	TS_OK(st->ops->contributions_of_employer(st, "NONE", NULL, 0, 100, &list,
						 &n, &e), &e);
	assert_int_equal(n, 0);
	free(list);
}

int ts_run_ledger(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_system_accounts, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_personal_account, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_post_and_lines, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_post_unbalanced, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_post_overflow, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_post_overdraft, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_post_closed, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_post_in_savepoint, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_lock_then_read, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_ledger_check, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_contributions, ts_setup,
						ts_teardown),
	};

	return cmocka_run_group_tests_name("store ledger", tests, NULL, NULL);
}
