/*
 * test_store_settle.c — institutions (SPEC S1), family bindings (F1–F8),
 * settlements and their shares (S2–S5, F7), reconciliation totals (S7)
 * and offline records (S6) on the store.
 */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static yb_institution institution(yb_store *st, const char *code)
{
	yb_institution i;
	yb_err e;

	memset(&i, 0, sizeof i);
	snprintf(i.code, sizeof i.code, "%s", code);
	snprintf(i.name, sizeof i.name, "Hospital %s", code);
	i.type = YB_INST_HOSPITAL;
	i.created_at = 1700000000;
	TS_OK(st->ops->institution_insert(st, &i, &e), &e);
	return i;
}

static yb_binding binding(yb_id authorizer, yb_id relative, yb_relationship rel,
			  yb_time at)
{
	yb_binding b;

	memset(&b, 0, sizeof b);
	b.authorizer_id = authorizer;
	b.relative_id = relative;
	b.relationship = rel;
	b.channel = YB_CHAN_WEB;
	snprintf(b.materials_json, sizeof b.materials_json, "{}");
	b.created_at = at;
	return b;
}

/* ---- institutions (S1) ------------------------------------------------------ */

static void test_institution(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_institution i = institution(st, "H001"), got;
	yb_account acc;
	yb_err e;
	int64_t accounts;

	/* Registered with its receivable account, in one step. */
	assert_true(i.receivable_account_id > 0);
	assert_int_equal(TS_OK(st->ops->institution_by_code(st, "H001", &got, &e),
			       &e), 1);
	assert_memory_equal(&got, &i, sizeof i);
	assert_int_equal(TS_OK(st->ops->account_by_id(st, i.receivable_account_id,
						      &acc, &e), &e), 1);
	assert_int_equal(acc.kind, YB_ACC_INSTITUTION_RECEIVABLE);
	assert_string_equal(acc.institution_code, "H001");
	assert_int_equal(TS_OK(st->ops->institution_by_code(st, "H002", &got, &e),
			       &e), 0);

	/* A duplicate leaves no stray account behind. */
	accounts = ts_check(st).accounts;
	got = i;
	got.receivable_account_id = 0;
	TS_REFUSED(st->ops->institution_insert(st, &got, &e), &e,
		   "institution.duplicate",
		   "an institution with this code is already registered");
	assert_int_equal(ts_check(st).accounts, accounts);

	/* A receivable account made by the caller is used as given. */
	memset(&acc, 0, sizeof acc);
	acc.kind = YB_ACC_INSTITUTION_RECEIVABLE;
	snprintf(acc.institution_code, sizeof acc.institution_code, "P001");
	TS_OK(st->ops->account_insert(st, &acc, &e), &e);
	memset(&got, 0, sizeof got);
	snprintf(got.code, sizeof got.code, "P001");
	snprintf(got.name, sizeof got.name, "Pharmacy");
	got.type = YB_INST_PHARMACY;
	got.receivable_account_id = acc.id;
	TS_OK(st->ops->institution_insert(st, &got, &e), &e);
	assert_int_equal(got.receivable_account_id, acc.id);
	assert_int_equal(TS_OK(st->ops->institution_by_code(st, "P001", &got, &e),
			       &e), 1);
	assert_int_equal(got.type, YB_INST_PHARMACY);
	assert_int_equal(got.receivable_account_id, acc.id);

	/* One registered and read in a transaction that is rolled back is
	 * gone (PostgreSQL remembers only committed institutions), and one
	 * read again is the same (remembered or not). */
	TS_OK(st->ops->begin(st, true, &e), &e);
	got = institution(st, "H009");
	assert_int_equal(TS_OK(st->ops->institution_by_code(st, "H009", &got,
							    &e), &e), 1);
	st->ops->rollback(st);
	assert_int_equal(TS_OK(st->ops->institution_by_code(st, "H009", &got,
							    &e), &e), 0);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(TS_OK(st->ops->institution_by_code(st, "H001",
								    &got, &e),
				       &e), 1);
		assert_memory_equal(&got, &i, sizeof i);
	}
}

/* ---- bindings (F) --------------------------------------------------------------- */

