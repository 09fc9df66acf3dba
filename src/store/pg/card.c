/*
 * card.c — social security cards on PostgreSQL: card applications, cards
 * and the working-day calendar their deadlines count in (C3b).  Cards
 * and card applications are read to be changed, so inside write
 * transactions they are locked FOR UPDATE: two reports of one lost card
 * are applied one after the other, never on the same stale copy.
 */
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "store/pg/pg_int.h"

static pg_store *PS(yb_store *st)
{
	return (pg_store *)st;
}

/* --- card applications ------------------------------------------------- */

static const pg_stmt st_card_application_insert = { "card_application_insert",
	"INSERT INTO card_applications (person_id, route, materials_json, "
	"  applied_on, ready_by, card_id, operator_id, created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id", NULL };
static const pg_stmt st_card_application_by_id = { "card_application_by_id",
	"SELECT id, person_id, route, materials_json, applied_on, ready_by, "
	"  card_id, operator_id, created_at "
	"FROM card_applications WHERE id = $1", "FOR UPDATE" };
static const pg_stmt st_card_application_set_card = {
	"card_application_set_card",
	"UPDATE card_applications SET card_id = $2 WHERE id = $1", NULL };

static int decode_application(pg_row *r, void *out)
{
	yb_card_application *a = out;
	memset(a, 0, sizeof *a);
	a->id = pg_r_i64(r);
	a->person_id = pg_r_i64(r);
	PG_R_ENUM(r, yb_card_route_from_str, &a->route);
	pg_r_str(r, a->materials_json, sizeof a->materials_json);
	a->applied_on = (yb_date)pg_r_i64(r);
	a->ready_by = (yb_date)pg_r_i64(r);
	a->card_id = pg_r_i64(r);
	pg_r_str(r, a->operator_id, sizeof a->operator_id);
	a->created_at = pg_r_i64(r);
	return 0;
}

int pg_card_application_insert(yb_store *st, yb_card_application *a,
			       yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, a->person_id);
	pg_p_text(&q, yb_card_route_str(a->route));
	pg_p_text(&q, a->materials_json);
	pg_p_i64(&q, a->applied_on);
	pg_p_id(&q, a->ready_by);
	pg_p_id(&q, a->card_id);
	pg_p_text(&q, a->operator_id);
	pg_p_i64(&q, a->created_at);
	return pg_take_id(pg_run_release(PS(st), &st_card_application_insert,
					 &q, err),
			  &a->id);
}

int pg_card_application_by_id(yb_store *st, yb_id id,
			      yb_card_application *out, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, id);
	return pg_lookup(PS(st), &st_card_application_by_id, &q,
			 decode_application, out, err);
}

int pg_card_application_set_card(yb_store *st, yb_id application_id,
				 yb_id card_id, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, application_id);
	pg_p_id(&q, card_id);
	return pg_update_one(PS(st), &st_card_application_set_card, &q,
			     YB_REFUSE_CARD_APPLICATION_NOT_FOUND,
			     application_id, err);
}

/* --- cards ------------------------------------------------------------- */

#define CARD_COLS PG_CARD_COLS("")
#define CARD_VALID "state IN ('in_production', 'ready', 'issued')"

static const pg_stmt st_card_insert = { "card_insert",
	"INSERT INTO cards (card_no, person_id, state, activated, "
	"  application_id, created_at, updated_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7) "
	"ON CONFLICT DO NOTHING RETURNING id", NULL };
static const pg_stmt st_card_no_taken = { "card_no_taken",
	"SELECT 1 FROM cards WHERE card_no = $1", NULL };
static const pg_stmt st_card_by_no = { "card_by_no",
	"SELECT " CARD_COLS " FROM cards WHERE card_no = $1", "FOR UPDATE" };
static const pg_stmt st_card_by_id = { "card_by_id",
	"SELECT " CARD_COLS " FROM cards WHERE id = $1", "FOR UPDATE" };
