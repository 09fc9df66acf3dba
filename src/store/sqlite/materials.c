/*
 * materials.c — SQLite engine: E4's scans of F5 materials (see
 * store.h; pg/materials.c is the PostgreSQL twin).  The bytes are a BLOB
 * in the row: written in the caller's transaction with its audit record,
 * read only by material_get.
 */
#include "store/sqlite/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "core/material.h"

/* The one of the three target columns a target kind names. */
static const char *const target_col[YB_MAT__N] = {
	"binding_id", "application_id", "premium_id",
};

#define MATERIAL_COLS                                                       \
	"id, coalesce(binding_id, application_id, premium_id), "           \
	"CASE WHEN binding_id IS NOT NULL THEN 0 "                         \
	"WHEN application_id IS NOT NULL THEN 1 ELSE 2 END, kind, "        \
	"content_type, size_bytes, sha256, channel, operator_id, created_at"

static int read_material(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_material *m = elem;

	memset(m, 0, sizeof *m);
	m->id = sq_col_int(q, 0);
	m->target_id = sq_col_int(q, 1);
	m->target = (yb_material_target)sq_col_int(q, 2);
	sq_col_text(q, 3, m->kind, sizeof m->kind);
	sq_col_text(q, 4, m->content_type, sizeof m->content_type);
	m->size_bytes = sq_col_int(q, 5);
	sq_col_text(q, 6, m->sha256, sizeof m->sha256);
	if (SQ_COL_ENUM(q, 7, yb_channel_from_str, &m->channel, "channel",
			err) < 0)
		return -1;
	sq_col_text(q, 8, m->operator_id, sizeof m->operator_id);
	m->created_at = sq_col_int(q, 9);
	return 0;
}

int sq_material_insert(yb_store *st, yb_material *m, const void *data,
		       size_t len, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_MATERIAL_INSERT,
		"INSERT INTO materials (binding_id, application_id, premium_id, "
		"kind, content_type, size_bytes, sha256, data, channel, "
		"operator_id, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", err);

	if (!q)
		return -1;
	if (yb_check_material_target(m->target, err) < 0)
		return -1;
	for (int i = 0; i < YB_MAT__N; i++)
		sq_bind_opt_int(q, i + 1, (int)m->target == i ? m->target_id : 0);
	sq_bind_text(q, 4, m->kind);
	sq_bind_text(q, 5, m->content_type);
	sqlite3_bind_int64(q, 6, m->size_bytes);
	sq_bind_text(q, 7, m->sha256);
	sqlite3_bind_blob64(q, 8, data, (sqlite3_uint64)len, SQLITE_STATIC);
	sq_bind_text(q, 9, yb_channel_str(m->channel));
	sq_bind_text(q, 10, m->operator_id);
	sqlite3_bind_int64(q, 11, m->created_at);
	return sq_insert(s, q, YB_REFUSE_NONE, &m->id, err);
}

int sq_materials_of(yb_store *st, yb_material_target target, yb_id target_id,
		    yb_material **out, int *n, yb_err *err)
{
	static const enum sq_stmt_id slot[YB_MAT__N] = {
		SQ_MATERIALS_OF_BINDING, SQ_MATERIALS_OF_APPLICATION,
		SQ_MATERIALS_OF_PREMIUM,
	};
	char sql[320];
	sq_store *s = sq_of(st);
	sqlite3_stmt *q;

	*out = NULL;
	*n = 0;
	if (yb_check_material_target(target, err) < 0)
		return -1;
	/* the column name is this file's constant, not input */
	snprintf(sql, sizeof sql, "SELECT " MATERIAL_COLS " FROM materials "
		 "WHERE %s = ?1 ORDER BY id", target_col[target]);
	q = sq_stmt(s, slot[target], sql, err);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, target_id);
	return sq_list(s, q, sizeof **out, read_material, (void **)out, n, err);
}

int sq_material_get(yb_store *st, yb_id id, yb_material *out, void **data,
		    size_t *len, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_MATERIAL_GET,
		"SELECT " MATERIAL_COLS ", data FROM materials WHERE id = ?1",
		err);
	int rc;

	*data = NULL;
	*len = 0;
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		sq_done(q);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		rc = sq_fail(s, err);
		sq_done(q);
		return rc;
	}
	rc = read_material(q, out, err) < 0 ? -1 : 1;
	if (rc == 1) {
		int n = sqlite3_column_bytes(q, 10);
		const void *b = sqlite3_column_blob(q, 10);

		*data = malloc(n > 0 ? (size_t)n : 1);
		if (!*data || (n > 0 && !b)) {
			free(*data);
			*data = NULL;
			rc = yb_errf(err, "out_of_memory", "out of memory");
		} else {
			memcpy(*data, b, (size_t)n);
			*len = (size_t)n;
		}
	}
	sq_done(q);
	return rc;
}