/* F1, F3, F6: bind, refuse the active duplicate, end, bind again. */
static void test_binding_lifecycle(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id auth = ts_person(st, "2100001", "Authorizer");
	yb_id rel = ts_person(st, "2100002", "Relative");
	yb_binding b = binding(auth, rel, YB_REL_PARENT, 1000), b2, got;
	yb_err e;

	snprintf(b.operator_id, sizeof b.operator_id, "key:9");
	b.channel = YB_CHAN_AGENCY_WINDOW;
	TS_OK(st->ops->binding_insert(st, &b, &e), &e);
	assert_true(b.id > 0);
	assert_int_equal(TS_OK(st->ops->binding_by_id(st, b.id, &got, &e), &e), 1);
	assert_int_equal(got.authorizer_id, auth);
	assert_int_equal(got.relative_id, rel);
	assert_string_equal(got.authorizer_ssn, "2100001");
	assert_string_equal(got.relative_ssn, "2100002");
	assert_string_equal(got.authorizer_name, "Authorizer");
	assert_string_equal(got.relative_name, "Relative");
	assert_int_equal(got.relationship, YB_REL_PARENT);
	assert_int_equal(got.channel, YB_CHAN_AGENCY_WINDOW);
	assert_string_equal(got.materials_json, "{}");
	assert_string_equal(got.operator_id, "key:9");
	assert_int_equal(got.created_at, 1000);
	assert_int_equal(got.ended_at, 0);
	assert_int_equal(TS_OK(st->ops->binding_by_id(st, b.id + 9, &got, &e), &e), 0);

	/* F3: no second active binding of the same pair. */
	b2 = binding(auth, rel, YB_REL_CHILD, 1001);
	TS_REFUSED(st->ops->binding_insert(st, &b2, &e), &e,
		   "binding.duplicate", "this relative is already authorized");
	/* The other direction is another pair (F1: both may authorize). */
	b2 = binding(rel, auth, YB_REL_CHILD, 1001);
	TS_OK(st->ops->binding_insert(st, &b2, &e), &e);

	/* F6: ended, kept as history; again is refused. */
	TS_OK(st->ops->binding_end(st, b.id, 2000, "authorizer", &e), &e);
	assert_int_equal(TS_OK(st->ops->binding_by_id(st, b.id, &got, &e), &e), 1);
	assert_int_equal(got.ended_at, 2000);
	assert_string_equal(got.end_reason, "authorizer");
	TS_REFUSED(st->ops->binding_end(st, b.id, 2001, "authorizer", &e), &e,
		   "binding.already_ended",
		   ts_fmt("binding %lld has already ended", (long long)b.id));
	TS_REFUSED(st->ops->binding_end(st, 4242, 2001, "authorizer", &e), &e,
		   "binding.not_found", "no binding with id 4242");
	/* An ended binding allows a new one of the same pair. */
	b2 = binding(auth, rel, YB_REL_PARENT, 3000);
	TS_OK(st->ops->binding_insert(st, &b2, &e), &e);
	assert_true(b2.id > b.id);
}

/* Q1: bindings in both directions, active or all, newest first. */
static void test_binding_lists(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id auth = ts_person(st, "2200001", "Auth");
	yb_id rel[5];
	yb_binding b, *list = NULL;
	yb_id ids[5];
	int n = 0;
	yb_err e;

	for (int i = 0; i < 5; i++) {
		char ssn[16];

		snprintf(ssn, sizeof ssn, "220010%d", i);
		rel[i] = ts_person(st, ssn, "Rel");
		b = binding(auth, rel[i], YB_REL_CHILD, 1000 + i);
		TS_OK(st->ops->binding_insert(st, &b, &e), &e);
		ids[i] = b.id;
	}
	TS_OK(st->ops->binding_end(st, ids[1], 5000, "authorizer", &e), &e);

	TS_OK(st->ops->bindings_of_authorizer(st, auth, false, 0, 100, &list, &n,
					      &e), &e);
	assert_int_equal(n, 5);
	assert_int_equal(list[0].id, ids[4]);
	assert_int_equal(list[4].id, ids[0]);
	free(list);
	TS_OK(st->ops->bindings_of_authorizer(st, auth, true, 0, 100, &list, &n,
					      &e), &e);
	assert_int_equal(n, 4);
	for (int i = 0; i < n; i++)
		assert_int_equal(list[i].ended_at, 0);
	free(list);
	TS_OK(st->ops->bindings_of_authorizer(st, auth, false, ids[3], 2, &list,
					      &n, &e), &e);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].id, ids[2]);
	assert_int_equal(list[1].id, ids[1]);
	free(list);

	TS_OK(st->ops->bindings_of_relative(st, rel[1], false, 0, 100, &list, &n,
					    &e), &e);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].authorizer_ssn, "2200001");
	free(list);
	TS_OK(st->ops->bindings_of_relative(st, rel[1], true, 0, 100, &list, &n,
					    &e), &e);
	assert_int_equal(n, 0);
	free(list);
	TS_OK(st->ops->bindings_of_relative(st, auth, false, 0, 100, &list, &n,
					    &e), &e);
	assert_int_equal(n, 0);
	free(list);
}

/* F8: termination ends every active binding in which the person is either
 * party, and only those. */
static void test_bindings_end_all(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id p = ts_person(st, "2300001", "Leaving");
	yb_id a = ts_person(st, "2300002", "A");
	yb_id c = ts_person(st, "2300003", "C");
	yb_binding b1 = binding(p, a, YB_REL_SPOUSE, 1);
	yb_binding b2 = binding(c, p, YB_REL_PARENT, 2);
	yb_binding b3 = binding(a, c, YB_REL_SIBLING, 3);
	yb_binding b4 = binding(p, c, YB_REL_CHILD, 4);
	yb_binding got;
	int ended = -1;
	yb_err e;

	TS_OK(st->ops->binding_insert(st, &b1, &e), &e);
	TS_OK(st->ops->binding_insert(st, &b2, &e), &e);
	TS_OK(st->ops->binding_insert(st, &b3, &e), &e);
	TS_OK(st->ops->binding_insert(st, &b4, &e), &e);
	TS_OK(st->ops->binding_end(st, b4.id, 10, "authorizer", &e), &e);
	TS_OK(st->ops->bindings_end_all_of(st, p, 20, "terminated", &ended, &e), &e);
	assert_int_equal(ended, 2);
	assert_int_equal(TS_OK(st->ops->binding_by_id(st, b1.id, &got, &e), &e), 1);
	assert_int_equal(got.ended_at, 20);
	assert_string_equal(got.end_reason, "terminated");
	assert_int_equal(TS_OK(st->ops->binding_by_id(st, b2.id, &got, &e), &e), 1);
	assert_int_equal(got.ended_at, 20);
	assert_int_equal(TS_OK(st->ops->binding_by_id(st, b3.id, &got, &e), &e), 1);
	assert_int_equal(got.ended_at, 0);
	assert_int_equal(TS_OK(st->ops->binding_by_id(st, b4.id, &got, &e), &e), 1);
	assert_int_equal(got.ended_at, 10);
	TS_OK(st->ops->bindings_end_all_of(st, p, 30, "terminated", &ended, &e), &e);
	assert_int_equal(ended, 0);
}

