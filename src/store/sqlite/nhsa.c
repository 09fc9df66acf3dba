/*
 * nhsa.c — the national-interface gateway's records on SQLite
 * (store.h, "nhsa"): keyed by (kind, key), in nhsa_records — but the
 * kept messages (kinds "msg" and "msgx") in nhsa_msgs, a rowid table
 * whose leaves hold a two-kilobyte message whole (schema.c 13 says
 * why); a message has no group (never listed).  And the nonces in
 * nhsa_nonces, key and time alone, in the order spent, answered from
 * memory (nhsa_nonce.c).  A write transaction holds the
 * database, so nhsa_get needs no row lock here.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_int.h"

#define REC_COLS "kind, key, grp, inst, at, val"

static int read_rec(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_nhsa_rec *r = elem;
	const unsigned char *v = sqlite3_column_text(q, 5);

	memset(r, 0, sizeof *r);
	sq_col_text(q, 0, r->kind, sizeof r->kind);
	sq_col_text(q, 1, r->key, sizeof r->key);
	sq_col_text(q, 2, r->grp, sizeof r->grp);
	sq_col_text(q, 3, r->inst, sizeof r->inst);
	r->at = sq_col_int(q, 4);
	r->val = strdup(v ? (const char *)v : "");
	if (!r->val)
		return yb_errf(err, "out_of_memory", "out of memory");
	return 0;
}

static sqlite3_stmt *put_stmt(sq_store *s, bool msg, int mode, yb_err *err)
{
	if (msg && mode == YB_NHSA_UPSERT)
		return sq_stmt(s, SQ_NHSA_MSG_UPSERT,
			       "INSERT INTO nhsa_msgs (kind, key, inst, at, val) "
			       "VALUES (?1, ?2, ?4, ?5, ?6) "
			       "ON CONFLICT (kind, key) DO UPDATE SET "
			       "inst = excluded.inst, at = excluded.at, "
			       "val = excluded.val", err);
	if (msg)
		return sq_stmt(s, SQ_NHSA_MSG_INSERT,
			       "INSERT INTO nhsa_msgs (kind, key, inst, at, val) "
			       "VALUES (?1, ?2, ?4, ?5, ?6) "
			       "ON CONFLICT (kind, key) DO NOTHING", err);
	if (mode == YB_NHSA_UPSERT)
		return sq_stmt(s, SQ_NHSA_UPSERT,
			       "INSERT INTO nhsa_records (" REC_COLS ") "
			       "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
			       "ON CONFLICT (kind, key) DO UPDATE SET "
			       "grp = excluded.grp, inst = excluded.inst, "
			       "at = excluded.at, val = excluded.val", err);
	return sq_stmt(s, SQ_NHSA_INSERT,
		       "INSERT INTO nhsa_records (" REC_COLS ") "
		       "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
		       "ON CONFLICT (kind, key) DO NOTHING", err);
}

/*
 * The gateway's memo.  Every message the gateway acts on is
 * authenticated in the writer's batch (nhsa_gateway.c, "admitted on the
 * writer"): its credential and its operator's sign-in read there, two
 * records that change a few times a day and are read thousands of times
 * an hour.  Inside a transaction they are remembered, by the token
 * cache's rules (credential.c): another connection's commit (PRAGMA
 * data_version) or an undo forgets all; so does this connection's own
 * write of any credential or sign-in (sq_nhsa_put, sq_nhsa_delete
 * below).  Only in a write transaction (the writer's batch): a reader's
 * transaction, one per request on a connection thread, would find it
 * forgotten by the writer's latest commit, and pay PRAGMA data_version
 * for nothing.
 */
#define MEMO_SLOTS 32

struct sq_nhsa_memo {
	struct {
		bool used;
		yb_nhsa_rec rec;         /* val malloc'd */
	} slot[MEMO_SLOTS];
};

static bool memo_kind(const char *kind)
{
	return strcmp(kind, "cred") == 0 || strcmp(kind, "sign") == 0;
}

/* May the memo serve this transaction (its kind, a write transaction,
 * nothing committed elsewhere since it was filled)? */
static bool memo_usable(sq_store *s, const char *kind)
{
	return memo_kind(kind) &&
	       sqlite3_txn_state(s->db, NULL) == SQLITE_TXN_WRITE &&
	       sq_memo_fresh(s);
}

void sq_nhsa_memo_forget(sq_store *s)
{
	if (!s->nhsa_memo)
		return;
	for (int i = 0; i < MEMO_SLOTS; i++)
		free(s->nhsa_memo->slot[i].rec.val);
	free(s->nhsa_memo);
	s->nhsa_memo = NULL;
}

static unsigned memo_slot(const char *kind, const char *key)
{
	unsigned h = (unsigned char)kind[0];

	for (int i = 0; i < 12 && key[i]; i++)
		h = h * 31 + (unsigned char)key[i];
	return h % MEMO_SLOTS;
}

/* 1 and a copy in *out if remembered, 0 if not. */
static int memo_get(sq_store *s, const char *kind, const char *key,
		    yb_nhsa_rec *out, yb_err *err)
{
	struct sq_nhsa_memo *m = s->nhsa_memo;
	unsigned i;

	if (!m || !memo_usable(s, kind) || !s->nhsa_memo)
		return 0;
	i = memo_slot(kind, key);
	if (!m->slot[i].used || strcmp(m->slot[i].rec.kind, kind) != 0 ||
	    strcmp(m->slot[i].rec.key, key) != 0)
		return 0;
	*out = m->slot[i].rec;
	out->val = strdup(m->slot[i].rec.val);
	if (!out->val)
		return yb_errf(err, "out_of_memory", "out of memory");
	return 1;
}

