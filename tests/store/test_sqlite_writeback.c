/*
 * test_sqlite_writeback.c — writing checkpointed pages back ahead of the
 * sync: the page list of the "yibao" VFS's database files
 * (src/store/sqlite/vfs_db.c) and sq_writeback
 * (src/store/sqlite/writeback.c), which hands ranges to the kernel
 * without waiting for them.
 *
 * What must hold: a connection that asks keeps exactly the ranges its
 * checkpoints wrote into the database file (neighbours merged), and
 * hands them over oldest first, no more than asked for (a range is
 * split); a connection that does not ask keeps nothing; the pages handed
 * to sq_writeback leave the page cache's dirty state without any sync of
 * ours (seen through Linux's cachestat(2), which counts a file's dirty
 * pages; skipped where the kernel lacks it), and only those; a file's
 * descriptor is opened once and then kept (closing one would drop
 * SQLite's locks on the file), one per file, never more than the table
 * holds; and nothing to write is no error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "sqlite_fixture.h"
#include "store/sqlite/sqlite_int.h"

#ifndef SYS_cachestat
#define SYS_cachestat 451                /* same number on every arch */
#endif

struct cachestat_range {
	uint64_t off, len;
};

struct cachestat_counts {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted,
		nr_recently_evicted;
};

#define FILE_BYTES (8 * 1024 * 1024)
#define HALF       (FILE_BYTES / 2)

typedef struct wb_fx {
	tmp_db tmp;
	const char *dir, *path;          /* tmp.dir, tmp.path */
	sqlite3 *db;
} wb_fx;

static int setup(void **state)
{
	wb_fx *f = calloc(1, sizeof *f);

	if (!f || tmp_db_make(&f->tmp, "w.db") < 0)
		return -1;
	f->dir = f->tmp.dir;
	f->path = f->tmp.path;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	wb_fx *f = *state;

	sqlite3_close(f->db);
	tmp_db_remove(&f->tmp);
	free(f);
	return 0;
}

/* A WAL database through the VFS, whose checkpoints do not sync (so
 * that what they write stays dirty for the test to see), with `bytes`
 * of rows committed to the WAL and not yet checkpointed. */
