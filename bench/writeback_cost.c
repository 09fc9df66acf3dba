/*
 * writeback_cost.c — what database writeback costs a commit on this disk
 * (docs/BENCHMARKS.md, "What bounds the figure", 2.): a batch's commit is
 * a ~900 KB WAL write and fdatasync; this times it while N random 4 KiB
 * pages of a database-sized file are being written back at the same time
 * (sync_file_range WRITE, as the store's upkeep does), and times
 * writing those N pages alone.
 *
 *   writeback_cost [DIR] [MiB]   (default: the current directory, 512)
 *
 * Prints, for N = 0, 35, 70 … 4480: the N pages alone, and the commit
 * with them in flight, in ms (mean of 20 rounds).  The two files are made
 * in DIR (the disk the database is on) and removed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PAGE       4096
#define COMMIT     (900 * 1024)
#define WAL_BYTES  (64 << 20)
#define ROUNDS     20

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* A file of `bytes`, written and synced, so that later writes overwrite. */
static int make_file(const char *path, off_t bytes, const char *fill)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	for (off_t at = 0; at < bytes; at += PAGE)
		if (pwrite(fd, fill, PAGE, at) != PAGE) {
			close(fd);
			return -1;
		}
	if (fdatasync(fd) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Change n random pages of the database file (in the page cache). */
static int dirty_pages(int fd, long pages, int n, const char *page)
{
	for (int i = 0; i < n; i++)
		if (pwrite(fd, page, PAGE, (off_t)(random() % pages) * PAGE) !=
		    PAGE)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	long mib = argc > 2 ? strtol(argv[2], NULL, 10) : 512;
	static const int counts[] = { 0, 35, 70, 140, 280, 560, 1120, 4480 };
	char db_path[4096], wal_path[4096], page[PAGE];
	char *commit = malloc(COMMIT);
	long pages;
	int db, wal, rc = 1;

	if (!commit || mib < 16) {
		fprintf(stderr, "usage: writeback_cost [DIR] [MiB >= 16]\n");
		return 2;
	}
	pages = mib * (1024 * 1024 / PAGE);
	memset(page, 'd', sizeof page);
	memset(commit, 'w', COMMIT);
	snprintf(db_path, sizeof db_path, "%s/writeback_cost.db", dir);
	snprintf(wal_path, sizeof wal_path, "%s/writeback_cost.wal", dir);
	db = make_file(db_path, (off_t)pages * PAGE, page);
	wal = make_file(wal_path, WAL_BYTES, page);
	if (db < 0 || wal < 0) {
		perror("writeback_cost: making the files");
		goto out;
	}
	printf("random pages  pages alone ms  commit (900 KB + fdatasync) with them in flight ms\n");
	for (size_t k = 0; k < sizeof counts / sizeof *counts; k++) {
		int n = counts[k];
		double alone = 0, commit_ms = 0;

		for (int r = 0; r < ROUNDS; r++) {
			double t0, t1;
			off_t at = (off_t)(r % (WAL_BYTES / COMMIT)) * COMMIT;

			if (dirty_pages(db, pages, n, page) < 0)
				goto io_error;
			t0 = now_ms();
			if (sync_file_range(db, 0, 0,
					    SYNC_FILE_RANGE_WRITE |
						    SYNC_FILE_RANGE_WAIT_AFTER) !=
			    0)
				goto io_error;
			alone += now_ms() - t0;

			if (dirty_pages(db, pages, n, page) < 0 ||
			    sync_file_range(db, 0, 0, SYNC_FILE_RANGE_WRITE) != 0)
				goto io_error;
			t0 = now_ms();
			if (pwrite(wal, commit, COMMIT, at) != COMMIT ||
			    fdatasync(wal) != 0)
				goto io_error;
			t1 = now_ms();
			commit_ms += t1 - t0;
			/* Let the rest of the pages drain before the next round. */
			if (fdatasync(db) != 0)
				goto io_error;
		}
		printf("%12d  %14.2f  %.2f\n", n, n ? alone / ROUNDS : 0.0,
		       commit_ms / ROUNDS);
	}
	rc = 0;
	goto out;
io_error:
	perror("writeback_cost");
out:
	if (db >= 0)
		close(db);
	if (wal >= 0)
		close(wal);
	unlink(db_path);
	unlink(wal_path);
	free(commit);
	return rc;
}
