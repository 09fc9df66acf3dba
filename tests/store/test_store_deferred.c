/*
 * test_store_deferred.c — writes deferred in a lazy batch (issue 16,
 * pg5), on both engines.  The PostgreSQL engine sends the ledger write,
 * the settlement, its cap cuts and a notification into libpq's pipeline
 * while a batch is lazy (store.h lazy_undo) and collects them with the
 * next statement that needs an answer, or when lazy_undo is turned off;
 * their ids are reserved ahead.  What must hold whatever the engine:
 * the ids are set at the call and are the rows' ids; a later read in
 * the transaction sees the writes; a batch whose writes all succeed is
 * not spoiled; one whose deferred write fails is spoiled (found at the
 * latest when lazy_undo is turned off) and its synchronous replay
 * refuses that request at its call; ids drawn ahead never collide across
 * connections and reopened ones, and keep the order of the requests.  SQLite writes at once: the same calls
 * answer the same, the refusal comes at the call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_test.h"

#define AT 1700000000

/* A settlement posting of f's patient at f's institution. */
static yb_posting posting(const family *f, int64_t fen)
{
	yb_posting p;

	memset(&p, 0, sizeof p);
	p.kind = "settlement";
	snprintf(p.ref, sizeof p.ref, "settlement:test");
	p.n = 2;
	p.entries[0].account_id = f->patient_acc;
	p.entries[0].amount_fen = -fen;
	p.entries[1].account_id = f->inst.receivable_account_id;
	p.entries[1].amount_fen = fen;
	return p;
}

static yb_notification note(const family *f)
{
	yb_notification n;

	memset(&n, 0, sizeof n);
	n.person_id = f->payer;
	n.kind = YB_NOTE_SETTLEMENT_SHARE;
	n.relative_id = f->patient;
	snprintf(n.relative_ssn, sizeof n.relative_ssn, "3100001");
	snprintf(n.relative_name, sizeof n.relative_name, "Patient");
	n.relationship = YB_REL_CHILD;
	n.amount_fen = 2000;
	snprintf(n.ref, sizeof n.ref, "settlement:test");
	n.created_at = AT;
	return n;
}

/* One request of a lazy batch: its posting, settlement and note. */
static void settle_one(yb_store *st, const family *f, yb_settlement *s,
		       yb_notification *n)
{
	yb_posting p = posting(f, 1000);
	yb_id lock[2] = { f->patient_acc, f->inst.receivable_account_id };
	yb_err e;

	TS_OK(st->ops->savepoint(st, &e), &e);
	/* as a settlement does: on PostgreSQL the ids come with the lock */
	TS_OK(st->ops->account_lock(st, lock, 2, &e), &e);
	TS_OK(st->ops->ledger_post(st, &p, AT, &s->ledger_txn_id, &e), &e);
	TS_OK(st->ops->settlement_insert(st, s, &e), &e);
	TS_OK(st->ops->notification_insert(st, n, &e), &e);
	TS_OK(st->ops->release(st, &e), &e);
	assert_true(s->ledger_txn_id > 0 && s->id > 0 && n->id > 0);
}

/* Deferred writes are kept, under the ids the calls gave, and seen by
 * the transaction's later reads; nothing spoils the batch. */