static sqlite3_file *open_with_wal(wb_fx *f, int bytes)
{
	sqlite3_file *file = NULL;
	sqlite3_stmt *q = NULL;
	char blob[1000];

	f->db = open_vfs_wal(f->path, "OFF");
	exec_ok(f->db, "CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)");
	exec_ok(f->db, "BEGIN");
	assert_int_equal(sqlite3_prepare_v2(f->db,
					    "INSERT INTO t (b) VALUES (?1)",
					    -1, &q, NULL),
			 SQLITE_OK);
	memset(blob, 'y', sizeof blob);
	for (int i = 0; i < bytes / (int)sizeof blob; i++) {
		sqlite3_bind_blob(q, 1, blob, sizeof blob, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(q), SQLITE_DONE);
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	exec_ok(f->db, "COMMIT");
	assert_int_equal(sqlite3_file_control(f->db, "main",
					      SQLITE_FCNTL_FILE_POINTER,
					      &file),
			 SQLITE_OK);
	assert_non_null(file);
	return file;
}

static void checkpoint(sqlite3 *db)
{
	int log = -1, done = -1;

	assert_int_equal(sqlite3_wal_checkpoint_v2(db, NULL,
						   SQLITE_CHECKPOINT_PASSIVE,
						   &log, &done),
			 SQLITE_OK);
	assert_true(log > 0);
	assert_int_equal(done, log);
}

/* Everything listed, at most 64 ranges at a time. */
static int take_all(sqlite3_file *file, sq_range *out, int max)
{
	sqlite3_int64 pending = 0;
	int n = 0, got;

	do {
		got = sq_vfs_db_take(file, out + n, max - n < 64 ? max - n : 64,
				     INT64_MAX, &pending);
		n += got;
	} while (got > 0 && n < max);
	assert_int_equal(pending, 0);
	return n;
}

/* Dirty pages in [off, off+len); -1 if the kernel cannot tell. */
static int64_t dirty_pages(int fd, uint64_t off, uint64_t len)
{
	struct cachestat_range r = { off, len };
	struct cachestat_counts c;

	memset(&c, 0, sizeof c);
	if (syscall(SYS_cachestat, fd, &r, &c, 0) != 0)
		return -1;
	return (int64_t)(c.nr_dirty + c.nr_writeback);
}

/* Wait (up to 10 s) until [off, off+len) has no dirty pages left. */
static int64_t wait_clean(int fd, uint64_t off, uint64_t len)
{
	int64_t left = dirty_pages(fd, off, len);

	for (int i = 0; i < 1000 && left > 0; i++) {
		struct timespec tick = { 0, 10 * 1000 * 1000 };

		nanosleep(&tick, NULL);
		left = dirty_pages(fd, off, len);
	}
	return left;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* A plain file of FILE_BYTES, all of it changed in the page cache. */
static int write_dirty_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	char *buf = malloc(FILE_BYTES);

	assert_true(fd >= 0);
	assert_non_null(buf);
	memset(buf, 'y', FILE_BYTES);
	assert_int_equal(write(fd, buf, FILE_BYTES), FILE_BYTES);
	free(buf);
	return fd;
}

static void test_checkpoint_writes_are_listed(void **state)
{
	wb_fx *f = *state;
	sqlite3_file *file = open_with_wal(f, 2 * 1024 * 1024);
	sqlite3_int64 listed = 0, size = 0;
	sq_range r[4096];
	int n;

	assert_int_equal(sq_vfs_db_track(file), 0);
	checkpoint(f->db);
	n = take_all(file, r, 4096);
	assert_true(n > 0);
	/* Oldest first, ascending within the pass, neighbours merged: a
	 * table written in one go comes out as a few long ranges. */
	for (int i = 0; i < n; i++) {
		assert_true(r[i].len > 0);
		assert_int_equal(r[i].off % 4096, 0);
		if (i > 0)
			assert_true(r[i].off > r[i - 1].off + r[i - 1].len);
		listed += r[i].len;
	}
	assert_true(n < 16);
	/* The checkpoint wrote the whole (new) database: the list covers
	 * every byte of it. */
	assert_int_equal(file->pMethods->xFileSize(file, &size), SQLITE_OK);
	assert_int_equal(listed, size);
	/* Taken once: nothing is listed twice. */
	assert_int_equal(take_all(file, r, 4096), 0);
}

static void test_take_respects_the_budget(void **state)
{
	wb_fx *f = *state;
	sqlite3_file *file = open_with_wal(f, 1024 * 1024);
	sqlite3_int64 pending = 0, first_pending, total = 0;
	sq_range r[64];
	int n;

	assert_int_equal(sq_vfs_db_track(file), 0);
	checkpoint(f->db);
	/* 3 pages: the front of the first range, split. */
	n = sq_vfs_db_take(file, r, 64, 3 * 4096, &pending);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].off, 0);
	assert_int_equal(r[0].len, 3 * 4096);
	first_pending = pending;
	assert_true(first_pending > 0);
	total += r[0].len;
	/* The rest, and it begins where the split left off. */
	n = sq_vfs_db_take(file, r, 64, INT64_MAX, &pending);
	assert_true(n >= 1);
	assert_int_equal(r[0].off, 3 * 4096);
	for (int i = 0; i < n; i++)
		total += r[i].len;
	assert_int_equal(total - 3 * 4096, first_pending);
	assert_int_equal(pending, 0);
	/* Asking for nothing takes nothing and still counts. */
	assert_int_equal(sq_vfs_db_take(file, r, 64, 0, &pending), 0);
	assert_int_equal(pending, 0);
}

static void test_untracked_connection_keeps_nothing(void **state)
{
	wb_fx *f = *state;
	sqlite3_file *file = open_with_wal(f, 1024 * 1024);
	sqlite3_int64 pending = -1;
	sq_range r[64];

	checkpoint(f->db);
	assert_int_equal(sq_vfs_db_take(file, r, 64, INT64_MAX, &pending), 0);
	assert_int_equal(pending, 0);
	/* A file that is not the VFS's is refused. */
	assert_int_equal(sq_vfs_db_track(NULL), -1);
}

