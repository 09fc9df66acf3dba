/*
 * vfs.c — the "yibao" SQLite VFS: SQLite's own default VFS, except
 * that the frames one connection appends to its WAL file reach the file
 * in one write per commit instead of two writes per page.
 *
 * Why.  SQLite writes each WAL frame as two pwrite calls (the 24-byte
 * frame header, then the page).  A group-commit batch of a few dozen
 * settlements writes a few hundred frames, so the writer thread made
 * hundreds of system calls per commit, and on the benchmark machine (a
 * virtual machine where a system call is dear) the commit took longer
 * than running the batch's requests (docs/BENCHMARKS.md).  Gathering the
 * frames in memory and writing them at once changes no byte of the file
 * and no step of SQLite's protocol.
 *
 * When the gathered bytes reach the file — before anything could need
 * them there:
 *  - when the frame that commits a transaction is complete (its header
 *    carries the database size, non-zero only in a commit frame; format:
 *    https://www.sqlite.org/fileformat2.html#walformat), so that no other
 *    connection is ever told about a frame that is not in the file, in
 *    every `synchronous` mode;
 *  - before xSync (durability is unchanged: FULL still syncs after the
 *    commit frame is written), xRead (the connection re-reads its own
 *    spilled pages), xTruncate, xFileSize, xFileControl and xClose;
 *  - when a write does not continue the gathered run, or would overflow
 *    the buffer.
 * A failed write is reported by the call that made it (xWrite of the
 * commit frame, xSync, ...), so SQLite fails the transaction exactly as
 * it would have.
 *
 * A commit whose WAL write or sync failed is cut off the file (issue 14:
 * a request that fails changes nothing).  SQLite answers the commit with
 * an I/O error and rolls back, but leaves the frames it wrote in the WAL;
 * if the process died before another commit overwrote them, the next
 * start would find a whole commit frame there and replay the transaction
 * the client was told had failed.  With synchronous = FULL (engine.c)
 * every commit is synced by the connection that wrote it, so a commit
 * frame not yet synced is exactly the failed commit's, and truncating
 * the WAL at it leaves nothing a recovery would take; readers and the
 * checkpointer never look past the committed frames.  Under NORMAL or
 * OFF an unsynced commit frame may be an acknowledged one, so nothing is
 * cut.
 *
 * The group-commit writer's WAL file under FULL is "deferred"
 * (sq_vfs_wal_defer, logsync.c): its connection commits without a sync
 * and the batcher's syncer thread syncs the file afterwards, answering
 * nobody before (service/batch.h).  Its earlier unsynced commits are
 * then the syncer's to make durable, acknowledged soon or already, so
 * only the failing commit's own commit frame is cut: when the write
 * that carried it fails.  A failed sync on that connection (the WAL
 * header's, when the WAL starts over) cuts nothing: the frames before it
 * are all in the database already, and the syncer's next sync reports
 * the same error and stops the server (batch.c).
 *
 * Database files are wrapped too (vfs_db.c), only so that the
 * checkpoint connection can list what its checkpoints write there.  Other
 * files (temporary ones, the shared-memory index) are SQLite's own.
 */
#include "store/sqlite/sqlite_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define VFS_NAME      "yibao"
#define WAL_HDR_SIZE  32
#define FRAME_HDR     24
#define GATHER_MAX    (4 * 1024 * 1024)   /* bytes held at most */
/* The unix VFS writes at most 128 KiB - 1 per call (it masks the length
 * with 0x1ffff and reports a disk full if nothing was written), so the
 * gathered bytes go out in pieces of this size. */
#define WRITE_PIECE   (124 * 1024)

