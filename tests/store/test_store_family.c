/*
 * test_store_family.c — the store's part of the rest of the family policy
 * (SPEC E2): a binding's cap set, changed and removed; what a binding
 * used in a month (revoked shares not counted); the cuts a cap made, kept
 * with the settlement and shown in family usage; and (E1) the refusals
 * of a premium paid twice.  Runs on both engines.
 */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* E2: no cap, a cap, a changed cap, none again. */
static void test_cap_put_get(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = ts_family(st);
	int64_t cap = -7;
	yb_err e;

	assert_int_equal(TS_OK(st->ops->binding_cap_get(st, f.binding, &cap, &e), &e), 0);
	assert_true(cap == -7);
	TS_OK(st->ops->binding_cap_put(st, f.binding, 20000, 100, &e), &e);
	assert_int_equal(TS_OK(st->ops->binding_cap_get(st, f.binding, &cap, &e), &e), 1);
	assert_true(cap == 20000);
	TS_OK(st->ops->binding_cap_put(st, f.binding, 0, 200, &e), &e);
	assert_int_equal(TS_OK(st->ops->binding_cap_get(st, f.binding, &cap, &e), &e), 1);
	assert_true(cap == 0);
	TS_OK(st->ops->binding_cap_put(st, f.binding, -1, 300, &e), &e);
	assert_int_equal(TS_OK(st->ops->binding_cap_get(st, f.binding, &cap, &e), &e), 0);
	/* removing what is not there is harmless */
	TS_OK(st->ops->binding_cap_put(st, f.binding, -1, 300, &e), &e);
	/* a cap of a binding that does not exist is refused */
	assert_int_equal(st->ops->binding_cap_put(st, 987654, 1, 1, &e), -1);
}

/* E2: used in [from, to): settled shares through the binding only. */
static void test_binding_used(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = ts_family(st);
	yb_settlement a = ts_settlement(&f, "U-1", 1000), b, c;
	int64_t used = -1;
	yb_err e;

	b = ts_settlement(&f, "U-2", 2000);
	c = ts_settlement(&f, "U-3", 3000);   /* outside [1000, 3000) */
	TS_OK(st->ops->settlement_insert(st, &a, &e), &e);
	TS_OK(st->ops->settlement_insert(st, &b, &e), &e);
	TS_OK(st->ops->settlement_insert(st, &c, &e), &e);
	TS_OK(st->ops->binding_used(st, f.binding, 1000, 3000, &used, &e), &e);
	assert_true(used == 4000);           /* the bound shares: 2000 each */
	TS_OK(st->ops->settlement_set_revoked(st, b.id, 0, 5000, &e), &e);
	TS_OK(st->ops->binding_used(st, f.binding, 1000, 3000, &used, &e), &e);
	assert_true(used == 2000);           /* revoked: given back */
	TS_OK(st->ops->binding_used(st, f.binding + 99, 0, 9999, &used, &e), &e);
	assert_true(used == 0);
}

/* E2: the cuts stored with a settlement, read back, shown in usage. */
static void test_cap_cuts(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = ts_family(st);
	yb_settlement s = ts_settlement(&f, "K-1", 1000), got;
	yb_usage *u = NULL;
	int n = 0;
	yb_err e;

	s.ncap_cuts = 1;
	s.cap_cuts[0].binding_id = f.binding;
	s.cap_cuts[0].payer_person_id = f.payer;
	s.cap_cuts[0].cut_fen = 700;
	TS_OK(st->ops->settlement_insert(st, &s, &e), &e);
	TS_OK(st->ops->cap_cuts_insert(st, &s, &e), &e);
	assert_int_equal(TS_OK(st->ops->settlement_by_id(st, s.id, &got, &e), &e), 1);
	assert_int_equal(got.ncap_cuts, 0);  /* the settlement read alone */
	TS_OK(st->ops->cap_cuts_load(st, &got, &e), &e);
	assert_int_equal(got.ncap_cuts, 1);
	assert_true(got.cap_cuts[0].binding_id == f.binding);
	assert_true(got.cap_cuts[0].cut_fen == 700);
	assert_string_equal(got.cap_cuts[0].payer_ssn, "3100002");
	/* once per (settlement, binding) */
	assert_int_equal(st->ops->cap_cuts_insert(st, &s, &e), -1);

	TS_OK(st->ops->usage_of_payer(st, f.payer, 0, 10, &u, &n, &e), &e);
	assert_int_equal(n, 1);
	assert_true(u[0].amount_fen == 2000 && u[0].cap_cut_fen == 700);
	free(u);
}

/* E1: one premium per (relative, year), one payment per (payer, client
 * request id): each refused with its own code and message. */
static void test_premium_refusals(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = ts_family(st);
	yb_posting post;
	yb_employer em;
	yb_contribution c;
	yb_premium p, again;
	yb_err e;

	memset(&post, 0, sizeof post);
	post.kind = "premium";
	post.n = 2;
	post.entries[0] = (yb_entry){ .account_id = ts_system(st,
						YB_ACC_FUND_POOL),
				      .amount_fen = -100 };
	post.entries[1] = (yb_entry){ .account_id = f.payer_acc,
				      .amount_fen = 100 };
	memset(&p, 0, sizeof p);
	TS_OK(st->ops->ledger_post(st, &post, 1000, &p.ledger_txn_id, &e), &e);
	memset(&em, 0, sizeof em);
	snprintf(em.code, sizeof em.code, "EMP-F");
	snprintf(em.name, sizeof em.name, "Employer");
	TS_OK(st->ops->employer_insert(st, &em, &e), &e);
	memset(&c, 0, sizeof c);
	c.person_id = f.patient;
	snprintf(c.period, sizeof c.period, "2026-01");
	snprintf(c.employer_code, sizeof c.employer_code, "EMP-F");
	c.created_at = 1000;
	TS_OK(st->ops->contribution_insert(st, &c, &e), &e);

	p.relative_id = f.patient;
	p.year = 2026;
	p.payer_id = f.payer;
	p.binding_id = f.binding;
	p.amount_fen = 100;
	p.contribution_id = c.id;
	snprintf(p.client_request_id, sizeof p.client_request_id, "R-1");
	p.created_at = 1000;
	TS_OK(st->ops->premium_insert(st, &p, &e), &e);
	again = p;
	snprintf(again.client_request_id, sizeof again.client_request_id,
		 "R-2");
	TS_REFUSED(st->ops->premium_insert(st, &again, &e), &e,
		   "premium.already_paid", "this year is already paid");
	again = p;
	again.year = 2027;
	TS_REFUSED(st->ops->premium_insert(st, &again, &e), &e,
		   "premium.request_id_reused",
		   "this client request id was used for another payment");
}

int ts_run_family(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cap_put_get, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_binding_used, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_cap_cuts, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_premium_refusals, ts_setup,
						ts_teardown),
	};

	return cmocka_run_group_tests_name("store family", tests, NULL, NULL);
}
