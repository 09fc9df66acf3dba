/*
 * test_audit_chains.c — the PostgreSQL engine's audit log of several hash
 * chains (pgha, SPEC X3): `audit verify` accepts what the service wrote
 * from two connections (two chains), and finds every kind of tampering
 * with a committed record — changed, deleted in the middle, deleted at a
 * chain's end, two records swapped, a record moved to another chain.
 * The tampering goes through a raw libpq connection that first disables
 * the append-only trigger, as someone with the database's owner role
 * could.  Records one transaction buffered and wrote at commit (issue
 * 16) verify and show tampering the same way.  PostgreSQL only (SQLite's one chain: test_ledger.c).
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "service/ledger.h"
#include "testdb.h"

/* Registrations from two connections, alternately: two chains. */
static void write_records(fx *f)
{
	yb_store *second = NULL, *first = f->ctx.store;
	yb_err e;

	assert_ok(yb_store_open(f->url, &second, &e), e);
	for (int i = 1; i <= 6; i++) {
		f->ctx.store = i % 2 ? first : second;
		fx_person(f, i, "employee_tier1");
	}
	f->ctx.store = first;
	second->ops->close(second);
}

static void tamper(fx *f, const char *sql)
{
	char buf[1024];

	snprintf(buf, sizeof buf,
		 "ALTER TABLE audit DISABLE TRIGGER audit_append_only; %s", sql);
	yb_test_raw_exec(f->url, buf);
}

static yb_audit_report verify(fx *f)
{
	yb_audit_report rep;
	yb_err e;

	assert_ok(yb_audit_verify(&f->ctx, &rep, &e), e);
	return rep;
}

/* The second record of the chain that has the most (a middle one). */
#define MIDDLE "(SELECT seq FROM audit WHERE chain = (SELECT chain FROM " \
	"audit GROUP BY chain ORDER BY count(*) DESC, chain LIMIT 1) " \
	"ORDER BY seq OFFSET 1 LIMIT 1)"
#define TAIL "(SELECT max(seq) FROM audit)"

static void test_untouched(void **state)
{
	fx *f = *state;
	yb_audit_report rep;
	PGconn *c;
	PGresult *r;

	if (strcmp(yb_test_engine(), "pg") != 0)
		skip();
	write_records(f);
	rep = verify(f);
	assert_true(rep.ok);
	assert_int_equal(rep.records, 6);
	/* two connections wrote on two chains, neither waiting */
	c = PQconnectdb(f->url + 3);
	r = PQexec(c, "SELECT count(DISTINCT chain) FROM audit");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_string_equal(PQgetvalue(r, 0, 0), "2");
	PQclear(r);
	PQfinish(c);
}

static void expect_broken(void **state, const char *sql)
{
	fx *f = *state;
	yb_audit_report rep;

	if (strcmp(yb_test_engine(), "pg") != 0)
		skip();
	write_records(f);
	tamper(f, sql);
	rep = verify(f);
	assert_false(rep.ok);
	assert_true(rep.first_bad_seq > 0);
	assert_true(rep.problem[0] != '\0');
}

static void test_changed(void **state)
{
	expect_broken(state, "UPDATE audit SET target = 'person:x' "
			     "WHERE seq = " MIDDLE);
}

static void test_deleted_middle(void **state)
{
	expect_broken(state, "DELETE FROM audit WHERE seq = " MIDDLE);
}

static void test_deleted_tail(void **state)
{
	expect_broken(state, "DELETE FROM audit WHERE seq = " TAIL);
}

/* Two neighbours of one chain trade places: each row takes the other's
 * record, numbers kept. */
static void test_reordered(void **state)
{
	expect_broken(state,
		"CREATE TEMP TABLE pair AS SELECT " MIDDLE " AS a; "
		"UPDATE pair SET a = a; "
		"ALTER TABLE pair ADD COLUMN b bigint; "
		"UPDATE pair SET b = (SELECT min(seq) FROM audit WHERE chain = "
		"  (SELECT chain FROM audit WHERE seq = pair.a) AND seq > pair.a); "
		"UPDATE audit x SET (at, actor, role, channel, action, target, "
		"  result, prev_hash, hash) = (SELECT y.at, y.actor, y.role, "
		"  y.channel, y.action, y.target, y.result, y.prev_hash, y.hash "
		"  FROM audit y, pair WHERE y.seq = CASE WHEN x.seq = pair.a "
		"  THEN pair.b ELSE pair.a END) "
		"FROM pair WHERE x.seq IN (pair.a, pair.b)");
}

