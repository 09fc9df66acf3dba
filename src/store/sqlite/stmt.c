/*
 * stmt.c — the SQLite engine's statement helpers (sqlite_int.h): the
 * per-connection statement cache, error mapping, binding and reading
 * columns, and the shapes every operation file runs its queries through
 * (an insert, a lookup, a page of a list).  No operation of store.h is
 * here: they are in the family files beside it.
 */
#include "store/sqlite/sqlite_int.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/enums.h"

/* ---- statements and errors --------------------------------------------- */

int sq_fail(sq_store *s, yb_err *err)
{
	int code = sqlite3_extended_errcode(s->db);
	const char *msg = sqlite3_errmsg(s->db);

	switch (code & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return yb_errf(err, "store.busy", "database is busy: %s", msg);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return yb_errf(err, "store.corrupt", "database is damaged: %s",
			       msg);
	case SQLITE_NOMEM:
		return yb_errf(err, "out_of_memory", "out of memory in SQLite");
	/* issue 14: a full disk or a failing one is the storage's trouble,
	 * not the request's: 503, the transaction rolled back, and the next
	 * request tried afresh once space or the disk is back. */
	case SQLITE_FULL:
		return yb_errf(err, "store.full", "database disk is full: %s",
			       msg);
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		return yb_errf(err, "store.unavailable",
			       "database I/O error: %s", msg);
	default:
		return yb_errf(err, "store.error", "sqlite: %s", msg);
	}
}

int sq_fail_unique(sq_store *s, yb_refusal dup, yb_err *err)
{
	int code = sqlite3_extended_errcode(s->db);

	if (dup != YB_REFUSE_NONE && (code == SQLITE_CONSTRAINT_UNIQUE ||
				      code == SQLITE_CONSTRAINT_PRIMARYKEY))
		return yb_refuse(err, dup);
	return sq_fail(s, err);
}

sqlite3_stmt *sq_stmt(sq_store *s, enum sq_stmt_id id, const char *sql,
		      yb_err *err)
{
	sqlite3_stmt *q = s->stmts[id];

	if (q)
		return q;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &q,
			       NULL) != SQLITE_OK) {
		sq_fail(s, err);
		sqlite3_finalize(q);
		return NULL;
	}
	s->stmts[id] = q;
	return q;
}

void sq_done(sqlite3_stmt *q)
{
	if (!q)
		return;
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
}

int sq_exec(sq_store *s, sqlite3_stmt *q, yb_err *err)
{
	int rc;

	do
		rc = sqlite3_step(q);
	while (rc == SQLITE_ROW);
	rc = rc == SQLITE_DONE ? 0 : sq_fail(s, err);
	sq_done(q);
	return rc;
}

int sq_update_one(sq_store *s, sqlite3_stmt *q, yb_refusal none,
		  int64_t id, yb_err *err)
{
	if (sq_exec(s, q, err) < 0)
		return -1;
	if (sqlite3_changes(s->db) > 0)
		return 0;
	return yb_refuse_id(err, none, id);
}

int sq_exec_simple(sq_store *s, enum sq_stmt_id id, const char *sql,
		   yb_err *err)
{
	sqlite3_stmt *q = sq_stmt(s, id, sql, err);

	return q ? sq_exec(s, q, err) : -1;
}

int sq_lazy_mark(sq_store *s, int64_t *mark, yb_err *err)
{
	if (sqlite3_get_autocommit(s->db)) {
		s->spoiled = true;
		return yb_errf(err, "store.unavailable",
			       "the batch's transaction was lost");
	}
	*mark = sqlite3_total_changes64(s->db);
	return 0;
}

void sq_lazy_undo_to(sq_store *s, int64_t mark)
{
	/* Changes counts rows written by statements that completed; one
	 * that failed was undone by SQLite itself. */
	if (sqlite3_get_autocommit(s->db) ||
	    sqlite3_total_changes64(s->db) != mark)
		s->spoiled = true;
}

