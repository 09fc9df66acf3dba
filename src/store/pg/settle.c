/*
 * settle.c — family bindings, settlements with their shares, offline
 * (equipment failure) records, family usage and reconciliation totals on
 * PostgreSQL.  Semantics are store.h's; how statements run is pg_int.h's.
 *
 * Names and SSNs shown with a binding, a settlement or a share are joined
 * from persons when read, never copied into these tables: they cannot go
 * stale, and the rows stay narrow.
 *
 * Lock clauses: a binding, a settlement or an offline record read inside
 * a write transaction is locked FOR UPDATE, because it is read in order to
 * be ended, revoked or re-settled: two revocations of one settlement (or
 * two re-settlements of one offline record, S6 "once only") run one after
 * the other, and the second sees what the first did.  payer_candidates
 * locks nothing: the settlement locks the candidates' accounts itself
 * (account_lock, ascending ids) before it moves money.
 */
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "store/pg/pg_int.h"

static pg_store *PS(yb_store *st)
{
	return (pg_store *)st;
}

/* Relationship column: the bindable ones, or "self" (a patient's own
 * share in a settlement). */
void pg_read_relationship(pg_row *r, yb_relationship *out)
{
	const char *v = pg_r_text(r);

	if (strcmp(v, "self") == 0)
		*out = YB_REL_SELF;
	else if (!yb_relationship_from_str(v, out))
		r->bad = true;
}

/*
 * A guarded UPDATE written as
 *   WITH u AS (UPDATE ... WHERE id = $1 AND <guard> RETURNING 1)
 *   SELECT (SELECT count(*) FROM u), EXISTS (row with id $1)
 * so one round trip tells "done", "no such row" and "guard refused".
 */
static int update_guarded(yb_store *st, const pg_stmt *s, pg_params *q,
			  yb_refusal notfound, yb_refusal refused, yb_id id,
			  yb_err *err)
{
	PGresult *res = pg_run_release(PS(st), s, q, err);
	bool done, exists;

	if (!res)
		return -1;
	done = strtoll(PQgetvalue(res, 0, 0), NULL, 10) > 0;
	exists = PQgetvalue(res, 0, 1)[0] == 't';
	PQclear(res);
	if (done)
		return 0;
	return yb_refuse_id(err, exists ? refused : notfound, id);
}

/* --- bindings ---------------------------------------------------------- */

#define BINDING_SELECT \
	"SELECT b.id, b.authorizer_id, b.relative_id, pa.ssn, pr.ssn, " \
	"  pr.name, pa.name, b.relationship, b.channel, b.materials_json, " \
	"  b.operator_id, b.created_at, b.ended_at, b.end_reason " \
	"FROM bindings b JOIN persons pa ON pa.id = b.authorizer_id " \
	"  JOIN persons pr ON pr.id = b.relative_id "

static const pg_stmt st_binding_insert = { "binding_insert",
	"INSERT INTO bindings (authorizer_id, relative_id, relationship, "
	"  channel, materials_json, operator_id, created_at, ended_at, "
	"  end_reason) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
	"ON CONFLICT DO NOTHING RETURNING id", NULL };
static const pg_stmt st_binding_by_id = { "binding_by_id",
	BINDING_SELECT "WHERE b.id = $1", "FOR UPDATE OF b" };
static const pg_stmt st_binding_end = { "binding_end",
	"WITH u AS (UPDATE bindings SET ended_at = $2, end_reason = $3 "
	"           WHERE id = $1 AND ended_at IS NULL RETURNING 1) "
	"SELECT (SELECT count(*) FROM u), "
	"  EXISTS (SELECT 1 FROM bindings WHERE id = $1)", NULL };
static const pg_stmt st_bindings_end_all_of = { "bindings_end_all_of",
	"UPDATE bindings SET ended_at = $2, end_reason = $3 "
	"WHERE (authorizer_id = $1 OR relative_id = $1) AND ended_at IS NULL",
	NULL };