/* S3 step 2: the active authorizers of a patient with their accounts. */
static void test_payer_candidates(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id patient = ts_person(st, "2400001", "Patient");
	yb_id rich = ts_person(st, "2400002", "Rich");
	yb_id poor = ts_person(st, "2400003", "Poor");
	yb_id none = ts_person(st, "2400004", "NoAccount");
	yb_id ended = ts_person(st, "2400005", "Ended");
	yb_id rich_acc = ts_account(st, rich), poor_acc = ts_account(st, poor);
	yb_binding b;
	yb_payer_candidate c[8];
	int n = -1;
	yb_err e;

	ts_account(st, ended);
	ts_fund(st, rich_acc, 9000);
	ts_fund(st, poor_acc, 100);
	b = binding(poor, patient, YB_REL_PARENT, 100);
	TS_OK(st->ops->binding_insert(st, &b, &e), &e);
	b = binding(rich, patient, YB_REL_SPOUSE, 200);
	TS_OK(st->ops->binding_insert(st, &b, &e), &e);
	b = binding(none, patient, YB_REL_CHILD, 300);
	TS_OK(st->ops->binding_insert(st, &b, &e), &e);
	b = binding(ended, patient, YB_REL_SIBLING, 50);
	TS_OK(st->ops->binding_insert(st, &b, &e), &e);
	TS_OK(st->ops->binding_end(st, b.id, 60, "authorizer", &e), &e);
	TS_OK(st->ops->person_set_status(st, poor, YB_STATUS_SUSPENDED, YB_TERM_NONE,
					 70, &e), &e);

	TS_OK(st->ops->payer_candidates(st, patient, c, 8, &n, &e), &e);
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++) {
		if (c[i].person_id == rich) {
			assert_int_equal(c[i].account_id, rich_acc);
			assert_int_equal(c[i].balance_fen, 9000);
			assert_true(c[i].account_open);
			assert_int_equal(c[i].relationship, YB_REL_SPOUSE);
			assert_int_equal(c[i].status, YB_STATUS_ACTIVE);
			assert_string_equal(c[i].ssn, "2400002");
			assert_string_equal(c[i].name, "Rich");
			assert_int_equal(c[i].bound_at, 200);
		} else if (c[i].person_id == poor) {
			assert_int_equal(c[i].account_id, poor_acc);
			assert_int_equal(c[i].balance_fen, 100);
			assert_int_equal(c[i].status, YB_STATUS_SUSPENDED);
		} else {
			assert_int_equal(c[i].person_id, none);
			assert_int_equal(c[i].account_id, 0);
			assert_false(c[i].account_open);
		}
		assert_true(c[i].binding_id > 0);
	}
	/* At most max: those S3 reaches first (the highest balance). */
	TS_OK(st->ops->payer_candidates(st, patient, c, 1, &n, &e), &e);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].person_id, rich);
	TS_OK(st->ops->payer_candidates(st, rich, c, 8, &n, &e), &e);
	assert_int_equal(n, 0);
}

/*
 * In a write transaction, a settlement's look-ups one after the other —
 * the card (or the person by ID number), its holder, the holder's
 * personal account, the payers — answer what each answers alone (the
 * PostgreSQL engine brings the later rows along with the first, issue
 * 16), more payers than it brings along included, and a change made in
 * between is seen.
 */
