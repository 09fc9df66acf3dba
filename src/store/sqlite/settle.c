/*
 * settle.c — SQLite engine: family bindings (SPEC F1–F8), settlements and
 * their shares (S2–S5, F7), reconciliation totals (S7) and offline
 * records (S6).  See store.h for what each operation promises.
 */
#include "store/sqlite/sqlite_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "core/payorder.h"

/* ---- bindings ---------------------------------------------------------------- */

#define BINDING_COLS                                                       \
	"b.id, b.authorizer_id, b.relative_id, pa.ssn, pr.ssn, pr.name, "     \
	"pa.name, b.relationship, b.channel, b.materials_json, b.operator_id, " \
	"b.created_at, b.ended_at, b.end_reason "                             \
	"FROM bindings b JOIN persons pa ON pa.id = b.authorizer_id "         \
	"JOIN persons pr ON pr.id = b.relative_id"

static int read_binding(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_binding *b = elem;

	memset(b, 0, sizeof *b);
	b->id = sq_col_int(q, 0);
	b->authorizer_id = sq_col_int(q, 1);
	b->relative_id = sq_col_int(q, 2);
	sq_col_text(q, 3, b->authorizer_ssn, sizeof b->authorizer_ssn);
	sq_col_text(q, 4, b->relative_ssn, sizeof b->relative_ssn);
	sq_col_text(q, 5, b->relative_name, sizeof b->relative_name);
	sq_col_text(q, 6, b->authorizer_name, sizeof b->authorizer_name);
	if (SQ_COL_ENUM(q, 7, sq_relationship_from_str, &b->relationship,
			"relationship", err) < 0 ||
	    SQ_COL_ENUM(q, 8, yb_channel_from_str, &b->channel, "channel",
			err) < 0)
		return -1;
	sq_col_text(q, 9, b->materials_json, sizeof b->materials_json);
	sq_col_text(q, 10, b->operator_id, sizeof b->operator_id);
	b->created_at = sq_col_int(q, 11);
	b->ended_at = sq_col_int(q, 12);
	sq_col_text(q, 13, b->end_reason, sizeof b->end_reason);
	return 0;
}

/* F3: the partial unique index bindings_active_pair refuses a second
 * active binding of the same pair. */
int sq_binding_insert(yb_store *st, yb_binding *b, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_BINDING_INSERT,
		"INSERT INTO bindings (authorizer_id, relative_id, relationship, "
		"channel, materials_json, operator_id, created_at, ended_at, "
		"end_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, b->authorizer_id);
	sqlite3_bind_int64(q, 2, b->relative_id);
	sq_bind_text(q, 3, yb_relationship_str(b->relationship));
	sq_bind_text(q, 4, yb_channel_str(b->channel));
	sq_bind_text(q, 5, b->materials_json);
	sq_bind_text(q, 6, b->operator_id);
	sqlite3_bind_int64(q, 7, b->created_at);
	sq_bind_opt_int(q, 8, b->ended_at);
	sq_bind_text(q, 9, b->end_reason);
	return sq_insert(s, q, YB_REFUSE_BINDING_DUPLICATE, &b->id, err);
}

int sq_binding_by_id(yb_store *st, yb_id id, yb_binding *out, yb_err *err)
{
	return sq_get_by_int(sq_of(st), SQ_BINDING_BY_ID,
		"SELECT " BINDING_COLS " WHERE b.id = ?1",
		id, read_binding, out, err);
}

/* F6: only an active binding ends; ending it again is
 * "binding.already_ended". */
int sq_binding_end(yb_store *st, yb_id id, yb_time at, const char *reason,
		   yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_BINDING_END,
		"UPDATE bindings SET ended_at = ?2, end_reason = ?3 "
		"WHERE id = ?1 AND ended_at IS NULL", err);
	yb_binding b;
	int found;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, at);
	sq_bind_text(q, 3, reason ? reason : "");
	if (sq_exec(s, q, err) < 0)
		return -1;
	if (sqlite3_changes(s->db) > 0)
		return 0;
	found = sq_binding_by_id(st, id, &b, err);
	if (found < 0)
		return -1;
	if (found)
		return yb_refuse_id(err, YB_REFUSE_BINDING_ENDED, id);
	return yb_refuse_id(err, YB_REFUSE_BINDING_NOT_FOUND, id);
}

