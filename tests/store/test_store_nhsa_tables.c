/*
 * test_store_nhsa_tables.c — the gateway's typed tables on the store
 * (store.h "nhsa typed tables", migration 9: visits, fee batches, yearly
 * totals, settlement records), on both engines.
 */
#include "store_test.h"

#include "core/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static yb_nhsa_visit visit(const char *id, const char *state)
{
	yb_nhsa_visit v;

	memset(&v, 0, sizeof v);
	snprintf(v.mdtrt_id, sizeof v.mdtrt_id, "%s", id);
	snprintf(v.inst, sizeof v.inst, "H001");
	snprintf(v.psn_no, sizeof v.psn_no, "700000001");
	v.person_id = 42;
	snprintf(v.insutype, sizeof v.insutype, "310");
	snprintf(v.med_type, sizeof v.med_type, "11");
	snprintf(v.ipt_otp_no, sizeof v.ipt_otp_no, "OTP-1");
	snprintf(v.cert_type, sizeof v.cert_type, "02");
	snprintf(v.cert_no, sizeof v.cert_no, "44030519800101001X");
	snprintf(v.begntime, sizeof v.begntime, "2026-12-06 10:00:00");
	snprintf(v.dise_codg, sizeof v.dise_codg, "J00");
	snprintf(v.state, sizeof v.state, "%s", state);
	v.at = 1000;
	v.ipt_count = 2;
	v.final_setl = 77;
	return v;
}

/* Every column back as put; INSERT of a duplicate refused, UPSERT
 * replaces, and the transaction stays usable. */
static void test_visit(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_nhsa_visit v = visit("V1", "registered"), got;
	yb_err e;

	assert_int_equal(TS_OK(st->ops->nhsa_visit_get(st, "V1", &got, &e), &e),
			 0);
	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->nhsa_visit_put(st, &v, YB_NHSA_INSERT, &e), &e);
	TS_REFUSED(st->ops->nhsa_visit_put(st, &v, YB_NHSA_INSERT, &e), &e,
		   "nhsa.duplicate", "visit V1 exists");
	assert_int_equal(TS_OK(st->ops->nhsa_visit_get(st, "V1", &got, &e), &e),
			 1);
	assert_memory_equal(&got, &v, sizeof v);
	v = visit("V1", "cancelled");
	v.final_setl = 0;
	TS_OK(st->ops->nhsa_visit_put(st, &v, YB_NHSA_UPSERT, &e), &e);
	TS_OK(st->ops->commit(st, &e), &e);
	assert_int_equal(TS_OK(st->ops->nhsa_visit_get(st, "V1", &got, &e), &e),
			 1);
	assert_string_equal(got.state, "cancelled");
	assert_int_equal(got.final_setl, 0);
	assert_string_equal(got.cert_no, "44030519800101001X");
}

static yb_nhsa_batch batch(const char *no, int64_t sum, int64_t lines,
			   yb_id setl)
{
	yb_nhsa_batch b;

	memset(&b, 0, sizeof b);
	snprintf(b.chrg_bchno, sizeof b.chrg_bchno, "%s", no);
	b.sum_fen = sum;
	b.lines = lines;
	b.settlement_id = setl;
	return b;
}

