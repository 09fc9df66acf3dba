/*
 * ids.c — ids drawn ahead for the PostgreSQL engine's deferred inserts
 * (issue 16, pg5).  A write deferred in a lazy batch (stmt.c pg_defer)
 * is not waited for, so it cannot answer the id its row got; the
 * store's contract sets that id at insert (a ledger transaction's, a
 * settlement's, a notification's).  So such an insert names its id,
 * drawn from the table's own identity sequence — the one every other
 * insert draws from, so an id is never given twice.
 *
 * When: in the same round trip as the accounts' lock of the request
 * (ledger.c; a settlement locks before it writes), one id of each
 * table; an insert finding none drawn draws one itself (a round trip).
 * Ids are forgotten at every request boundary (savepoint, rollback_to,
 * commit, rollback) and never serve a later request: drawn within the
 * request, they keep the order of the requests as the column's default
 * does — lists are newest first by id.  (Blocks of ids per connection
 * were tried first and broke that: two requests one after the other on
 * the two writers got ids 34 and 2.)  Drawn and unused, they are gaps,
 * as rolled-back inserts leave.
 *
 * Across crashes and failovers: a nextval is made durable by the WAL
 * flush of the commit that uses it (the WAL is one sequence), so an id
 * on a committed row is never given again.
 */
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_int.h"

/* The identity columns' sequences by name (PostgreSQL's default names
 * for them, schema.c never names them otherwise): resolved once, when
 * the statement is prepared; pg_get_serial_sequence() per call cost a
 * catalog look-up each (0.05 ms a settlement). */
const pg_stmt pg_st_ids_draw_all = { "ids_draw_all",
	"SELECT nextval('ledger_txns_id_seq'), nextval('settlements_id_seq'), "
	"  nextval('notifications_id_seq')", NULL };
static const pg_stmt st_draw_one = { "ids_draw_one",
	"SELECT nextval(pg_get_serial_sequence($1, 'id'))", NULL };

/* The tables' identity columns (schema.c), in PG_ID_* order. */
static const char *const id_table[PG_ID__N] = {
	"ledger_txns", "settlements", "notifications",
};

void pg_ids_forget(pg_store *ps)
{
	memset(&ps->ids, 0, sizeof ps->ids);
}

PGresult *pg_run_drawing_ids(pg_store *ps, const pg_stmt *s, pg_params *p,
			     yb_err *err)
{
	pg_params none;
	PGresult *res, *ids;

	if (!pg_deferring(ps))
		return pg_run_release(ps, s, p, err);
	pg_params_init(&none);
	if (pg_run_pair(ps, s, p, &pg_st_ids_draw_all, &none, &res, &ids,
			err) < 0)
		return NULL;
	pg_ids_take(ps, ids);
	PQclear(ids);
	return res;
}

void pg_ids_take(pg_store *ps, PGresult *ids)
{
	if (PQntuples(ids) == 1 && PQnfields(ids) == PG_ID__N)
		for (int i = 0; i < PG_ID__N; i++) {
			ps->ids.v[i] = strtoll(PQgetvalue(ids, 0, i), NULL, 10);
			ps->ids.has[i] = true;
		}
}

int pg_reserve_id(pg_store *ps, int which, int64_t *out, yb_err *err)
{
	pg_params q;
	PGresult *res;

	if (ps->ids.has[which]) {
		ps->ids.has[which] = false;
		*out = ps->ids.v[which];
		return 0;
	}
	pg_params_init(&q);
	pg_p_text(&q, id_table[which]);
	res = pg_run_release(ps, &st_draw_one, &q, err);
	if (!res)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return yb_errf(err, "store.error", "postgresql: no id drawn "
			       "for %s", id_table[which]);
	}
	*out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}
