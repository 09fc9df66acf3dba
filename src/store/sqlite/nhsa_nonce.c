/*
 * nhsa_nonce.c — the gateway's spent nonces on SQLite (store.h "nhsa",
 * kind "nonce"; docs/NHSA.md step 2, "Storage").
 *
 * A nonce is accepted once in the whole window, whatever its timestamp:
 * the store must answer "spent before?" by the nonce's key.  Keyed by
 * that key in the database (migration 13), every spend was an insert
 * into a random leaf of a b-tree holding a window's worth of nonces —
 * a 4 KiB page dirtied per 2207, copied into the WAL at commit and again
 * at checkpoint (docs/BENCHMARKS.md, "gw6 round").  Since migration 15
 * the table is a rowid table in the order the nonces were spent, with
 * no index at all: a spend appends (a page per ~50 nonces), and a purge
 * cuts its front.  "Spent before?" is answered by a set in memory, of
 * each kept nonce's 64-bit hash and rowid; a hash found is confirmed by
 * the row's key (one read by rowid, a replay's price), so the answer is
 * exact, never a false "spent".
 *
 * The set is the table's, exactly, at every point of a transaction:
 *  - loaded from the table at this connection's first nonce operation
 *    (so after a restart the window's nonces are all refused again);
 *  - a spend adds to it and is noted as pending; an undo (rollback, a
 *    savepoint's or an operation's) takes back the pending spends made
 *    since its mark, a commit makes them kept;
 *  - another connection's commit (PRAGMA data_version, read once per
 *    transaction: sq_memo_fresh) makes it read the rows appended since
 *    the last it knows (rowids only grow: a spend takes the set's next,
 *    never a purged one's);
 *  - a purge removes the rows it deletes from it, and another
 *    connection's purge (the table's front moved, seen with its rows)
 *    cuts the set to the new front; a purge undone, or a commit that
 *    failed, drops the whole set, read again at next use.
 * With group commit (the server's default) only the writer spends
 * nonces, so the process holds one set: 16 bytes a nonce in a table
 * kept at most half full, ~32 bytes a nonce kept (a window of 300 s at
 * 10,000 2207s a second: 6 million nonces, ~200 MB).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/sqlite/sqlite_int.h"

struct sq_nonce_ent {
	uint64_t h;                      /* the key's hash; 0: never */
	int64_t rowid;                   /* 0: an empty slot */
};

struct sq_nonces {
	struct sq_nonce_ent *slot;
	size_t cap;                      /* a power of two */
	size_t n;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
	int64_t last_rowid;              /* the highest rowid known */
	int64_t front;                   /* no entry below it (purged) */
	/* Spends of the open transaction, in order, for an undo. */
	struct sq_nonce_ent *pend;
	size_t npend, pend_cap;
	/* The pending count at each open savepoint (the caller's, then
	 * the operations' nested); deeper than SQ_NONCE_MARKS: dropped. */
	size_t mark[SQ_NONCE_MARKS];
	int depth;
	bool purged;                     /* a purge in this transaction */
};

/* SipHash-2-4 under a key drawn per set (libsodium's crypto_shorthash):
 * a nonce is the caller's text, and with a keyed hash no caller can
 * choose nonces that pile into one run of the table. */
static uint64_t key_hash(const struct sq_nonces *ns, const char *key)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, (const unsigned char *)key, strlen(key),
			 ns->hkey);
	memcpy(&h, out, sizeof h);
	return h ? h : 1;
}

void sq_nonces_drop(sq_store *s)
{
	if (!s->nonces)
		return;
	free(s->nonces->slot);
	free(s->nonces->pend);
	free(s->nonces);
	s->nonces = NULL;
}

/* The set rebuilt in `cap` slots with only the entries at or after
 * rowid `from` (1: all); false when out of memory (the set unchanged). */
static bool set_rebuild(struct sq_nonces *ns, size_t cap, int64_t from)
{
	struct sq_nonce_ent *old = ns->slot, *slot = calloc(cap, sizeof *slot);

	if (!slot)
		return false;
	ns->n = 0;
	for (size_t i = 0; i < ns->cap; i++) {
		if (old[i].rowid < from)  /* empty slots too (rowid 0) */
			continue;
		size_t j = old[i].h & (cap - 1);
		while (slot[j].rowid)
			j = (j + 1) & (cap - 1);
		slot[j] = old[i];
		ns->n++;
	}
	free(old);
	ns->slot = slot;
	ns->cap = cap;
	return true;
}

