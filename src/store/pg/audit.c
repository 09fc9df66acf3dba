/*
 * audit.c — the hash-chained audit log (SPEC X3) on PostgreSQL: claiming
 * one of PG_AUDIT_CHAINS chains with a transaction-scoped advisory lock,
 * held to commit, so the audited writes on one chain append one at a
 * time while those on other chains go on (pgha); appending, listing and
 * scanning records, and the chain heads audit verify compares with.
 */
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "store/pg/pg_int.h"

static pg_store *PS(yb_store *st)
{
	return (pg_store *)st;
}

/* --- audit chain ------------------------------------------------------- */

#define AUDIT_COLS \
	"seq, at, actor, role, channel, action, target, result, prev_hash, " \
	"hash, chain"

/*
 * pgha: the audit log is PG_AUDIT_CHAINS hash chains, not one (see
 * docs/ARCHITECTURE.md "Audit chains").  A claim takes a chain for the
 * transaction — the first free one from the connection's own, by
 * try-lock, so writers do not queue behind each other — and answers, in
 * one round trip, its newest record's hash and fresh seqs from the
 * sequence all chains share.  The lock is a transaction-scoped advisory
 * lock, not a row lock on a head row: an import writes thousands of
 * records in one transaction, each under its own savepoint, and
 * updating one row that often in one transaction makes every later
 * access walk all its versions (measured: quadratic, 15 s for 2,000
 * records).  The head row (audit_chains) is written once, at commit.
 *
 * issue 16: a write transaction's records are not INSERTed one by one.
 * The first claim reserves several seqs (drawn after the lock, so each
 * is above every record the chain holds, and they rise); while the
 * chain is held, audit_head answers from memory (the newest record this
 * transaction appended, and the next reserved seq) and audit_insert
 * keeps the record in ps->ab.  pg_audit_flush writes them all with one
 * INSERT over arrays, and the chain's head in the same statement, just
 * before COMMIT: per group-commit batch one claim and one flush instead
 * of two statements per request.  A rollback_to drops the records made
 * since its savepoint (and un-counts any flushed since, which the
 * database undid); numbers reserved and not used are gaps, as a
 * rolled-back transaction's always were.  A read of the audit table in
 * the same transaction flushes first.
 */
static const pg_stmt st_audit_claim = { "audit_claim",
	"SELECT c.chain, c.hash, c.next_seq, "
	"  ARRAY(SELECT nextval('audit_seq') FROM generate_series(2, $3) "
	"        WHERE c.chain > 0) "   /* after the claim: a SubPlan */
	"FROM yb_audit_claim($1, $2) c", NULL };
/* seq 0 takes the next number; a given seq is kept as is (the service
 * hashed it), and one already used is refused (the primary key).  Only
 * outside a write transaction (a read transaction that writes). */
static const pg_stmt st_audit_insert = { "audit_insert",
	"INSERT INTO audit (" AUDIT_COLS ") "
	"VALUES (coalesce($1, nextval('audit_seq')), "
	"  $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)", NULL };
/* The buffered records, and (with $12 > 0) the chain's new head. */
static const pg_stmt st_audit_flush = { "audit_flush",
	"WITH a AS (INSERT INTO audit (" AUDIT_COLS ") "
	"  SELECT u.*, $11 FROM unnest($1::bigint[], $2::bigint[], "
	"    $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
	"    $8::text[], $9::text[], $10::text[]) u) "
	"UPDATE audit_chains SET seq = $12, hash = $13 "
	"WHERE chain = $11 AND seq < $12", NULL };
static const pg_stmt st_audit_list = { "audit_list",
	"SELECT " AUDIT_COLS " FROM audit WHERE seq < $1 "
	"ORDER BY seq DESC LIMIT $2", NULL };
static const pg_stmt st_audit_page = { "audit_page",
	"SELECT " AUDIT_COLS " FROM audit WHERE seq > $1 "
	"ORDER BY seq LIMIT $2", NULL };
static const pg_stmt st_audit_heads = { "audit_heads",
	"SELECT chain, seq, hash FROM audit_chains ORDER BY chain", NULL };

#define AUDIT_PAGE 1000
/* Records buffered before a flush even inside a transaction (memory). */
#define AUDIT_BUF_MAX 256
#define AUDIT_WANT_MAX 1024

static int decode_audit(pg_row *r, void *out)
{
	yb_audit_record *a = out;
	memset(a, 0, sizeof *a);
	a->seq = pg_r_i64(r);
	a->at = pg_r_i64(r);
	pg_r_str(r, a->actor, sizeof a->actor);
	PG_R_ENUM(r, yb_role_from_str, &a->role);
	PG_R_ENUM(r, yb_channel_from_str, &a->channel);
	pg_r_str(r, a->action, sizeof a->action);
	pg_r_str(r, a->target, sizeof a->target);
	pg_r_str(r, a->result, sizeof a->result);
	pg_r_str(r, a->prev_hash, sizeof a->prev_hash);
	pg_r_str(r, a->hash, sizeof a->hash);
	a->chain = (int)pg_r_i64(r);
	return 0;
}

