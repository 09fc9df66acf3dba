/*
 * test_sqlite_vfs.c — the "yibao" VFS (src/store/sqlite/vfs.c), which
 * gathers a connection's WAL frames and writes them at once.
 *
 * What must hold: every committed transaction is in the WAL file before
 * any other connection can learn of it (checked by reading through a
 * second connection on SQLite's *default* VFS, which reads the file
 * itself), in every synchronous mode; a transaction larger than the
 * gathering buffer, and one that spills pages out of a small cache and
 * reads them back, come out intact; the WAL starting over keeps the data;
 * and the database passes integrity_check at the end.  SQLite only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "sqlite_fixture.h"
#include "store/sqlite/sqlite_int.h"

typedef struct vfs_fx {
	tmp_db db;
	const char *path;                /* db.path */
	sqlite3 *writer;                 /* through the "yibao" VFS */
	sqlite3 *reader;                 /* through SQLite's default VFS */
} vfs_fx;

static void assert_integrity(sqlite3 *db)
{
	sqlite3_stmt *q = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1,
					    &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
	sqlite3_finalize(q);
}

static void open_pair(vfs_fx *f, const char *sync)
{
	f->writer = open_vfs_wal(f->path, sync);
	exec_ok(f->writer, "CREATE TABLE IF NOT EXISTS t ("
			   "id INTEGER PRIMARY KEY, n INTEGER, b BLOB)");
	assert_int_equal(sqlite3_open_v2(f->path, &f->reader,
					 SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	sqlite3_busy_timeout(f->reader, 5000);
}

static int setup(void **state)
{
	vfs_fx *f = calloc(1, sizeof *f);

	if (!f || tmp_db_make(&f->db, "v.db") < 0)
		return -1;
	f->path = f->db.path;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	vfs_fx *f = *state;

	sqlite3_close(f->reader);
	sqlite3_close(f->writer);
	tmp_db_remove(&f->db);
	free(f);
	return 0;
}

/* Insert `rows` rows of `bytes`-byte blobs in one transaction. */
static void insert_txn(sqlite3 *db, int rows, int bytes, int tag)
{
	sqlite3_stmt *q = NULL;

	exec_ok(db, "BEGIN IMMEDIATE");
	assert_int_equal(sqlite3_prepare_v2(db,
					    "INSERT INTO t (n, b) VALUES "
					    "(?1, randomblob(?2))",
					    -1, &q, NULL),
			 SQLITE_OK);
	for (int i = 0; i < rows; i++) {
		sqlite3_bind_int(q, 1, tag);
		sqlite3_bind_int(q, 2, bytes);
		assert_int_equal(sqlite3_step(q), SQLITE_DONE);
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	exec_ok(db, "COMMIT");
}

/* After each commit, the other connection (reading the file itself)
 * sees exactly the rows committed so far. */
static void commits_visible(const char *sync, void **state)
{
	vfs_fx *f = *state;
	int64_t rows = 0;

	open_pair(f, sync);
	for (int i = 1; i <= 120; i++) {
		int n = 1 + i % 7, bytes = 200 + (i * 997) % 9000;

		insert_txn(f->writer, n, bytes, i);
		rows += n;
		assert_int_equal(one_int(f->reader, "SELECT count(*) FROM t"),
				 rows);
		assert_int_equal(one_int(f->reader,
					 "SELECT coalesce(max(n), 0) FROM t"),
				 i);
	}
	assert_integrity(f->reader);
}

static void test_commits_visible_off(void **state)
{
	commits_visible("OFF", state);
}

static void test_commits_visible_normal(void **state)
{
	commits_visible("NORMAL", state);
}

static void test_commits_visible_full(void **state)
{
	commits_visible("FULL", state);
}

/* More than the 4 MiB the VFS gathers, and more than the cache holds:
 * SQLite spills pages to the WAL mid-transaction and reads them back. */
static void test_large_and_spilling_transaction(void **state)
{
	vfs_fx *f = *state;

	open_pair(f, "FULL");
	exec_ok(f->writer, "PRAGMA cache_size = 64");  /* pages */
	insert_txn(f->writer, 1500, 6000, 1);          /* ≈ 9 MB */
	assert_int_equal(one_int(f->reader, "SELECT count(*) FROM t"), 1500);
	assert_int_equal(one_int(f->reader,
				 "SELECT sum(length(b)) FROM t"),
			 1500 * 6000);
	/* Update every row in place inside one transaction: the pages
	 * spilled early are read back and rewritten. */
	exec_ok(f->writer, "BEGIN IMMEDIATE; UPDATE t SET n = n + id; "
			   "COMMIT");
	assert_int_equal(one_int(f->reader, "SELECT sum(n) FROM t"),
			 1500 + 1500 * 1501 / 2);
	assert_integrity(f->reader);
}

/* Checkpoint everything with no reader in between, so the next write
 * starts the WAL over from its first frame (its header written again at
 * offset 0, through the VFS); repeat, and the data stays whole. */
static void test_wal_starts_over(void **state)
{
	vfs_fx *f = *state;
	int log = -1, done = -1;
	char wal[128];
	struct stat st;
	off_t first = 0;

	snprintf(wal, sizeof wal, "%s-wal", f->path);
	open_pair(f, "FULL");
	for (int round = 1; round <= 5; round++) {
		insert_txn(f->writer, 50, 3000, round);
		/* About the same frames each round, written over the
		 * previous round's rather than after them (appended, the
		 * WAL would be five times as long by the end). */
		assert_int_equal(stat(wal, &st), 0);
		if (round == 1)
			first = st.st_size;
		assert_true(st.st_size < first * 3 / 2);
		assert_int_equal(sqlite3_wal_checkpoint_v2(
					 f->writer, NULL,
					 SQLITE_CHECKPOINT_PASSIVE, &log,
					 &done),
				 SQLITE_OK);
		assert_int_equal(log, done);
		assert_int_equal(one_int(f->reader, "SELECT count(*) FROM t"),
				 50 * round);
	}
	/* Close and reopen: what was committed is there. */
	sqlite3_close(f->reader);
	sqlite3_close(f->writer);
	f->reader = f->writer = NULL;
	open_pair(f, "FULL");
	assert_int_equal(one_int(f->reader, "SELECT count(*) FROM t"), 250);
	assert_int_equal(one_int(f->writer, "SELECT max(n) FROM t"), 5);
	assert_integrity(f->writer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commits_visible_off,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_commits_visible_normal,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_commits_visible_full,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_large_and_spilling_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_starts_over, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("sqlite-vfs", tests, NULL, NULL);
}