typedef struct wal_file {
	/* As sq_wrapped_file: */
	sqlite3_file base;               /* pMethods = &wal_methods */
	sqlite3_file *real;              /* the default VFS's file, after us */
	unsigned char *buf;              /* GATHER_MAX bytes, on first use */
	size_t len;                      /* bytes gathered */
	sqlite3_int64 off;               /* file offset of buf[0] */
	sqlite3_int64 commit_end;        /* >0: write out once this is reached */
	sqlite3_int64 commit_at;         /* where that commit frame starts */
	sqlite3_int64 unsynced_commit;   /* >0: a commit frame written there,
					  * not yet synced */
	uint32_t page_size;              /* from the WAL header; 0 = unknown */
	int passthrough;                 /* page size unknowable: no gathering */
	int deferred;                    /* the syncer syncs it (see the top) */
} wal_file;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs yb_vfs;
static bool cut_failed_commits;         /* synchronous = FULL (see above) */

/* The commit whose write or sync failed: cut it off the WAL. */
static void cut_failed_commit(wal_file *w)
{
	sqlite3_int64 size = 0;

	/* (Never longer: a write that failed may have left it shorter.) */
	if (cut_failed_commits && w->unsynced_commit > 0 &&
	    w->real->pMethods->xFileSize(w->real, &size) == SQLITE_OK &&
	    size > w->unsynced_commit)
		w->real->pMethods->xTruncate(w->real, w->unsynced_commit);
	w->unsynced_commit = 0;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* The page size recorded in a WAL header, or 0 if it is not one. */
static uint32_t header_page_size(const unsigned char *hdr)
{
	uint32_t magic = be32(hdr), size = be32(hdr + 8);

	if (magic != 0x377f0682 && magic != 0x377f0683)
		return 0;
	if (size == 1)
		return 65536;            /* how the format spells 64 KiB */
	if (size < 512 || size > 32768 || (size & (size - 1)) != 0)
		return 0;
	return size;
}

static int flush(wal_file *w)
{
	int rc = w->len > 0 ? sq_vfs_fault(false) : SQLITE_OK;

	if (w->commit_end > 0)
		w->unsynced_commit = w->commit_at;
	else if (w->deferred)
		w->unsynced_commit = 0;  /* earlier ones: the syncer's */
	for (size_t done = 0; done < w->len && rc == SQLITE_OK;) {
		size_t n = w->len - done < WRITE_PIECE ? w->len - done
							: WRITE_PIECE;
		rc = w->real->pMethods->xWrite(w->real, w->buf + done, (int)n,
					       w->off + (sqlite3_int64)done);
		done += n;
	}
	w->len = 0;
	w->commit_end = 0;
	if (rc != SQLITE_OK)
		cut_failed_commit(w);
	return rc;
}

/* The page size, from the header already in the file (a connection that
 * appends to a WAL another connection started). */
static void learn_page_size(wal_file *w)
{
	unsigned char hdr[WAL_HDR_SIZE];

	if (w->real->pMethods->xRead(w->real, hdr, sizeof hdr, 0) ==
	    SQLITE_OK)
		w->page_size = header_page_size(hdr);
	if (w->page_size == 0)
		w->passthrough = 1;
}

/* Note a commit frame's header among the bytes written at off. */
static void note_commit(wal_file *w, const unsigned char *p, int n,
			sqlite3_int64 off)
{
	sqlite3_int64 frame = FRAME_HDR + (sqlite3_int64)w->page_size;

	if (off < WAL_HDR_SIZE || (off - WAL_HDR_SIZE) % frame != 0 || n < 8)
		return;
	if (be32(p + 4) != 0) {          /* database size: a commit frame */
		w->commit_at = off;
		w->commit_end = off + frame;
	}
}

static int wal_write(sqlite3_file *f, const void *data, int n,
		     sqlite3_int64 off)
{
	wal_file *w = (wal_file *)f;
	const unsigned char *p = data;
	int rc;

	if (off == 0 && n >= WAL_HDR_SIZE) {
		w->page_size = header_page_size(p);
		w->passthrough = w->page_size == 0;
	} else if (w->page_size == 0 && !w->passthrough) {
		if ((rc = flush(w)) != SQLITE_OK)
			return rc;
		learn_page_size(w);
	}
	if (w->passthrough || n <= 0 || (size_t)n > WRITE_PIECE ||
	    (!w->buf && !(w->buf = malloc(GATHER_MAX)))) {
		if ((rc = flush(w)) != SQLITE_OK ||
		    (rc = sq_vfs_fault(false)) != SQLITE_OK)
			return rc;
		return w->real->pMethods->xWrite(w->real, data, n, off);
	}
	if (w->len > 0 &&
	    (off != w->off + (sqlite3_int64)w->len ||
	     w->len + (size_t)n > GATHER_MAX)) {
		if ((rc = flush(w)) != SQLITE_OK)
			return rc;
	}
	if (w->len == 0)
		w->off = off;
	memcpy(w->buf + w->len, data, (size_t)n);
	w->len += (size_t)n;
	if (w->page_size)
		note_commit(w, p, n, off);
	if (w->commit_end > 0 &&
	    w->off + (sqlite3_int64)w->len >= w->commit_end)
		return flush(w);
	return SQLITE_OK;
}

static int wal_close(sqlite3_file *f)
{
	wal_file *w = (wal_file *)f;
	int rc = flush(w), rc2;

	rc2 = w->real->pMethods->xClose(w->real);
	free(w->buf);
	w->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int wal_read(sqlite3_file *f, void *data, int n, sqlite3_int64 off)
{
	wal_file *w = (wal_file *)f;
	int rc = flush(w);

	return rc != SQLITE_OK ? rc
			       : w->real->pMethods->xRead(w->real, data, n,
							  off);
}

static int wal_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	wal_file *w = (wal_file *)f;
	int rc = flush(w);

	if (size <= w->unsynced_commit)
		w->unsynced_commit = 0;
	return rc != SQLITE_OK ? rc
			       : w->real->pMethods->xTruncate(w->real, size);
}

static int wal_sync(sqlite3_file *f, int flags)
{
	wal_file *w = (wal_file *)f;
	int rc = flush(w);

	if (rc == SQLITE_OK)
		rc = sq_vfs_fault(true);
	if (rc == SQLITE_OK)
		rc = w->real->pMethods->xSync(w->real, flags);
	if (rc == SQLITE_OK || w->deferred)
		w->unsynced_commit = 0;
	else
		cut_failed_commit(w);
	return rc;
}

static int wal_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	wal_file *w = (wal_file *)f;
	int rc = flush(w);

	return rc != SQLITE_OK ? rc
			       : w->real->pMethods->xFileSize(w->real, size);
}

