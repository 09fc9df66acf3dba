/*
 * pg_register.c — the register on PostgreSQL: persons, employers,
 * contributions, card applications and cards, the working-day calendar,
 * institutions, and the credentials tables (API keys, sessions, login
 * throttling).  Semantics are store.h's; how statements run is pg_int.h's.
 *
 * Lock clauses: persons are read FOR SHARE inside write transactions, so
 * a binding being made and a termination of one of its two persons take
 * turns instead of crossing (F8): the termination's UPDATE waits for the
 * binding to commit and then ends it, or the binding sees "terminated".
 * Shared, because most readers of a person only need it to stay as read
 * (two settlements of one patient do not exclude each other).  Cards,
 * card applications and throttle counters are read to be changed, so
 * they are locked FOR UPDATE: two reports of one lost card, or two failed
 * logins, are applied one after the other, never on the same stale copy.
 */
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "store/pg/pg_int.h"

static pg_store *PS(yb_store *st)
{
	return (pg_store *)st;
}

/* --- persons ----------------------------------------------------------- */

#define PERSON_COLS \
	"id, ssn, id_number, name, sex, birth_date, region, scheme, status, " \
	"term_reason, employer_code, created_at, updated_at"

static const pg_stmt st_person_insert = { "person_insert",
	"INSERT INTO persons (ssn, id_number, name, sex, birth_date, region, "
	"  scheme, status, term_reason, employer_code, created_at, updated_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
	"ON CONFLICT DO NOTHING RETURNING id", NULL };
static const pg_stmt st_person_by_id = { "person_by_id",
	"SELECT " PERSON_COLS " FROM persons WHERE id = $1", "FOR SHARE" };
static const pg_stmt st_person_by_ssn = { "person_by_ssn",
	"SELECT " PERSON_COLS " FROM persons WHERE ssn = $1", "FOR SHARE" };
static const pg_stmt st_person_by_id_number = { "person_by_id_number",
	"SELECT " PERSON_COLS " FROM persons WHERE id_number = $1", "FOR SHARE" };
static const pg_stmt st_person_set_status = { "person_set_status",
	"UPDATE persons SET status = $2, term_reason = $3, updated_at = $4 "
	"WHERE id = $1", NULL };
static const pg_stmt st_person_set_password = { "person_set_password",
	"INSERT INTO person_passwords (person_id, hash) VALUES ($1, $2) "
	"ON CONFLICT (person_id) DO UPDATE SET hash = EXCLUDED.hash", NULL };
static const pg_stmt st_person_password = { "person_password",
	"SELECT hash FROM person_passwords WHERE person_id = $1", NULL };

static int decode_person(pg_row *r, void *out)
{
	yb_person *p = out;
	const char *sex;
	const char *reason;

	memset(p, 0, sizeof *p);
	p->id = pg_r_i64(r);
	pg_r_str(r, p->ssn, sizeof p->ssn);
	pg_r_str(r, p->id_number, sizeof p->id_number);
	pg_r_str(r, p->name, sizeof p->name);
	sex = pg_r_text(r);
	if (strcmp(sex, "female") == 0)
		p->sex = YB_SEX_FEMALE;
	else if (strcmp(sex, "male") == 0)
		p->sex = YB_SEX_MALE;
	else
		r->bad = true;
	p->birth_date = (yb_date)pg_r_i64(r);
	pg_r_str(r, p->region, sizeof p->region);
	PG_R_ENUM(r, yb_scheme_from_str, &p->scheme);
	PG_R_ENUM(r, yb_status_from_str, &p->status);
	reason = pg_r_text(r);
	if (*reason == '\0')
		p->term_reason = YB_TERM_NONE;
	else if (!yb_term_reason_from_str(reason, &p->term_reason))
		r->bad = true;
	pg_r_str(r, p->employer_code, sizeof p->employer_code);
	p->created_at = pg_r_i64(r);
	p->updated_at = pg_r_i64(r);
	return 0;
}

