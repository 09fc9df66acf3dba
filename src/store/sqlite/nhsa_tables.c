/*
 * nhsa_tables.c — the national-interface gateway's typed tables on SQLite
 * (store.h "nhsa typed tables", migration 9): visits, fee batches, yearly
 * totals and the gateway's settlement records, each in fixed columns —
 * what every 2207 reads and writes, without JSON to parse or write
 * (docs/BENCHMARKS.md).  A write transaction holds the database, so the
 * gets need no row lock here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "store/sqlite/sqlite_int.h"

/* ---- visits ------------------------------------------------------------------ */

#define VISIT_COLS "mdtrt_id, inst, psn_no, person_id, insutype, med_type, " \
	"ipt_otp_no, cert_type, cert_no, begntime, dise_codg, state, at, "     \
	"ipt_count, final_setl"

static int read_visit(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_nhsa_visit *v = elem;

	(void)err;
	memset(v, 0, sizeof *v);
	sq_col_text(q, 0, v->mdtrt_id, sizeof v->mdtrt_id);
	sq_col_text(q, 1, v->inst, sizeof v->inst);
	sq_col_text(q, 2, v->psn_no, sizeof v->psn_no);
	v->person_id = sq_col_int(q, 3);
	sq_col_text(q, 4, v->insutype, sizeof v->insutype);
	sq_col_text(q, 5, v->med_type, sizeof v->med_type);
	sq_col_text(q, 6, v->ipt_otp_no, sizeof v->ipt_otp_no);
	sq_col_text(q, 7, v->cert_type, sizeof v->cert_type);
	sq_col_text(q, 8, v->cert_no, sizeof v->cert_no);
	sq_col_text(q, 9, v->begntime, sizeof v->begntime);
	sq_col_text(q, 10, v->dise_codg, sizeof v->dise_codg);
	sq_col_text(q, 11, v->state, sizeof v->state);
	v->at = sq_col_int(q, 12);
	v->ipt_count = (int)sq_col_int(q, 13);
	v->final_setl = sq_col_int(q, 14);
	return 0;
}

int sq_nhsa_visit_get(yb_store *st, const char *mdtrt_id, yb_nhsa_visit *out,
		      yb_err *err)
{
	memset(out, 0, sizeof *out);
	return sq_get_by_text(sq_of(st), SQ_NHSA_VISIT_GET,
			      "SELECT " VISIT_COLS " FROM nhsa_visits "
			      "WHERE mdtrt_id = ?1", mdtrt_id, read_visit, out,
			      err);
}

int sq_nhsa_visit_put(yb_store *st, const yb_nhsa_visit *v, int mode,
		      yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = mode == YB_NHSA_UPSERT
		? sq_stmt(s, SQ_NHSA_VISIT_UPSERT,
			  "INSERT OR REPLACE INTO nhsa_visits (" VISIT_COLS ") "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
			  "?11, ?12, ?13, ?14, ?15)", err)
		: sq_stmt(s, SQ_NHSA_VISIT_INSERT,
			  "INSERT INTO nhsa_visits (" VISIT_COLS ") "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
			  "?11, ?12, ?13, ?14, ?15) "
			  "ON CONFLICT (mdtrt_id) DO NOTHING", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, v->mdtrt_id);
	sq_bind_text(q, 2, v->inst);
	sq_bind_text(q, 3, v->psn_no);
	sqlite3_bind_int64(q, 4, v->person_id);
	sq_bind_text(q, 5, v->insutype);
	sq_bind_text(q, 6, v->med_type);
	sq_bind_text(q, 7, v->ipt_otp_no);
	sq_bind_text(q, 8, v->cert_type);
	sq_bind_text(q, 9, v->cert_no);
	sq_bind_text(q, 10, v->begntime);
	sq_bind_text(q, 11, v->dise_codg);
	sq_bind_text(q, 12, v->state);
	sqlite3_bind_int64(q, 13, v->at);
	sqlite3_bind_int64(q, 14, v->ipt_count);
	sqlite3_bind_int64(q, 15, v->final_setl);
	if (sq_exec(s, q, err) < 0)
		return -1;
	return yb_nhsa_put_answer("visit", v->mdtrt_id, mode,
				  sqlite3_changes(s->db), err);
}

/* ---- fee batches --------------------------------------------------------------- */

static int read_batch(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_nhsa_batch *b = elem;

	(void)err;
	memset(b, 0, sizeof *b);
	sq_col_text(q, 0, b->chrg_bchno, sizeof b->chrg_bchno);
	b->sum_fen = sq_col_int(q, 1);
	b->lines = sq_col_int(q, 2);
	b->settlement_id = sq_col_int(q, 3);
	return 0;
}

int sq_nhsa_batch_get(yb_store *st, const char *mdtrt_id,
		      const char *chrg_bchno, yb_nhsa_batch *out, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_NHSA_BATCH_GET,
		"SELECT chrg_bchno, sum_fen, lines, setl FROM nhsa_batches "
		"WHERE mdtrt_id = ?1 AND chrg_bchno = ?2", err);

	memset(out, 0, sizeof *out);
	if (!q)
		return -1;
	sq_bind_text(q, 1, mdtrt_id);
	sq_bind_text(q, 2, chrg_bchno);
	return sq_lookup(s, q, read_batch, out, err);
}

