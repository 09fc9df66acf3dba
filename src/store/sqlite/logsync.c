/*
 * logsync.c — op `defer_sync` of the SQLite engine (store.h): the
 * group-commit writer's commits write the WAL without syncing it, and a
 * syncer thread (service/batch.c) syncs it while the writer runs its
 * next batch.
 *
 * Why: under synchronous = FULL the writer spent about half its time in
 * the WAL's fsync at each commit (docs/BENCHMARKS.md), idle, while the
 * requests of the next batch waited in the queue.
 *
 * How.  Only under FULL (YB_SQLITE_SYNC unset or FULL: under NORMAL or
 * OFF nothing is synced at commit anyway).  The connection goes to
 * synchronous = NORMAL, which in WAL mode is exactly FULL minus the sync
 * at commit: the WAL header is still synced before the first frame
 * after the WAL starts over (and with it, the first time, the
 * directory), and checkpoints still sync.  Its WAL file is marked in
 * the VFS (vfs.c: a failed commit is still cut off the WAL).  The syncer
 * gets a descriptor of its own on the same WAL file: fdatasync of any
 * descriptor of a file writes every page of it, including those the
 * writer's descriptor wrote, so a sync covers every commit written
 * before it started.  The WAL file is never replaced while the writer's
 * connection is open (SQLite deletes it only when the last connection
 * closes; a new WAL reuses the file from its start).
 *
 * The VFS's test switch (YB_TEST_IO_FAULT, 's') fails this sync as it
 * fails every other.
 */
#include "store/sqlite/sqlite_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct wal_sync {
	int fd;
} wal_sync;

static int wal_sync_run(void *arg, yb_err *err)
{
	wal_sync *ws = arg;
	int rc = sq_vfs_fault(true), e = 0;

	if (rc != SQLITE_OK)
		return yb_errf(err, "store.unavailable",
			       "cannot sync the WAL: I/O error (test switch)");
	while ((rc = fdatasync(ws->fd)) < 0 && errno == EINTR)
		;
	if (rc < 0) {
		e = errno;
		return yb_errf(err, "store.unavailable",
			       "cannot sync the WAL: %s", strerror(e));
	}
	return 0;
}

static void wal_sync_close(void *arg)
{
	wal_sync *ws = arg;

	if (!ws)
		return;
	close(ws->fd);
	free(ws);
}

/* Synchronous FULL asked for (the same reading as engine.c's). */
static bool full_sync(void)
{
	const char *v = getenv("YB_SQLITE_SYNC");

	return !v || !*v || strcasecmp(v, "FULL") == 0;
}

/* This connection's WAL file, if it is open and the VFS's. */
static sqlite3_file *wal_of(sq_store *s)
{
	sqlite3_file *f = NULL;

	/* A read makes sure the WAL is open (it stays so). */
	if (sqlite3_exec(s->db, "SELECT 1 FROM sqlite_schema LIMIT 1", NULL,
			 NULL, NULL) != SQLITE_OK ||
	    sqlite3_file_control(s->db, "main", SQLITE_FCNTL_JOURNAL_POINTER,
				 &f) != SQLITE_OK)
		return NULL;
	return f && f->pMethods ? f : NULL;
}

int sq_defer_sync(yb_store *st, yb_log_sync *out, yb_err *err)
{
	sq_store *s = sq_of(st);
	const char *db_name = sqlite3_db_filename(s->db, "main");
	sqlite3_file *f;
	wal_sync *ws;

	if (!full_sync() || !db_name || !*db_name || !(f = wal_of(s)))
		return 0;
	ws = calloc(1, sizeof *ws);
	if (!ws)
		return yb_errf(err, "out_of_memory", "out of memory");
	ws->fd = open(sqlite3_filename_wal(db_name), O_RDONLY | O_CLOEXEC);
	if (ws->fd < 0) {
		free(ws);
		return 0;
	}
	if (sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL", NULL, NULL,
			 NULL) != SQLITE_OK) {
		wal_sync_close(ws);
		return sq_fail(s, err);
	}
	if (sq_vfs_wal_defer(f) < 0) {   /* not the VFS's: as it was */
		wal_sync_close(ws);
		if (sqlite3_exec(s->db, "PRAGMA synchronous = FULL", NULL,
				 NULL, NULL) != SQLITE_OK)
			return sq_fail(s, err);
		return 0;
	}
	out->sync = wal_sync_run;
	out->close = wal_sync_close;
	out->arg = ws;
	return 1;
}
