/*
 * test_store_records.c — the store's part of records and proofs (SPEC
 * R1–R4): contributions and account entries of a period in statement
 * order, page after page; proofs kept, found by code, listed and revoked
 * once; the scan of an employer's register that arrears are counted
 * from.  Runs on both engines.
 */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void employer(yb_store *st, const char *code)
{
	yb_employer em;
	yb_err e;

	memset(&em, 0, sizeof em);
	snprintf(em.code, sizeof em.code, "%s", code);
	snprintf(em.name, sizeof em.name, "单位 %s", code);
	TS_OK(st->ops->employer_insert(st, &em, &e), &e);
}

/* A person registered with an employer ("" none). */
static yb_id employee(yb_store *st, const char *ssn, const char *code,
		      yb_time at)
{
	return ts_employee(st, ssn, "职工", code, at);
}

static void pay(yb_store *st, yb_id person, const char *period,
		const char *code)
{
	yb_contribution c;
	yb_err e;

	memset(&c, 0, sizeof c);
	c.person_id = person;
	snprintf(c.period, sizeof c.period, "%s", period);
	snprintf(c.employer_code, sizeof c.employer_code, "%s", code);
	c.base_fen = 1000000;
	c.employer_fen = 60000;
	c.personal_fen = 20000;
	c.account_credit_fen = 25000;
	c.created_at = 1700000000;
	TS_OK(st->ops->contribution_insert(st, &c, &e), &e);
}

/* R1: a person's months, a yearly premium among them, in period order,
 * paged by keyset. */
static void test_contributions_in_period(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id p = employee(st, "8100001", "R-E1", 1700000000);
	yb_contribution *page = NULL;
	char after[8] = "";
	yb_id after_id = 0;
	int n = 0, total = 0;
	yb_err e;

	employer(st, "R-E1");
	employer(st, "R-E2");
	employer(st, "resident:premium");
	for (int m = 12; m >= 1; m--) {          /* posted out of order */
		char period[8];

		snprintf(period, sizeof period, "2025-%02d", m);
		pay(st, p, period, "R-E1");
	}
	pay(st, p, "2025-06", "R-E2");           /* two employers, one month */
	pay(st, p, "2024-12", "R-E1");
	pay(st, p, "2026-01", "R-E1");
	pay(st, p, "2025", "resident:premium");   /* E1: a whole year */

	/* 2025-03..2025-07: 5 months, one doubled, and the year 2025 */
	for (;;) {
		TS_OK(st->ops->contributions_in_period(st, p, NULL, "2025-03",
			"2025-07", after, after_id, 3, &page, &n, &e), &e);
		for (int i = 0; i < n; i++) {
			static const char *const want[] = {
				"2025", "2025-03", "2025-04", "2025-05",
				"2025-06", "2025-06", "2025-07" };
			assert_true(total + i < 7);
			assert_string_equal(page[i].period, want[total + i]);
			assert_string_equal(page[i].ssn, "8100001");
		}
		total += n;
		if (n > 0) {
			snprintf(after, sizeof after, "%s", page[n - 1].period);
			after_id = page[n - 1].id;
		}
		free(page);
		if (n < 3)
			break;
	}
	assert_int_equal(total, 7);

	/* R1, Q2: the employer's side — only its own records */
	TS_OK(st->ops->contributions_in_period(st, 0, "R-E2", "2025-01",
		"2025-12", "", 0, 100, &page, &n, &e), &e);
	assert_int_equal(n, 1);
	assert_string_equal(page[0].period, "2025-06");
	free(page);
	TS_OK(st->ops->contributions_in_period(st, 0, "R-E1", "2026-01",
		"2026-12", "", 0, 100, &page, &n, &e), &e);
	assert_int_equal(n, 1);
	free(page);
	/* a period with nothing */
	TS_OK(st->ops->contributions_in_period(st, p, NULL, "2010-01",
		"2010-12", "", 0, 100, &page, &n, &e), &e);
	assert_int_equal(n, 0);
	free(page);
}