static const pg_stmt st_bindings_of_authorizer = { "bindings_of_authorizer",
	BINDING_SELECT
	"WHERE b.authorizer_id = $1 AND (NOT $2::boolean OR b.ended_at IS NULL) "
	"  AND b.id < $3 ORDER BY b.id DESC LIMIT $4", NULL };
static const pg_stmt st_bindings_of_relative = { "bindings_of_relative",
	BINDING_SELECT
	"WHERE b.relative_id = $1 AND (NOT $2::boolean OR b.ended_at IS NULL) "
	"  AND b.id < $3 ORDER BY b.id DESC LIMIT $4", NULL };
static const pg_stmt st_payer_candidates = { "payer_candidates",
	PG_CANDIDATES_FROM "WHERE b.relative_id = $1" PG_CANDIDATES_ORDER,
	NULL };

static int decode_binding(pg_row *r, void *out)
{
	yb_binding *b = out;
	memset(b, 0, sizeof *b);
	b->id = pg_r_i64(r);
	b->authorizer_id = pg_r_i64(r);
	b->relative_id = pg_r_i64(r);
	pg_r_str(r, b->authorizer_ssn, sizeof b->authorizer_ssn);
	pg_r_str(r, b->relative_ssn, sizeof b->relative_ssn);
	pg_r_str(r, b->relative_name, sizeof b->relative_name);
	pg_r_str(r, b->authorizer_name, sizeof b->authorizer_name);
	pg_read_relationship(r, &b->relationship);
	PG_R_ENUM(r, yb_channel_from_str, &b->channel);
	pg_r_str(r, b->materials_json, sizeof b->materials_json);
	pg_r_str(r, b->operator_id, sizeof b->operator_id);
	b->created_at = pg_r_i64(r);
	b->ended_at = pg_r_i64(r);
	pg_r_str(r, b->end_reason, sizeof b->end_reason);
	return 0;
}

int pg_binding_insert(yb_store *st, yb_binding *b, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, b->authorizer_id);
	pg_p_i64(&q, b->relative_id);
	pg_p_text(&q, yb_relationship_str(b->relationship));
	pg_p_text(&q, yb_channel_str(b->channel));
	pg_p_text(&q, b->materials_json);
	pg_p_text(&q, b->operator_id);
	pg_p_i64(&q, b->created_at);
	pg_p_id(&q, b->ended_at);
	pg_p_text(&q, b->end_reason);
	return pg_take_id(pg_insert_unique(PS(st), &st_binding_insert, &q,
					   YB_REFUSE_BINDING_DUPLICATE, err),
			  &b->id);
}

int pg_binding_by_id(yb_store *st, yb_id id, yb_binding *out, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, id);
	return pg_lookup(PS(st), &st_binding_by_id, &q, decode_binding, out,
			 err);
}

int pg_binding_end(yb_store *st, yb_id id, yb_time at, const char *reason,
		   yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, id);
	pg_p_i64(&q, at);
	pg_p_text(&q, reason ? reason : "");
	return update_guarded(st, &st_binding_end, &q,
			      YB_REFUSE_BINDING_NOT_FOUND, YB_REFUSE_BINDING_ENDED,
			      id, err);
}

int pg_bindings_end_all_of(yb_store *st, yb_id person_id, yb_time at,
			   const char *reason, int *ended, yb_err *err)
{
	pg_params q;
	PGresult *res;

	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	pg_p_i64(&q, at);
	pg_p_text(&q, reason ? reason : "");
	res = pg_run(PS(st), &st_bindings_end_all_of, &q, err);
	if (!res)
		return -1;
	if (ended)
		*ended = (int)pg_affected(res);
	PQclear(res);
	return 0;
}

/* The two directions of one list. */
static int bindings_list(yb_store *st, const pg_stmt *s, yb_id person_id,
			 bool active_only, yb_id before, int limit,
			 yb_binding **out, int *n, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	pg_p_bool(&q, active_only);
	pg_p_i64(&q, pg_before(before));
	pg_p_i64(&q, pg_limit(limit));
	return pg_list(PS(st), s, &q, sizeof **out, decode_binding,
		       (void **)out, n, err);
}

