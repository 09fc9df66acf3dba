/*
 * audit.c — SQLite engine: the hash-chained audit log (SPEC X3).  See
 * store.h for what each operation promises.  The chain's hashes are
 * computed by the service; the store keeps records in seq order and
 * never changes one (the schema's triggers refuse UPDATE and DELETE).
 */
#include "store/sqlite/sqlite_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"

/* ---- audit ----------------------------------------------------------------- */

#define AUDIT_COLS \
	"seq, at, actor, role, channel, action, target, result, prev_hash, hash"

static int read_audit(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_audit_record *r = elem;

	memset(r, 0, sizeof *r);
	r->seq = sq_col_int(q, 0);
	r->at = sq_col_int(q, 1);
	sq_col_text(q, 2, r->actor, sizeof r->actor);
	if (SQ_COL_ENUM(q, 3, yb_role_from_str, &r->role, "role", err) < 0 ||
	    SQ_COL_ENUM(q, 4, yb_channel_from_str, &r->channel, "channel",
			err) < 0)
		return -1;
	sq_col_text(q, 5, r->action, sizeof r->action);
	sq_col_text(q, 6, r->target, sizeof r->target);
	sq_col_text(q, 7, r->result, sizeof r->result);
	sq_col_text(q, 8, r->prev_hash, sizeof r->prev_hash);
	sq_col_text(q, 9, r->hash, sizeof r->hash);
	return 0;
}

/* SQLite serializes writers with the write lock, so reading the head in
 * a write transaction is enough to chain from it safely.  Within one
 * transaction the head is what this connection read or last chained
 * onto it (no other can write meanwhile): kept, it saves a group commit's requests a
 * query each (~7,700 instructions on the writer).  Forgotten at every
 * transaction's end and every undo (engine.c, stmt.c). */
int sq_audit_head(yb_store *st, yb_audit_record *out, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q;
	bool in_tx = !sqlite3_get_autocommit(s->db);
	int found;

	if (s->head_known && in_tx) {
		*out = s->head;
		return 1;
	}
	q = sq_stmt(s, SQ_AUDIT_HEAD,
		"SELECT " AUDIT_COLS " FROM audit ORDER BY seq DESC LIMIT 1", err);
	if (!q)
		return -1;
	found = sq_lookup(s, q, read_audit, out, err);
	if (found == 1 && in_tx) {
		s->head = *out;
		s->head_known = true;
	}
	return found;
}

/* pgha: one chain, whose tail is simply the newest record: no separate
 * head is kept (store.h). */
int sq_audit_heads(yb_store *st, yb_audit_head **out, int *n, yb_err *err)
{
	(void)st;
	*n = 0;
	*out = calloc(1, sizeof **out);
	if (!*out)
		return yb_errf(err, "out_of_memory", "out of memory");
	return 0;
}

/* rec->seq = 0 takes the next number; a given seq is kept as is (the
 * service may hash it), and a seq already used is refused. */
int sq_audit_insert(yb_store *st, const yb_audit_record *rec, yb_err *err)
{
	sq_store *s = sq_of(st);
	bool chained;
	sqlite3_stmt *q = sq_stmt(s, SQ_AUDIT_INSERT,
		"INSERT INTO audit (seq, at, actor, role, channel, action, target, "
		"result, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
		"?9, ?10)", err);

	if (!q)
		return -1;
	sq_bind_opt_int(q, 1, rec->seq);
	sqlite3_bind_int64(q, 2, rec->at);
	sq_bind_text(q, 3, rec->actor);
	sq_bind_text(q, 4, yb_role_str(rec->role));
	sq_bind_text(q, 5, yb_channel_str(rec->channel));
	sq_bind_text(q, 6, rec->action);
	sq_bind_text(q, 7, rec->target);
	sq_bind_text(q, 8, rec->result);
	sq_bind_text(q, 9, rec->prev_hash);
	sq_bind_text(q, 10, rec->hash);
	/* Only a record right after the known head becomes the head. */
	chained = s->head_known && rec->seq == s->head.seq + 1;
	s->head_known = false;
	if (sq_insert(s, q, YB_REFUSE_AUDIT_SEQ_USED, NULL, err) < 0)
		return -1;
	/* Read back, it would be the same (the text columns hold what was
	 * bound, from buffers of the same sizes). */
	if (chained && !sqlite3_get_autocommit(s->db)) {
		s->head = *rec;
		s->head_known = true;
	}
	return 0;
}

/* Cursor: seq. */
int sq_audit_list(yb_store *st, yb_id before, int limit,
		  yb_audit_record **out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	/* No key, so no ?1: list statements keep ?2 / ?3 for the cursor
	 * and the limit (sq_page). */
	sqlite3_stmt *q = sq_stmt(s, SQ_AUDIT_LIST,
		"SELECT " AUDIT_COLS " FROM audit WHERE seq < ?2 "
		"ORDER BY seq DESC LIMIT ?3", err);

	return sq_page(s, q, before, limit, sizeof **out, read_audit,
		       (void **)out, n, err);
}

int sq_audit_scan(yb_store *st, yb_audit_visit_fn fn, void *arg, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_AUDIT_SCAN,
		"SELECT " AUDIT_COLS " FROM audit ORDER BY seq", err);
	yb_audit_record rec;
	int rc = 0, step;

	if (!q)
		return -1;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (read_audit(q, &rec, err) < 0 || fn(arg, &rec, err) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sq_fail(s, err);
	sq_done(q);
	return rc;
}

