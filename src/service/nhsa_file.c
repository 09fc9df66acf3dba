/*
 * nhsa_file.c — the national interface's files (nhsa_file.h): kept per
 * institution in the store's nhsa_files table (migration 10), used only
 * by the institution that kept them and only until their dld_endtime.
 * A file is kept in one write transaction with its audit record.  Once
 * its dld_endtime has passed, nobody may use it again: its bytes are
 * dropped (the row stays, so that a late 9102 still answers
 * nhsa.file_expired), hourly, by the next file kept.
 */
#include "service/nhsa_file.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

/* How often the bytes of expired files are dropped. */
#define FILES_PURGE_EVERY 3600

static bool files_purge_due(yb_time now)
{
	static _Atomic yb_time last;

	return yb_due(&last, now, FILES_PURGE_EVERY);
}

int yb_nhsa_file_keep(yb_ctx *ctx, yb_nhsa_file *f, const void *data,
		      yb_err *err)
{
	char target[YB_TEXT_SZ], day[11], hex[9];
	int64_t seq = 0;
	int rc = -1;

	if (yb_authorize(ctx, "nhsa.file", err) < 0)
		return -1;
	f->at = yb_ctx_now(ctx);
	f->dld_end = f->at + YB_NHSA_FILE_KEEP_SECONDS;
	snprintf(f->inst, sizeof f->inst, "%s", ctx->actor.institution_code);
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	if (files_purge_due(f->at) &&
	    ctx->store->ops->nhsa_purge(ctx->store, "file", f->at, err) < 0)
		goto out;
	if (ctx->store->ops->next_seq(ctx->store, "nhsa_file", &seq, err) < 0)
		goto out;
	/* F + the local date + a serial (unique) + 6 random bytes (no file
	 * number can be guessed from another one): 27 characters. */
	yb_date_format(yb_date_of(f->at), day, sizeof day);
	yb_random_token(6, hex, sizeof hex);
	for (char *p = hex; *p; p++)
		if (*p == '-' || *p == '_')
			*p = 'x';
	snprintf(f->file_qury_no, sizeof f->file_qury_no, "F%.4s%.2s%.2s%010lld%.8s",
		 day, day + 5, day + 8, (long long)(seq % 10000000000LL), hex);
	if (ctx->store->ops->nhsa_file_put(ctx->store, f, data, err) < 0)
		goto out;
	snprintf(target, sizeof target, "nhsa_file:%s:%s", f->file_qury_no,
		 f->sha256);
	rc = yb_audit(ctx, strcmp(f->kind, "result") == 0 ? "nhsa.file.result"
							 : "nhsa.file.upload",
		      target, "ok", err);
out:
	return yb_tx_end(ctx, rc, err);
}

int yb_nhsa_file_fetch(yb_ctx *ctx, const char *file_qury_no,
		       const char *filename, const char *kind,
		       yb_nhsa_file *out, void **data, yb_err *err)
{
	int found;

	if (data)
		*data = NULL;
	if (yb_authorize(ctx, "nhsa.file", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = ctx->store->ops->nhsa_file_get(ctx->store, file_qury_no, out,
						 data, err);
	yb_tx_rollback(ctx);
	if (found < 0)
		return -1;
	/* Another institution's file is as absent as no file. */
	if (!found || strcmp(out->inst, ctx->actor.institution_code) != 0 ||
	    (filename && strcmp(out->filename, filename) != 0) ||
	    (kind && strcmp(out->kind, kind) != 0))
		found = yb_errf(err, "nhsa.file_not_found", "file_qury_no");
	else if (yb_ctx_now(ctx) > out->dld_end ||
		 (data && !*data))       /* its bytes dropped (expired) */
		found = yb_errf(err, "nhsa.file_expired", "dld_endtime");
	if (found < 0 && data) {
		free(*data);
		*data = NULL;
	}
	return found < 0 ? -1 : 0;
}
