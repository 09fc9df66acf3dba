/*
 * fsync_cost.c — what one durable commit costs on this disk: append a
 * page to a file and fdatasync it, N times, as a WAL commit does.
 *
 *   fsync_cost [DIR] [N]        (default: the current directory, 1000)
 *
 * Prints min, p50, p99 and mean in microseconds, and the commits per
 * second one writer could make if it paid one flush per commit.  The
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

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	int n = argc > 2 ? atoi(argv[2]) : 1000;
	char path[4096], page[4096];
	double *us, sum = 0;
	int fd;

	if (n < 1 || n > 1000000) {
		fputs("usage: fsync_cost [DIR] [N]\n", stderr);
		return 2;
	}
	snprintf(path, sizeof path, "%s/fsync_cost.%ld.tmp", dir,
		 (long)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	us = malloc(sizeof *us * (size_t)n);
	if (fd < 0 || !us) {
		perror(path);
		return 1;
	}
	memset(page, 'w', sizeof page);
	for (int i = 0; i < n; i++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (write(fd, page, sizeof page) != (ssize_t)sizeof page ||
		    fdatasync(fd) != 0) {
			perror(path);
			unlink(path);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		us[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e6 +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
		sum += us[i];
	}
	close(fd);
	unlink(path);
	qsort(us, (size_t)n, sizeof *us, cmp_double);
	printf("fsync_us_min=%.0f fsync_us_p50=%.0f fsync_us_p99=%.0f "
	       "fsync_us_mean=%.0f commits_per_s_one_writer=%.0f n=%d\n",
	       us[0], us[n / 2], us[(int)((long)n * 99 / 100)], sum / n,
	       1e6 / (sum / n), n);
	free(us);
	return 0;
}
