/*
 * notify.c — PostgreSQL engine: the outbox of E3 — notifications to
 * authorizers, the agency's webhooks and the delivery rows the sender
 * works through.  See store.h (block "notify") for what each operation
 * promises and core/notify.h for the records.
 *
 * Senders on several servers may share one database: a claim takes the
 * due rows FOR UPDATE SKIP LOCKED and leases them in the same statement,
 * so two senders never post the same delivery at the same time.
 */
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "store/pg/pg_int.h"

static pg_store *PS(yb_store *st)
{
	return (pg_store *)st;
}

#define NOTE_COLS "n.id, n.person_id, n.kind, n.relative_id, " \
	"n.relative_ssn, n.relative_name, n.relationship, n.amount_fen, " \
	"n.institution_code, n.institution_name, n.ref, n.detail, " \
	"n.created_at, n.read_at"
#define DELIV_COLS(d) d ".id, " d ".webhook_id, " d ".notification_id, " \
	d ".state, " d ".attempts, " d ".next_at_ms, " d ".last_status, " \
	d ".last_error, " d ".created_at, " d ".delivered_at, w.url"
#define HOOK_COLS "id, url, secret, label, created_at, removed_at"

/* The notification (its id: $13, or the table's next when NULL) and
 * the outbox: one delivery per active webhook, due at once.  pg5: in a
 * lazy batch it is deferred (stmt.c pg_defer) with an id reserved ahead
 * (ids.c); the two are one statement. */
#define NOTE_INSERT_CTES \
	"n AS (INSERT INTO notifications (id, person_id, kind, " \
	"  relative_id, relative_ssn, relative_name, relationship, amount_fen, " \
	"  institution_code, institution_name, ref, detail, created_at) " \
	"  VALUES (coalesce($13, nextval('notifications_id_seq')), " \
	"    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) " \
	"  RETURNING id), " \
	"f AS (INSERT INTO webhook_deliveries (webhook_id, notification_id, " \
	"  state, attempts, next_at_ms, created_at) " \
	"  SELECT w.id, n.id, 'pending', 0, $12::bigint * 1000, $12 " \
	"  FROM webhooks w, n WHERE w.removed_at IS NULL) "
const pg_stmt pg_st_note_insert = { "note_insert",
	"WITH " NOTE_INSERT_CTES "SELECT id FROM n", NULL };
/* pg7: its parts, for the statement it joins (combine.c) */
const char pg_sql_note_ctes[] = NOTE_INSERT_CTES;
static const pg_stmt st_notes_of = { "notes_of",
	"SELECT " NOTE_COLS " FROM notifications n "
	"WHERE n.person_id = $1 AND n.id < $2 ORDER BY n.id DESC LIMIT $3",
	NULL };
static const pg_stmt st_notes_unread = { "notes_unread",
	"SELECT count(*) FROM notifications "
	"WHERE person_id = $1 AND read_at IS NULL", NULL };
static const pg_stmt st_note_read = { "note_read",
	"WITH u AS (UPDATE notifications SET read_at = $3 "
	"  WHERE person_id = $1 AND ($2::bigint = 0 OR id = $2) "
	"  AND read_at IS NULL RETURNING 1) "
	"SELECT (SELECT count(*) FROM u), $2::bigint = 0 OR EXISTS "
	"  (SELECT 1 FROM notifications WHERE id = $2 AND person_id = $1)",
	NULL };
static const pg_stmt st_hook_insert = { "hook_insert",
	"INSERT INTO webhooks (url, secret, label, created_at) "
	"VALUES ($1, $2, $3, $4) RETURNING id", NULL };
static const pg_stmt st_hook_by_id = { "hook_by_id",
	"SELECT " HOOK_COLS " FROM webhooks WHERE id = $1", NULL };
static const pg_stmt st_hooks_list = { "hooks_list",
	"SELECT " HOOK_COLS " FROM webhooks WHERE removed_at IS NULL "
	"AND id < $1 ORDER BY id DESC LIMIT $2", NULL };
static const pg_stmt st_hook_remove = { "hook_remove",
	"UPDATE webhooks SET removed_at = $2 WHERE id = $1 "
	"AND removed_at IS NULL", NULL };
static const pg_stmt st_delivs_list = { "delivs_list",
	"SELECT " DELIV_COLS("d") " FROM webhook_deliveries d "
	"JOIN webhooks w ON w.id = d.webhook_id "
	"WHERE ($1::text IS NULL OR d.state = $1) AND d.id < $2 "
	"ORDER BY d.id DESC LIMIT $3", NULL };
static const pg_stmt st_deliv_by_id = { "deliv_by_id",
	"SELECT " DELIV_COLS("d") " FROM webhook_deliveries d "
	"JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1", NULL };
