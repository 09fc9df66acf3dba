/*
 * test_payorder.c — who pays for a bill, in which order (SPEC S3, F9)
 * (src/core/payorder.c).
 *
 * Table-driven: each case gives the patient's account, the authorizers
 * (in deliberately unsorted order) and the expected shares, each share
 * naming the candidate by its index in the input (-1 = own account).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/payorder.h"

#define MAXC 4

struct cand {
	int64_t balance;
	yb_time bound_at;
	yb_id binding_id;
	yb_status status;
	bool closed;
};

struct expect_share {
	int candidate;
	int64_t amount;
};

static const struct pay_case {
	const char *name;            /* with the rule it proves */
	int64_t payable;
	bool has_account;
	int64_t own;
	bool family;
	int64_t floor;
	int ncand;
	struct cand cand[MAXC];
	int nshares;
	struct expect_share shares[MAXC + 1];
	int64_t cash;
} cases[] = {
	{ "S3 issue example: own 30.00, then 250.00, then 20.00",
	  30000, true, 3000, true, 0,
	  2, { { 10000, 100, 1, YB_STATUS_ACTIVE, false },
	       { 25000, 200, 2, YB_STATUS_ACTIVE, false } },
	  3, { { -1, 3000 }, { 1, 25000 }, { 0, 2000 } }, 0 },
	{ "S3 same bill as inpatient: no family use, rest in cash",
	  30000, true, 3000, false, 0,
	  2, { { 10000, 100, 1, YB_STATUS_ACTIVE, false },
	       { 25000, 200, 2, YB_STATUS_ACTIVE, false } },
	  1, { { -1, 3000 } }, 27000 },
	{ "S3 no own account: relatives from the first fen",
	  30000, false, 0, true, 0,
	  2, { { 10000, 100, 1, YB_STATUS_ACTIVE, false },
	       { 25000, 200, 2, YB_STATUS_ACTIVE, false } },
	  2, { { 1, 25000 }, { 0, 5000 } }, 0 },
	{ "S3 no own account, balance ignored",
	  1000, false, 999999, true, 0,
	  1, { { 5000, 100, 1, YB_STATUS_ACTIVE, false } },
	  1, { { 0, 1000 } }, 0 },
	{ "S3 own account at zero before the bill",
	  4000, true, 0, true, 0,
	  1, { { 5000, 100, 1, YB_STATUS_ACTIVE, false } },
	  1, { { 0, 4000 } }, 0 },
	{ "S3 own balance covers it all: relatives untouched",
	  30000, true, 50000, true, 0,
	  2, { { 10000, 100, 1, YB_STATUS_ACTIVE, false },
	       { 25000, 200, 2, YB_STATUS_ACTIVE, false } },
	  1, { { -1, 30000 } }, 0 },
	{ "S3 own balance exactly the bill",
	  30000, true, 30000, true, 0,
	  1, { { 25000, 200, 2, YB_STATUS_ACTIVE, false } },
	  1, { { -1, 30000 } }, 0 },
	{ "S3 everyone short: the rest in cash",
	  50000, true, 3000, true, 0,
	  2, { { 10000, 100, 1, YB_STATUS_ACTIVE, false },
	       { 25000, 200, 2, YB_STATUS_ACTIVE, false } },
	  3, { { -1, 3000 }, { 1, 25000 }, { 0, 10000 } }, 12000 },
	{ "F9 floor: only the part above 50.00 is shared",
	  30000, true, 3000, true, 5000,
	  2, { { 10000, 100, 1, YB_STATUS_ACTIVE, false },
	       { 25000, 200, 2, YB_STATUS_ACTIVE, false } },
	  3, { { -1, 3000 }, { 1, 20000 }, { 0, 5000 } }, 2000 },
	{ "F9 floor does not apply to the patient's own account",
	  3000, true, 3000, true, 5000,
	  0, { { 0 } },
	  1, { { -1, 3000 } }, 0 },
	{ "F9 balance at or below the floor pays nothing",
	  3000, false, 0, true, 5000,
	  2, { { 5000, 100, 1, YB_STATUS_ACTIVE, false },
	       { 4000, 200, 2, YB_STATUS_ACTIVE, false } },
	  0, { { 0 } }, 3000 },
	{ "S3 ties on balance: the older binding first",
	  15000, false, 0, true, 0,
	  3, { { 10000, 300, 1, YB_STATUS_ACTIVE, false },
	       { 10000, 100, 9, YB_STATUS_ACTIVE, false },
	       { 10000, 200, 5, YB_STATUS_ACTIVE, false } },
	  2, { { 1, 10000 }, { 2, 5000 } }, 0 },
	{ "S3 ties on balance and time: the lower binding id first",
	  15000, false, 0, true, 0,
	  3, { { 10000, 100, 8, YB_STATUS_ACTIVE, false },
	       { 10000, 100, 3, YB_STATUS_ACTIVE, false },
	       { 10000, 100, 5, YB_STATUS_ACTIVE, false } },
	  2, { { 1, 10000 }, { 2, 5000 } }, 0 },
	{ "S3 a suspended or terminated authorizer is skipped",
	  30000, false, 0, true, 0,
	  3, { { 90000, 100, 1, YB_STATUS_SUSPENDED, false },
	       { 80000, 100, 2, YB_STATUS_TERMINATED, false },
	       { 1000, 100, 3, YB_STATUS_ACTIVE, false } },
	  1, { { 2, 1000 } }, 29000 },
	{ "S3 a closed account is skipped",
	  30000, false, 0, true, 0,
	  2, { { 90000, 100, 1, YB_STATUS_ACTIVE, true },
	       { 1000, 100, 3, YB_STATUS_ACTIVE, false } },
	  1, { { 1, 1000 } }, 29000 },
	{ "S3 zero-balance authorizers give no empty shares",
	  30000, true, 0, true, 0,
	  2, { { 0, 100, 1, YB_STATUS_ACTIVE, false },
	       { 0, 100, 3, YB_STATUS_ACTIVE, false } },
	  0, { { 0 } }, 30000 },
	{ "S3 zero payable: nobody pays",
	  0, true, 3000, true, 0,
	  1, { { 25000, 200, 2, YB_STATUS_ACTIVE, false } },
	  0, { { 0 } }, 0 },
	{ "S3 no candidates at all",
	  700, true, 300, true, 0,
	  0, { { 0 } },
	  1, { { -1, 300 } }, 400 },
};

