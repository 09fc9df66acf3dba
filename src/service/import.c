/*
 * import.c — bulk registration of persons from CSV (SPEC P5).
 *
 * The file is RFC 4180 CSV: a header row naming the columns (ssn,
 * id_number, name, scheme, and optionally region, employer_code, in any
 * order), fields quoted with '"' when they hold commas, quotes (doubled)
 * or line breaks, lines ended by LF or CRLF, an optional UTF-8 byte order
 * mark.  Each row goes through exactly the validation and writes of
 * yb_person_register (person_int.h), inside a savepoint: a refused row is
 * rolled back to the savepoint and reported with its line number, a good
 * row is kept whole.  Rows are committed in batches, so a million rows
 * cost fifty fsyncs rather than a million.
 */
#include "service/import.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "service/person_int.h"

#define BATCH_ROWS     20000    /* rows per transaction (one fsync each) */
#define PROGRESS_ROWS  4096     /* rows between progress callbacks */
#define READ_CHUNK     65536
#define RECORD_MAX     4096     /* bytes of one row's fields; more is refused */
#define FIELDS_MAX     16

enum column { COL_SSN, COL_ID_NUMBER, COL_NAME, COL_SCHEME, COL_REGION,
	      COL_EMPLOYER_CODE, COL__N };

static const char *const column_names[COL__N] = {
	"ssn", "id_number", "name", "scheme", "region", "employer_code",
};

/* ---- the CSV reader --------------------------------------------------- */

typedef struct csv_reader {
	FILE *f;
	unsigned char in[READ_CHUNK];
	size_t pos, len;
	long bytes;                 /* consumed so far */
	long line;                  /* physical line of the next character */
	bool at_eof;

	/* the current record: fields NUL-separated in rec */
	char rec[RECORD_MAX + FIELDS_MAX];
	size_t rec_len;
	size_t field_start;         /* where the field being read begins */
	int nfields;                /* fields seen (may exceed FIELDS_MAX) */
	size_t field_off[FIELDS_MAX];
	long rec_line;              /* line the record starts on */
	const char *problem;        /* why the record is malformed, or NULL */
} csv_reader;

static int csv_getc(csv_reader *r)
{
	if (r->pos == r->len) {
		if (r->at_eof)
			return EOF;
		r->len = fread(r->in, 1, sizeof r->in, r->f);
		r->pos = 0;
		if (r->len == 0) {
			r->at_eof = true;
			return EOF;
		}
	}
	r->bytes++;
	return r->in[r->pos++];
}

static int csv_peek(csv_reader *r)
{
	int c = csv_getc(r);
	if (c != EOF) {
		r->pos--;
		r->bytes--;
	}
	return c;
}

static void rec_put(csv_reader *r, int c)
{
	if (c == '\0' && !r->problem)
		r->problem = "a NUL byte in a field";
	if (r->rec_len >= RECORD_MAX) {
		if (!r->problem)
			r->problem = "the row is too long";
		return;
	}
	r->rec[r->rec_len++] = (char)c;
}

static void rec_end_field(csv_reader *r)
{
	if (r->nfields < FIELDS_MAX) {
		/* The space for the terminators is reserved beside
		 * RECORD_MAX, one per field. */
		r->rec[r->rec_len++] = '\0';
		r->field_off[r->nfields] = r->field_start;
		r->field_start = r->rec_len;
	}
	r->nfields++;
}

static const char *rec_field(const csv_reader *r, int i)
{
	return r->rec + r->field_off[i];
}

/* A line break: "\n", "\r\n" or a lone "\r". */
static void eat_line_break(csv_reader *r, int c)
{
	if (c == '\r' && csv_peek(r) == '\n')
		csv_getc(r);
	r->line++;
}

/*
 * Read one record.  Returns 1 with a record (possibly flagged by
 * `problem`), 0 at the end of the file.
 */
