/*
 * test_ledger.c — contributions (SPEC A4), the checks of the books (A1,
 * A3) and the audit hash chain (X3), through the service layer.
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/money.h"
#include "service/ledger.h"
#include "testdb.h"

static yb_contribution_new contrib(const char *ssn, const char *period,
				   const char *employer)
{
	yb_contribution_new in = { 0 };

	in.ssn = ssn;
	in.period = period;
	in.employer_code = employer;
	in.base_fen = 800000;
	in.employer_fen = 48000;
	in.personal_fen = 16000;
	in.account_credit_fen = 30000;
	return in;
}

/* A4, A1, A3: the three entries, and the books still balance. */
static void test_post(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_contribution_new in = contrib(p.ssn, "2026-01", "E1");
	yb_contribution c;
	yb_ledger_report rep;
	bool ok;
	yb_err e;

	fx_employer(f, "E1");
	assert_ok(yb_contribution_post(&f->ctx, &in, &c, &e), e);
	assert_true(c.id > 0);
	assert_true(c.ledger_txn_id > 0);
	assert_string_equal(c.ssn, p.ssn);
	assert_string_equal(c.period, "2026-01");
	assert_int_equal(fx_balance(f, p.id), 30000);
	assert_int_equal(fx_system_balance(f, YB_ACC_FUND_POOL), 34000);
	assert_int_equal(fx_system_balance(f, YB_ACC_CONTRIBUTION_INCOME),
			 -64000);
	assert_ok(yb_ledger_check(&f->ctx, &rep, &ok, &e), e);
	assert_true(ok);
	assert_int_equal(rep.sum_balances_fen, 0);
	assert_int_equal(rep.sum_entries_fen, 0);
	assert_int_equal(rep.unbalanced_transactions, 0);
	assert_int_equal(rep.transactions, 1);
	assert_int_equal(rep.entries, 3);

	/* all to the account: two entries; none to it: two entries */
	in.period = "2026-02";
	in.account_credit_fen = 64000;
	assert_ok(yb_contribution_post(&f->ctx, &in, &c, &e), e);
	in.period = "2026-03";
	in.account_credit_fen = 0;
	assert_ok(yb_contribution_post(&f->ctx, &in, &c, &e), e);
	assert_int_equal(fx_balance(f, p.id), 94000);
	assert_ok(yb_ledger_check(&f->ctx, &rep, &ok, &e), e);
	assert_true(ok);
	assert_int_equal(rep.entries, 7);
}

/* A4: the same (person, period, employer) twice is refused and not
 * credited twice; another employer or period is another record. */
static void test_duplicate(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_contribution_new in = contrib(p.ssn, "2026-01", "E1");
	yb_ledger_report rep;
	int64_t audits;
	bool ok;
	yb_err e;

	fx_employer(f, "E1");
	fx_employer(f, "E2");
	assert_ok(yb_contribution_post(&f->ctx, &in, NULL, &e), e);
	audits = fx_audit_count(f);
	assert_err(yb_contribution_post(&f->ctx, &in, NULL, &e), e,
		   "contribution.duplicate");
	assert_int_equal(fx_balance(f, p.id), 30000);
	assert_int_equal(fx_audit_count(f), audits);
	assert_ok(yb_ledger_check(&f->ctx, &rep, &ok, &e), e);
	assert_true(ok);
	assert_int_equal(rep.transactions, 1);

	in.employer_code = "E2";
	assert_ok(yb_contribution_post(&f->ctx, &in, NULL, &e), e);
	assert_int_equal(fx_balance(f, p.id), 60000);
}

