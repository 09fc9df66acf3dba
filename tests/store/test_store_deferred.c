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
 * answer the same, the refusal comes at the call.  And (pg10) a
 * writer's connection, whose BEGIN and COMMIT ride with other
 * statements, ends its transactions as any other.
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

/*
 * pg10: a group-commit writer's connection (op as_writer) sends its
 * BEGIN with its transaction's first statement and its COMMIT with the
 * last (the audit flush or the deferred writes).  What a caller sees is
 * what it saw with a round trip each: a transaction in which nothing
 * was sent commits or rolls back; one with writes and an audit record
 * is committed for every other connection once commit answers; one an
 * error aborted answers an error at commit and keeps nothing; a
 * connection lost between two transactions fails the next one's first
 * statement (store.unavailable) and the one after reconnects.
 */
static void test_writer_round_trips(void **state)
{
	ts_fixture *fx = *state;
	yb_store *st = fx->st, *w = NULL, *other = NULL;
	family f = ts_family(st);
	yb_settlement a = ts_settlement(&f, "W-1", AT);
	yb_settlement b = ts_settlement(&f, "W-2", AT), c, got;
	yb_notification na = note(&f), nb = note(&f);
	yb_audit_record *list = NULL;
	yb_id lock[1] = { f.patient_acc }, used;
	int n = 0, rc;
	yb_err e;

	ts_fund(st, f.patient_acc, 5000);
	TS_OK(yb_store_open(fx->url, &w, &e), &e);
	if (w->ops->as_writer)
		TS_OK(w->ops->as_writer(w, &e), &e);

	/* nothing sent: both end it, and the next one begins */
	TS_OK(w->ops->begin(w, true, &e), &e);
	TS_OK(w->ops->commit(w, &e), &e);
	TS_OK(w->ops->begin(w, true, &e), &e);
	w->ops->rollback(w);

	/* a lazy batch of two requests and an audit record */
	TS_OK(w->ops->begin(w, true, &e), &e);
	w->ops->lazy_undo(w, true);
	settle_one(w, &f, &a, &na);
	TS_OK(yb_test_audit_append(w, "settlement.create", 0, &e), &e);
	settle_one(w, &f, &b, &nb);
	w->ops->lazy_undo(w, false);
	assert_false(w->ops->spoiled(w));
	TS_OK(w->ops->commit(w, &e), &e);
	/* committed: another connection sees all of it at once */
	TS_OK(yb_store_open(fx->url, &other, &e), &e);
	assert_int_equal(TS_OK(other->ops->settlement_by_txn(
				       other, "H100", "W-2", &got, &e), &e), 1);
	assert_true(got.id == b.id);
	assert_true(ts_balance(other, f.patient_acc) == 3000);
	TS_OK(other->ops->audit_list(other, 0, 1, &list, &n, &e), &e);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].action, "settlement.create");
	used = list[0].seq;
	free(list);

	/* the statement the COMMIT rides with fails (PostgreSQL: a record
	 * buffered under a seq used already, written by the commit's audit
	 * flush; SQLite writes it at once and refuses it there): commit
	 * answers an error and nothing of the transaction is kept */
	if (!ts_sqlite()) {
		c = ts_settlement(&f, "W-3", AT);
		TS_OK(w->ops->begin(w, true, &e), &e);
		TS_OK(w->ops->settlement_insert(w, &c, &e), &e);
		TS_OK(yb_test_audit_append(w, "settlement.create", used, &e), &e);
		assert_int_equal(w->ops->commit(w, &e), -1);
		assert_int_equal(TS_OK(other->ops->settlement_by_txn(
				other, "H100", "W-3", &got, &e), &e), 0);
		/* the connection is usable: the next transaction commits */
		TS_OK(w->ops->begin(w, true, &e), &e);
		TS_OK(w->ops->account_lock(w, lock, 1, &e), &e);
		TS_OK(w->ops->commit(w, &e), &e);

		/* lost between two transactions */
		yb_store_close(other);
		other = NULL;
		yb_test_raw_exec(fx->url, "SELECT pg_terminate_backend(pid) "
			"FROM pg_stat_activity WHERE datname = "
			"current_database() AND pid <> pg_backend_pid() "
			"AND backend_type = 'client backend'");
		TS_OK(w->ops->begin(w, true, &e), &e);
		rc = w->ops->account_lock(w, lock, 1, &e);
		TS_FAILS(rc, &e, "store.unavailable");
		w->ops->rollback(w);
		TS_OK(w->ops->begin(w, true, &e), &e);
		TS_OK(w->ops->account_lock(w, lock, 1, &e), &e);
		TS_OK(w->ops->commit(w, &e), &e);
	}
	yb_store_close(other);
	yb_store_close(w);
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
		cmocka_unit_test_setup_teardown(test_writer_round_trips,
						ts_setup, ts_teardown),
	};

	return cmocka_run_group_tests_name("store deferred writes (pg5)",
					   tests, NULL, NULL);
}