static void test_holder_lookups(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id patient = ts_person(st, "2500001", "Patient");
	yb_id lone = ts_person(st, "2500002", "NoAccount");
	yb_id acc = ts_account(st, patient);
	yb_payer_candidate c[16];
	yb_person p, lone_p;
	yb_account a;
	yb_binding b;
	yb_card k;
	int n = -1;
	yb_err e;

	ts_fund(st, acc, 700);
	for (int i = 0; i < 10; i++) {
		yb_id who = ts_person(st, ts_fmt("25001%02d", i),
				      ts_fmt("Payer %d", i));

		ts_fund(st, ts_account(st, who), 1000 + 100 * i);
		b = binding(who, patient, YB_REL_SIBLING, 100 + i);
		TS_OK(st->ops->binding_insert(st, &b, &e), &e);
	}
	memset(&k, 0, sizeof k);
	snprintf(k.card_no, sizeof k.card_no, "K2500001");
	k.person_id = patient;
	k.state = YB_CARD_ISSUED;
	TS_OK(st->ops->card_insert(st, &k, &e), &e);
	assert_int_equal(TS_OK(st->ops->person_by_id(st, lone, &lone_p, &e),
			       &e), 1);

	TS_OK(st->ops->begin(st, true, &e), &e);
	assert_int_equal(TS_OK(st->ops->card_by_no(st, "K2500001", &k, &e),
			       &e), 1);
	assert_int_equal(k.person_id, patient);
	assert_int_equal(TS_OK(st->ops->person_by_id(st, patient, &p, &e),
			       &e), 1);
	assert_string_equal(p.ssn, "2500001");
	assert_int_equal(TS_OK(st->ops->account_personal_of(st, patient, &a,
							    &e), &e), 1);
	assert_int_equal(a.id, acc);
	assert_int_equal(a.balance_fen, 700);
	TS_OK(st->ops->payer_candidates(st, patient, c, 16, &n, &e), &e);
	assert_int_equal(n, 10);
	for (int i = 0; i < n; i++)
		assert_true(c[i].balance_fen >= 1000);

	/* At most max, the richest first, as alone. */
	assert_int_equal(TS_OK(st->ops->card_by_no(st, "K2500001", &k, &e),
			       &e), 1);
	TS_OK(st->ops->payer_candidates(st, patient, c, 1, &n, &e), &e);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].balance_fen, 1900);

	/* A change in between is seen. */
	assert_int_equal(TS_OK(st->ops->card_by_no(st, "K2500001", &k, &e),
			       &e), 1);
	TS_OK(st->ops->person_set_status(st, patient, YB_STATUS_SUSPENDED,
					 YB_TERM_NONE, 50, &e), &e);
	assert_int_equal(TS_OK(st->ops->person_by_id(st, patient, &p, &e),
			       &e), 1);
	assert_int_equal(p.status, YB_STATUS_SUSPENDED);

	/* By ID number; and a person without an account or payers. */
	assert_int_equal(TS_OK(st->ops->person_by_id_number(st, p.id_number,
							    &p, &e), &e), 1);
	assert_int_equal(p.id, patient);
	assert_int_equal(TS_OK(st->ops->account_personal_of(st, patient, &a,
							    &e), &e), 1);
	assert_int_equal(a.id, acc);
	TS_OK(st->ops->payer_candidates(st, patient, c, 16, &n, &e), &e);
	assert_int_equal(n, 10);
	assert_int_equal(TS_OK(st->ops->person_by_id_number(
			st, lone_p.id_number, &p, &e), &e), 1);
	assert_int_equal(p.id, lone);
	assert_int_equal(TS_OK(st->ops->account_personal_of(st, lone, &a, &e),
			       &e), 0);
	TS_OK(st->ops->payer_candidates(st, lone, c, 16, &n, &e), &e);
	assert_int_equal(n, 0);
	assert_int_equal(TS_OK(st->ops->card_by_no(st, "K404", &k, &e), &e),
			 0);
	st->ops->rollback(st);
}

/*
 * issue 16, pg8: what a settlement asks after a hint (store.h
 * settle_hint) — served on PostgreSQL from one round trip — is what it
 * asks without one; on SQLite the hint is absent.  `as_service` makes
 * the settlement's calls in the service's order (settle.c settle_once:
 * the repeat check, the credential, the holder, the account, the
 * candidates, the accounts' lock and their reads), stopping where the
 * service would (a repeat, a card not issued, no such credential).
 */
typedef struct seen {
	int repeat, found;
	yb_card_state card_state;
	yb_id patient;
	yb_status status;
	int has_acc;
	yb_account acc;
	int ncand;
	yb_payer_candidate cand[16];
	int nids;
	yb_id ids[24];
	yb_account locked[24];
	int locked_found[24];
} seen;

static void as_service(yb_store *st, const yb_settle_hint *hint,
		       const yb_settle_hint *req, int max, seen *out)
{
	yb_settlement *prev = malloc(sizeof *prev);
	yb_person p;
	yb_card k;
	yb_err e;

	assert_non_null(prev);
	memset(out, 0, sizeof *out);
	TS_OK(st->ops->begin(st, true, &e), &e);
	if (hint && st->ops->settle_hint)
		TS_OK(st->ops->settle_hint(st, hint, &e), &e);
	out->repeat = TS_OK(st->ops->settlement_by_txn(
		st, req->institution_code, req->txn_id, prev, &e), &e);
	if (req->cred_type == YB_CRED_CARD) {
		out->found = TS_OK(st->ops->card_by_no(st, req->cred_value, &k,
						       &e), &e);
		if (out->found) {
			out->card_state = k.state;
			assert_int_equal(TS_OK(st->ops->person_by_id(
				st, k.person_id, &p, &e), &e), 1);
		}
	} else {
		out->found = TS_OK(st->ops->person_by_id_number(
			st, req->cred_value, &p, &e), &e);
		out->card_state = YB_CARD_ISSUED;
	}
	if (out->repeat || !out->found || out->card_state != YB_CARD_ISSUED)
		goto out;
	out->patient = p.id;
	out->status = p.status;
	out->has_acc = TS_OK(st->ops->account_personal_of(st, p.id, &out->acc,
							  &e), &e);
	TS_OK(st->ops->payer_candidates(st, p.id, out->cand, max, &out->ncand,
					&e), &e);
	if (req->own_account && out->has_acc && !out->acc.closed)
		out->ids[out->nids++] = out->acc.id;
	for (int i = 0; req->family && i < out->ncand; i++)
		if (out->cand[i].status == YB_STATUS_ACTIVE &&
		    out->cand[i].account_open && out->cand[i].account_id)
			out->ids[out->nids++] = out->cand[i].account_id;
	for (int i = 0; i < req->nalso; i++)
		out->ids[out->nids++] = req->also[i];
	TS_OK(st->ops->account_lock(st, out->ids, out->nids, &e), &e);
	for (int i = 0; i < out->nids; i++)
		out->locked_found[i] = TS_OK(st->ops->account_by_id(
			st, out->ids[i], &out->locked[i], &e), &e);
out:
	st->ops->rollback(st);
	free(prev);
}