int sq_nhsa_batch_list(yb_store *st, const char *mdtrt_id,
		       yb_nhsa_batch **out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_NHSA_BATCH_LIST,
		"SELECT chrg_bchno, sum_fen, lines, setl FROM nhsa_batches "
		"WHERE mdtrt_id = ?1 ORDER BY chrg_bchno", err);

	*out = NULL;
	*n = 0;
	if (!q)
		return -1;
	sq_bind_text(q, 1, mdtrt_id);
	return sq_list(s, q, sizeof **out, read_batch, (void **)out, n, err);
}

int sq_nhsa_batch_put(yb_store *st, const char *mdtrt_id,
		      const yb_nhsa_batch *b, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_NHSA_BATCH_PUT,
		"INSERT OR REPLACE INTO nhsa_batches "
		"(mdtrt_id, chrg_bchno, sum_fen, lines, setl) "
		"VALUES (?1, ?2, ?3, ?4, ?5)", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, mdtrt_id);
	sq_bind_text(q, 2, b->chrg_bchno);
	sqlite3_bind_int64(q, 3, b->sum_fen);
	sqlite3_bind_int64(q, 4, b->lines);
	sqlite3_bind_int64(q, 5, b->settlement_id);
	return sq_exec(s, q, err);
}

int sq_nhsa_batch_delete(yb_store *st, const char *mdtrt_id,
			 const char *chrg_bchno, yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = sq_stmt(s, SQ_NHSA_BATCH_DELETE,
		"DELETE FROM nhsa_batches "
		"WHERE mdtrt_id = ?1 AND chrg_bchno = ?2", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, mdtrt_id);
	sq_bind_text(q, 2, chrg_bchno);
	return sq_exec(s, q, err);
}

/* ---- yearly totals ---------------------------------------------------------------- */

static int read_cum(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_nhsa_cum_rec *c = elem;

	(void)err;
	memset(c, 0, sizeof *c);
	sq_col_text(q, 0, c->key, sizeof c->key);
	c->dedc_fen = sq_col_int(q, 1);
	c->fund_fen = sq_col_int(q, 2);
	c->medfee_fen = sq_col_int(q, 3);
	c->count = sq_col_int(q, 4);
	return 0;
}

int sq_nhsa_cum_get(yb_store *st, const char *key, yb_nhsa_cum_rec *out,
		    yb_err *err)
{
	memset(out, 0, sizeof *out);
	return sq_get_by_text(sq_of(st), SQ_NHSA_CUM_GET,
			      "SELECT key, dedc_fen, fund_fen, medfee_fen, "
			      "count FROM nhsa_cums WHERE key = ?1", key,
			      read_cum, out, err);
}

int sq_nhsa_cum_put(yb_store *st, const yb_nhsa_cum_rec *c, int mode,
		    yb_err *err)
{
	sq_store *s = sq_of(st);
	sqlite3_stmt *q = mode == YB_NHSA_UPSERT
		? sq_stmt(s, SQ_NHSA_CUM_UPSERT,
			  "INSERT OR REPLACE INTO nhsa_cums "
			  "(key, dedc_fen, fund_fen, medfee_fen, count) "
			  "VALUES (?1, ?2, ?3, ?4, ?5)", err)
		: sq_stmt(s, SQ_NHSA_CUM_INSERT,
			  "INSERT INTO nhsa_cums "
			  "(key, dedc_fen, fund_fen, medfee_fen, count) "
			  "VALUES (?1, ?2, ?3, ?4, ?5) "
			  "ON CONFLICT (key) DO NOTHING", err);

	if (!q)
		return -1;
	sq_bind_text(q, 1, c->key);
	sqlite3_bind_int64(q, 2, c->dedc_fen);
	sqlite3_bind_int64(q, 3, c->fund_fen);
	sqlite3_bind_int64(q, 4, c->medfee_fen);
	sqlite3_bind_int64(q, 5, c->count);
	if (sq_exec(s, q, err) < 0)
		return -1;
	return yb_nhsa_put_answer("cum", c->key, mode,
				  sqlite3_changes(s->db), err);
}

/* ---- settlement records -------------------------------------------------------- */

#define SETL_COLS "id, inst, day, mdtrt_id, chrg_bchno, insutype, med_type, " \
	"cert_type, msgid, medfee_fen, inscp_fen, fulamt_fen, dedc_fen, "      \
	"fund_fen, ratio_bp, acct_fen, mulaid_fen, cash_fen, balc_fen, at, "  \
	"revoked, revoked_at, person_id, req_hash"

