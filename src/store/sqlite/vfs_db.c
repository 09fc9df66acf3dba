/*
 * vfs_db.c — the "yibao" VFS's database files (vfs.c opens
 * them): SQLite's own, except that a connection that asks for it keeps a
 * list of the byte ranges it wrote into the file, oldest first, for
 * writeback.c to hand to the kernel a few pages at a time.
 *
 * Why a list.  Under the group-commit writer only the checkpoint
 * connection writes the database file: each pass copies the WAL's newest
 * pages into it, where they wait in the OS page cache until a sync.  A
 * random page costs the disk about 10 µs, and a commit's WAL sync waits
 * for every write queued before it (measured: 140 random pages in flight
 * made a 900 KB commit's sync 1.3 → 4.5 ms).  Knowing exactly which
 * pages a pass wrote lets the upkeep write them a few dozen at a time
 * while the writer runs a batch, not while it syncs (upkeep.c); asking for byte ranges of the file instead wrote
 * clusters of hundreds of pages at once.
 *
 * Only a connection that calls sq_vfs_db_track keeps the list (others
 * would never drain it).  The list is the connection's own: only the
 * thread using the connection appends (xWrite) and takes (store op
 * `writeback`), so it needs no lock.  Should it outgrow MAX_RANGES (or
 * memory), it is replaced by one request for the whole file.
 */
#include "store/sqlite/sqlite_int.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RANGES (1 << 20)     /* 16 MiB of list; ~4 GiB of pages */

typedef struct db_file {
	/* As sq_wrapped_file: */
	sqlite3_file base;               /* pMethods = &db_methods */
	sqlite3_file *real;              /* the default VFS's file, after us */
	bool tracking;
	bool whole_file;                 /* the list overflowed: all of it */
	sq_range *ring;                  /* cap entries, `count` from `head` */
	size_t cap, head, count;
	sqlite3_int64 listed;            /* bytes in the ring, kept as it
					  * changes (asked after each commit) */
} db_file;

static const sqlite3_io_methods db_methods, db_methods_v1;

static sqlite3_file *real_of(sqlite3_file *f)
{
	return ((db_file *)f)->real;
}

static sq_range *newest(db_file *d)
{
	return &d->ring[(d->head + d->count - 1) % d->cap];
}

/* Room for one more range; false if the list is at MAX_RANGES or no
 * memory (the caller then falls back to the whole file). */
static bool make_room(db_file *d)
{
	sq_range *grown;
	size_t cap;

	if (d->count < d->cap)
		return true;
	if (d->cap >= MAX_RANGES)
		return false;
	cap = d->cap ? d->cap * 2 : 1024;
	grown = malloc(cap * sizeof *grown);
	if (!grown)
		return false;
	/* Unwrap into the new ring, oldest first. */
	for (size_t i = 0; i < d->count; i++)
		grown[i] = d->ring[(d->head + i) % d->cap];
	free(d->ring);
	d->ring = grown;
	d->cap = cap;
	d->head = 0;
	return true;
}

static void note_write(db_file *d, sqlite3_int64 off, int len)
{
	if (d->whole_file)
		return;                  /* already covered */
	if (d->count > 0) {
		sq_range *last = newest(d);

		/* A pass writes pages in ascending order: runs of
		 * neighbours become one range. */
		if (last->off + last->len == off &&
		    last->len <= INT32_MAX - len) {
			last->len += len;
			d->listed += len;
			return;
		}
	}
	if (!make_room(d)) {
		d->whole_file = true;
		d->head = d->count = 0;
		d->listed = 0;
		return;
	}
	d->ring[(d->head + d->count) % d->cap] = (sq_range){ off, len };
	d->count++;
	d->listed += len;
}

static int db_write(sqlite3_file *f, const void *data, int n,
		    sqlite3_int64 off)
{
	db_file *d = (db_file *)f;
	int rc = sq_vfs_fault(false);

	if (rc == SQLITE_OK)
		rc = d->real->pMethods->xWrite(d->real, data, n, off);

	if (rc == SQLITE_OK && d->tracking && n > 0)
		note_write(d, off, n);
	return rc;
}

static int db_close(sqlite3_file *f)
{
	db_file *d = (db_file *)f;
	int rc = d->real->pMethods->xClose(d->real);

	free(d->ring);
	d->ring = NULL;
	d->cap = d->count = d->head = 0;
	return rc;
}

static bool is_ours(sqlite3_file *f)
{
	return f && (f->pMethods == &db_methods ||
		     f->pMethods == &db_methods_v1);
}

int sq_vfs_db_track(sqlite3_file *f)
{
	if (!is_ours(f))
		return -1;
	((db_file *)f)->tracking = true;
	return 0;
}