static void seen_equal(const seen *a, const seen *b)
{
	assert_int_equal(a->repeat, b->repeat);
	assert_int_equal(a->found, b->found);
	assert_int_equal(a->card_state, b->card_state);
	assert_int_equal(a->patient, b->patient);
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->has_acc, b->has_acc);
	if (a->has_acc) {
		assert_int_equal(a->acc.id, b->acc.id);
		assert_int_equal(a->acc.balance_fen, b->acc.balance_fen);
		assert_int_equal(a->acc.closed, b->acc.closed);
	}
	assert_int_equal(a->ncand, b->ncand);
	for (int i = 0; i < a->ncand; i++) {
		assert_int_equal(a->cand[i].binding_id, b->cand[i].binding_id);
		assert_int_equal(a->cand[i].account_id, b->cand[i].account_id);
		assert_int_equal(a->cand[i].balance_fen,
				 b->cand[i].balance_fen);
		assert_int_equal(a->cand[i].account_open,
				 b->cand[i].account_open);
	}
	assert_int_equal(a->nids, b->nids);
	for (int i = 0; i < a->nids; i++) {
		assert_int_equal(a->ids[i], b->ids[i]);
		assert_int_equal(a->locked_found[i], b->locked_found[i]);
		assert_int_equal(a->locked[i].id, b->locked[i].id);
		assert_int_equal(a->locked[i].kind, b->locked[i].kind);
		assert_int_equal(a->locked[i].balance_fen,
				 b->locked[i].balance_fen);
		assert_int_equal(a->locked[i].closed, b->locked[i].closed);
	}
}

/* The same calls with and without the hint answer the same. */
static void same_with_hint(yb_store *st, const yb_settle_hint *h, int max,
			   seen *out)
{
	seen plain;

	as_service(st, NULL, h, max, &plain);
	as_service(st, h, h, max, out);
	seen_equal(&plain, out);
}

static void test_settle_hint(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_institution inst = institution(st, "H2600");
	yb_id patient = ts_person(st, "2600001", "Patient");
	yb_id lone = ts_person(st, "2600002", "NoAccount");
	yb_id lost = ts_person(st, "2600003", "LostCard");
	yb_id acc = ts_account(st, patient), payer_acc[10];
	yb_id also[3] = { ts_system(st, YB_ACC_FUND_POOL),
			  ts_system(st, YB_ACC_PATIENT_CASH),
			  inst.receivable_account_id };
	yb_settle_hint h;
	yb_settlement s;
	yb_person lone_p;
	yb_binding b;
	yb_card k;
	seen got;
	yb_err e;

	if (ts_sqlite())
		assert_null(st->ops->settle_hint);
	ts_fund(st, acc, 700);
	ts_account(st, lost);
	for (int i = 0; i < 10; i++) {
		yb_id who = ts_person(st, ts_fmt("26001%02d", i),
				      ts_fmt("Payer %d", i));

		payer_acc[i] = ts_account(st, who);
		ts_fund(st, payer_acc[i], 1000 + 100 * i);
		b = binding(who, patient, YB_REL_SIBLING, 100 + i);
		TS_OK(st->ops->binding_insert(st, &b, &e), &e);
	}
	memset(&k, 0, sizeof k);
	snprintf(k.card_no, sizeof k.card_no, "K2600001");
	k.person_id = patient;
	k.state = YB_CARD_ISSUED;
	TS_OK(st->ops->card_insert(st, &k, &e), &e);
	snprintf(k.card_no, sizeof k.card_no, "K2600003");
	k.person_id = lost;
	k.state = YB_CARD_LOST;
	TS_OK(st->ops->card_insert(st, &k, &e), &e);
	assert_int_equal(TS_OK(st->ops->person_by_id(st, lone, &lone_p, &e),
			       &e), 1);

	memset(&h, 0, sizeof h);
	h.institution_code = inst.code;
	h.txn_id = "T-1";
	h.cred_type = YB_CRED_CARD;
	h.cred_value = "K2600001";
	h.own_account = true;
	h.family = true;
	h.also = also;
	h.nalso = 3;

	/* more candidates than are brought along (8), and a smaller max */
	same_with_hint(st, &h, 16, &got);
	assert_int_equal(got.ncand, 10);
	assert_int_equal(got.nids, 14);
	same_with_hint(st, &h, 4, &got);
	assert_int_equal(got.nids, 8);
	/* family pay not allowed for the visit: own and the others only */
	h.family = false;
	same_with_hint(st, &h, 16, &got);
	assert_int_equal(got.nids, 4);
	/* no account pays at all */
	h.own_account = false;
	same_with_hint(st, &h, 16, &got);
	assert_int_equal(got.nids, 3);
	h.own_account = h.family = true;

	/* a candidate's account closed; the patient's own closed */
	TS_OK(st->ops->account_set_closed(st, payer_acc[9], 1700000100, &e),
	      &e);
	same_with_hint(st, &h, 16, &got);
	assert_int_equal(got.nids, 13);
	TS_OK(st->ops->account_set_closed(st, acc, 1700000200, &e), &e);
	same_with_hint(st, &h, 16, &got);
	assert_int_equal(got.nids, 12);
	assert_true(got.acc.closed);

	/* a repeat */
	memset(&s, 0, sizeof s);
	snprintf(s.institution_code, sizeof s.institution_code, "%s",
		 inst.code);
	snprintf(s.txn_id, sizeof s.txn_id, "T-REP");
	s.patient_id = patient;
	s.cred_type = YB_CRED_CARD;
	s.visit_type = YB_VISIT_OUTPATIENT;
	s.total_fen = 100;
	s.fund_pay_fen = 100;
	s.state = YB_SETTLE_SETTLED;
	memset(s.request_hash, 'c', YB_HASH_HEX_SZ - 1);
	s.settled_at = 1700000300;
	TS_OK(st->ops->settlement_insert(st, &s, &e), &e);
	h.txn_id = "T-REP";
	same_with_hint(st, &h, 16, &got);
	assert_int_equal(got.repeat, 1);
	h.txn_id = "T-1";

	/* a lost card; no such card */
	h.cred_value = "K2600003";
	same_with_hint(st, &h, 16, &got);
	assert_int_equal(got.found, 1);
	assert_int_equal(got.card_state, YB_CARD_LOST);
	h.cred_value = "K2600404";
	same_with_hint(st, &h, 16, &got);
	assert_int_equal(got.found, 0);

	/* by ID number: a person without an account or payers */
	h.cred_type = YB_CRED_ID_NUMBER;
	h.cred_value = lone_p.id_number;
	same_with_hint(st, &h, 16, &got);
	assert_int_equal(got.found, 1);
	assert_int_equal(got.has_acc, 0);
	assert_int_equal(got.nids, 3);

	/* calls whose arguments differ from the hint's read the database:
	 * hinted for the patient's card, asked for the lone person */
	{
		yb_settle_hint other = h;
		seen plain;

		other.cred_type = YB_CRED_CARD;
		other.cred_value = "K2600001";
		other.txn_id = "T-REP";
		as_service(st, NULL, &h, 16, &plain);
		as_service(st, &other, &h, 16, &got);
		seen_equal(&plain, &got);
		assert_int_equal(got.patient, lone);
	}
}

