/*
 * upkeep.c — the SQLite engine's log upkeep (store.h, "log upkeep beside
 * a writer"): whether a connection's commits checkpoint the WAL
 * themselves, and the checkpoint policy that op `upkeep` runs on a
 * connection of its own beside the group-commit writer
 * (service/batch.c), which knows nothing of it.
 *
 * Passive checkpoints copy WAL pages into the database while the writer
 * goes on.  But a WAL only starts over from its beginning when a write
 * transaction begins with every page of it copied, and under steady load
 * the writer always has added more by the time a pass ends: the WAL grew
 * by 130 MB a second in the benchmark, without end.  So once it is longer
 * than WAL_RESTART_PAGES, the upkeep runs passes closer and closer
 * together until little is left, then holds the writer between two
 * batches (hooks->hold) for one last short pass (HOLD_MAX_PAGES); the
 * writer's next transaction then writes the WAL from its start again.
 * Requests queue meanwhile and go into the next batch.
 *
 * Writeback.  Before the WAL starts over the database file must be
 * synced, and whatever the passes copied since the last sync is then
 * written in one burst — tens of thousands of scattered pages, during
 * which every commit's own sync waits (150-300 ms of slow answers every
 * few seconds in the benchmark).  So the upkeep hands the pages a pass
 * copied to the kernel a few dozen at a time (the VFS's list, vfs_db.c,
 * and writeback.c), each lot right after one of the writer's commits: a
 * random page costs the disk ~10 µs and a commit's sync waits for every
 * write queued before it, so the lot is written while the writer runs
 * its next batch (~3 ms), not while it syncs.  The rounds before a
 * restart do the same in shorter and shorter rounds, and the restart's
 * sync finds little left.  Durability does not depend on any of it.
 */
#include "store/sqlite/sqlite_int.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <time.h>

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

/* A passive checkpoint: copy committed WAL pages into the database
 * without blocking writers or readers.  Then *wal_pages is the length
 * of the WAL in pages and *copied how many of them are in the database
 * now: all of them means the next write transaction starts the WAL over
 * from its beginning.  With `sync`, the database file is synced
 * afterwards even when the pass did not reach the end of the WAL
 * (SQLite syncs only when it does). */
static int checkpoint(sq_store *s, bool sync, int *wal_pages, int *copied,
		      yb_err *err)
{
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
	*wal_pages = log;
	*copied = done;
	return 0;
}

#define SQ_OS_PAGE 4096

/* Ask the OS to start writing up to `max_pages` (of 4 KiB) of the
 * database pages this connection's checkpoints copied, oldest first, and
 * return without waiting: a head start for the next sync, which then has
 * little left to write.  *pending is what is still waiting, in pages.  A
 * connection keeps that list from its first call on (max_pages 0 only
 * starts it).  Durability is unchanged: only syncs make anything
 * durable. */
static int writeback(sq_store *s, int max_pages, int *pending, yb_err *err)
{
	sqlite3_file *f = NULL;
	sq_range ranges[64];
	sqlite3_int64 left = 0, budget;
	int n;

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
	*pending = (int)((left + SQ_OS_PAGE - 1) / SQ_OS_PAGE);
	return 0;
}

/* ---- the policy ---------------------------------------------------------- */

/* A passive checkpoint every CKPT_PERIOD_MS while batches come in: it
 * never blocks the writer.  A page changed many times between two passes
 * is copied once, so passes far apart copy less: every second measured a
 * little better than every 100 ms (fewer copies, less disk), and the WAL
 * is bounded by WAL_RESTART_PAGES anyway. */
#define CKPT_PERIOD_MS 1000

/* Pages (4 KiB) written back after each commit: ~0.6 ms of the disk,
 * well inside the writer's next batch, and some 10,000 pages a second
 * at full load, more than a pass leaves.  Without commits (a quiet
 * server), a lot every WRITEBACK_IDLE_MS.  A restart's rounds spread
 * what a pass copied over the round instead (RESTART_FIRST_MS, then
 * half as long each round), in lots of a size that gets through it in
 * time, assuming a commit every BATCH_MS at full load. */
#define WRITEBACK_PAGES   64
#define WRITEBACK_IDLE_MS 20
#define RESTART_FIRST_MS  500
#define BATCH_MS          4

/* A WAL longer than this (pages: 512 MiB at 4 KiB, about four seconds
 * of saturated writing on the benchmark machine) is made to start over
 * (see the top).  Larger: fewer holds and fewer database pages written
 * twice; smaller: less disk and a shorter recovery after a crash.  At
 * 64 MiB the holds came every half second and cost 20% of throughput. */
#define WAL_RESTART_PAGES 131072

/* Hold the writer only for a last pass of at most this many pages,
 * after at most HOLD_TRIES rounds that try to get there without holding
 * it.  The held pass copies them and then syncs the database file, a
 * random write each: its length, and every queued request's wait, grows
 * with them.  At 1024 pages and 8 rounds the held pass copied 745 pages
 * on average and held the writer 37 ms (a loaded machine); at 256 and 12
 * rounds, 345 pages and 20 ms (docs/BENCHMARKS.md, sq5). */