/* To the next chain (1..64, round): never the chain it was on.  (64 -
 * chain left chain 32 where it was, and the test failed whenever the
 * process id made 32 the busiest chain.) */
static void test_moved_chain(void **state)
{
	expect_broken(state, "UPDATE audit SET chain = chain % 64 + 1 "
			     "WHERE seq = " MIDDLE);
}

/* One answer of a query on a raw connection. */
static long long query_num(fx *f, const char *sql)
{
	PGconn *c = PQconnectdb(f->url + 3);
	PGresult *r = PQexec(c, sql);
	long long v;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	v = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return v;
}

/*
 * issue 16: the engine keeps a transaction's records and writes them
 * just before COMMIT.  One transaction as group commit makes it: a
 * savepoint per "request", every third rolled back; more records than
 * one flush holds and than one claim reserves numbers for; and in the
 * middle a read of the log inside a savepoint (it must see the records
 * so far, so they are written then) that is then rolled back — the
 * database undoes that write, and the kept records must still arrive.
 */
#define BATCH 600
static void batch_records(fx *f)
{
	yb_store *st = f->ctx.store;
	yb_audit_record *list = NULL;
	int n = 0;
	yb_err e;

	assert_ok(st->ops->begin(st, true, &e), e);
	for (int i = 1; i <= BATCH; i++) {
		char target[32];

		assert_ok(st->ops->savepoint(st, &e), e);
		snprintf(target, sizeof target, "test:%d", i);
		assert_ok(yb_audit(&f->ctx, "test.batch", target, "ok", &e), e);
		if (i == BATCH / 2) {
			assert_ok(st->ops->audit_list(st, 0, 2, &list, &n, &e),
				  e);
			assert_int_equal(n, 2);
			assert_string_equal(list[0].target, target);
			assert_string_equal(list[1].target, "test:299");
			free(list);
		}
		if (i % 3 == 0)
			assert_ok(st->ops->rollback_to(st, &e), e);
		else
			assert_ok(st->ops->release(st, &e), e);
	}
	assert_ok(st->ops->commit(st, &e), e);
}

static void test_batched(void **state)
{
	fx *f = *state;
	yb_audit_report rep;

	if (strcmp(yb_test_engine(), "pg") != 0)
		skip();
	batch_records(f);
	rep = verify(f);
	assert_true(rep.ok);
	/* what was rolled back is gone, the rest is there once, on one
	 * chain, and that chain's recorded head is its newest record */
	assert_int_equal(query_num(f, "SELECT count(*) FROM audit WHERE "
				   "action = 'test.batch'"), BATCH - BATCH / 3);
	assert_int_equal(query_num(f, "SELECT count(*) FROM audit WHERE "
				   "action = 'test.batch' AND "
				   "substr(target, 6)::int % 3 = 0"), 0);
	assert_int_equal(query_num(f, "SELECT count(DISTINCT target) FROM "
				   "audit WHERE action = 'test.batch'"),
			 BATCH - BATCH / 3);
	assert_int_equal(query_num(f, "SELECT count(DISTINCT chain) FROM "
				   "audit WHERE action = 'test.batch'"), 1);
	assert_int_equal(query_num(f, "SELECT count(*) FROM audit_chains h "
				   "WHERE h.seq = (SELECT max(seq) FROM audit a "
				   "WHERE a.chain = h.chain) AND h.chain = "
				   "(SELECT max(chain) FROM audit WHERE action "
				   "= 'test.batch')"), 1);
	/* and tampering with one of them is seen */
	tamper(f, "UPDATE audit SET target = 'test:x' WHERE seq = (SELECT seq "
		  "FROM audit WHERE action = 'test.batch' ORDER BY seq "
		  "OFFSET 200 LIMIT 1)");
	rep = verify(f);
	assert_false(rep.ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_untouched),
		T(test_changed),
		T(test_deleted_middle),
		T(test_deleted_tail),
		T(test_reordered),
		T(test_moved_chain),
		T(test_batched),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
