/*
 * test_settle.c — settlement at designated institutions: the payment
 * order over the family's accounts (S3, F9), idempotency (S4), previews,
 * revocation (S5), credentials (C1, C4, C5), institutions (S1).
 */
#include "sfx.h"

#include <stdio.h>
#include <stdlib.h>

/* A patient with his own account and two relatives who authorized him. */
typedef struct family {
	yb_person patient, a, b;         /* a: 100.00, b: 250.00 by default */
	yb_card card;
	yb_binding bind_a, bind_b;
} family;

static family family_make(fx *f, int64_t own, int64_t a, int64_t b)
{
	family fam;

	fam.patient = sfx_insured(f, 1, own);
	fam.a = sfx_insured(f, 2, a);
	fam.b = sfx_insured(f, 3, b);
	fam.card = sfx_card(f, &fam.patient, true);
	fam.bind_a = sfx_bind(f, &fam.a, &fam.patient, "child");
	fam.bind_b = sfx_bind(f, &fam.b, &fam.patient, "parent");
	sfx_institution(f, "H1");
	sfx_institution(f, "H2");
	sfx_as_inst(f, "H1");
	return fam;
}

static int64_t account_balance(fx *f, yb_id account_id)
{
	yb_account a;
	yb_err e;

	assert_ok(f->st->ops->begin(f->st, false, &e), e);
	assert_int_equal(f->st->ops->account_by_id(f->st, account_id, &a, &e),
			 1);
	f->st->ops->rollback(f->st);
	return a.balance_fen;
}

static yb_id receivable_of(fx *f, const char *code)
{
	yb_institution inst;
	yb_err e;

	assert_ok(f->st->ops->begin(f->st, false, &e), e);
	assert_int_equal(f->st->ops->institution_by_code(f->st, code, &inst,
							 &e), 1);
	f->st->ops->rollback(f->st);
	return inst.receivable_account_id;
}

static void assert_share(const yb_share *s, yb_id person, int64_t amount,
			 yb_relationship rel)
{
	assert_int_equal(s->payer_person_id, person);
	assert_int_equal(s->amount_fen, amount);
	assert_int_equal(s->relationship, rel);
}

/* S3: own 30.00, then the richer relative 250.00, then 20.00 of 100.00 —
 * itemized in that order, each share naming its payer and binding. */
static void test_order_outpatient(void **state)
{
	fx *f = *state;
	family fam = family_make(f, 3000, 10000, 25000);
	yb_settlement s;
	bool repeat;
	yb_err e;

	assert_ok(sfx_settle(f, "T1", "card", fam.card.card_no, "outpatient",
			     30000, 0, &s, &repeat, &e), e);
	assert_false(repeat);
	assert_true(s.id > 0);
	assert_int_equal(s.state, YB_SETTLE_SETTLED);
	assert_int_equal(s.nshares, 3);
	assert_share(&s.shares[0], fam.patient.id, 3000, YB_REL_SELF);
	assert_share(&s.shares[1], fam.b.id, 25000, YB_REL_PARENT);
	assert_share(&s.shares[2], fam.a.id, 2000, YB_REL_CHILD);
	assert_int_equal(s.shares[1].binding_id, fam.bind_b.id);
	assert_string_equal(s.shares[1].payer_ssn, fam.b.ssn);
	assert_int_equal(s.shares[2].binding_id, fam.bind_a.id);
	assert_int_equal(s.shares[0].binding_id, 0);
	assert_int_equal(s.cash_pay_fen, 0);
	assert_string_equal(s.patient_ssn, fam.patient.ssn);
	assert_string_equal(s.institution_code, "H1");
}

/* S2, S3, F9: how one bill splits over the patient's own account, the
 * two relatives' (a, b) and cash, and where the money goes. */
