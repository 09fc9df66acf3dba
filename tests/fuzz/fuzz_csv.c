/*
 * fuzz_csv.c — the bulk person import (SPEC P5): any bytes as the CSV
 * file, imported into a real store (SQLite in memory) by the service the
 * CLI calls (issue #14).
 *
 * Invariants: every data row is either imported or rejected; a rejected
 * row, and a refused file, get a client error (import.invalid_file,
 * import.invalid_row, person.*) whose message can be encoded as JSON;
 * the database never fails.  The store is opened afresh now and then,
 * so the rows the fuzzer registers do not pile up.
 */
#include <string.h>

#include "fuzz.h"
#include "http/httpd.h"
#include "service/import.h"
#include "store/store.h"

#define REOPEN_EVERY 2000

static yb_store *st;
static yb_settings settings;
static long runs;

static yb_time fixed_now(void *arg)
{
	(void)arg;
	return 1796342400;     /* 2026-12-04T00:00:00Z */
}

static void open_store(void)
{
	yb_err err;

	yb_store_close(st);
	st = NULL;
	if (yb_store_open(":memory:", &st, &err) < 0) {
		fprintf(stderr, "store: %s\n", err.message);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	yb_settings_defaults(&settings);
	open_store();
	return 0;
}

static void on_reject(void *arg, long line, const yb_err *why)
{
	json_t *body = yb_error_body(why->code, why->message);

	(*(long *)arg)++;
	FUZZ_CHECK(line >= 2);
	fuzz_client_error(why);
	FUZZ_CHECK(body != NULL);
	json_decref(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	yb_ctx ctx = { 0 };
	yb_import_stats stats;
	long rejects = 0;
	FILE *f;
	yb_err err;

	if (++runs % REOPEN_EVERY == 0)
		open_store();
	ctx.store = st;
	ctx.settings = &settings;
	ctx.clock.now = fixed_now;
	ctx.actor = yb_actor_cli();
	/* fmemopen refuses a zero-length buffer: an empty file is /dev/null. */
	f = size ? fmemopen((void *)data, size, "rb") : fopen("/dev/null", "rb");
	FUZZ_CHECK(f != NULL);
	yb_err_clear(&err);
	if (yb_import_persons(&ctx, f, on_reject, NULL, &rejects, &stats,
			      &err) < 0) {
		json_t *body = yb_error_body(err.code, err.message);
		fuzz_client_error(&err);
		FUZZ_CHECK(body != NULL);
		json_decref(body);
	} else {
		FUZZ_CHECK(stats.rows == stats.imported + stats.rejected);
		FUZZ_CHECK(stats.rejected == rejects);
	}
	fclose(f);
	return 0;
}