static void test_deferred_kept(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = ts_family(st);
	yb_settlement a = ts_settlement(&f, "D-1", AT);
	yb_settlement b = ts_settlement(&f, "D-2", AT), got;
	yb_notification na = note(&f), nb = note(&f), *list;
	yb_ledger_report r;
	int n;
	yb_err e;

	ts_fund(st, f.patient_acc, 5000);
	TS_OK(st->ops->begin(st, true, &e), &e);
	st->ops->lazy_undo(st, true);
	settle_one(st, &f, &a, &na);
	settle_one(st, &f, &b, &nb);
	assert_true(a.id != b.id && a.ledger_txn_id != b.ledger_txn_id &&
		    na.id != nb.id);
	/* a read after them sees them (same connection, in order) */
	assert_int_equal(TS_OK(st->ops->settlement_by_txn(st, "H100", "D-2",
							  &got, &e), &e), 1);
	assert_true(got.id == b.id && got.ledger_txn_id == b.ledger_txn_id);
	assert_false(st->ops->spoiled(st));
	st->ops->lazy_undo(st, false);
	assert_false(st->ops->spoiled(st));
	TS_OK(st->ops->commit(st, &e), &e);

	assert_int_equal(TS_OK(st->ops->settlement_by_id(st, a.id, &got, &e),
			       &e), 1);
	assert_string_equal(got.txn_id, "D-1");
	assert_true(got.ledger_txn_id == a.ledger_txn_id);
	assert_int_equal(got.nshares, 2);
	TS_OK(st->ops->notifications_of(st, f.payer, 0, 10, &list, &n, &e), &e);
	assert_int_equal(n, 2);
	assert_true(list[0].id == nb.id && list[1].id == na.id);
	free(list);
	assert_true(ts_balance(st, f.patient_acc) == 3000);
	r = ts_check(st);
	assert_true(r.mismatched_accounts == 0 &&
		    r.unbalanced_transactions == 0 && r.sum_entries_fen == 0);
}

/* A request whose deferred write fails — a txn_id used already, the last
 * request of its batch — spoils the batch by the time lazy_undo is
 * turned off; the replay, synchronous, refuses it at its call and keeps
 * the other request once. */
static void test_deferred_failure_spoils(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = ts_family(st);
	yb_settlement first = ts_settlement(&f, "F-1", AT), got;
	yb_settlement other, again;
	yb_err e;
	int rc;

	TS_OK(st->ops->settlement_insert(st, &first, &e), &e);
	for (int run = 0; run < 2; run++) {
		bool lazy = run == 0;

		other = ts_settlement(&f, "F-2", AT);
		again = ts_settlement(&f, "F-1", AT);
		TS_OK(st->ops->begin(st, true, &e), &e);
		if (lazy)
			st->ops->lazy_undo(st, true);
		TS_OK(st->ops->savepoint(st, &e), &e);
		TS_OK(st->ops->settlement_insert(st, &other, &e), &e);
		TS_OK(st->ops->release(st, &e), &e);
		TS_OK(st->ops->savepoint(st, &e), &e);
		rc = st->ops->settlement_insert(st, &again, &e);
		if (lazy && !ts_sqlite()) {
			/* deferred: the failure is found later */
			assert_int_equal(rc, 0);
			TS_OK(st->ops->release(st, &e), &e);
			st->ops->lazy_undo(st, false);
			assert_true(st->ops->spoiled(st));
			st->ops->rollback(st);
			continue;
		}
		TS_FAILS(rc, &e, "settlement.txn_id_reused");
		TS_OK(st->ops->rollback_to(st, &e), &e);
		if (lazy) {
			st->ops->lazy_undo(st, false);
			assert_false(st->ops->spoiled(st));
		}
		TS_OK(st->ops->commit(st, &e), &e);
		break;
	}
	assert_int_equal(TS_OK(st->ops->settlement_by_txn(st, "H100", "F-1",
							  &got, &e), &e), 1);
	assert_true(got.id == first.id);
	assert_int_equal(TS_OK(st->ops->settlement_by_txn(st, "H100", "F-2",
							  &got, &e), &e), 1);
	assert_true(got.id == other.id);
}

#define ROUNDS 3
#define PER    3

/* Ids drawn ahead are unique across connections, across a connection
 * closed and opened again, and with ids the database gave (writes not
 * deferred); and they keep the order of the requests, whichever
 * connection made them (lists are newest first by id). */
