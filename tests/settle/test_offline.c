/*
 * test_offline.c — visits paid in cash while the equipment failed, and
 * their re-settlement at the same institution within the window (S6).
 */
#include "sfx.h"

#include <stdio.h>

typedef struct scene {
	yb_person patient, a;
	yb_card card;
} scene;

/* A patient with 10.00 of his own and a parent with 100.00 for him. */
static scene scene_make(fx *f)
{
	scene s;

	s.patient = sfx_insured(f, 1, 1000);
	s.a = sfx_insured(f, 2, 10000);
	s.card = sfx_card(f, &s.patient, true);
	sfx_bind(f, &s.a, &s.patient, "parent");
	sfx_institution(f, "H1");
	sfx_institution(f, "H2");
	sfx_as_inst(f, "H1");
	return s;
}

static int record(fx *f, const scene *s, const char *txn, int64_t total,
		  int64_t fund, yb_time at, yb_offline *out, yb_err *e)
{
	yb_offline_req req = { txn, "card", s->card.card_no, "outpatient",
			       total, fund, at };

	yb_err_clear(e);
	return yb_offline_record(&f->ctx, &req, out, e);
}

/* S6: recording moves no money; re-settling pays the account part as if
 * online now and answers the cash to give back. */
static void test_resettle(void **state)
{
	fx *f = *state;
	scene s = scene_make(f);
	int64_t cash0 = fx_system_balance(f, YB_ACC_PATIENT_CASH);
	yb_offline o, o2;
	yb_settlement st;
	char txn[YB_TXN_ID_SZ];
	yb_err e;

	assert_ok(record(f, &s, "OFF1", 20000, 5000, f->now - 3600, &o, &e),
		  e);
	assert_int_equal(o.state, YB_OFFLINE_CASH_PAID);
	assert_int_equal(o.patient_id, s.patient.id);
	assert_int_equal(fx_balance(f, s.patient.id), 1000);
	assert_int_equal(fx_system_balance(f, YB_ACC_PATIENT_CASH), cash0);
	/* balances change between the visit and the re-settlement: the
	 * re-settlement uses those of its own time */
	fx_credit(f, s.patient.ssn, "2026-02", 500);
	f->now += 2 * 86400;
	assert_ok(yb_offline_resettle(&f->ctx, o.id, &o2, &st, &e), e);
	assert_int_equal(o2.state, YB_OFFLINE_RESETTLED);
	assert_int_equal(st.offline_id, o.id);
	snprintf(txn, sizeof txn, "offline:%lld", (long long)o.id);
	assert_string_equal(st.txn_id, txn);
	assert_int_equal(st.nshares, 2);
	assert_int_equal(st.shares[0].amount_fen, 1500);
	assert_int_equal(st.shares[1].payer_person_id, s.a.id);
	assert_int_equal(st.shares[1].amount_fen, 10000);
	assert_int_equal(st.account_pay_fen, 11500);
	assert_int_equal(st.cash_pay_fen, 3500);
	assert_int_equal(o2.refund_fen, 11500);
	assert_int_equal(o2.settlement_id, st.id);
	assert_int_equal(fx_balance(f, s.a.id), 0);
	assert_ok(yb_offline_get(&f->ctx, o.id, &o2, &e), e);
	assert_int_equal(o2.state, YB_OFFLINE_RESETTLED);
	assert_int_equal(o2.refund_fen, 11500);
	/* the institution may settle its own txn_id "OFF1" online too */
	assert_ok(sfx_settle(f, "OFF1", "card", s.card.card_no, "outpatient",
			     100, 0, &st, NULL, &e), e);
	sfx_ledger_ok(f);
}

