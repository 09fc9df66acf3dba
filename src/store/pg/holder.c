/*
 * holder.c — issue 16, pg3: a settlement by card asks, one after the
 * other, for the card (FOR UPDATE), its holder (FOR SHARE), the holder's
 * personal account and the payers who may pay for the holder — four
 * round trips on the writer, each waiting for the one before.  Inside a
 * write transaction the card's look-up asks for all of it at once: the
 * card with its holder and the personal account in one statement (the
 * same row locks as the two look-ups took), and the payer candidates by
 * the card's number pipelined behind it, in the same round trip
 * (stmt.c).  What came along is remembered (pg_prefetch, pg_int.h) and
 * served to the next look-ups only while no other statement has run
 * since: this transaction has locked the card and the holder, and has
 * changed nothing in between.  The candidates lock nothing, as
 * payer_candidates does not (settle.c); the settlement locks their
 * accounts before it moves money.  The service and the SQLite engine
 * are unchanged: on SQLite each look-up is a call into the library.
 * A settlement by ID number does the same from the person's look-up.
 *
 * pg4: the candidates bring their bindings' monthly caps (E2) too, and
 * binding_cap_get serves them for the rest of the request (pg_caps) —
 * the cap look-up was a round trip of its own for more than half the
 * settlements.  Why reading it this early is as good: a settlement never
 * locks a cap (it did not before either: binding_cap_get is a plain
 * read, after the accounts' lock but still racing a change); a change
 * of cap and a settlement paying under it are ordered only by their
 * commits, and reading the cap before the accounts' lock instead of
 * just after moves the read within the same transaction, before any
 * write of it, so every outcome it allows was already allowed (the
 * settlement serializes before the change).  A change this connection
 * makes itself (binding_cap_put) forgets them.
 */
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_int.h"

#define PERSONAL_COLS \
	"a.id, a.kind, a.person_id, a.institution_code, a.balance_fen, " \
	"a.closed_at IS NOT NULL, a.created_at"

/* A personal account has no slotted balance (ledger.c's
 * ACCOUNT_BALANCE adds nothing for it): its row's balance is its
 * balance. */
#define CARD_HOLDER \
	"SELECT " PG_CARD_COLS("c.") ", " PG_PERSON_COLS("p.") ", " \
	PERSONAL_COLS " " \
	"FROM cards c JOIN persons p ON p.id = c.person_id " \
	"  LEFT JOIN accounts a ON a.person_id = c.person_id " \
	"    AND a.kind = 'personal' " \
	"WHERE c.card_no = $1"
static const pg_stmt st_card_holder = { "card_holder", CARD_HOLDER,
	"FOR UPDATE OF c FOR SHARE OF p" };
/* pg6: a job that must not wait (store.h batch_job): the same locks,
 * or no row when another transaction holds one of them; whether the
 * card exists then says which. */
static const pg_stmt st_card_holder_nowait = { "card_holder_nowait",
	CARD_HOLDER, "FOR UPDATE OF c SKIP LOCKED FOR SHARE OF p SKIP LOCKED" };
static const pg_stmt st_card_exists = { "card_exists",
	"SELECT 1 FROM cards WHERE card_no = $1", NULL };
static const pg_stmt st_card_candidates = { "card_candidates",
	PG_CANDIDATES_FROM
	"WHERE b.relative_id = (SELECT person_id FROM cards WHERE card_no = $1)"
	PG_CANDIDATES_ORDER, NULL };
/* The same for a settlement by ID number (person_by_id_number). */
#define IDNUM_PERSON \
	"SELECT " PG_PERSON_COLS("p.") ", " PERSONAL_COLS " " \
	"FROM persons p LEFT JOIN accounts a ON a.person_id = p.id " \
	"    AND a.kind = 'personal' " \
	"WHERE p.id_number = $1"
static const pg_stmt st_idnum_person = { "idnum_person", IDNUM_PERSON,
	"FOR SHARE OF p" };
static const pg_stmt st_idnum_person_nowait = { "idnum_person_nowait",
	IDNUM_PERSON, "FOR SHARE OF p SKIP LOCKED" };