/* ---- settlements ------------------------------------------------------------ */

static family make_family(yb_store *st)
{
	family f;
	yb_binding b;
	yb_err e;

	f.inst = institution(st, "H100");
	f.patient = ts_person(st, "3100001", "Patient");
	f.payer = ts_person(st, "3100002", "Payer");
	f.patient_acc = ts_account(st, f.patient);
	f.payer_acc = ts_account(st, f.payer);
	b = binding(f.payer, f.patient, YB_REL_PARENT, 10);
	TS_OK(st->ops->binding_insert(st, &b, &e), &e);
	f.binding = b.id;
	return f;
}

static yb_settlement settlement(const family *f, const char *txn,
				yb_time at)
{
	yb_settlement s;

	memset(&s, 0, sizeof s);
	snprintf(s.institution_code, sizeof s.institution_code, "%s",
		 f->inst.code);
	snprintf(s.txn_id, sizeof s.txn_id, "%s", txn);
	s.patient_id = f->patient;
	s.cred_type = YB_CRED_CARD;
	s.visit_type = YB_VISIT_OUTPATIENT;
	s.total_fen = 10000;
	s.fund_pay_fen = 5000;
	s.account_pay_fen = 3000;
	s.cash_pay_fen = 2000;
	s.state = YB_SETTLE_SETTLED;
	memset(s.request_hash, 'c', YB_HASH_HEX_SZ - 1);
	s.settled_at = at;
	s.nshares = 2;
	s.shares[0].payer_person_id = f->patient;
	s.shares[0].account_id = f->patient_acc;
	s.shares[0].relationship = YB_REL_SELF;
	s.shares[0].amount_fen = 1000;
	s.shares[1].payer_person_id = f->payer;
	s.shares[1].account_id = f->payer_acc;
	s.shares[1].binding_id = f->binding;
	s.shares[1].relationship = YB_REL_PARENT;
	s.shares[1].amount_fen = 2000;
	return s;
}

/* family: shared with test_store_family.c (E2) */
yb_settlement ts_settlement(const family *f, const char *txn, yb_time at)
{
	return settlement(f, txn, at);
}

family ts_family(yb_store *st)
{
	return make_family(st);
}

/* S2–S5: a settlement with its shares, read back whole; (institution,
 * txn_id) once; revoked. */