static int csv_read(csv_reader *r)
{
	enum { START, UNQUOTED, QUOTED, QUOTE_SEEN } state = START;
	int c;

	r->rec_len = 0;
	r->field_start = 0;
	r->nfields = 0;
	r->problem = NULL;
	r->rec_line = r->line;
	for (;;) {
		c = csv_getc(r);
		switch (state) {
		case START:
		case UNQUOTED:
			if (c == ',') {
				rec_end_field(r);
				state = START;
			} else if (c == '\n' || c == '\r' || c == EOF) {
				if (c == EOF && state == START &&
				    r->nfields == 0)
					return 0;
				if (c != EOF)
					eat_line_break(r, c);
				rec_end_field(r);
				return 1;
			} else if (c == '"' && state == START) {
				state = QUOTED;
			} else {
				if (c == '"' && !r->problem)
					r->problem = "a quote inside an "
						     "unquoted field";
				rec_put(r, c);
				state = UNQUOTED;
			}
			break;
		case QUOTED:
			if (c == '"') {
				state = QUOTE_SEEN;
			} else if (c == EOF) {
				if (!r->problem)
					r->problem = "a quoted field is not "
						     "closed";
				rec_end_field(r);
				return 1;
			} else {
				if (c == '\n' ||
				    (c == '\r' && csv_peek(r) != '\n'))
					r->line++;
				rec_put(r, c);
			}
			break;
		case QUOTE_SEEN:
			if (c == '"') {
				rec_put(r, '"');
				state = QUOTED;
			} else if (c == ',') {
				rec_end_field(r);
				state = START;
			} else if (c == '\n' || c == '\r' || c == EOF) {
				if (c != EOF)
					eat_line_break(r, c);
				rec_end_field(r);
				return 1;
			} else {
				if (!r->problem)
					r->problem = "text after a closing "
						     "quote";
				rec_put(r, c);
				state = UNQUOTED;
			}
			break;
		}
	}
}

/* A line with nothing on it. */
static bool rec_blank(const csv_reader *r)
{
	return r->nfields == 1 && r->rec[0] == '\0' && !r->problem;
}

/* ---- the header ------------------------------------------------------- */

/* Map each known column to its field index (-1 when absent). */
static int read_header(csv_reader *r, int col[COL__N], yb_err *err)
{
	for (int i = 0; i < COL__N; i++)
		col[i] = -1;
	do {
		if (csv_read(r) == 0)
			return yb_errf(err, "import.invalid_file",
				       "the file is empty (a header row is "
				       "required)");
	} while (rec_blank(r));
	if (r->problem || r->nfields > FIELDS_MAX)
		return yb_errf(err, "import.invalid_file",
			       "line %ld: the header row is malformed",
			       r->rec_line);
	for (int f = 0; f < r->nfields; f++) {
		const char *name = rec_field(r, f);
		int i;
		for (i = 0; i < COL__N; i++)
			if (strcasecmp(name, column_names[i]) == 0)
				break;
		if (i == COL__N)
			return yb_errf(err, "import.invalid_file",
				       "unknown column \"%.40s\"", name);
		if (col[i] >= 0)
			return yb_errf(err, "import.invalid_file",
				       "column \"%s\" appears twice",
				       column_names[i]);
		col[i] = f;
	}
	for (int i = COL_SSN; i <= COL_SCHEME; i++)
		if (col[i] < 0)
			return yb_errf(err, "import.invalid_file",
				       "the required column \"%s\" is missing",
				       column_names[i]);
	return 0;
}

/* ---- the import ------------------------------------------------------- */

/* A row's fields as a registration request, or why the row is unusable. */
static int row_request(const csv_reader *r, const int col[COL__N],
		       int ncols, yb_person_new *in, yb_err *err)
{
	if (r->problem)
		return yb_errf(err, "import.invalid_row", "%s", r->problem);
	if (r->nfields != ncols)
		return yb_errf(err, "import.invalid_row",
			       "the row has %d fields, the header %d",
			       r->nfields, ncols);
	in->ssn = rec_field(r, col[COL_SSN]);
	in->id_number = rec_field(r, col[COL_ID_NUMBER]);
	in->name = rec_field(r, col[COL_NAME]);
	in->scheme = rec_field(r, col[COL_SCHEME]);
	in->region = col[COL_REGION] >= 0 ? rec_field(r, col[COL_REGION])
					  : NULL;
	in->employer_code = col[COL_EMPLOYER_CODE] >= 0
			    ? rec_field(r, col[COL_EMPLOYER_CODE]) : NULL;
	return 0;
}

/* A failure of the database itself (not of the row) ends the import. */
static bool fatal(const yb_err *e)
{
	return e->kind == YB_EINTERNAL || e->kind == YB_EUNAVAIL;
}