static void memo_put(sq_store *s, const yb_nhsa_rec *rec)
{
	unsigned i;
	char *val;

	if (!memo_usable(s, rec->kind))
		return;
	if (!s->nhsa_memo && !(s->nhsa_memo = calloc(1, sizeof *s->nhsa_memo)))
		return;
	if (!(val = strdup(rec->val)))
		return;
	i = memo_slot(rec->kind, rec->key);
	free(s->nhsa_memo->slot[i].rec.val);
	s->nhsa_memo->slot[i].used = true;
	s->nhsa_memo->slot[i].rec = *rec;
	s->nhsa_memo->slot[i].rec.val = val;
}

int sq_nhsa_put(yb_store *st, const yb_nhsa_rec *rec, int mode, yb_err *err)
{
	sq_store *s = sq_of(st);
	bool msg = yb_nhsa_kind_is_msg(rec->kind);
	sqlite3_stmt *q;

	if (memo_kind(rec->kind))
		sq_nhsa_memo_forget(s);
	if (yb_nhsa_kind_is_nonce(rec->kind))
		return sq_nonce_put(s, rec, mode, err);
	q = put_stmt(s, msg, mode, err);
	if (!q)
		return -1;
	sq_bind_text(q, 1, rec->kind);
	sq_bind_text(q, 2, rec->key);
	if (!msg)                        /* a message has no group */
		sq_bind_text(q, 3, rec->grp);
	sq_bind_text(q, 4, rec->inst);
	sqlite3_bind_int64(q, 5, rec->at);
	sq_bind_text(q, 6, rec->val ? rec->val : "");
	if (sq_exec(s, q, err) < 0)
		return -1;
	return yb_nhsa_put_answer(rec->kind, rec->key, mode,
				  sqlite3_changes(s->db), err);
}

int sq_nhsa_get(yb_store *st, const char *kind, const char *key,
		yb_nhsa_rec *out, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q;
	int found;

	if (yb_nhsa_kind_is_nonce(kind))
		return sq_nonce_get(s, key, out, err);
	q = yb_nhsa_kind_is_msg(kind)
		? sq_stmt(s, SQ_NHSA_MSG_GET,
			  "SELECT kind, key, '', inst, at, val FROM nhsa_msgs "
			  "WHERE kind = ?1 AND key = ?2", err)
		: sq_stmt(s, SQ_NHSA_GET,
			  "SELECT " REC_COLS " FROM nhsa_records "
			  "WHERE kind = ?1 AND key = ?2", err);
	found = memo_get(s, kind, key, out, err);

	if (found != 0)
		return found;
	if (!q)
		return -1;
	sq_bind_text(q, 1, kind);
	sq_bind_text(q, 2, key);
	found = sq_lookup(s, q, read_rec, out, err);
	if (found == 1)
		memo_put(s, out);
	return found;
}

int sq_nhsa_list(yb_store *st, const char *kind, const char *grp,
		 yb_nhsa_rec **out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	/* INDEXED BY: without statistics SQLite took the primary key for
	 * ORDER BY key and read every record of the kind (every fee line
	 * of every visit, at each settlement: the gateway's bottleneck,
	 * docs/BENCHMARKS.md).  The (kind, grp) index of a WITHOUT ROWID
	 * table ends in the key, so it gives the order as well.  It holds
	 * the records of a group only (grp <> ''): the term says so, for
	 * SQLite to see that the partial index answers. */
	sqlite3_stmt *q = sq_stmt(s, SQ_NHSA_LIST,
		"SELECT " REC_COLS " FROM nhsa_records "
		"INDEXED BY nhsa_records_grp "
		"WHERE kind = ?1 AND grp = ?2 AND grp <> '' ORDER BY key", err);
	int rc;

	*out = NULL;
	*n = 0;
	if (!q)
		return -1;
	sq_bind_text(q, 1, kind);
	sq_bind_text(q, 2, grp);
	rc = sq_list(s, q, sizeof **out, read_rec, (void **)out, n, err);
	return rc;
}

int sq_nhsa_delete(yb_store *st, const char *kind, const char *key,
		   yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q;

	if (yb_nhsa_kind_is_nonce(kind))
		return sq_nonce_delete(s, key, err);
	q = yb_nhsa_kind_is_msg(kind)
		? sq_stmt(s, SQ_NHSA_MSG_DELETE,
			  "DELETE FROM nhsa_msgs WHERE kind = ?1 AND key = ?2",
			  err)
		: sq_stmt(s, SQ_NHSA_DELETE,
			  "DELETE FROM nhsa_records WHERE kind = ?1 AND key = ?2",
			  err);
	if (memo_kind(kind))
		sq_nhsa_memo_forget(s);
	if (!q)
		return -1;
	sq_bind_text(q, 1, kind);
	sq_bind_text(q, 2, key);
	return sq_exec(s, q, err);
}

int sq_nhsa_purge(yb_store *st, const char *kind, yb_time before,
		  yb_err *err)
{
	/* Nonces (nhsa_nonce.c: the table's front) and files' bytes. */
	if (strcmp(kind, "file") == 0)
		return sq_nhsa_files_purge(sq_of(st), before, err);
	if (!yb_nhsa_kind_is_nonce(kind))
		return 0;
	return sq_nonce_purge(sq_of(st), before, err);
}