/* S6: at the same institution only, once only. */
static void test_same_institution_once(void **state)
{
	fx *f = *state;
	scene s = scene_make(f);
	yb_offline o, o2;
	yb_settlement st;
	yb_err e;

	assert_ok(record(f, &s, "OFF1", 2000, 0, f->now, &o, &e), e);
	sfx_as_inst(f, "H2");
	assert_err(yb_offline_resettle(&f->ctx, o.id, &o2, &st, &e), e,
		   "offline.wrong_institution");
	assert_err(yb_offline_get(&f->ctx, o.id, &o2, &e), e,
		   "offline.not_found");
	sfx_as_inst(f, "H1");
	assert_ok(yb_offline_resettle(&f->ctx, o.id, &o2, &st, &e), e);
	assert_err(yb_offline_resettle(&f->ctx, o.id, &o2, &st, &e), e,
		   "offline.already_resettled");
	assert_err(yb_offline_resettle(&f->ctx, 424242, &o2, &st, &e), e,
		   "offline.not_found");
	assert_int_equal(fx_balance(f, s.patient.id), 0);
	assert_int_equal(fx_balance(f, s.a.id), 9000);
}

/* S6: within the window (30 days by default) of the visit. */
static void test_window(void **state)
{
	fx *f = *state;
	scene s = scene_make(f);
	yb_time visit = f->now;
	yb_offline o, o2;
	yb_settlement st;
	yb_err e;

	assert_ok(record(f, &s, "OFF1", 2000, 0, visit, &o, &e), e);
	f->now = visit + 30 * 86400 + 1;
	assert_err(yb_offline_resettle(&f->ctx, o.id, &o2, &st, &e), e,
		   "offline.window_expired");
	assert_int_equal(fx_balance(f, s.patient.id), 1000);
	/* recording a visit already too old is refused at once */
	assert_err(record(f, &s, "OFF2", 2000, 0, visit - 86400, &o, &e), e,
		   "offline.window_expired");
	/* a visit in the future is not a visit */
	assert_err(record(f, &s, "OFF3", 2000, 0, f->now + 60, &o, &e), e,
		   "request.invalid_field");
	/* on the last second of the window it still works */
	assert_ok(record(f, &s, "OFF4", 2000, 0, f->now - 86400, &o, &e), e);
	f->now += 29 * 86400;
	assert_ok(yb_offline_resettle(&f->ctx, o.id, &o2, &st, &e), e);
}

/* S6: one offline record per (institution, txn_id); the visit's
 * e-credential is judged as of the visit; a lost card is refused (C5). */
static void test_record_checks(void **state)
{
	fx *f = *state;
	scene s = scene_make(f);
	yb_offline_req req = { "OFF9", "ecert", NULL, "pharmacy", 800, 0, 0 };
	char tok[YB_ECERT_TOKEN_SZ];
	yb_time exp;
	yb_offline o;
	yb_card c;
	yb_err e;

	assert_ok(record(f, &s, "OFF1", 2000, 0, f->now, &o, &e), e);
	assert_err(record(f, &s, "OFF1", 2000, 0, f->now, &o, &e), e,
		   "offline.txn_id_reused");
	sfx_as_person(f, &s.patient);
	assert_ok(yb_ecert_issue_for(&f->ctx, NULL, tok, sizeof tok, &exp,
				     &e), e);
	req.cred_value = tok;
	req.occurred_at = f->now + 10;
	f->now += 3600;                 /* typed in an hour later */
	sfx_as_inst(f, "H1");
	assert_ok(yb_offline_record(&f->ctx, &req, &o, &e), e);
	assert_int_equal(o.patient_id, s.patient.id);
	fx_admin(f);
	assert_ok(yb_card_report_loss(&f->ctx, s.card.card_no, &c, &e), e);
	sfx_as_inst(f, "H1");
	assert_err(record(f, &s, "OFF2", 2000, 0, f->now, &o, &e), e,
		   "settlement.credential_invalid");
	assert_err(record(f, &s, "OFF3", 2000, 3000, f->now, &o, &e), e,
		   "settlement.invalid_amounts");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_resettle),
		T(test_same_institution_once),
		T(test_window),
		T(test_record_checks),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
