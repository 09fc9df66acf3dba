/*
 * family.c — PostgreSQL engine: the rest of the family policy (SPEC
 * E1 premiums paid for relatives, E2 monthly caps per binding and the
 * cuts they made).  The twin of
 * sqlite/family.c; see store.h for what each operation promises.
 *
 * E2 under concurrency: the service reads what a binding used this month
 * after account_lock holds the authorizer's account row, which every
 * settlement drawing on that account takes too; under READ COMMITTED the
 * read then sees every share committed before it, so two settlements of
 * one relative cannot both spend the same cap.
 */
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "store/pg/pg_int.h"

static pg_store *PS(yb_store *st)
{
	return (pg_store *)st;
}

static const pg_stmt st_cap_get = { "binding_cap_get",
	"SELECT cap_fen FROM binding_caps WHERE binding_id = $1", NULL };
static const pg_stmt st_cap_put = { "binding_cap_put",
	"INSERT INTO binding_caps (binding_id, cap_fen, set_at) "
	"VALUES ($1, $2, $3) ON CONFLICT (binding_id) DO UPDATE SET "
	"cap_fen = excluded.cap_fen, set_at = excluded.set_at", NULL };
static const pg_stmt st_cap_delete = { "binding_cap_delete",
	"DELETE FROM binding_caps WHERE binding_id = $1", NULL };
static const pg_stmt st_binding_used = { "binding_used",
	"SELECT coalesce(sum(sh.amount_fen), 0)::bigint "
	"FROM settlement_shares sh JOIN settlements x ON x.id = sh.settlement_id "
	"WHERE sh.binding_id = $1 AND x.state = 'settled' "
	"  AND x.settled_at >= $2 AND x.settled_at < $3", NULL };
static const pg_stmt st_cap_cut_insert = { "cap_cut_insert",
	"INSERT INTO settlement_cap_cuts (settlement_id, binding_id, "
	"  payer_person_id, cut_fen) "
	"SELECT $1, b, p, c FROM unnest($2::bigint[], $3::bigint[], "
	"  $4::bigint[]) AS x(b, p, c)", NULL };
static const pg_stmt st_cap_cuts_of = { "cap_cuts_of",
	"SELECT c.binding_id, c.payer_person_id, p.ssn, c.cut_fen "
	"FROM settlement_cap_cuts c JOIN persons p ON p.id = c.payer_person_id "
	"WHERE c.settlement_id = $1 ORDER BY c.binding_id", NULL };

/* One bigint column of at most one row into *out: 1 / 0 / -1. */
static int one_i64(yb_store *st, const pg_stmt *s, pg_params *q,
		   int64_t *out, yb_err *err)
{
	PGresult *res = pg_run(PS(st), s, q, err);
	int found;
	pg_row r;

	if (!res)
		return -1;
	found = PQntuples(res) > 0;
	if (found) {
		r = pg_row_at(res, 0);
		*out = pg_r_i64(&r);
	}
	PQclear(res);
	return found;
}

int pg_binding_cap_get(yb_store *st, yb_id binding_id, int64_t *cap_fen,
		       yb_err *err)
{
	pg_params q;
	int found;

	if (pg_pre_cap(PS(st), binding_id, cap_fen, &found))
		return found;           /* with the candidates (holder.c) */
	pg_params_init(&q);
	pg_p_i64(&q, binding_id);
	return one_i64(st, &st_cap_get, &q, cap_fen, err);
}

int pg_binding_cap_put(yb_store *st, yb_id binding_id, int64_t cap_fen,
		       yb_time at, yb_err *err)
{
	pg_params q;

	pg_caps_forget(PS(st));
	pg_params_init(&q);
	pg_p_i64(&q, binding_id);
	if (cap_fen < 0)
		return pg_exec(PS(st), &st_cap_delete, &q, err);
	pg_p_i64(&q, cap_fen);
	pg_p_i64(&q, at);
	return pg_exec(PS(st), &st_cap_put, &q, err);
}

int pg_binding_used(yb_store *st, yb_id binding_id, yb_time from, yb_time to,
		    int64_t *used_fen, yb_err *err)
{
	pg_params q;

	*used_fen = 0;
	pg_params_init(&q);
	pg_p_i64(&q, binding_id);
	pg_p_i64(&q, from);
	pg_p_i64(&q, to);
	return one_i64(st, &st_binding_used, &q, used_fen, err) < 0 ? -1 : 0;
}

