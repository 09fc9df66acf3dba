/*
 * import.h — bulk registration of persons from CSV (SPEC P5).
 *
 * Columns (header row required, any order): ssn, id_number, name, scheme,
 * and optionally region, employer_code.  Each row is all in or rejected
 * with its reason; good rows are committed in batches (one transaction per
 * batch, one savepoint per row), so a million rows take seconds, not one
 * fsync each.
 */
#ifndef YB_SERVICE_IMPORT_H
#define YB_SERVICE_IMPORT_H

#include <stdio.h>

#include "service/ctx.h"

typedef struct yb_import_stats {
	long rows;                       /* data rows read */
	long imported;
	long rejected;
} yb_import_stats;

/* Called for each rejected row: line number (1 = header) and the error. */
typedef void (*yb_import_reject_fn)(void *arg, long line, const yb_err *why);
/* Called now and then with bytes read so far (for a progress bar). */
typedef void (*yb_import_progress_fn)(void *arg, long bytes, long rows);

int yb_import_persons(yb_ctx *ctx, FILE *csv, yb_import_reject_fn on_reject,
		      yb_import_progress_fn on_progress, void *arg,
		      yb_import_stats *stats, yb_err *err);

#endif