static bool set_add(struct sq_nonces *ns, uint64_t h, int64_t rowid)
{
	size_t j;

	if ((ns->n + 1) * 2 > ns->cap &&
	    !set_rebuild(ns, ns->cap ? ns->cap * 2 : 1024, 1))
		return false;
	j = h & (ns->cap - 1);
	while (ns->slot[j].rowid)
		j = (j + 1) & (ns->cap - 1);
	ns->slot[j].h = h;
	ns->slot[j].rowid = rowid;
	ns->n++;
	if (rowid > ns->last_rowid)
		ns->last_rowid = rowid;
	return true;
}

/* Remove (h, rowid) if there (linear probing: the entries after it in
 * its run move back into the hole they may hash before). */
static void set_remove(struct sq_nonces *ns, uint64_t h, int64_t rowid)
{
	size_t mask = ns->cap - 1, i, j, k;

	if (!ns->cap)
		return;
	for (i = h & mask; ns->slot[i].rowid; i = (i + 1) & mask)
		if (ns->slot[i].rowid == rowid && ns->slot[i].h == h)
			break;
	if (!ns->slot[i].rowid)
		return;
	ns->n--;
	for (j = (i + 1) & mask; ns->slot[j].rowid; j = (j + 1) & mask) {
		k = ns->slot[j].h & mask;
		/* may the entry at j move back to i?  Only if its home k
		 * is not cyclically within (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		ns->slot[i] = ns->slot[j];
		i = j;
	}
	ns->slot[i].rowid = 0;
	ns->slot[i].h = 0;
}

/* After another connection's commit: the table's front, and the set
 * cut to it if that connection purged (without group commit every
 * connection that spends keeps a set, and only the purging one's
 * purge removes its rows from its own; the others' would grow). */
static int catch_front(sq_store *s, struct sq_nonces *ns, yb_err *err)
{
	sqlite3_stmt *q = sq_stmt(s, SQ_NHSA_NONCE_MIN,
		"SELECT min(rowid) FROM nhsa_nonces", err);
	int64_t min = 0;

	if (!q || sq_step_ints(s, q, &min, 1, err) < 0)
		return -1;
	if (!min)                        /* empty: everything known purged */
		min = ns->last_rowid + 1;
	if (min <= ns->front)
		return 0;
	/* another connection purged: keep the entries from its front on
	 * (O(cap), at most once per purge) */
	if (ns->cap && !set_rebuild(ns, ns->cap, min))
		return yb_errf(err, "out_of_memory", "out of memory");
	ns->front = min;
	return 0;
}

/* Read rows with rowid > after into the set. */
static int load_from(sq_store *s, struct sq_nonces *ns, int64_t after,
		     yb_err *err)
{
	sqlite3_stmt *q = sq_stmt(s, SQ_NHSA_NONCE_SCAN,
		"SELECT rowid, key FROM nhsa_nonces WHERE rowid > ?1 "
		"ORDER BY rowid", err);
	int rc;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, after);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(q, 1);

		if (!set_add(ns, key_hash(ns, key ? key : ""),
			     sqlite3_column_int64(q, 0))) {
			sqlite3_reset(q);
			return yb_errf(err, "out_of_memory", "out of memory");
		}
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return sq_fail(s, err);
	return 0;
}

/*
 * The set, as the table is in this transaction: loaded at first use,
 * caught up after another connection's commit.  Only in a transaction
 * (store.h: nonces are spent in write transactions).
 */
static struct sq_nonces *nonces(sq_store *s, yb_err *err)
{
	struct sq_nonces *ns = s->nonces;

	if (sqlite3_get_autocommit(s->db)) {
		yb_errf(err, "internal", "a nonce outside a transaction");
		return NULL;
	}
	sq_memo_fresh(s);                /* sets nonces_behind if need be */
	if (ns && s->nonces_behind) {
		/* the others' spends since; their purges: see nonce_is */
		if (load_from(s, ns, ns->last_rowid, err) < 0 ||
		    catch_front(s, ns, err) < 0) {
			sq_nonces_drop(s);
			return NULL;
		}
		s->nonces_behind = false;
	}
	if (ns)
		return ns;
	if (!(ns = calloc(1, sizeof *ns))) {
		yb_errf(err, "out_of_memory", "out of memory");
		return NULL;
	}
	if (sodium_init() < 0) {
		free(ns);
		yb_errf(err, "internal", "libsodium did not start");
		return NULL;
	}
	crypto_shorthash_keygen(ns->hkey);
	s->nonces = ns;
	s->nonces_behind = false;
	if (load_from(s, ns, 0, err) < 0) {
		sq_nonces_drop(s);
		return NULL;
	}
	return ns;
}

/* The key of the row `rowid`: 1 and equal to key, 0 if another's, -1 if
 * the row is gone (another connection purged it). */
static int row_is(sq_store *s, int64_t rowid, const char *key, yb_err *err)
{
	sqlite3_stmt *q = sq_stmt(s, SQ_NHSA_NONCE_ROW,
		"SELECT key FROM nhsa_nonces WHERE rowid = ?1", err);
	int rc, ans;

	if (!q)
		return -2;
	sqlite3_bind_int64(q, 1, rowid);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(q, 0);
		ans = k && strcmp(k, key) == 0;
	} else if (rc == SQLITE_DONE) {
		ans = -1;
	} else {
		sqlite3_reset(q);
		sq_fail(s, err);
		return -2;
	}
	sqlite3_reset(q);
	return ans;
}