int pg_cap_cuts_insert(yb_store *st, const yb_settlement *s, yb_err *err)
{
	int64_t b[YB_MAX_SHARES], p[YB_MAX_SHARES], c[YB_MAX_SHARES];
	pg_params q;
	PGresult *res;

	if (s->ncap_cuts == 0)
		return 0;
	for (int i = 0; i < s->ncap_cuts; i++) {
		b[i] = s->cap_cuts[i].binding_id;
		p[i] = s->cap_cuts[i].payer_person_id;
		c[i] = s->cap_cuts[i].cut_fen;
	}
	pg_params_init(&q);
	pg_p_i64(&q, s->id);
	pg_p_i64_array(&q, b, s->ncap_cuts);
	pg_p_i64_array(&q, p, s->ncap_cuts);
	pg_p_i64_array(&q, c, s->ncap_cuts);
	if (pg_deferring(PS(st)))       /* pg5: nobody waits for it */
		return pg_defer(PS(st), &st_cap_cut_insert, &q, err);
	res = pg_run_release(PS(st), &st_cap_cut_insert, &q, err);
	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

int pg_cap_cuts_load(yb_store *st, yb_settlement *s, yb_err *err)
{
	pg_params q;
	PGresult *res;
	int n;

	s->ncap_cuts = 0;
	pg_params_init(&q);
	pg_p_i64(&q, s->id);
	res = pg_run(PS(st), &st_cap_cuts_of, &q, err);
	if (!res)
		return -1;
	n = PQntuples(res);
	for (int i = 0; i < n && i < YB_MAX_SHARES; i++) {
		pg_row r = pg_row_at(res, i);
		yb_cap_cut *c = &s->cap_cuts[s->ncap_cuts++];

		memset(c, 0, sizeof *c);
		c->binding_id = pg_r_i64(&r);
		c->payer_person_id = pg_r_i64(&r);
		pg_r_str(&r, c->payer_ssn, sizeof c->payer_ssn);
		c->cut_fen = pg_r_i64(&r);
		if (r.bad) {
			PQclear(res);
			return pg_corrupt(err, "cap cut");
		}
	}
	PQclear(res);
	return 0;
}

/* ---- E1 premiums for relatives ------------------------------------------- */

#define PREMIUM_SELECT \
	"SELECT x.id, x.relative_id, r.ssn, r.name, x.year, x.payer_id, " \
	"  a.ssn, a.name, coalesce(x.binding_id, 0), x.amount_fen, " \
	"  x.ledger_txn_id, x.contribution_id, x.client_request_id, " \
	"  x.created_at, coalesce(x.relationship, b.relationship), " \
	"  x.channel, x.materials_json, x.operator_id " \
	"FROM premium_payments x JOIN persons r ON r.id = x.relative_id " \
	"  JOIN persons a ON a.id = x.payer_id " \
	"  LEFT JOIN bindings b ON b.id = x.binding_id "

static const pg_stmt st_premium_insert = { "premium_insert",
	"INSERT INTO premium_payments (relative_id, year, payer_id, "
	"  binding_id, amount_fen, ledger_txn_id, contribution_id, "
	"  client_request_id, created_at, relationship, channel, "
	"  materials_json, operator_id) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
	"RETURNING id", NULL };
static const pg_stmt st_premium_by_request = { "premium_by_request",
	PREMIUM_SELECT "WHERE x.payer_id = $1 AND x.client_request_id = $2",
	NULL };
static const pg_stmt st_premium_by_relative_year = {
	"premium_by_relative_year",
	PREMIUM_SELECT "WHERE x.relative_id = $1 AND x.year = $2", NULL };
static const pg_stmt st_premium_by_id = { "premium_by_id",
	PREMIUM_SELECT "WHERE x.id = $1", NULL };
static const pg_stmt st_premiums_of_payer = { "premiums_of_payer",
	PREMIUM_SELECT "WHERE x.payer_id = $1 AND x.id < $2 "
	"ORDER BY x.id DESC LIMIT $3", NULL };

static int decode_premium(pg_row *r, void *out)
{
	yb_premium *p = out;

	memset(p, 0, sizeof *p);
	p->id = pg_r_i64(r);
	p->relative_id = pg_r_i64(r);
	pg_r_str(r, p->relative_ssn, sizeof p->relative_ssn);
	pg_r_str(r, p->relative_name, sizeof p->relative_name);
	p->year = (int)pg_r_i64(r);
	p->payer_id = pg_r_i64(r);
	pg_r_str(r, p->payer_ssn, sizeof p->payer_ssn);
	pg_r_str(r, p->payer_name, sizeof p->payer_name);
	p->binding_id = pg_r_i64(r);
	p->amount_fen = pg_r_i64(r);
	p->ledger_txn_id = pg_r_i64(r);
	p->contribution_id = pg_r_i64(r);
	pg_r_str(r, p->client_request_id, sizeof p->client_request_id);
	p->created_at = pg_r_i64(r);
	PG_R_ENUM(r, yb_relationship_from_str, &p->relationship);
	PG_R_ENUM(r, yb_channel_from_str, &p->channel);
	pg_r_str(r, p->materials_json, sizeof p->materials_json);
	pg_r_str(r, p->operator_id, sizeof p->operator_id);
	return 0;
}

int pg_premium_insert(yb_store *st, yb_premium *p, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, p->relative_id);
	pg_p_i64(&q, p->year);
	pg_p_i64(&q, p->payer_id);
	pg_p_id(&q, p->binding_id);
	pg_p_i64(&q, p->amount_fen);
	pg_p_i64(&q, p->ledger_txn_id);
	pg_p_i64(&q, p->contribution_id);
	pg_p_text(&q, p->client_request_id);
	pg_p_i64(&q, p->created_at);
	pg_p_text(&q, yb_relationship_str(p->relationship));
	pg_p_text(&q, yb_channel_str(p->channel));
	pg_p_text(&q, p->materials_json[0] ? p->materials_json : "{}");
	pg_p_text(&q, p->operator_id);
	/* unique violations come back as premium.* (stmt.c unique_refusals) */
	return one_i64(st, &st_premium_insert, &q, &p->id, err) < 0 ? -1 : 0;
}