/* A visit's batches by number, only its own; put replaces; delete. */
static void test_batches(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_nhsa_batch b, got, *list = NULL;
	int n = -1;
	yb_err e;

	b = batch("B2", 500, 2, 0);
	TS_OK(st->ops->nhsa_batch_put(st, "V1", &b, &e), &e);
	b = batch("B1", 150, 1, 0);
	TS_OK(st->ops->nhsa_batch_put(st, "V1", &b, &e), &e);
	b = batch("B1", 999, 9, 0);
	TS_OK(st->ops->nhsa_batch_put(st, "V2", &b, &e), &e);
	b = batch("B2", 500, 2, 31);                    /* settled */
	TS_OK(st->ops->nhsa_batch_put(st, "V1", &b, &e), &e);
	assert_int_equal(TS_OK(st->ops->nhsa_batch_get(st, "V1", "B2", &got,
						       &e), &e), 1);
	assert_memory_equal(&got, &b, sizeof b);
	assert_int_equal(TS_OK(st->ops->nhsa_batch_get(st, "V1", "B3", &got,
						       &e), &e), 0);
	assert_int_equal(got.sum_fen, 0);
	TS_OK(st->ops->nhsa_batch_list(st, "V1", &list, &n, &e), &e);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].chrg_bchno, "B1");
	assert_int_equal(list[0].sum_fen, 150);
	assert_string_equal(list[1].chrg_bchno, "B2");
	assert_int_equal(list[1].settlement_id, 31);
	free(list);
	TS_OK(st->ops->nhsa_batch_delete(st, "V1", "B1", &e), &e);
	TS_OK(st->ops->nhsa_batch_list(st, "V1", &list, &n, &e), &e);
	assert_int_equal(n, 1);
	free(list);
	TS_OK(st->ops->nhsa_batch_list(st, "V9", &list, &n, &e), &e);
	assert_int_equal(n, 0);
	free(list);
}

/* ENSURE leaves a row as it is (0), UPSERT replaces it. */
static void test_cums(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_nhsa_cum_rec c, got;
	yb_err e;

	memset(&c, 0, sizeof c);
	snprintf(c.key, sizeof c.key, "42|2026|310|0");
	assert_int_equal(TS_OK(st->ops->nhsa_cum_get(st, c.key, &got, &e), &e),
			 0);
	TS_OK(st->ops->begin(st, true, &e), &e);
	assert_int_equal(TS_OK(st->ops->nhsa_cum_put(st, &c, YB_NHSA_ENSURE,
						     &e), &e), 1);
	c.dedc_fen = 100;
	c.fund_fen = 200;
	c.medfee_fen = 300;
	c.count = 1;
	assert_int_equal(TS_OK(st->ops->nhsa_cum_put(st, &c, YB_NHSA_ENSURE,
						     &e), &e), 0);
	assert_int_equal(TS_OK(st->ops->nhsa_cum_get(st, c.key, &got, &e), &e),
			 1);
	assert_int_equal(got.count, 0);                 /* left as it was */
	TS_OK(st->ops->nhsa_cum_put(st, &c, YB_NHSA_UPSERT, &e), &e);
	TS_OK(st->ops->commit(st, &e), &e);
	assert_int_equal(TS_OK(st->ops->nhsa_cum_get(st, c.key, &got, &e), &e),
			 1);
	assert_memory_equal(&got, &c, sizeof c);
}

static yb_nhsa_setl_rec setl(yb_id id, const char *inst, const char *day)
{
	yb_nhsa_setl_rec r;

	memset(&r, 0, sizeof r);
	r.id = id;
	snprintf(r.inst, sizeof r.inst, "%s", inst);
	snprintf(r.day, sizeof r.day, "%s", day);
	snprintf(r.mdtrt_id, sizeof r.mdtrt_id, "V%lld", (long long)id);
	snprintf(r.chrg_bchno, sizeof r.chrg_bchno, "B1");
	snprintf(r.insutype, sizeof r.insutype, "390");
	snprintf(r.med_type, sizeof r.med_type, "11");
	snprintf(r.cert_type, sizeof r.cert_type, "03");
	snprintf(r.msgid, sizeof r.msgid, "M%lld", (long long)id);
	r.medfee_fen = 1000 + id;
	r.inscp_fen = 900;
	r.fulamt_fen = 100;
	r.dedc_fen = 50;
	r.fund_fen = 600;
	r.ratio_bp = 7000;
	r.acct_fen = 200;
	r.mulaid_fen = 80;
	r.cash_fen = 150;
	r.balc_fen = 12345;
	r.at = 5000 + id;
	r.person_id = 42;
	snprintf(r.req_hash, sizeof r.req_hash, "%064d", 7);
	return r;
}