static const pg_stmt st_card_valid_of = { "card_valid_of",
	"SELECT " CARD_COLS " FROM cards WHERE person_id = $1 AND " CARD_VALID,
	"FOR UPDATE" };
static const pg_stmt st_card_latest_of = { "card_latest_of",
	"SELECT " CARD_COLS " FROM cards WHERE person_id = $1 "
	"ORDER BY id DESC LIMIT 1", "FOR UPDATE" };
static const pg_stmt st_card_update = { "card_update",
	"UPDATE cards SET state = $2, activated = $3, updated_at = $4 "
	"WHERE id = $1", NULL };

int pg_decode_card(pg_row *r, void *out)
{
	yb_card *c = out;
	memset(c, 0, sizeof *c);
	c->id = pg_r_i64(r);
	pg_r_str(r, c->card_no, sizeof c->card_no);
	c->person_id = pg_r_i64(r);
	PG_R_ENUM(r, yb_card_state_from_str, &c->state);
	c->activated = pg_r_bool(r);
	c->application_id = pg_r_i64(r);
	c->created_at = pg_r_i64(r);
	c->updated_at = pg_r_i64(r);
	return 0;
}

int pg_card_insert(yb_store *st, yb_card *c, yb_err *err)
{
	pg_params q;
	PGresult *res;

	pg_params_init(&q);
	pg_p_text(&q, c->card_no);
	pg_p_i64(&q, c->person_id);
	pg_p_text(&q, yb_card_state_str(c->state));
	pg_p_bool(&q, c->activated);
	pg_p_id(&q, c->application_id);
	pg_p_i64(&q, c->created_at);
	pg_p_i64(&q, c->updated_at);
	res = pg_run(PS(st), &st_card_insert, &q, err);
	if (!res)
		return -1;
	if (PQntuples(res) == 1)
		return pg_take_id(res, &c->id);
	PQclear(res);
	/* Two unique keys: say which one was hit. */
	pg_params_init(&q);
	pg_p_text(&q, c->card_no);
	res = pg_run(PS(st), &st_card_no_taken, &q, err);
	if (!res)
		return -1;
	if (PQntuples(res) > 0)
		yb_refuse_text(err, YB_REFUSE_CARD_NO_TAKEN, c->card_no);
	else
		yb_refuse(err, YB_REFUSE_CARD_VALID_EXISTS);
	PQclear(res);
	return -1;
}

static int card_by(yb_store *st, const pg_stmt *s, pg_params *q, yb_card *out,
		   yb_err *err)
{
	return pg_lookup(PS(st), s, q, pg_decode_card, out, err);
}

int pg_card_by_no(yb_store *st, const char *card_no, yb_card *out,
		  yb_err *err)
{
	pg_params q;
	int found;

	/* issue 16, pg3: to settle, with its holder's rows (holder.c) */
	if (PS(st)->in_txn && PS(st)->txn_write) {
		/* pg8: fetched by the settlement's hint (hint.c) */
		if (pg_hint_cred(PS(st), YB_CRED_CARD, card_no, out, NULL))
			return 1;
		found = pg_card_with_holder(PS(st), card_no, out, err);
		if (found != 0)
			return found;
	}
	pg_params_init(&q);
	pg_p_text(&q, card_no);
	return card_by(st, &st_card_by_no, &q, out, err);
}

int pg_card_by_id(yb_store *st, yb_id id, yb_card *out, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, id);
	return card_by(st, &st_card_by_id, &q, out, err);
}

int pg_card_valid_of(yb_store *st, yb_id person_id, yb_card *out,
		     yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	return card_by(st, &st_card_valid_of, &q, out, err);
}

int pg_card_latest_of(yb_store *st, yb_id person_id, yb_card *out,
		      yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	return card_by(st, &st_card_latest_of, &q, out, err);
}

int pg_card_update(yb_store *st, const yb_card *c, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, c->id);
	pg_p_text(&q, yb_card_state_str(c->state));
	pg_p_bool(&q, c->activated);
	pg_p_i64(&q, c->updated_at);
	return pg_update_one(PS(st), &st_card_update, &q,
			     YB_REFUSE_CARD_NOT_FOUND, c->id, err);
}