static const struct order_case {
	const char *rule;
	const char *visit;
	int64_t own, a, b, floor;        /* balances before; share floor */
	int64_t total, fund;
	int64_t pay_own, pay_a, pay_b, cash;
} order_cases[] = {
	{ "S3 worked example", "outpatient", 3000, 10000, 25000, 0,
	  30000, 0, 3000, 2000, 25000, 0 },
	{ "S3 inpatient is not a family visit type", "inpatient",
	  3000, 10000, 25000, 0, 30000, 0, 3000, 0, 0, 27000 },
	{ "S2 fund part first; S3 pharmacy is a family visit type",
	  "pharmacy", 3000, 10000, 0, 0, 50000, 20000, 3000, 10000, 0, 17000 },
	{ "S3 own account covers: nobody else pays", "outpatient",
	  50000, 10000, 25000, 0, 30000, 0, 30000, 0, 0, 0 },
	{ "F9 only the part above the floor is shared", "outpatient",
	  0, 10000, 7000, 6000, 9000, 0, 0, 4000, 1000, 4000 },
	{ "S2 all paid by the fund", "outpatient", 3000, 10000, 25000, 0,
	  30000, 30000, 0, 0, 0, 0 },
};

/* What this person paid; nobody is listed as paying 0. */
static void check_pay(const yb_settlement *s, yb_id person, int64_t want)
{
	const yb_share *sh = sfx_share_of(s, person);

	assert_int_equal(sh ? sh->amount_fen : 0, want);
	if (sh)
		assert_true(sh->amount_fen > 0);
}

/* Each case on a fresh store of its own. */
static void test_order_cases(void **unused)
{
	for (size_t i = 0; i < sizeof order_cases / sizeof order_cases[0];
	     i++) {
		const struct order_case *c = &order_cases[i];
		char floor[32];
		void *state;
		int64_t fund0, cash0;
		yb_settlement s;
		family fam;
		yb_err e;
		fx *f;

		print_message("%s\n", c->rule);
		fx_setup(&state);
		f = state;
		fam = family_make(f, c->own, c->a, c->b);
		snprintf(floor, sizeof floor, "%lld", (long long)c->floor);
		assert_ok(yb_settings_set(&f->settings, "share_floor_fen",
					  floor, &e), e);
		fund0 = fx_system_balance(f, YB_ACC_FUND_POOL);
		cash0 = fx_system_balance(f, YB_ACC_PATIENT_CASH);
		assert_ok(sfx_settle(f, "T1", "card", fam.card.card_no,
				     c->visit, c->total, c->fund, &s, NULL,
				     &e), e);
		check_pay(&s, fam.patient.id, c->pay_own);
		check_pay(&s, fam.a.id, c->pay_a);
		check_pay(&s, fam.b.id, c->pay_b);
		assert_int_equal(s.account_pay_fen,
				 c->pay_own + c->pay_a + c->pay_b);
		assert_int_equal(s.cash_pay_fen, c->cash);
		assert_int_equal(fx_balance(f, fam.patient.id),
				 c->own - c->pay_own);
		assert_int_equal(fx_balance(f, fam.a.id), c->a - c->pay_a);
		assert_int_equal(fx_balance(f, fam.b.id), c->b - c->pay_b);
		assert_int_equal(fx_system_balance(f, YB_ACC_FUND_POOL),
				 fund0 - c->fund);
		assert_int_equal(fx_system_balance(f, YB_ACC_PATIENT_CASH),
				 cash0 - c->cash);
		assert_int_equal(account_balance(f, receivable_of(f, "H1")),
				 c->total);
		sfx_ledger_ok(f);
		fx_teardown(&state);
	}
}

/* S3: a patient without a personal account (tier 2) is paid for by his
 * relatives straight away. */
static void test_no_own_account(void **state)
{
	fx *f = *state;
	yb_person p = sfx_other(f, 1, "employee_tier2");
	yb_person a = sfx_insured(f, 2, 10000);
	yb_settlement s;
	yb_err e;

	sfx_bind(f, &a, &p, "spouse");
	sfx_institution(f, "H1");
	sfx_as_inst(f, "H1");
	assert_ok(sfx_settle(f, "T1", "id_number", p.id_number, "outpatient",
			     4000, 0, &s, NULL, &e), e);
	assert_int_equal(s.nshares, 1);
	assert_share(&s.shares[0], a.id, 4000, YB_REL_SPOUSE);
	assert_int_equal(fx_balance(f, a.id), 6000);
}

