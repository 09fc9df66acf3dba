/*
 * notify.c — SQLite engine: the outbox of E3 — notifications to
 * authorizers, the agency's webhooks and the delivery rows the sender
 * works through.  See store.h (block "notify") for what each operation
 * promises and core/notify.h for the records.
 */
#include "store/sqlite/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/enums.h"

#define NOTE_COLS "n.id, n.person_id, n.kind, n.relative_id, " \
	"n.relative_ssn, n.relative_name, n.relationship, n.amount_fen, " \
	"n.institution_code, n.institution_name, n.ref, n.detail, " \
	"n.created_at, n.read_at"
#define NOTE_NCOLS 14
#define DELIV_COLS "d.id, d.webhook_id, d.notification_id, d.state, " \
	"d.attempts, d.next_at_ms, d.last_status, d.last_error, " \
	"d.created_at, d.delivered_at, w.url"
#define DELIV_NCOLS 11
#define HOOK_COLS "id, url, secret, label, created_at, removed_at"

/* Columns from `at` on as a notification. */
static int read_note_at(sqlite3_stmt *q, int at, yb_notification *n,
			yb_err *err)
{
	memset(n, 0, sizeof *n);
	n->id = sq_col_int(q, at);
	n->person_id = sq_col_int(q, at + 1);
	if (SQ_COL_ENUM(q, at + 2, yb_note_kind_from_str, &n->kind,
			"notification kind", err) < 0)
		return -1;
	n->relative_id = sq_col_int(q, at + 3);
	sq_col_text(q, at + 4, n->relative_ssn, sizeof n->relative_ssn);
	sq_col_text(q, at + 5, n->relative_name, sizeof n->relative_name);
	if (SQ_COL_ENUM(q, at + 6, sq_relationship_from_str,
			&n->relationship, "relationship", err) < 0)
		return -1;
	n->amount_fen = sq_col_int(q, at + 7);
	sq_col_text(q, at + 8, n->institution_code, sizeof n->institution_code);
	sq_col_text(q, at + 9, n->institution_name, sizeof n->institution_name);
	sq_col_text(q, at + 10, n->ref, sizeof n->ref);
	sq_col_text(q, at + 11, n->detail, sizeof n->detail);
	n->created_at = sq_col_int(q, at + 12);
	n->read_at = sq_col_int(q, at + 13);
	return 0;
}

static int read_note(sqlite3_stmt *q, void *elem, yb_err *err)
{
	return read_note_at(q, 0, elem, err);
}

static int read_delivery_at(sqlite3_stmt *q, int at, yb_delivery *d,
			    yb_err *err)
{
	memset(d, 0, sizeof *d);
	d->id = sq_col_int(q, at);
	d->webhook_id = sq_col_int(q, at + 1);
	d->notification_id = sq_col_int(q, at + 2);
	if (SQ_COL_ENUM(q, at + 3, yb_deliv_state_from_str, &d->state,
			"delivery state", err) < 0)
		return -1;
	d->attempts = (int)sq_col_int(q, at + 4);
	d->next_at_ms = sq_col_int(q, at + 5);
	d->last_status = (int)sq_col_int(q, at + 6);
	sq_col_text(q, at + 7, d->last_error, sizeof d->last_error);
	d->created_at = sq_col_int(q, at + 8);
	d->delivered_at = sq_col_int(q, at + 9);
	sq_col_text(q, at + 10, d->url, sizeof d->url);
	return 0;
}

static int read_delivery(sqlite3_stmt *q, void *elem, yb_err *err)
{
	return read_delivery_at(q, 0, elem, err);
}

static int read_job(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_delivery_job *j = elem;

	if (read_delivery_at(q, 0, &j->d, err) < 0 ||
	    read_note_at(q, DELIV_NCOLS, &j->n, err) < 0)
		return -1;
	sq_col_text(q, DELIV_NCOLS + NOTE_NCOLS, j->secret, sizeof j->secret);
	sq_col_text(q, DELIV_NCOLS + NOTE_NCOLS + 1, j->person_ssn,
		    sizeof j->person_ssn);
	return 0;
}