int pg_bindings_of_authorizer(yb_store *st, yb_id person_id,
			      bool active_only, yb_id before, int limit,
			      yb_binding **out, int *n, yb_err *err)
{
	return bindings_list(st, &st_bindings_of_authorizer, person_id,
			     active_only, before, limit, out, n, err);
}

int pg_bindings_of_relative(yb_store *st, yb_id person_id, bool active_only,
			    yb_id before, int limit, yb_binding **out, int *n,
			    yb_err *err)
{
	return bindings_list(st, &st_bindings_of_relative, person_id,
			     active_only, before, limit, out, n, err);
}

int pg_decode_candidates(PGresult *res, yb_payer_candidate *out,
			 yb_err *err)
{
	int rows = PQntuples(res);

	for (int i = 0; i < rows; i++) {
		pg_row r = pg_row_at(res, i);
		yb_payer_candidate *c = &out[i];

		memset(c, 0, sizeof *c);
		c->binding_id = pg_r_i64(&r);
		c->person_id = pg_r_i64(&r);
		c->account_id = pg_r_i64(&r);
		pg_r_str(&r, c->ssn, sizeof c->ssn);
		pg_r_str(&r, c->name, sizeof c->name);
		pg_read_relationship(&r, &c->relationship);
		c->balance_fen = pg_r_i64(&r);
		PG_R_ENUM(&r, yb_status_from_str, &c->status);
		c->account_open = pg_r_bool(&r);
		c->bound_at = pg_r_i64(&r);
		if (r.bad)
			return pg_corrupt(err, "payer candidate");
	}
	return 0;
}

int pg_payer_candidates(yb_store *st, yb_id relative_id,
			yb_payer_candidate *out, int max, int *n,
			yb_err *err)
{
	pg_params q;
	PGresult *res;
	int rc;

	*n = 0;
	if (pg_pre_candidates(PS(st), relative_id, out, max, n))  /* card.c */
		return 0;
	pg_params_init(&q);
	pg_p_i64(&q, relative_id);
	pg_p_i64(&q, pg_limit(max));
	res = pg_run(PS(st), &st_payer_candidates, &q, err);
	if (!res)
		return -1;
	rc = pg_decode_candidates(res, out, err);
	if (rc == 0) {
		*n = PQntuples(res);
		pg_caps_take(PS(st), res);      /* pg4 (holder.c) */
	}
	PQclear(res);
	return rc;
}

/* --- settlements ------------------------------------------------------- */

#define SETTLEMENT_SELECT \
	"SELECT s.id, s.institution_code, s.txn_id, s.patient_id, p.ssn, " \
	"  p.name, s.cred_type, s.visit_type, s.total_fen, s.fund_pay_fen, " \
	"  s.account_pay_fen, s.cash_pay_fen, s.state, s.request_hash, " \
	"  s.ledger_txn_id, s.revoke_txn_id, s.offline_id, s.settled_at, " \
	"  s.revoked_at " \
	"FROM settlements s JOIN persons p ON p.id = s.patient_id "

/* The settlement and its shares in one statement (so one atomic write
 * even outside a transaction); a taken (institution, txn_id) inserts
 * nothing and answers no row. */
#define SETTLEMENT_INSERT_COLS \
	"institution_code, txn_id, " \
	"    patient_id, cred_type, visit_type, total_fen, fund_pay_fen, " \
	"    account_pay_fen, cash_pay_fen, state, request_hash, ledger_txn_id, " \
	"    revoke_txn_id, offline_id, settled_at, revoked_at"
#define SETTLEMENT_INSERT_VALUES \
	"$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16"
#define SETTLEMENT_INSERT_SHARES \
	"sh AS (INSERT INTO settlement_shares (settlement_id, seq, " \
	"    payer_person_id, account_id, binding_id, relationship, amount_fen) " \
	"  SELECT s.id, x.ord - 1, x.payer, x.acc, nullif(x.bnd, 0), x.rel, " \
	"    x.amt FROM s, " \
	"    unnest($17::bigint[], $18::bigint[], $19::bigint[], $20::text[], " \
	"           $21::bigint[]) WITH ORDINALITY " \
	"      AS x(payer, acc, bnd, rel, amt, ord)) "
