/*
 * hint.c — issue 16, pg8: a settlement's reads and locks on the writer
 * in ONE round trip.
 *
 * Before it, a settlement in a lazy batch cost the writer three round
 * trips, each waiting for the answer of the one before: the repeat check
 * (settlement_by_txn, FOR UPDATE), the credential's joined look-up with
 * the candidates (pg3, holder.c), and the accounts' lock with the ids
 * drawn ahead (ledger.c, ids.c).  The service (settle.c settle_once)
 * now says, before the repeat check, what it will ask (store.h
 * settle_hint): the institution, the txn_id, the credential and which
 * accounts may pay.  This file sends, in one pipeline:
 *
 *   1. the repeat check, as settlement_by_txn runs it;
 *   2. the credential's joined look-up, as card_by_no / person_by_id_
 *      number run it in a write transaction (FOR UPDATE OF the card,
 *      FOR SHARE OF the person; SKIP LOCKED for a job that must not
 *      wait, pg6);
 *   3. the payer candidates with their caps, as pg3/pg4 bring them;
 *   4. the lock of the accounts the service will ask account_lock for
 *      (ledger.c LOCK_AHEAD: the patient's open personal account and the
 *      usable candidates' accounts, with the slotted ones it names, in
 *      ascending id order, SKIP LOCKED for a job that must not wait);
 *   5. the ids for the deferred inserts (ids.c), when writes are
 *      deferred — as account_lock draws them;
 *
 * and remembers the answers (pg_hint).  They are served only to calls
 * whose arguments match what was fetched; any other call, or a call
 * after something that forgot them, runs today's statements.
 *
 * Why the outcome is the same as the statements one after the other.
 * Under READ COMMITTED every statement takes its own snapshot when it
 * starts, whether it comes in its own round trip or in a pipeline; the
 * pipeline runs them in the order the service would have asked (repeat
 * check, look-up, candidates, lock), so each reads what it could have
 * read had the service answered in no time between them — an
 * interleaving that was always allowed.  Served answers:
 *
 *  - the repeat check's and the look-up's only while no statement has
 *    run since the pipeline (`fresh`, cleared wherever pg3's prefetch
 *    is: every statement, every boundary) — the service's next call is
 *    then the very next statement it would have run, and what this
 *    transaction sees has not moved.  A repeat found is not served (it
 *    is run again, reading its shares: the row is locked by us already);
 *    a credential that found no row (no such card, or SKIP LOCKED
 *    skipped it) is not served either: the look-up runs again as before,
 *    and for a job that must not wait that is pg6's rule unchanged — no
 *    row, then whether the card exists tells held (store.busy) from none.
 *  - the locked accounts to account_lock only when every id it asks for
 *    is among the rows locked ahead, and no write of this transaction
 *    has run since (stmt.c forgets them at any write's statement): a row
 *    we lock changes only by our own writes, so the rows read under the
 *    lock are what account_lock would read now.  Locked ahead by an
 *    earlier statement than today's, the locks are the same rows in the
 *    same order (card, then accounts by id), only sooner.  A missing id
 *    — a row SKIP LOCKED skipped (another batch holds it), an account
 *    that does not exist, or a set that moved between the look-up's
 *    snapshot and the lock's (a binding or an account changed by a
 *    commit in the microseconds between two statements of the
 *    pipeline) — makes account_lock run as before on all its ids: for a
 *    job that must not wait that is pg6's SKIP LOCKED and count, store.
 *    busy when held, exactly as now; for a job that may wait, it locks
 *    the missing ones then, while holding those locked ahead: if one of
 *    them has a lower id, this request no longer takes its accounts in
 *    ascending order, and a crossing with another request is possible —
 *    PostgreSQL finds it (deadlock_timeout) and the batch runs again as
 *    for any deadlock (pg6); it needs a concurrent commit between two
 *    statements of one pipeline.
 *
 * What is locked that the service would not have locked: the lock ahead
 * locks nothing for a repeat (NOT EXISTS of the settlement), a card not
 * issued, a terminated patient, and takes the relatives' accounts only
 * when family pay is allowed for the visit (`family`) and the own one
 * only when accounts pay at all (`own_account`): what is left is a
 * superset only when a concurrent commit lands between the look-up and
 * the lock, or there are more usable candidates than the service brings
 * along (PAYERS_MAX) — a request refused for another reason after the
 * lock (a bill the pay order refuses).  Such locks are held to the
 * batch's commit, as a refused request's reads and locks always were
 * (pg4, pg6): they make others wait, they change no answer.  The ids
 * drawn for a request that writes nothing are gaps, as pg5's.
 *
 * Lifetime: the memo never outlives its request — forgotten at begin,
 * commit, rollback, savepoint, release and rollback_to (engine.c), at
 * any statement that writes (stmt.c), and by the next hint.  A pipeline
 * that fails (a deadlock, a lost connection) fails the request as the
 * statement would have, and in a lazy batch the aborted transaction is
 * spoiled and replayed with real savepoints as before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "store/pg/pg_int.h"

void pg_hint_forget(pg_store *ps)
{
	pg_hint *h = &ps->hint;

	PQclear(h->lock);
	memset(h, 0, sizeof *h);
}

static bool fits(const char *s, size_t size)
{
	return s && strlen(s) < size;
}

int pg_settle_hint(yb_store *st, const yb_settle_hint *hint, yb_err *err)
{
	pg_store *ps = (pg_store *)st;
	pg_hint *h = &ps->hint;
	bool nowait = ps->job_nowait, idnum, found;
	const pg_stmt *s[5];
	pg_params q[5], *qp[5];
	PGresult *r[5];
	int n = 4, rc = -1;

	pg_hint_forget(ps);
	if (!ps->in_txn || !ps->txn_write)
		return 0;
	if (hint->cred_type == YB_CRED_CARD)
		idnum = false;
	else if (hint->cred_type == YB_CRED_ID_NUMBER)
		idnum = true;
	else
		return 0;
	if (!fits(hint->institution_code, sizeof h->inst) ||
	    !fits(hint->txn_id, sizeof h->txn) ||
	    !fits(hint->cred_value, idnum ? YB_IDNUM_SZ : YB_CARD_NO_SZ) ||
	    hint->nalso < 0 || (hint->nalso > 0 && !hint->also))
		return 0;

	for (int i = 0; i < 5; i++) {
		pg_params_init(&q[i]);
		qp[i] = &q[i];
	}
	s[0] = &pg_st_settlement_by_txn;
	pg_p_text(&q[0], hint->institution_code);
	pg_p_text(&q[0], hint->txn_id);
	s[1] = pg_holder_stmt(idnum, nowait);
	pg_p_text(&q[1], hint->cred_value);
	s[2] = pg_holder_candidates_stmt(idnum);
	pg_p_text(&q[2], hint->cred_value);
	pg_p_i64(&q[2], PG_PRE_CANDIDATES);
	s[3] = pg_lock_ahead_stmt(idnum, nowait);
	pg_p_text(&q[3], hint->cred_value);
	pg_p_text(&q[3], hint->institution_code);
	pg_p_text(&q[3], hint->txn_id);
	pg_p_i64_array(&q[3], hint->also, hint->nalso);
	pg_p_bool(&q[3], hint->own_account);
	pg_p_bool(&q[3], hint->family);
	if (pg_deferring(ps))           /* as account_lock draws them */
		s[n++] = &pg_st_ids_draw_all;
	if (pg_run_n(ps, n, s, qp, r, err) < 0)
		return -1;

	/* the lock ahead, and the ids, whatever the rest found */
	h->lock = r[3];
	r[3] = NULL;
	if (n > 4)
		pg_ids_take(ps, r[4]);
	h->txn_none = PQntuples(r[0]) == 0;
	snprintf(h->inst, sizeof h->inst, "%s", hint->institution_code);
	snprintf(h->txn, sizeof h->txn, "%s", hint->txn_id);
	found = PQntuples(r[1]) > 0;
	if (found && pg_holder_take(ps, r[1], r[2], idnum ? NULL : &h->card,
				    err) < 0)
		goto out;
	h->cred_found = found;
	h->cred_type = hint->cred_type;
	snprintf(h->key, sizeof h->key, "%s", hint->cred_value);
	h->fresh = true;
	rc = 0;
