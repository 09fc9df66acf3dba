/*
 * card.c — SQLite engine: social security cards, card applications and
 * the working-day calendar their deadlines count in (C3b).  See store.h
 * for what each operation promises.
 */
#include "store/sqlite/sqlite_int.h"

#include <inttypes.h>
#include <string.h>

#include "core/enums.h"

/* ---- card applications -------------------------------------------------- */

#define CARDAPP_COLS                                                     \
	"id, person_id, route, materials_json, applied_on, ready_by, card_id, " \
	"operator_id, created_at"

static int read_cardapp(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_card_application *a = elem;

	memset(a, 0, sizeof *a);
	a->id = sq_col_int(q, 0);
	a->person_id = sq_col_int(q, 1);
	if (SQ_COL_ENUM(q, 2, yb_card_route_from_str, &a->route, "card route",
			err) < 0)
		return -1;
	sq_col_text(q, 3, a->materials_json, sizeof a->materials_json);
	a->applied_on = (yb_date)sq_col_int(q, 4);
	a->ready_by = (yb_date)sq_col_int(q, 5);
	a->card_id = sq_col_int(q, 6);
	sq_col_text(q, 7, a->operator_id, sizeof a->operator_id);
	a->created_at = sq_col_int(q, 8);
	return 0;
}

int sq_card_application_insert(yb_store *st, yb_card_application *a,
			       yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_CARDAPP_INSERT,
		"INSERT INTO card_applications (person_id, route, materials_json, "
		"applied_on, ready_by, card_id, operator_id, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, a->person_id);
	sq_bind_text(q, 2, yb_card_route_str(a->route));
	sq_bind_text(q, 3, a->materials_json);
	sqlite3_bind_int64(q, 4, a->applied_on);
	sq_bind_opt_int(q, 5, a->ready_by);
	sq_bind_opt_int(q, 6, a->card_id);
	sq_bind_text(q, 7, a->operator_id);
	sqlite3_bind_int64(q, 8, a->created_at);
	return sq_insert(s, q, YB_REFUSE_NONE, &a->id, err);
}

int sq_card_application_by_id(yb_store *st, yb_id id,
			      yb_card_application *out, yb_err *err)
{
	return sq_get_by_int(sq_of(st), SQ_CARDAPP_BY_ID,
		"SELECT " CARDAPP_COLS " FROM card_applications WHERE id = ?1",
		id, read_cardapp, out, err);
}

int sq_card_application_set_card(yb_store *st, yb_id application_id,
				 yb_id card_id, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_CARDAPP_SET_CARD,
		"UPDATE card_applications SET card_id = ?2 WHERE id = ?1", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, application_id);
	sq_bind_opt_int(q, 2, card_id);
	return sq_update_one(s, q, YB_REFUSE_CARD_APPLICATION_NOT_FOUND,
			     application_id, err);
}

/* ---- cards --------------------------------------------------------------- */

#define CARD_COLS \
	"id, card_no, person_id, state, activated, application_id, created_at, " \
	"updated_at"

static int read_card(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_card *c = elem;

	memset(c, 0, sizeof *c);
	c->id = sq_col_int(q, 0);
	sq_col_text(q, 1, c->card_no, sizeof c->card_no);
	c->person_id = sq_col_int(q, 2);
	if (SQ_COL_ENUM(q, 3, yb_card_state_from_str, &c->state, "card state",
			err) < 0)
		return -1;
	c->activated = sq_col_int(q, 4) != 0;
	c->application_id = sq_col_int(q, 5);
	c->created_at = sq_col_int(q, 6);
	c->updated_at = sq_col_int(q, 7);
	return 0;
}

/*
 * C2: the partial unique index cards_one_valid refuses a second valid
 * card of a person; a card number used twice is the card number
 * generator's fault, not the person's (store.error).
 */
static int card_write_failed(sq_store *s, const yb_card *c, yb_err *err)
{
	const char *msg = sqlite3_errmsg(s->db);

	if (sqlite3_extended_errcode(s->db) != SQLITE_CONSTRAINT_UNIQUE)
		return sq_fail(s, err);
	if (strstr(msg, "cards.person_id"))
		return yb_refuse(err, YB_REFUSE_CARD_VALID_EXISTS);
	if (strstr(msg, "cards.card_no"))
		return yb_refuse_text(err, YB_REFUSE_CARD_NO_TAKEN, c->card_no);
	return sq_fail(s, err);
}

