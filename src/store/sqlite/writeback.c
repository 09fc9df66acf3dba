/*
 * writeback.c — start writing given ranges of a database file to
 * the disk now, without waiting for them (Linux's sync_file_range).
 *
 * Why.  Under steady load the upkeep (upkeep.c) copies WAL pages into
 * the database file, where they sit in the OS page cache, changed and
 * unwritten; before the WAL can start over the file must be synced, and
 * that sync wrote seconds' worth of scattered pages in one burst (some
 * 150-300 ms on the benchmark machine) while every commit's own sync of
 * the WAL waited behind it (docs/BENCHMARKS.md).  Handing the kernel the
 * pages a checkpoint wrote, a few dozen at a time between two commits
 * (upkeep.c; the ranges come from vfs_db.c), leaves the
 * sync little to do.  It is only a head start: it neither waits nor
 * flushes the disk's cache, and durability still rests on SQLite's
 * syncs alone.
 *
 * The descriptor.  sync_file_range needs a descriptor of the file, and
 * SQLite does not lend its own.  Opening one is easy; closing it is not:
 * POSIX drops every lock a process holds on a file when *any* of its
 * descriptors of that file is closed, and SQLite's connections lock the
 * database file with exactly such locks.  So a file's descriptor, once
 * opened here, stays open for the life of the process — one per
 * database file (a server has one), in a small fixed table.  When the
 * table is full, writeback does nothing (the sync then does it all, as
 * it would without this file).
 */
#include "store/sqlite/sqlite_int.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 16

static struct {
	dev_t dev;
	ino_t ino;
	int fd;
} files[MAX_FILES];
static int n_files;
static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;

/* The descriptor kept for the file at `path`, opened on first use; -1
 * if it cannot be opened or the table is full. */
static int file_fd(const char *path)
{
	struct stat st;
	int fd = -1;

	if (stat(path, &st) != 0)
		return -1;
	pthread_mutex_lock(&files_lock);
	for (int i = 0; i < n_files; i++)
		if (files[i].dev == st.st_dev && files[i].ino == st.st_ino) {
			fd = files[i].fd;
			goto out;
		}
	if (n_files == MAX_FILES)
		goto out;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	/* Opened after the stat: keep it only if it is the same file. */
	{
		struct stat again;

		if (fstat(fd, &again) != 0 || again.st_dev != st.st_dev ||
		    again.st_ino != st.st_ino) {
			/* Not the file SQLite has open (it was replaced
			 * between the two calls), so no lock of ours is on
			 * it and closing is safe. */
			close(fd);
			fd = -1;
			goto out;
		}
	}
	files[n_files].dev = st.st_dev;
	files[n_files].ino = st.st_ino;
	files[n_files].fd = fd;
	n_files++;
out:
	pthread_mutex_unlock(&files_lock);
	return fd;
}

int sq_writeback(const char *path, const sq_range *ranges, int n)
{
	int fd;

	if (n < 1 || !path || !*path)
		return 0;                /* nothing, or in memory */
	fd = file_fd(path);
	if (fd < 0)
		return 0;                /* a head start only: skip it */
	for (int i = 0; i < n; i++)
		if (sync_file_range(fd, ranges[i].off, ranges[i].len,
				    SYNC_FILE_RANGE_WRITE) != 0)
			return -1;
	return 0;
}
