/*
 * testdb.h — a fresh, empty store for one test, on the engine the test run
 * asks for: YB_TEST_ENGINE=sqlite (default; a temporary file) or
 * YB_TEST_ENGINE=pg (a new database on the throwaway server whose conninfo
 * scripts/with-pg exports as YB_TEST_PG).  A pg run without YB_TEST_PG
 * fails: it never silently falls back to SQLite.
 */
#ifndef YB_TESTDB_H
#define YB_TESTDB_H

#include "store/store.h"

/* Open a new, empty, migrated store; aborts the test program on failure.
 * `url_out` (may be NULL, size ≥ 512) receives its URL, so a test can open
 * a second connection to the same database (concurrency tests). */
yb_store *yb_test_store_new(char *url_out);

/* Close it and remove its file / drop its database. */
void yb_test_store_free(yb_store *st);

/* "sqlite" or "pg". */
const char *yb_test_engine(void);

/* Run `sql` (several statements may be given) on the database at `url`
 * through a raw connection of its own, behind the store's back — as
 * someone with the file or the database's owner role could: a raw SQLite
 * connection does not enforce foreign keys.  For tests that plant what
 * the store never writes; aborts on failure. */
void yb_test_raw_exec(const char *url, const char *sql);

/* Append one audit record to the chain as the service does (the head's
 * chain and hash, the next seq, hashed); `seq` > 0 gives the seq instead
 * (a used one is refused when the record is written).  0, or -1 with
 * *e. */
int yb_test_audit_append(yb_store *st, const char *action, yb_id seq,
			 yb_err *e);

#endif
