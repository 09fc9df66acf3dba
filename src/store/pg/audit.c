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
 * docs/ARCHITECTURE.md "Audit chains").  audit_head claims a chain for
 * the transaction — the first free one from the connection's own, by
 * try-lock, so writers do not queue behind each other — and answers, in
 * one round trip, its newest record's hash and a fresh seq from the
 * sequence all chains share.  The lock is a transaction-scoped advisory
 * lock, not a row lock on a head row: an import writes thousands of
 * records in one transaction, each under its own savepoint, and
 * updating one row that often in one transaction makes every later
 * access walk all its versions (measured: quadratic, 15 s for 2,000
 * records).  The head row (audit_chains) is written once, at commit
 * (engine.c).
 */
static const pg_stmt st_audit_claim = { "audit_claim",
	"SELECT chain, next_seq, hash FROM yb_audit_claim($1, $2)", NULL };
/* seq 0 takes the next number; a given seq is kept as is (the service
 * hashed it), and one already used is refused (the primary key). */
static const pg_stmt st_audit_insert = { "audit_insert",
	"INSERT INTO audit (" AUDIT_COLS ") "
	"VALUES (coalesce($1, nextval('audit_seq')), "
	"  $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)", NULL };
static const pg_stmt st_audit_list = { "audit_list",
	"SELECT " AUDIT_COLS " FROM audit WHERE seq < $1 "
	"ORDER BY seq DESC LIMIT $2", NULL };
static const pg_stmt st_audit_page = { "audit_page",
	"SELECT " AUDIT_COLS " FROM audit WHERE seq > $1 "
	"ORDER BY seq LIMIT $2", NULL };
static const pg_stmt st_audit_heads = { "audit_heads",
	"SELECT chain, seq, hash FROM audit_chains ORDER BY chain", NULL };

#define AUDIT_PAGE 1000

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

/* Claim a chain (again: the one held, if any, is re-entrant and
 * preferred) and fill *out as the record to chain from. */
static int audit_claim(pg_store *ps, yb_audit_record *out, yb_err *err)
{
	int pref = ps->audit_chain > 0 ? ps->audit_chain - 1 : ps->slot;
	pg_params q;
	PGresult *res;
	pg_row r;

	pg_params_init(&q);
	pg_p_i64(&q, pref);
	pg_p_i64(&q, PG_AUDIT_CHAINS);
	res = pg_run_release(ps, &st_audit_claim, &q, err);
	if (!res)
		return -1;
	r = pg_row_at(res, 0);
	memset(out, 0, sizeof *out);
	out->chain = (int)pg_r_i64(&r);
	/* the next record takes seq + 1 (store.h) */
	out->seq = pg_r_i64(&r) - 1;
	pg_r_str(&r, out->hash, sizeof out->hash);
	PQclear(res);
	if (r.bad)
		return pg_corrupt(err, "audit chain");
	if (ps->in_txn && ps->txn_write)
		ps->audit_chain = out->chain;
	return 0;
}

int pg_audit_head(yb_store *st, yb_audit_record *out, yb_err *err)
{
	if (audit_claim(PS(st), out, err) < 0)
		return -1;
	return 1;
}

int pg_audit_insert(yb_store *st, const yb_audit_record *rec, yb_err *err)
{
	pg_store *ps = PS(st);
	yb_audit_record head;
	pg_params q;
	bool own;
	int rc;

	/* in a transaction of its own if none is open, so that its commit
	 * records the chain's new head */
	if (pg_auto_begin(ps, &own, err) < 0)
		return -1;
	/* a record goes on the chain this transaction holds */
	if (ps->audit_chain == 0 && audit_claim(ps, &head, err) < 0)
		return pg_auto_end(ps, own, false, err);
	pg_params_init(&q);
	pg_p_id(&q, rec->seq);
	pg_p_i64(&q, rec->at);
	pg_p_text(&q, rec->actor);
	pg_p_text(&q, yb_role_str(rec->role));
	pg_p_text(&q, yb_channel_str(rec->channel));
	pg_p_text(&q, rec->action);
	pg_p_text(&q, rec->target);
	pg_p_text(&q, rec->result);
	pg_p_text(&q, rec->prev_hash);
	pg_p_text(&q, rec->hash);
	pg_p_i64(&q, ps->audit_chain);
	rc = pg_exec(ps, &st_audit_insert, &q, err);
	return pg_auto_end(ps, own, rc == 0, err);
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
	return pg_list(PS(st), &st_audit_heads, NULL, sizeof **out,
		       decode_head, (void **)out, n, err);
}

int pg_audit_list(yb_store *st, yb_id before, int limit,
		  yb_audit_record **out, int *n, yb_err *err)
{
	pg_params q;
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
