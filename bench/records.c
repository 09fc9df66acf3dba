/*
 * records.c — how long the documents of SPEC R1 and R2 take to make for
 * one person with a long history: his contribution statement and his
 * account statement over ten years (CSV and PDF), and his proof of
 * insurance — through the same code the server streams them with
 * (service/statement.c, src/render), into a sink that only counts bytes.
 *
 *   records_bench [--db URL] [--years N] [--entries M] [--rounds R]
 *
 * It makes a fresh database (a temporary SQLite file unless --db names
 * an empty one), registers one tier-1 person with a contribution for
 * every month of N years (default 10), each posted at its month, and M
 * further account entries a month (default 20: settlements and the like,
 * written straight through the store as the bench generator does), then
 * times each document R times (default 5) and prints the best and the
 * median wall time, the median CPU time (on a busy machine the wall
 * clock counts other processes' turns too), the size, and the peak
 * memory of the process.
 * The HTTP edge adds only the transfer (download.c hands the same
 * stream's pieces to libmicrohttpd).  The target (docs/RECORDS.md): ten
 * years of one person in at most one second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/settings.h"
#include "render/render.h"
#include "service/ledger.h"
#include "service/person.h"
#include "service/records.h"

#define SSN "600000001"
#define EMPLOYER "E-BENCH"

typedef struct bench {
	yb_ctx ctx;
	yb_settings settings;
	yb_time now;
	int years, entries, rounds;
} bench;

static yb_time clock_now(void *arg)
{
	return ((bench *)arg)->now;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void die(const char *what, const yb_err *err)
{
	fprintf(stderr, "records_bench: %s: %s: %s\n", what,
		err->code ? err->code : "?", err->message);
	exit(1);
}

/* M entries of a month in the person's account, at its middle. */
static void month_entries(bench *b, yb_id account, int month)
{
	yb_store *st = b->ctx.store;
	yb_account pool;
	yb_posting p;
	yb_err err;

	if (st->ops->account_system(st, YB_ACC_FUND_POOL, &pool, &err) < 1)
		die("fund pool", &err);
	for (int i = 0; i < b->entries; i++) {
		memset(&p, 0, sizeof p);
		p.kind = i % 2 ? "settlement" : "revocation";
		snprintf(p.ref, sizeof p.ref, "settlement:%d", month * 100 + i);
		p.n = 2;
		p.entries[0].account_id = pool.id;
		p.entries[0].amount_fen = i % 2 ? 100 : -100;
		p.entries[1].account_id = account;
		p.entries[1].amount_fen = i % 2 ? -100 : 100;
		if (st->ops->ledger_post(st, &p, yb_month_start(month) +
					 86400 * 14 + i, NULL, &err) < 0)
			die("ledger_post", &err);
	}
}

/* One person, a contribution for every month of the years, each posted
 * in its month, and the further entries. */
static void populate(bench *b)
{
	int last = yb_month_of_time(b->now) - 1;
	yb_person_new in = { 0 };
	yb_contribution_new c = { 0 };
	yb_account acc;
	yb_person p;
	char period[YB_MONTH_SZ];
	yb_err err;

	if (yb_employer_register(&b->ctx, EMPLOYER, "深圳湾科技有限公司", NULL,
				 &err) < 0)
		die("employer", &err);
	in.ssn = SSN;
	in.id_number = "440305198001010013";
	in.name = "陈大文";
	in.scheme = "employee_tier1";
	in.employer_code = EMPLOYER;
	if (yb_person_register(&b->ctx, &in, &p, &err) < 0)
		die("person", &err);
	c.ssn = SSN;
	c.employer_code = EMPLOYER;
	c.base_fen = 1000000;
	c.employer_fen = 60000;
	c.personal_fen = 20000;
	c.account_credit_fen = 25000;
	for (int m = last - 12 * b->years + 1; m <= last; m++) {
		yb_time real = b->now;

		b->now = yb_month_start(m) + 86400;
		c.period = yb_month_format(m, period, sizeof period);
		if (yb_contribution_post(&b->ctx, &c, NULL, &err) < 0)
			die("contribution", &err);
		if (b->ctx.store->ops->account_personal_of(b->ctx.store, p.id,
							   &acc, &err) < 1)
			die("account", &err);
		if (b->ctx.store->ops->begin(b->ctx.store, true, &err) < 0)
			die("begin", &err);
		month_entries(b, acc.id, m);
		if (b->ctx.store->ops->commit(b->ctx.store, &err) < 0)
			die("commit", &err);
		b->now = real;
	}
}

