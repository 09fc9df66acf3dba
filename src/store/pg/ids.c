/*
 * ids.c — ids reserved ahead for the PostgreSQL engine's deferred
 * inserts (issue 16, pg5).  A write deferred in a lazy batch (stmt.c
 * pg_defer) is not waited for, so it cannot answer the id its row got;
 * the store's contract sets that id at insert (a ledger transaction's,
 * a settlement's, a notification's).  So such an insert names its id,
 * drawn from a block this connection reserved from the table's own
 * identity sequence — the sequence every other insert draws from, so
 * an id is never given twice, whichever connection or engine path
 * wrote the row.
 *
 * Why that holds across crashes and failovers: a nextval is made
 * durable by the WAL flush of any later commit (the WAL is one
 * sequence), so an id on a committed row is never given again; ids
 * reserved and not yet durable are forgotten when the connection is
 * re-opened (engine.c), which is the only way to meet a server that
 * lost them.  Ids reserved and not used are gaps, as rolled-back
 * inserts leave.  What changes: ids of rows written by different
 * connections are no longer in the order of their inserts, only within
 * one connection's block (docs/POSTGRESQL.md "pg5").
 */
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_int.h"

/* The tables' identity columns (schema.c), in PG_ID_* order. */
static const char *const id_table[PG_ID__N] = {
	"ledger_txns", "settlements", "notifications",
};

static const pg_stmt st_reserve = { "ids_reserve",
	"SELECT nextval(q.s) FROM (SELECT pg_get_serial_sequence($1, 'id') "
	"  ::regclass AS s) q, generate_series(1, $2::int) ORDER BY 1", NULL };

void pg_ids_forget(pg_store *ps)
{
	memset(&ps->ids, 0, sizeof ps->ids);
}

/* Reserve a block of `which`: one round trip (it also collects what was
 * deferred before it). */
static int reserve(pg_store *ps, int which, yb_err *err)
{
	pg_params q;
	PGresult *res;
	int n;

	pg_params_init(&q);
	pg_p_text(&q, id_table[which]);
	pg_p_i64(&q, PG_ID_BLOCK);
	res = pg_run_release(ps, &st_reserve, &q, err);
	if (!res)
		return -1;
	n = PQntuples(res);
	if (n != PG_ID_BLOCK) {
		PQclear(res);
		return yb_errf(err, "store.error",
			       "postgresql: no ids reserved for %s",
			       id_table[which]);
	}
	for (int i = 0; i < n; i++)
		ps->ids.v[which][i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	ps->ids.n[which] = n;
	ps->ids.next[which] = 0;
	PQclear(res);
	return 0;
}

int pg_reserve_id(pg_store *ps, int which, int64_t *out, yb_err *err)
{
	if (ps->ids.next[which] >= ps->ids.n[which] &&
	    reserve(ps, which, err) < 0)
		return -1;
	*out = ps->ids.v[which][ps->ids.next[which]++];
	return 0;
}