static void test_reserved_ids_unique(void **state)
{
	ts_fixture *fx = *state;
	yb_store *st = fx->st, *other = NULL, *on;
	family f = ts_family(st);
	yb_id ids[2 * ROUNDS * (2 * PER + 1)], txns[2 * ROUNDS * (2 * PER + 1)];
	int n = 0;
	yb_err e;

	ts_fund(st, f.patient_acc, 1000000);
	for (int round = 0; round < ROUNDS; round++) {
		TS_OK(yb_store_open(fx->url, &other, &e), &e);
		for (int i = 0; i < 2 * PER; i++) {
			yb_settlement s = ts_settlement(
				&f, ts_fmt("R-%d-%d", round, i), AT);
			yb_notification nt = note(&f);

			on = i % 2 ? other : st;
			TS_OK(on->ops->begin(on, true, &e), &e);
			on->ops->lazy_undo(on, true);
			settle_one(on, &f, &s, &nt);
			on->ops->lazy_undo(on, false);
			assert_false(on->ops->spoiled(on));
			TS_OK(on->ops->commit(on, &e), &e);
			ids[n] = s.id;
			txns[n++] = s.ledger_txn_id;
		}
		/* one written at once (the table's own next id) */
		yb_settlement s = ts_settlement(&f, ts_fmt("R-%d-x", round), AT);
		TS_OK(other->ops->settlement_insert(other, &s, &e), &e);
		ids[n] = s.id;
		txns[n++] = -round - 1;
		yb_store_close(other);      /* its reserved ids go with it */
	}
	for (int i = 1; i < n; i++)
		assert_true(ids[i] > ids[i - 1]);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++) {
			assert_true(ids[i] != ids[j]);
			assert_true(txns[i] != txns[j]);
		}
	assert_true(ts_check(st).mismatched_accounts == 0);
}

#define JOINED 4

/* Read back what request k wrote, to compare two runs of it. */
static void read_back(yb_store *st, const yb_settlement *s,
		      yb_settlement *got)
{
	yb_err e;

	assert_int_equal(TS_OK(st->ops->settlement_by_id(st, s->id, got, &e),
			       &e), 1);
	assert_true(got->ledger_txn_id == s->ledger_txn_id);
}

/*
 * pg7: on PostgreSQL a request's ledger write, settlement and first
 * notification go as one statement once the connection has prepared
 * it (from its second and third request on).  The same requests made
 * lazily (joined) and synchronously (each alone) write the same rows
 * but for ids and txn ids; and a joined statement whose settlement
 * part fails (a txn_id used already) fails whole: the batch is spoiled,
 * nothing of it stays, and the synchronous replay keeps the request
 * before and refuses that one, its posting undone.
 */