/* Insert one row under its own savepoint.  Returns 1 imported, 0
 * rejected (why filled), -1 on a fatal error (err filled). */
static int import_row(yb_ctx *ctx, const yb_person_new *in, yb_err *why,
		      yb_err *err)
{
	yb_store *st = ctx->store;

	if (st->ops->savepoint(st, err) < 0)
		return -1;
	if (yb_person_insert_new(ctx, in, NULL, why) == 0)
		return st->ops->release(st, err) < 0 ? -1 : 1;
	if (fatal(why)) {
		*err = *why;
		return -1;
	}
	return st->ops->rollback_to(st, err) < 0 ? -1 : 0;
}

/* A reader at the start of the file, past a UTF-8 byte order mark (as
 * spreadsheet programs write it); NULL when out of memory. */
static csv_reader *reader_open(FILE *csv, yb_err *err)
{
	csv_reader *r = calloc(1, sizeof *r);

	if (!r) {
		yb_errf(err, "out_of_memory", "no memory for the reader");
		return NULL;
	}
	r->f = csv;
	r->line = 1;
	if (csv_peek(r) == 0xEF && r->len >= 3 &&
	    memcmp(r->in, "\xEF\xBB\xBF", 3) == 0) {
		r->pos = 3;
		r->bytes = 3;
	}
	return r;
}

/* The record just read: 1 imported, 0 rejected (why filled), -1 on a
 * fatal error (err filled). */
static int row_take(yb_ctx *ctx, const csv_reader *r, const int col[COL__N],
		    int ncols, yb_err *why, yb_err *err)
{
	yb_person_new in;

	yb_err_clear(why);
	if (row_request(r, col, ncols, &in, why) < 0)
		return 0;
	return import_row(ctx, &in, why, err);
}

/* Commit the batch and begin the next; *in_tx says whether one is open. */
static int batch_next(yb_ctx *ctx, bool *in_tx, yb_err *err)
{
	if (yb_tx_commit(ctx, err) < 0)
		return -1;
	*in_tx = false;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	*in_tx = true;
	return 0;
}

int yb_import_persons(yb_ctx *ctx, FILE *csv, yb_import_reject_fn on_reject,
		      yb_import_progress_fn on_progress, void *arg,
		      yb_import_stats *stats, yb_err *err)
{
	yb_import_stats local;
	csv_reader *r;
	yb_err why;
	int col[COL__N], ncols, rc = -1, got;
	long batch = 0, batch_imported = 0;
	bool in_tx = false;

	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof *stats);
	if (yb_authorize(ctx, "person.register", err) < 0)
		return -1;
	if (!(r = reader_open(csv, err)))
		return -1;
	if (read_header(r, col, err) < 0)
		goto out;
	ncols = r->nfields;

	if (yb_tx_begin(ctx, true, err) < 0)
		goto out;
	in_tx = true;
	while ((got = csv_read(r)) == 1) {
		if (rec_blank(r))
			continue;
		stats->rows++;
		got = row_take(ctx, r, col, ncols, &why, err);
		if (got < 0)
			goto out;
		if (got == 1) {
			stats->imported++;
			batch_imported++;
		} else {
			stats->rejected++;
			if (on_reject)
				on_reject(arg, r->rec_line, &why);
		}
		if (++batch >= BATCH_ROWS) {
			/* A failed commit has rolled back; `out` counts the
			 * batch's rows as not imported. */
			if (batch_next(ctx, &in_tx, err) < 0)
				goto out;
			batch = 0;
			batch_imported = 0;
		}
		if (on_progress && stats->rows % PROGRESS_ROWS == 0)
			on_progress(arg, r->bytes, stats->rows);
	}
	if (ferror(csv)) {
		yb_errf(err, "import.invalid_file", "reading the file failed");
		goto out;
	}
	if (yb_tx_commit(ctx, err) < 0)
		goto out;
	in_tx = false;
	if (on_progress)
		on_progress(arg, r->bytes, stats->rows);
	rc = 0;
out:
	if (in_tx) {
		/* The good rows of the unfinished batch are not kept. */
		yb_tx_rollback(ctx);
		stats->imported -= batch_imported;
	}
	free(r);
	return rc;
}