/* F6, F8, S3: the richer relative b stops paying once he ends the
 * binding, is terminated, or is suspended; a alone pays. */
static void test_authorizer_stops_paying(void **unused)
{
	static const char *const why[] = { "F6 unbound", "F8 terminated",
					   "S3 suspended" };

	for (int i = 0; i < 3; i++) {
		void *state;
		yb_settlement s;
		yb_binding b;
		yb_person out;
		family fam;
		yb_err e;
		fx *f;

		print_message("%s\n", why[i]);
		fx_setup(&state);
		f = state;
		fam = family_make(f, 0, 10000, 25000);
		fx_admin(f);
		if (i == 0) {
			sfx_as_person(f, &fam.b);
			assert_ok(yb_unbind(&f->ctx, fam.bind_b.id, NULL, &b,
					    &e), e);
		} else if (i == 1) {
			assert_ok(yb_person_terminate(&f->ctx, fam.b.ssn,
						      "emigrated", &out, &e), e);
		} else {
			assert_ok(yb_person_suspend(&f->ctx, fam.b.ssn, &out,
						    &e), e);
		}
		sfx_as_inst(f, "H1");
		assert_ok(sfx_settle(f, "T1", "card", fam.card.card_no,
				     "outpatient", 30000, 0, &s, NULL, &e), e);
		assert_int_equal(s.nshares, 1);
		assert_share(&s.shares[0], fam.a.id, 10000, YB_REL_CHILD);
		assert_int_equal(s.cash_pay_fen, 20000);
		if (i != 1)
			assert_int_equal(fx_balance(f, fam.b.id), 25000);
		sfx_ledger_ok(f);
		fx_teardown(&state);
	}
}

/* S4: a repeat returns the first result and moves no money. */
static void test_repeat(void **state)
{
	fx *f = *state;
	family fam = family_make(f, 3000, 10000, 25000);
	yb_settlement s1, s2;
	int64_t audits;
	bool repeat;
	yb_err e;

	assert_ok(sfx_settle(f, "T1", "card", fam.card.card_no, "outpatient",
			     30000, 0, &s1, &repeat, &e), e);
	audits = fx_audit_count(f);
	f->now += 60;
	assert_ok(sfx_settle(f, "T1", "card", fam.card.card_no, "outpatient",
			     30000, 0, &s2, &repeat, &e), e);
	assert_true(repeat);
	assert_int_equal(s2.id, s1.id);
	assert_int_equal(s2.nshares, 3);
	assert_int_equal(s2.account_pay_fen, 30000);
	assert_int_equal(s2.settled_at, s1.settled_at);
	assert_int_equal(fx_balance(f, fam.a.id), 8000);
	assert_int_equal(account_balance(f, receivable_of(f, "H1")), 30000);
	assert_int_equal(fx_audit_count(f), audits);
	/* The same txn_id at another institution is another settlement. */
	sfx_as_inst(f, "H2");
	assert_ok(sfx_settle(f, "T1", "card", fam.card.card_no, "outpatient",
			     100, 0, &s2, &repeat, &e), e);
	assert_false(repeat);
	sfx_ledger_ok(f);
}

/* S4: the same txn_id with other content is refused. */
static void test_txn_id_reused(void **state)
{
	fx *f = *state;
	family fam = family_make(f, 3000, 10000, 25000);
	yb_settlement s;
	yb_err e;

	assert_ok(sfx_settle(f, "T1", "card", fam.card.card_no, "outpatient",
			     30000, 0, &s, NULL, &e), e);
	assert_err(sfx_settle(f, "T1", "card", fam.card.card_no, "outpatient",
			      30001, 0, &s, NULL, &e), e,
		   "settlement.txn_id_reused");
	assert_err(sfx_settle(f, "T1", "card", fam.card.card_no, "pharmacy",
			      30000, 0, &s, NULL, &e), e,
		   "settlement.txn_id_reused");
	assert_err(sfx_settle(f, "T1", "id_number", fam.a.id_number,
			      "outpatient", 30000, 0, &s, NULL, &e), e,
		   "settlement.txn_id_reused");
	assert_int_equal(fx_balance(f, fam.a.id), 8000);
}

