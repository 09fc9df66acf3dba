/*
 * test_sqlite_writeback.c — sq_writeback (src/store/sqlite_writeback.c),
 * which asks the kernel to start writing a database file's changed pages
 * without waiting for them.
 *
 * What must hold: the changed pages of the slice asked for, and only
 * those, leave the page cache's dirty state without any sync of ours
 * (seen through Linux's cachestat(2), which counts a file's dirty
 * pages; skipped where the kernel lacks it); all slices together cover
 * the whole file; a file's descriptor is opened once and then kept
 * (closing one would drop SQLite's locks on the file), one per file,
 * never more than the table holds; bad arguments are refused and a file
 * that is not there is no error (the sync does the work then).
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

#include "store/sqlite_int.h"

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
	char dir[64];
	char path[96];
} wb_fx;

static int setup(void **state)
{
	wb_fx *f = calloc(1, sizeof *f);

	snprintf(f->dir, sizeof f->dir, "/tmp/yb-wb-XXXXXX");
	if (!f->dir[0] || !mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/w.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	wb_fx *f = *state;

	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* A file of FILE_BYTES, all of it changed in the page cache, unsynced. */
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

static void test_writeback_writes_the_slice_asked_for(void **state)
{
	wb_fx *f = *state;
	int fd = write_dirty_file(f->path);
	int64_t first_half, second_half;

	first_half = dirty_pages(fd, 0, HALF);
	if (first_half <= 0) {
		close(fd);
		skip();                  /* no cachestat, or no page cache */
	}
	/* The kernel leaves such pages for 30 s (dirty_expire_centisecs)
	 * unless told; the first of two slices is. */
	assert_int_equal(sq_writeback(f->path, 0, 2), 0);
	assert_int_equal(wait_clean(fd, 0, HALF), 0);
	second_half = dirty_pages(fd, HALF, HALF);
	assert_true(second_half > 0);

	assert_int_equal(sq_writeback(f->path, 1, 2), 0);
	assert_int_equal(wait_clean(fd, 0, 0), 0);
	close(fd);
}

static void test_writeback_covers_the_file_in_many_slices(void **state)
{
	wb_fx *f = *state;
	int fd = write_dirty_file(f->path);

	if (dirty_pages(fd, 0, 0) <= 0) {
		close(fd);
		skip();
	}
	/* More slices than a slice's rounding to 64 KiB makes room for:
	 * the later ones are empty, the last reaches the end. */
	for (int part = 0; part < 1000; part++)
		assert_int_equal(sq_writeback(f->path, part, 1000), 0);
	assert_int_equal(wait_clean(fd, 0, 0), 0);
	close(fd);
}

static void test_writeback_keeps_one_descriptor_per_file(void **state)
{
	wb_fx *f = *state;
	char other[128];
	int before, fd;

	fd = write_dirty_file(f->path);
	close(fd);
	before = open_fds();
	assert_int_equal(sq_writeback(f->path, 0, 1), 0);
	assert_int_equal(open_fds(), before + 1);
	for (int i = 0; i < 10; i++)
		assert_int_equal(sq_writeback(f->path, i % 3, 3), 0);
	assert_int_equal(open_fds(), before + 1);

	/* Another file at the same path (a restored backup, say) is
	 * another file: its own descriptor. */
	snprintf(other, sizeof other, "%s.new", f->path);
	fd = write_dirty_file(other);
	close(fd);
	assert_int_equal(rename(other, f->path), 0);
	assert_int_equal(sq_writeback(f->path, 0, 1), 0);
	assert_int_equal(open_fds(), before + 2);
}

static void test_writeback_table_is_bounded(void **state)
{
	wb_fx *f = *state;
	char path[128];
	int before = open_fds(), fd;

	/* Far more files than the table holds: descriptors stop growing,
	 * and writeback of the ones left out is no error. */
	for (int i = 0; i < 40; i++) {
		snprintf(path, sizeof path, "%s/many-%d.db", f->dir, i);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(sq_writeback(path, 0, 1), 0);
	}
	assert_true(open_fds() - before <= 16);
	for (int i = 0; i < 40; i++) {
		snprintf(path, sizeof path, "%s/many-%d.db", f->dir, i);
		unlink(path);
	}
}

static void test_writeback_arguments(void **state)
{
	wb_fx *f = *state;

	errno = 0;
	assert_int_equal(sq_writeback(f->path, 0, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(sq_writeback(f->path, 2, 2), -1);
	assert_int_equal(sq_writeback(f->path, -1, 2), -1);
	/* Nothing to write: an in-memory database has no file name, and a
	 * file that is not there has no pages. */
	assert_int_equal(sq_writeback(NULL, 0, 1), 0);
	assert_int_equal(sq_writeback("", 0, 1), 0);
	assert_int_equal(sq_writeback("/nonexistent/yb/w.db", 0, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_writeback_writes_the_slice_asked_for, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_writeback_covers_the_file_in_many_slices, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_writeback_keeps_one_descriptor_per_file, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_writeback_table_is_bounded,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_writeback_arguments, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