int sq_op_begin(sq_store *s, yb_err *err)
{
	int64_t mark = 0;

	if (s->lazy) {
		if (sq_lazy_mark(s, &mark, err) < 0)
			return -1;
		if (s->op_depth < SQ_OP_DEPTH_MAX)
			s->op_changes[s->op_depth] = mark;
		s->op_depth++;
		sq_nonces_mark(s);
		return 0;
	}
	if (sq_exec_simple(s, SQ_OP_SAVEPOINT, "SAVEPOINT yb_op", err) < 0)
		return -1;
	sq_nonces_mark(s);
	return 0;
}

int sq_op_end(sq_store *s, int rc, yb_err *err)
{
	sq_nonces_unmark(s, rc != 0);
	if (s->lazy) {
		s->op_depth--;
		if (rc != 0 && s->op_depth >= SQ_OP_DEPTH_MAX)
			s->spoiled = true;
		else if (rc != 0)
			sq_lazy_undo_to(s, s->op_changes[s->op_depth]);
		if (rc != 0)
			sq_tok_forget(s);
		return rc;
	}
	if (rc == 0)
		return sq_exec_simple(s, SQ_OP_RELEASE, "RELEASE yb_op", err);
	/* Undo, then pop the savepoint; the first error is the one to
	 * report, so these use a scratch error. */
	yb_err ignored;
	s->head_known = false;
	sq_tok_forget(s);
	sq_exec_simple(s, SQ_OP_ROLLBACK_TO, "ROLLBACK TO yb_op", &ignored);
	sq_exec_simple(s, SQ_OP_RELEASE, "RELEASE yb_op", &ignored);
	return rc;
}

/* ---- binding and reading --------------------------------------------------- */

void sq_bind_opt_text(sqlite3_stmt *q, int i, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, i);
}

void sq_bind_opt_int(sqlite3_stmt *q, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(q, i, v);
	else
		sqlite3_bind_null(q, i);
}

void sq_bind_text(sqlite3_stmt *q, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, i);
}

int64_t sq_before(yb_id before)
{
	return before == 0 ? INT64_MAX : before;
}

