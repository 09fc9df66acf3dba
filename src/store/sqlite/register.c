/*
 * register.c — SQLite engine: the register: persons and their
 * passwords, employers, contributions and institutions.  See store.h for
 * what each operation promises.  Cards and the calendar are in card.c,
 * credentials in credential.c.
 */
#include "store/sqlite/sqlite_int.h"

#include <inttypes.h>
#include <string.h>

#include "core/enums.h"

/* ---- persons --------------------------------------------------------------- */

#define PERSON_COLS                                                      \
	"id, ssn, id_number, name, sex, birth_date, region, scheme, status, " \
	"term_reason, employer_code, created_at, updated_at"

static int read_sex(const char *v, yb_sex *out, yb_err *err)
{
	if (v && strcmp(v, yb_sex_str(YB_SEX_MALE)) == 0)
		*out = YB_SEX_MALE;
	else if (v && strcmp(v, yb_sex_str(YB_SEX_FEMALE)) == 0)
		*out = YB_SEX_FEMALE;
	else
		return sq_corrupt_enum("sex", v, err);
	return 0;
}

static int read_person(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_person *p = elem;

	memset(p, 0, sizeof *p);
	p->id = sq_col_int(q, 0);
	sq_col_text(q, 1, p->ssn, sizeof p->ssn);
	sq_col_text(q, 2, p->id_number, sizeof p->id_number);
	sq_col_text(q, 3, p->name, sizeof p->name);
	if (read_sex((const char *)sqlite3_column_text(q, 4), &p->sex, err) < 0)
		return -1;
	p->birth_date = (yb_date)sq_col_int(q, 5);
	sq_col_text(q, 6, p->region, sizeof p->region);
	if (SQ_COL_ENUM(q, 7, yb_scheme_from_str, &p->scheme, "scheme", err) < 0 ||
	    SQ_COL_ENUM(q, 8, yb_status_from_str, &p->status, "status", err) < 0 ||
	    SQ_COL_ENUM(q, 9, sq_term_reason_from_str, &p->term_reason,
			"termination reason", err) < 0)
		return -1;
	sq_col_text(q, 10, p->employer_code, sizeof p->employer_code);
	p->created_at = sq_col_int(q, 11);
	p->updated_at = sq_col_int(q, 12);
	return 0;
}

int sq_person_insert(yb_store *st, yb_person *p, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_PERSON_INSERT,
		"INSERT INTO persons (ssn, id_number, name, sex, birth_date, "
		"region, scheme, status, term_reason, employer_code, created_at, "
		"updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		"?11, ?12)", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, p->ssn);
	sq_bind_text(q, 2, p->id_number);
	sq_bind_text(q, 3, p->name);
	sq_bind_text(q, 4, yb_sex_str(p->sex));
	sqlite3_bind_int64(q, 5, p->birth_date);
	sq_bind_text(q, 6, p->region);
	sq_bind_text(q, 7, yb_scheme_str(p->scheme));
	sq_bind_text(q, 8, yb_status_str(p->status));
	sq_bind_text(q, 9, yb_term_reason_str(p->term_reason));
	sq_bind_opt_text(q, 10, p->employer_code);
	sqlite3_bind_int64(q, 11, p->created_at);
	sqlite3_bind_int64(q, 12, p->updated_at);
	return sq_insert(s, q, YB_REFUSE_PERSON_DUPLICATE, &p->id, err);
}

int sq_person_by_id(yb_store *st, yb_id id, yb_person *out, yb_err *err)
{
	return sq_get_by_int(sq_of(st), SQ_PERSON_BY_ID,
		"SELECT " PERSON_COLS " FROM persons WHERE id = ?1",
		id, read_person, out, err);
}

int sq_person_by_ssn(yb_store *st, const char *ssn, yb_person *out,
		     yb_err *err)
{
	return sq_get_by_text(sq_of(st), SQ_PERSON_BY_SSN,
		"SELECT " PERSON_COLS " FROM persons WHERE ssn = ?1",
		ssn, read_person, out, err);
}

int sq_person_by_id_number(yb_store *st, const char *id_number,
			   yb_person *out, yb_err *err)
{
	return sq_get_by_text(sq_of(st), SQ_PERSON_BY_ID_NUMBER,
		"SELECT " PERSON_COLS " FROM persons WHERE id_number = ?1",
		id_number, read_person, out, err);
}