/* A4, X4: bad input is refused with its code, nothing moves. */
static void test_bad_input(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_person t2 = fx_person(f, 2, "employee_tier2");
	yb_contribution_new in;
	yb_ledger_report rep;
	bool ok;
	yb_err e;

	fx_employer(f, "E1");
	in = contrib(p.ssn, "2026-13", "E1");
	assert_err(yb_contribution_post(&f->ctx, &in, NULL, &e), e,
		   "contribution.invalid_period");
	in.period = "202601";
	assert_err(yb_contribution_post(&f->ctx, &in, NULL, &e), e,
		   "contribution.invalid_period");
	in.period = NULL;
	assert_err(yb_contribution_post(&f->ctx, &in, NULL, &e), e,
		   "contribution.invalid_period");

	in = contrib(p.ssn, "2026-01", "E1");
	in.employer_fen = -1;
	assert_err(yb_contribution_post(&f->ctx, &in, NULL, &e), e,
		   "contribution.invalid_amounts");
	in = contrib(p.ssn, "2026-01", "E1");
	in.account_credit_fen = in.employer_fen + in.personal_fen + 1;
	assert_err(yb_contribution_post(&f->ctx, &in, NULL, &e), e,
		   "contribution.invalid_amounts");
	in = contrib(p.ssn, "2026-01", "E1");
	in.employer_fen = in.personal_fen = in.account_credit_fen = 0;
	assert_err(yb_contribution_post(&f->ctx, &in, NULL, &e), e,
		   "contribution.invalid_amounts");
	in = contrib(p.ssn, "2026-01", "E1");
	in.employer_fen = YB_MONEY_MAX + 1;
	assert_err(yb_contribution_post(&f->ctx, &in, NULL, &e), e,
		   "contribution.invalid_amounts");
	in = contrib(p.ssn, "2026-01", "E1");
	in.base_fen = -5;
	assert_err(yb_contribution_post(&f->ctx, &in, NULL, &e), e,
		   "contribution.invalid_amounts");

	in = contrib("999999999", "2026-01", "E1");
	assert_err(yb_contribution_post(&f->ctx, &in, NULL, &e), e,
		   "person.not_found");
	in = contrib(p.ssn, "2026-01", "E404");
	assert_err(yb_contribution_post(&f->ctx, &in, NULL, &e), e,
		   "employer.not_found");
	in = contrib(p.ssn, "2026-01", NULL);
	assert_err(yb_contribution_post(&f->ctx, &in, NULL, &e), e,
		   "employer.not_found");

	/* P2: tier 2 has no account to credit... */
	in = contrib(t2.ssn, "2026-01", "E1");
	assert_err(yb_contribution_post(&f->ctx, &in, NULL, &e), e,
		   "contribution.no_account");
	assert_ok(yb_ledger_check(&f->ctx, &rep, &ok, &e), e);
	assert_int_equal(rep.transactions, 0);
	/* only the 2 persons and the employer were recorded */
	assert_int_equal(fx_audit_count(f), 3);
	/* ...but its contributions all go to the pool */
	in.account_credit_fen = 0;
	assert_ok(yb_contribution_post(&f->ctx, &in, NULL, &e), e);
	assert_int_equal(fx_system_balance(f, YB_ACC_FUND_POOL), 64000);
}

/* A4, Q2, X1: an employer posts for its own code and its own staff only. */
static void test_employer_actor(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_person staff;
	char idn[YB_IDNUM_SZ];
	yb_person_new pn = { .ssn = "100000002", .id_number = idn,
			     .name = "李四", .scheme = "employee_tier1",
			     .employer_code = "E2" };
	yb_contribution_new in = contrib(pn.ssn, "2026-01", "E1");
	yb_ledger_report rep;
	bool ok;
	yb_err e;

	fx_employer(f, "E1");
	fx_employer(f, "E2");
	fx_idnum(idn, "440301", "19500101", 2);
	fx_admin(f);
	assert_ok(yb_person_register(&f->ctx, &pn, &staff, &e), e);
	/* issue 14: E2's key on somebody who is not its employee is refused
	 * as if he did not exist, even under E2's own code */
	fx_act(f, YB_ROLE_EMPLOYER, YB_CHAN_API, "key:5");
	snprintf(f->ctx.actor.employer_code, sizeof f->ctx.actor.employer_code,
		 "E2");
	{
		yb_contribution_new other = contrib(p.ssn, "2026-01", "E2");
		assert_err(yb_contribution_post(&f->ctx, &other, NULL, &e), e,
			   "person.not_found");
	}
	p = staff;
	fx_act(f, YB_ROLE_EMPLOYER, YB_CHAN_API, "key:5");
	snprintf(f->ctx.actor.employer_code, sizeof f->ctx.actor.employer_code,
		 "E2");
	assert_err(yb_contribution_post(&f->ctx, &in, NULL, &e), e,
		   "auth.forbidden");
	in.employer_code = "E2";
	assert_ok(yb_contribution_post(&f->ctx, &in, NULL, &e), e);
	assert_err(yb_ledger_check(&f->ctx, &rep, &ok, &e), e,
		   "auth.forbidden");
	fx_act(f, YB_ROLE_INSTITUTION, YB_CHAN_API, "key:6");
	assert_err(yb_contribution_post(&f->ctx, &in, NULL, &e), e,
		   "auth.forbidden");
	fx_act(f, YB_ROLE_AGENCY_WINDOW, YB_CHAN_AGENCY_WINDOW, "key:7");
	in.period = "2026-02";
	assert_ok(yb_contribution_post(&f->ctx, &in, NULL, &e), e);
	assert_int_equal(fx_balance(f, p.id), 60000);
}

