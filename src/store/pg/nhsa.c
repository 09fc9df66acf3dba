/*
 * nhsa.c — the national-interface gateway's records on PostgreSQL
 * (store.h, "nhsa"), in nhsa_records; the kept messages (kinds "msg"
 * and "msgx") in nhsa_msgs, the nonces in nhsa_nonces (schema.c 13).  Inside a write transaction
 * nhsa_get locks the row (FOR UPDATE): that is what keeps a person's
 * yearly totals exact when two of his bills settle at once (docs/NHSA.md,
 * N6).  Inserts use
 * ON CONFLICT, so a duplicate never aborts the caller's transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_int.h"

static pg_store *PS(yb_store *st)
{
	return (pg_store *)st;
}

#define REC_COLS "kind, key, grp, inst, at, val"

static const pg_stmt st_insert = { "nhsa_insert",
	"INSERT INTO nhsa_records (" REC_COLS ") VALUES ($1, $2, $3, $4, $5, $6) "
	"ON CONFLICT (kind, key) DO NOTHING", NULL };
static const pg_stmt st_upsert = { "nhsa_upsert",
	"INSERT INTO nhsa_records (" REC_COLS ") VALUES ($1, $2, $3, $4, $5, $6) "
	"ON CONFLICT (kind, key) DO UPDATE SET grp = EXCLUDED.grp, "
	"  inst = EXCLUDED.inst, at = EXCLUDED.at, val = EXCLUDED.val", NULL };
/* The kept messages ("msg", "msgx"): table nhsa_msgs, no group. */
static const pg_stmt st_msg_insert = { "nhsa_msg_insert",
	"INSERT INTO nhsa_msgs (kind, key, inst, at, val) "
	"VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, key) DO NOTHING", NULL };
static const pg_stmt st_msg_upsert = { "nhsa_msg_upsert",
	"INSERT INTO nhsa_msgs (kind, key, inst, at, val) "
	"VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, key) DO UPDATE SET "
	"  inst = EXCLUDED.inst, at = EXCLUDED.at, val = EXCLUDED.val", NULL };
static const pg_stmt st_msg_get = { "nhsa_msg_get",
	"SELECT kind, key, '', inst, at, val FROM nhsa_msgs "
	"WHERE kind = $1 AND key = $2", "FOR UPDATE" };
static const pg_stmt st_msg_delete = { "nhsa_msg_delete",
	"DELETE FROM nhsa_msgs WHERE kind = $1 AND key = $2", NULL };
/* The nonces: table nhsa_nonces, key and time ("{}" their value). */
static const pg_stmt st_nonce_insert = { "nhsa_nonce_insert",
	"INSERT INTO nhsa_nonces (key, at) VALUES ($1, $2) "
	"ON CONFLICT (key) DO NOTHING", NULL };
static const pg_stmt st_nonce_upsert = { "nhsa_nonce_upsert",
	"INSERT INTO nhsa_nonces (key, at) VALUES ($1, $2) "
	"ON CONFLICT (key) DO UPDATE SET at = EXCLUDED.at", NULL };
static const pg_stmt st_nonce_get = { "nhsa_nonce_get",
	"SELECT 'nonce', key, '', '', at, '{}' FROM nhsa_nonces "
	"WHERE key = $1", "FOR UPDATE" };
static const pg_stmt st_nonce_delete = { "nhsa_nonce_delete",
	"DELETE FROM nhsa_nonces WHERE key = $1", NULL };
static const pg_stmt st_get = { "nhsa_get",
	"SELECT " REC_COLS " FROM nhsa_records WHERE kind = $1 AND key = $2",
	"FOR UPDATE" };
static const pg_stmt st_list = { "nhsa_list",
	"SELECT " REC_COLS " FROM nhsa_records "
	"WHERE kind = $1 AND grp = $2 AND grp <> '' ORDER BY key", NULL };
static const pg_stmt st_delete = { "nhsa_delete",
	"DELETE FROM nhsa_records WHERE kind = $1 AND key = $2", NULL };
static const pg_stmt st_purge = { "nhsa_purge",
	"DELETE FROM nhsa_nonces WHERE $1 = 'nonce' AND at < $2", NULL };
/* kind "file": the bytes of the files past their dld_end; the rows stay */
static const pg_stmt st_purge_files = { "nhsa_purge_files",
	"UPDATE nhsa_files SET data = ''::bytea "
	"WHERE dld_end < $1 AND octet_length(data) > 0", NULL };

