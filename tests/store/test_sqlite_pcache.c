/*
 * test_sqlite_pcache.c — the page cache wrapper (src/store/sqlite/
 * pcache.c), which keeps a commit from walking the whole cache.
 *
 * What must hold: a truncate still drops every page at or above its
 * limit, pages parked on the pending-byte page by a b-tree balance
 * included, and keeps every page below it (driven through the installed
 * methods, on SQLite's real pcache1 underneath); and a database whose
 * transactions grow the file, split pages and roll back stays intact and
 * holds exactly what was committed.  SQLite only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "sqlite_fixture.h"
#include "store/sqlite/sqlite_int.h"

#define PAGE 4096
#define PENDING (0x40000000u / PAGE + 1)

static const sqlite3_pcache_methods2 *methods(void)
{
	const sqlite3_pcache_methods2 *m;

	sq_global_init();
	m = sq_pcache_methods();
	assert_non_null(m);
	return m;
}

/* Fetch (creating) and unpin keys [from, to]. */
static void fill(const sqlite3_pcache_methods2 *m, sqlite3_pcache *c,
		 unsigned from, unsigned to)
{
	for (unsigned k = from; k <= to; k++) {
		sqlite3_pcache_page *pg = m->xFetch(c, k, 2);

		assert_non_null(pg);
		m->xUnpin(c, pg, 0);
	}
}

static bool cached(const sqlite3_pcache_methods2 *m, sqlite3_pcache *c,
		   unsigned k)
{
	sqlite3_pcache_page *pg = m->xFetch(c, k, 0);

	if (pg)
		m->xUnpin(c, pg, 0);
	return pg != NULL;
}

static void test_truncate_drops_what_it_must(void **state)
{
	const sqlite3_pcache_methods2 *m = methods();
	sqlite3_pcache *c = m->xCreate(PAGE, 64, 1);

	(void)state;
	assert_non_null(c);
	m->xCachesize(c, 1000);
	fill(m, c, 1, 100);
	assert_int_equal(m->xPagecount(c), 100);
	/* Above every key: nothing goes. */
	m->xTruncate(c, 101);
	assert_int_equal(m->xPagecount(c), 100);
	assert_true(cached(m, c, 100));
	/* A limit inside: keys from it on go, the others stay. */
	m->xTruncate(c, 61);
	assert_int_equal(m->xPagecount(c), 60);
	assert_true(cached(m, c, 60));
	assert_false(cached(m, c, 61));
	assert_false(cached(m, c, 100));
	/* Fetched again after the truncate: dropped by the next one. */
	fill(m, c, 61, 70);
	m->xTruncate(c, 66);
	assert_true(cached(m, c, 65));
	assert_false(cached(m, c, 66));
	m->xDestroy(c);
}

/* balance_nonroot's swap: a through the pending page, b to a's key, the
 * parked page to b's. */
static void swap_through_pending(const sqlite3_pcache_methods2 *m,
				 sqlite3_pcache *c, unsigned a, unsigned b)
{
	sqlite3_pcache_page *pa = m->xFetch(c, a, 0);
	sqlite3_pcache_page *pb = m->xFetch(c, b, 0);

	assert_non_null(pa);
	assert_non_null(pb);
	m->xRekey(c, pa, a, PENDING);
	m->xRekey(c, pb, b, a);
	m->xRekey(c, pa, PENDING, b);
	m->xUnpin(c, pa, 0);
	m->xUnpin(c, pb, 0);
}

static void test_parked_pages(void **state)
{
	const sqlite3_pcache_methods2 *m = methods();
	sqlite3_pcache *c = m->xCreate(PAGE, 64, 1);
	sqlite3_pcache_page *pg;

	(void)state;
	assert_non_null(c);
	m->xCachesize(c, 1000);
	fill(m, c, 1, 50);
	swap_through_pending(m, c, 10, 20);
	assert_false(cached(m, c, PENDING));
	/* The commit's truncate at the database's end keeps every page. */
	m->xTruncate(c, 51);
	assert_int_equal(m->xPagecount(c), 50);
	assert_true(cached(m, c, 10));
	assert_true(cached(m, c, 20));
	/* A page still parked when a truncate comes is dropped by it. */
	pg = m->xFetch(c, 30, 0);
	assert_non_null(pg);
	m->xRekey(c, pg, 30, PENDING);
	m->xUnpin(c, pg, 0);
	m->xTruncate(c, 51);
	assert_false(cached(m, c, PENDING));
	assert_int_equal(m->xPagecount(c), 49);
	/* A page moved above every key so far is dropped too. */
	pg = m->xFetch(c, 40, 0);
	assert_non_null(pg);
	m->xRekey(c, pg, 40, 500);
	m->xUnpin(c, pg, 0);
	m->xTruncate(c, 51);
	assert_false(cached(m, c, 500));
	assert_true(cached(m, c, 50));
	m->xDestroy(c);
}

/* Rows with random index keys: splits all over the index, balances
 * that reorder siblings, and a file that grows. */
static void insert_rows(sqlite3 *db, int n, int salt)
{
	char sql[200];

	snprintf(sql, sizeof sql,
		 "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
		 "FROM i WHERE x < %d) INSERT INTO t (k, n, b) SELECT "
		 "hex(randomblob(12)), %d, zeroblob(300) FROM i", n, salt);
	exec_ok(db, sql);
}

static void test_rollbacks_that_grew_the_file(void **state)
{
	tmp_db t;
	sqlite3 *db, *other;

	(void)state;
	assert_int_equal(tmp_db_make(&t, "p.db"), 0);
	db = open_vfs_wal(t.path, "NORMAL");
	exec_ok(db, "PRAGMA cache_size = 200");
	exec_ok(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, "
		    "n INTEGER, b BLOB)");
	for (int round = 0; round < 20; round++) {
		exec_ok(db, "BEGIN");
		insert_rows(db, 400, 1);
		exec_ok(db, "COMMIT");
		exec_ok(db, "BEGIN");
		insert_rows(db, 600, 2);
		exec_ok(db, "ROLLBACK");
	}
	assert_int_equal(one_int(db, "SELECT count(*) FROM t"), 8000);
	assert_int_equal(one_int(db, "SELECT count(*) FROM t WHERE n = 2"), 0);
	assert_int_equal(one_int(db, "SELECT count(*) FROM pragma_integrity_check "
				     "WHERE integrity_check <> 'ok'"), 0);
	/* Another connection reads the same from the file itself. */
	assert_int_equal(sqlite3_open_v2(t.path, &other, SQLITE_OPEN_READONLY,
					 NULL), SQLITE_OK);
	assert_int_equal(one_int(other, "SELECT count(*) FROM t"), 8000);
	assert_int_equal(one_int(other, "SELECT count(*) FROM t INDEXED BY "
					"sqlite_autoindex_t_1 WHERE k > ''"),
			 8000);
	sqlite3_close(other);
	sqlite3_close(db);
	tmp_db_remove(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncate_drops_what_it_must),
		cmocka_unit_test(test_parked_pages),
		cmocka_unit_test(test_rollbacks_that_grew_the_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