/* The rowid of the spent nonce `key`, 0 if none, -1 on error. */
static int64_t nonce_find(sq_store *s, struct sq_nonces *ns, uint64_t h,
			  const char *key, yb_err *err)
{
	size_t mask = ns->cap - 1;

	if (!ns->cap)
		return 0;
	for (size_t i = h & mask; ns->slot[i].rowid; i = (i + 1) & mask) {
		if (ns->slot[i].h != h)
			continue;
		int64_t rowid = ns->slot[i].rowid;
		int is = row_is(s, rowid, key, err);

		if (is == -2)
			return -1;
		if (is == 1)
			return rowid;
		if (is == -1) {          /* purged elsewhere: forget it */
			set_remove(ns, h, rowid);
			i = (h & mask) - 1;   /* the run moved: look again */
		}
	}
	return 0;
}

static int pend_push(struct sq_nonces *ns, uint64_t h, int64_t rowid,
		     yb_err *err)
{
	if (ns->npend == ns->pend_cap) {
		size_t cap = ns->pend_cap ? ns->pend_cap * 2 : 64;
		struct sq_nonce_ent *p = realloc(ns->pend, cap * sizeof *p);

		if (!p)
			return yb_errf(err, "out_of_memory", "out of memory");
		ns->pend = p;
		ns->pend_cap = cap;
	}
	ns->pend[ns->npend].h = h;
	ns->pend[ns->npend].rowid = rowid;
	ns->npend++;
	return 0;
}

static int nonce_put(sq_store *s, const yb_nhsa_rec *rec, int mode,
		     yb_err *err)
{
	struct sq_nonces *ns = nonces(s, err);
	uint64_t h;
	int64_t found, rowid;
	sqlite3_stmt *q;

	if (!ns)
		return -1;
	h = key_hash(ns, rec->key);
	if ((found = nonce_find(s, ns, h, rec->key, err)) < 0)
		return -1;
	if (found && mode == YB_NHSA_UPSERT) {
		q = sq_stmt(s, SQ_NHSA_NONCE_TOUCH,
			    "UPDATE nhsa_nonces SET at = ?2 WHERE rowid = ?1", err);
		if (!q)
			return -1;
		sqlite3_bind_int64(q, 1, found);
		sqlite3_bind_int64(q, 2, rec->at);
		return sq_exec(s, q, err);
	}
	if (found)
		return yb_nhsa_put_answer(rec->kind, rec->key, mode, 0, err);
	/* The next rowid, never one a purge freed: the set knows the
	 * highest there ever was (caught up above). */
	rowid = ns->last_rowid + 1;
	q = sq_stmt(s, SQ_NHSA_NONCE_INSERT,
		    "INSERT INTO nhsa_nonces (rowid, key, at) VALUES (?1, ?2, ?3)",
		    err);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, rowid);
	sq_bind_text(q, 2, rec->key);
	sqlite3_bind_int64(q, 3, rec->at);
	if (sq_exec(s, q, err) < 0)
		return -1;
	if (!set_add(ns, h, rowid) || pend_push(ns, h, rowid, err) < 0) {
		/* the row is in the transaction, the set cannot say so:
		 * read it all again at next use */
		sq_nonces_drop(s);
		return yb_errf(err, "out_of_memory", "out of memory");
	}
	return yb_nhsa_put_answer(rec->kind, rec->key, mode, 1, err);
}