int pg_person_insert(yb_store *st, yb_person *p, yb_err *err)
{
	pg_params q;
	PGresult *res;
	int rc = -1;

	pg_params_init(&q);
	pg_p_text(&q, p->ssn);
	pg_p_text(&q, p->id_number);
	pg_p_text(&q, p->name);
	pg_p_text(&q, yb_sex_str(p->sex));
	pg_p_i64(&q, p->birth_date);
	pg_p_text(&q, p->region);
	pg_p_text(&q, yb_scheme_str(p->scheme));
	pg_p_text(&q, yb_status_str(p->status));
	pg_p_text(&q, yb_term_reason_str(p->term_reason));
	pg_p_opt_text(&q, p->employer_code);
	pg_p_i64(&q, p->created_at);
	pg_p_i64(&q, p->updated_at);
	res = pg_run(PS(st), &st_person_insert, &q, err);
	if (!res)
		return -1;
	if (PQntuples(res) == 0)
		yb_errf(err, "person.duplicate",
			"a person with this SSN or ID number is registered");
	else {
		p->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		rc = 0;
	}
	PQclear(res);
	return rc;
}

/* Lookups by one key share their shape. */
static int person_by(yb_store *st, const pg_stmt *s, pg_params *q,
		     yb_person *out, yb_err *err)
{
	return pg_lookup(PS(st), s, q, decode_person, out, err);
}

int pg_person_by_id(yb_store *st, yb_id id, yb_person *out, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, id);
	return person_by(st, &st_person_by_id, &q, out, err);
}

int pg_person_by_ssn(yb_store *st, const char *ssn, yb_person *out,
		     yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_text(&q, ssn);
	return person_by(st, &st_person_by_ssn, &q, out, err);
}

int pg_person_by_id_number(yb_store *st, const char *id_number,
			   yb_person *out, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_text(&q, id_number);
	return person_by(st, &st_person_by_id_number, &q, out, err);
}

/* An UPDATE of one row by id: no such row is `notfound`. */
static int update_one(yb_store *st, const pg_stmt *s, pg_params *q,
		      const char *notfound, yb_err *err)
{
	PGresult *res = pg_run_release(PS(st), s, q, err);
	int64_t n;

	if (!res)
		return -1;
	n = pg_affected(res);
	PQclear(res);
	if (n == 0)
		return yb_errf(err, notfound, "no such record");
	return 0;
}

int pg_person_set_status(yb_store *st, yb_id id, yb_status status,
			 yb_term_reason reason, yb_time at, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, id);
	pg_p_text(&q, yb_status_str(status));
	pg_p_text(&q, yb_term_reason_str(reason));
	pg_p_i64(&q, at);
	return update_one(st, &st_person_set_status, &q, "person.not_found", err);
}

int pg_person_set_password(yb_store *st, yb_id id, const char *hash,
			   yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, id);
	pg_p_text(&q, hash);
	return pg_exec(PS(st), &st_person_set_password, &q, err);
}

int pg_person_password(yb_store *st, yb_id id, char *hash, size_t size,
		       yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, id);
	return pg_lookup_text(PS(st), &st_person_password, &q, hash, size,
			      "the password hash", err);
}

/* --- employers --------------------------------------------------------- */

static const pg_stmt st_employer_insert = { "employer_insert",
	"INSERT INTO employers (code, name, created_at) VALUES ($1, $2, $3) "
	"ON CONFLICT DO NOTHING RETURNING code", NULL };
static const pg_stmt st_employer_by_code = { "employer_by_code",
	"SELECT code, name, created_at FROM employers WHERE code = $1", NULL };

static int decode_employer(pg_row *r, void *out)
{
	yb_employer *e = out;
	memset(e, 0, sizeof *e);
	pg_r_str(r, e->code, sizeof e->code);
	pg_r_str(r, e->name, sizeof e->name);
	e->created_at = pg_r_i64(r);
	return 0;
}

/*
 * An INSERT ... ON CONFLICT DO NOTHING RETURNING: no row back means the
 * key was taken, reported as `dup`.  Returns the result (one row) for the
 * caller to read the generated id from, or NULL with err set.
 */
static PGresult *insert_unique(yb_store *st, const pg_stmt *s, pg_params *q,
			       const char *dup, const char *what, yb_err *err)
{
	PGresult *res = pg_run_release(PS(st), s, q, err);

	if (res && PQntuples(res) == 0) {
		PQclear(res);
		yb_errf(err, dup, "%s already exists", what);
		return NULL;
	}
	return res;
}