/* S5: revocation puts every share back where it came from. */
static void test_revoke_restores(void **state)
{
	fx *f = *state;
	family fam = family_make(f, 3000, 10000, 25000);
	int64_t fund0 = fx_system_balance(f, YB_ACC_FUND_POOL);
	int64_t cash0 = fx_system_balance(f, YB_ACC_PATIENT_CASH);
	yb_settlement s, r, again;
	int64_t audits;
	yb_err e;

	assert_ok(sfx_settle(f, "T1", "card", fam.card.card_no, "outpatient",
			     40000, 5000, &s, NULL, &e), e);
	assert_ok(yb_revoke(&f->ctx, s.id, &r, &e), e);
	assert_int_equal(r.state, YB_SETTLE_REVOKED);
	assert_true(r.revoke_txn_id > 0);
	assert_int_equal(fx_balance(f, fam.patient.id), 3000);
	assert_int_equal(fx_balance(f, fam.a.id), 10000);
	assert_int_equal(fx_balance(f, fam.b.id), 25000);
	assert_int_equal(fx_system_balance(f, YB_ACC_FUND_POOL), fund0);
	assert_int_equal(fx_system_balance(f, YB_ACC_PATIENT_CASH), cash0);
	assert_int_equal(account_balance(f, receivable_of(f, "H1")), 0);
	/* twice is harmless: nothing moves, nothing is recorded */
	audits = fx_audit_count(f);
	assert_ok(yb_revoke(&f->ctx, s.id, &again, &e), e);
	assert_int_equal(again.state, YB_SETTLE_REVOKED);
	assert_int_equal(again.revoke_txn_id, r.revoke_txn_id);
	assert_int_equal(fx_balance(f, fam.a.id), 10000);
	assert_int_equal(fx_audit_count(f), audits);
	assert_ok(yb_settlement_get(&f->ctx, s.id, &again, &e), e);
	assert_int_equal(again.state, YB_SETTLE_REVOKED);
	sfx_ledger_ok(f);
}

/* S5: a share goes back to its authorizer even after the binding ended;
 * to the closed-account liability if his account was closed since. */
static void test_revoke_after_unbind_and_termination(void **state)
{
	fx *f = *state;
	family fam = family_make(f, 0, 10000, 25000);
	int64_t closed0;
	yb_settlement s, r;
	yb_binding b;
	yb_person out;
	yb_err e;

	assert_ok(sfx_settle(f, "T1", "card", fam.card.card_no, "outpatient",
			     30000, 0, &s, NULL, &e), e);
	assert_int_equal(fx_balance(f, fam.a.id), 5000);
	sfx_as_person(f, &fam.a);
	assert_ok(yb_unbind(&f->ctx, fam.bind_a.id, NULL, &b, &e), e);
	fx_admin(f);
	assert_ok(yb_person_terminate(&f->ctx, fam.b.ssn, "deceased", &out,
				      &e), e);
	closed0 = fx_system_balance(f, YB_ACC_CLOSED_LIABILITY);
	sfx_as_inst(f, "H1");
	assert_ok(yb_revoke(&f->ctx, s.id, &r, &e), e);
	assert_int_equal(fx_balance(f, fam.a.id), 10000);
	assert_int_equal(fx_system_balance(f, YB_ACC_CLOSED_LIABILITY),
			 closed0 + 25000);
	sfx_ledger_ok(f);
}