static void run_case(const struct pay_case *c)
{
	yb_payer_candidate cands[MAXC];
	yb_pay_input in;
	yb_pay_result out;
	yb_err err;
	int64_t sum = 0;

	memset(cands, 0, sizeof cands);
	for (int i = 0; i < c->ncand; i++) {
		cands[i].binding_id = c->cand[i].binding_id;
		cands[i].person_id = 100 + i;
		cands[i].account_id = 200 + i;
		cands[i].balance_fen = c->cand[i].balance;
		cands[i].bound_at = c->cand[i].bound_at;
		cands[i].status = c->cand[i].status;
		cands[i].account_open = !c->cand[i].closed;
		cands[i].relationship = YB_REL_SPOUSE;
	}
	memset(&in, 0, sizeof in);
	in.payable_fen = c->payable;
	in.patient_has_account = c->has_account;
	in.patient_balance_fen = c->own;
	in.family_allowed = c->family;
	in.share_floor_fen = c->floor;
	in.ncandidates = c->ncand;
	in.candidates = cands;

	yb_err_clear(&err);
	if (yb_payorder_compute(&in, &out, &err) != 0)
		fail_msg("%s: %s", c->name, err.message);
	if (out.nshares != c->nshares)
		fail_msg("%s: %d shares, expected %d", c->name, out.nshares,
			 c->nshares);
	for (int i = 0; i < c->nshares; i++) {
		if (out.shares[i].candidate != c->shares[i].candidate ||
		    out.shares[i].amount_fen != c->shares[i].amount)
			fail_msg("%s: share %d is (%d, %lld), expected (%d, %lld)",
				 c->name, i, out.shares[i].candidate,
				 (long long)out.shares[i].amount_fen,
				 c->shares[i].candidate,
				 (long long)c->shares[i].amount);
		sum += out.shares[i].amount_fen;
	}
	if (out.cash_pay_fen != c->cash)
		fail_msg("%s: cash %lld, expected %lld", c->name,
			 (long long)out.cash_pay_fen, (long long)c->cash);
	if (out.account_pay_fen != sum ||
	    out.account_pay_fen + out.cash_pay_fen != c->payable)
		fail_msg("%s: totals do not add up", c->name);
}