static bool buffering(const pg_store *ps)
{
	return ps->in_txn && ps->txn_write;
}

/* The reserved seqs: the claim's own, then the array "{n,n,...}". */
static int take_seqs(pg_audit_buf *ab, int64_t first, const char *arr,
		     int want)
{
	int64_t *v = realloc(ab->seqs, sizeof *v * (size_t)want);
	int n = 0;

	if (!v)
		return -1;
	ab->seqs = v;
	v[n++] = first;
	for (const char *c = arr; *c && n < want;) {
		char *end;
		long long x = strtoll(c + 1, &end, 10);
		if (end == c + 1)
			break;
		v[n++] = x;
		c = end;
	}
	ab->nseqs = n;
	ab->next = 0;
	return 0;
}

/* Claim a chain (again: the one held, if any, is re-entrant and
 * preferred) with `want` fresh seqs.  *chain and *hash (the chain's
 * newest record in the table) answer; in a write transaction the chain
 * is held, and its seqs kept, to commit. */
static int audit_claim(pg_store *ps, int want, int *chain,
		       char hash[YB_HASH_HEX_SZ], yb_err *err)
{
	int pref = ps->audit_chain > 0 ? ps->audit_chain - 1 : ps->slot;
	pg_params q;
	PGresult *res;
	pg_row r;
	int64_t first;
	int rc = 0;

	pg_params_init(&q);
	pg_p_i64(&q, pref);
	pg_p_i64(&q, PG_AUDIT_CHAINS);
	pg_p_i64(&q, want);
	res = pg_run_release(ps, &st_audit_claim, &q, err);
	if (!res)
		return -1;
	r = pg_row_at(res, 0);
	*chain = (int)pg_r_i64(&r);
	pg_r_str(&r, hash, YB_HASH_HEX_SZ);
	first = pg_r_i64(&r);
	if (!r.bad && buffering(ps)) {
		ps->audit_chain = *chain;
		rc = take_seqs(&ps->ab, first, pg_r_text(&r), want);
	} else if (!r.bad) {
		rc = take_seqs(&ps->ab, first, "", 1);
	}
	PQclear(res);
	if (r.bad)
		return pg_corrupt(err, "audit chain");
	if (rc < 0)
		return yb_errf(err, "out_of_memory", "out of memory");
	return 0;
}

/* In a write transaction: hold a chain with a free seq reserved. */
static int audit_ready(pg_store *ps, yb_err *err)
{
	pg_audit_buf *ab = &ps->ab;
	char hash[YB_HASH_HEX_SZ];
	bool held = ps->audit_chain > 0;
	int chain, want;

	if (held && ab->next < ab->nseqs)
		return 0;
	/* as many as the last transaction used, so that a steady load
	 * leaves few numbers unused; running out, as many again as this
	 * one has used (doubling) */
	want = ab->want > 0 ? ab->want : 1;
	if (held && want < ab->used)
		want = ab->used;
	if (want > AUDIT_WANT_MAX)
		want = AUDIT_WANT_MAX;
	if (audit_claim(ps, want, &chain, hash, err) < 0)
		return -1;
	if (!held) {
		/* the chain's newest record, before any of ours */
		memcpy(ab->tip.hash, hash, sizeof ab->tip.hash);
		ab->tip.seq = 0;
	}
	return 0;
}

int pg_audit_head(yb_store *st, yb_audit_record *out, yb_err *err)
{
	pg_store *ps = PS(st);
	char hash[YB_HASH_HEX_SZ];
	int chain;

	memset(out, 0, sizeof *out);
	if (!buffering(ps)) {
		if (audit_claim(ps, 1, &chain, hash, err) < 0)
			return -1;
		out->chain = chain;
		out->seq = ps->ab.seqs[0] - 1;   /* the next takes seq + 1 */
		memcpy(out->hash, hash, sizeof out->hash);
		return 1;
	}
	if (audit_ready(ps, err) < 0)
		return -1;
	out->chain = ps->audit_chain;
	out->seq = ps->ab.seqs[ps->ab.next] - 1;
	memcpy(out->hash, ps->ab.tip.hash, sizeof out->hash);
	return 1;
}