int sq_card_insert(yb_store *st, yb_card *c, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_CARD_INSERT,
		"INSERT INTO cards (card_no, person_id, state, activated, "
		"application_id, created_at, updated_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, c->card_no);
	sqlite3_bind_int64(q, 2, c->person_id);
	sq_bind_text(q, 3, yb_card_state_str(c->state));
	sqlite3_bind_int(q, 4, c->activated ? 1 : 0);
	sq_bind_opt_int(q, 5, c->application_id);
	sqlite3_bind_int64(q, 6, c->created_at);
	sqlite3_bind_int64(q, 7, c->updated_at);
	if (sqlite3_step(q) != SQLITE_DONE) {
		card_write_failed(s, c, err);
		sq_done(q);
		return -1;
	}
	sq_done(q);
	c->id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int sq_card_by_no(yb_store *st, const char *card_no, yb_card *out,
		  yb_err *err)
{
	return sq_get_by_text(sq_of(st), SQ_CARD_BY_NO,
		"SELECT " CARD_COLS " FROM cards WHERE card_no = ?1",
		card_no, read_card, out, err);
}

int sq_card_by_id(yb_store *st, yb_id id, yb_card *out, yb_err *err)
{
	return sq_get_by_int(sq_of(st), SQ_CARD_BY_ID,
		"SELECT " CARD_COLS " FROM cards WHERE id = ?1",
		id, read_card, out, err);
}

int sq_card_valid_of(yb_store *st, yb_id person_id, yb_card *out,
		     yb_err *err)
{
	sq_store *s = sq_of(st);
	/* The same WHERE as cards_one_valid, so the index answers it. */
	sqlite3_stmt *q = sq_stmt(s, SQ_CARD_VALID_OF,
		"SELECT " CARD_COLS " FROM cards WHERE person_id = ?1 "
		"AND (state = 'in_production' OR state = 'ready' OR "
		"state = 'issued')", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, person_id);
	return sq_lookup(s, q, read_card, out, err);
}

int sq_card_latest_of(yb_store *st, yb_id person_id, yb_card *out,
		      yb_err *err)
{
	return sq_get_by_int(sq_of(st), SQ_CARD_LATEST_OF,
		"SELECT " CARD_COLS " FROM cards WHERE person_id = ?1 "
		"ORDER BY id DESC LIMIT 1",
		person_id, read_card, out, err);
}

int sq_card_update(yb_store *st, const yb_card *c, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_CARD_UPDATE,
		"UPDATE cards SET state = ?2, activated = ?3, updated_at = ?4 "
		"WHERE id = ?1", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, c->id);
	sq_bind_text(q, 2, yb_card_state_str(c->state));
	sqlite3_bind_int(q, 3, c->activated ? 1 : 0);
	sqlite3_bind_int64(q, 4, c->updated_at);
	if (sqlite3_step(q) != SQLITE_DONE) {
		card_write_failed(s, c, err);
		sq_done(q);
		return -1;
	}
	sq_done(q);
	if (sqlite3_changes(s->db) == 0)
		return yb_refuse_id(err, YB_REFUSE_CARD_NOT_FOUND, c->id);
	return 0;
}

/* ---- the working-day calendar (C3b) -------------------------------------- */

/* One kind of special days, checked already (yb_check_calendar_year). */
static int put_days(sq_store *s, int year, const yb_date *days, int n,
		    const char *kind, yb_err *err)
{
	sqlite3_stmt *q = sq_stmt(s, SQ_CAL_PUT_DAY,
		"INSERT INTO calendar_days (date, year, kind) VALUES (?1, ?2, ?3)",
		err);

	if (!q)
		return -1;
	for (int i = 0; i < n; i++) {
		sqlite3_bind_int64(q, 1, days[i]);
		sqlite3_bind_int(q, 2, year);
		sqlite3_bind_text(q, 3, kind, -1, SQLITE_STATIC);
		if (sq_insert(s, q, YB_REFUSE_NONE, NULL, err) < 0)
			return -1;
	}
	return 0;
}

int sq_calendar_put_year(yb_store *st, const yb_calendar_year *y, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q;
	int rc = -1;

	if (yb_check_calendar_year(y, err) < 0 || sq_op_begin(s, err) < 0)
		return -1;
	q = sq_stmt(s, SQ_CAL_PUT_YEAR,
		    "INSERT INTO calendar_years (year) VALUES (?1) "
		    "ON CONFLICT (year) DO NOTHING", err);
	if (!q)
		goto out;
	sqlite3_bind_int(q, 1, y->year);
	if (sq_exec(s, q, err) < 0)
		goto out;
	q = sq_stmt(s, SQ_CAL_DELETE_DAYS,
		    "DELETE FROM calendar_days WHERE year = ?1", err);
	if (!q)
		goto out;
	sqlite3_bind_int(q, 1, y->year);
	if (sq_exec(s, q, err) < 0)
		goto out;
	if (put_days(s, y->year, y->holidays, y->nholidays, "holiday", err) < 0 ||
	    put_days(s, y->year, y->workdays, y->nworkdays, "workday", err) < 0)
		goto out;
	rc = 0;
out:
	return sq_op_end(s, rc, err);
}

int sq_calendar_get_year(yb_store *st, int year, yb_calendar_year *out,
			 yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_CAL_HAS_YEAR,
		"SELECT year FROM calendar_years WHERE year = ?1", err);
	yb_calendar_year y;
	int64_t found;
	int rc;

	if (!q)
		return -1;
	sqlite3_bind_int(q, 1, year);
	rc = sq_step_ints(s, q, &found, 1, err);
	if (rc <= 0)
		return rc;

	q = sq_stmt(s, SQ_CAL_DAYS,
		    "SELECT date, kind FROM calendar_days WHERE year = ?1 "
		    "ORDER BY date", err);
	if (!q)
		return -1;
	memset(&y, 0, sizeof y);
	y.year = year;
	sqlite3_bind_int(q, 1, year);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(q, 1);
		bool holiday = kind && strcmp(kind, "holiday") == 0;
		int *count = holiday ? &y.nholidays : &y.nworkdays;
		yb_date *days = holiday ? y.holidays : y.workdays;

		if (*count == YB_CAL_MAX_DAYS) {
			sq_done(q);
			return yb_errf(err, "store.corrupt",
				       "calendar year %d has too many days", year);
		}
		days[(*count)++] = (yb_date)sqlite3_column_int64(q, 0);
	}
	rc = rc == SQLITE_DONE ? 1 : sq_fail(s, err);
	sq_done(q);
	if (rc == 1)
		*out = y;
	return rc;
}
