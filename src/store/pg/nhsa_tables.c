/*
 * nhsa_tables.c — the national-interface gateway's typed tables on
 * PostgreSQL (store.h "nhsa typed tables", migration 9): visits, fee
 * batches, yearly totals and the gateway's settlement records in fixed
 * columns.  Inside a write transaction the gets lock their row (FOR
 * UPDATE): that is what keeps a person's yearly totals exact when two of
 * his bills settle at once (docs/NHSA.md, N6).  Inserts use ON CONFLICT,
 * so a duplicate never aborts the caller's transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_int.h"

static pg_store *PS(yb_store *st)
{
	return (pg_store *)st;
}

/* Run a put and answer as store.h says for `mode`. */
static int put_run(yb_store *st, const pg_stmt *s, pg_params *q,
		   const char *kind, const char *key, int mode, yb_err *err)
{
	PGresult *res = pg_run_release(PS(st), s, q, err);
	int64_t changed;

	if (!res)
		return -1;
	changed = pg_affected(res);
	PQclear(res);
	return yb_nhsa_put_answer(kind, key, mode, changed, err);
}

/* ---- visits ------------------------------------------------------------------ */

#define VISIT_COLS "mdtrt_id, inst, psn_no, person_id, insutype, med_type, " \
	"ipt_otp_no, cert_type, cert_no, begntime, dise_codg, state, at, "     \
	"ipt_count, final_setl"
#define VISIT_VALS "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, " \
	"$12, $13, $14, $15)"

static const pg_stmt st_visit_get = { "nhsa_visit_get",
	"SELECT " VISIT_COLS " FROM nhsa_visits WHERE mdtrt_id = $1",
	"FOR UPDATE" };
static const pg_stmt st_visit_insert = { "nhsa_visit_insert",
	"INSERT INTO nhsa_visits (" VISIT_COLS ") " VISIT_VALS
	" ON CONFLICT (mdtrt_id) DO NOTHING", NULL };
static const pg_stmt st_visit_upsert = { "nhsa_visit_upsert",
	"INSERT INTO nhsa_visits (" VISIT_COLS ") " VISIT_VALS
	" ON CONFLICT (mdtrt_id) DO UPDATE SET inst = EXCLUDED.inst, "
	"psn_no = EXCLUDED.psn_no, person_id = EXCLUDED.person_id, "
	"insutype = EXCLUDED.insutype, med_type = EXCLUDED.med_type, "
	"ipt_otp_no = EXCLUDED.ipt_otp_no, cert_type = EXCLUDED.cert_type, "
	"cert_no = EXCLUDED.cert_no, begntime = EXCLUDED.begntime, "
	"dise_codg = EXCLUDED.dise_codg, state = EXCLUDED.state, "
	"at = EXCLUDED.at, ipt_count = EXCLUDED.ipt_count, "
	"final_setl = EXCLUDED.final_setl", NULL };

static int decode_visit(pg_row *r, void *out)
{
	yb_nhsa_visit *v = out;

	memset(v, 0, sizeof *v);
	pg_r_str(r, v->mdtrt_id, sizeof v->mdtrt_id);
	pg_r_str(r, v->inst, sizeof v->inst);
	pg_r_str(r, v->psn_no, sizeof v->psn_no);
	v->person_id = pg_r_i64(r);
	pg_r_str(r, v->insutype, sizeof v->insutype);
	pg_r_str(r, v->med_type, sizeof v->med_type);
	pg_r_str(r, v->ipt_otp_no, sizeof v->ipt_otp_no);
	pg_r_str(r, v->cert_type, sizeof v->cert_type);
	pg_r_str(r, v->cert_no, sizeof v->cert_no);
	pg_r_str(r, v->begntime, sizeof v->begntime);
	pg_r_str(r, v->dise_codg, sizeof v->dise_codg);
	pg_r_str(r, v->state, sizeof v->state);
	v->at = pg_r_i64(r);
	v->ipt_count = (int)pg_r_i64(r);
	v->final_setl = pg_r_i64(r);
	return 0;
}

int pg_nhsa_visit_get(yb_store *st, const char *mdtrt_id, yb_nhsa_visit *out,
		      yb_err *err)
{
	pg_params q;

	memset(out, 0, sizeof *out);
	pg_params_init(&q);
	pg_p_text(&q, mdtrt_id);
	return pg_lookup(PS(st), &st_visit_get, &q, decode_visit, out, err);
}