/* S5, S1: another institution neither reads nor revokes. */
static void test_other_institution(void **state)
{
	fx *f = *state;
	family fam = family_make(f, 3000, 10000, 25000);
	yb_settlement s, r;
	yb_err e;

	assert_ok(sfx_settle(f, "T1", "card", fam.card.card_no, "outpatient",
			     30000, 0, &s, NULL, &e), e);
	sfx_as_inst(f, "H2");
	assert_err(yb_revoke(&f->ctx, s.id, &r, &e), e, "settlement.not_found");
	assert_err(yb_settlement_get(&f->ctx, s.id, &r, &e), e,
		   "settlement.not_found");
	assert_err(yb_settlement_get(&f->ctx, 999999, &r, &e), e,
		   "settlement.not_found");
	assert_int_equal(fx_balance(f, fam.a.id), 8000);
	sfx_as_inst(f, "H1");
	assert_ok(yb_settlement_get(&f->ctx, s.id, &r, &e), e);
	assert_int_equal(r.nshares, 3);
	assert_share(&r.shares[1], fam.b.id, 25000, YB_REL_PARENT);
}

/* Preview (NHSA 2206): the same split, nothing kept, nothing audited. */
static void test_preview(void **state)
{
	fx *f = *state;
	family fam = family_make(f, 3000, 10000, 25000);
	yb_settle_req req = { "T1", "card", fam.card.card_no, "outpatient",
			      30000, 0 };
	int64_t audits = fx_audit_count(f);
	yb_settlement p, s;
	bool repeat;
	yb_err e;

	assert_ok(yb_settle(&f->ctx, &req, true, &p, &repeat, &e), e);
	assert_int_equal(p.state, YB_SETTLE_PREVIEW);
	assert_int_equal(p.id, 0);
	assert_int_equal(p.nshares, 3);
	assert_share(&p.shares[2], fam.a.id, 2000, YB_REL_CHILD);
	assert_int_equal(fx_balance(f, fam.patient.id), 3000);
	assert_int_equal(fx_balance(f, fam.b.id), 25000);
	assert_int_equal(fx_audit_count(f), audits);
	/* nothing was kept: the real one is not a repeat */
	assert_ok(yb_settle(&f->ctx, &req, false, &s, &repeat, &e), e);
	assert_false(repeat);
	assert_int_equal(s.account_pay_fen, p.account_pay_fen);
	sfx_ledger_ok(f);
}

/* C5: a lost or cancelled card is refused with a clear error; so is an
 * unknown one. */
static void test_card_refused(void **state)
{
	fx *f = *state;
	family fam = family_make(f, 3000, 10000, 25000);
	yb_settlement s;
	yb_card c;
	yb_err e;

	assert_err(sfx_settle(f, "T1", "card", "NO-SUCH-CARD", "outpatient",
			      100, 0, &s, NULL, &e), e,
		   "settlement.credential_invalid");
	fx_admin(f);
	assert_ok(yb_card_report_loss(&f->ctx, fam.card.card_no, &c, &e), e);
	sfx_as_inst(f, "H1");
	assert_err(sfx_settle(f, "T1", "card", fam.card.card_no, "outpatient",
			      100, 0, &s, NULL, &e), e,
		   "settlement.credential_invalid");
	assert_non_null(strstr(e.message, "lost"));
	assert_int_equal(fx_balance(f, fam.patient.id), 3000);
}