/* A read transaction that writes a record: at once, as it always did. */
static int audit_insert_now(pg_store *ps, const yb_audit_record *rec,
			    yb_err *err)
{
	char hash[YB_HASH_HEX_SZ];
	pg_params q;
	int chain = ps->audit_chain;

	if (chain == 0 && audit_claim(ps, 1, &chain, hash, err) < 0)
		return -1;
	pg_params_init(&q);
	pg_p_id(&q, rec->seq);
	pg_p_i64(&q, rec->at);
	pg_p_text(&q, rec->actor);
	pg_p_enum(&q, yb_role_str(rec->role));
	pg_p_enum(&q, yb_channel_str(rec->channel));
	pg_p_text(&q, rec->action);
	pg_p_text(&q, rec->target);
	pg_p_text(&q, rec->result);
	pg_p_text(&q, rec->prev_hash);
	pg_p_text(&q, rec->hash);
	pg_p_i64(&q, chain);
	return pg_exec(ps, &st_audit_insert, &q, err);
}

/* Keep rec on the held chain; seq 0 takes the next reserved number. */
static int audit_buffer(pg_store *ps, const yb_audit_record *rec,
			yb_err *err)
{
	pg_audit_buf *ab = &ps->ab;
	yb_audit_record *r;

	if (audit_ready(ps, err) < 0)
		return -1;
	if (ab->n == ab->cap) {
		int cap = ab->cap ? 2 * ab->cap : 16;
		yb_audit_record *v = realloc(ab->rec, sizeof *v * (size_t)cap);
		if (!v)
			return yb_errf(err, "out_of_memory", "out of memory");
		ab->rec = v;
		ab->cap = cap;
	}
	r = &ab->rec[ab->n];
	*r = *rec;
	r->chain = ps->audit_chain;
	if (r->seq == 0)
		r->seq = ab->seqs[ab->next];
	while (ab->next < ab->nseqs && ab->seqs[ab->next] <= r->seq)
		ab->next++;
	ab->n++;
	ab->used++;
	memcpy(ab->tip.hash, r->hash, sizeof ab->tip.hash);
	ab->tip.seq = r->seq;
	if (ab->n - ab->flushed >= AUDIT_BUF_MAX)
		return pg_audit_flush(ps, false, err);
	return 0;
}

int pg_audit_insert(yb_store *st, const yb_audit_record *rec, yb_err *err)
{
	pg_store *ps = PS(st);
	bool own;

	if (ps->in_txn && !ps->txn_write)
		return audit_insert_now(ps, rec, err);
	/* in a transaction of its own if none is open: its commit writes
	 * the record and the chain's new head */
	if (pg_auto_begin(ps, &own, err) < 0)
		return -1;
	return pg_auto_end(ps, own, audit_buffer(ps, rec, err) == 0, err);
}

/* --- the buffer's part in transactions (engine.c) ---------------------- */

/* Columns of the flush, rec[from..to) as arrays. */
static void flush_params(pg_params *q, const pg_audit_buf *ab, int from,
			 int to)
{
	int n = to - from;
	int64_t *num = malloc(sizeof *num * (size_t)(n ? n : 1));
	const char **txt = malloc(sizeof *txt * (size_t)(n ? n : 1));
	const yb_audit_record *r = ab->rec + from;

	if (!num || !txt) {
		q->oom = true;
		goto out;
	}
	for (int i = 0; i < n; i++)
		num[i] = r[i].seq;
	pg_p_i64_array(q, num, n);
	for (int i = 0; i < n; i++)
		num[i] = r[i].at;
	pg_p_i64_array(q, num, n);
#define COL(expr, add)                                  \
	do {                                            \
		for (int i = 0; i < n; i++)             \
			txt[i] = (expr);                \
		add(q, txt, n);                         \
	} while (0)
#define TEXT_COL(expr) COL(expr, pg_p_text_array)
	TEXT_COL(r[i].actor);
	COL(yb_role_str(r[i].role), pg_p_enum_array);
	COL(yb_channel_str(r[i].channel), pg_p_enum_array);
	TEXT_COL(r[i].action);
	TEXT_COL(r[i].target);
	TEXT_COL(r[i].result);
	TEXT_COL(r[i].prev_hash);
	TEXT_COL(r[i].hash);
#undef TEXT_COL
#undef COL
out:
	free(num);
	free(txt);
}

/* Records flushed outside any savepoint stay written whatever the caller
 * rolls back to later: no need to keep them. */
static void forget_flushed(pg_audit_buf *ab)
{
	if (ab->flushed == 0)
		return;
	memmove(ab->rec, ab->rec + ab->flushed,
		sizeof *ab->rec * (size_t)(ab->n - ab->flushed));
	ab->n -= ab->flushed;
	ab->flushed = 0;
}

