/*
 * render.h — records and proofs written out (SPEC R1–R4): CSV for
 * spreadsheets (UTF-8 with a byte-order mark, so that spreadsheet
 * programs read the Chinese text) and PDF for paper (A4, typeset with
 * cairo and pango in a CJK font from Debian — fonts-wqy-zenhei, pdf.c
 * says why — and a QR code by libqrencode).
 *
 * Why a module of its own, at the edge: CSV and PDF are encodings of
 * what the service answers, like the JSON of src/http — so they sit
 * beside the edges, fed by service data, and both the HTTP server and
 * the command line use them.  The service layer stays free of cairo and
 * pango, and of any notion of pages.
 *
 * Statements stream: a yb_stream hands out its bytes a piece at a time,
 * reading the next rows only when the bytes before them have been taken,
 * so a statement of fifty years never sits whole in memory (a PDF page,
 * or a few hundred CSV lines, at most).  Proofs and arrears reports are
 * small and are made whole.
 */
#ifndef YB_RENDER_H
#define YB_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "core/settings.h"
#include "render/json.h"
#include "service/records.h"

typedef enum { YB_FMT_CSV, YB_FMT_PDF, YB_FMT_JSON } yb_format;

/* "csv", "pdf" (and "json" when `json_ok`); NULL or "" is `dflt`.  False
 * for anything else. */
bool yb_format_parse(const char *s, bool json_ok, yb_format dflt,
		     yb_format *out);
/* The Content-Type of a format, and a file name ending. */
const char *yb_format_mime(yb_format f);
const char *yb_format_ext(yb_format f);

/* ---- R1 statements, streamed ---------------------------------------------- */

typedef struct yb_stream yb_stream;

/*
 * A stream of the open statement `s` (copied) as CSV or PDF.  `settings`
 * (the agency's name) must outlive the stream.  Errors out_of_memory,
 * internal (the PDF surface could not be made).
 */
int yb_stream_new(const yb_statement *s, yb_format fmt,
		  const yb_settings *settings, yb_stream **out, yb_err *err);

/*
 * The next bytes, at most `max`, into buf: returns how many (> 0), 0 at
 * the end, -1 on error (err filled: a store failure mid-way).  The rows
 * are read through ctx, whose store may be another connection on each
 * call.
 */
ssize_t yb_stream_read(yb_stream *st, yb_ctx *ctx, char *buf, size_t max,
		       yb_err *err);

/* NULL-safe. */
void yb_stream_free(yb_stream *st);

/* A download's file name: "contributions-600000001-2025-01-2025-12.csv". */
void yb_statement_filename(const yb_statement *s, yb_format fmt, char *buf,
			   size_t size);

/* ---- R2 the proof, as a PDF ------------------------------------------------- */

/* The whole PDF of a proof (a page or two), malloc'd into *out. */
int yb_proof_pdf(const yb_proof_view *v, char **out, size_t *len,
		 yb_err *err);

/* ---- R4 arrears, as CSV ----------------------------------------------------- */

/* One employer's employees in arrears: one line per employee. */
int yb_arrears_csv(const yb_arrears *a, char **out, size_t *len,
		   yb_err *err);
/* The agency's list of employers with arrears. */
int yb_arrears_employers_csv(const yb_employer_arrears *list, int n,
			     const char *from, const char *to, char **out,
			     size_t *len, yb_err *err);

/* ---- as JSON (records_json.c): what the API and `yibao --json` answer --- */

/* [{from, to, months}] of runs of months. */
json_t *yb_json_months(const yb_month_span *runs, int n);
/* R3, with the portal's explanation text (a setting). */
json_t *yb_json_gaps(const yb_gaps *g, const char *explanation);
/* R4; `mask_names` for a reader who may not see employees' names (Q3). */
json_t *yb_json_arrears(const yb_arrears *a, bool mask_names);
json_t *yb_json_employers_arrears(const yb_employer_arrears *list, int n,
				  const char *from, const char *to);
/* R2: a proof as its owner and the agency see it; a list item; and the
 * public verification, what it stated masked. */
json_t *yb_json_proof(const yb_proof_view *v);
json_t *yb_json_proof_item(const yb_viewer *v, const void *item); /* yb_proof */
json_t *yb_json_verify(const char *code, const yb_proof_view *v);

/* ---- words ------------------------------------------------------------------- */

/* The Chinese words of the documents: 职工医保一档, 参保正常, 缴费划入 ...
 * (a stored word the table does not know comes back as it is). */
const char *yb_label_scheme(yb_scheme s);
const char *yb_label_status(yb_status s);
const char *yb_label_ledger_kind(const char *kind);

/* "2026年12月06日 18:05": an instant in local time, for print. */
const char *yb_when_text(yb_time t, char buf[64]);

/* "2025-01—2025-03, 2025-06" — runs of months as text (arrears, gaps),
 * malloc'd; NULL when out of memory. */
char *yb_months_text(const yb_month_span *runs, int n);

#endif