/* C1: the e-credential settles while fresh; expired or tampered, not. */
static void test_ecert(void **state)
{
	fx *f = *state;
	family fam = family_make(f, 3000, 0, 0);
	char tok[YB_ECERT_TOKEN_SZ], bad[YB_ECERT_TOKEN_SZ];
	yb_settlement s;
	yb_time exp;
	size_t n;
	yb_err e;

	sfx_as_person(f, &fam.patient);
	assert_ok(yb_ecert_issue_for(&f->ctx, NULL, tok, sizeof tok, &exp,
				     &e), e);
	assert_int_equal(exp, f->now + f->settings.ecert_lifetime_seconds);
	sfx_as_inst(f, "H1");
	/* tampered: one character of the signature changed */
	snprintf(bad, sizeof bad, "%s", tok);
	n = strlen(bad);
	bad[n - 2] = bad[n - 2] == 'A' ? 'B' : 'A';
	assert_err(sfx_settle(f, "T0", "ecert", bad, "outpatient", 100, 0, &s,
			      NULL, &e), e, "settlement.credential_invalid");
	assert_ok(sfx_settle(f, "T1", "ecert", tok, "outpatient", 100, 0, &s,
			     NULL, &e), e);
	assert_int_equal(s.patient_id, fam.patient.id);
	assert_int_equal(s.cred_type, YB_CRED_ECERT);
	/* expired */
	f->now = exp + 1;
	assert_err(sfx_settle(f, "T2", "ecert", tok, "outpatient", 100, 0, &s,
			      NULL, &e), e, "settlement.credential_invalid");
	/* a repeat of T1 with a fresh token for the same patient is a
	 * repeat (S4): the credential counts by whom it names */
	sfx_as_person(f, &fam.patient);
	assert_ok(yb_ecert_issue_for(&f->ctx, NULL, tok, sizeof tok, &exp,
				     &e), e);
	sfx_as_inst(f, "H1");
	bool repeat = false;
	assert_ok(sfx_settle(f, "T1", "ecert", tok, "outpatient", 100, 0, &s,
			     &repeat, &e), e);
	assert_true(repeat);
	assert_int_equal(fx_balance(f, fam.patient.id), 2900);
}

/* U2: an ID number credential with a lower-case x names its holder. */
static void test_id_number_lower_x(void **state)
{
	fx *f = *state;
	yb_person_new in = { 0 };
	char idn[YB_IDNUM_SZ];
	yb_settlement s;
	yb_person p;
	yb_err e;
	int seq;

	for (seq = 0; seq < 1000; seq++) {
		fx_idnum(idn, "440301", "19800101", seq);
		if (idn[17] == 'X')
			break;
	}
	assert_int_equal(idn[17], 'X');
	in.ssn = "7654321";
	in.id_number = idn;
	in.name = "李四";
	in.scheme = "resident";
	fx_admin(f);
	assert_ok(yb_person_register(&f->ctx, &in, &p, &e), e);
	sfx_institution(f, "H1");
	sfx_as_inst(f, "H1");
	idn[17] = 'x';
	assert_ok(sfx_settle(f, "T1", "id_number", idn, "outpatient", 1000, 0,
			     &s, NULL, &e), e);
	assert_int_equal(s.patient_id, p.id);
	assert_int_equal(s.cash_pay_fen, 1000);
	assert_err(sfx_settle(f, "T2", "id_number", "440301198001010000",
			      "outpatient", 1000, 0, &s, NULL, &e), e,
		   "settlement.credential_invalid");
}

/* P3, P4: a terminated patient is not insured; a suspended one is. */
static void test_patient_status(void **state)
{
	fx *f = *state;
	family fam = family_make(f, 3000, 0, 0);
	yb_person other = sfx_insured(f, 9, 500), out;
	yb_settlement s;
	yb_err e;

	fx_admin(f);
	assert_ok(yb_person_suspend(&f->ctx, other.ssn, &out, &e), e);
	assert_ok(yb_person_terminate(&f->ctx, fam.patient.ssn, "deceased",
				      &out, &e), e);
	sfx_as_inst(f, "H1");
	assert_err(sfx_settle(f, "T1", "id_number", fam.patient.id_number,
			      "outpatient", 100, 0, &s, NULL, &e), e,
		   "settlement.patient_not_insured");
	assert_ok(sfx_settle(f, "T2", "id_number", other.id_number,
			     "outpatient", 100, 0, &s, NULL, &e), e);
	assert_int_equal(s.account_pay_fen, 100);
}