static const pg_stmt st_idnum_exists = { "idnum_exists",
	"SELECT 1 FROM persons WHERE id_number = $1", NULL };
static const pg_stmt st_idnum_candidates = { "idnum_candidates",
	PG_CANDIDATES_FROM
	"WHERE b.relative_id = (SELECT id FROM persons WHERE id_number = $1)"
	PG_CANDIDATES_ORDER, NULL };

/* The card (if asked), the person and the account from the first row;
 * -1 if corrupt. */
static int decode_first(pg_store *ps, PGresult *res, yb_card *card,
			yb_err *err)
{
	pg_row r = pg_row_at(res, 0);
	pg_prefetch *pre = &ps->pre;

	if (card)
		pg_decode_card(&r, card);
	pg_decode_person(&r, &pre->person);
	pre->has_account = !PQgetisnull(res, 0, r.col);
	if (pre->has_account)
		pg_decode_account(&r, &pre->account);
	if (r.bad)
		return pg_corrupt(err, "person with account");
	return 0;
}

/*
 * pg6: a job of a batch that must not wait for rows another transaction
 * holds (store.h batch_job) found no row with SKIP LOCKED: 0 when there
 * is none, -1 refused (store.busy) when it is only held.  A card is
 * such a crossing point: two writers' batches each settling the same
 * patient, one waiting for the card the other's earlier job locked
 * while the other waits for an account the first holds (deadlocks seen
 * in bench/pg_profile's server log).
 */
static int held_or_none(pg_store *ps, const pg_stmt *exists,
			const char *key, yb_err *err)
{
	pg_params q;
	PGresult *res;
	int n;

	pg_params_init(&q);
	pg_p_text(&q, key);
	res = pg_run_release(ps, exists, &q, err);
	if (!res)
		return -1;
	n = PQntuples(res);
	PQclear(res);
	if (n == 0)
		return 0;
	ps->job_refused = true;
	return yb_errf(err, "store.busy",
		       "a card or person is held by another writer's batch");
}

/* Run the look-up `s1` by `key` with the candidates `s2` behind it and
 * remember what came: 1, 0 no row, -1 error.  `s1nw` and `exists`: the
 * look-up for a job that must not wait, and whether `key` exists. */
static int with_rows(pg_store *ps, const pg_stmt *s1, const pg_stmt *s1nw,
		     const pg_stmt *exists, const pg_stmt *s2,
		     const char *key, yb_card *card, yb_err *err)
{
	pg_params q1, q2;
	PGresult *r1, *r2;
	int rc = -1;
	bool nowait = ps->job_nowait && ps->in_txn && ps->txn_write;

	if (nowait)
		s1 = s1nw;

	pg_params_init(&q1);
	pg_p_text(&q1, key);
	pg_params_init(&q2);
	pg_p_text(&q2, key);
	pg_p_i64(&q2, PG_PRE_CANDIDATES);
	if (pg_run_pair(ps, s1, &q1, s2, &q2, &r1, &r2, err) < 0)
		return -1;
	if (PQntuples(r1) == 0) {
		rc = 0;
		if (nowait)
			rc = held_or_none(ps, exists, key, err);
	} else if (pg_holder_take(ps, r1, r2, card, err) == 0) {
		rc = 1;
	}
	PQclear(r1);
	PQclear(r2);
	return rc;
}

/* The rows of a look-up that found one (`first`) and its candidates
 * remembered (pg_prefetch, pg_caps): 0, or -1 for a corrupt row. */
int pg_holder_take(pg_store *ps, PGresult *first, PGresult *cand,
		   yb_card *card, yb_err *err)
{
	if (decode_first(ps, first, card, err) < 0 ||
	    pg_decode_candidates(cand, ps->pre.cand, err) < 0)
		return -1;
	ps->pre.ncand = PQntuples(cand);
	ps->pre.valid = true;
	pg_caps_take(ps, cand);
	return 0;
}