int sq_bindings_end_all_of(yb_store *st, yb_id person_id, yb_time at,
			   const char *reason, int *ended, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_BINDINGS_END_ALL,
		"UPDATE bindings SET ended_at = ?2, end_reason = ?3 "
		"WHERE (authorizer_id = ?1 OR relative_id = ?1) "
		"AND ended_at IS NULL", err);

	if (ended)
		*ended = 0;
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, person_id);
	sqlite3_bind_int64(q, 2, at);
	sq_bind_text(q, 3, reason ? reason : "");
	if (sq_exec(s, q, err) < 0)
		return -1;
	if (ended)
		*ended = sqlite3_changes(s->db);
	return 0;
}

int sq_bindings_of_authorizer(yb_store *st, yb_id person_id,
			      bool active_only, yb_id before, int limit,
			      yb_binding **out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_BINDINGS_OF_AUTHORIZER,
		"SELECT " BINDING_COLS " WHERE b.authorizer_id = ?1 AND b.id < ?2 "
		"AND (?4 = 0 OR b.ended_at IS NULL) ORDER BY b.id DESC LIMIT ?3",
		err);

	if (q) {
		sqlite3_bind_int64(q, 1, person_id);
		sqlite3_bind_int(q, 4, active_only ? 1 : 0);
	}
	return sq_page(s, q, before, limit, sizeof **out, read_binding,
		       (void **)out, n, err);
}

int sq_bindings_of_relative(yb_store *st, yb_id person_id, bool active_only,
			    yb_id before, int limit, yb_binding **out, int *n,
			    yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_BINDINGS_OF_RELATIVE,
		"SELECT " BINDING_COLS " WHERE b.relative_id = ?1 AND b.id < ?2 "
		"AND (?4 = 0 OR b.ended_at IS NULL) ORDER BY b.id DESC LIMIT ?3",
		err);

	if (q) {
		sqlite3_bind_int64(q, 1, person_id);
		sqlite3_bind_int(q, 4, active_only ? 1 : 0);
	}
	return sq_page(s, q, before, limit, sizeof **out, read_binding,
		       (void **)out, n, err);
}

static int read_candidate(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_payer_candidate *c = elem;

	memset(c, 0, sizeof *c);
	c->binding_id = sq_col_int(q, 0);
	c->person_id = sq_col_int(q, 1);
	c->account_id = sq_col_int(q, 2);
	sq_col_text(q, 3, c->ssn, sizeof c->ssn);
	sq_col_text(q, 4, c->name, sizeof c->name);
	if (SQ_COL_ENUM(q, 5, sq_relationship_from_str, &c->relationship,
			"relationship", err) < 0)
		return -1;
	c->balance_fen = sq_col_int(q, 6);
	if (SQ_COL_ENUM(q, 7, yb_status_from_str, &c->status, "status", err) < 0)
		return -1;
	c->account_open = sq_col_int(q, 8) != 0;
	c->bound_at = sq_col_int(q, 9);
	return 0;
}

/* Keep c among the best `max` of out[0..*count), in S3's order
 * (core/payorder.h). */
static void candidate_keep(yb_payer_candidate *out, int max, int *count,
			   const yb_payer_candidate *c)
{
	int worst = 0;

	if (*count < max) {
		out[(*count)++] = *c;
		return;
	}
	if (max <= 0)
		return;
	for (int i = 1; i < max; i++)
		if (yb_payer_pays_before(&out[worst], &out[i]))
			worst = i;
	if (yb_payer_pays_before(c, &out[worst]))
		out[worst] = *c;
}