/* S2, X4: bad input is refused with a stable code and changes nothing. */
static void test_invalid_input(void **state)
{
	fx *f = *state;
	family fam = family_make(f, 3000, 0, 0);
	const char *no = fam.card.card_no;
	yb_settlement s;
	yb_err e;

	assert_err(sfx_settle(f, "T1", "card", no, "outpatient", 0, 0, &s,
			      NULL, &e), e, "settlement.invalid_amounts");
	assert_err(sfx_settle(f, "T1", "card", no, "outpatient", -5, 0, &s,
			      NULL, &e), e, "settlement.invalid_amounts");
	assert_err(sfx_settle(f, "T1", "card", no, "outpatient", 100, 101, &s,
			      NULL, &e), e, "settlement.invalid_amounts");
	assert_err(sfx_settle(f, "T1", "card", no, "outpatient", 100, -1, &s,
			      NULL, &e), e, "settlement.invalid_amounts");
	assert_err(sfx_settle(f, "T1", "card", no, "outpatient",
			      INT64_C(10000000000001), 0, &s, NULL, &e), e,
		   "settlement.invalid_amounts");
	assert_err(sfx_settle(f, "T1", "card", no, "dental", 100, 0, &s, NULL,
			      &e), e, "settlement.invalid_visit_type");
	assert_err(sfx_settle(f, "T1", "passport", no, "outpatient", 100, 0,
			      &s, NULL, &e), e, "request.invalid_field");
	assert_err(sfx_settle(f, "T:1", "card", no, "outpatient", 100, 0, &s,
			      NULL, &e), e, "request.invalid_field");
	assert_err(sfx_settle(f, "", "card", no, "outpatient", 100, 0, &s,
			      NULL, &e), e, "request.invalid_field");
	/* X1: only institutions settle */
	sfx_as_person(f, &fam.patient);
	assert_err(sfx_settle(f, "T1", "card", no, "outpatient", 100, 0, &s,
			      NULL, &e), e, "auth.forbidden");
	assert_int_equal(fx_balance(f, fam.patient.id), 3000);
	/* an institution the register does not know */
	sfx_as_inst(f, "NOPE");
	assert_err(sfx_settle(f, "T1", "card", no, "outpatient", 100, 0, &s,
			      NULL, &e), e, "institution.not_found");
}

/* S1: institutions are registered once, by the admin; each reads only
 * its own record. */
static void test_institutions(void **state)
{
	fx *f = *state;
	yb_institution i;
	yb_err e;

	sfx_institution(f, "H1");
	sfx_institution(f, "P-2");
	assert_err(yb_institution_register(&f->ctx, "H1", "Again", "clinic",
					   &i, &e), e, "institution.duplicate");
	assert_err(yb_institution_register(&f->ctx, "H3", "X", "spa", &i, &e),
		   e, "institution.invalid_type");
	assert_err(yb_institution_register(&f->ctx, "H 3", "X", "clinic", &i,
					   &e), e, "request.invalid_field");
	assert_ok(yb_institution_get(&f->ctx, "P-2", &i, &e), e);
	assert_string_equal(i.code, "P-2");
	assert_int_equal(i.type, YB_INST_HOSPITAL);
	sfx_as_inst(f, "H1");
	assert_ok(yb_institution_get(&f->ctx, "H1", &i, &e), e);
	assert_err(yb_institution_get(&f->ctx, "P-2", &i, &e), e,
		   "institution.not_found");
	assert_err(yb_institution_register(&f->ctx, "H4", "X", "clinic", &i,
					   &e), e, "auth.forbidden");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_order_outpatient),
		cmocka_unit_test(test_order_cases),
		T(test_no_own_account),
		cmocka_unit_test(test_authorizer_stops_paying),
		T(test_repeat),
		T(test_txn_id_reused),
		T(test_revoke_restores),
		T(test_revoke_after_unbind_and_termination),
		T(test_other_institution),
		T(test_preview),
		T(test_card_refused),
		T(test_ecert),
		T(test_id_number_lower_x),
		T(test_patient_status),
		T(test_invalid_input),
		T(test_institutions),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
