/*
 * copy.c — `yibao migrate`: copy a whole SQLite database into an empty
 * PostgreSQL one (yb_pg_copy_from_sqlite, store.h).
 *
 * The two schemas are the same tables with the same columns (pg/schema.c
 * mirrors sqlite/schema.c), so the copy is mechanical: for each table, in
 * an order that satisfies the foreign keys, read every row from SQLite and
 * stream it into PostgreSQL with COPY ... FROM STDIN (text format) — one
 * stream per table instead of one INSERT round trip per row.  The foreign
 * keys, unique constraints and secondary indexes are dropped for the
 * copy and built over the rows afterwards, in the same transaction
 * (bulk.c), so the two foreign keys that form cycles (cards ↔ card
 * applications, settlements ↔ offline records) are checked then too.
 *
 * Consistency: the SQLite side is read inside one read transaction (a
 * snapshot, even if a server is still writing), the PostgreSQL side is
 * written in one transaction, so the target gets all rows or none.  Ids
 * are copied as they are, then every identity sequence is moved past the
 * largest id so new rows continue the numbering.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/pg/pg_int.h"
#include "store/sqlite/sqlite_int.h"

/* Tables in foreign-key order, with their columns (the same on both
 * sides) and whether `id` is an identity whose sequence must move. */
static const struct copy_table {
	const char *name;
	const char *cols;
	bool identity;
} copy_tables[] = {
	{ "meta", "key, value", false },
	{ "sequences", "name, value", false },
	{ "employers", "code, name, created_at", false },
	{ "persons", "id, ssn, id_number, name, sex, birth_date, region, "
	  "scheme, status, term_reason, employer_code, created_at, updated_at",
	  true },
	{ "person_passwords", "person_id, hash", false },
	{ "accounts", "id, kind, person_id, institution_code, balance_fen, "
	  "closed_at, created_at", true },
	{ "ledger_txns", "id, kind, ref, at", true },
	{ "ledger_entries", "id, txn_id, account_id, amount_fen, "
	  "balance_after_fen", true },
	{ "contributions", "id, person_id, period, employer_code, base_fen, "
	  "employer_fen, personal_fen, account_credit_fen, ledger_txn_id, "
	  "created_at", true },
	{ "card_applications", "id, person_id, route, materials_json, "
	  "applied_on, ready_by, card_id, operator_id, created_at", true },
	{ "cards", "id, card_no, person_id, state, activated, application_id, "
	  "created_at, updated_at", true },
	{ "calendar_years", "year", false },
	{ "calendar_days", "date, year, kind", false },
	{ "institutions", "code, name, type, receivable_account_id, "
	  "created_at", false },
	{ "bindings", "id, authorizer_id, relative_id, relationship, channel, "
	  "materials_json, operator_id, created_at, ended_at, end_reason", true },
	{ "settlements", "id, institution_code, txn_id, patient_id, cred_type, "
	  "visit_type, total_fen, fund_pay_fen, account_pay_fen, cash_pay_fen, "
	  "state, request_hash, ledger_txn_id, revoke_txn_id, offline_id, "
	  "settled_at, revoked_at", true },
	{ "settlement_shares", "settlement_id, seq, payer_person_id, "
	  "account_id, binding_id, relationship, amount_fen", false },
	{ "offline_settlements", "id, institution_code, txn_id, patient_id, "
	  "cred_type, visit_type, total_fen, fund_pay_fen, occurred_at, "
	  "recorded_at, state, settlement_id, refund_fen, resettled_at", true },
	{ "audit", "seq, at, actor, role, channel, action, target, result, "
	  "prev_hash, hash", false },
	{ "api_keys", "id, key_hash, role, institution_code, employer_code, "
	  "label, created_at, revoked_at", true },
	{ "sessions", "token_hash, person_id, created_at, expires_at", false },
	{ "login_throttle", "key, failures, window_start", false },
	/* nhsa gateway */
	{ "nhsa_records", "kind, key, grp, inst, at, val", false },
	{ "nhsa_msgs", "kind, key, inst, at, val", false },
	{ "nhsa_nonces", "key, at", false },
	{ "nhsa_visits", "mdtrt_id, inst, psn_no, person_id, insutype, "
	  "med_type, ipt_otp_no, cert_type, cert_no, begntime, dise_codg, "
	  "state, at, ipt_count, final_setl", false },
	{ "nhsa_batches", "mdtrt_id, chrg_bchno, sum_fen, lines, setl", false },
	{ "nhsa_cums", "key, dedc_fen, fund_fen, medfee_fen, count", false },
	{ "nhsa_setls", "id, inst, day, mdtrt_id, chrg_bchno, insutype, "
	  "med_type, cert_type, msgid, medfee_fen, inscp_fen, fulamt_fen, "
	  "dedc_fen, fund_fen, ratio_bp, acct_fen, mulaid_fen, cash_fen, "
	  "balc_fen, at, revoked, revoked_at, person_id, req_hash", false },
	{ "nhsa_files", "file_qury_no, inst, kind, filename, size, sha256, "
	  "lines, paasid, at, dld_end, data", false },
	/* notify (E3) */
	{ "notifications", "id, person_id, kind, relative_id, relative_ssn, "
	  "relative_name, relationship, amount_fen, institution_code, "
	  "institution_name, ref, detail, created_at, read_at", true },
	{ "webhooks", "id, url, secret, label, created_at, removed_at", true },
	{ "webhook_deliveries", "id, webhook_id, notification_id, state, "
	  "attempts, next_at_ms, last_status, last_error, created_at, "
	  "delivered_at", true },
	/* --- family (E1, E2) --- */
	{ "premium_payments", "id, relative_id, year, payer_id, binding_id, "
	  "amount_fen, ledger_txn_id, contribution_id, client_request_id, "
	  "created_at, relationship, channel, materials_json, operator_id",
	  true },
	{ "binding_caps", "binding_id, cap_fen, set_at", false },
	{ "settlement_cap_cuts", "settlement_id, binding_id, payer_person_id, "
	  "cut_fen", false },
	/* family (E4): the scans, bytes and all */
	{ "materials", "id, binding_id, application_id, premium_id, kind, "
	  "content_type, size_bytes, sha256, data, channel, operator_id, "
	  "created_at", true },
	/* --- records (R2) --- */
	{ "proofs", "id, code, person_id, statement, signature, key_id, "
	  "issued_at, issued_by, revoked_at, revoked_by, revoke_reason", true },
};

