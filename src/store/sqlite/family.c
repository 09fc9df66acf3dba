/*
 * family.c — SQLite engine: the rest of the family policy (SPEC
 * E1 premiums paid for relatives, E2 monthly caps per binding and the
 * cuts they made).  See store.h for
 * what each operation promises; pg/family.c is the PostgreSQL twin.
 */
#include "store/sqlite/sqlite_int.h"

#include <stdlib.h>
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

/* ---- E1 premiums for relatives ------------------------------------------- */

#define PREMIUM_COLS                                                       \
	"x.id, x.relative_id, r.ssn, r.name, x.year, x.payer_id, a.ssn, "     \
	"a.name, x.binding_id, x.amount_fen, x.ledger_txn_id, "               \
	"x.contribution_id, x.client_request_id, x.created_at "               \
	"FROM premium_payments x JOIN persons r ON r.id = x.relative_id "     \
	"JOIN persons a ON a.id = x.payer_id"

static int read_premium(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_premium *p = elem;

	(void)err;
	memset(p, 0, sizeof *p);
	p->id = sq_col_int(q, 0);
	p->relative_id = sq_col_int(q, 1);
	sq_col_text(q, 2, p->relative_ssn, sizeof p->relative_ssn);
	sq_col_text(q, 3, p->relative_name, sizeof p->relative_name);
	p->year = (int)sq_col_int(q, 4);
	p->payer_id = sq_col_int(q, 5);
	sq_col_text(q, 6, p->payer_ssn, sizeof p->payer_ssn);
	sq_col_text(q, 7, p->payer_name, sizeof p->payer_name);
	p->binding_id = sq_col_int(q, 8);
	p->amount_fen = sq_col_int(q, 9);
	p->ledger_txn_id = sq_col_int(q, 10);
	p->contribution_id = sq_col_int(q, 11);
	sq_col_text(q, 12, p->client_request_id, sizeof p->client_request_id);
	p->created_at = sq_col_int(q, 13);
	return 0;
}

int sq_premium_insert(yb_store *st, yb_premium *p, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_PREMIUM_INSERT,
		"INSERT INTO premium_payments (relative_id, year, payer_id, "
		"binding_id, amount_fen, ledger_txn_id, contribution_id, "
		"client_request_id, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", err);
	int rc;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, p->relative_id);
	sqlite3_bind_int64(q, 2, p->year);
	sqlite3_bind_int64(q, 3, p->payer_id);
	sq_bind_opt_int(q, 4, p->binding_id);
	sqlite3_bind_int64(q, 5, p->amount_fen);
	sqlite3_bind_int64(q, 6, p->ledger_txn_id);
	sqlite3_bind_int64(q, 7, p->contribution_id);
	sq_bind_text(q, 8, p->client_request_id);
	sqlite3_bind_int64(q, 9, p->created_at);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		sq_done(q);
		p->id = sqlite3_last_insert_rowid(s->db);
		return 0;
	}
	/* Two unique constraints, two codes: the message names the columns. */
	if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE) {
		bool request = strstr(sqlite3_errmsg(s->db),
				      "client_request_id") != NULL;
		sq_done(q);
		return yb_refuse(err, request ? YB_REFUSE_PREMIUM_REQUEST_REUSED
					      : YB_REFUSE_PREMIUM_PAID);
	}
	rc = sq_fail(s, err);
	sq_done(q);
	return rc;
}

int sq_premium_by_request(yb_store *st, yb_id payer_id,
			  const char *client_request_id, yb_premium *out,
			  yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_PREMIUM_BY_REQUEST,
		"SELECT " PREMIUM_COLS " WHERE x.payer_id = ?1 "
		"AND x.client_request_id = ?2", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, payer_id);
	sq_bind_text(q, 2, client_request_id);
	return sq_lookup(s, q, read_premium, out, err);
}

int sq_premium_by_relative_year(yb_store *st, yb_id relative_id, int year,
				yb_premium *out, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_PREMIUM_BY_RELATIVE_YEAR,
		"SELECT " PREMIUM_COLS " WHERE x.relative_id = ?1 "
		"AND x.year = ?2", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, relative_id);
	sqlite3_bind_int64(q, 2, year);
	return sq_lookup(s, q, read_premium, out, err);
}

int sq_premiums_of_payer(yb_store *st, yb_id payer_id, yb_id before,
			 int limit, yb_premium **out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_PREMIUMS_OF_PAYER,
		"SELECT " PREMIUM_COLS " WHERE x.payer_id = ?1 AND x.id < ?2 "
		"ORDER BY x.id DESC LIMIT ?3", err);

	if (q)
		sqlite3_bind_int64(q, 1, payer_id);
	return sq_page(s, q, before, limit, sizeof **out, read_premium,
		       (void **)out, n, err);
}
