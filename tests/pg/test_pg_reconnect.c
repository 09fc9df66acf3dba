/*
 * test_pg_reconnect.c — a connection the server drops between two
 * transactions (a failover, a restart, an idle timeout in a proxy) costs
 * the next request nothing: its BEGIN finds the connection dead before
 * anything was done, reconnects and goes on (issue 16).  One dropped in
 * the middle of a transaction fails that transaction with the retryable
 * "store.unavailable", and the one after it reconnects.
 *
 * The drop is real: pg_terminate_backend() from a second connection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "testdb.h"

/* Terminate every backend of the store's database but our own (the
 * store's connections show as "yibao"); wait until they are gone. */
static void drop_connections(const char *url)
{
	PGconn *c = PQconnectdb(url + strlen("pg:"));
	PGresult *r;

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, "SELECT count(pg_terminate_backend(pid)) "
		      "FROM pg_stat_activity WHERE datname = current_database() "
		      "AND application_name = 'yibao'");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_string_equal(PQgetvalue(r, 0, 0), "1");
	PQclear(r);
	for (int i = 0; i < 500; i++) {
		r = PQexec(c, "SELECT count(*) FROM pg_stat_activity "
			      "WHERE datname = current_database() "
			      "AND application_name = 'yibao'");
		if (strcmp(PQgetvalue(r, 0, 0), "0") == 0) {
			PQclear(r);
			break;
		}
		PQclear(r);
		usleep(10000);
	}
	PQfinish(c);
}

static void read_once(yb_store *st)
{
	char buf[64];
	yb_err e;

	assert_int_equal(st->ops->begin(st, false, &e), 0);
	assert_true(st->ops->meta_get(st, "nothing", buf, sizeof buf, &e) >= 0);
	assert_int_equal(st->ops->commit(st, &e), 0);
}

static void test_dropped_between_transactions(void **state)
{
	char url[512];
	yb_store *st = yb_test_store_new(url);
	yb_err e;

	(void)state;
	read_once(st);
	drop_connections(url);
	/* the next transaction reconnects at BEGIN: no error at all */
	read_once(st);
	assert_int_equal(st->ops->begin(st, true, &e), 0);
	assert_int_equal(st->ops->meta_put(st, "k", "v", &e), 0);
	assert_int_equal(st->ops->commit(st, &e), 0);
	yb_test_store_free(st);
}

static void test_dropped_inside_a_transaction(void **state)
{
	char url[512], buf[64];
	yb_store *st = yb_test_store_new(url);
	yb_err e;

	(void)state;
	assert_int_equal(st->ops->begin(st, true, &e), 0);
	drop_connections(url);
	assert_int_equal(st->ops->meta_put(st, "k", "v", &e), -1);
	assert_string_equal(e.code, "store.unavailable");
	st->ops->rollback(st);
	read_once(st);
	/* nothing of the broken transaction is there */
	assert_int_equal(st->ops->begin(st, false, &e), 0);
	assert_int_equal(st->ops->meta_get(st, "k", buf, sizeof buf, &e), 0);
	st->ops->rollback(st);
	yb_test_store_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dropped_between_transactions),
		cmocka_unit_test(test_dropped_inside_a_transaction),
	};

	if (strcmp(yb_test_engine(), "pg") != 0) {
		fprintf(stderr, "test_pg_reconnect: YB_TEST_ENGINE=pg only\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