int pg_employer_insert(yb_store *st, yb_employer *e, yb_err *err)
{
	pg_params q;
	PGresult *res;

	pg_params_init(&q);
	pg_p_text(&q, e->code);
	pg_p_text(&q, e->name);
	pg_p_i64(&q, e->created_at);
	res = insert_unique(st, &st_employer_insert, &q, "employer.duplicate",
			    "an employer with this code", err);
	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

int pg_employer_by_code(yb_store *st, const char *code, yb_employer *out,
			yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_text(&q, code);
	return pg_lookup(PS(st), &st_employer_by_code, &q, decode_employer, out,
			 err);
}

/* Set *id from the first column of a one-row result, and clear it. */
static int take_id(PGresult *res, yb_id *id)
{
	if (!res)
		return -1;
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

/* --- contributions ----------------------------------------------------- */

#define CONTRIBUTION_SELECT \
	"SELECT c.id, c.person_id, p.ssn, c.period, c.employer_code, " \
	"  c.base_fen, c.employer_fen, c.personal_fen, c.account_credit_fen, " \
	"  c.ledger_txn_id, c.created_at, " \
	"  coalesce(pb.ssn, ''), coalesce(pb.name, '') " /* family: E1 */ \
	"FROM contributions c JOIN persons p ON p.id = c.person_id " \
	"  LEFT JOIN premium_payments pp ON pp.contribution_id = c.id " \
	"  LEFT JOIN persons pb ON pb.id = pp.payer_id "

static const pg_stmt st_contribution_insert = { "contribution_insert",
	"INSERT INTO contributions (person_id, period, employer_code, base_fen, "
	"  employer_fen, personal_fen, account_credit_fen, ledger_txn_id, "
	"  created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
	"ON CONFLICT DO NOTHING RETURNING id", NULL };
static const pg_stmt st_contributions_of_person = { "contributions_of_person",
	CONTRIBUTION_SELECT
	"WHERE c.person_id = $1 AND c.id < $2 ORDER BY c.id DESC LIMIT $3",
	NULL };
/* Two statements rather than "($2 IS NULL OR period = $2)", so that each
 * has an index that matches it exactly. */
static const pg_stmt st_contributions_of_employer = {
	"contributions_of_employer",
	CONTRIBUTION_SELECT
	"WHERE c.employer_code = $1 AND c.id < $2 ORDER BY c.id DESC LIMIT $3",
	NULL };
static const pg_stmt st_contributions_of_employer_period = {
	"contributions_of_employer_period",
	CONTRIBUTION_SELECT
	"WHERE c.employer_code = $1 AND c.period = $4 AND c.id < $2 "
	"ORDER BY c.id DESC LIMIT $3", NULL };

static int decode_contribution(pg_row *r, void *out)
{
	yb_contribution *c = out;
	memset(c, 0, sizeof *c);
	c->id = pg_r_i64(r);
	c->person_id = pg_r_i64(r);
	pg_r_str(r, c->ssn, sizeof c->ssn);
	pg_r_str(r, c->period, sizeof c->period);
	pg_r_str(r, c->employer_code, sizeof c->employer_code);
	c->base_fen = pg_r_i64(r);
	c->employer_fen = pg_r_i64(r);
	c->personal_fen = pg_r_i64(r);
	c->account_credit_fen = pg_r_i64(r);
	c->ledger_txn_id = pg_r_i64(r);
	c->created_at = pg_r_i64(r);
	pg_r_str(r, c->paid_by_ssn, sizeof c->paid_by_ssn);    /* E1 */
	pg_r_str(r, c->paid_by_name, sizeof c->paid_by_name);
	return 0;
}

int pg_contribution_insert(yb_store *st, yb_contribution *c, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, c->person_id);
	pg_p_text(&q, c->period);
	pg_p_text(&q, c->employer_code);
	pg_p_i64(&q, c->base_fen);
	pg_p_i64(&q, c->employer_fen);
	pg_p_i64(&q, c->personal_fen);
	pg_p_i64(&q, c->account_credit_fen);
	pg_p_id(&q, c->ledger_txn_id);
	pg_p_i64(&q, c->created_at);
	return take_id(insert_unique(st, &st_contribution_insert, &q,
				     "contribution.duplicate",
				     "a contribution for this person, period "
				     "and employer", err), &c->id);
}

int pg_contributions_of_person(yb_store *st, yb_id person_id, yb_id before,
			       int limit, yb_contribution **out, int *n,
			       yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	pg_p_i64(&q, pg_before(before));
	pg_p_i64(&q, pg_limit(limit));
	return pg_list(PS(st), &st_contributions_of_person, &q, sizeof **out,
		       decode_contribution, (void **)out, n, err);
}

int pg_contributions_of_employer(yb_store *st, const char *employer_code,
				 const char *period, yb_id before, int limit,
				 yb_contribution **out, int *n, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_text(&q, employer_code);
	pg_p_i64(&q, pg_before(before));
	pg_p_i64(&q, pg_limit(limit));
	if (period)
		pg_p_text(&q, period);
	return pg_list(PS(st), period ? &st_contributions_of_employer_period
				      : &st_contributions_of_employer,
		       &q, sizeof **out, decode_contribution, (void **)out, n,
		       err);
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
	return take_id(pg_run_release(PS(st), &st_card_application_insert, &q,
				      err), &a->id);
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
	return update_one(st, &st_card_application_set_card, &q,
			  "card.application_not_found", err);
}

/* --- cards ------------------------------------------------------------- */

#define CARD_COLS \
	"id, card_no, person_id, state, activated, application_id, " \
	"created_at, updated_at"
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

static int decode_card(pg_row *r, void *out)
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
		return take_id(res, &c->id);
	PQclear(res);
	/* Two unique keys: say which one was hit. */
	pg_params_init(&q);
	pg_p_text(&q, c->card_no);
	res = pg_run(PS(st), &st_card_no_taken, &q, err);
	if (!res)
		return -1;
	if (PQntuples(res) > 0)
		yb_errf(err, "store.error", "card number %s is taken", c->card_no);
	else
		yb_errf(err, "card.already_has_valid_card",
			"the person already holds a valid card");
	PQclear(res);
	return -1;
}