/*
 * S3 step 2: the relatives who authorized this patient, with their
 * personal accounts; an authorizer without one comes with account_id 0.
 * No ORDER BY: the service orders them (core/payorder.c), and an ORDER
 * BY with LIMIT costs SQLite a temporary b-tree on every settlement
 * (measured: a tenth of the writer's time at 1,000,000 persons).  A
 * relative with more than `max` authorizers keeps the `max` that S3
 * would reach first.
 */
int sq_payer_candidates(yb_store *st, yb_id relative_id,
			yb_payer_candidate *out, int max, int *n,
			yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_PAYER_CANDIDATES,
		"SELECT b.id, b.authorizer_id, a.id, p.ssn, p.name, b.relationship, "
		"coalesce(a.balance_fen, 0), p.status, "
		"a.id IS NOT NULL AND a.closed_at IS NULL, b.created_at "
		"FROM bindings b JOIN persons p ON p.id = b.authorizer_id "
		"LEFT JOIN accounts a ON a.person_id = b.authorizer_id "
		"AND a.kind = 'personal' "
		"WHERE b.relative_id = ?1 AND b.ended_at IS NULL", err);
	yb_payer_candidate c;
	int rc = 0, step, count = 0;

	*n = 0;
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, relative_id);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (read_candidate(q, &c, err) < 0) {
			rc = -1;
			break;
		}
		candidate_keep(out, max, &count, &c);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sq_fail(s, err);
	sq_done(q);
	if (rc == 0)
		*n = count;
	return rc;
}

/* ---- settlements ------------------------------------------------------------ */

/*
 * A settlement and an offline record begin with the same visit, as the
 * institution reported it, in the same column order in both tables'
 * queries (id, institution, txn_id, patient id, SSN, name, credential
 * type, visit type, total, fund part) and the same parameters ?1–?7 of
 * both inserts.  VISIT_OF points at those fields of either struct.
 */
typedef struct visit_fields {
	yb_id *id;
	char *institution_code;
	char *txn_id;
	yb_id *patient_id;
	char *patient_ssn;
	char *patient_name;
	yb_cred_type *cred_type;
	yb_visit_type *visit_type;
	int64_t *total_fen;
	int64_t *fund_pay_fen;
} visit_fields;

#define VISIT_OF(x)                                                         \
	((visit_fields){ &(x)->id, (x)->institution_code, (x)->txn_id,          \
			 &(x)->patient_id, (x)->patient_ssn, (x)->patient_name, \
			 &(x)->cred_type, &(x)->visit_type, &(x)->total_fen,    \
			 &(x)->fund_pay_fen })

/* Columns 0–9. */
static int read_visit(sqlite3_stmt *q, visit_fields v, yb_err *err)
{
	*v.id = sq_col_int(q, 0);
	sq_col_text(q, 1, v.institution_code, YB_CODE_SZ);
	sq_col_text(q, 2, v.txn_id, YB_TXN_ID_SZ);
	*v.patient_id = sq_col_int(q, 3);
	sq_col_text(q, 4, v.patient_ssn, YB_SSN_SZ);
	sq_col_text(q, 5, v.patient_name, YB_NAME_SZ);
	if (SQ_COL_ENUM(q, 6, yb_cred_type_from_str, v.cred_type,
			"credential type", err) < 0 ||
	    SQ_COL_ENUM(q, 7, yb_visit_type_from_str, v.visit_type,
			"visit type", err) < 0)
		return -1;
	*v.total_fen = sq_col_int(q, 8);
	*v.fund_pay_fen = sq_col_int(q, 9);
	return 0;
}

/* Parameters ?1–?7. */
static void bind_visit(sqlite3_stmt *q, visit_fields v)
{
	sq_bind_text(q, 1, v.institution_code);
	sq_bind_text(q, 2, v.txn_id);
	sqlite3_bind_int64(q, 3, *v.patient_id);
	sq_bind_text(q, 4, yb_cred_type_str(*v.cred_type));
	sq_bind_text(q, 5, yb_visit_type_str(*v.visit_type));
	sqlite3_bind_int64(q, 6, *v.total_fen);
	sqlite3_bind_int64(q, 7, *v.fund_pay_fen);
}

