/*
 * upkeep.c — the PostgreSQL engine's side of store.h's "write-ahead log
 * upkeep" operations: none.  PostgreSQL checkpoints its WAL in its own
 * checkpointer process, so these do nothing and say so (the SQLite
 * engine's upkeep.c is where they matter).
 */
#include "store/pg/pg_int.h"

int pg_set_autocheckpoint(yb_store *st, bool on, yb_err *err)
{
	(void)st;
	(void)on;
	(void)err;
	return 0;
}

int pg_checkpoint(yb_store *st, bool sync, int *wal_pages, int *copied,
		  yb_err *err)
{
	(void)st;
	(void)sync;
	(void)err;
	if (wal_pages)
		*wal_pages = 0;
	if (copied)
		*copied = 0;
	return 0;
}

int pg_writeback_op(yb_store *st, int max_pages, int *pending, yb_err *err)
{
	(void)st;
	(void)max_pages;
	(void)err;
	if (pending)
		*pending = 0;
	return 0;
}