static const pg_stmt st_settlement_insert = { "settlement_insert",
	"WITH s AS (INSERT INTO settlements (" SETTLEMENT_INSERT_COLS ") "
	"  VALUES (" SETTLEMENT_INSERT_VALUES ") "
	"  ON CONFLICT DO NOTHING RETURNING id), "
	SETTLEMENT_INSERT_SHARES
	"SELECT id FROM s", NULL };
/* pg5: deferred in a lazy batch (stmt.c pg_defer): the id reserved
 * ahead ($22, ids.c), and a txn_id used already fails the statement
 * (settlements_txn_once) instead of inserting nothing, which spoils
 * the batch; its replay runs the statement above and refuses it. */
static const pg_stmt st_settlement_insert_deferred = {
	"settlement_insert_deferred",
	"WITH s AS (INSERT INTO settlements (id, " SETTLEMENT_INSERT_COLS ") "
	"  VALUES ($22, " SETTLEMENT_INSERT_VALUES ") RETURNING id), "
	SETTLEMENT_INSERT_SHARES
	"SELECT 1", NULL };
static const pg_stmt st_settlement_by_id = { "settlement_by_id",
	SETTLEMENT_SELECT "WHERE s.id = $1", "FOR UPDATE OF s" };
/* pg8: also the hint's repeat check (hint.c) */
const pg_stmt pg_st_settlement_by_txn = { "settlement_by_txn",
	SETTLEMENT_SELECT "WHERE s.institution_code = $1 AND s.txn_id = $2",
	"FOR UPDATE OF s" };
static const pg_stmt st_settlement_shares = { "settlement_shares",
	"SELECT sh.settlement_id, sh.payer_person_id, sh.account_id, "
	"  sh.binding_id, coalesce(p.ssn, ''), coalesce(p.name, ''), "
	"  sh.relationship, sh.amount_fen "
	"FROM settlement_shares sh LEFT JOIN persons p "
	"  ON p.id = sh.payer_person_id "
	"WHERE sh.settlement_id = ANY($1::bigint[]) "
	"ORDER BY sh.settlement_id, sh.seq", NULL };
static const pg_stmt st_settlement_set_revoked = { "settlement_set_revoked",
	"UPDATE settlements SET state = 'revoked', revoke_txn_id = $2, "
	"  revoked_at = $3 WHERE id = $1", NULL };
static const pg_stmt st_settlements_of_patient = { "settlements_of_patient",
	SETTLEMENT_SELECT
	"WHERE s.patient_id = $1 AND s.id < $2 ORDER BY s.id DESC LIMIT $3",
	NULL };
/* F7: shares paid through a binding.  Cursor: settlement id (a payer
 * has at most one share in a settlement).  The binding_id condition
 * matches the partial index settlement_shares_payer. */
static const pg_stmt st_usage_of_payer = { "usage_of_payer",
	"SELECT sh.settlement_id, sh.account_id, pt.ssn, pt.name, "
	"  sh.relationship, s.institution_code, i.name, s.visit_type, "
	"  sh.amount_fen, s.state, s.settled_at, "
	"  coalesce(cc.cut_fen, 0) "  /* family: E2 */
	"FROM settlement_shares sh JOIN settlements s ON s.id = sh.settlement_id "
	"  LEFT JOIN settlement_cap_cuts cc ON cc.settlement_id = "
	"    sh.settlement_id AND cc.binding_id = sh.binding_id "
	"  JOIN persons pt ON pt.id = s.patient_id "
	"  JOIN institutions i ON i.code = s.institution_code "
	"WHERE sh.payer_person_id = $1 AND sh.binding_id IS NOT NULL "
	"  AND sh.settlement_id < $2 "
	"ORDER BY sh.settlement_id DESC LIMIT $3", NULL };