static const pg_stmt st_deliv_claim = { "deliv_claim",
	"WITH due AS (SELECT d.id FROM webhook_deliveries d "
	"  JOIN webhooks w ON w.id = d.webhook_id "
	"  WHERE d.state = 'pending' AND d.next_at_ms <= $1 "
	"  AND w.removed_at IS NULL ORDER BY d.next_at_ms, d.id LIMIT $3 "
	"  FOR UPDATE OF d SKIP LOCKED), "
	"u AS (UPDATE webhook_deliveries x SET next_at_ms = $2 FROM due "
	"  WHERE x.id = due.id RETURNING x.*) "
	"SELECT " DELIV_COLS("u") ", " NOTE_COLS ", w.secret, p.ssn FROM u "
	"JOIN webhooks w ON w.id = u.webhook_id "
	"JOIN notifications n ON n.id = u.notification_id "
	"JOIN persons p ON p.id = n.person_id ORDER BY u.id", NULL };
static const pg_stmt st_deliv_update = { "deliv_update",
	"UPDATE webhook_deliveries SET state = $2, attempts = $3, "
	"next_at_ms = $4, last_status = $5, last_error = $6, "
	"delivered_at = $7 WHERE id = $1", NULL };

static int decode_note(pg_row *r, void *out)
{
	yb_notification *n = out;

	memset(n, 0, sizeof *n);
	n->id = pg_r_i64(r);
	n->person_id = pg_r_i64(r);
	PG_R_ENUM(r, yb_note_kind_from_str, &n->kind);
	n->relative_id = pg_r_i64(r);
	pg_r_str(r, n->relative_ssn, sizeof n->relative_ssn);
	pg_r_str(r, n->relative_name, sizeof n->relative_name);
	pg_read_relationship(r, &n->relationship);
	n->amount_fen = pg_r_i64(r);
	pg_r_str(r, n->institution_code, sizeof n->institution_code);
	pg_r_str(r, n->institution_name, sizeof n->institution_name);
	pg_r_str(r, n->ref, sizeof n->ref);
	pg_r_str(r, n->detail, sizeof n->detail);
	n->created_at = pg_r_i64(r);
	n->read_at = pg_r_i64(r);
	return 0;
}

static int decode_delivery(pg_row *r, void *out)
{
	yb_delivery *d = out;

	memset(d, 0, sizeof *d);
	d->id = pg_r_i64(r);
	d->webhook_id = pg_r_i64(r);
	d->notification_id = pg_r_i64(r);
	PG_R_ENUM(r, yb_deliv_state_from_str, &d->state);
	d->attempts = (int)pg_r_i64(r);
	d->next_at_ms = pg_r_i64(r);
	d->last_status = (int)pg_r_i64(r);
	pg_r_str(r, d->last_error, sizeof d->last_error);
	d->created_at = pg_r_i64(r);
	d->delivered_at = pg_r_i64(r);
	pg_r_str(r, d->url, sizeof d->url);
	return 0;
}

static int decode_job(pg_row *r, void *out)
{
	yb_delivery_job *j = out;

	decode_delivery(r, &j->d);
	decode_note(r, &j->n);
	pg_r_str(r, j->secret, sizeof j->secret);
	pg_r_str(r, j->person_ssn, sizeof j->person_ssn);
	return 0;
}

static int decode_hook(pg_row *r, void *out)
{
	yb_webhook *w = out;

	memset(w, 0, sizeof *w);
	w->id = pg_r_i64(r);
	pg_r_str(r, w->url, sizeof w->url);
	pg_r_str(r, w->secret, sizeof w->secret);
	pg_r_str(r, w->label, sizeof w->label);
	w->created_at = pg_r_i64(r);
	w->removed_at = pg_r_i64(r);
	return 0;
}

/* Run a statement answering one row with one integer column. */
static int one_int(yb_store *st, const pg_stmt *s, pg_params *q,
		   int64_t *out, yb_err *err)
{
	PGresult *res = pg_run_release(PS(st), s, q, err);

	if (!res)
		return -1;
	*out = PQntuples(res) > 0 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10)
				  : 0;
	PQclear(res);
	return 0;
}

/* ---- notifications ------------------------------------------------------- */

int pg_notification_insert(yb_store *st, yb_notification *n, yb_err *err)
{
	pg_params q;
	int64_t id;

	pg_params_init(&q);
	pg_p_i64(&q, n->person_id);
	pg_p_enum(&q, yb_note_kind_str(n->kind));
	pg_p_id(&q, n->relative_id);
	pg_p_text(&q, n->relative_ssn);
	pg_p_text(&q, n->relative_name);
	pg_p_text(&q, yb_relationship_str(n->relationship));
	pg_p_i64(&q, n->amount_fen);
	pg_p_opt_text(&q, n->institution_code);
	pg_p_opt_text(&q, n->institution_name);
	pg_p_text(&q, n->ref);
	pg_p_opt_text(&q, n->detail);
	pg_p_i64(&q, n->created_at);
	if (!pg_deferring(PS(st))) {
		pg_p_null(&q);
		return one_int(st, &pg_st_note_insert, &q, &n->id, err);
	}
	if (pg_reserve_id(PS(st), PG_ID_NOTIFICATION, &id, err) < 0) {
		pg_params_release(&q);
		return -1;
	}
	pg_p_i64(&q, id);
	if (pg_defer(PS(st), &pg_st_note_insert, &q, err) < 0)
		return -1;
	n->id = id;
	return 0;
}