static int card_by(yb_store *st, const pg_stmt *s, pg_params *q, yb_card *out,
		   yb_err *err)
{
	return pg_lookup(PS(st), s, q, decode_card, out, err);
}

int pg_card_by_no(yb_store *st, const char *card_no, yb_card *out,
		  yb_err *err)
{
	pg_params q;
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
	return update_one(st, &st_card_update, &q, "card.not_found", err);
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

/* Collect one kind of special days, each in `year` and not listed
 * before: checked here, because a failed INSERT would abort the caller's
 * whole transaction on PostgreSQL. */
static int collect_days(int year, const yb_date *in, int nin, const char *kind,
			int64_t *days, const char **kinds, int *n, yb_err *err)
{
	for (int i = 0; i < nin; i++) {
		int y, m, d;

		yb_date_to_ymd(in[i], &y, &m, &d);
		if (y != year)
			return yb_errf(err, "calendar.invalid",
				       "a %s of year %d lies in %d", kind, year, y);
		for (int j = 0; j < *n; j++)
			if (days[j] == in[i])
				return yb_errf(err, "calendar.invalid",
					       "a date is listed twice in the "
					       "calendar");
		days[*n] = in[i];
		kinds[(*n)++] = kind;
	}
	return 0;
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

	if (y->nholidays < 0 || y->nholidays > YB_CAL_MAX_DAYS ||
	    y->nworkdays < 0 || y->nworkdays > YB_CAL_MAX_DAYS)
		return yb_errf(err, "calendar.invalid",
			       "at most %d holidays and %d workdays a year",
			       YB_CAL_MAX_DAYS, YB_CAL_MAX_DAYS);
	if (collect_days(y->year, y->holidays, y->nholidays, "holiday", days,
			 kinds, &n, err) < 0 ||
	    collect_days(y->year, y->workdays, y->nworkdays, "workday", days,
			 kinds, &n, err) < 0)
		return -1;
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

/* --- institutions ------------------------------------------------------ */

/*
 * The receivable account is made with the institution, unless the caller
 * made it already ($4 not NULL) — one statement, so it is atomic on its
 * own.  The account is inserted first (a CTE) so the institution row can
 * name it; when the code is taken, neither is written.
 */
static const pg_stmt st_institution_insert = { "institution_insert",
	"WITH a AS (INSERT INTO accounts (kind, institution_code, balance_fen, "
	"             created_at) "
	"           SELECT 'institution_receivable', $1, 0, $5 "
	"           WHERE $4::bigint IS NULL "
	"             AND NOT EXISTS (SELECT 1 FROM institutions WHERE code = $1) "
	"           RETURNING id) "
	"INSERT INTO institutions (code, name, type, receivable_account_id, "
	"  created_at) VALUES ($1, $2, $3, coalesce($4, (SELECT id FROM a)), $5) "
	"ON CONFLICT DO NOTHING RETURNING receivable_account_id", NULL };
static const pg_stmt st_institution_by_code = { "institution_by_code",
	"SELECT code, name, type, receivable_account_id, created_at "
	"FROM institutions WHERE code = $1", NULL };

static int decode_institution(pg_row *r, void *out)
{
	yb_institution *i = out;
	memset(i, 0, sizeof *i);
	pg_r_str(r, i->code, sizeof i->code);
	pg_r_str(r, i->name, sizeof i->name);
	PG_R_ENUM(r, yb_inst_type_from_str, &i->type);
	i->receivable_account_id = pg_r_i64(r);
	i->created_at = pg_r_i64(r);
	return 0;
}

int pg_institution_insert(yb_store *st, yb_institution *i, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_text(&q, i->code);
	pg_p_text(&q, i->name);
	pg_p_text(&q, yb_inst_type_str(i->type));
	pg_p_id(&q, i->receivable_account_id);
	pg_p_i64(&q, i->created_at);
	return take_id(insert_unique(st, &st_institution_insert, &q,
				     "institution.duplicate",
				     "an institution with this code", err),
		       &i->receivable_account_id);
}

int pg_institution_by_code(yb_store *st, const char *code,
			   yb_institution *out, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_text(&q, code);
	return pg_lookup(PS(st), &st_institution_by_code, &q,
			 decode_institution, out, err);
}

/* --- API keys, sessions, throttling ------------------------------------ */

static const pg_stmt st_apikey_insert = { "apikey_insert",
	"INSERT INTO api_keys (key_hash, role, institution_code, employer_code, "
	"  label, created_at, revoked_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", NULL };
static const pg_stmt st_apikey_by_hash = { "apikey_by_hash",
	"SELECT id, key_hash, role, institution_code, employer_code, label, "
	"  created_at, revoked_at FROM api_keys WHERE key_hash = $1", NULL };
static const pg_stmt st_apikey_revoke = { "apikey_revoke",
	"UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2) "
	"WHERE id = $1", NULL };
static const pg_stmt st_session_insert = { "session_insert",
	"INSERT INTO sessions (token_hash, person_id, created_at, expires_at) "
	"VALUES ($1, $2, $3, $4)", NULL };
static const pg_stmt st_session_by_hash = { "session_by_hash",
	"SELECT token_hash, person_id, created_at, expires_at "
	"FROM sessions WHERE token_hash = $1", NULL };
static const pg_stmt st_session_delete = { "session_delete",
	"DELETE FROM sessions WHERE token_hash = $1", NULL };
static const pg_stmt st_sessions_purge = { "sessions_purge",
	"DELETE FROM sessions WHERE expires_at <= $1", NULL };
static const pg_stmt st_throttle_get = { "throttle_get",
	"SELECT failures, window_start FROM login_throttle WHERE key = $1",
	"FOR UPDATE" };
static const pg_stmt st_throttle_put = { "throttle_put",
	"INSERT INTO login_throttle (key, failures, window_start) "
	"VALUES ($1, $2, $3) "
	"ON CONFLICT (key) DO UPDATE SET failures = EXCLUDED.failures, "
	"  window_start = EXCLUDED.window_start", NULL };
static const pg_stmt st_throttle_clear = { "throttle_clear",
	"DELETE FROM login_throttle WHERE key = $1", NULL };

static int decode_apikey(pg_row *r, void *out)
{
	yb_api_key *k = out;
	memset(k, 0, sizeof *k);
	k->id = pg_r_i64(r);
	pg_r_str(r, k->key_hash, sizeof k->key_hash);
	PG_R_ENUM(r, yb_role_from_str, &k->role);
	pg_r_str(r, k->institution_code, sizeof k->institution_code);
	pg_r_str(r, k->employer_code, sizeof k->employer_code);
	pg_r_str(r, k->label, sizeof k->label);
	k->created_at = pg_r_i64(r);
	k->revoked_at = pg_r_i64(r);
	return 0;
}

static int decode_session(pg_row *r, void *out)
{
	yb_session *s = out;
	memset(s, 0, sizeof *s);
	pg_r_str(r, s->token_hash, sizeof s->token_hash);
	s->person_id = pg_r_i64(r);
	s->created_at = pg_r_i64(r);
	s->expires_at = pg_r_i64(r);
	return 0;
}

int pg_apikey_insert(yb_store *st, yb_api_key *k, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_text(&q, k->key_hash);
	pg_p_text(&q, yb_role_str(k->role));
	pg_p_opt_text(&q, k->institution_code);
	pg_p_opt_text(&q, k->employer_code);
	pg_p_text(&q, k->label);
	pg_p_i64(&q, k->created_at);
	pg_p_id(&q, k->revoked_at);
	return take_id(pg_run_release(PS(st), &st_apikey_insert, &q, err),
		       &k->id);
}

int pg_apikey_by_hash(yb_store *st, const char *key_hash, yb_api_key *out,
		      yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_text(&q, key_hash);
	return pg_lookup(PS(st), &st_apikey_by_hash, &q, decode_apikey, out,
			 err);
}

int pg_apikey_revoke(yb_store *st, yb_id id, yb_time at, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, id);
	pg_p_i64(&q, at);
	return update_one(st, &st_apikey_revoke, &q, "apikey.not_found", err);
}

int pg_session_insert(yb_store *st, const yb_session *s, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_text(&q, s->token_hash);
	pg_p_i64(&q, s->person_id);
	pg_p_i64(&q, s->created_at);
	pg_p_i64(&q, s->expires_at);
	return pg_exec(PS(st), &st_session_insert, &q, err);
}

int pg_session_by_hash(yb_store *st, const char *token_hash,
		       yb_session *out, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_text(&q, token_hash);
	return pg_lookup(PS(st), &st_session_by_hash, &q, decode_session, out,
			 err);
}

/* A statement whose one parameter is a key, run for its effect. */
static int exec_by_key(yb_store *st, const pg_stmt *s, const char *key,
		       yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_text(&q, key);
	return pg_exec(PS(st), s, &q, err);
}

int pg_session_delete(yb_store *st, const char *token_hash, yb_err *err)
{
	return exec_by_key(st, &st_session_delete, token_hash, err);
}

int pg_sessions_purge(yb_store *st, yb_time now, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, now);
	return pg_exec(PS(st), &st_sessions_purge, &q, err);
}