/* S3, F9: the table above. */
static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_case(&cases[i]);
}

/* S3: at most YB_MAX_SHARES - 1 relatives pay, the richest ones, with or
 * without an own account. */
static void test_many_candidates(void **state)
{
	enum { N = 45 };
	yb_payer_candidate cands[N];
	yb_pay_input in;
	yb_pay_result out;
	yb_err err;
	(void)state;

	memset(cands, 0, sizeof cands);
	for (int i = 0; i < N; i++) {
		cands[i].binding_id = i + 1;
		/* Balances 100, 200, ... scrambled over the input. */
		cands[i].balance_fen = 100 * (1 + (i * 7) % N);
		cands[i].status = YB_STATUS_ACTIVE;
		cands[i].account_open = true;
	}
	for (int own = 0; own <= 1; own++) {
		int64_t prev = INT64_MAX, sum = 0;
		memset(&in, 0, sizeof in);
		in.payable_fen = 100000000;
		in.patient_has_account = own;
		in.patient_balance_fen = 50;
		in.family_allowed = true;
		in.ncandidates = N;
		in.candidates = cands;
		assert_int_equal(yb_payorder_compute(&in, &out, &err), 0);
		assert_int_equal(out.nshares, YB_MAX_SHARES - 1 + own);
		if (own) {
			assert_int_equal(out.shares[0].candidate, -1);
			assert_int_equal(out.shares[0].amount_fen, 50);
		}
		for (int i = own; i < out.nshares; i++) {
			const yb_payer_candidate *c =
				&cands[out.shares[i].candidate];
			/* Each pays his whole balance, richest first: the
			 * 31 payers are 4500, 4400, ... 1500. */
			assert_true(out.shares[i].amount_fen == c->balance_fen);
			assert_true(c->balance_fen < prev);
			assert_true(c->balance_fen == 100 * (N - (i - own)));
			prev = c->balance_fen;
			sum += c->balance_fen;
		}
		assert_true(out.account_pay_fen == sum + (own ? 50 : 0));
		assert_true(out.cash_pay_fen == in.payable_fen - out.account_pay_fen);
	}
}

/* S2: negative amounts are refused, and the result is left empty. */
static void test_invalid(void **state)
{
	yb_payer_candidate cand;
	yb_pay_input in;
	yb_pay_result out;
	yb_err err;
	(void)state;

	memset(&cand, 0, sizeof cand);
	cand.status = YB_STATUS_ACTIVE;
	cand.account_open = true;
	cand.balance_fen = 100;

	for (int which = 0; which < 5; which++) {
		memset(&in, 0, sizeof in);
		in.payable_fen = 1000;
		in.patient_has_account = true;
		in.patient_balance_fen = 10;
		in.family_allowed = true;
		in.ncandidates = 1;
		in.candidates = &cand;
		cand.balance_fen = 100;
		switch (which) {
		case 0: in.payable_fen = -1; break;
		case 1: in.patient_balance_fen = -1; break;
		case 2: cand.balance_fen = -1; break;
		case 3: in.share_floor_fen = -1; break;
		case 4: in.candidates = NULL; break;
		}
		yb_err_clear(&err);
		assert_int_equal(yb_payorder_compute(&in, &out, &err), -1);
		assert_string_equal(err.code, "settlement.invalid_amounts");
		assert_int_equal(out.nshares, 0);
	}
	/* Without an account the own balance is not looked at (S3). */
	cand.balance_fen = 100;
	in.payable_fen = 1000;
	in.patient_has_account = false;
	in.patient_balance_fen = -5;
	in.share_floor_fen = 0;
	in.candidates = &cand;
	assert_int_equal(yb_payorder_compute(&in, &out, &err), 0);
	assert_true(out.cash_pay_fen == 900);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_many_candidates),
		cmocka_unit_test(test_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