#define SETTLE_COLS                                                         \
	"s.id, s.institution_code, s.txn_id, s.patient_id, p.ssn, p.name, "    \
	"s.cred_type, s.visit_type, s.total_fen, s.fund_pay_fen, "             \
	"s.account_pay_fen, s.cash_pay_fen, s.state, s.request_hash, "         \
	"s.ledger_txn_id, s.revoke_txn_id, s.offline_id, s.settled_at, "       \
	"s.revoked_at FROM settlements s JOIN persons p ON p.id = s.patient_id"

/* The row only; its shares are read by load_shares. */
static int read_settlement(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_settlement *x = elem;

	memset(x, 0, sizeof *x);
	if (read_visit(q, VISIT_OF(x), err) < 0)
		return -1;
	x->account_pay_fen = sq_col_int(q, 10);
	x->cash_pay_fen = sq_col_int(q, 11);
	if (SQ_COL_ENUM(q, 12, yb_settle_state_from_str, &x->state,
			"settlement state", err) < 0)
		return -1;
	sq_col_text(q, 13, x->request_hash, sizeof x->request_hash);
	x->ledger_txn_id = sq_col_int(q, 14);
	x->revoke_txn_id = sq_col_int(q, 15);
	x->offline_id = sq_col_int(q, 16);
	x->settled_at = sq_col_int(q, 17);
	x->revoked_at = sq_col_int(q, 18);
	return 0;
}

static int load_shares(sq_store *s, yb_settlement *x, yb_err *err)
{
	sqlite3_stmt *q = sq_stmt(s, SQ_SHARES_OF,
		"SELECT sh.payer_person_id, sh.account_id, sh.binding_id, p.ssn, "
		"p.name, sh.relationship, sh.amount_fen FROM settlement_shares sh "
		"JOIN persons p ON p.id = sh.payer_person_id "
		"WHERE sh.settlement_id = ?1 ORDER BY sh.seq", err);
	int rc = 0, step;

	x->nshares = 0;
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, x->id);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		yb_share *sh;

		if (x->nshares == YB_MAX_SHARES) {
			rc = yb_errf(err, "store.corrupt",
				     "settlement %" PRId64 " has too many shares",
				     x->id);
			break;
		}
		sh = &x->shares[x->nshares];
		memset(sh, 0, sizeof *sh);
		sh->payer_person_id = sq_col_int(q, 0);
		sh->account_id = sq_col_int(q, 1);
		sh->binding_id = sq_col_int(q, 2);
		sq_col_text(q, 3, sh->payer_ssn, sizeof sh->payer_ssn);
		sq_col_text(q, 4, sh->payer_name, sizeof sh->payer_name);
		if (SQ_COL_ENUM(q, 5, sq_relationship_from_str,
				&sh->relationship, "relationship", err) < 0) {
			rc = -1;
			break;
		}
		sh->amount_fen = sq_col_int(q, 6);
		x->nshares++;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sq_fail(s, err);
	sq_done(q);
	return rc;
}

/* A lookup of a settlement with its shares. */
static int settlement_lookup(sq_store *s, sqlite3_stmt *q, yb_settlement *out,
			     yb_err *err)
{
	int found = sq_lookup(s, q, read_settlement, out, err);

	if (found == 1 && load_shares(s, out, err) < 0)
		return -1;
	return found;
}

