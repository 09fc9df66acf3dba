/*
 * sqlite_family.c — SQLite engine: the rest of the family policy (SPEC
 * E2 monthly caps per binding and the cuts they made).  See store.h for
 * what each operation promises; pg_family.c is the PostgreSQL twin.
 */
#include "store/sqlite_int.h"

#include <string.h>

int sq_binding_cap_get(yb_store *st, yb_id binding_id, int64_t *cap_fen,
		       yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_CAP_GET,
		"SELECT cap_fen FROM binding_caps WHERE binding_id = ?1", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, binding_id);
	return sq_step_ints(s, q, cap_fen, 1, err);
}

int sq_binding_cap_put(yb_store *st, yb_id binding_id, int64_t cap_fen,
		       yb_time at, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q;

	if (cap_fen < 0) {
		q = sq_stmt(s, SQ_CAP_DELETE,
			    "DELETE FROM binding_caps WHERE binding_id = ?1", err);
		if (!q)
			return -1;
		sqlite3_bind_int64(q, 1, binding_id);
		return sq_exec(s, q, err);
	}
	q = sq_stmt(s, SQ_CAP_PUT,
		"INSERT INTO binding_caps (binding_id, cap_fen, set_at) "
		"VALUES (?1, ?2, ?3) ON CONFLICT (binding_id) DO UPDATE SET "
		"cap_fen = excluded.cap_fen, set_at = excluded.set_at", err);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, binding_id);
	sqlite3_bind_int64(q, 2, cap_fen);
	sqlite3_bind_int64(q, 3, at);
	return sq_exec(s, q, err);
}

/* Through the index settlement_shares_binding: a binding's shares, then
 * each one's settlement by primary key. */
int sq_binding_used(yb_store *st, yb_id binding_id, yb_time from, yb_time to,
		    int64_t *used_fen, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_BINDING_USED,
		"SELECT coalesce(sum(sh.amount_fen), 0) "
		"FROM settlement_shares sh "
		"JOIN settlements x ON x.id = sh.settlement_id "
		"WHERE sh.binding_id = ?1 AND x.state = 'settled' "
		"AND x.settled_at >= ?2 AND x.settled_at < ?3", err);

	*used_fen = 0;
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, binding_id);
	sqlite3_bind_int64(q, 2, from);
	sqlite3_bind_int64(q, 3, to);
	return sq_step_ints(s, q, used_fen, 1, err) < 0 ? -1 : 0;
}

int sq_cap_cuts_insert(yb_store *st, const yb_settlement *x, yb_err *err)
{
	sq_store *s = sq_of(st);

	for (int i = 0; i < x->ncap_cuts; i++) {
		sqlite3_stmt *q = sq_stmt(s, SQ_CAP_CUT_INSERT,
			"INSERT INTO settlement_cap_cuts (settlement_id, "
			"binding_id, payer_person_id, cut_fen) "
			"VALUES (?1, ?2, ?3, ?4)", err);

		if (!q)
			return -1;
		sqlite3_bind_int64(q, 1, x->id);
		sqlite3_bind_int64(q, 2, x->cap_cuts[i].binding_id);
		sqlite3_bind_int64(q, 3, x->cap_cuts[i].payer_person_id);
		sqlite3_bind_int64(q, 4, x->cap_cuts[i].cut_fen);
		if (sq_exec(s, q, err) < 0)
			return -1;
	}
	return 0;
}

int sq_cap_cuts_load(yb_store *st, yb_settlement *x, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_CAP_CUTS_OF,
		"SELECT c.binding_id, c.payer_person_id, p.ssn, c.cut_fen "
		"FROM settlement_cap_cuts c JOIN persons p "
		"ON p.id = c.payer_person_id "
		"WHERE c.settlement_id = ?1 ORDER BY c.binding_id", err);
	int step, rc = 0;

	x->ncap_cuts = 0;
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, x->id);
	while ((step = sqlite3_step(q)) == SQLITE_ROW &&
	       x->ncap_cuts < YB_MAX_SHARES) {
		yb_cap_cut *c = &x->cap_cuts[x->ncap_cuts++];

		memset(c, 0, sizeof *c);
		c->binding_id = sq_col_int(q, 0);
		c->payer_person_id = sq_col_int(q, 1);
		sq_col_text(q, 2, c->payer_ssn, sizeof c->payer_ssn);
		c->cut_fen = sq_col_int(q, 3);
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = sq_fail(s, err);
	sq_done(q);
	return rc;
}