static int read_hook(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_webhook *w = elem;

	(void)err;
	memset(w, 0, sizeof *w);
	w->id = sq_col_int(q, 0);
	sq_col_text(q, 1, w->url, sizeof w->url);
	sq_col_text(q, 2, w->secret, sizeof w->secret);
	sq_col_text(q, 3, w->label, sizeof w->label);
	w->created_at = sq_col_int(q, 4);
	w->removed_at = sq_col_int(q, 5);
	return 0;
}

/* ---- notifications ------------------------------------------------------- */

/*
 * Whether the outbox needs rows: is any webhook active?  Asked once per
 * transaction, not once per notification — most installations have
 * none, and the fan-out statement cost the writer ~5,600 instructions
 * and a savepoint per notification even then.  Outside a transaction
 * nothing is remembered (another connection may add one at any time).
 */
static int hooks_any(sq_store *s, bool *any, yb_err *err)
{
	sqlite3_stmt *q;
	int64_t n = 0;

	if (sqlite3_get_autocommit(s->db) || s->hooks == SQ_HOOKS_SOME) {
		*any = true;
		return 0;
	}
	if (s->hooks == SQ_HOOKS_NONE) {
		*any = false;
		return 0;
	}
	q = sq_stmt(s, SQ_HOOKS_ANY,
		    "SELECT EXISTS (SELECT 1 FROM webhooks "
		    "WHERE removed_at IS NULL)", err);
	if (!q || sq_step_ints(s, q, &n, 1, err) < 0)
		return -1;
	*any = n != 0;
	s->hooks = *any ? SQ_HOOKS_SOME : SQ_HOOKS_NONE;
	return 0;
}

static int note_row_insert(sq_store *s, yb_notification *n, yb_err *err)
{
	sqlite3_stmt *q = sq_stmt(s, SQ_NOTE_INSERT,
		"INSERT INTO notifications (person_id, kind, relative_id, "
		"relative_ssn, relative_name, relationship, amount_fen, "
		"institution_code, institution_name, ref, detail, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, n->person_id);
	sq_bind_text(q, 2, yb_note_kind_str(n->kind));
	sq_bind_opt_int(q, 3, n->relative_id);
	sq_bind_text(q, 4, n->relative_ssn);
	sq_bind_text(q, 5, n->relative_name);
	sq_bind_text(q, 6, yb_relationship_str(n->relationship));
	sqlite3_bind_int64(q, 7, n->amount_fen);
	sq_bind_opt_text(q, 8, n->institution_code);
	sq_bind_opt_text(q, 9, n->institution_name);
	sq_bind_text(q, 10, n->ref);
	sq_bind_opt_text(q, 11, n->detail);
	sqlite3_bind_int64(q, 12, n->created_at);
	return sq_insert(s, q, YB_REFUSE_NONE, &n->id, err);
}

int sq_notification_insert(yb_store *st, yb_notification *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q;
	bool any;
	int rc = -1;

	if (hooks_any(s, &any, err) < 0)
		return -1;
	/* No webhook: one statement, whole or not at all by itself. */
	if (!any)
		return note_row_insert(s, n, err);
	if (sq_op_begin(s, err) < 0)
		return -1;
	if (note_row_insert(s, n, err) < 0)
		goto out;
	/* The outbox: one delivery per active webhook, due at once. */
	q = sq_stmt(s, SQ_NOTE_FANOUT,
		"INSERT INTO webhook_deliveries (webhook_id, notification_id, "
		"state, attempts, next_at_ms, created_at) "
		"SELECT id, ?1, 'pending', 0, ?2 * 1000, ?2 FROM webhooks "
		"WHERE removed_at IS NULL", err);
	if (!q)
		goto out;
	sqlite3_bind_int64(q, 1, n->id);
	sqlite3_bind_int64(q, 2, n->created_at);
	if (sq_exec(s, q, err) < 0)
		goto out;
	rc = 0;
out:
	return sq_op_end(s, rc, err);
}

int sq_notifications_of(yb_store *st, yb_id person_id, yb_id before,
			int limit, yb_notification **out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_NOTES_OF,
		"SELECT " NOTE_COLS " FROM notifications n "
		"WHERE n.person_id = ?1 AND n.id < ?2 ORDER BY n.id DESC LIMIT ?3",
		err);

	if (q)
		sqlite3_bind_int64(q, 1, person_id);
	return sq_page(s, q, before, limit, sizeof **out, read_note,
		       (void **)out, n, err);
}