static const pg_stmt st_recon_totals = { "recon_totals",
	"SELECT count(*) FILTER (WHERE state = 'settled'), "
	"  coalesce(sum(total_fen) FILTER (WHERE state = 'settled'), 0)::bigint, "
	"  coalesce(sum(fund_pay_fen) FILTER (WHERE state = 'settled'), 0)::bigint, "
	"  coalesce(sum(account_pay_fen) FILTER (WHERE state = 'settled'), 0)::bigint, "
	"  coalesce(sum(cash_pay_fen) FILTER (WHERE state = 'settled'), 0)::bigint, "
	"  count(*) FILTER (WHERE state = 'revoked') "
	"FROM settlements "
	"WHERE institution_code = $1 AND settled_at >= $2 AND settled_at < $3",
	NULL };

static int decode_settlement(pg_row *r, void *out)
{
	yb_settlement *s = out;
	memset(s, 0, sizeof *s);
	s->id = pg_r_i64(r);
	pg_r_str(r, s->institution_code, sizeof s->institution_code);
	pg_r_str(r, s->txn_id, sizeof s->txn_id);
	s->patient_id = pg_r_i64(r);
	pg_r_str(r, s->patient_ssn, sizeof s->patient_ssn);
	pg_r_str(r, s->patient_name, sizeof s->patient_name);
	PG_R_ENUM(r, yb_cred_type_from_str, &s->cred_type);
	PG_R_ENUM(r, yb_visit_type_from_str, &s->visit_type);
	s->total_fen = pg_r_i64(r);
	s->fund_pay_fen = pg_r_i64(r);
	s->account_pay_fen = pg_r_i64(r);
	s->cash_pay_fen = pg_r_i64(r);
	PG_R_ENUM(r, yb_settle_state_from_str, &s->state);
	pg_r_str(r, s->request_hash, sizeof s->request_hash);
	s->ledger_txn_id = pg_r_i64(r);
	s->revoke_txn_id = pg_r_i64(r);
	s->offline_id = pg_r_i64(r);
	s->settled_at = pg_r_i64(r);
	s->revoked_at = pg_r_i64(r);
	return 0;
}

/* pg5: the insert of `q` deferred, with an id reserved ahead. */
static int insert_deferred(pg_store *ps, yb_settlement *s, pg_params *q,
			   yb_err *err)
{
	int64_t id;

	if (pg_reserve_id(ps, PG_ID_SETTLEMENT, &id, err) < 0) {
		pg_params_release(q);
		return -1;
	}
	pg_p_i64(q, id);
	if (pg_defer(ps, &st_settlement_insert_deferred, q, err) < 0)
		return -1;
	s->id = id;
	return 0;
}

int pg_settlement_insert(yb_store *st, yb_settlement *s, yb_err *err)
{
	int64_t payer[YB_MAX_SHARES], acc[YB_MAX_SHARES], bnd[YB_MAX_SHARES];
	int64_t amt[YB_MAX_SHARES];
	const char *rel[YB_MAX_SHARES];
	pg_params q;

	if (yb_check_shares(s, err) < 0)
		return -1;
	for (int i = 0; i < s->nshares; i++) {
		payer[i] = s->shares[i].payer_person_id;
		acc[i] = s->shares[i].account_id;
		bnd[i] = s->shares[i].binding_id;
		rel[i] = yb_relationship_str(s->shares[i].relationship);
		amt[i] = s->shares[i].amount_fen;
	}
	pg_params_init(&q);
	pg_p_text(&q, s->institution_code);
	pg_p_text(&q, s->txn_id);
	pg_p_i64(&q, s->patient_id);
	pg_p_enum(&q, yb_cred_type_str(s->cred_type));
	pg_p_enum(&q, yb_visit_type_str(s->visit_type));
	pg_p_i64(&q, s->total_fen);
	pg_p_i64(&q, s->fund_pay_fen);
	pg_p_i64(&q, s->account_pay_fen);
	pg_p_i64(&q, s->cash_pay_fen);
	pg_p_enum(&q, yb_settle_state_str(s->state));
	pg_p_text(&q, s->request_hash);
	pg_p_id(&q, s->ledger_txn_id);
	pg_p_id(&q, s->revoke_txn_id);
	pg_p_id(&q, s->offline_id);
	pg_p_i64(&q, s->settled_at);
	pg_p_id(&q, s->revoked_at);
	pg_p_i64_array(&q, payer, s->nshares);
	pg_p_i64_array(&q, acc, s->nshares);
	pg_p_i64_array(&q, bnd, s->nshares);
	pg_p_enum_array(&q, rel, s->nshares);
	pg_p_i64_array(&q, amt, s->nshares);
	if (pg_deferring(PS(st)))
		return insert_deferred(PS(st), s, &q, err);
	return pg_take_id(pg_insert_unique(PS(st), &st_settlement_insert, &q,
					   YB_REFUSE_SETTLEMENT_TXN_REUSED, err),
			  &s->id);
}