void sq_col_text(sqlite3_stmt *q, int i, char *buf, size_t size)
{
	const char *t = (const char *)sqlite3_column_text(q, i);
	size_t len;

	if (!t) {
		buf[0] = '\0';
		return;
	}
	len = (size_t)sqlite3_column_bytes(q, i);
	if (len >= size) {
		/* Never split a UTF-8 sequence: back up over continuation
		 * bytes (top bits 10) to the start of the cut character. */
		len = size - 1;
		while (len > 0 && ((unsigned char)t[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(buf, t, len);
	buf[len] = '\0';
}

int64_t sq_col_int(sqlite3_stmt *q, int i)
{
	return sqlite3_column_int64(q, i);
}

int sq_corrupt_enum(const char *what, const char *value, yb_err *err)
{
	return yb_errf(err, "store.corrupt", "unknown %s '%s' in the database",
		       what, value ? value : "(null)");
}

bool sq_term_reason_from_str(const char *v, yb_term_reason *out)
{
	if (v && !*v) {
		*out = YB_TERM_NONE;
		return true;
	}
	return yb_term_reason_from_str(v, out);
}

bool sq_relationship_from_str(const char *v, yb_relationship *out)
{
	if (v && strcmp(v, yb_relationship_str(YB_REL_SELF)) == 0) {
		*out = YB_REL_SELF;
		return true;
	}
	return yb_relationship_from_str(v, out);
}

int sq_list(sq_store *s, sqlite3_stmt *q, size_t elem_size, sq_row_fn row,
	    void **out, int *n, yb_err *err)
{
	char *items = NULL;
	int count = 0, cap = 8, rc = -1, step;

	*out = NULL;
	*n = 0;
	items = malloc(elem_size * (size_t)cap);
	if (!items) {
		yb_errf(err, "out_of_memory", "out of memory listing rows");
		goto out;
	}
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (count == cap) {
			char *more = realloc(items, elem_size * (size_t)cap * 2);

			if (!more) {
				yb_errf(err, "out_of_memory",
					"out of memory listing rows");
				goto out;
			}
			items = more;
			cap *= 2;
		}
		memset(items + elem_size * (size_t)count, 0, elem_size);
		if (row(q, items + elem_size * (size_t)count, err) < 0)
			goto out;
		count++;
	}
	if (step != SQLITE_DONE) {
		sq_fail(s, err);
		goto out;
	}
	*out = items;
	*n = count;
	items = NULL;
	rc = 0;
out:
	free(items);
	sq_done(q);
	return rc;
}

int sq_page(sq_store *s, sqlite3_stmt *q, yb_id before, int limit,
	    size_t elem_size, sq_row_fn row, void **out, int *n, yb_err *err)
{
	*out = NULL;
	*n = 0;
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 2, sq_before(before));
	sqlite3_bind_int(q, 3, limit < 0 ? 0 : limit);
	return sq_list(s, q, elem_size, row, out, n, err);
}

int sq_lookup(sq_store *s, sqlite3_stmt *q, sq_row_fn row, void *out,
	      yb_err *err)
{
	int rc = sqlite3_step(q);

	if (rc == SQLITE_ROW)
		rc = row(q, out, err) < 0 ? -1 : 1;
	else if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = sq_fail(s, err);
	sq_done(q);
	return rc;
}

int sq_insert(sq_store *s, sqlite3_stmt *q, yb_refusal dup, yb_id *rowid,
	      yb_err *err)
{
	int rc = 0;

	if (sqlite3_step(q) != SQLITE_DONE)
		rc = sq_fail_unique(s, dup, err);
	sq_done(q);
	if (rc == 0 && rowid)
		*rowid = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int sq_get_by_int(sq_store *s, enum sq_stmt_id id, const char *sql,
		  int64_t key, sq_row_fn row, void *out, yb_err *err)
{
	sqlite3_stmt *q = sq_stmt(s, id, sql, err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, key);
	return sq_lookup(s, q, row, out, err);
}

int sq_get_by_text(sq_store *s, enum sq_stmt_id id, const char *sql,
		   const char *key, sq_row_fn row, void *out, yb_err *err)
{
	sqlite3_stmt *q = sq_stmt(s, id, sql, err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, key);
	return sq_lookup(s, q, row, out, err);
}

int sq_exec_by_text(sq_store *s, enum sq_stmt_id id, const char *sql,
		    const char *key, yb_err *err)
{
	sqlite3_stmt *q = sq_stmt(s, id, sql, err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, key);
	return sq_exec(s, q, err);
}

int sq_step_ints(sq_store *s, sqlite3_stmt *q, int64_t *cols, int ncols,
		 yb_err *err)
{
	int rc = sqlite3_step(q);

	if (rc == SQLITE_ROW) {
		for (int i = 0; i < ncols; i++)
			cols[i] = sqlite3_column_int64(q, i);
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : sq_fail(s, err);
	}
	sq_done(q);
	return rc;
}

int sq_step_text(sq_store *s, sqlite3_stmt *q, char *buf, size_t size,
		 const char *what, yb_err *err)
{
	int rc = sqlite3_step(q);

	if (rc == SQLITE_ROW) {
		size_t len = (size_t)sqlite3_column_bytes(q, 0);

		if (len >= size) {
			rc = yb_refuse_text(err, YB_REFUSE_TOO_LONG, what);
		} else {
			memcpy(buf, sqlite3_column_text(q, 0), len);
			buf[len] = '\0';
			rc = 1;
		}
	} else {
		rc = rc == SQLITE_DONE ? 0 : sq_fail(s, err);
	}
	sq_done(q);
	return rc;
}