/* Post fund pool → account at `at`. */
static void fund_at(yb_store *st, yb_id acc, int64_t fen, yb_time at)
{
	yb_posting p;
	yb_err e;

	memset(&p, 0, sizeof p);
	p.kind = "contribution";
	snprintf(p.ref, sizeof p.ref, "test:%lld", (long long)at);
	p.n = 2;
	p.entries[0].account_id = ts_system(st, YB_ACC_FUND_POOL);
	p.entries[0].amount_fen = -fen;
	p.entries[1].account_id = acc;
	p.entries[1].amount_fen = fen;
	TS_OK(st->ops->ledger_post(st, &p, at, NULL, &e), &e);
}

/* R1: the entries of [from, to), oldest first, and the opening balance. */
static void test_ledger_between(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id acc = ts_account(st, ts_person(st, "8100002", "Ledger"));
	yb_ledger_line *l = NULL;
	int64_t bal = -1;
	int n = 0;
	yb_err e;

	for (int i = 1; i <= 6; i++)
		fund_at(st, acc, 100 * i, 1000 * i);     /* at 1000..6000 */
	assert_int_equal(TS_OK(st->ops->ledger_balance_before(st, acc, 1000,
							      &bal, &e), &e), 0);
	assert_int_equal(TS_OK(st->ops->ledger_balance_before(st, acc, 3500,
							      &bal, &e), &e), 1);
	assert_true(bal == 100 + 200 + 300);
	TS_OK(st->ops->ledger_lines_between(st, acc, 2000, 5000, 0, 2, &l, &n,
					    &e), &e);
	assert_int_equal(n, 2);
	assert_true(l[0].amount_fen == 200 && l[0].at == 2000);
	assert_true(l[1].amount_fen == 300 && l[1].balance_after_fen == 600);
	{
		yb_id after = l[1].entry_id;

		free(l);
		TS_OK(st->ops->ledger_lines_between(st, acc, 2000, 5000, after,
						    2, &l, &n, &e), &e);
	}
	assert_int_equal(n, 1);                  /* 5000 is not before 5000 */
	assert_true(l[0].amount_fen == 400);
	free(l);
}

static yb_proof proof(yb_id person, const char *code, yb_time at)
{
	yb_proof x;

	memset(&x, 0, sizeof x);
	snprintf(x.code, sizeof x.code, "%s", code);
	x.person_id = person;
	x.statement = (char *)"{\"name\":\"王小明\",\"months\":120}";
	snprintf(x.signature, sizeof x.signature, "%0128d", 7);
	snprintf(x.key_id, sizeof x.key_id, "%064d", 9);
	x.issued_at = at;
	snprintf(x.issued_by, sizeof x.issued_by, "person:8100003");
	return x;
}

/* R2: kept byte for byte, found by code only, listed, revoked once. */
static void test_proofs(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id p = ts_person(st, "8100003", "Proof");
	yb_proof a = proof(p, "AAAAAAAAAAAAAAAAAAAAAAAAAA", 100);
	yb_proof b = proof(p, "BBBBBBBBBBBBBBBBBBBBBBBBBB", 200);
	yb_proof dup = proof(p, "AAAAAAAAAAAAAAAAAAAAAAAAAA", 300), got, *list;
	int n = 0;
	yb_err e;

	TS_OK(st->ops->proof_insert(st, &a, &e), &e);
	TS_OK(st->ops->proof_insert(st, &b, &e), &e);
	assert_true(a.id > 0 && b.id > a.id);
	assert_int_equal(TS_OK(st->ops->proof_by_code(st, a.code, &got, &e),
			       &e), 1);
	assert_string_equal(got.statement, a.statement);
	assert_string_equal(got.signature, a.signature);
	assert_string_equal(got.ssn, "8100003");
	assert_true(got.revoked_at == 0);
	yb_proof_release(&got);
	/* a changed code finds nothing */
	assert_int_equal(TS_OK(st->ops->proof_by_code(st,
		"AAAAAAAAAAAAAAAAAAAAAAAAAB", &got, &e), &e), 0);

	TS_OK(st->ops->proofs_of_person(st, p, 0, 10, &list, &n, &e), &e);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].code, b.code);      /* newest first */
	assert_null(list[0].statement);
	free(list);

	TS_OK(st->ops->proof_revoke(st, a.id, 500, "key:1", "lost", &e), &e);
	TS_REFUSED(st->ops->proof_revoke(st, a.id, 600, "key:1", "again", &e),
		   &e, "proof.already_revoked",
		   ts_fmt("proof %lld is revoked already", (long long)a.id));
	assert_int_equal(TS_OK(st->ops->proof_by_code(st, a.code, &got, &e),
			       &e), 1);
	assert_true(got.revoked_at == 500);
	assert_string_equal(got.revoke_reason, "lost");
	assert_string_equal(got.revoked_by, "key:1");
	yb_proof_release(&got);
	/* the same code twice is refused (last: PostgreSQL ends the
	 * transaction on it) */
	TS_REFUSED(st->ops->proof_insert(st, &dup, &e), &e, "proof.duplicate",
		   "a proof with this code exists");
}