static void test_writeback_writes_the_checkpointed_pages(void **state)
{
	wb_fx *f = *state;
	sqlite3_file *file = open_with_wal(f, FILE_BYTES);
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	sq_range r[4096];
	int n;

	/* (This descriptor is never closed before the connection is: that
	 * would drop its locks.) */
	assert_true(fd >= 0);
	assert_int_equal(sq_vfs_db_track(file), 0);
	checkpoint(f->db);
	if (dirty_pages(fd, 0, 0) <= 0) {
		sqlite3_close(f->db);
		f->db = NULL;
		close(fd);
		skip();                  /* no cachestat, or no page cache */
	}
	n = take_all(file, r, 4096);
	/* The first half of the file only: the kernel leaves such pages
	 * for 30 s (dirty_expire_centisecs) unless told. */
	{
		sq_range half = { 0, HALF };

		assert_int_equal(sq_writeback(f->path, &half, 1), 0);
	}
	assert_int_equal(wait_clean(fd, 0, HALF), 0);
	assert_true(dirty_pages(fd, HALF, 0) > 0);
	/* All the pages the checkpoint wrote. */
	assert_int_equal(sq_writeback(f->path, r, n), 0);
	assert_int_equal(wait_clean(fd, 0, 0), 0);
	sqlite3_close(f->db);
	f->db = NULL;
	close(fd);
}

static void test_writeback_keeps_one_descriptor_per_file(void **state)
{
	wb_fx *f = *state;
	sq_range all = { 0, 0 };
	char other[128];
	int before, fd;

	fd = write_dirty_file(f->path);
	close(fd);
	before = open_fds();
	assert_int_equal(sq_writeback(f->path, &all, 1), 0);
	assert_int_equal(open_fds(), before + 1);
	for (int i = 0; i < 10; i++)
		assert_int_equal(sq_writeback(f->path, &all, 1), 0);
	assert_int_equal(open_fds(), before + 1);

	/* Another file at the same path (a restored backup, say) is
	 * another file: its own descriptor. */
	snprintf(other, sizeof other, "%s.new", f->path);
	fd = write_dirty_file(other);
	close(fd);
	assert_int_equal(rename(other, f->path), 0);
	assert_int_equal(sq_writeback(f->path, &all, 1), 0);
	assert_int_equal(open_fds(), before + 2);
}

static void test_writeback_table_is_bounded(void **state)
{
	wb_fx *f = *state;
	sq_range all = { 0, 0 };
	char path[128];
	int before = open_fds(), fd;

	/* Far more files than the table holds: descriptors stop growing,
	 * and writeback of the ones left out is no error. */
	for (int i = 0; i < 40; i++) {
		snprintf(path, sizeof path, "%s/many-%d.db", f->dir, i);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(sq_writeback(path, &all, 1), 0);
	}
	assert_true(open_fds() - before <= 16);
	for (int i = 0; i < 40; i++) {
		snprintf(path, sizeof path, "%s/many-%d.db", f->dir, i);
		unlink(path);
	}
}

static void test_writeback_nothing_to_do(void **state)
{
	wb_fx *f = *state;
	sq_range all = { 0, 0 };

	(void)f;
	/* No ranges; an in-memory database has no file name; a file that
	 * is not there has no pages. */
	assert_int_equal(sq_writeback("/tmp", &all, 0), 0);
	assert_int_equal(sq_writeback(NULL, &all, 1), 0);
	assert_int_equal(sq_writeback("", &all, 1), 0);
	assert_int_equal(sq_writeback("/nonexistent/yb/w.db", &all, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_checkpoint_writes_are_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_respects_the_budget,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_untracked_connection_keeps_nothing, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_writeback_writes_the_checkpointed_pages, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_writeback_keeps_one_descriptor_per_file, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_writeback_table_is_bounded,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_writeback_nothing_to_do,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