out:
	for (int i = 0; i < n; i++)
		PQclear(r[i]);
	return rc;
}

bool pg_hint_txn(pg_store *ps, const char *inst, const char *txn)
{
	pg_hint *h = &ps->hint;

	if (!h->fresh || !h->txn_none || strcmp(h->inst, inst) != 0 ||
	    strcmp(h->txn, txn) != 0)
		return false;
	h->txn_none = false;            /* once */
	return true;
}

bool pg_hint_cred(pg_store *ps, yb_cred_type type, const char *key,
		  yb_card *card, yb_person *person)
{
	pg_hint *h = &ps->hint;

	/* the holder's rows are pg3's prefetch, still valid: nothing ran */
	if (!h->fresh || !h->cred_found || h->cred_type != type ||
	    strcmp(h->key, key) != 0 || !ps->pre.valid)
		return false;
	h->cred_found = false;          /* once */
	if (card)
		*card = h->card;
	if (person)
		*person = ps->pre.person;
	return true;
}

bool pg_hint_lock(pg_store *ps, const yb_id *sorted, int n)
{
	pg_hint *h = &ps->hint;
	int rows, k = 0;

	if (!h->lock || !ps->in_txn || !ps->txn_write)
		return false;
	/* both ascending: every asked id among the rows locked ahead */
	rows = PQntuples(h->lock);
	for (int i = 0; i < n; i++) {
		while (k < rows &&
		       strtoll(PQgetvalue(h->lock, k, 0), NULL, 10) < sorted[i])
			k++;
		if (k >= rows ||
		    strtoll(PQgetvalue(h->lock, k, 0), NULL, 10) != sorted[i])
			return false;
	}
	pg_remember_locked(ps, h->lock);
	PQclear(h->lock);               /* once */
	h->lock = NULL;
	return true;
}