static int read_setl(sqlite3_stmt *q, void *elem, yb_err *err)
{
	yb_nhsa_setl_rec *r = elem;
	int64_t *money[] = { &r->medfee_fen, &r->inscp_fen, &r->fulamt_fen,
			     &r->dedc_fen, &r->fund_fen, &r->ratio_bp,
			     &r->acct_fen, &r->mulaid_fen, &r->cash_fen,
			     &r->balc_fen };

	(void)err;
	memset(r, 0, sizeof *r);
	r->id = sq_col_int(q, 0);
	sq_col_text(q, 1, r->inst, sizeof r->inst);
	sq_col_text(q, 2, r->day, sizeof r->day);
	sq_col_text(q, 3, r->mdtrt_id, sizeof r->mdtrt_id);
	sq_col_text(q, 4, r->chrg_bchno, sizeof r->chrg_bchno);
	sq_col_text(q, 5, r->insutype, sizeof r->insutype);
	sq_col_text(q, 6, r->med_type, sizeof r->med_type);
	sq_col_text(q, 7, r->cert_type, sizeof r->cert_type);
	sq_col_text(q, 8, r->msgid, sizeof r->msgid);
	for (int i = 0; i < 10; i++)
		*money[i] = sq_col_int(q, 9 + i);
	r->at = sq_col_int(q, 19);
	r->revoked = sq_col_int(q, 20) != 0;
	r->revoked_at = sq_col_int(q, 21);
	r->person_id = sq_col_int(q, 22);
	sq_col_text(q, 23, r->req_hash, sizeof r->req_hash);
	return 0;
}

int sq_nhsa_setl_get(yb_store *st, yb_id id, yb_nhsa_setl_rec *out,
		     yb_err *err)
{
	memset(out, 0, sizeof *out);
	return sq_get_by_int(sq_of(st), SQ_NHSA_SETL_GET,
			     "SELECT " SETL_COLS " FROM nhsa_setls WHERE id = ?1",
			     id, read_setl, out, err);
}

int sq_nhsa_setl_put(yb_store *st, const yb_nhsa_setl_rec *r, int mode,
		     yb_err *err)
{
	sq_store *s = sq_of(st);
	const int64_t money[] = { r->medfee_fen, r->inscp_fen, r->fulamt_fen,
				  r->dedc_fen, r->fund_fen, r->ratio_bp,
				  r->acct_fen, r->mulaid_fen, r->cash_fen,
				  r->balc_fen };
	sqlite3_stmt *q = mode == YB_NHSA_UPSERT
		? sq_stmt(s, SQ_NHSA_SETL_UPSERT,
			  "INSERT OR REPLACE INTO nhsa_setls (" SETL_COLS ") "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
			  "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
			  "?21, ?22, ?23, ?24)", err)
		: sq_stmt(s, SQ_NHSA_SETL_INSERT,
			  "INSERT INTO nhsa_setls (" SETL_COLS ") "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
			  "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
			  "?21, ?22, ?23, ?24) ON CONFLICT (id) DO NOTHING",
			  err);
	char key[24];

	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, r->id);
	sq_bind_text(q, 2, r->inst);
	sq_bind_text(q, 3, r->day);
	sq_bind_text(q, 4, r->mdtrt_id);
	sq_bind_text(q, 5, r->chrg_bchno);
	sq_bind_text(q, 6, r->insutype);
	sq_bind_text(q, 7, r->med_type);
	sq_bind_text(q, 8, r->cert_type);
	sq_bind_text(q, 9, r->msgid);
	for (int i = 0; i < 10; i++)
		sqlite3_bind_int64(q, 10 + i, money[i]);
	sqlite3_bind_int64(q, 20, r->at);
	sqlite3_bind_int64(q, 21, r->revoked ? 1 : 0);
	sqlite3_bind_int64(q, 22, r->revoked_at);
	sqlite3_bind_int64(q, 23, r->person_id);
	sq_bind_text(q, 24, r->req_hash);
	if (sq_exec(s, q, err) < 0)
		return -1;
	snprintf(key, sizeof key, "%lld", (long long)r->id);
	return yb_nhsa_put_answer("setl", key, mode,
				  sqlite3_changes(s->db), err);
}

int sq_nhsa_setl_list(yb_store *st, const char *inst, const char *day,
		      yb_nhsa_setl_rec **out, int *n, yb_err *err)
{
	sq_store *s = sq_of(st);
	/* No index of its own (schema.c 13): a gateway settlement record
	 * has its settlement's id, and the settlements' reconciliation
	 * index finds the institution's settlements of the day — by their
	 * time, from the day's local midnight to the next; `day` keeps it
	 * exact. */
	sqlite3_stmt *q = sq_stmt(s, SQ_NHSA_SETL_LIST,
		"SELECT " SETL_COLS " FROM nhsa_setls "
		"WHERE id IN (SELECT id FROM settlements "
		"             WHERE institution_code = ?1 "
		"               AND settled_at >= ?3 AND settled_at < ?4) "
		"  AND inst = ?1 AND day = ?2 ORDER BY id", err);
	yb_date d;

	*out = NULL;
	*n = 0;
	if (!yb_date_parse(day, &d))
		return 0;                /* no record has such a day */
	if (!q)
		return -1;
	sq_bind_text(q, 1, inst);
	sq_bind_text(q, 2, day);
	sqlite3_bind_int64(q, 3, yb_time_of_date(d));
	sqlite3_bind_int64(q, 4, yb_time_of_date(d + 1));
	return sq_list(s, q, sizeof **out, read_setl, (void **)out, n, err);
}
