/*
 * nhsa_files.c — the national interface's files on SQLite (table
 * nhsa_files, migration 10; store.h): one row a file, its
 * bytes a BLOB, written in the caller's transaction with its audit
 * record; pg/nhsa_files.c is the twin.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_int.h"

#define FILE_COLS "file_qury_no, inst, kind, filename, size, sha256, " \
	"lines, paasid, at, dld_end"

static void read_row(sqlite3_stmt *q, yb_nhsa_file *f)
{
	memset(f, 0, sizeof *f);
	sq_col_text(q, 0, f->file_qury_no, sizeof f->file_qury_no);
	sq_col_text(q, 1, f->inst, sizeof f->inst);
	sq_col_text(q, 2, f->kind, sizeof f->kind);
	sq_col_text(q, 3, f->filename, sizeof f->filename);
	f->size = sq_col_int(q, 4);
	sq_col_text(q, 5, f->sha256, sizeof f->sha256);
	f->lines = sq_col_int(q, 6);
	sq_col_text(q, 7, f->paasid, sizeof f->paasid);
	f->at = sq_col_int(q, 8);
	f->dld_end = sq_col_int(q, 9);
}

int sq_nhsa_file_put(yb_store *st, const yb_nhsa_file *f, const void *data,
		    yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_NHSA_FILE_PUT,
		"INSERT INTO nhsa_files (" FILE_COLS ", data) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
		"ON CONFLICT (file_qury_no) DO NOTHING", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, f->file_qury_no);
	sq_bind_text(q, 2, f->inst);
	sq_bind_text(q, 3, f->kind);
	sq_bind_text(q, 4, f->filename);
	sqlite3_bind_int64(q, 5, f->size);
	sq_bind_text(q, 6, f->sha256);
	sqlite3_bind_int64(q, 7, f->lines);
	sq_bind_text(q, 8, f->paasid);
	sqlite3_bind_int64(q, 9, f->at);
	sqlite3_bind_int64(q, 10, f->dld_end);
	sqlite3_bind_blob64(q, 11, data ? data : "", (sqlite3_uint64)f->size,
			    SQLITE_STATIC);
	if (sq_exec(s, q, err) < 0)
		return -1;
	return yb_nhsa_put_answer("file", f->file_qury_no, YB_NHSA_INSERT,
				  sqlite3_changes(s->db), err);
}

/* The row's bytes (column 10), exactly f->size of them. */
static int read_data(sqlite3_stmt *q, const yb_nhsa_file *f, void **data,
		     yb_err *err)
{
	int n = sqlite3_column_bytes(q, 10);
	const void *b = sqlite3_column_blob(q, 10);

	/* nhsa_purge dropped an expired file's bytes: no data, the row
	 * as it was */
	if (n == 0 && f->size > 0) {
		*data = NULL;
		return 0;
	}
	if (n != f->size || (n > 0 && !b))
		return yb_errf(err, "store.corrupt", "nhsa file %s",
			       f->file_qury_no);
	*data = malloc(n > 0 ? (size_t)n : 1);
	if (!*data)
		return yb_errf(err, "out_of_memory", "out of memory");
	if (n > 0)                       /* an empty BLOB's pointer is NULL */
		memcpy(*data, b, (size_t)n);
	return 0;
}

int sq_nhsa_file_get(yb_store *st, const char *file_qury_no,
		    yb_nhsa_file *out, void **data, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_NHSA_FILE_GET,
		"SELECT " FILE_COLS ", data FROM nhsa_files "
		"WHERE file_qury_no = ?1", err);
	int rc;

	memset(out, 0, sizeof *out);
	if (data)
		*data = NULL;
	if (!q)
		return -1;
	sq_bind_text(q, 1, file_qury_no);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		read_row(q, out);
		rc = data && read_data(q, out, data, err) < 0 ? -1 : 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : sq_fail(s, err);
	}
	sq_done(q);
	return rc;
}

/* store.h nhsa_purge, kind "file": the bytes of the files past their
 * dld_end go; the rows stay. */
int sq_nhsa_files_purge(sq_store *s, yb_time before, yb_err *err)
{
	sqlite3_stmt *q = sq_stmt(s, SQ_NHSA_FILE_PURGE,
		"UPDATE nhsa_files SET data = x'' "
		"WHERE dld_end < ?1 AND length(data) > 0", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, before);
	return sq_exec(s, q, err);
}