/* Read the shares of settlements[0..n) (one query for all of them). */
static int load_shares(pg_store *ps, yb_settlement *sets, int n, yb_err *err)
{
	int64_t *ids;
	pg_params q;
	PGresult *res;
	int rc = -1;

	if (n == 0)
		return 0;
	ids = malloc((size_t)n * sizeof *ids);
	if (!ids)
		return yb_errf(err, "out_of_memory", "out of memory");
	for (int i = 0; i < n; i++) {
		ids[i] = sets[i].id;
		sets[i].nshares = 0;
	}
	pg_params_init(&q);
	pg_p_i64_array(&q, ids, n);
	res = pg_run_release(ps, &st_settlement_shares, &q, err);
	if (!res)
		goto out;
	for (int i = 0, k = -1; i < PQntuples(res); i++) {
		pg_row r = pg_row_at(res, i);
		yb_id sid = pg_r_i64(&r);
		yb_settlement *s;
		yb_share *sh;

		/* rows come grouped by settlement: look it up on each change */
		if (k < 0 || sets[k].id != sid)
			for (k = 0; k < n && sets[k].id != sid; k++)
				;
		if (k >= n || sets[k].nshares >= YB_MAX_SHARES) {
			pg_corrupt(err, "settlement share");
			goto out;
		}
		s = &sets[k];
		sh = &s->shares[s->nshares++];
		memset(sh, 0, sizeof *sh);
		sh->payer_person_id = pg_r_i64(&r);
		sh->account_id = pg_r_i64(&r);
		sh->binding_id = pg_r_i64(&r);
		pg_r_str(&r, sh->payer_ssn, sizeof sh->payer_ssn);
		pg_r_str(&r, sh->payer_name, sizeof sh->payer_name);
		pg_read_relationship(&r, &sh->relationship);
		sh->amount_fen = pg_r_i64(&r);
		if (r.bad) {
			pg_corrupt(err, "settlement share");
			goto out;
		}
	}
	rc = 0;
out:
	PQclear(res);
	free(ids);
	return rc;
}

/* A settlement by some key, with its shares. */
static int settlement_by(yb_store *st, const pg_stmt *s, pg_params *q,
			 yb_settlement *out, yb_err *err)
{
	yb_settlement *tmp = malloc(sizeof *tmp);
	int rc;

	if (!tmp) {
		pg_params_release(q);
		return yb_errf(err, "out_of_memory", "out of memory");
	}
	rc = pg_lookup(PS(st), s, q, decode_settlement, tmp, err);
	if (rc == 1 && load_shares(PS(st), tmp, 1, err) < 0)
		rc = -1;
	if (rc == 1)
		*out = *tmp;
	free(tmp);
	return rc;
}

int pg_settlement_by_id(yb_store *st, yb_id id, yb_settlement *out,
			yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, id);
	return settlement_by(st, &st_settlement_by_id, &q, out, err);
}

int pg_settlement_by_txn(yb_store *st, const char *institution_code,
			 const char *txn_id, yb_settlement *out, yb_err *err)
{
	pg_params q;

	/* pg8: the hint's repeat check found none, nothing ran since */
	if (pg_hint_txn(PS(st), institution_code, txn_id))
		return 0;
	pg_params_init(&q);
	pg_p_text(&q, institution_code);
	pg_p_text(&q, txn_id);
	return settlement_by(st, &pg_st_settlement_by_txn, &q, out, err);
}