int sq_person_set_status(yb_store *st, yb_id id, yb_status status,
			 yb_term_reason reason, yb_time at, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_PERSON_SET_STATUS,
		"UPDATE persons SET status = ?2, term_reason = ?3, updated_at = ?4 "
		"WHERE id = ?1", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sq_bind_text(q, 2, yb_status_str(status));
	sq_bind_text(q, 3, yb_term_reason_str(reason));
	sqlite3_bind_int64(q, 4, at);
	return sq_update_one(s, q, YB_REFUSE_PERSON_NOT_FOUND, id, err);
}

int sq_person_set_password(yb_store *st, yb_id id, const char *hash,
			   yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_PASSWORD_PUT,
		"INSERT INTO person_passwords (person_id, hash) VALUES (?1, ?2) "
		"ON CONFLICT (person_id) DO UPDATE SET hash = excluded.hash", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sq_bind_text(q, 2, hash);
	return sq_exec(s, q, err);
}

int sq_person_password(yb_store *st, yb_id id, char *hash, size_t size,
		       yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_PASSWORD_GET,
		"SELECT hash FROM person_passwords WHERE person_id = ?1", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	return sq_step_text(s, q, hash, size, "a password hash", err);
}

/* ---- employers ---------------------------------------------------------- */

static int read_employer(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_employer *e = elem;

	memset(e, 0, sizeof *e);
	sq_col_text(q, 0, e->code, sizeof e->code);
	sq_col_text(q, 1, e->name, sizeof e->name);
	e->created_at = sq_col_int(q, 2);
	return 0;
}

int sq_employer_insert(yb_store *st, yb_employer *e, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_EMPLOYER_INSERT,
		"INSERT INTO employers (code, name, created_at) VALUES (?1, ?2, ?3)",
		err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, e->code);
	sq_bind_text(q, 2, e->name);
	sqlite3_bind_int64(q, 3, e->created_at);
	return sq_insert(s, q, YB_REFUSE_EMPLOYER_DUPLICATE, NULL, err);
}

int sq_employer_by_code(yb_store *st, const char *code, yb_employer *out,
			yb_err *err)
{
	return sq_get_by_text(sq_of(st), SQ_EMPLOYER_BY_CODE,
		"SELECT code, name, created_at FROM employers WHERE code = ?1",
		code, read_employer, out, err);
}

/* ---- contributions (A4) -------------------------------------------------- */

int sq_read_contribution(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_contribution *c = elem;

	c->id = sq_col_int(q, 0);
	c->person_id = sq_col_int(q, 1);
	sq_col_text(q, 2, c->ssn, sizeof c->ssn);
	sq_col_text(q, 3, c->period, sizeof c->period);
	sq_col_text(q, 4, c->employer_code, sizeof c->employer_code);
	c->base_fen = sq_col_int(q, 5);
	c->employer_fen = sq_col_int(q, 6);
	c->personal_fen = sq_col_int(q, 7);
	c->account_credit_fen = sq_col_int(q, 8);
	c->ledger_txn_id = sq_col_int(q, 9);
	c->created_at = sq_col_int(q, 10);
	sq_col_text(q, 11, c->paid_by_ssn, sizeof c->paid_by_ssn);    /* E1 */
	sq_col_text(q, 12, c->paid_by_name, sizeof c->paid_by_name);
	return 0;
}

int sq_contribution_insert(yb_store *st, yb_contribution *c, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_CONTRIB_INSERT,
		"INSERT INTO contributions (person_id, period, employer_code, "
		"base_fen, employer_fen, personal_fen, account_credit_fen, "
		"ledger_txn_id, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, c->person_id);
	sq_bind_text(q, 2, c->period);
	sq_bind_text(q, 3, c->employer_code);
	sqlite3_bind_int64(q, 4, c->base_fen);
	sqlite3_bind_int64(q, 5, c->employer_fen);
	sqlite3_bind_int64(q, 6, c->personal_fen);
	sqlite3_bind_int64(q, 7, c->account_credit_fen);
	sq_bind_opt_int(q, 8, c->ledger_txn_id);
	sqlite3_bind_int64(q, 9, c->created_at);
	return sq_insert(s, q, YB_REFUSE_CONTRIBUTION_DUPLICATE, &c->id, err);
}