/* A settlement of f's at `at`, inserted: its id (a gateway settlement
 * record has its settlement's id, and is listed by its day through it). */
static yb_id settled(yb_store *st, const family *f, const char *txn,
		     yb_time at)
{
	yb_settlement x = ts_settlement(f, txn, at);
	yb_err e;

	TS_OK(st->ops->settlement_insert(st, &x, &e), &e);
	return x.id;
}

/* Every column back; INSERT of a duplicate refused; a day's list is the
 * institution's, by id — its settlements of that day that have a record;
 * UPSERT records a revocation. */
static void test_setls(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = ts_family(st);
	yb_nhsa_setl_rec r, got, *list = NULL;
	yb_date d6;
	yb_time t6;
	yb_id a, b, c, other;
	int n = -1;
	yb_err e;

	assert_true(yb_date_parse("2026-12-06", &d6));
	t6 = yb_time_of_date(d6);
	a = settled(st, &f, "N-1", t6 + 86399);     /* the day's last second */
	b = settled(st, &f, "N-2", t6);             /* and its first */
	c = settled(st, &f, "N-3", t6 + 86400);     /* the next day */
	other = settled(st, &f, "N-4", t6 + 60);
	(void)settled(st, &f, "N-5", t6 + 70);      /* no record: not listed */
	r = setl(a, "H100", "2026-12-06");
	r.at = t6 + 86399;
	TS_OK(st->ops->nhsa_setl_put(st, &r, YB_NHSA_INSERT, &e), &e);
	TS_REFUSED(st->ops->nhsa_setl_put(st, &r, YB_NHSA_INSERT, &e), &e,
		   "nhsa.duplicate",
		   ts_fmt("setl %lld exists", (long long)a));
	assert_int_equal(TS_OK(st->ops->nhsa_setl_get(st, a, &got, &e), &e), 1);
	assert_memory_equal(&got, &r, sizeof r);
	assert_int_equal(TS_OK(st->ops->nhsa_setl_get(st, c + 100, &got, &e),
			       &e), 0);
	r = setl(b, "H100", "2026-12-06");
	r.at = t6;
	TS_OK(st->ops->nhsa_setl_put(st, &r, YB_NHSA_INSERT, &e), &e);
	r = setl(c, "H100", "2026-12-07");
	r.at = t6 + 86400;
	TS_OK(st->ops->nhsa_setl_put(st, &r, YB_NHSA_INSERT, &e), &e);
	r = setl(other, "H002", "2026-12-06");      /* another institution's */
	r.at = t6 + 60;
	TS_OK(st->ops->nhsa_setl_put(st, &r, YB_NHSA_INSERT, &e), &e);
	TS_OK(st->ops->nhsa_setl_list(st, "H100", "2026-12-06", &list, &n, &e),
	      &e);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].id, a);
	assert_int_equal(list[1].id, b);
	assert_int_equal(list[0].medfee_fen, 1000 + a);
	free(list);
	TS_OK(st->ops->nhsa_setl_list(st, "H100", "2026-12-07", &list, &n, &e),
	      &e);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, c);
	free(list);
	TS_OK(st->ops->nhsa_setl_list(st, "H100", "2026-12-05", &list, &n, &e),
	      &e);
	assert_int_equal(n, 0);
	free(list);
	r = setl(a, "H100", "2026-12-06");
	r.at = t6 + 86399;
	r.revoked = true;
	r.revoked_at = 6000;
	TS_OK(st->ops->nhsa_setl_put(st, &r, YB_NHSA_UPSERT, &e), &e);
	assert_int_equal(TS_OK(st->ops->nhsa_setl_get(st, a, &got, &e), &e), 1);
	assert_true(got.revoked);
	assert_int_equal(got.revoked_at, 6000);
}

int ts_run_nhsa_tables(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_visit, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_batches, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_cums, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_setls, ts_setup,
						ts_teardown),
	};
	return cmocka_run_group_tests_name("store nhsa tables", tests, NULL,
					   NULL);
}