int pg_nhsa_visit_put(yb_store *st, const yb_nhsa_visit *v, int mode,
		      yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_text(&q, v->mdtrt_id);
	pg_p_text(&q, v->inst);
	pg_p_text(&q, v->psn_no);
	pg_p_i64(&q, v->person_id);
	pg_p_text(&q, v->insutype);
	pg_p_text(&q, v->med_type);
	pg_p_text(&q, v->ipt_otp_no);
	pg_p_text(&q, v->cert_type);
	pg_p_text(&q, v->cert_no);
	pg_p_text(&q, v->begntime);
	pg_p_text(&q, v->dise_codg);
	pg_p_text(&q, v->state);
	pg_p_i64(&q, v->at);
	pg_p_i64(&q, v->ipt_count);
	pg_p_i64(&q, v->final_setl);
	return put_run(st, mode == YB_NHSA_UPSERT ? &st_visit_upsert
						  : &st_visit_insert,
		       &q, "visit", v->mdtrt_id, mode, err);
}

/* ---- fee batches --------------------------------------------------------------- */

static const pg_stmt st_batch_get = { "nhsa_batch_get",
	"SELECT chrg_bchno, sum_fen, lines, setl FROM nhsa_batches "
	"WHERE mdtrt_id = $1 AND chrg_bchno = $2", "FOR UPDATE" };
static const pg_stmt st_batch_list = { "nhsa_batch_list",
	"SELECT chrg_bchno, sum_fen, lines, setl FROM nhsa_batches "
	"WHERE mdtrt_id = $1 ORDER BY chrg_bchno", NULL };
static const pg_stmt st_batch_put = { "nhsa_batch_put",
	"INSERT INTO nhsa_batches (mdtrt_id, chrg_bchno, sum_fen, lines, setl) "
	"VALUES ($1, $2, $3, $4, $5) ON CONFLICT (mdtrt_id, chrg_bchno) "
	"DO UPDATE SET sum_fen = EXCLUDED.sum_fen, lines = EXCLUDED.lines, "
	"setl = EXCLUDED.setl", NULL };
static const pg_stmt st_batch_delete = { "nhsa_batch_delete",
	"DELETE FROM nhsa_batches WHERE mdtrt_id = $1 AND chrg_bchno = $2",
	NULL };

static int decode_batch(pg_row *r, void *out)
{
	yb_nhsa_batch *b = out;

	memset(b, 0, sizeof *b);
	pg_r_str(r, b->chrg_bchno, sizeof b->chrg_bchno);
	b->sum_fen = pg_r_i64(r);
	b->lines = pg_r_i64(r);
	b->settlement_id = pg_r_i64(r);
	return 0;
}

int pg_nhsa_batch_get(yb_store *st, const char *mdtrt_id,
		      const char *chrg_bchno, yb_nhsa_batch *out, yb_err *err)
{
	pg_params q;

	memset(out, 0, sizeof *out);
	pg_params_init(&q);
	pg_p_text(&q, mdtrt_id);
	pg_p_text(&q, chrg_bchno);
	return pg_lookup(PS(st), &st_batch_get, &q, decode_batch, out, err);
}

int pg_nhsa_batch_list(yb_store *st, const char *mdtrt_id,
		       yb_nhsa_batch **out, int *n, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_text(&q, mdtrt_id);
	return pg_list(PS(st), &st_batch_list, &q, sizeof **out, decode_batch,
		       (void **)out, n, err);
}

int pg_nhsa_batch_put(yb_store *st, const char *mdtrt_id,
		      const yb_nhsa_batch *b, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_text(&q, mdtrt_id);
	pg_p_text(&q, b->chrg_bchno);
	pg_p_i64(&q, b->sum_fen);
	pg_p_i64(&q, b->lines);
	pg_p_i64(&q, b->settlement_id);
	return put_run(st, &st_batch_put, &q, "feeb", b->chrg_bchno,
		       YB_NHSA_UPSERT, err);
}

int pg_nhsa_batch_delete(yb_store *st, const char *mdtrt_id,
			 const char *chrg_bchno, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_text(&q, mdtrt_id);
	pg_p_text(&q, chrg_bchno);
	return pg_exec(PS(st), &st_batch_delete, &q, err);
}

