/*
 * sqlite_fixture.c — see sqlite_fixture.h.
 */
#include "sqlite_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/sqlite/sqlite_int.h"

int tmp_db_make(tmp_db *t, const char *name)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/yb-sq-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
	return 0;
}

void tmp_db_remove(const tmp_db *t)
{
	char p[128];

	unlink(t->path);
	snprintf(p, sizeof p, "%s-wal", t->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", t->path);
	unlink(p);
	rmdir(t->dir);
}

void exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

sqlite3 *open_vfs_wal(const char *path, const char *sync)
{
	sqlite3 *db = NULL;
	char sql[64];

	sq_global_init();
	assert_non_null(sq_vfs_name());
	assert_int_equal(sqlite3_open_v2(path, &db,
					 SQLITE_OPEN_READWRITE |
						 SQLITE_OPEN_CREATE,
					 sq_vfs_name()),
			 SQLITE_OK);
	exec_ok(db, "PRAGMA journal_mode = WAL");
	snprintf(sql, sizeof sql, "PRAGMA synchronous = %s", sync);
	exec_ok(db, sql);
	/* The test decides when to checkpoint. */
	sqlite3_wal_autocheckpoint(db, 0);
	return db;
}

int64_t one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q = NULL;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}
