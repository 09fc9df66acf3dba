/*
 * upkeep.c — the PostgreSQL engine's side of store.h's log upkeep
 * beside a writer: nothing to do.  PostgreSQL keeps its WAL short in its
 * own checkpointer process, so a writer's commits need no helper (the
 * SQLite engine's upkeep.c is where this matters).
 */
#include "store/pg/pg_int.h"

int pg_set_autocheckpoint(yb_store *st, bool on, yb_err *err)
{
	(void)st;
	(void)on;
	(void)err;
	return 0;
}

int pg_upkeep(yb_store *st, const yb_upkeep_hooks *h, yb_err *err)
{
	(void)st;
	(void)h;
	(void)err;
	return 0;
}