static int decode_rec(pg_row *r, void *out)
{
	yb_nhsa_rec *rec = out;

	memset(rec, 0, sizeof *rec);
	pg_r_str(r, rec->kind, sizeof rec->kind);
	pg_r_str(r, rec->key, sizeof rec->key);
	pg_r_str(r, rec->grp, sizeof rec->grp);
	pg_r_str(r, rec->inst, sizeof rec->inst);
	rec->at = pg_r_i64(r);
	rec->val = strdup(pg_r_text(r));
	if (!rec->val)
		r->bad = true;
	return 0;
}

/* The statement and parameters of a nonce's put, get or delete. */
static const pg_stmt *nonce_stmt(pg_params *q, const char *key,
				 const pg_stmt *st)
{
	pg_params_init(q);
	pg_p_text(q, key);
	return st;
}

/* The statement of a put of `rec`, its parameters in q: a nonce's key
 * and time, a message's all but its group, any other record's all. */
static const pg_stmt *put_stmt(pg_params *q, const yb_nhsa_rec *rec,
			       int mode)
{
	bool up = mode == YB_NHSA_UPSERT, msg = yb_nhsa_kind_is_msg(rec->kind);

	if (yb_nhsa_kind_is_nonce(rec->kind)) {
		nonce_stmt(q, rec->key, NULL);
		pg_p_i64(q, rec->at);
		return up ? &st_nonce_upsert : &st_nonce_insert;
	}
	pg_params_init(q);
	pg_p_text(q, rec->kind);
	pg_p_text(q, rec->key);
	if (!msg)                        /* a message has no group */
		pg_p_text(q, rec->grp);
	pg_p_text(q, rec->inst);
	pg_p_i64(q, rec->at);
	pg_p_text(q, rec->val ? rec->val : "");
	if (msg)
		return up ? &st_msg_upsert : &st_msg_insert;
	return up ? &st_upsert : &st_insert;
}

int pg_nhsa_put(yb_store *st, const yb_nhsa_rec *rec, int mode, yb_err *err)
{
	pg_params q;
	const pg_stmt *s = put_stmt(&q, rec, mode);
	PGresult *res = pg_run_release(PS(st), s, &q, err);
	int64_t changed;

	if (!res)
		return -1;
	changed = pg_affected(res);
	PQclear(res);
	return yb_nhsa_put_answer(rec->kind, rec->key, mode, changed, err);
}

int pg_nhsa_get(yb_store *st, const char *kind, const char *key,
		yb_nhsa_rec *out, yb_err *err)
{
	pg_params q;

	if (yb_nhsa_kind_is_nonce(kind))
		return pg_lookup(PS(st), nonce_stmt(&q, key, &st_nonce_get),
				 &q, decode_rec, out, err);
	pg_params_init(&q);
	pg_p_text(&q, kind);
	pg_p_text(&q, key);
	return pg_lookup(PS(st), yb_nhsa_kind_is_msg(kind) ? &st_msg_get
							   : &st_get,
			 &q, decode_rec, out, err);
}

int pg_nhsa_list(yb_store *st, const char *kind, const char *grp,
		 yb_nhsa_rec **out, int *n, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_text(&q, kind);
	pg_p_text(&q, grp);
	return pg_list(PS(st), &st_list, &q, sizeof **out, decode_rec,
		       (void **)out, n, err);
}

int pg_nhsa_delete(yb_store *st, const char *kind, const char *key,
		   yb_err *err)
{
	pg_params q;

	if (yb_nhsa_kind_is_nonce(kind))
		return pg_exec(PS(st), nonce_stmt(&q, key, &st_nonce_delete),
			       &q, err);
	pg_params_init(&q);
	pg_p_text(&q, kind);
	pg_p_text(&q, key);
	return pg_exec(PS(st), yb_nhsa_kind_is_msg(kind) ? &st_msg_delete
							 : &st_delete,
		       &q, err);
}

int pg_nhsa_purge(yb_store *st, const char *kind, yb_time before,
		  yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	if (strcmp(kind, "file") == 0) {
		pg_p_i64(&q, before);
		return pg_exec(PS(st), &st_purge_files, &q, err);
	}
	pg_p_text(&q, kind);
	pg_p_i64(&q, before);
	return pg_exec(PS(st), &st_purge, &q, err);
}
