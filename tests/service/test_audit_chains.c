/*
 * test_audit_chains.c — the PostgreSQL engine's audit log of several hash
 * chains (pgha, SPEC X3): `audit verify` accepts what the service wrote
 * from two connections (two chains), and finds every kind of tampering
 * with a committed record — changed, deleted in the middle, deleted at a
 * chain's end, two records swapped, a record moved to another chain.
 * The tampering goes through a raw libpq connection that first disables
 * the append-only trigger, as someone with the database's owner role
 * could.  PostgreSQL only (SQLite's one chain: test_ledger.c).
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
	PGconn *c = PQconnectdb(f->url + 3);      /* after "pg:" */
	PGresult *r;
	char buf[1024];

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	snprintf(buf, sizeof buf,
		 "ALTER TABLE audit DISABLE TRIGGER audit_append_only; %s", sql);
	r = PQexec(c, buf);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("tamper: %s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
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
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
