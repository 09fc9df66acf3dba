/*
 * test_store_family.c — the store's part of the rest of the family policy
 * (SPEC E2): a binding's cap set, changed and removed; what a binding
 * used in a month (revoked shares not counted); the cuts a cap made, kept
 * with the settlement and shown in family usage, also where the cap left
 * no share; and (E1) the refusals of a premium paid twice, a premium paid
 * at a desk read back whole.  Runs on both engines.
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

/*
 * E2, pg4: the PostgreSQL engine brings the bindings' caps along with the
 * payer candidates and serves them for the rest of the request.  Both
 * engines: a cap changed in the transaction is read as changed, and
 * outside a write transaction a cap is always read afresh.  PostgreSQL:
 * the request keeps the cap it read with the candidates; the next
 * request (a savepoint under group commit) reads it again.
 */
static void test_cap_with_candidates(void **state)
{
	ts_fixture *fx = *state;
	yb_store *st = fx->st, *other;
	family f = ts_family(st);
	yb_payer_candidate c[4];
	int64_t cap = 0;
	int n = 0;
	yb_err e;

	TS_OK(yb_store_open(fx->url, &other, &e), &e);
	TS_OK(st->ops->binding_cap_put(st, f.binding, 5000, 100, &e), &e);
	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->payer_candidates(st, f.patient, c, 4, &n, &e), &e);
	assert_int_equal(n, 1);
	assert_int_equal(TS_OK(st->ops->binding_cap_get(st, f.binding, &cap, &e), &e), 1);
	assert_true(cap == 5000);
	TS_OK(st->ops->binding_cap_put(st, f.binding, 7000, 200, &e), &e);
	assert_int_equal(TS_OK(st->ops->binding_cap_get(st, f.binding, &cap, &e), &e), 1);
	assert_true(cap == 7000);
	TS_OK(st->ops->commit(st, &e), &e);

	/* outside a write transaction: read afresh */
	TS_OK(st->ops->payer_candidates(st, f.patient, c, 4, &n, &e), &e);
	TS_OK(other->ops->binding_cap_put(other, f.binding, 9000, 300, &e), &e);
	assert_int_equal(TS_OK(st->ops->binding_cap_get(st, f.binding, &cap, &e), &e), 1);
	assert_true(cap == 9000);

	if (!ts_sqlite()) {
		TS_OK(st->ops->begin(st, true, &e), &e);
		TS_OK(st->ops->savepoint(st, &e), &e);
		TS_OK(st->ops->payer_candidates(st, f.patient, c, 4, &n, &e), &e);
		TS_OK(other->ops->binding_cap_put(other, f.binding, 11000, 400, &e),
		      &e);
		assert_int_equal(TS_OK(st->ops->binding_cap_get(st, f.binding, &cap, &e), &e), 1);
		assert_true(cap == 9000);       /* as read with the candidates */
		TS_OK(st->ops->release(st, &e), &e);
		TS_OK(st->ops->savepoint(st, &e), &e);
		assert_int_equal(TS_OK(st->ops->binding_cap_get(st, f.binding, &cap, &e), &e), 1);
		assert_true(cap == 11000);      /* the next request asks */
		TS_OK(st->ops->release(st, &e), &e);
		TS_OK(st->ops->commit(st, &e), &e);
	}
	yb_store_close(other);
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

/* E2: a cap used up leaves its binding no share; the cut alone is a
 * family-usage row (amount 0), never one the shares' list has too. */
static void test_cap_cut_usage(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = ts_family(st);
	yb_settlement full = ts_settlement(&f, "K-1", 1000);
	yb_settlement none = ts_settlement(&f, "K-2", 2000);
	yb_usage *u = NULL;
	int n = 0;
	yb_err e;

	full.ncap_cuts = 1;
	full.cap_cuts[0] = (yb_cap_cut){ .binding_id = f.binding,
		.payer_person_id = f.payer, .cut_fen = 300 };
	none.nshares = 1;                    /* the patient's own share only */
	none.cap_cuts[0] = (yb_cap_cut){ .binding_id = f.binding,
		.payer_person_id = f.payer, .cut_fen = 2000 };
	none.ncap_cuts = 1;
	TS_OK(st->ops->settlement_insert(st, &full, &e), &e);
	TS_OK(st->ops->cap_cuts_insert(st, &full, &e), &e);
	TS_OK(st->ops->settlement_insert(st, &none, &e), &e);
	TS_OK(st->ops->cap_cuts_insert(st, &none, &e), &e);

	TS_OK(st->ops->cap_cut_usage_of_payer(st, f.payer, 0, 10, &u, &n, &e), &e);
	assert_int_equal(n, 1);
	assert_true(u[0].settlement_id == none.id);
	assert_true(u[0].amount_fen == 0 && u[0].cap_cut_fen == 2000);
	assert_string_equal(u[0].relative_ssn, "3100001");
	assert_int_equal(u[0].relationship, YB_REL_PARENT);
	assert_string_equal(u[0].institution_code, "H100");
	assert_int_equal(u[0].state, YB_SETTLE_SETTLED);
	assert_true(u[0].at == 2000);
	free(u);
	/* paged by settlement id, like the shares */
	TS_OK(st->ops->cap_cut_usage_of_payer(st, f.payer, none.id, 10, &u, &n,
					      &e), &e);
	assert_int_equal(n, 0);
	free(u);
	/* the shares' list has the other settlement only */
	TS_OK(st->ops->usage_of_payer(st, f.payer, 0, 10, &u, &n, &e), &e);
	assert_int_equal(n, 1);
	assert_true(u[0].settlement_id == full.id && u[0].cap_cut_fen == 300);
	free(u);
	/* nobody else's */
	TS_OK(st->ops->cap_cut_usage_of_payer(st, f.patient, 0, 10, &u, &n, &e),
	      &e);
	assert_int_equal(n, 0);
	free(u);
}