/* X3: the chain verifies; it is walked record by record. */
static void test_audit_verify(void **state)
{
	fx *f = *state;
	yb_audit_report rep;
	yb_audit_record *recs = NULL;
	int n = 0;
	yb_err e;

	assert_ok(yb_audit_verify(&f->ctx, &rep, &e), e);
	assert_true(rep.ok);
	assert_int_equal(rep.records, 0);

	fx_person(f, 1, "employee_tier1");
	fx_person(f, 2, "resident");
	fx_credit(f, "100000001", "2026-01", 500);
	assert_ok(yb_audit_verify(&f->ctx, &rep, &e), e);
	assert_true(rep.ok);
	assert_int_equal(rep.records, 4);
	assert_int_equal(rep.first_bad_seq, 0);

	/* newest first, linked */
	assert_ok(yb_audit_list(&f->ctx, 0, 10, &recs, &n, &e), e);
	assert_int_equal(n, 4);
	assert_int_equal(recs[0].seq, 4);
	assert_string_equal(recs[0].action, "contribution.post");
	assert_string_equal(recs[0].prev_hash, recs[1].hash);
	assert_string_equal(recs[3].prev_hash,
			    "0000000000000000000000000000000000000000000000000000000000000000");
	free(recs);
	assert_ok(yb_audit_list(&f->ctx, 3, 10, &recs, &n, &e), e);
	assert_int_equal(n, 2);
	assert_int_equal(recs[0].seq, 2);
	free(recs);

	fx_act(f, YB_ROLE_AGENCY_WINDOW, YB_CHAN_AGENCY_WINDOW, "key:1");
	assert_err(yb_audit_verify(&f->ctx, &rep, &e), e, "auth.forbidden");
	assert_err(yb_audit_list(&f->ctx, 0, 10, &recs, &n, &e), e,
		   "auth.forbidden");
}

/* X3: a record changed behind the service's back is found.  Needs a
 * second, raw connection to the database file: SQLite only. */
static void test_audit_tamper(void **state)
{
	fx *f = *state;
	yb_audit_report rep;
	const char *path;
	sqlite3 *db;
	char *msg = NULL;
	yb_err e;

	if (strcmp(yb_test_engine(), "sqlite") != 0)
		skip();
	fx_person(f, 1, "employee_tier1");
	fx_person(f, 2, "employee_tier1");
	fx_person(f, 3, "employee_tier1");

	path = strncmp(f->url, "sqlite:", 7) == 0 ? f->url + 7 : f->url;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	/* Someone with the file drops the append-only trigger first. */
	if (sqlite3_exec(db, "DROP TRIGGER audit_no_update; "
			 "UPDATE audit SET target = 'person:1' WHERE seq = 2",
			 NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("tamper: %s", msg);
	sqlite3_close(db);

	assert_ok(yb_audit_verify(&f->ctx, &rep, &e), e);
	assert_false(rep.ok);
	assert_int_equal(rep.first_bad_seq, 2);
	assert_int_equal(rep.records, 3);
	assert_true(rep.problem[0] != '\0');
}

/* Rows pointing at no row: PostgreSQL no longer checks these foreign
 * keys per row (pg/schema.c 12), so `ledger check` must see what they
 * prevented, on both engines.  Planted through a raw connection: an
 * entry at no account (in a balanced transaction, so that only this
 * check can see it), then a share at no settlement. */
static void test_dangling(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_contribution_new in = contrib(p.ssn, "2026-01", "E1");
	yb_ledger_report rep;
	bool ok;
	yb_err e;

	fx_employer(f, "E1");
	assert_ok(yb_contribution_post(&f->ctx, &in, NULL, &e), e);
	assert_ok(yb_ledger_check(&f->ctx, &rep, &ok, &e), e);
	assert_true(ok);
	assert_int_equal(rep.dangling_refs, 0);

	yb_test_raw_exec(f->url,
		"INSERT INTO ledger_txns (id, kind, ref, at) "
		"  VALUES (900001, 'test', 'planted', 0); "
		"INSERT INTO ledger_entries (txn_id, account_id, amount_fen, "
		"  balance_after_fen) VALUES (900001, 900098, 5, 5), "
		"  (900001, 900099, -5, -5)");
	assert_ok(yb_ledger_check(&f->ctx, &rep, &ok, &e), e);
	assert_false(ok);
	assert_int_equal(rep.dangling_refs, 2);
	assert_int_equal(rep.unbalanced_transactions, 0);
	assert_int_equal(rep.mismatched_accounts, 0);
	assert_int_equal(rep.sum_entries_fen, 0);
	assert_int_equal(rep.sum_balances_fen, 0);

	yb_test_raw_exec(f->url,
		"INSERT INTO settlement_shares (settlement_id, seq, "
		"  payer_person_id, account_id, relationship, amount_fen) "
		"  VALUES (900001, 0, (SELECT min(id) FROM persons), "
		"  (SELECT min(id) FROM accounts), 'self', 100)");
	assert_ok(yb_ledger_check(&f->ctx, &rep, &ok, &e), e);
	assert_false(ok);
	assert_int_equal(rep.dangling_refs, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_post),
		T(test_duplicate),
		T(test_bad_input),
		T(test_dangling),
		T(test_employer_actor),
		T(test_audit_verify),
		T(test_audit_tamper),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