int sq_nonce_get(sq_store *s, const char *key, yb_nhsa_rec *out, yb_err *err)
{
	struct sq_nonces *ns;
	int64_t found;
	sqlite3_stmt *q;
	int rc;

	/* A read transaction (no set of its own to load for one look-up):
	 * a scan — only tests and tools read a nonce. */
	if (sqlite3_txn_state(s->db, NULL) != SQLITE_TXN_WRITE) {
		q = sq_stmt(s, SQ_NHSA_NONCE_GET,
			    "SELECT key, at FROM nhsa_nonces WHERE key = ?1 "
			    "LIMIT 1", err);
		if (!q)
			return -1;
		sq_bind_text(q, 1, key);
		rc = sqlite3_step(q);
		found = rc == SQLITE_ROW;
	} else {
		if (!(ns = nonces(s, err)))
			return -1;
		found = nonce_find(s, ns, key_hash(ns, key), key, err);
		if (found <= 0)
			return (int)found;
		q = sq_stmt(s, SQ_NHSA_NONCE_GET_ROW,
			    "SELECT key, at FROM nhsa_nonces WHERE rowid = ?1",
			    err);
		if (!q)
			return -1;
		sqlite3_bind_int64(q, 1, found);
		rc = sqlite3_step(q);
		found = rc == SQLITE_ROW;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_reset(q);
		return sq_fail(s, err);
	}
	if (found) {
		memset(out, 0, sizeof *out);
		snprintf(out->kind, sizeof out->kind, "nonce");
		sq_col_text(q, 0, out->key, sizeof out->key);
		out->at = sqlite3_column_int64(q, 1);
		out->val = strdup("{}");
	}
	sqlite3_reset(q);
	if (found && !out->val)
		return yb_errf(err, "out_of_memory", "out of memory");
	return found ? 1 : 0;
}

static int nonce_delete(sq_store *s, const char *key, yb_err *err)
{
	struct sq_nonces *ns = nonces(s, err);
	uint64_t h;
	int64_t found;
	sqlite3_stmt *q;

	if (!ns)
		return -1;
	h = key_hash(ns, key);
	if ((found = nonce_find(s, ns, h, key, err)) <= 0)
		return (int)found;
	q = sq_stmt(s, SQ_NHSA_NONCE_DELETE,
		    "DELETE FROM nhsa_nonces WHERE rowid = ?1", err);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, found);
	if (sq_exec(s, q, err) < 0)
		return -1;
	set_remove(ns, h, found);
	ns->purged = true;               /* an undo brings it back: reload */
	return 0;
}

/*
 * Forget the nonces spent before `before`: the table's front, in the
 * order they were spent, up to the first spent at or after it.  (Were
 * the clock to go back, a nonce spent after one kept may be kept a
 * little longer: it only refuses its own replay, as it should anyway.)
 * The newest row is always kept, so the table's highest rowid never
 * goes back: a set read again later (a restart, a drop) draws rowids
 * after every one another connection's set has seen.
 */