/* ---- yearly totals ---------------------------------------------------------------- */

static const pg_stmt st_cum_get = { "nhsa_cum_get",
	"SELECT key, dedc_fen, fund_fen, medfee_fen, count FROM nhsa_cums "
	"WHERE key = $1", "FOR UPDATE" };
static const pg_stmt st_cum_insert = { "nhsa_cum_insert",
	"INSERT INTO nhsa_cums (key, dedc_fen, fund_fen, medfee_fen, count) "
	"VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING", NULL };
static const pg_stmt st_cum_upsert = { "nhsa_cum_upsert",
	"INSERT INTO nhsa_cums (key, dedc_fen, fund_fen, medfee_fen, count) "
	"VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO UPDATE SET "
	"dedc_fen = EXCLUDED.dedc_fen, fund_fen = EXCLUDED.fund_fen, "
	"medfee_fen = EXCLUDED.medfee_fen, count = EXCLUDED.count", NULL };

static int decode_cum(pg_row *r, void *out)
{
	yb_nhsa_cum_rec *c = out;

	memset(c, 0, sizeof *c);
	pg_r_str(r, c->key, sizeof c->key);
	c->dedc_fen = pg_r_i64(r);
	c->fund_fen = pg_r_i64(r);
	c->medfee_fen = pg_r_i64(r);
	c->count = pg_r_i64(r);
	return 0;
}

int pg_nhsa_cum_get(yb_store *st, const char *key, yb_nhsa_cum_rec *out,
		    yb_err *err)
{
	pg_params q;

	memset(out, 0, sizeof *out);
	pg_params_init(&q);
	pg_p_text(&q, key);
	return pg_lookup(PS(st), &st_cum_get, &q, decode_cum, out, err);
}

int pg_nhsa_cum_put(yb_store *st, const yb_nhsa_cum_rec *c, int mode,
		    yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_text(&q, c->key);
	pg_p_i64(&q, c->dedc_fen);
	pg_p_i64(&q, c->fund_fen);
	pg_p_i64(&q, c->medfee_fen);
	pg_p_i64(&q, c->count);
	return put_run(st, mode == YB_NHSA_UPSERT ? &st_cum_upsert
						  : &st_cum_insert,
		       &q, "cum", c->key, mode, err);
}

/* ---- settlement records -------------------------------------------------------- */

#define SETL_COLS "id, inst, day, mdtrt_id, chrg_bchno, insutype, med_type, " \
	"cert_type, msgid, medfee_fen, inscp_fen, fulamt_fen, dedc_fen, "      \
	"fund_fen, ratio_bp, acct_fen, mulaid_fen, cash_fen, balc_fen, at, "  \
	"revoked, revoked_at, person_id, req_hash"
#define SETL_VALS "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, " \
	"$12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)"

static const pg_stmt st_setl_get = { "nhsa_setl_get",
	"SELECT " SETL_COLS " FROM nhsa_setls WHERE id = $1", "FOR UPDATE" };
static const pg_stmt st_setl_list = { "nhsa_setl_list",
	"SELECT " SETL_COLS " FROM nhsa_setls WHERE inst = $1 AND day = $2 "
	"ORDER BY id", NULL };
static const pg_stmt st_setl_insert = { "nhsa_setl_insert",
	"INSERT INTO nhsa_setls (" SETL_COLS ") " SETL_VALS
	" ON CONFLICT (id) DO NOTHING", NULL };
static const pg_stmt st_setl_upsert = { "nhsa_setl_upsert",
	"INSERT INTO nhsa_setls (" SETL_COLS ") " SETL_VALS
	" ON CONFLICT (id) DO UPDATE SET inst = EXCLUDED.inst, "
	"day = EXCLUDED.day, mdtrt_id = EXCLUDED.mdtrt_id, "
	"chrg_bchno = EXCLUDED.chrg_bchno, insutype = EXCLUDED.insutype, "
	"med_type = EXCLUDED.med_type, cert_type = EXCLUDED.cert_type, "
	"msgid = EXCLUDED.msgid, medfee_fen = EXCLUDED.medfee_fen, "
	"inscp_fen = EXCLUDED.inscp_fen, fulamt_fen = EXCLUDED.fulamt_fen, "
	"dedc_fen = EXCLUDED.dedc_fen, fund_fen = EXCLUDED.fund_fen, "
	"ratio_bp = EXCLUDED.ratio_bp, acct_fen = EXCLUDED.acct_fen, "
	"mulaid_fen = EXCLUDED.mulaid_fen, cash_fen = EXCLUDED.cash_fen, "
	"balc_fen = EXCLUDED.balc_fen, at = EXCLUDED.at, "
	"revoked = EXCLUDED.revoked, revoked_at = EXCLUDED.revoked_at, "
	"person_id = EXCLUDED.person_id, req_hash = EXCLUDED.req_hash", NULL };