/* E1: a premium paid by f's payer for f's patient (binding, ledger
 * transaction and contribution made here), not yet inserted. */
static yb_premium premium_of(yb_store *st, const family *f, int year,
			     const char *request_id)
{
	yb_posting post;
	yb_employer em;
	yb_contribution c;
	yb_premium p;
	yb_err e;

	memset(&post, 0, sizeof post);
	post.kind = "premium";
	post.n = 2;
	post.entries[0] = (yb_entry){ .account_id = ts_system(st,
						YB_ACC_FUND_POOL),
				      .amount_fen = -100 };
	post.entries[1] = (yb_entry){ .account_id = f->payer_acc,
				      .amount_fen = 100 };
	memset(&p, 0, sizeof p);
	TS_OK(st->ops->ledger_post(st, &post, 1000, &p.ledger_txn_id, &e), &e);
	memset(&em, 0, sizeof em);
	snprintf(em.code, sizeof em.code, "EMP-%d", year);
	snprintf(em.name, sizeof em.name, "Employer");
	TS_OK(st->ops->employer_insert(st, &em, &e), &e);
	memset(&c, 0, sizeof c);
	c.person_id = f->patient;
	snprintf(c.period, sizeof c.period, "%d", year);
	snprintf(c.employer_code, sizeof c.employer_code, "%s", em.code);
	c.created_at = 1000;
	TS_OK(st->ops->contribution_insert(st, &c, &e), &e);

	p.relative_id = f->patient;
	p.year = year;
	p.payer_id = f->payer;
	p.binding_id = f->binding;
	p.amount_fen = 100;
	p.contribution_id = c.id;
	snprintf(p.client_request_id, sizeof p.client_request_id, "%s",
		 request_id);
	p.created_at = 1000;
	p.relationship = YB_REL_PARENT;
	p.channel = YB_CHAN_WEB;
	snprintf(p.materials_json, sizeof p.materials_json, "{}");
	return p;
}

yb_id ts_premium(yb_store *st, const family *f, int year)
{
	yb_premium p = premium_of(st, f, year, ts_fmt("P-%d", year));
	yb_err e;

	TS_OK(st->ops->premium_insert(st, &p, &e), &e);
	return p.id;
}

/* E1: one premium per (relative, year), one payment per (payer, client
 * request id): each refused with its own code and message. */
static void test_premium_refusals(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = ts_family(st);
	yb_premium p = premium_of(st, &f, 2026, "R-1"), again;
	yb_err e;

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

/* E1 at a desk: the channel, the operator, the materials and the
 * relationship they proved come back with the premium, by id and in the
 * payer's list. */
static void test_premium_desk(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = ts_family(st);
	yb_premium p = premium_of(st, &f, 2027, "W-1"), got;
	yb_premium *list = NULL;
	int n = 0;
	yb_err e;

	p.binding_id = 0;                    /* proven by the materials */
	p.relationship = YB_REL_CHILD;
	p.channel = YB_CHAN_AGENCY_WINDOW;
	snprintf(p.materials_json, sizeof p.materials_json, "%s",
		 "{\"id_cards\":true,\"social_security_cards\":true,"
		 "\"card_copies\":true}");
	snprintf(p.operator_id, sizeof p.operator_id, "key:7");
	TS_OK(st->ops->premium_insert(st, &p, &e), &e);
	assert_int_equal(TS_OK(st->ops->premium_by_id(st, p.id, &got, &e), &e),
			 1);
	assert_true(got.id == p.id && got.relative_id == f.patient &&
		    got.payer_id == f.payer && got.binding_id == 0 &&
		    got.year == 2027 && got.amount_fen == 100 &&
		    got.ledger_txn_id == p.ledger_txn_id &&
		    got.contribution_id == p.contribution_id &&
		    got.created_at == 1000);
	assert_int_equal(got.relationship, YB_REL_CHILD);
	assert_int_equal(got.channel, YB_CHAN_AGENCY_WINDOW);
	assert_string_equal(got.materials_json, p.materials_json);
	assert_string_equal(got.operator_id, "key:7");
	assert_string_equal(got.client_request_id, "W-1");
	assert_string_equal(got.relative_ssn, "3100001");
	assert_string_equal(got.payer_ssn, "3100002");
	assert_int_equal(TS_OK(st->ops->premium_by_id(st, p.id + 1, &got, &e),
			       &e), 0);
	TS_OK(st->ops->premiums_of_payer(st, f.payer, 0, 10, &list, &n, &e),
	      &e);
	assert_int_equal(n, 1);
	assert_true(list[0].id == p.id);
	assert_int_equal(list[0].channel, YB_CHAN_AGENCY_WINDOW);
	assert_string_equal(list[0].operator_id, "key:7");
	free(list);
}

int ts_run_family(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cap_put_get, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_cap_with_candidates,
						ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_binding_used, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_cap_cuts, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_cap_cut_usage, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_premium_refusals, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_premium_desk, ts_setup,
						ts_teardown),
	};

	return cmocka_run_group_tests_name("store family", tests, NULL, NULL);
}
