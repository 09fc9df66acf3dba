/*
 * register.c — the register on PostgreSQL: persons, employers,
 * contributions and institutions.  Semantics are store.h's; how
 * statements run is pg_int.h's.  Cards and the calendar are in card.c,
 * credentials in credential.c.
 *
 * Lock clauses: persons are read FOR SHARE inside write transactions, so
 * a binding being made and a termination of one of its two persons take
 * turns instead of crossing (F8): the termination's UPDATE waits for the
 * binding to commit and then ends it, or the binding sees "terminated".
 * Shared, because most readers of a person only need it to stay as read
 * (two settlements of one patient do not exclude each other).
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

#define PERSON_COLS PG_PERSON_COLS("")

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

int pg_decode_person(pg_row *r, void *out)
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
	return pg_take_id(pg_insert_unique(PS(st), &st_person_insert, &q,
					   YB_REFUSE_PERSON_DUPLICATE, err),
			  &p->id);
}

/* Lookups by one key share their shape. */
static int person_by(yb_store *st, const pg_stmt *s, pg_params *q,
		     yb_person *out, yb_err *err)
{
	return pg_lookup(PS(st), s, q, pg_decode_person, out, err);
}

int pg_person_by_id(yb_store *st, yb_id id, yb_person *out, yb_err *err)
{
	pg_params q;

	if (pg_pre_person(PS(st), id, out))   /* a card's holder (card.c) */
		return 1;
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

	/* issue 16, pg3: to settle, with its rows (holder.c) */
	if (PS(st)->in_txn && PS(st)->txn_write) {
		/* pg8: fetched by the settlement's hint (hint.c) */
		if (pg_hint_cred(PS(st), YB_CRED_ID_NUMBER, id_number, NULL,
				 out))
			return 1;
		return pg_person_with_rows(PS(st), id_number, out, err);
	}
	pg_params_init(&q);
	pg_p_text(&q, id_number);
	return person_by(st, &st_person_by_id_number, &q, out, err);
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
	return pg_update_one(PS(st), &st_person_set_status, &q,
			     YB_REFUSE_PERSON_NOT_FOUND, id, err);
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
			      "a password hash", err);
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

int pg_employer_insert(yb_store *st, yb_employer *e, yb_err *err)
{
	pg_params q;
	PGresult *res;

	pg_params_init(&q);
	pg_p_text(&q, e->code);
	pg_p_text(&q, e->name);
	pg_p_i64(&q, e->created_at);
	res = pg_insert_unique(PS(st), &st_employer_insert, &q,
			       YB_REFUSE_EMPLOYER_DUPLICATE, err);
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

/* --- contributions ----------------------------------------------------- */

static const pg_stmt st_contribution_insert = { "contribution_insert",
	"INSERT INTO contributions (person_id, period, employer_code, base_fen, "
	"  employer_fen, personal_fen, account_credit_fen, ledger_txn_id, "
	"  created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
	"ON CONFLICT DO NOTHING RETURNING id", NULL };
static const pg_stmt st_contributions_of_person = { "contributions_of_person",
	PG_CONTRIBUTION_SELECT
	"WHERE c.person_id = $1 AND c.id < $2 ORDER BY c.id DESC LIMIT $3",
	NULL };
/* Two statements rather than "($2 IS NULL OR period = $2)", so that each
 * has an index that matches it exactly. */
static const pg_stmt st_contributions_of_employer = {
	"contributions_of_employer",
	PG_CONTRIBUTION_SELECT
	"WHERE c.employer_code = $1 AND c.id < $2 ORDER BY c.id DESC LIMIT $3",
	NULL };
static const pg_stmt st_contributions_of_employer_period = {
	"contributions_of_employer_period",
	PG_CONTRIBUTION_SELECT
	"WHERE c.employer_code = $1 AND c.period = $4 AND c.id < $2 "
	"ORDER BY c.id DESC LIMIT $3", NULL };

int pg_decode_contribution(pg_row *r, void *out)
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
	return pg_take_id(pg_insert_unique(PS(st), &st_contribution_insert,
					   &q, YB_REFUSE_CONTRIBUTION_DUPLICATE,
					   err),
			  &c->id);
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
		       pg_decode_contribution, (void **)out, n, err);
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
		       &q, sizeof **out, pg_decode_contribution, (void **)out, n,
		       err);
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

	PS(st)->inst_inserted = true;
	pg_params_init(&q);
	pg_p_text(&q, i->code);
	pg_p_text(&q, i->name);
	pg_p_text(&q, yb_inst_type_str(i->type));
	pg_p_id(&q, i->receivable_account_id);
	pg_p_i64(&q, i->created_at);
	return pg_take_id(pg_insert_unique(PS(st), &st_institution_insert,
					   &q, YB_REFUSE_INSTITUTION_DUPLICATE,
					   err),
			  &i->receivable_account_id);
}

/*
 * issue 16: an institution never changes once registered (the store has
 * no update or delete for it), so a connection remembers those it has
 * read, and a settlement's look-up of its institution costs no round
 * trip.  Only committed rows are remembered: not what a transaction
 * that registered an institution itself reads (its insert may still be
 * rolled back).  Slots by a hash of the code; a collision replaces.
 */
static yb_institution *inst_slot(pg_store *ps, const char *code)
{
	uint32_t h = 2166136261u;                 /* FNV-1a */

	for (const char *c = code; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	return &ps->inst_seen[h % PG_INST_SEEN];
}

void pg_inst_forget(pg_store *ps)
{
	free(ps->inst_seen);
	ps->inst_seen = NULL;
}

int pg_institution_by_code(yb_store *st, const char *code,
			   yb_institution *out, yb_err *err)
{
	pg_store *ps = PS(st);
	pg_params q;
	int found;

	if (ps->inst_seen && strcmp(inst_slot(ps, code)->code, code) == 0 &&
	    code[0]) {
		*out = *inst_slot(ps, code);
		return 1;
	}
	pg_params_init(&q);
	pg_p_text(&q, code);
	found = pg_lookup(ps, &st_institution_by_code, &q,
			  decode_institution, out, err);
	if (found != 1 || (ps->in_txn && ps->inst_inserted))
		return found;
	if (!ps->inst_seen)
		ps->inst_seen = calloc(PG_INST_SEEN, sizeof *ps->inst_seen);
	if (ps->inst_seen)
		*inst_slot(ps, out->code) = *out;
	return found;
}