static void test_settlement(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = make_family(st);
	yb_settlement s = settlement(&f, "T-1", 1700000000), got, dup;
	yb_err e;

	TS_OK(st->ops->settlement_insert(st, &s, &e), &e);
	assert_true(s.id > 0);
	assert_int_equal(TS_OK(st->ops->settlement_by_id(st, s.id, &got, &e), &e), 1);
	assert_string_equal(got.patient_ssn, "3100001");
	assert_string_equal(got.patient_name, "Patient");
	assert_string_equal(got.shares[0].payer_ssn, "3100001");
	assert_string_equal(got.shares[1].payer_name, "Payer");
	/* Everything else is what was stored. */
	snprintf(s.patient_ssn, sizeof s.patient_ssn, "3100001");
	snprintf(s.patient_name, sizeof s.patient_name, "Patient");
	snprintf(s.shares[0].payer_ssn, sizeof s.shares[0].payer_ssn, "3100001");
	snprintf(s.shares[0].payer_name, sizeof s.shares[0].payer_name, "Patient");
	snprintf(s.shares[1].payer_ssn, sizeof s.shares[1].payer_ssn, "3100002");
	snprintf(s.shares[1].payer_name, sizeof s.shares[1].payer_name, "Payer");
	assert_memory_equal(&got, &s, sizeof s);
	memset(&got, 0, sizeof got);
	assert_int_equal(TS_OK(st->ops->settlement_by_txn(st, "H100", "T-1", &got,
							  &e), &e), 1);
	assert_memory_equal(&got, &s, sizeof s);
	assert_int_equal(TS_OK(st->ops->settlement_by_txn(st, "H100", "T-2", &got,
							  &e), &e), 0);
	assert_int_equal(TS_OK(st->ops->settlement_by_id(st, s.id + 1, &got, &e),
			       &e), 0);

	/* S4: the same transaction id of the same institution, once. */
	dup = settlement(&f, "T-1", 1700000001);
	TS_REFUSED(st->ops->settlement_insert(st, &dup, &e), &e,
		   "settlement.txn_id_reused",
		   "this transaction id has already been settled");
	/* A share that cannot be stored (its relationship breaks the
	 * table's CHECK) undoes the whole settlement. */
	dup = settlement(&f, "T-9", 1700000001);
	dup.shares[1].relationship = (yb_relationship)99;
	assert_int_equal(st->ops->settlement_insert(st, &dup, &e), -1);
	assert_int_equal(TS_OK(st->ops->settlement_by_txn(st, "H100", "T-9", &got,
							  &e), &e), 0);
	dup.nshares = YB_MAX_SHARES + 1;
	TS_REFUSED(st->ops->settlement_insert(st, &dup, &e), &e, "store.error",
		   "a settlement has 0 to 32 shares, not 33");

	/* S5 */
	TS_OK(st->ops->settlement_set_revoked(st, s.id, 0, 1700000500, &e), &e);
	assert_int_equal(TS_OK(st->ops->settlement_by_id(st, s.id, &got, &e), &e), 1);
	assert_int_equal(got.state, YB_SETTLE_REVOKED);
	assert_int_equal(got.revoked_at, 1700000500);
	assert_int_equal(got.nshares, 2);
	TS_REFUSED(st->ops->settlement_set_revoked(st, 4242, 0, 1, &e), &e,
		   "settlement.not_found", "no settlement with id 4242");
}

/* Q1 and F7: a patient's settlements; what relatives took from a payer. */
static void test_settlement_lists(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = make_family(st);
	yb_settlement s, *list = NULL;
	yb_usage *usage = NULL;
	yb_id ids[6];
	int n = 0;
	yb_err e;

	for (int i = 0; i < 6; i++) {
		char txn[16];

		snprintf(txn, sizeof txn, "L-%d", i);
		s = settlement(&f, txn, 1700000000 + i);
		if (i % 2) {
			/* Only the patient's own account pays. */
			s.nshares = 1;
		}
		TS_OK(st->ops->settlement_insert(st, &s, &e), &e);
		ids[i] = s.id;
	}
	TS_OK(st->ops->settlement_set_revoked(st, ids[4], 0, 1700001000, &e), &e);

	TS_OK(st->ops->settlements_of_patient(st, f.patient, 0, 4, &list, &n, &e),
	      &e);
	assert_int_equal(n, 4);
	assert_int_equal(list[0].id, ids[5]);
	assert_int_equal(list[0].nshares, 1);
	assert_int_equal(list[1].id, ids[4]);
	assert_int_equal(list[1].nshares, 2);
	assert_int_equal(list[1].state, YB_SETTLE_REVOKED);
	assert_int_equal(list[1].shares[1].binding_id, f.binding);
	free(list);
	TS_OK(st->ops->settlements_of_patient(st, f.patient, ids[2], 4, &list, &n,
					      &e), &e);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].id, ids[1]);
	free(list);
	TS_OK(st->ops->settlements_of_patient(st, f.payer, 0, 4, &list, &n, &e), &e);
	assert_int_equal(n, 0);
	free(list);

	/* F7: the payer sees the shares relatives took, revoked ones marked;
	 * the patient's own shares are not "family usage". */
	TS_OK(st->ops->usage_of_payer(st, f.payer, 0, 10, &usage, &n, &e), &e);
	assert_int_equal(n, 3);
	assert_int_equal(usage[0].settlement_id, ids[4]);
	assert_int_equal(usage[0].state, YB_SETTLE_REVOKED);
	assert_int_equal(usage[0].share_account_id, f.payer_acc);
	assert_string_equal(usage[0].relative_ssn, "3100001");
	assert_string_equal(usage[0].relative_name, "Patient");
	assert_int_equal(usage[0].relationship, YB_REL_PARENT);
	assert_string_equal(usage[0].institution_code, "H100");
	assert_string_equal(usage[0].institution_name, "Hospital H100");
	assert_int_equal(usage[0].visit_type, YB_VISIT_OUTPATIENT);
	assert_int_equal(usage[0].amount_fen, 2000);
	assert_int_equal(usage[0].at, 1700000004);
	assert_int_equal(usage[1].settlement_id, ids[2]);
	assert_int_equal(usage[1].state, YB_SETTLE_SETTLED);
	free(usage);
	TS_OK(st->ops->usage_of_payer(st, f.payer, ids[2], 10, &usage, &n, &e), &e);
	assert_int_equal(n, 1);
	assert_int_equal(usage[0].settlement_id, ids[0]);
	free(usage);
	TS_OK(st->ops->usage_of_payer(st, f.patient, 0, 10, &usage, &n, &e), &e);
	assert_int_equal(n, 0);
	free(usage);
}

/* S7: totals of the settlements still settled in [from, to), and how many
 * of that day's were revoked. */