/* Make one statement whole, into a counting sink; its size. */
static long statement(bench *b, yb_statement_kind kind, yb_format fmt)
{
	char from[YB_MONTH_SZ], to[YB_MONTH_SZ], buf[32768];
	int now = yb_month_of_time(b->now);
	yb_stream *st = NULL;
	yb_statement s;
	long total = 0;
	ssize_t n;
	yb_err err;

	yb_month_format(now - 12 * b->years, from, sizeof from);
	yb_month_format(now - 1, to, sizeof to);
	if (yb_statement_open(&b->ctx, kind, SSN, from, to, &s, &err) < 0 ||
	    yb_stream_new(&s, fmt, &b->settings, &st, &err) < 0)
		die("statement", &err);
	while ((n = yb_stream_read(st, &b->ctx, buf, sizeof buf, &err)) > 0)
		total += n;
	if (n < 0)
		die("stream", &err);
	yb_stream_free(st);
	return total;
}

static long proof(bench *b)
{
	yb_proof_view v;
	char *pdf;
	size_t len;
	yb_err err;

	if (yb_proof_issue(&b->ctx, SSN, &v, &err) < 0 ||
	    yb_proof_pdf(&v, &pdf, &len, &err) < 0)
		die("proof", &err);
	free(pdf);
	return (long)len;
}

/* CPU time of the process so far, ms: on a shared machine the wall
 * clock also counts the other processes' turns. */
static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, c = *(const double *)y;

	return (a > c) - (a < c);
}

/* Time R rounds of one document and print a line. */
static void measure(bench *b, const char *name, yb_statement_kind kind,
		    yb_format fmt, bool is_proof)
{
	double t[64], c[64];
	long size = 0;
	int r = b->rounds < 64 ? b->rounds : 64;

	for (int i = 0; i < r; i++) {
		struct timespec t0;
		double c0 = cpu_ms();

		clock_gettime(CLOCK_MONOTONIC, &t0);
		size = is_proof ? proof(b) : statement(b, kind, fmt);
		t[i] = ms_since(&t0);
		c[i] = cpu_ms() - c0;
	}
	qsort(t, (size_t)r, sizeof t[0], cmp_double);
	qsort(c, (size_t)r, sizeof c[0], cmp_double);
	printf("%-24s wall best %7.1f median %7.1f ms  cpu median %7.1f ms"
	       "  %9ld bytes\n", name, t[0], t[r / 2], c[r / 2], size);
}

static void usage(void)
{
	fputs("usage: records_bench [--db URL] [--years N] [--entries M] "
	      "[--rounds R]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	char tmp[] = "/tmp/yb-records-bench-XXXXXX", path[96];
	const char *db = NULL;
	struct rusage ru;
	bench b;
	yb_err err;

	memset(&b, 0, sizeof b);
	b.years = 10;
	b.entries = 20;
	b.rounds = 5;
	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--db") == 0)
			db = argv[++i];
		else if (strcmp(argv[i], "--years") == 0)
			b.years = atoi(argv[++i]);
		else if (strcmp(argv[i], "--entries") == 0)
			b.entries = atoi(argv[++i]);
		else if (strcmp(argv[i], "--rounds") == 0)
			b.rounds = atoi(argv[++i]);
		else
			usage();
	}
	if (b.years < 1 || b.years > 50 || b.entries < 0 || b.rounds < 1)
		usage();
	if (!db) {
		if (!mkdtemp(tmp))
			return perror("mkdtemp"), 1;
		snprintf(path, sizeof path, "%s/bench.db", tmp);
		db = path;
	}
	yb_settings_defaults(&b.settings);
	if (yb_store_open(db, &b.ctx.store, &err) < 0)
		die("open", &err);
	b.now = (yb_time)time(NULL);
	b.ctx.settings = &b.settings;
	b.ctx.clock.now = clock_now;
	b.ctx.clock.arg = &b;
	b.ctx.actor = yb_actor_cli();
	populate(&b);
	printf("one person, %d years: %d contributions, %d account entries\n",
	       b.years, 12 * b.years, 12 * b.years * (b.entries + 1));
	measure(&b, "contributions CSV", YB_STATEMENT_CONTRIBUTIONS, YB_FMT_CSV,
		false);
	measure(&b, "contributions PDF", YB_STATEMENT_CONTRIBUTIONS, YB_FMT_PDF,
		false);
	measure(&b, "account statement CSV", YB_STATEMENT_LEDGER, YB_FMT_CSV,
		false);
	measure(&b, "account statement PDF", YB_STATEMENT_LEDGER, YB_FMT_PDF,
		false);
	measure(&b, "proof of insurance PDF", 0, YB_FMT_PDF, true);
	getrusage(RUSAGE_SELF, &ru);
	printf("peak memory %ld MB\n", ru.ru_maxrss / 1024);
	yb_store_close(b.ctx.store);
	if (db == path) {
		static const char *const ext[] = { "", "-wal", "-shm" };

		for (int i = 0; i < 3; i++) {
			char f[128];

			snprintf(f, sizeof f, "%s%s", path, ext[i]);
			unlink(f);
		}
		rmdir(tmp);
	}
	return 0;
}