#define NTABLES (sizeof copy_tables / sizeof copy_tables[0])
#define COPY_CHUNK 65536        /* bytes handed to libpq at a time */

/* A growable text buffer for COPY data. */
typedef struct copy_buf {
	char *data;
	size_t len, cap;
} copy_buf;

static int buf_reserve(copy_buf *b, size_t more, yb_err *err)
{
	char *p;
	size_t cap;

	if (b->len + more <= b->cap)
		return 0;
	cap = b->cap ? b->cap : COPY_CHUNK * 2;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return yb_errf(err, "out_of_memory", "out of memory copying rows");
	b->data = p;
	b->cap = cap;
	return 0;
}

/* family: E4 — a BLOB as a bytea in COPY text format: \\x and hex
 * (the backslash itself escaped, as every backslash in COPY text). */
static int buf_blob(copy_buf *b, sqlite3_stmt *q, int col, yb_err *err)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *v = sqlite3_column_blob(q, col);
	int n = sqlite3_column_bytes(q, col);

	if (!v && n > 0)
		return yb_errf(err, "out_of_memory", "out of memory reading SQLite");
	if (buf_reserve(b, 3 + 2 * (size_t)n, err) < 0)
		return -1;
	memcpy(b->data + b->len, "\\\\x", 3);
	b->len += 3;
	for (int i = 0; i < n; i++) {
		b->data[b->len++] = hex[v[i] >> 4];
		b->data[b->len++] = hex[v[i] & 15];
	}
	return 0;
}

/* Append one value in COPY text format: \N for NULL; backslash, tab,
 * newline and carriage return escaped. */