/* pg8 (hint.c): the same look-ups, for the hint's round trip. */
const pg_stmt *pg_holder_stmt(bool idnum, bool nowait)
{
	if (idnum)
		return nowait ? &st_idnum_person_nowait : &st_idnum_person;
	return nowait ? &st_card_holder_nowait : &st_card_holder;
}

const pg_stmt *pg_holder_candidates_stmt(bool idnum)
{
	return idnum ? &st_idnum_candidates : &st_card_candidates;
}

int pg_card_with_holder(pg_store *ps, const char *card_no, yb_card *out,
			yb_err *err)
{
	return with_rows(ps, &st_card_holder, &st_card_holder_nowait,
			 &st_card_exists, &st_card_candidates, card_no, out,
			 err);
}

int pg_person_with_rows(pg_store *ps, const char *id_number,
			yb_person *out, yb_err *err)
{
	int found = with_rows(ps, &st_idnum_person, &st_idnum_person_nowait,
			      &st_idnum_exists, &st_idnum_candidates,
			      id_number, NULL, err);

	if (found > 0)
		*out = ps->pre.person;
	return found;
}

void pg_prefetch_forget(pg_store *ps)
{
	ps->pre.valid = false;
	ps->hint.fresh = false;         /* pg8: a statement ran (hint.c) */
}

void pg_caps_take(pg_store *ps, PGresult *cand)
{
	pg_caps *c = &ps->caps;
	int rows = PQntuples(cand);

	c->valid = false;
	/* only for the request of a write transaction (its boundaries and
	 * savepoints forget them); a read elsewhere always asks */
	if (!ps->in_txn || !ps->txn_write ||
	    PQnfields(cand) <= PG_CANDIDATE_CAP_COL)
		return;
	c->n = 0;
	for (int i = 0; i < rows && c->n < PG_PRE_CANDIDATES; i++) {
		const char *v = PQgetvalue(cand, i, PG_CANDIDATE_CAP_COL);
		char *end;

		c->binding[c->n] = strtoll(PQgetvalue(cand, i, 0), NULL, 10);
		c->has[c->n] = !PQgetisnull(cand, i, PG_CANDIDATE_CAP_COL);
		c->cap[c->n] = c->has[c->n] ? strtoll(v, &end, 10) : 0;
		if (c->has[c->n] && (end == v || *end))
			return;         /* unreadable: ask the database */
		c->n++;
	}
	c->valid = true;
}

void pg_caps_forget(pg_store *ps)
{
	ps->caps.valid = false;
}

bool pg_pre_cap(pg_store *ps, yb_id binding_id, int64_t *cap_fen,
		int *found)
{
	const pg_caps *c = &ps->caps;

	if (!c->valid)
		return false;
	for (int i = 0; i < c->n; i++)
		if (c->binding[i] == binding_id) {
			*found = c->has[i];
			if (c->has[i])
				*cap_fen = c->cap[i];
			return true;
		}
	return false;
}

bool pg_pre_person(pg_store *ps, yb_id id, yb_person *out)
{
	if (!ps->pre.valid || ps->pre.person.id != id)
		return false;
	*out = ps->pre.person;
	return true;
}

bool pg_pre_account(pg_store *ps, yb_id person_id, yb_account *out,
		    int *found)
{
	if (!ps->pre.valid || ps->pre.person.id != person_id)
		return false;
	*found = ps->pre.has_account;
	if (*found)
		*out = ps->pre.account;
	return true;
}

/* Fewer than were asked for is the whole list; as many is the list's
 * head, enough for a caller asking for no more. */
bool pg_pre_candidates(pg_store *ps, yb_id person_id,
		       yb_payer_candidate *out, int max, int *n)
{
	const pg_prefetch *pre = &ps->pre;

	if (!pre->valid || pre->person.id != person_id ||
	    (pre->ncand >= PG_PRE_CANDIDATES && max > PG_PRE_CANDIDATES))
		return false;
	*n = pre->ncand < max ? pre->ncand : (max > 0 ? max : 0);
	memcpy(out, pre->cand, (size_t)*n * sizeof *out);
	return true;
}