static void test_recon_totals(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = make_family(st);
	yb_institution other = institution(st, "H200");
	yb_time day = 1700006400;   /* some local midnight is irrelevant here */
	yb_recon_totals t;
	yb_settlement s;
	yb_err e;

	s = settlement(&f, "R-before", day - 1);
	TS_OK(st->ops->settlement_insert(st, &s, &e), &e);
	s = settlement(&f, "R-1", day);
	TS_OK(st->ops->settlement_insert(st, &s, &e), &e);
	s = settlement(&f, "R-2", day + 3600);
	s.cash_pay_fen = 2500;
	s.total_fen = 10500;
	TS_OK(st->ops->settlement_insert(st, &s, &e), &e);
	s = settlement(&f, "R-3", day + 7200);
	TS_OK(st->ops->settlement_insert(st, &s, &e), &e);
	TS_OK(st->ops->settlement_set_revoked(st, s.id, 0, day + 7300, &e), &e);
	s = settlement(&f, "R-after", day + 86400);
	TS_OK(st->ops->settlement_insert(st, &s, &e), &e);
	s = settlement(&f, "R-other", day + 10);
	snprintf(s.institution_code, sizeof s.institution_code, "%s", other.code);
	TS_OK(st->ops->settlement_insert(st, &s, &e), &e);

	TS_OK(st->ops->recon_totals(st, "H100", day, day + 86400, &t, &e), &e);
	assert_int_equal(t.count, 2);
	assert_int_equal(t.total_fen, 20500);
	assert_int_equal(t.fund_pay_fen, 10000);
	assert_int_equal(t.account_pay_fen, 6000);
	assert_int_equal(t.cash_pay_fen, 4500);
	assert_int_equal(t.revoked_count, 1);
	TS_OK(st->ops->recon_totals(st, "H999", day, day + 86400, &t, &e), &e);
	assert_int_equal(t.count, 0);
	assert_int_equal(t.total_fen, 0);
	assert_int_equal(t.revoked_count, 0);
}

/* ---- offline records (S6) --------------------------------------------------- */

static void test_offline(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = make_family(st);
	yb_offline o, got;
	yb_settlement s = settlement(&f, "O-1", 1700100000);
	yb_err e;

	memset(&o, 0, sizeof o);
	snprintf(o.institution_code, sizeof o.institution_code, "H100");
	snprintf(o.txn_id, sizeof o.txn_id, "O-1");
	o.patient_id = f.patient;
	o.cred_type = YB_CRED_ID_NUMBER;
	o.visit_type = YB_VISIT_PHARMACY;
	o.total_fen = 8000;
	o.fund_pay_fen = 1000;
	o.occurred_at = 1700000000;
	o.recorded_at = 1700000100;
	o.state = YB_OFFLINE_CASH_PAID;
	TS_OK(st->ops->offline_insert(st, &o, &e), &e);
	assert_true(o.id > 0);
	snprintf(o.patient_ssn, sizeof o.patient_ssn, "3100001");
	snprintf(o.patient_name, sizeof o.patient_name, "Patient");
	assert_int_equal(TS_OK(st->ops->offline_by_id(st, o.id, &got, &e), &e), 1);
	assert_memory_equal(&got, &o, sizeof o);
	memset(&got, 0, sizeof got);
	assert_int_equal(TS_OK(st->ops->offline_by_txn(st, "H100", "O-1", &got, &e),
			       &e), 1);
	assert_memory_equal(&got, &o, sizeof o);
	assert_int_equal(TS_OK(st->ops->offline_by_txn(st, "H101", "O-1", &got, &e),
			       &e), 0);
	assert_int_equal(TS_OK(st->ops->offline_by_id(st, o.id + 1, &got, &e), &e),
			 0);
	TS_REFUSED(st->ops->offline_insert(st, &o, &e), &e,
		   "offline.txn_id_reused",
		   "this transaction id has already been recorded");

	/* S6: re-settled once. */
	s.offline_id = o.id;
	TS_OK(st->ops->settlement_insert(st, &s, &e), &e);
	TS_OK(st->ops->offline_set_resettled(st, o.id, s.id, 3000, 1700100000, &e),
	      &e);
	assert_int_equal(TS_OK(st->ops->offline_by_id(st, o.id, &got, &e), &e), 1);
	assert_int_equal(got.state, YB_OFFLINE_RESETTLED);
	assert_int_equal(got.settlement_id, s.id);
	assert_int_equal(got.refund_fen, 3000);
	assert_int_equal(got.resettled_at, 1700100000);
	TS_REFUSED(st->ops->offline_set_resettled(st, o.id, s.id, 3000,
						  1700100001, &e),
		   &e, "offline.already_resettled",
		   ts_fmt("offline record %lld is already re-settled",
			  (long long)o.id));
	TS_REFUSED(st->ops->offline_set_resettled(st, 4242, s.id, 1, 1, &e), &e,
		   "offline.not_found", "no offline record with id 4242");
	assert_int_equal(TS_OK(st->ops->settlement_by_id(st, s.id, &s, &e), &e), 1);
	assert_int_equal(s.offline_id, o.id);
}

int ts_run_settle(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_institution, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_binding_lifecycle, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_binding_lists, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_bindings_end_all, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_payer_candidates, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_holder_lookups, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_settle_hint, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_settlement, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_settlement_lists, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_recon_totals, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_offline, ts_setup, ts_teardown),
	};

	return cmocka_run_group_tests_name("store settlement", tests, NULL, NULL);
}
