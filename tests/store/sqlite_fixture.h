/*
 * sqlite_fixture.h — what the tests of the SQLite VFS pieces share
 * (test_sqlite_vfs.c, test_sqlite_writeback.c): a database path in a
 * fresh temporary directory, its removal with the WAL and shared-memory
 * files SQLite leaves beside it, and a connection through the "yibao"
 * VFS in WAL mode whose checkpoints the test makes itself.
 */
#ifndef YB_TEST_SQLITE_FIXTURE_H
#define YB_TEST_SQLITE_FIXTURE_H

#include <stdint.h>

#include <sqlite3.h>

typedef struct tmp_db {
	char dir[64];
	char path[96];
} tmp_db;

/* mkdtemp under /tmp, path = DIR/NAME; -1 if the directory cannot be
 * made (a cmocka setup's failure). */
int tmp_db_make(tmp_db *t, const char *name);
/* Remove the database, its -wal and -shm files, and the directory. */
void tmp_db_remove(const tmp_db *t);

/* Run sql, failing the test with SQLite's message if it fails. */
void exec_ok(sqlite3 *db, const char *sql);

/* Open (creating) `path` through the "yibao" VFS in WAL mode with
 * `PRAGMA synchronous = sync` and no automatic checkpoints. */
sqlite3 *open_vfs_wal(const char *path, const char *sync);

/* The first column of the one row sql yields (the test fails if none). */
int64_t one_int(sqlite3 *db, const char *sql);

#endif
