/*
 * nhsa_file.h — the files of the national interface (9101 upload, 9102
 * download, 3202's detail and result files; docs/NHSA.md "Files"), as
 * pure functions: the bytes of `fsUploadIn.in` from JSON, a .zip holding
 * one .txt (libzip — never a hand-written inflate), the detail file's
 * lines, and the result file written back.
 *
 * Part of the codec library (nothing read from a clock or a database),
 * so the unit tests and a fuzz target reach it without a server.  Every
 * size is bounded before memory is spent on it: a zip that claims or
 * inflates to more than YB_NHSA_FILE_TEXT_MAX is refused while reading.
 */
#ifndef YB_NHSA_FILE_H
#define YB_NHSA_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "service/nhsa_file.h"

/* The file as uploaded (the .zip, or the .txt). */
#define YB_NHSA_FILE_MAX        (1024 * 1024)
/* Its text once unzipped. */
#define YB_NHSA_FILE_TEXT_MAX   (16 * 1024 * 1024)
/* Settlements (lines) in one detail file. */
#define YB_NHSA_FILE_LINES_MAX  200000
/* The body of POST /nhsa/api/9101: a file of YB_NHSA_FILE_MAX bytes as a
 * JSON array of signed bytes ("-128," is five characters) and the
 * envelope.  Every other message stays within YB_HTTP_BODY_MAX. */
#define YB_NHSA_FILE_BODY_MAX   (6 * 1024 * 1024)
/* filename: 1–100 characters of A–Z a–z 0–9 - _ . ending .zip or .txt */
#define YB_NHSA_FILENAME_MAX    100

/* `in`: a JSON array of byte values (0..255, or -128..-1 as Java's
 * signed byte) or a base64 string (standard alphabet, padding, line
 * breaks ignored) → *data (malloc'd, *len bytes, at most
 * YB_NHSA_FILE_MAX).  Errors: nhsa.missing_field, nhsa.file_encoding,
 * nhsa.file_too_large. */
int yb_nhsa_file_bytes(const json_t *in, unsigned char **data, size_t *len,
		       yb_err *err);

/* Is `name` a filename this interface takes?  *zipped: it ends .zip
 * (any case); else it ends .txt. */
bool yb_nhsa_filename_ok(const char *name, bool *zipped);

/* The text of a file: with `zipped`, the one .txt entry of a .zip
 * (stored or deflated, not encrypted, CRC checked); else the bytes
 * themselves.  *text malloc'd and NUL-terminated, *tlen bytes.  Errors:
 * nhsa.file_invalid (not a zip, corrupt, not exactly one .txt entry),
 * nhsa.file_too_large (over YB_NHSA_FILE_TEXT_MAX, however the zip
 * declares it). */
int yb_nhsa_file_text(const unsigned char *data, size_t len, bool zipped,
		      char **text, size_t *tlen, yb_err *err);

/*
 * The lines of a detail file's text (docs/NHSA.md "The detail file"):
 * UTF-8 (a BOM is skipped), one settlement a line, LF or CRLF, a last
 * newline optional; seven tab-separated fields — setl_id, mdtrt_id,
 * psn_no (1–30 printable ASCII characters each), medfee_sumamt,
 * fund_pay_sumamt, acct_pay (yuan, at most two decimals, exactly to
 * fen), refd_setl_flag (0/1); no header; a setl_id once.  *rows
 * malloc'd (also for none), sorted by setl_id.  Errors:
 * nhsa.file_line "第N行 <field>", nhsa.file_too_large (lines).
 */
int yb_nhsa_detail_parse(const char *text, size_t len, yb_nhsa_detail **rows,
			 int *n, yb_err *err);

/* The result file's text: the detail file's format with those ten
 * columns.  malloc'd, NUL-terminated; NULL when out of memory. */
char *yb_nhsa_result_text(const yb_nhsa_result_row *rows, int n,
			  size_t *len);

/* A .zip holding one entry `name` with `len` bytes of `data` (deflated):
 * *out malloc'd, *outlen bytes.  out_of_memory / internal on failure. */
int yb_nhsa_zip_one(const char *name, const void *data, size_t len,
		    unsigned char **out, size_t *outlen, yb_err *err);

#endif