int pg_audit_flush(pg_store *ps, bool at_commit, yb_err *err)
{
	pg_audit_buf *ab = &ps->ab;
	bool head = at_commit && ab->tip.seq > 0;
	pg_params q;

	if (ps->audit_chain <= 0 || (ab->n == ab->flushed && !head))
		return 0;
	pg_params_init(&q);
	flush_params(&q, ab, ab->flushed, ab->n);
	pg_p_i64(&q, ps->audit_chain);
	pg_p_i64(&q, head ? ab->tip.seq : 0);
	pg_p_text(&q, ab->tip.hash);
	if (pg_exec(ps, &st_audit_flush, &q, err) < 0)
		return -1;
	ab->flushed = ab->n;
	if (!ps->sp_open)
		forget_flushed(ab);
	return 0;
}

void pg_audit_txn_begin(pg_store *ps)
{
	pg_audit_buf *ab = &ps->ab;

	ab->n = ab->flushed = ab->n_sp = ab->flushed_sp = 0;
	ab->nseqs = ab->next = 0;
	ab->used = 0;
	memset(&ab->tip, 0, sizeof ab->tip);
	memset(&ab->tip_sp, 0, sizeof ab->tip_sp);
}

/* What a rollback_to to this savepoint returns to.  Records flushed
 * before it are written for good (the savepoint is younger). */
void pg_audit_savepoint(pg_store *ps)
{
	pg_audit_buf *ab = &ps->ab;

	forget_flushed(ab);
	ab->n_sp = ab->n;
	ab->flushed_sp = ab->flushed;
	ab->tip_sp = ab->tip;
}

/* The records since the savepoint go; those flushed since it are out of
 * the table again (the database undid the INSERT), so not flushed.  A
 * chain claimed since it is released, and with it its reserved seqs. */
void pg_audit_rollback_to(pg_store *ps)
{
	pg_audit_buf *ab = &ps->ab;

	ab->n = ab->n_sp;
	ab->flushed = ab->flushed_sp;
	ab->tip = ab->tip_sp;
	if (ps->audit_chain == 0)
		ab->nseqs = ab->next = 0;
}

/* Reserve what this transaction used next time (a batch's size). */
void pg_audit_txn_end(pg_store *ps)
{
	pg_audit_buf *ab = &ps->ab;

	if (ab->used > 0)
		ab->want = ab->used < AUDIT_WANT_MAX ? ab->used : AUDIT_WANT_MAX;
	pg_audit_txn_begin(ps);
}

void pg_audit_free(pg_store *ps)
{
	free(ps->ab.rec);
	free(ps->ab.seqs);
	memset(&ps->ab, 0, sizeof ps->ab);
}

static int decode_head(pg_row *r, void *out)
{
	yb_audit_head *h = out;
	memset(h, 0, sizeof *h);
	h->chain = (int)pg_r_i64(r);
	h->seq = pg_r_i64(r);
	pg_r_str(r, h->hash, sizeof h->hash);
	return 0;
}

int pg_audit_heads(yb_store *st, yb_audit_head **out, int *n, yb_err *err)
{
	if (pg_audit_flush(PS(st), false, err) < 0)
		return -1;
	return pg_list(PS(st), &st_audit_heads, NULL, sizeof **out,
		       decode_head, (void **)out, n, err);
}

int pg_audit_list(yb_store *st, yb_id before, int limit,
		  yb_audit_record **out, int *n, yb_err *err)
{
	pg_params q;

	if (pg_audit_flush(PS(st), false, err) < 0)
		return -1;
	pg_params_init(&q);
	pg_p_i64(&q, pg_before(before));
	pg_p_i64(&q, pg_limit(limit));
	return pg_list(PS(st), &st_audit_list, &q, sizeof **out, decode_audit,
		       (void **)out, n, err);
}

/* Page through the chain so a long one is never held in memory whole. */
int pg_audit_scan(yb_store *st, yb_audit_visit_fn fn, void *arg,
		  yb_err *err)
{
	int64_t last = 0;

	if (pg_audit_flush(PS(st), false, err) < 0)
		return -1;
	for (;;) {
		yb_audit_record *page = NULL;
		int n = 0;
		pg_params q;
		int rc = 0;

		pg_params_init(&q);
		pg_p_i64(&q, last);
		pg_p_i64(&q, AUDIT_PAGE);
		if (pg_list(PS(st), &st_audit_page, &q, sizeof *page,
			    decode_audit, (void **)&page, &n, err) < 0)
			return -1;
		for (int i = 0; i < n && rc == 0; i++)
			if (fn(arg, &page[i], err) < 0)
				rc = -1;
		if (n > 0)
			last = page[n - 1].seq;
		free(page);
		if (rc < 0)
			return -1;
		if (n < AUDIT_PAGE)
			return 0;
	}
}
