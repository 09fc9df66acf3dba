/*
 * cmd_import.c — `yibao import persons FILE.csv`: bulk registration
 * (SPEC P5) with a progress bar on a terminal, a per-row report of the
 * rejected rows, and a summary.
 *
 * The service does the work (one savepoint per row, commits in batches);
 * this edge only shows it happening.  The bar is drawn only when stderr is
 * a terminal, so logs and pipes get the report lines and the summary, not
 * a stream of carriage returns.
 */
#include "cli/cli.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "service/import.h"

typedef struct import_view {
	bool bar;                        /* stderr is a terminal */
	bool bar_drawn;                  /* a bar is on the current line */
	long total_bytes;                /* file size, 0 if unknown (a pipe) */
	double start;
	double last_draw;
	FILE *report;                    /* rejected rows: stderr or --report */
} import_view;

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void clear_bar(import_view *v)
{
	if (v->bar_drawn) {
		fputs("\r\033[K", stderr);
		v->bar_drawn = false;
	}
}

static void on_reject(void *arg, long line, const yb_err *why)
{
	import_view *v = arg;

	if (v->report == stderr)
		clear_bar(v);
	fprintf(v->report, "line %ld: %s: %s\n", line,
		why->code ? why->code : "internal", why->message);
}

static void on_progress(void *arg, long bytes, long rows)
{
	import_view *v = arg;
	double t = now_seconds();
	double rate;
	char bar[41];
	int pct = 0;

	/* Ten redraws a second are plenty and cost nothing measurable. */
	if (!v->bar || t - v->last_draw < 0.1)
		return;
	v->last_draw = t;
	rate = t > v->start ? (double)rows / (t - v->start) : 0;
	if (v->total_bytes > 0) {
		pct = (int)(100.0 * (double)bytes / (double)v->total_bytes);
		if (pct > 100)
			pct = 100;
	}
	int fill = pct * 40 / 100;
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, '.', (size_t)(40 - fill));
	bar[40] = '\0';
	if (v->total_bytes > 0)
		fprintf(stderr, "\r[%s] %3d%%  %ld rows  %.0f rows/s\033[K", bar,
			pct, rows, rate);
	else
		fprintf(stderr, "\r%ld rows  %.0f rows/s\033[K", rows, rate);
	v->bar_drawn = true;
}

static const char persons_help[] =
	"usage: yibao import persons FILE.csv [--report FILE]\n"
	"\n"
	"Register persons in bulk from CSV (SPEC P5).  A header row names the\n"
	"columns, in any order: ssn, id_number, name, scheme, and optionally\n"
	"region, employer_code.  Each row is either fully registered or\n"
	"rejected with its reason: nothing is half-imported.  FILE '-' reads\n"
	"standard input.\n"
	"\n"
	"A progress bar (with rows per second) is drawn on a terminal.  Each\n"
	"rejected row is reported as 'line N: code: message' on stderr, or in\n"
	"the --report file.  Exit status 1 if any row was rejected.\n"
	"\n"
	"Options:\n"
	"  --report FILE   write the rejected rows there instead of stderr\n"
	"\n"
	"Examples:\n"
	"  yibao import persons staff.csv\n"
	"  gen_persons 1000000 > big.csv && yibao import persons big.csv --report rejects.txt\n";

static int import_persons(yb_cli *cli, int argc, char **argv)
{
	const char *report_path = NULL;
	const cli_opt opts[] = {
		{ "report", CLI_OPT_STR, &report_path, false },
		{ NULL, 0, NULL, false },
	};
	import_view v = { 0 };
	yb_import_stats stats = { 0 };
	FILE *csv = NULL;
	struct stat sb;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, persons_help, 1, 1,
			    &pos)) != CLI_GO)
		return rc;
	csv = strcmp(pos[0], "-") == 0 ? stdin : fopen(pos[0], "r");
	if (!csv)
		return cli_usage(cli, "cannot read %s: %s", pos[0],
				 strerror(errno));
	v.report = stderr;
	if (report_path) {
		v.report = fopen(report_path, "w");
		if (!v.report) {
			v.report = NULL;
			rc = cli_usage(cli, "cannot write %s: %s", report_path,
				       strerror(errno));
			goto out;
		}
	}
	if ((rc = cli_open(cli)) != CLI_GO)
		goto out;
	/* A large read buffer: the parser reads a million rows line by line. */
	setvbuf(csv, NULL, _IOFBF, 1 << 20);
	if (fstat(fileno(csv), &sb) == 0 && S_ISREG(sb.st_mode))
		v.total_bytes = (long)sb.st_size;
	v.bar = isatty(STDERR_FILENO);
	v.start = now_seconds();
	if (yb_import_persons(&cli->ctx, csv, on_reject, on_progress, &v,
			      &stats, &err) < 0) {
		clear_bar(&v);
		rc = cli_fail(cli, &err);
		goto out;
	}
	clear_bar(&v);
	double secs = now_seconds() - v.start;
	double rate = secs > 0 ? (double)stats.rows / secs : 0;
	rc = cli_emit(cli, json_pack("{s:s, s:I, s:I, s:I, s:f, s:I}",
				"file", pos[0],
				"rows", (json_int_t)stats.rows,
				"imported", (json_int_t)stats.imported,
				"rejected", (json_int_t)stats.rejected,
				"seconds", (double)(long long)(secs * 100 + 0.5) / 100,
				"rows_per_second", (json_int_t)rate));
	if (rc == CLI_OK && stats.rejected > 0)
		rc = CLI_REFUSED;
out:
	if (v.report && v.report != stderr)
		fclose(v.report);
	if (csv && csv != stdin)
		fclose(csv);
	return rc;
}

static const cli_cmd import_cmds[] = {
	{ "persons", import_persons, "register persons from a CSV file" },
	{ NULL, NULL, NULL },
};

int cmd_import(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, import_cmds,
		"usage: yibao import persons FILE.csv [--report FILE]\n"
		"\n"
		"Bulk imports (SPEC P5).\n");
}