/* S4: (institution, txn_id) is unique; with its shares, all or nothing. */
int sq_settlement_insert(yb_store *st, yb_settlement *x, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q;
	yb_id id = 0;
	int rc = -1;

	if (yb_check_shares(x, err) < 0 || sq_op_begin(s, err) < 0)
		return -1;
	q = sq_stmt(s, SQ_SETTLE_INSERT,
		    "INSERT INTO settlements (institution_code, txn_id, patient_id, "
		    "cred_type, visit_type, total_fen, fund_pay_fen, account_pay_fen, "
		    "cash_pay_fen, state, request_hash, ledger_txn_id, revoke_txn_id, "
		    "offline_id, settled_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, "
		    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)", err);
	if (!q)
		goto out;
	bind_visit(q, VISIT_OF(x));
	sqlite3_bind_int64(q, 8, x->account_pay_fen);
	sqlite3_bind_int64(q, 9, x->cash_pay_fen);
	sq_bind_text(q, 10, yb_settle_state_str(x->state));
	sq_bind_text(q, 11, x->request_hash);
	sq_bind_opt_int(q, 12, x->ledger_txn_id);
	sq_bind_opt_int(q, 13, x->revoke_txn_id);
	sq_bind_opt_int(q, 14, x->offline_id);
	sqlite3_bind_int64(q, 15, x->settled_at);
	sq_bind_opt_int(q, 16, x->revoked_at);
	if (sq_insert(s, q, YB_REFUSE_SETTLEMENT_TXN_REUSED, &id, err) < 0)
		goto out;

	q = sq_stmt(s, SQ_SHARE_INSERT,
		    "INSERT INTO settlement_shares (settlement_id, seq, "
		    "payer_person_id, account_id, binding_id, relationship, "
		    "amount_fen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", err);
	if (!q)
		goto out;
	for (int i = 0; i < x->nshares; i++) {
		const yb_share *sh = &x->shares[i];

		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_int(q, 2, i);
		sqlite3_bind_int64(q, 3, sh->payer_person_id);
		sqlite3_bind_int64(q, 4, sh->account_id);
		sq_bind_opt_int(q, 5, sh->binding_id);
		sq_bind_text(q, 6, yb_relationship_str(sh->relationship));
		sqlite3_bind_int64(q, 7, sh->amount_fen);
		if (sq_exec(s, q, err) < 0)
			goto out;
	}
	rc = 0;
out:
	rc = sq_op_end(s, rc, err);
	if (rc == 0)
		x->id = id;
	return rc;
}

int sq_settlement_by_id(yb_store *st, yb_id id, yb_settlement *out,
			yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_SETTLE_BY_ID,
		"SELECT " SETTLE_COLS " WHERE s.id = ?1", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	return settlement_lookup(s, q, out, err);
}

int sq_settlement_by_txn(yb_store *st, const char *institution_code,
			 const char *txn_id, yb_settlement *out, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_SETTLE_BY_TXN,
		"SELECT " SETTLE_COLS " WHERE s.institution_code = ?1 "
		"AND s.txn_id = ?2", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, institution_code);
	sq_bind_text(q, 2, txn_id);
	return settlement_lookup(s, q, out, err);
}

int sq_settlement_set_revoked(yb_store *st, yb_id id, yb_id revoke_txn_id,
			      yb_time at, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_SETTLE_SET_REVOKED,
		"UPDATE settlements SET state = 'revoked', revoke_txn_id = ?2, "
		"revoked_at = ?3 WHERE id = ?1", err);

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sq_bind_opt_int(q, 2, revoke_txn_id);
	sqlite3_bind_int64(q, 3, at);
	return sq_update_one(s, q, YB_REFUSE_SETTLEMENT_NOT_FOUND, id, err);
}

int sq_settlements_of_patient(yb_store *st, yb_id person_id, yb_id before,
			      int limit, yb_settlement **out, int *n,
			      yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_SETTLE_OF_PATIENT,
		"SELECT " SETTLE_COLS " WHERE s.patient_id = ?1 AND s.id < ?2 "
		"ORDER BY s.id DESC LIMIT ?3", err);

	if (q)
		sqlite3_bind_int64(q, 1, person_id);
	if (sq_page(s, q, before, limit, sizeof **out, read_settlement,
		    (void **)out, n, err) < 0)
		return -1;
	for (int i = 0; i < *n; i++) {
		if (load_shares(s, &(*out)[i], err) < 0) {
			free(*out);
			*out = NULL;
			*n = 0;
			return -1;
		}
	}
	return 0;
}