int pg_premium_by_request(yb_store *st, yb_id payer_id,
			  const char *client_request_id, yb_premium *out,
			  yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, payer_id);
	pg_p_text(&q, client_request_id);
	return pg_lookup(PS(st), &st_premium_by_request, &q, decode_premium,
			 out, err);
}

int pg_premium_by_relative_year(yb_store *st, yb_id relative_id, int year,
				yb_premium *out, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, relative_id);
	pg_p_i64(&q, year);
	return pg_lookup(PS(st), &st_premium_by_relative_year, &q,
			 decode_premium, out, err);
}

int pg_premium_by_id(yb_store *st, yb_id id, yb_premium *out, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, id);
	return pg_lookup(PS(st), &st_premium_by_id, &q, decode_premium, out,
			 err);
}

int pg_premiums_of_payer(yb_store *st, yb_id payer_id, yb_id before,
			 int limit, yb_premium **out, int *n, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, payer_id);
	pg_p_i64(&q, pg_before(before));
	pg_p_i64(&q, pg_limit(limit));
	return pg_list(PS(st), &st_premiums_of_payer, &q, sizeof **out,
		       decode_premium, (void **)out, n, err);
}

/* ---- E2 cuts in family usage ------------------------------------------------ */

/* sqlite/family.c says why: the cuts of settlements in which the
 * binding had no share, in family usage's columns. */
static const pg_stmt st_cap_cut_usage = { "cap_cut_usage_of_payer",
	"SELECT cc.settlement_id, 0, p.ssn, p.name, b.relationship, "
	"  x.institution_code, i.name, x.visit_type, 0, x.state, "
	"  x.settled_at, cc.cut_fen "
	"FROM settlement_cap_cuts cc "
	"  JOIN settlements x ON x.id = cc.settlement_id "
	"  JOIN bindings b ON b.id = cc.binding_id "
	"  JOIN persons p ON p.id = x.patient_id "
	"  JOIN institutions i ON i.code = x.institution_code "
	"WHERE cc.payer_person_id = $1 AND cc.settlement_id < $2 "
	"  AND NOT EXISTS (SELECT 1 FROM settlement_shares sh "
	"    WHERE sh.settlement_id = cc.settlement_id "
	"    AND sh.binding_id = cc.binding_id) "
	"ORDER BY cc.settlement_id DESC LIMIT $3", NULL };

int pg_cap_cut_usage_of_payer(yb_store *st, yb_id person_id, yb_id before,
			      int limit, yb_usage **out, int *n, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	pg_p_i64(&q, pg_before(before));
	pg_p_i64(&q, pg_limit(limit));
	return pg_list(PS(st), &st_cap_cut_usage, &q, sizeof **out,
		       pg_decode_usage, (void **)out, n, err);
}