static int decode_setl(pg_row *r, void *out)
{
	yb_nhsa_setl_rec *s = out;
	int64_t *money[] = { &s->medfee_fen, &s->inscp_fen, &s->fulamt_fen,
			     &s->dedc_fen, &s->fund_fen, &s->ratio_bp,
			     &s->acct_fen, &s->mulaid_fen, &s->cash_fen,
			     &s->balc_fen };

	memset(s, 0, sizeof *s);
	s->id = pg_r_i64(r);
	pg_r_str(r, s->inst, sizeof s->inst);
	pg_r_str(r, s->day, sizeof s->day);
	pg_r_str(r, s->mdtrt_id, sizeof s->mdtrt_id);
	pg_r_str(r, s->chrg_bchno, sizeof s->chrg_bchno);
	pg_r_str(r, s->insutype, sizeof s->insutype);
	pg_r_str(r, s->med_type, sizeof s->med_type);
	pg_r_str(r, s->cert_type, sizeof s->cert_type);
	pg_r_str(r, s->msgid, sizeof s->msgid);
	for (int i = 0; i < 10; i++)
		*money[i] = pg_r_i64(r);
	s->at = pg_r_i64(r);
	s->revoked = pg_r_i64(r) != 0;
	s->revoked_at = pg_r_i64(r);
	s->person_id = pg_r_i64(r);
	pg_r_str(r, s->req_hash, sizeof s->req_hash);
	return 0;
}

int pg_nhsa_setl_get(yb_store *st, yb_id id, yb_nhsa_setl_rec *out,
		     yb_err *err)
{
	pg_params q;

	memset(out, 0, sizeof *out);
	pg_params_init(&q);
	pg_p_i64(&q, id);
	return pg_lookup(PS(st), &st_setl_get, &q, decode_setl, out, err);
}

int pg_nhsa_setl_put(yb_store *st, const yb_nhsa_setl_rec *r, int mode,
		     yb_err *err)
{
	const int64_t money[] = { r->medfee_fen, r->inscp_fen, r->fulamt_fen,
				  r->dedc_fen, r->fund_fen, r->ratio_bp,
				  r->acct_fen, r->mulaid_fen, r->cash_fen,
				  r->balc_fen };
	char key[24];
	pg_params q;

	pg_params_init(&q);
	pg_p_i64(&q, r->id);
	pg_p_text(&q, r->inst);
	pg_p_text(&q, r->day);
	pg_p_text(&q, r->mdtrt_id);
	pg_p_text(&q, r->chrg_bchno);
	pg_p_text(&q, r->insutype);
	pg_p_text(&q, r->med_type);
	pg_p_text(&q, r->cert_type);
	pg_p_text(&q, r->msgid);
	for (int i = 0; i < 10; i++)
		pg_p_i64(&q, money[i]);
	pg_p_i64(&q, r->at);
	pg_p_i64(&q, r->revoked ? 1 : 0);
	pg_p_i64(&q, r->revoked_at);
	pg_p_i64(&q, r->person_id);
	pg_p_text(&q, r->req_hash);
	snprintf(key, sizeof key, "%lld", (long long)r->id);
	return put_run(st, mode == YB_NHSA_UPSERT ? &st_setl_upsert
						  : &st_setl_insert,
		       &q, "setl", key, mode, err);
}

int pg_nhsa_setl_list(yb_store *st, const char *inst, const char *day,
		      yb_nhsa_setl_rec **out, int *n, yb_err *err)
{
	pg_params q;

	pg_params_init(&q);
	pg_p_text(&q, inst);
	pg_p_text(&q, day);
	return pg_list(PS(st), &st_setl_list, &q, sizeof **out, decode_setl,
		       (void **)out, n, err);
}