int sq_vfs_db_take(sqlite3_file *f, sq_range *out, int max_out,
		   sqlite3_int64 max_bytes, sqlite3_int64 *pending)
{
	db_file *d = (db_file *)f;
	sqlite3_int64 bytes = 0;
	int n = 0;

	*pending = 0;
	if (!is_ours(f))
		return 0;
	if (max_out < 1 || max_bytes < 1)
		goto out;
	if (d->whole_file) {
		out[n++] = (sq_range){ 0, 0 };     /* length 0: to the end */
		d->whole_file = false;
		goto out;
	}
	while (n < max_out && d->count > 0 && bytes < max_bytes) {
		sq_range *r = &d->ring[d->head];
		sqlite3_int64 room = max_bytes - bytes;

		if (r->len <= room) {
			out[n++] = *r;
			bytes += r->len;
			d->head = (d->head + 1) % d->cap;
			d->count--;
		} else {
			/* Split: the front now, the rest next time. */
			out[n++] = (sq_range){ r->off, (int)room };
			r->off += room;
			r->len -= (int)room;
			bytes = max_bytes;
		}
	}
	d->listed -= bytes;
	if (d->count == 0)
		d->head = 0;
out:
	*pending = d->listed;
	return n;
}

/* ---- the rest is the real file's, unchanged ----------------------------- */

static int db_read(sqlite3_file *f, void *data, int n, sqlite3_int64 off)
{
	return real_of(f)->pMethods->xRead(real_of(f), data, n, off);
}

static int db_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int db_sync(sqlite3_file *f, int flags)
{
	int rc = sq_vfs_fault(true);

	return rc != SQLITE_OK ? rc
			       : real_of(f)->pMethods->xSync(real_of(f), flags);
}

static int db_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int db_file_control(sqlite3_file *f, int op, void *arg)
{
	return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

/* WAL mode's shared memory and memory-mapped reads go through the
 * database file's methods (version 2 and 3). */
static int db_shm_map(sqlite3_file *f, int region, int size, int extend,
		      void volatile **out)
{
	return real_of(f)->pMethods->xShmMap(real_of(f), region, size, extend,
					     out);
}

static int db_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}

static void db_shm_barrier(sqlite3_file *f)
{
	real_of(f)->pMethods->xShmBarrier(real_of(f));
}

static int db_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}

static int db_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
	return real_of(f)->pMethods->xFetch(real_of(f), off, n, out);
}

static int db_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return real_of(f)->pMethods->xUnfetch(real_of(f), off, p);
}

#define DB_METHODS_V1                                                 \
	.xClose = db_close, .xRead = db_read, .xWrite = db_write,     \
	.xTruncate = db_truncate, .xSync = db_sync,                   \
	.xFileSize = db_file_size, .xLock = sq_pass_lock,             \
	.xUnlock = sq_pass_unlock,                                    \
	.xCheckReservedLock = sq_pass_check_reserved,                 \
	.xFileControl = db_file_control,                              \
	.xSectorSize = sq_pass_sector_size,                           \
	.xDeviceCharacteristics = sq_pass_device_characteristics

static const sqlite3_io_methods db_methods = {
	.iVersion = 3,
	DB_METHODS_V1,
	.xShmMap = db_shm_map,
	.xShmLock = db_shm_lock,
	.xShmBarrier = db_shm_barrier,
	.xShmUnmap = db_shm_unmap,
	.xFetch = db_fetch,
	.xUnfetch = db_unfetch,
};

/* For a real file without shared memory or mapping (not the unix VFS
 * of Debian's SQLite, whose files are version 3): SQLite reads the
 * version before it calls any of those. */
static const sqlite3_io_methods db_methods_v1 = {
	.iVersion = 1,
	DB_METHODS_V1,
};

size_t sq_vfs_db_size(void)
{
	return sizeof(db_file);
}

int sq_vfs_db_open(sqlite3_vfs *real_vfs, const char *name, sqlite3_file *f,
		   size_t real_offset, int flags, int *out_flags)
{
	db_file *d = (db_file *)f;
	int rc;

	memset(d, 0, sizeof *d);
	d->real = (sqlite3_file *)((char *)d + real_offset);
	rc = real_vfs->xOpen(real_vfs, name, d->real, flags, out_flags);
	/* SQLite calls xClose only on a file whose pMethods is set. */
	if (rc != SQLITE_OK || !d->real->pMethods)
		d->base.pMethods = NULL;
	else
		d->base.pMethods = d->real->pMethods->iVersion >= 3
					   ? &db_methods
					   : &db_methods_v1;
	return rc;
}