static int buf_value(copy_buf *b, sqlite3_stmt *q, int col, yb_err *err)
{
	const unsigned char *v;
	int n;

	if (sqlite3_column_type(q, col) == SQLITE_NULL) {
		if (buf_reserve(b, 2, err) < 0)
			return -1;
		memcpy(b->data + b->len, "\\N", 2);
		b->len += 2;
		return 0;
	}
	if (sqlite3_column_type(q, col) == SQLITE_BLOB)
		return buf_blob(b, q, col, err);       /* family: E4 scans */
	v = sqlite3_column_text(q, col);
	n = sqlite3_column_bytes(q, col);
	if (!v)
		return yb_errf(err, "out_of_memory", "out of memory reading SQLite");
	if (buf_reserve(b, 2 * (size_t)n, err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		unsigned char c = v[i];
		char esc = c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' :
			   c == '\r' ? 'r' : 0;
		if (esc) {
			b->data[b->len++] = '\\';
			b->data[b->len++] = esc;
		} else {
			b->data[b->len++] = (char)c;
		}
	}
	return 0;
}

static int sq_error(sqlite3 *db, yb_err *err)
{
	return yb_errf(err, "store.error", "sqlite: %s", sqlite3_errmsg(db));
}

/* Hand the buffered rows to the COPY in progress. */
static int flush(PGconn *conn, copy_buf *b, yb_err *err)
{
	if (b->len && PQputCopyData(conn, b->data, (int)b->len) != 1)
		return yb_errf(err, "store.error", "postgresql: %s",
			       PQerrorMessage(conn));
	b->len = 0;
	return 0;
}

/* Stream table t's rows from SQLite into PostgreSQL. */
static int copy_table(PGconn *conn, sqlite3 *db, const struct copy_table *t,
		      copy_buf *b, yb_err *err)
{
	char sql[640];
	sqlite3_stmt *q = NULL;
	PGresult *res;
	int step, ncols, rc = -1;
	bool copying = false;

	/* table and column names are this file's constants, not input */
	snprintf(sql, sizeof sql, "SELECT %s FROM %s", t->cols, t->name);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
		sq_error(db, err);
		goto out;
	}
	ncols = sqlite3_column_count(q);
	snprintf(sql, sizeof sql, "COPY %s (%s) FROM STDIN", t->name, t->cols);
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		pg_result_err(conn, res, err);
		goto out;
	}
	PQclear(res);
	copying = true;
	b->len = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		for (int i = 0; i < ncols; i++) {
			if (buf_value(b, q, i, err) < 0 ||
			    buf_reserve(b, 1, err) < 0)
				goto out;
			b->data[b->len++] = i + 1 < ncols ? '\t' : '\n';
		}
		if (b->len >= COPY_CHUNK && flush(conn, b, err) < 0)
			goto out;
	}
	if (step != SQLITE_DONE) {
		sq_error(db, err);
		goto out;
	}
	if (flush(conn, b, err) < 0)
		goto out;
	copying = false;
	if (PQputCopyEnd(conn, NULL) != 1) {
		yb_errf(err, "store.error", "postgresql: %s", PQerrorMessage(conn));
		goto out;
	}
	res = PQgetResult(conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_result_err(conn, res, err);
		goto out;
	}
	PQclear(res);
	rc = 0;
out:
	if (copying)
		PQputCopyEnd(conn, "copy abandoned");
	/* drain whatever the server still has to say about this COPY */
	while (copying && (res = PQgetResult(conn)) != NULL)
		PQclear(res);
	sqlite3_finalize(q);
	return rc;
}

/* Move a table's identity sequence past its largest id. */
static int move_sequence(PGconn *conn, const char *table, yb_err *err)
{
	char sql[256];

	/* the table name is this file's constant, not input */
	snprintf(sql, sizeof sql,
		 "SELECT setval(pg_get_serial_sequence('%s', 'id'), "
		 "coalesce(max(id), 0) + 1, false) FROM %s", table, table);
	return pg_simple(conn, sql, err);
}

/* The target must hold nothing but what its schema made. */
static const char *const target_empty_sql =
	"SELECT NOT EXISTS (SELECT 1 FROM persons) "
	"  AND NOT EXISTS (SELECT 1 FROM ledger_txns) "
	"  AND NOT EXISTS (SELECT 1 FROM institutions) "
	"  AND NOT EXISTS (SELECT 1 FROM employers) "
	"  AND NOT EXISTS (SELECT 1 FROM audit) "
	"  AND NOT EXISTS (SELECT 1 FROM api_keys) "
	"  AND NOT EXISTS (SELECT 1 FROM meta)";