static int nonce_purge(sq_store *s, yb_time before, yb_err *err)
{
	struct sq_nonces *ns = nonces(s, err);
	sqlite3_stmt *q;
	int64_t upto = 0, cand = 0;
	uint64_t cand_h = 0;
	int rc;

	if (!ns)
		return -1;
	q = sq_stmt(s, SQ_NHSA_NONCE_FRONT,
		    "SELECT rowid, key, at FROM nhsa_nonces ORDER BY rowid", err);
	if (!q)
		return -1;
	/* the candidate goes once a newer row is seen (the newest stays) */
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(q, 1);

		if (cand) {
			set_remove(ns, cand_h, cand);
			upto = cand;
		}
		if (sqlite3_column_int64(q, 2) >= before)
			break;
		cand = sqlite3_column_int64(q, 0);
		cand_h = key_hash(ns, key ? key : "");
	}
	sqlite3_reset(q);
	if (upto)
		ns->purged = true;           /* an undo brings them back */
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sq_nonces_drop(s);           /* the set is ahead of the table */
		return sq_fail(s, err);
	}
	if (!upto)
		return 0;
	if (upto + 1 > ns->front)
		ns->front = upto + 1;
	q = sq_stmt(s, SQ_NHSA_NONCE_CUT,
		    "DELETE FROM nhsa_nonces WHERE rowid <= ?1", err);
	if (!q || (sqlite3_bind_int64(q, 1, upto), sq_exec(s, q, err)) < 0) {
		sq_nonces_drop(s);
		return -1;
	}
	return 0;
}

/*
 * Outside a transaction (the store's own tests, tools), each operation is
 * a transaction of its own, as a statement in autocommit would be.
 */
static bool own_begin(sq_store *s, yb_err *err, int *rc)
{
	if (!sqlite3_get_autocommit(s->db))
		return false;
	s->tok_checked = false;
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		*rc = sq_fail(s, err);
	return true;
}

static int own_end(sq_store *s, int rc, yb_err *err)
{
	s->tok_checked = false;
	if (rc >= 0 && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)
	    == SQLITE_OK) {
		sq_nonces_end(s, true);
		return rc;
	}
	if (rc >= 0)
		rc = sq_fail(s, err);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	sq_nonces_drop(s);
	return rc;
}

int sq_nonce_put(sq_store *s, const yb_nhsa_rec *rec, int mode, yb_err *err)
{
	int rc = 0;

	if (!own_begin(s, err, &rc))
		return nonce_put(s, rec, mode, err);
	return rc < 0 ? rc : own_end(s, nonce_put(s, rec, mode, err), err);
}

int sq_nonce_delete(sq_store *s, const char *key, yb_err *err)
{
	int rc = 0;

	if (!own_begin(s, err, &rc))
		return nonce_delete(s, key, err);
	return rc < 0 ? rc : own_end(s, nonce_delete(s, key, err), err);
}

int sq_nonce_purge(sq_store *s, yb_time before, yb_err *err)
{
	int rc = 0;

	if (!own_begin(s, err, &rc))
		return nonce_purge(s, before, err);
	return rc < 0 ? rc : own_end(s, nonce_purge(s, before, err), err);
}

size_t sq_nonces_held(sq_store *s)
{
	return s->nonces ? s->nonces->n : 0;
}

/* ---- the transaction's marks (engine.c, stmt.c) ---- */

void sq_nonces_mark(sq_store *s)
{
	struct sq_nonces *ns = s->nonces;

	if (!ns)
		return;
	if (ns->depth < SQ_NONCE_MARKS)
		ns->mark[ns->depth] = ns->npend;
	ns->depth++;
}

void sq_nonces_unmark(sq_store *s, bool undo)
{
	struct sq_nonces *ns = s->nonces;

	if (!ns || ns->depth == 0) {
		/* marked before the set was loaded: everything it holds
		 * came after the mark */
		if (ns && undo) {
			if (ns->purged)
				sq_nonces_drop(s);
			else
				while (ns->npend) {
					ns->npend--;
					set_remove(ns, ns->pend[ns->npend].h,
						   ns->pend[ns->npend].rowid);
				}
		}
		return;
	}
	ns->depth--;
	if (!undo)
		return;
	if (ns->depth >= SQ_NONCE_MARKS || ns->purged) {
		sq_nonces_drop(s);
		return;
	}
	while (ns->npend > ns->mark[ns->depth]) {
		ns->npend--;
		set_remove(ns, ns->pend[ns->npend].h, ns->pend[ns->npend].rowid);
	}
}

void sq_nonces_end(sq_store *s, bool committed)
{
	struct sq_nonces *ns = s->nonces;

	if (!ns)
		return;
	if (!committed && ns->purged) {
		sq_nonces_drop(s);
		return;
	}
	if (!committed)
		while (ns->npend) {
			ns->npend--;
			set_remove(ns, ns->pend[ns->npend].h,
				   ns->pend[ns->npend].rowid);
		}
	ns->npend = 0;
	ns->depth = 0;
	ns->purged = false;
}