static int wal_file_control(sqlite3_file *f, int op, void *arg)
{
	wal_file *w = (wal_file *)f;
	int rc = flush(w);

	return rc != SQLITE_OK ? rc
			       : w->real->pMethods->xFileControl(w->real, op,
								 arg);
}

/* ---- the rest is the real file's, unchanged (both wrappers) ------------ */

static sqlite3_file *real_of(sqlite3_file *f)
{
	return ((sq_wrapped_file *)f)->real;
}

int sq_pass_lock(sqlite3_file *f, int level)
{
	return real_of(f)->pMethods->xLock(real_of(f), level);
}

int sq_pass_unlock(sqlite3_file *f, int level)
{
	return real_of(f)->pMethods->xUnlock(real_of(f), level);
}

int sq_pass_check_reserved(sqlite3_file *f, int *out)
{
	return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

int sq_pass_sector_size(sqlite3_file *f)
{
	return real_of(f)->pMethods->xSectorSize(real_of(f));
}

int sq_pass_device_characteristics(sqlite3_file *f)
{
	return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

/* Version 1 methods: SQLite maps neither a WAL file nor its shared
 * memory through the WAL file's handle (that is the database file's). */
static const sqlite3_io_methods wal_methods = {
	.iVersion = 1,
	.xClose = wal_close,
	.xRead = wal_read,
	.xWrite = wal_write,
	.xTruncate = wal_truncate,
	.xSync = wal_sync,
	.xFileSize = wal_file_size,
	.xLock = sq_pass_lock,
	.xUnlock = sq_pass_unlock,
	.xCheckReservedLock = sq_pass_check_reserved,
	.xFileControl = wal_file_control,
	.xSectorSize = sq_pass_sector_size,
	.xDeviceCharacteristics = sq_pass_device_characteristics,
};

int sq_vfs_wal_defer(sqlite3_file *f)
{
	if (!f || f->pMethods != &wal_methods)
		return -1;
	((wal_file *)f)->deferred = 1;
	return 0;
}

/* ---- the VFS ------------------------------------------------------------------------------ */

/* Room for our struct (a WAL file's or a database file's, whichever is
 * larger), then the real file at an aligned offset. */
static size_t real_offset;

static int vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
		    int flags, int *out_flags)
{
	wal_file *w = (wal_file *)f;
	int rc;

	(void)vfs;
	if (flags & SQLITE_OPEN_MAIN_DB)
		return sq_vfs_db_open(real_vfs, name, f, real_offset, flags,
				      out_flags);
	if (!(flags & SQLITE_OPEN_WAL))
		return real_vfs->xOpen(real_vfs, name, f, flags, out_flags);
	memset(w, 0, sizeof *w);
	w->real = (sqlite3_file *)((char *)w + real_offset);
	rc = real_vfs->xOpen(real_vfs, name, w->real, flags, out_flags);
	/* SQLite calls xClose only on a file whose pMethods is set. */
	w->base.pMethods = rc == SQLITE_OK && w->real->pMethods ? &wal_methods
								 : NULL;
	return rc;
}

static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int vfs_access(sqlite3_vfs *vfs, const char *name, int flags,
		      int *out)
{
	(void)vfs;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int vfs_full_pathname(sqlite3_vfs *vfs, const char *name, int n,
			     char *out)
{
	(void)vfs;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *vfs_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return real_vfs->xDlOpen(real_vfs, name);
}

static void vfs_dlerror(sqlite3_vfs *vfs, int n, char *msg)
{
	(void)vfs;
	real_vfs->xDlError(real_vfs, n, msg);
}

static void (*vfs_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return real_vfs->xDlSym(real_vfs, h, sym);
}

static void vfs_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	real_vfs->xDlClose(real_vfs, h);
}

static int vfs_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int vfs_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return real_vfs->xSleep(real_vfs, us);
}

