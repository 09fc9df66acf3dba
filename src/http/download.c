/*
 * download.c — answers that are files (SPEC R1, R2, R4): a statement
 * streamed as it is made, and whole documents (a proof's PDF, an arrears
 * report), each with a file name for the browser to save it under.
 *
 * Streaming.  The answer is a libmicrohttpd callback response of unknown
 * length (chunked): MHD calls download_read on the connection's worker
 * thread whenever the socket can take more, and the stream makes the
 * next piece only then.  Each call reads through that thread's own store
 * connection — the one the handler used, since a connection stays on its
 * worker (or its standby's, with serve --read-db, when the statement's
 * reads may be served there) — in its own short read transaction
 * (service/statement.c), so nothing is held between calls however
 * slowly the client reads.  A
 * failure half-way (the database gone) can no longer become an error
 * answer: the connection is closed, and the client sees a cut transfer
 * rather than a complete-looking file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/httpd.h"

#define STREAM_BLOCK (32 * 1024)

typedef struct download {
	yb_stream *stream;
	yb_ctx ctx;                      /* settings, clock, actor; store set
					    on each call */
} download;

static ssize_t download_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	download *d = cls;
	ssize_t n;
	yb_err err;

	(void)pos;
	yb_err_clear(&err);
	if (yb_server_store(&d->ctx.store, &err) < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	/* and this thread's standby: a statement's pages are read where
	 * its opening was allowed to (serve --read-db) */
	d->ctx.standby = yb_server_standby();
	n = yb_stream_read(d->stream, &d->ctx, buf, max, &err);
	if (n < 0) {
		yb_metrics_db_error(&err);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	/* Each piece was read in a transaction of its own, after the
	 * answer was queued: it waits as that answer did (queue()). */
	if (n > 0)
		yb_server_durable_wait();
	return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

static void download_free(void *cls)
{
	download *d = cls;

	yb_stream_free(d->stream);
	free(d);
}

/* Content-Disposition: the file name keeps letters, digits, '.', '-'
 * and '_' only, since it goes into a quoted header value. */
static void disposition(struct MHD_Response *resp, const char *filename)
{
	char safe[128], disp[160];
	size_t i;

	for (i = 0; filename[i] && i < sizeof safe - 1; i++) {
		char c = filename[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '-' ||
			  c == '_';
		safe[i] = ok ? c : '_';
	}
	safe[i] = '\0';
	snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", safe);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
				disp);
}

void yb_reply_stream(yb_hreq *r, yb_stream *stream, const char *ctype,
		     const char *filename)
{
	struct MHD_Response *resp;
	download *d;

	if (r->response || r->later_data) {
		yb_stream_free(stream);          /* the first answer stands */
		return;
	}
	d = calloc(1, sizeof *d);
	if (!d) {
		yb_stream_free(stream);
		yb_reply_errf(r, "out_of_memory", "out of memory");
		return;
	}
	d->stream = stream;
	d->ctx = r->ctx;
	d->ctx.in_batch = false;
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
						 STREAM_BLOCK, download_read,
						 d, download_free);
	if (!resp) {
		download_free(d);
		yb_reply_errf(r, "out_of_memory", "out of memory");
		return;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				"no-store");
	yb_reply_common_headers(r, resp);
	disposition(resp, filename);
	r->response = resp;
	r->status = MHD_HTTP_OK;
}

void yb_reply_file(yb_hreq *r, char *buf, size_t len, const char *ctype,
		   const char *filename)
{
	if (r->response || r->later_data) {
		free(buf);                       /* the first answer stands */
		return;
	}
	yb_reply_take(r, MHD_HTTP_OK, ctype, buf, len);
	if (r->response)
		disposition(r->response, filename);
}