static int check_target(PGconn *conn, yb_err *err)
{
	PGresult *res = PQexec(conn, target_empty_sql);
	bool empty;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return pg_result_err(conn, res, err);
	empty = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (!empty)
		return yb_errf(err, "store.error", "the PostgreSQL database "
			       "already holds data: migrate needs an empty one");
	return 0;
}

static int check_source(sqlite3 *db, yb_err *err)
{
	sqlite3_stmt *q = NULL;
	int version = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL)
	    != SQLITE_OK)
		return sq_error(db, err);
	if (sqlite3_step(q) == SQLITE_ROW)
		version = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (version != pg_schema_version())
		return yb_errf(err, "store.error",
			       "the SQLite database is at schema version %d, "
			       "this program writes version %d: open it with "
			       "this program first", version, pg_schema_version());
	return 0;
}

int yb_pg_copy_from_sqlite(yb_store *pg, const char *sqlite_path,
			   yb_err *err)
{
	pg_store *ps = (pg_store *)pg;
	sqlite3 *db = NULL;
	copy_buf b = { 0 };
	bool sq_txn = false, pg_txn = false;
	int rc = -1;

	if (!pg || strcmp(pg->ops->name, "postgresql") != 0)
		return yb_errf(err, "store.error",
			       "migrate copies into a PostgreSQL store");
	if (ps->in_txn)
		return yb_errf(err, "store.error",
			       "migrate needs the store outside a transaction");
	sq_global_init();
	if (sqlite3_open_v2(sqlite_path, &db, SQLITE_OPEN_READONLY, NULL)
	    != SQLITE_OK) {
		yb_errf(err, "store.error", "cannot open %s: %s", sqlite_path,
			db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	if (check_source(db, err) < 0)
		goto out;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		sq_error(db, err);
		goto out;
	}
	sq_txn = true;
	if (pg->ops->begin(pg, true, err) < 0)
		goto out;
	pg_txn = true;
	/* The schema's own rows (the system accounts) come from the source
	 * with everything else, ids and all. */
	if (check_target(ps->conn, err) < 0 ||
	    pg_simple(ps->conn, "SET CONSTRAINTS card_applications_card, "
				"settlements_offline DEFERRED; "
				"DELETE FROM accounts", err) < 0)
		goto out;
	/* issue 16: rows first, indexes and keys over them (bulk.c) */
	if (pg_bulk_drop(ps->conn, err) < 0)
		goto out;
	for (size_t i = 0; i < NTABLES; i++)
		if (copy_table(ps->conn, db, &copy_tables[i], &b, err) < 0)
			goto out;
	if (pg_bulk_restore(ps->conn, err) < 0)
		goto out;
	for (size_t i = 0; i < NTABLES; i++)
		if (copy_tables[i].identity &&
		    move_sequence(ps->conn, copy_tables[i].name, err) < 0)
			goto out;
	/* pgha: the copied audit log is chain 0; record its head and move
	 * the sequence the chains number from past it */
	if (pg_simple(ps->conn,
		      "SELECT setval('audit_seq', coalesce(max(seq), 0) + 1, "
		      "false) FROM audit; "
		      "UPDATE audit_chains h SET seq = a.seq, hash = a.hash FROM "
		      "(SELECT seq, hash FROM audit WHERE chain = 0 "
		      " ORDER BY seq DESC LIMIT 1) a WHERE h.chain = 0", err) < 0)
		goto out;
	pg_txn = false;
	if (pg->ops->commit(pg, err) < 0)       /* deferred keys checked here */
		goto out;
	if (pg_bulk_vacuum(ps->conn, err) < 0) {
		char why[YB_ERR_MSG_MAX];

		snprintf(why, sizeof why, "%s", err->message);
		yb_errf(err, "store.error", "the rows are copied, but VACUUM "
			"failed (run it by hand): %s", why);
		goto out;
	}
	rc = 0;
out:
	if (pg_txn)
		pg->ops->rollback(pg);
	if (sq_txn)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	free(b.data);
	return rc;
}