static int read_usage(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_usage *u = elem;

	u->settlement_id = sq_col_int(q, 0);
	u->share_account_id = sq_col_int(q, 1);
	sq_col_text(q, 2, u->relative_ssn, sizeof u->relative_ssn);
	sq_col_text(q, 3, u->relative_name, sizeof u->relative_name);
	if (SQ_COL_ENUM(q, 4, sq_relationship_from_str, &u->relationship,
			"relationship", err) < 0)
		return -1;
	sq_col_text(q, 5, u->institution_code, sizeof u->institution_code);
	sq_col_text(q, 6, u->institution_name, sizeof u->institution_name);
	if (SQ_COL_ENUM(q, 7, yb_visit_type_from_str, &u->visit_type,
			"visit type", err) < 0)
		return -1;
	u->amount_fen = sq_col_int(q, 8);
	if (SQ_COL_ENUM(q, 9, yb_settle_state_from_str, &u->state,
			"settlement state", err) < 0)
		return -1;
	u->at = sq_col_int(q, 10);
	u->cap_cut_fen = sq_col_int(q, 11);    /* family: E2 */
	return 0;
}

/* F7.  Cursor: settlement id (a payer has at most one share in a
 * settlement: one account each).  The binding_id condition matches the
 * partial index settlement_shares_payer. */
int sq_usage_of_payer(yb_store *st, yb_id person_id, yb_id before, int limit,
		      yb_usage **out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_USAGE_OF_PAYER,
		"SELECT sh.settlement_id, sh.account_id, p.ssn, p.name, "
		"sh.relationship, s.institution_code, i.name, s.visit_type, "
		"sh.amount_fen, s.state, s.settled_at, "
		"coalesce(cc.cut_fen, 0) "  /* family: E2 */
		"FROM settlement_shares sh "
		"JOIN settlements s ON s.id = sh.settlement_id "
		"LEFT JOIN settlement_cap_cuts cc ON cc.settlement_id = "
		"sh.settlement_id AND cc.binding_id = sh.binding_id "
		"JOIN persons p ON p.id = s.patient_id "
		"JOIN institutions i ON i.code = s.institution_code "
		"WHERE sh.payer_person_id = ?1 AND sh.binding_id IS NOT NULL "
		"AND sh.settlement_id < ?2 "
		"ORDER BY sh.settlement_id DESC LIMIT ?3", err);

	if (q)
		sqlite3_bind_int64(q, 1, person_id);
	return sq_page(s, q, before, limit, sizeof **out, read_usage,
		       (void **)out, n, err);
}

/* S7: one pass over the institution's settlements of [from, to) through
 * the index settlements_recon. */
int sq_recon_totals(yb_store *st, const char *institution_code, yb_time from,
		    yb_time to, yb_recon_totals *out, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_RECON_TOTALS,
		"SELECT count(*) FILTER (WHERE state = 'settled'), "
		"coalesce(sum(total_fen) FILTER (WHERE state = 'settled'), 0), "
		"coalesce(sum(fund_pay_fen) FILTER (WHERE state = 'settled'), 0), "
		"coalesce(sum(account_pay_fen) FILTER (WHERE state = 'settled'), 0), "
		"coalesce(sum(cash_pay_fen) FILTER (WHERE state = 'settled'), 0), "
		"count(*) FILTER (WHERE state = 'revoked') "
		"FROM settlements WHERE institution_code = ?1 "
		"AND settled_at >= ?2 AND settled_at < ?3", err);
	int64_t c[6];

	if (!q)
		return -1;
	sq_bind_text(q, 1, institution_code);
	sqlite3_bind_int64(q, 2, from);
	sqlite3_bind_int64(q, 3, to);
	if (sq_step_ints(s, q, c, 6, err) != 1)
		return -1;
	memset(out, 0, sizeof *out);
	out->date = yb_date_of(from);
	out->count = c[0];
	out->total_fen = c[1];
	out->fund_pay_fen = c[2];
	out->account_pay_fen = c[3];
	out->cash_pay_fen = c[4];
	out->revoked_count = c[5];
	return 0;
}

