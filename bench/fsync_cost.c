/*
 * fsync_cost.c — what one durable commit costs on this disk: write a
 * 4 KiB page and fdatasync it, N times, two ways:
 *   append     — the file grows each time, so the file system's journal
 *                commits too (a fresh WAL, or a log that only grows);
 *   overwrite  — pages of a file already written and flushed, as SQLite
 *                reuses its WAL after a checkpoint: only the data goes.
 *
 *   fsync_cost [DIR] [N]        (default: the current directory, 1000)
 *
 * Prints min, p50, p99 and mean in microseconds per mode, and the commits
 * per second one writer could make if it paid one flush per commit.  The
 * file is made in DIR (the disk the database is on) and removed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* N timed rounds of writing page i and fdatasync: on an empty file they
 * append, on a file already N pages long they overwrite.  Prints one
 * line headed `label`. */
static int measure(int fd, const char *path, int n, const char *label,
		   double *us)
{
	char page[4096];
	double sum = 0;

	memset(page, 'w', sizeof page);
	for (int i = 0; i < n; i++) {
		struct timespec t0, t1;
		off_t at = (off_t)i * 4096;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (pwrite(fd, page, sizeof page, at) != (ssize_t)sizeof page ||
		    fdatasync(fd) != 0) {
			perror(path);
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		us[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e6 +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
		sum += us[i];
	}
	qsort(us, (size_t)n, sizeof *us, cmp_double);
	printf("%s: fsync_us_min=%.0f fsync_us_p50=%.0f fsync_us_p99=%.0f "
	       "fsync_us_mean=%.0f commits_per_s_one_writer=%.0f n=%d\n",
	       label, us[0], us[n / 2],
	       us[(int)((long)n * 99 / 100)], sum / n, 1e6 / (sum / n), n);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	int n = argc > 2 ? atoi(argv[2]) : 1000, rc = 1;
	char path[4096];
	double *us;
	int fd;

	if (n < 1 || n > 1000000) {
		fputs("usage: fsync_cost [DIR] [N]\n", stderr);
		return 2;
	}
	snprintf(path, sizeof path, "%s/fsync_cost.%ld.tmp", dir,
		 (long)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	us = malloc(sizeof *us * (size_t)n);
	if (fd < 0 || !us) {
		perror(path);
		return 1;
	}
	if (measure(fd, path, n, "append", us) == 0 &&
	    measure(fd, path, n, "overwrite", us) == 0)
		rc = 0;
	close(fd);
	unlink(path);
	free(us);
	return rc;
}