int sq_contributions_of_person(yb_store *st, yb_id person_id, yb_id before,
			       int limit, yb_contribution **out, int *n,
			       yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_CONTRIB_OF_PERSON,
		"SELECT " SQ_CONTRIB_COLS " WHERE c.person_id = ?1 AND c.id < ?2 "
		"ORDER BY c.id DESC LIMIT ?3", err);

	if (q)
		sqlite3_bind_int64(q, 1, person_id);
	return sq_page(s, q, before, limit, sizeof **out, sq_read_contribution,
		       (void **)out, n, err);
}

int sq_contributions_of_employer(yb_store *st, const char *employer_code,
				 const char *period, yb_id before, int limit,
				 yb_contribution **out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q;

	/* Two statements rather than "(?2 IS NULL OR period = ?2)", so each
	 * has an index that matches it exactly. */
	if (period)
		q = sq_stmt(s, SQ_CONTRIB_OF_EMPLOYER_PERIOD,
			    "SELECT " SQ_CONTRIB_COLS " WHERE c.employer_code = ?1 "
			    "AND c.period = ?4 AND c.id < ?2 "
			    "ORDER BY c.id DESC LIMIT ?3", err);
	else
		q = sq_stmt(s, SQ_CONTRIB_OF_EMPLOYER,
			    "SELECT " SQ_CONTRIB_COLS " WHERE c.employer_code = ?1 "
			    "AND c.id < ?2 ORDER BY c.id DESC LIMIT ?3", err);
	if (q) {
		sq_bind_text(q, 1, employer_code);
		if (period)
			sq_bind_text(q, 4, period);
	}
	return sq_page(s, q, before, limit, sizeof **out, sq_read_contribution,
		       (void **)out, n, err);
}

/* ---- institutions ------------------------------------------------------------ */

static int read_institution(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_institution *i = elem;

	memset(i, 0, sizeof *i);
	sq_col_text(q, 0, i->code, sizeof i->code);
	sq_col_text(q, 1, i->name, sizeof i->name);
	if (SQ_COL_ENUM(q, 2, yb_inst_type_from_str, &i->type,
			"institution type", err) < 0)
		return -1;
	i->receivable_account_id = sq_col_int(q, 3);
	i->created_at = sq_col_int(q, 4);
	return 0;
}

/* The receivable account is made here, with the institution, unless the
 * caller made it already (i->receivable_account_id ≠ 0). */
int sq_institution_insert(yb_store *st, yb_institution *i, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q;
	yb_account acc;
	int rc = -1;

	if (sq_op_begin(s, err) < 0)
		return -1;
	q = sq_stmt(s, SQ_INST_INSERT,
		    "INSERT INTO institutions (code, name, type, "
		    "receivable_account_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
		    err);
	if (!q)
		goto out;
	sq_bind_text(q, 1, i->code);
	sq_bind_text(q, 2, i->name);
	sq_bind_text(q, 3, yb_inst_type_str(i->type));
	sq_bind_opt_int(q, 4, i->receivable_account_id);
	sqlite3_bind_int64(q, 5, i->created_at);
	if (sq_insert(s, q, YB_REFUSE_INSTITUTION_DUPLICATE, NULL, err) < 0)
		goto out;
	if (i->receivable_account_id == 0) {
		memset(&acc, 0, sizeof acc);
		acc.kind = YB_ACC_INSTITUTION_RECEIVABLE;
		memcpy(acc.institution_code, i->code, sizeof acc.institution_code);
		acc.created_at = i->created_at;
		if (sq_account_insert(st, &acc, err) < 0)
			goto out;
		q = sq_stmt(s, SQ_INST_SET_RECEIVABLE,
			    "UPDATE institutions SET receivable_account_id = ?2 "
			    "WHERE code = ?1", err);
		if (!q)
			goto out;
		sq_bind_text(q, 1, i->code);
		sqlite3_bind_int64(q, 2, acc.id);
		if (sq_exec(s, q, err) < 0)
			goto out;
		i->receivable_account_id = acc.id;
	}
	rc = 0;
out:
	return sq_op_end(s, rc, err);
}

int sq_institution_by_code(yb_store *st, const char *code,
			   yb_institution *out, yb_err *err)
{
	return sq_get_by_text(sq_of(st), SQ_INST_BY_CODE,
		"SELECT code, name, type, receivable_account_id, created_at "
		"FROM institutions WHERE code = ?1",
		code, read_institution, out, err);
}
