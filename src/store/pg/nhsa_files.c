/*
 * nhsa_files.c — the national interface's files on PostgreSQL (table
 * nhsa_files, migration 10; store.h), the twin of
 * sqlite/nhsa_files.c.  The bytes are a bytea passed as hex text both
 * ways (every parameter of this engine is text, and hex is exact for any
 * byte); the insert uses ON CONFLICT, so a duplicate never aborts the
 * caller's transaction.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/pg/pg_int.h"

#define FILE_COLS "file_qury_no, inst, kind, filename, size, sha256, " \
	"lines, paasid, at, dld_end"

static const pg_stmt st_put = { "nhsa_file_put",
	"INSERT INTO nhsa_files (" FILE_COLS ", data) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, decode($11, 'hex')) "
	"ON CONFLICT (file_qury_no) DO NOTHING", NULL };
static const pg_stmt st_get = { "nhsa_file_get",
	"SELECT " FILE_COLS " FROM nhsa_files WHERE file_qury_no = $1", NULL };
static const pg_stmt st_get_data = { "nhsa_file_get_data",
	"SELECT " FILE_COLS ", encode(data, 'hex') FROM nhsa_files "
	"WHERE file_qury_no = $1", NULL };

int pg_nhsa_file_put(yb_store *st, const yb_nhsa_file *f, const void *data,
		    yb_err *err)
{
	size_t hexlen = (size_t)f->size * 2 + 1;
	char *hex = malloc(hexlen);
	pg_params q;
	PGresult *res;
	int64_t changed;

	if (!hex)
		return yb_errf(err, "out_of_memory", "out of memory");
	sodium_bin2hex(hex, hexlen, data, (size_t)f->size);
	pg_params_init(&q);
	pg_p_text(&q, f->file_qury_no);
	pg_p_text(&q, f->inst);
	pg_p_text(&q, f->kind);
	pg_p_text(&q, f->filename);
	pg_p_i64(&q, f->size);
	pg_p_text(&q, f->sha256);
	pg_p_i64(&q, f->lines);
	pg_p_text(&q, f->paasid);
	pg_p_i64(&q, f->at);
	pg_p_i64(&q, f->dld_end);
	pg_p_text(&q, hex);
	res = pg_run_release((pg_store *)st, &st_put, &q, err);
	free(hex);
	if (!res)
		return -1;
	changed = pg_affected(res);
	PQclear(res);
	return yb_nhsa_put_answer("file", f->file_qury_no, YB_NHSA_INSERT,
				  changed, err);
}

/* A row, and with `data` its bytes (the hex column after the row's). */
typedef struct file_row {
	yb_nhsa_file *f;
	void **data;
} file_row;

static int decode_file(pg_row *r, void *out)
{
	file_row *fr = out;
	yb_nhsa_file *f = fr->f;
	const char *hex;
	size_t len = 0;

	memset(f, 0, sizeof *f);
	pg_r_str(r, f->file_qury_no, sizeof f->file_qury_no);
	pg_r_str(r, f->inst, sizeof f->inst);
	pg_r_str(r, f->kind, sizeof f->kind);
	pg_r_str(r, f->filename, sizeof f->filename);
	f->size = pg_r_i64(r);
	pg_r_str(r, f->sha256, sizeof f->sha256);
	f->lines = pg_r_i64(r);
	pg_r_str(r, f->paasid, sizeof f->paasid);
	f->at = pg_r_i64(r);
	f->dld_end = pg_r_i64(r);
	if (!fr->data || r->bad)
		return 0;
	hex = pg_r_text(r);
	/* nhsa_purge dropped an expired file's bytes: no data, the row as
	 * it was */
	if (!*hex && f->size > 0)
		return 0;
	*fr->data = malloc(f->size > 0 ? (size_t)f->size : 1);
	if (!*fr->data || strlen(hex) != (size_t)f->size * 2 ||
	    sodium_hex2bin(*fr->data, (size_t)f->size, hex, strlen(hex), NULL,
			   &len, NULL) != 0 || len != (size_t)f->size)
		r->bad = true;
	return 0;
}

int pg_nhsa_file_get(yb_store *st, const char *file_qury_no,
		    yb_nhsa_file *out, void **data, yb_err *err)
{
	file_row fr = { out, data };
	pg_params q;
	int rc;

	memset(out, 0, sizeof *out);
	if (data)
		*data = NULL;
	pg_params_init(&q);
	pg_p_text(&q, file_qury_no);
	rc = pg_lookup((pg_store *)st, data ? &st_get_data : &st_get, &q,
		       decode_file, &fr, err);
	if (rc < 0 && data) {
		free(*data);
		*data = NULL;
	}
	return rc;
}