int pg_notifications_of(yb_store *st, yb_id person_id, yb_id before,
			int limit, yb_notification **out, int *n, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	pg_p_i64(&q, pg_before(before));
	pg_p_i64(&q, pg_limit(limit));
	return pg_list(PS(st), &st_notes_of, &q, sizeof **out, decode_note,
		       (void **)out, n, err);
}

int pg_notifications_unread(yb_store *st, yb_id person_id, int64_t *count,
			    yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	return one_int(st, &st_notes_unread, &q, count, err);
}

int pg_notification_mark_read(yb_store *st, yb_id person_id, yb_id id,
			      yb_time at, int *changed, yb_err *err)
{
	pg_params q;
	PGresult *res;
	bool mine;

	*changed = 0;
	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	pg_p_i64(&q, id);
	pg_p_i64(&q, at);
	res = pg_run_release(PS(st), &st_note_read, &q, err);
	if (!res)
		return -1;
	*changed = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	mine = PQgetvalue(res, 0, 1)[0] == 't';
	PQclear(res);
	/* Another person's notification is not even acknowledged. */
	if (!mine)
		return yb_refuse_id(err, YB_REFUSE_NOTIFICATION_NOT_FOUND,
				    id);
	return 0;
}

/* ---- webhooks -------------------------------------------------------------- */

int pg_webhook_insert(yb_store *st, yb_webhook *w, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_text(&q, w->url);
	pg_p_text(&q, w->secret);
	pg_p_text(&q, w->label);
	pg_p_i64(&q, w->created_at);
	return one_int(st, &st_hook_insert, &q, &w->id, err);
}

int pg_webhook_by_id(yb_store *st, yb_id id, yb_webhook *out, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, id);
	return pg_lookup(PS(st), &st_hook_by_id, &q, decode_hook, out, err);
}

int pg_webhooks_list(yb_store *st, yb_id before, int limit, yb_webhook **out,
		     int *n, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, pg_before(before));
	pg_p_i64(&q, pg_limit(limit));
	return pg_list(PS(st), &st_hooks_list, &q, sizeof **out, decode_hook,
		       (void **)out, n, err);
}

int pg_webhook_remove(yb_store *st, yb_id id, yb_time at, yb_err *err)
{
	pg_params q;
	PGresult *res;
	int64_t changed;

	pg_params_init(&q);
	pg_p_i64(&q, id);
	pg_p_i64(&q, at);
	res = pg_run_release(PS(st), &st_hook_remove, &q, err);
	if (!res)
		return -1;
	changed = pg_affected(res);
	PQclear(res);
	if (changed == 0)
		return yb_refuse_id(err, YB_REFUSE_WEBHOOK_NOT_FOUND, id);
	return 0;
}

/* ---- deliveries -------------------------------------------------------------- */

int pg_deliveries_list(yb_store *st, int state, yb_id before, int limit,
		       yb_delivery **out, int *n, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	if (state < 0)
		pg_p_null(&q);
	else
		pg_p_text(&q, yb_deliv_state_str((yb_deliv_state)state));
	pg_p_i64(&q, pg_before(before));
	pg_p_i64(&q, pg_limit(limit));
	return pg_list(PS(st), &st_delivs_list, &q, sizeof **out,
		       decode_delivery, (void **)out, n, err);
}

int pg_delivery_by_id(yb_store *st, yb_id id, yb_delivery *out, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, id);
	return pg_lookup(PS(st), &st_deliv_by_id, &q, decode_delivery, out,
			 err);
}

int pg_deliveries_claim(yb_store *st, int64_t now_ms, int64_t lease_until_ms,
			int max, yb_delivery_job *out, int *n, yb_err *err)
{
	pg_params q;
	yb_delivery_job *rows = NULL;
	int got = 0;

	*n = 0;
	pg_params_init(&q);
	pg_p_i64(&q, now_ms);
	pg_p_i64(&q, lease_until_ms);
	pg_p_i64(&q, pg_limit(max));
	if (pg_list(PS(st), &st_deliv_claim, &q, sizeof *rows, decode_job,
		    (void **)&rows, &got, err) < 0)
		return -1;
	if (got > max)
		got = max;
	memcpy(out, rows, (size_t)got * sizeof *rows);
	free(rows);
	*n = got;
	return 0;
}

int pg_delivery_update(yb_store *st, const yb_delivery *d, yb_err *err)
{
	pg_params q;
	PGresult *res;
	int64_t changed;

	pg_params_init(&q);
	pg_p_i64(&q, d->id);
	pg_p_text(&q, yb_deliv_state_str(d->state));
	pg_p_i64(&q, d->attempts);
	pg_p_i64(&q, d->next_at_ms);
	pg_p_i64(&q, d->last_status);
	pg_p_opt_text(&q, d->last_error);
	pg_p_id(&q, d->delivered_at);
	res = pg_run_release(PS(st), &st_deliv_update, &q, err);
	if (!res)
		return -1;
	changed = pg_affected(res);
	PQclear(res);
	if (changed == 0)
		return yb_refuse_id(err, YB_REFUSE_DELIVERY_NOT_FOUND, d->id);
	return 0;
}