/* ---- offline records (S6) ---------------------------------------------------- */

#define OFFLINE_COLS                                                        \
	"o.id, o.institution_code, o.txn_id, o.patient_id, p.ssn, p.name, "    \
	"o.cred_type, o.visit_type, o.total_fen, o.fund_pay_fen, "             \
	"o.occurred_at, o.recorded_at, o.state, o.settlement_id, o.refund_fen, " \
	"o.resettled_at FROM offline_settlements o "                           \
	"JOIN persons p ON p.id = o.patient_id"

static int read_offline(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_offline *o = elem;

	memset(o, 0, sizeof *o);
	if (read_visit(q, VISIT_OF(o), err) < 0)
		return -1;
	o->occurred_at = sq_col_int(q, 10);
	o->recorded_at = sq_col_int(q, 11);
	if (SQ_COL_ENUM(q, 12, yb_offline_state_from_str, &o->state,
			"offline state", err) < 0)
		return -1;
	o->settlement_id = sq_col_int(q, 13);
	o->refund_fen = sq_col_int(q, 14);
	o->resettled_at = sq_col_int(q, 15);
	return 0;
}

int sq_offline_insert(yb_store *st, yb_offline *o, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_OFFLINE_INSERT,
		"INSERT INTO offline_settlements (institution_code, txn_id, "
		"patient_id, cred_type, visit_type, total_fen, fund_pay_fen, "
		"occurred_at, recorded_at, state, settlement_id, refund_fen, "
		"resettled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		"?11, ?12, ?13)", err);

	if (!q)
		return -1;
	bind_visit(q, VISIT_OF(o));
	sqlite3_bind_int64(q, 8, o->occurred_at);
	sqlite3_bind_int64(q, 9, o->recorded_at);
	sq_bind_text(q, 10, yb_offline_state_str(o->state));
	sq_bind_opt_int(q, 11, o->settlement_id);
	sqlite3_bind_int64(q, 12, o->refund_fen);
	sq_bind_opt_int(q, 13, o->resettled_at);
	return sq_insert(s, q, YB_REFUSE_OFFLINE_TXN_REUSED, &o->id, err);
}

int sq_offline_by_id(yb_store *st, yb_id id, yb_offline *out, yb_err *err)
{
	return sq_get_by_int(sq_of(st), SQ_OFFLINE_BY_ID,
		"SELECT " OFFLINE_COLS " WHERE o.id = ?1",
		id, read_offline, out, err);
}

int sq_offline_by_txn(yb_store *st, const char *institution_code,
		      const char *txn_id, yb_offline *out, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_OFFLINE_BY_TXN,
		"SELECT " OFFLINE_COLS " WHERE o.institution_code = ?1 "
		"AND o.txn_id = ?2", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, institution_code);
	sq_bind_text(q, 2, txn_id);
	return sq_lookup(s, q, read_offline, out, err);
}

/* S6 "once only": the UPDATE moves only a record still cash_paid. */
int sq_offline_set_resettled(yb_store *st, yb_id id, yb_id settlement_id,
			     int64_t refund_fen, yb_time at, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_OFFLINE_SET_RESETTLED,
		"UPDATE offline_settlements SET state = 'resettled', "
		"settlement_id = ?2, refund_fen = ?3, resettled_at = ?4 "
		"WHERE id = ?1 AND state = 'cash_paid'", err);
	yb_offline o;
	int found;

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sq_bind_opt_int(q, 2, settlement_id);
	sqlite3_bind_int64(q, 3, refund_fen);
	sqlite3_bind_int64(q, 4, at);
	if (sq_exec(s, q, err) < 0)
		return -1;
	if (sqlite3_changes(s->db) > 0)
		return 0;
	found = sq_offline_by_id(st, id, &o, err);
	if (found < 0)
		return -1;
	if (found)
		return yb_refuse_id(err, YB_REFUSE_OFFLINE_RESETTLED, id);
	return yb_refuse_id(err, YB_REFUSE_OFFLINE_NOT_FOUND, id);
}