int sq_notifications_unread(yb_store *st, yb_id person_id, int64_t *count,
			    yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_NOTES_UNREAD,
		"SELECT count(*) FROM notifications "
		"WHERE person_id = ?1 AND read_at IS NULL", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, person_id);
	*count = 0;
	return sq_step_ints(s, q, count, 1, err) < 0 ? -1 : 0;
}

int sq_notification_mark_read(yb_store *st, yb_id person_id, yb_id id,
			      yb_time at, int *changed, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q;
	int64_t owner = 0;
	int found;

	*changed = 0;
	if (id != 0) {
		q = sq_stmt(s, SQ_NOTE_OWNER,
			"SELECT person_id FROM notifications WHERE id = ?1", err);
		if (!q)
			return -1;
		sqlite3_bind_int64(q, 1, id);
		found = sq_step_ints(s, q, &owner, 1, err);
		if (found < 0)
			return -1;
		/* Another person's notification is not even acknowledged. */
		if (!found || owner != person_id)
			return yb_refuse_id(err,
					    YB_REFUSE_NOTIFICATION_NOT_FOUND,
					    id);
	}
	q = sq_stmt(s, SQ_NOTE_READ,
		"UPDATE notifications SET read_at = ?3 WHERE person_id = ?1 "
		"AND (?2 = 0 OR id = ?2) AND read_at IS NULL", err);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, person_id);
	sqlite3_bind_int64(q, 2, id);
	sqlite3_bind_int64(q, 3, at);
	if (sq_exec(s, q, err) < 0)
		return -1;
	*changed = sqlite3_changes(s->db);
	return 0;
}

/* ---- webhooks -------------------------------------------------------------- */

int sq_webhook_insert(yb_store *st, yb_webhook *w, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_HOOK_INSERT,
		"INSERT INTO webhooks (url, secret, label, created_at) "
		"VALUES (?1, ?2, ?3, ?4)", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, w->url);
	sq_bind_text(q, 2, w->secret);
	sq_bind_text(q, 3, w->label);
	sqlite3_bind_int64(q, 4, w->created_at);
	/* From here on this transaction's notifications fan out (even if a
	 * savepoint undoes the insert: the fan-out then finds none). */
	s->hooks = SQ_HOOKS_SOME;
	return sq_insert(s, q, YB_REFUSE_NONE, &w->id, err);
}

int sq_webhook_by_id(yb_store *st, yb_id id, yb_webhook *out, yb_err *err)
{
	return sq_get_by_int(sq_of(st), SQ_HOOK_BY_ID,
			     "SELECT " HOOK_COLS " FROM webhooks WHERE id = ?1",
			     id, read_hook, out, err);
}

int sq_webhooks_list(yb_store *st, yb_id before, int limit, yb_webhook **out,
		     int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_HOOKS_LIST,
		"SELECT " HOOK_COLS " FROM webhooks WHERE removed_at IS NULL "
		"AND ?1 = 0 AND id < ?2 ORDER BY id DESC LIMIT ?3", err);

	if (q)
		sqlite3_bind_int64(q, 1, 0);
	return sq_page(s, q, before, limit, sizeof **out, read_hook,
		       (void **)out, n, err);
}