/* --- working-day calendar ---------------------------------------------- */

/* The year row says "loaded" even when the year has no special days. */
static const pg_stmt st_calendar_clear = { "calendar_clear",
	"WITH gone AS (DELETE FROM calendar_days WHERE year = $1) "
	"INSERT INTO calendar_years (year) VALUES ($1) ON CONFLICT DO NOTHING",
	NULL };
static const pg_stmt st_calendar_fill = { "calendar_fill",
	"INSERT INTO calendar_days (date, year, kind) "
	"SELECT d, $1, k FROM unnest($2::integer[], $3::text[]) AS x(d, k)",
	NULL };
static const pg_stmt st_calendar_get = { "calendar_get",
	"SELECT d.date, d.kind FROM calendar_years y "
	"LEFT JOIN calendar_days d ON d.year = y.year "
	"WHERE y.year = $1 ORDER BY d.date", NULL };

/* Collect one kind of special days for the one INSERT.  The table is
 * checked before (yb_check_calendar_year), because a failed INSERT would
 * abort the caller's whole transaction on PostgreSQL. */
static void collect_days(const yb_date *in, int nin, const char *kind,
			 int64_t *days, const char **kinds, int *n)
{
	for (int i = 0; i < nin; i++) {
		days[*n] = in[i];
		kinds[(*n)++] = kind;
	}
}

int pg_calendar_put_year(yb_store *st, const yb_calendar_year *y,
			 yb_err *err)
{
	int64_t days[2 * YB_CAL_MAX_DAYS];
	const char *kinds[2 * YB_CAL_MAX_DAYS];
	int n = 0;
	bool own;
	pg_params q;
	int rc;

	if (yb_check_calendar_year(y, err) < 0)
		return -1;
	collect_days(y->holidays, y->nholidays, "holiday", days, kinds, &n);
	collect_days(y->workdays, y->nworkdays, "workday", days, kinds, &n);
	if (pg_auto_begin(PS(st), &own, err) < 0)
		return -1;
	pg_params_init(&q);
	pg_p_i64(&q, y->year);
	rc = pg_exec(PS(st), &st_calendar_clear, &q, err);
	if (rc == 0) {
		pg_params_init(&q);
		pg_p_i64(&q, y->year);
		pg_p_i64_array(&q, days, n);
		pg_p_text_array(&q, kinds, n);
		rc = pg_exec(PS(st), &st_calendar_fill, &q, err);
	}
	return pg_auto_end(PS(st), own, rc == 0, err);
}

int pg_calendar_get_year(yb_store *st, int year, yb_calendar_year *out,
			 yb_err *err)
{
	pg_params q;
	PGresult *res;
	yb_calendar_year y;
	int rc = -1;

	pg_params_init(&q);
	pg_p_i64(&q, year);
	res = pg_run(PS(st), &st_calendar_get, &q, err);
	if (!res)
		return -1;
	memset(&y, 0, sizeof y);
	y.year = year;
	for (int i = 0; i < PQntuples(res); i++) {
		pg_row r = pg_row_at(res, i);
		yb_date day;
		const char *kind;

		if (PQgetisnull(res, i, 0))
			continue;       /* a loaded year with no special days */
		day = (yb_date)pg_r_i64(&r);
		kind = pg_r_text(&r);
		if (strcmp(kind, "holiday") == 0 && y.nholidays < YB_CAL_MAX_DAYS)
			y.holidays[y.nholidays++] = day;
		else if (strcmp(kind, "workday") == 0 &&
			 y.nworkdays < YB_CAL_MAX_DAYS)
			y.workdays[y.nworkdays++] = day;
		else
			r.bad = true;
		if (r.bad) {
			pg_corrupt(err, "calendar");
			goto out;
		}
	}
	rc = 0;
	if (PQntuples(res) > 0) {
		*out = y;
		rc = 1;
	}
out:
	PQclear(res);
	return rc;
}