static void test_deferred_joined(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = ts_family(st);
	yb_settlement lz[JOINED], sy[JOINED], gl, gs;
	yb_notification nl[JOINED], ns[JOINED], *list;
	int n;
	yb_err e;
	int rc;

	ts_fund(st, f.patient_acc, 100000);
	for (int run = 0; run < 2; run++) {
		bool lazy = run == 0;
		yb_settlement *s = lazy ? lz : sy;
		yb_notification *nt = lazy ? nl : ns;

		TS_OK(st->ops->begin(st, true, &e), &e);
		if (lazy)
			st->ops->lazy_undo(st, true);
		for (int k = 0; k < JOINED; k++) {
			s[k] = ts_settlement(&f, ts_fmt("J-%d-%d", run, k), AT);
			nt[k] = note(&f);
			nt[k].amount_fen = 100 + k;
			settle_one(st, &f, &s[k], &nt[k]);
		}
		if (lazy) {
			st->ops->lazy_undo(st, false);
			assert_false(st->ops->spoiled(st));
		}
		TS_OK(st->ops->commit(st, &e), &e);
	}
	for (int k = 0; k < JOINED; k++) {
		read_back(st, &lz[k], &gl);
		read_back(st, &sy[k], &gs);
		assert_string_equal(gl.txn_id, ts_fmt("J-0-%d", k));
		assert_true(gl.patient_id == gs.patient_id &&
			    gl.total_fen == gs.total_fen &&
			    gl.fund_pay_fen == gs.fund_pay_fen &&
			    gl.account_pay_fen == gs.account_pay_fen &&
			    gl.cash_pay_fen == gs.cash_pay_fen &&
			    gl.state == gs.state &&
			    gl.settled_at == gs.settled_at &&
			    gl.nshares == gs.nshares);
		assert_string_equal(gl.request_hash, gs.request_hash);
		for (int i = 0; i < gl.nshares; i++)
			assert_true(gl.shares[i].account_id ==
					    gs.shares[i].account_id &&
				    gl.shares[i].payer_person_id ==
					    gs.shares[i].payer_person_id &&
				    gl.shares[i].binding_id ==
					    gs.shares[i].binding_id &&
				    gl.shares[i].amount_fen ==
					    gs.shares[i].amount_fen);
	}
	TS_OK(st->ops->notifications_of(st, f.payer, 0, 20, &list, &n, &e), &e);
	assert_int_equal(n, 2 * JOINED);
	/* newest first: the synchronous run's, then the lazy run's */
	for (int k = 0; k < JOINED; k++) {
		const yb_notification *a = &list[2 * JOINED - 1 - k];
		const yb_notification *b = &list[JOINED - 1 - k];

		assert_true(a->id == nl[k].id && b->id == ns[k].id);
		assert_true(a->amount_fen == 100 + k &&
			    b->amount_fen == 100 + k && a->kind == b->kind &&
			    a->relative_id == b->relative_id &&
			    a->created_at == b->created_at);
		assert_string_equal(a->ref, b->ref);
		assert_string_equal(a->relative_name, b->relative_name);
	}
	free(list);
	assert_true(ts_balance(st, f.patient_acc) == 100000 - 2 * JOINED * 1000);

	/* a joined statement that fails, then its replay */
	for (int run = 0; run < 2; run++) {
		bool lazy = run == 0;
		yb_settlement ok = ts_settlement(&f, "J-ok", AT);
		yb_settlement bad = ts_settlement(&f, "J-0-1", AT);
		yb_notification no = note(&f);
		yb_posting p = posting(&f, 1000);
		yb_id lock[2] = { f.patient_acc, f.inst.receivable_account_id };

		TS_OK(st->ops->begin(st, true, &e), &e);
		if (lazy)
			st->ops->lazy_undo(st, true);
		settle_one(st, &f, &ok, &no);
		TS_OK(st->ops->savepoint(st, &e), &e);
		TS_OK(st->ops->account_lock(st, lock, 2, &e), &e);
		TS_OK(st->ops->ledger_post(st, &p, AT, &bad.ledger_txn_id, &e),
		      &e);
		rc = st->ops->settlement_insert(st, &bad, &e);
		if (lazy) {
			if (!ts_sqlite()) {
				assert_int_equal(rc, 0);   /* found later */
				TS_OK(st->ops->release(st, &e), &e);
				st->ops->lazy_undo(st, false);
			} else {
				/* at once; undoing the posting spoils */
				TS_FAILS(rc, &e, "settlement.txn_id_reused");
				TS_OK(st->ops->rollback_to(st, &e), &e);
			}
			assert_true(st->ops->spoiled(st));
			st->ops->rollback(st);
			assert_true(ts_balance(st, f.patient_acc) ==
				    100000 - 2 * JOINED * 1000);
			continue;
		}
		TS_FAILS(rc, &e, "settlement.txn_id_reused");
		TS_OK(st->ops->rollback_to(st, &e), &e);
		TS_OK(st->ops->commit(st, &e), &e);
		break;
	}
	assert_int_equal(TS_OK(st->ops->settlement_by_txn(st, "H100", "J-ok",
							  &gl, &e), &e), 1);
	assert_true(ts_balance(st, f.patient_acc) ==
		    100000 - (2 * JOINED + 1) * 1000);
	{
		yb_ledger_report r = ts_check(st);
		assert_true(r.mismatched_accounts == 0 &&
			    r.unbalanced_transactions == 0 &&
			    r.sum_entries_fen == 0);
	}
}

int ts_run_deferred(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deferred_kept, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_deferred_failure_spoils,
						ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_reserved_ids_unique,
						ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_deferred_joined,
						ts_setup, ts_teardown),
	};

	return cmocka_run_group_tests_name("store deferred writes (pg5)",
					   tests, NULL, NULL);
}
