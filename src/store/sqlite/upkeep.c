/*
 * upkeep.c — the SQLite engine's write-ahead-log upkeep (store.h's
 * "write-ahead log upkeep" operations): whether a connection's commits
 * checkpoint the WAL themselves, a passive checkpoint, and handing the
 * pages checkpoints copied to the kernel ahead of the next sync (through
 * the VFS's list, vfs_db.c, and writeback.c).
 */
#include "store/sqlite/sqlite_int.h"

#include <errno.h>
#include <string.h>

/* SQLite's default: a commit that leaves the WAL over 1000 pages
 * checkpoints it. */
#define SQ_AUTOCHECKPOINT_PAGES 1000

int sq_set_autocheckpoint(yb_store *st, bool on, yb_err *err)
{
	sq_store *s = sq_of(st);

	if (sqlite3_wal_autocheckpoint(s->db, on ? SQ_AUTOCHECKPOINT_PAGES
						 : 0) != SQLITE_OK)
		return sq_fail(s, err);
	return 0;
}

int sq_checkpoint(yb_store *st, bool sync, int *wal_pages,
			 int *copied, yb_err *err)
{
	sq_store *s = sq_of(st);
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL,
					   SQLITE_CHECKPOINT_PASSIVE, &log,
					   &done);

	/* BUSY: another checkpoint is running; it will do.  (Its figures
	 * are unknown here: say the WAL is empty.) */
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return sq_fail(s, err);
	if (rc == SQLITE_BUSY || log < 0)
		log = done = 0;
	if (sync && done > 0) {
		sqlite3_file *db_file = NULL;

		if (sqlite3_file_control(s->db, "main",
					 SQLITE_FCNTL_FILE_POINTER,
					 &db_file) == SQLITE_OK &&
		    db_file && db_file->pMethods &&
		    db_file->pMethods->xSync(db_file, SQLITE_SYNC_NORMAL) !=
			    SQLITE_OK)
			return yb_errf(err, "store.error",
				       "cannot sync the database after a "
				       "checkpoint");
	}
	if (wal_pages)
		*wal_pages = log;
	if (copied)
		*copied = done;
	return 0;
}

#define SQ_OS_PAGE 4096

int sq_writeback_op(yb_store *st, int max_pages, int *pending,
			   yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_file *f = NULL;
	sq_range ranges[64];
	sqlite3_int64 left = 0, budget;
	int n;

	if (pending)
		*pending = 0;
	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_FILE_POINTER,
				 &f) != SQLITE_OK ||
	    sq_vfs_db_track(f) < 0)
		return 0;                /* not the VFS's file: nothing kept */
	budget = (sqlite3_int64)max_pages * SQ_OS_PAGE;
	do {
		n = sq_vfs_db_take(f, ranges, 64, budget, &left);
		for (int i = 0; i < n; i++)
			budget -= ranges[i].len;
		if (sq_writeback(sqlite3_db_filename(s->db, "main"), ranges,
				 n) < 0)
			return yb_errf(err, "store.error",
				       "cannot start writing the database "
				       "file: %s",
				       strerror(errno));
	} while (n == 64 && budget > 0 && left > 0);
	if (pending)
		*pending = (int)((left + SQ_OS_PAGE - 1) / SQ_OS_PAGE);
	return 0;
}