int pg_settlement_set_revoked(yb_store *st, yb_id id, yb_id revoke_txn_id,
			      yb_time at, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, id);
	pg_p_id(&q, revoke_txn_id);
	pg_p_i64(&q, at);
	return pg_update_one(PS(st), &st_settlement_set_revoked, &q,
			     YB_REFUSE_SETTLEMENT_NOT_FOUND, id, err);
}

int pg_settlements_of_patient(yb_store *st, yb_id person_id, yb_id before,
			      int limit, yb_settlement **out, int *n,
			      yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	pg_p_i64(&q, pg_before(before));
	pg_p_i64(&q, pg_limit(limit));
	if (pg_list(PS(st), &st_settlements_of_patient, &q, sizeof **out,
		    decode_settlement, (void **)out, n, err) < 0)
		return -1;
	if (load_shares(PS(st), *out, *n, err) < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int pg_decode_usage(pg_row *r, void *out)
{
	yb_usage *u = out;
	memset(u, 0, sizeof *u);
	u->settlement_id = pg_r_i64(r);
	u->share_account_id = pg_r_i64(r);
	pg_r_str(r, u->relative_ssn, sizeof u->relative_ssn);
	pg_r_str(r, u->relative_name, sizeof u->relative_name);
	pg_read_relationship(r, &u->relationship);
	pg_r_str(r, u->institution_code, sizeof u->institution_code);
	pg_r_str(r, u->institution_name, sizeof u->institution_name);
	PG_R_ENUM(r, yb_visit_type_from_str, &u->visit_type);
	u->amount_fen = pg_r_i64(r);
	PG_R_ENUM(r, yb_settle_state_from_str, &u->state);
	u->at = pg_r_i64(r);
	u->cap_cut_fen = pg_r_i64(r);          /* family: E2 */
	return 0;
}

int pg_usage_of_payer(yb_store *st, yb_id person_id, yb_id before, int limit,
		      yb_usage **out, int *n, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, person_id);
	pg_p_i64(&q, pg_before(before));
	pg_p_i64(&q, pg_limit(limit));
	return pg_list(PS(st), &st_usage_of_payer, &q, sizeof **out,
		       pg_decode_usage, (void **)out, n, err);
}

int pg_recon_totals(yb_store *st, const char *institution_code, yb_time from,
		    yb_time to, yb_recon_totals *out, yb_err *err)
{
	pg_params q;
	PGresult *res;
	pg_row r;

	pg_params_init(&q);
	pg_p_text(&q, institution_code);
	pg_p_i64(&q, from);
	pg_p_i64(&q, to);
	res = pg_run(PS(st), &st_recon_totals, &q, err);
	if (!res)
		return -1;
	r = pg_row_at(res, 0);
	memset(out, 0, sizeof *out);
	out->date = yb_date_of(from);
	out->count = pg_r_i64(&r);
	out->total_fen = pg_r_i64(&r);
	out->fund_pay_fen = pg_r_i64(&r);
	out->account_pay_fen = pg_r_i64(&r);
	out->cash_pay_fen = pg_r_i64(&r);
	out->revoked_count = pg_r_i64(&r);
	PQclear(res);
	return r.bad ? pg_corrupt(err, "reconciliation") : 0;
}

/* --- offline records --------------------------------------------------- */

#define OFFLINE_SELECT \
	"SELECT o.id, o.institution_code, o.txn_id, o.patient_id, p.ssn, " \
	"  p.name, o.cred_type, o.visit_type, o.total_fen, o.fund_pay_fen, " \
	"  o.occurred_at, o.recorded_at, o.state, o.settlement_id, " \
	"  o.refund_fen, o.resettled_at " \
	"FROM offline_settlements o JOIN persons p ON p.id = o.patient_id "

static const pg_stmt st_offline_insert = { "offline_insert",
	"INSERT INTO offline_settlements (institution_code, txn_id, patient_id, "
	"  cred_type, visit_type, total_fen, fund_pay_fen, occurred_at, "
	"  recorded_at, state, settlement_id, refund_fen, resettled_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
	"ON CONFLICT DO NOTHING RETURNING id", NULL };
static const pg_stmt st_offline_by_id = { "offline_by_id",
	OFFLINE_SELECT "WHERE o.id = $1", "FOR UPDATE OF o" };
static const pg_stmt st_offline_by_txn = { "offline_by_txn",
	OFFLINE_SELECT "WHERE o.institution_code = $1 AND o.txn_id = $2",
	"FOR UPDATE OF o" };
static const pg_stmt st_offline_set_resettled = { "offline_set_resettled",
	"WITH u AS (UPDATE offline_settlements SET state = 'resettled', "
	"             settlement_id = $2, refund_fen = $3, resettled_at = $4 "
	"           WHERE id = $1 AND state = 'cash_paid' RETURNING 1) "
	"SELECT (SELECT count(*) FROM u), "
	"  EXISTS (SELECT 1 FROM offline_settlements WHERE id = $1)", NULL };

static int decode_offline(pg_row *r, void *out)
{
	yb_offline *o = out;
	memset(o, 0, sizeof *o);
	o->id = pg_r_i64(r);
	pg_r_str(r, o->institution_code, sizeof o->institution_code);
	pg_r_str(r, o->txn_id, sizeof o->txn_id);
	o->patient_id = pg_r_i64(r);
	pg_r_str(r, o->patient_ssn, sizeof o->patient_ssn);
	pg_r_str(r, o->patient_name, sizeof o->patient_name);
	PG_R_ENUM(r, yb_cred_type_from_str, &o->cred_type);
	PG_R_ENUM(r, yb_visit_type_from_str, &o->visit_type);
	o->total_fen = pg_r_i64(r);
	o->fund_pay_fen = pg_r_i64(r);
	o->occurred_at = pg_r_i64(r);
	o->recorded_at = pg_r_i64(r);
	PG_R_ENUM(r, yb_offline_state_from_str, &o->state);
	o->settlement_id = pg_r_i64(r);
	o->refund_fen = pg_r_i64(r);
	o->resettled_at = pg_r_i64(r);
	return 0;
}

int pg_offline_insert(yb_store *st, yb_offline *o, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_text(&q, o->institution_code);
	pg_p_text(&q, o->txn_id);
	pg_p_i64(&q, o->patient_id);
	pg_p_text(&q, yb_cred_type_str(o->cred_type));
	pg_p_text(&q, yb_visit_type_str(o->visit_type));
	pg_p_i64(&q, o->total_fen);
	pg_p_i64(&q, o->fund_pay_fen);
	pg_p_i64(&q, o->occurred_at);
	pg_p_i64(&q, o->recorded_at);
	pg_p_text(&q, yb_offline_state_str(o->state));
	pg_p_id(&q, o->settlement_id);
	pg_p_i64(&q, o->refund_fen);
	pg_p_id(&q, o->resettled_at);
	return pg_take_id(pg_insert_unique(PS(st), &st_offline_insert, &q,
					   YB_REFUSE_OFFLINE_TXN_REUSED, err),
			  &o->id);
}

int pg_offline_by_id(yb_store *st, yb_id id, yb_offline *out, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, id);
	return pg_lookup(PS(st), &st_offline_by_id, &q, decode_offline, out,
			 err);
}

int pg_offline_by_txn(yb_store *st, const char *institution_code,
		      const char *txn_id, yb_offline *out, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_text(&q, institution_code);
	pg_p_text(&q, txn_id);
	return pg_lookup(PS(st), &st_offline_by_txn, &q, decode_offline, out,
			 err);
}

int pg_offline_set_resettled(yb_store *st, yb_id id, yb_id settlement_id,
			     int64_t refund_fen, yb_time at, yb_err *err)
{
	pg_params q;
	pg_params_init(&q);
	pg_p_i64(&q, id);
	pg_p_id(&q, settlement_id);
	pg_p_i64(&q, refund_fen);
	pg_p_i64(&q, at);
	return update_guarded(st, &st_offline_set_resettled, &q,
			      YB_REFUSE_OFFLINE_NOT_FOUND,
			      YB_REFUSE_OFFLINE_RESETTLED, id, err);
}