static int vfs_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xGetLastError(real_vfs, n, out);
}

static int vfs_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

int sq_vfs_register(void)
{
	const char *sync = getenv("YB_SQLITE_SYNC");

	/* The same reading of YB_SQLITE_SYNC as engine.c's sync_pragma. */
	cut_failed_commits = !sync || !*sync || strcasecmp(sync, "FULL") == 0;
	sq_vfs_fault_init();
	real_vfs = sqlite3_vfs_find(NULL);
	if (!real_vfs || real_vfs->iVersion < 2)
		return SQLITE_ERROR;
	real_offset = sizeof(wal_file) > sq_vfs_db_size() ? sizeof(wal_file)
							  : sq_vfs_db_size();
	real_offset = (real_offset + 15) & ~(size_t)15;
	yb_vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)(real_offset + (size_t)real_vfs->szOsFile),
		.mxPathname = real_vfs->mxPathname,
		.zName = VFS_NAME,
		.xOpen = vfs_open,
		.xDelete = vfs_delete,
		.xAccess = vfs_access,
		.xFullPathname = vfs_full_pathname,
		.xDlOpen = vfs_dlopen,
		.xDlError = vfs_dlerror,
		.xDlSym = vfs_dlsym,
		.xDlClose = vfs_dlclose,
		.xRandomness = vfs_randomness,
		.xSleep = vfs_sleep,
		/* SQLite asks a version-2 VFS the time through
		 * xCurrentTimeInt64 only; the old fractional-day entry is
		 * the default VFS's own, for anything that still calls it
		 * (SQLite's unix VFS does not use its VFS argument there). */
		.xCurrentTime = real_vfs->xCurrentTime,
		.xGetLastError = vfs_last_error,
		.xCurrentTimeInt64 = vfs_current_time64,
	};
	return sqlite3_vfs_register(&yb_vfs, 0);
}

const char *sq_vfs_name(void)
{
	return VFS_NAME;
}