#define HOLD_MAX_PAGES 256
#define HOLD_TRIES     12

/* One run of the upkeep. */
typedef struct upkeep {
	sq_store *s;
	const yb_upkeep_hooks *h;
	bool ending;                     /* h->wait said so */
} upkeep;

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* h->wait, remembering when it says to end. */
static bool wait_for(upkeep *u, int64_t ms, bool for_commit)
{
	if (!u->ending && !u->h->wait(u->h->arg, ms > 0 ? (long)ms : 0,
				      for_commit))
		u->ending = true;
	return !u->ending;
}

/* A failed checkpoint loses nothing: the pages stay in the WAL for the
 * next one. */
static void pass(upkeep *u, bool sync, int *wal_pages, int *copied)
{
	yb_err ignored;

	if (checkpoint(u->s, sync, wal_pages, copied, &ignored) < 0)
		*wal_pages = *copied = 0;
}

/* A failed writeback loses nothing either: the next sync writes it. */
static int write_back(upkeep *u, int max_pages)
{
	yb_err ignored;
	int pending = 0;

	if (writeback(u->s, max_pages, &pending, &ignored) < 0)
		return 0;
	return pending;
}

/* Write back what the passes copied, a lot after each of the writer's
 * commits, until nothing is left or `ms` have passed. */
static void drain(upkeep *u, int64_t ms)
{
	int64_t end = now_ms() + ms;
	int pending = write_back(u, 0);

	while (pending > 0 && now_ms() < end) {
		int64_t left_ms = end - now_ms();
		int lot;

		if (!wait_for(u, left_ms < WRITEBACK_IDLE_MS ? left_ms
							     : WRITEBACK_IDLE_MS,
			      true))
			return;
		left_ms = end - now_ms();
		lot = left_ms > BATCH_MS ? (int)(pending / (left_ms / BATCH_MS))
					 : pending;
		pending = write_back(u, lot > WRITEBACK_PAGES ? lot
							      : WRITEBACK_PAGES);
	}
}

/*
 * The WAL is long: copy all of it back, holding the writer for the last
 * few pages only.  Each round writes back what the pass before copied,
 * between commits, then copies what came in meanwhile; writing back
 * outpaces copying, so each round is shorter than the last.  Once little
 * is left, a synced pass writes the rest (little: it was written back)
 * and the held pass copies and syncs only the last few pages.  (Syncing a
 * pass of seconds of pages at once instead was what made the dips of up
 * to 300 ms.)
 */
static void restart_wal(upkeep *u)
{
	int wal_pages = 0, copied = 0, earlier;
	int64_t spread = RESTART_FIRST_MS;

	for (int i = 0; i < HOLD_TRIES && !u->ending; i++) {
		drain(u, spread);
		earlier = copied;
		pass(u, false, &wal_pages, &copied);
		if (i > 0 && copied - earlier <= HOLD_MAX_PAGES)
			break;
		spread /= 2;
	}
	(void)write_back(u, INT_MAX);    /* what is left: little */
	pass(u, true, &wal_pages, &copied);
	u->h->hold(u->h->arg);
	pass(u, false, &wal_pages, &copied);
	u->h->release(u->h->arg);
}

/* The WAL length that makes it start over: the hooks' limit, if any. */
static int restart_pages(const upkeep *u)
{
	int limit = u->h->limit ? u->h->limit(u->h->arg) : 0;

	return limit > 0 ? limit : WAL_RESTART_PAGES;
}

/*
 * A pass every CKPT_PERIOD_MS while batches come in; while pages it
 * copied wait to be written back, a lot of them after each commit.
 * At the end, one last pass: what the last batches wrote goes into the
 * database file before the writer's owner says it has stopped.
 */
int sq_upkeep(yb_store *st, const yb_upkeep_hooks *h, yb_err *err)
{
	upkeep u = { sq_of(st), h, false };
	int64_t next_pass = now_ms() + CKPT_PERIOD_MS;
	uint64_t seen = 0;
	int wal_pages, copied;
	int pending = write_back(&u, 0);  /* keeps the list from now on */

	while (!u.ending) {
		int64_t to_pass = next_pass - now_ms();

		if (!wait_for(&u, pending > 0 && to_pass > WRITEBACK_IDLE_MS
					   ? WRITEBACK_IDLE_MS : to_pass,
			      pending > 0))
			break;
		if (pending > 0)
			pending = write_back(&u, WRITEBACK_PAGES);
		if (now_ms() < next_pass)
			continue;
		next_pass = now_ms() + CKPT_PERIOD_MS;
		if (h->commits(h->arg) == seen)
			continue;
		seen = h->commits(h->arg);
		pass(&u, false, &wal_pages, &copied);
		if (wal_pages >= restart_pages(&u)) {
			restart_wal(&u);
			/* A full period before the next look: the WAL only
			 * starts over with the writer's next transaction, and
			 * a pass before it would find the old one still long. */
			next_pass = now_ms() + CKPT_PERIOD_MS;
		}
		pending = write_back(&u, 0);
	}
	pass(&u, false, &wal_pages, &copied);
	return 0;
}