/* A person's live sessions and their revocation (issue 14). */
static const pg_stmt st_sessions_of_person = { "sessions_of_person",
	"SELECT token_hash, person_id, created_at, expires_at FROM sessions "
	"WHERE person_id = $1 AND expires_at > $2 "
	"ORDER BY created_at DESC, token_hash LIMIT 1000", NULL };
static const pg_stmt st_sessions_end_person = { "sessions_end_person",
	"DELETE FROM sessions WHERE person_id = $1 "
	"AND token_hash IS DISTINCT FROM $2", NULL };

int pg_sessions_of_person(yb_store *st, yb_id person_id, yb_time now,
			  yb_session **out, int *n, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	pg_p_i64(&q, now);
	return pg_list(PS(st), &st_sessions_of_person, &q, sizeof **out,
		       decode_session, (void **)out, n, err);
}

int pg_sessions_end_person(yb_store *st, yb_id person_id,
			   const char *keep_hash, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	pg_p_opt_text(&q, keep_hash);
	return pg_exec(PS(st), &st_sessions_end_person, &q, err);
}

int pg_throttle_get(yb_store *st, const char *key, int *failures,
		    yb_time *window_start, yb_err *err)
{
	pg_params q;
	PGresult *res;
	int rc = 0;

	pg_params_init(&q);
	pg_p_text(&q, key);
	res = pg_run(PS(st), &st_throttle_get, &q, err);
	if (!res)
		return -1;
	if (PQntuples(res) == 1) {
		pg_row r = pg_row_at(res, 0);
		*failures = (int)pg_r_i64(&r);
		*window_start = pg_r_i64(&r);
		rc = r.bad ? pg_corrupt(err, "throttle") : 1;
	}
	PQclear(res);
	return rc;
}

int pg_throttle_put(yb_store *st, const char *key, int failures,
		    yb_time window_start, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_text(&q, key);
	pg_p_i64(&q, failures);
	pg_p_i64(&q, window_start);
	return pg_exec(PS(st), &st_throttle_put, &q, err);
}

int pg_throttle_clear(yb_store *st, const char *key, yb_err *err)
{
	return exec_by_key(st, &st_throttle_clear, key, err);
}