typedef struct scan_log {
	int rows;
	char line[64][96];
} scan_log;

static int log_row(void *arg, const yb_employee_month *r, yb_err *err)
{
	scan_log *log = arg;

	(void)err;
	if (log->rows < 64)
		snprintf(log->line[log->rows], sizeof log->line[0],
			 "%s/%s/%s/%s", r->employer_code, r->ssn,
			 r->first_period, r->period);
	log->rows++;
	return 0;
}

/* R4: employees with the months their own employer paid in the window. */
static void test_employee_scan(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id a, b, c;
	scan_log log;
	yb_err e;

	employer(st, "R-A");
	employer(st, "R-B");
	a = employee(st, "8200001", "R-A", 1700000000);
	b = employee(st, "8200002", "R-A", 1700000000);
	c = employee(st, "8200003", "R-B", 1700000000);
	employee(st, "8200004", "", 1700000000);      /* no employer */
	pay(st, a, "2024-11", "R-A");
	pay(st, a, "2025-01", "R-A");
	pay(st, a, "2025-03", "R-A");
	pay(st, a, "2025-02", "R-B");                 /* not his employer */
	pay(st, c, "2025-02", "R-B");
	(void)b;

	memset(&log, 0, sizeof log);
	TS_OK(st->ops->employee_months_scan(st, "R-A", 0, "2025-01", "2025-12",
					    log_row, &log, &e), &e);
	assert_int_equal(log.rows, 3);
	assert_string_equal(log.line[0], "R-A/8200001/2024-11/2025-01");
	assert_string_equal(log.line[1], "R-A/8200001/2024-11/2025-03");
	assert_string_equal(log.line[2], "R-A/8200002//");

	memset(&log, 0, sizeof log);
	TS_OK(st->ops->employee_months_scan(st, NULL, 0, "2025-01", "2025-12",
					    log_row, &log, &e), &e);
	assert_int_equal(log.rows, 4);
	assert_string_equal(log.line[3], "R-B/8200003/2025-02/2025-02");

	memset(&log, 0, sizeof log);
	TS_OK(st->ops->employee_months_scan(st, NULL, c, "2025-01", "2025-12",
					    log_row, &log, &e), &e);
	assert_int_equal(log.rows, 1);
	assert_string_equal(log.line[0], "R-B/8200003/2025-02/2025-02");
}

/* R4: more employees than one page of the scan, each seen once. */
static void test_employee_scan_pages(void **state)
{
	yb_store *st = TS_STORE(state);
	scan_log log;
	yb_err e;

	employer(st, "R-BIG");
	for (int i = 0; i < 300; i++) {
		char ssn[16];

		snprintf(ssn, sizeof ssn, "83%05d", i);
		pay(st, employee(st, ssn, "R-BIG", 1700000000), "2025-05",
		    "R-BIG");
	}
	memset(&log, 0, sizeof log);
	TS_OK(st->ops->employee_months_scan(st, "R-BIG", 0, "2025-01",
					    "2025-12", log_row, &log, &e), &e);
	assert_int_equal(log.rows, 300);
	memset(&log, 0, sizeof log);
	TS_OK(st->ops->employee_months_scan(st, NULL, 0, "2025-01", "2025-12",
					    log_row, &log, &e), &e);
	assert_int_equal(log.rows, 300);
}

int ts_run_records(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_contributions_in_period,
						ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_ledger_between, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_proofs, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_employee_scan, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_employee_scan_pages,
						ts_setup, ts_teardown),
	};
	return cmocka_run_group_tests_name("store-records", tests, NULL, NULL);
}