int sq_webhook_remove(yb_store *st, yb_id id, yb_time at, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_HOOK_REMOVE,
		"UPDATE webhooks SET removed_at = ?2 WHERE id = ?1 "
		"AND removed_at IS NULL", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, at);
	return sq_update_one(s, q, YB_REFUSE_WEBHOOK_NOT_FOUND, id, err);
}

/* ---- deliveries -------------------------------------------------------------- */

int sq_deliveries_list(yb_store *st, int state, yb_id before, int limit,
		       yb_delivery **out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_DELIVS_LIST,
		"SELECT " DELIV_COLS " FROM webhook_deliveries d "
		"JOIN webhooks w ON w.id = d.webhook_id "
		"WHERE (?1 IS NULL OR d.state = ?1) AND d.id < ?2 "
		"ORDER BY d.id DESC LIMIT ?3", err);

	if (q)
		sq_bind_opt_text(q, 1, state < 0 ? NULL
					: yb_deliv_state_str((yb_deliv_state)state));
	return sq_page(s, q, before, limit, sizeof **out, read_delivery,
		       (void **)out, n, err);
}

int sq_delivery_by_id(yb_store *st, yb_id id, yb_delivery *out, yb_err *err)
{
	return sq_get_by_int(sq_of(st), SQ_DELIV_BY_ID,
			     "SELECT " DELIV_COLS " FROM webhook_deliveries d "
			     "JOIN webhooks w ON w.id = d.webhook_id "
			     "WHERE d.id = ?1", id, read_delivery, out, err);
}

int sq_deliveries_claim(yb_store *st, int64_t now_ms, int64_t lease_until_ms,
			int max, yb_delivery_job *out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q;
	void *rows = NULL;
	int got = 0, rc = -1;

	*n = 0;
	q = sq_stmt(s, SQ_DELIV_DUE,
		"SELECT " DELIV_COLS ", " NOTE_COLS ", w.secret, p.ssn "
		"FROM webhook_deliveries d "
		"JOIN webhooks w ON w.id = d.webhook_id "
		"JOIN notifications n ON n.id = d.notification_id "
		"JOIN persons p ON p.id = n.person_id "
		"WHERE d.state = 'pending' AND d.next_at_ms <= ?1 "
		"AND w.removed_at IS NULL ORDER BY d.next_at_ms, d.id LIMIT ?2",
		err);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, now_ms);
	sqlite3_bind_int(q, 2, max);
	if (sq_list(s, q, sizeof *out, read_job, &rows, &got, err) < 0)
		return -1;
	q = sq_stmt(s, SQ_DELIV_LEASE,
		"UPDATE webhook_deliveries SET next_at_ms = ?2 WHERE id = ?1",
		err);
	if (!q)
		goto out;
	for (int i = 0; i < got; i++) {
		yb_delivery_job *j = (yb_delivery_job *)rows + i;
		sqlite3_bind_int64(q, 1, j->d.id);
		sqlite3_bind_int64(q, 2, lease_until_ms);
		if (sq_exec(s, q, err) < 0)
			goto out;
		out[i] = *j;
	}
	*n = got;
	rc = 0;
out:
	free(rows);
	return rc;
}

int sq_delivery_update(yb_store *st, const yb_delivery *d, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_DELIV_UPDATE,
		"UPDATE webhook_deliveries SET state = ?2, attempts = ?3, "
		"next_at_ms = ?4, last_status = ?5, last_error = ?6, "
		"delivered_at = ?7 WHERE id = ?1", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, d->id);
	sq_bind_text(q, 2, yb_deliv_state_str(d->state));
	sqlite3_bind_int(q, 3, d->attempts);
	sqlite3_bind_int64(q, 4, d->next_at_ms);
	sqlite3_bind_int(q, 5, d->last_status);
	sq_bind_opt_text(q, 6, d->last_error);
	sq_bind_opt_int(q, 7, d->delivered_at);
	return sq_update_one(s, q, YB_REFUSE_DELIVERY_NOT_FOUND, d->id, err);
}
