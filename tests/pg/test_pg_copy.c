/*
 * test_pg_copy.c — yb_pg_copy_from_sqlite (`yibao migrate`): a SQLite
 * database with rows in every family of tables is copied into an empty
 * PostgreSQL one; what the PostgreSQL store then answers is what the
 * SQLite store answered, the books still balance (A1-A3), new ids follow
 * the copied ones, and a second copy into the now full database is
 * refused without changing it.  The copy builds the indexes and keys over
 * the rows (src/store/pg/bulk.c): a row that breaks a foreign key fails the whole
 * copy, and the target keeps its schema, constraints included.  family (E4):
 * a scan's bytes — every byte value, COPY's escapes among them — come
 * across exactly; so do a file of the national interface's (nhsa_files,
 * migration 10) and its kept messages (nhsa_msgs, migration 13).  After
 * the load every table that holds rows has been vacuumed and analyzed,
 * and no empty one (bulk.c: pg_bulk_vacuum).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "core/hash.h"
#include "testdb.h"

#define T0 1700000000

/* The error of the last call that was passed E. */
static yb_err last_err;
#define E (&last_err)
#define OK(call)                                                        \
	do {                                                            \
		if ((call) < 0)                                         \
			fail_msg("%s: %s", last_err.code ? last_err.code \
				 : "?", last_err.message);              \
	} while (0)

static yb_id person(yb_store *st, int n, yb_err *e)
{
	yb_person p;

	memset(&p, 0, sizeof p);
	snprintf(p.ssn, sizeof p.ssn, "%d", 80000000 + n);
	snprintf(p.id_number, sizeof p.id_number, "440300%012d", n);
	snprintf(p.name, sizeof p.name, "姓名\t%d \\ \"x\"", n);  /* escapes */
	p.birth_date = 7000;
	snprintf(p.region, sizeof p.region, "440300");
	p.scheme = YB_SCHEME_EMPLOYEE_TIER1;
	p.created_at = p.updated_at = T0;
	if (st->ops->person_insert(st, &p, e) < 0)
		fail_msg("person: %s", e->message);
	return p.id;
}

/* family (E4): a scan of every byte value, twice, on the binding. */
static unsigned char scan[512];

static void fill_material(yb_store *st, yb_id binding_id)
{
	yb_material m;

	for (size_t i = 0; i < sizeof scan; i++)
		scan[i] = (unsigned char)i;
	memset(&m, 0, sizeof m);
	m.target = YB_MAT_BINDING;
	m.target_id = binding_id;
	snprintf(m.kind, sizeof m.kind, "id_card");
	snprintf(m.content_type, sizeof m.content_type, "image/png");
	m.size_bytes = sizeof scan;
	yb_sha256_hex(scan, sizeof scan, m.sha256);
	m.channel = YB_CHAN_AGENCY_WINDOW;
	snprintf(m.operator_id, sizeof m.operator_id, "key:1");
	m.created_at = T0;
	OK(st->ops->material_insert(st, &m, scan, sizeof scan, E));
}

/* nhsa: a 9101 file of the same bytes. */
static void fill_nhsa_file(yb_store *st)
{
	yb_nhsa_file f;

	memset(&f, 0, sizeof f);
	snprintf(f.file_qury_no, sizeof f.file_qury_no, "F1");
	snprintf(f.inst, sizeof f.inst, "H1");
	snprintf(f.kind, sizeof f.kind, "detail");
	snprintf(f.filename, sizeof f.filename, "d.zip");
	f.size = sizeof scan;
	yb_sha256_hex(scan, sizeof scan, f.sha256);
	f.at = T0;
	f.dld_end = T0 + 1;
	OK(st->ops->nhsa_file_put(st, &f, scan, E));
}

/* nhsa: a kept message (table nhsa_msgs, migration 13) and a nonce
 * (nhsa_records). */
static void fill_nhsa_recs(yb_store *st)
{
	yb_nhsa_rec r;

	memset(&r, 0, sizeof r);
	snprintf(r.kind, sizeof r.kind, "msg");
	snprintf(r.key, sizeof r.key, "H1|M1");
	snprintf(r.inst, sizeof r.inst, "H1");
	r.at = T0;
	r.val = "{\"state\":\"done\"}\n{\"infcode\":0}";
	assert_int_equal(st->ops->nhsa_put(st, &r, YB_NHSA_ENSURE, E), 1);
	snprintf(r.kind, sizeof r.kind, "nonce");
	snprintf(r.key, sizeof r.key, "P1|N1");
	r.val = "{}";
	assert_int_equal(st->ops->nhsa_put(st, &r, YB_NHSA_ENSURE, E), 1);
}

/* Rows in every table the services write. */
static void fill(yb_store *st)
{
	yb_account a1, a2, fund;
	yb_posting p;
	yb_institution inst;
	yb_binding b;
	yb_settlement s;
	yb_offline o;
	yb_card_application app;
	yb_card card;
	yb_calendar_year y;
	yb_audit_record rec;
	yb_api_key k;
	yb_session sess;
	yb_employer emp;
	yb_contribution c;
	int64_t seq;
	yb_id p1, p2, txn;
	yb_err err;

	p1 = person(st, 1, &err);
	p2 = person(st, 2, &err);
	memset(&emp, 0, sizeof emp);
	snprintf(emp.code, sizeof emp.code, "E1");
	snprintf(emp.name, sizeof emp.name, "Employer");
	OK(st->ops->employer_insert(st, &emp, E));
	memset(&a1, 0, sizeof a1);
	a1.kind = YB_ACC_PERSONAL;
	a1.person_id = p1;
	OK(st->ops->account_insert(st, &a1, E));
	a2 = a1;
	a2.person_id = p2;
	OK(st->ops->account_insert(st, &a2, E));
	OK(st->ops->account_system(st, YB_ACC_FUND_POOL, &fund, E));
	memset(&p, 0, sizeof p);
	p.kind = "contribution";
	snprintf(p.ref, sizeof p.ref, "line\nbreak");
	p.n = 3;
	p.entries[0] = (yb_entry){ fund.id, -5000 };
	p.entries[1] = (yb_entry){ a1.id, 3000 };
	p.entries[2] = (yb_entry){ a2.id, 2000 };
	OK(st->ops->ledger_post(st, &p, T0, &txn, E));
	memset(&c, 0, sizeof c);
	c.person_id = p1;
	snprintf(c.period, sizeof c.period, "2026-01");
	snprintf(c.employer_code, sizeof c.employer_code, "E1");
	c.account_credit_fen = 3000;
	c.ledger_txn_id = txn;
	OK(st->ops->contribution_insert(st, &c, E));

	memset(&inst, 0, sizeof inst);
	snprintf(inst.code, sizeof inst.code, "H1");
	snprintf(inst.name, sizeof inst.name, "Hospital");
	OK(st->ops->institution_insert(st, &inst, E));
	memset(&b, 0, sizeof b);
	b.authorizer_id = p1;
	b.relative_id = p2;
	snprintf(b.materials_json, sizeof b.materials_json, "{}");
	OK(st->ops->binding_insert(st, &b, E));

	memset(&p, 0, sizeof p);
	p.kind = "settlement";
	p.n = 3;
	p.entries[0] = (yb_entry){ a2.id, -2000 };
	p.entries[1] = (yb_entry){ a1.id, -500 };
	p.entries[2] = (yb_entry){ inst.receivable_account_id, 2500 };
	OK(st->ops->ledger_post(st, &p, T0, &txn, E));
	memset(&s, 0, sizeof s);
	snprintf(s.institution_code, sizeof s.institution_code, "H1");
	snprintf(s.txn_id, sizeof s.txn_id, "T1");
	s.patient_id = p2;
	s.total_fen = s.account_pay_fen = 2500;
	s.ledger_txn_id = txn;
	s.settled_at = T0;
	s.nshares = 2;
	s.shares[0] = (yb_share){ .payer_person_id = p2, .account_id = a2.id,
				  .relationship = YB_REL_SELF,
				  .amount_fen = 2000 };
	s.shares[1] = (yb_share){ .payer_person_id = p1, .account_id = a1.id,
				  .binding_id = b.id, .amount_fen = 500 };
	OK(st->ops->settlement_insert(st, &s, E));
	memset(&o, 0, sizeof o);
	snprintf(o.institution_code, sizeof o.institution_code, "H1");
	snprintf(o.txn_id, sizeof o.txn_id, "OFF1");
	o.patient_id = p1;
	o.total_fen = 100;
	OK(st->ops->offline_insert(st, &o, E));
	OK(st->ops->offline_set_resettled(st, o.id, s.id, 0, T0, E));

	memset(&app, 0, sizeof app);
	app.person_id = p1;
	snprintf(app.materials_json, sizeof app.materials_json, "{}");
	OK(st->ops->card_application_insert(st, &app, E));
	memset(&card, 0, sizeof card);
	snprintf(card.card_no, sizeof card.card_no, "C0001");
	card.person_id = p1;
	card.application_id = app.id;
	card.activated = true;
	OK(st->ops->card_insert(st, &card, E));
	OK(st->ops->card_application_set_card(st, app.id, card.id, E));

	memset(&y, 0, sizeof y);
	y.year = 2026;
	y.nholidays = 1;
	y.holidays[0] = yb_date_from_ymd(2026, 1, 1);
	OK(st->ops->calendar_put_year(st, &y, E));
	memset(&rec, 0, sizeof rec);
	rec.seq = 1;
	snprintf(rec.action, sizeof rec.action, "test.fill");
	yb_audit_hash(&rec);
	OK(st->ops->audit_insert(st, &rec, E));
	memset(&k, 0, sizeof k);
	snprintf(k.key_hash, sizeof k.key_hash, "abc");
	OK(st->ops->apikey_insert(st, &k, E));
	memset(&sess, 0, sizeof sess);
	snprintf(sess.token_hash, sizeof sess.token_hash, "tok");
	sess.person_id = p1;
	OK(st->ops->session_insert(st, &sess, E));
	OK(st->ops->throttle_put(st, "addr:1", 2, T0, E));
	OK(st->ops->meta_put(st, "region", "440300", E));
	OK(st->ops->next_seq(st, "card", &seq, E));
	OK(st->ops->person_set_password(st, p1, "hash", E));
	fill_material(st, b.id);
	fill_nhsa_file(st);
	fill_nhsa_recs(st);
}

/* A SQLite file at `path` ("...XXXXXX.db", filled in) with rows in
 * every table, open. */
static yb_store *source(char *path)
{
	char url[600];
	yb_store *sq = NULL;
	int fd = mkstemps(path, 3);

	assert_true(fd >= 0);
	close(fd);
	snprintf(url, sizeof url, "sqlite:%s", path);
	OK(yb_store_open(url, &sq, E));
	fill(sq);
	return sq;
}

/* How many tables of the store's database meet `cond` (SQL over
 * pg_stat_user_tables). */
static long tables_where(const char *url, const char *cond)
{
	PGconn *c = PQconnectdb(url + strlen("pg:"));
	char sql[512];
	PGresult *r;
	long n;

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM pg_stat_user_tables WHERE %s", cond);
	r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);
	return n;
}

static void test_copy(void **state)
{
	char url[512];
	char path[] = "/tmp/yb-copy-XXXXXX.db";
	yb_store *sq, *pg;
	yb_settlement s1, s2;
	yb_ledger_report r1, r2;
	yb_person p;
	yb_card card;
	yb_calendar_year y;
	yb_offline o;
	int64_t seq;

	(void)state;
	sq = source(path);
	OK(sq->ops->settlement_by_txn(sq, "H1", "T1", &s1, E));
	OK(sq->ops->ledger_check(sq, &r1, E));
	yb_store_close(sq);

	pg = yb_test_store_new(url);
	OK(yb_pg_copy_from_sqlite(pg, path, E));
	/* every table with rows vacuumed and analyzed, no empty one either
	 * (bulk.c) */
	assert_true(tables_where(url, "pg_relation_size(relid) > 0 AND "
			"last_vacuum IS NOT NULL AND last_analyze IS NOT NULL")
		    > 10);
	assert_int_equal(tables_where(url, "pg_relation_size(relid) > 0 AND "
			"(last_vacuum IS NULL OR last_analyze IS NULL)"), 0);
	assert_int_equal(tables_where(url, "pg_relation_size(relid) = 0 AND "
			"(last_vacuum IS NOT NULL OR last_analyze IS NOT NULL)"),
			 0);

	OK(pg->ops->ledger_check(pg, &r2, E));
	assert_memory_equal(&r1, &r2, sizeof r1);
	assert_int_equal(r2.sum_balances_fen, 0);
	assert_int_equal(pg->ops->settlement_by_txn(pg, "H1", "T1", &s2, E), 1);
	assert_memory_equal(&s1, &s2, sizeof s1);
	assert_int_equal(pg->ops->person_by_ssn(pg, "80000001", &p, E), 1);
	assert_string_equal(p.name, "姓名\t1 \\ \"x\"");
	assert_int_equal(pg->ops->card_by_no(pg, "C0001", &card, E), 1);
	assert_true(card.activated);
	assert_int_equal(pg->ops->calendar_get_year(pg, 2026, &y, E), 1);
	assert_int_equal(y.nholidays, 1);
	assert_int_equal(pg->ops->offline_by_txn(pg, "H1", "OFF1", &o, E), 1);
	assert_int_equal(o.settlement_id, s2.id);
	OK(pg->ops->next_seq(pg, "card", &seq, E));
	assert_int_equal(seq, 2);
	{	/* family (E4): the scan, byte for byte */
		yb_material m;
		void *data = NULL;
		size_t len = 0;
		char hex[YB_HASH_HEX_SZ];

		assert_int_equal(pg->ops->material_get(pg, 1, &m, &data, &len,
						       E), 1);
		assert_int_equal(len, sizeof scan);
		assert_memory_equal(data, scan, sizeof scan);
		yb_sha256_hex(data, len, hex);
		assert_string_equal(hex, m.sha256);
		assert_int_equal(m.target, YB_MAT_BINDING);
		free(data);
	}
	{	/* nhsa: the file, byte for byte */
		yb_nhsa_file f;
		void *data = NULL;

		assert_int_equal(pg->ops->nhsa_file_get(pg, "F1", &f, &data, E),
				 1);
		assert_int_equal(f.size, sizeof scan);
		assert_memory_equal(data, scan, sizeof scan);
		assert_string_equal(f.filename, "d.zip");
		free(data);
	}
	{	/* nhsa: the message and the nonce, each in its table */
		yb_nhsa_rec r;

		assert_int_equal(pg->ops->nhsa_get(pg, "msg", "H1|M1", &r, E), 1);
		assert_string_equal(r.val, "{\"state\":\"done\"}\n{\"infcode\":0}");
		assert_string_equal(r.inst, "H1");
		free(r.val);
		assert_int_equal(pg->ops->nhsa_get(pg, "nonce", "P1|N1", &r, E), 1);
		free(r.val);
		assert_int_equal(pg->ops->nhsa_get(pg, "msg", "P1|N1", &r, E), 0);
	}
	/* new rows continue after the copied ids */
	assert_true(person(pg, 3, &(yb_err){ 0 }) > p.id);

	/* a second copy finds data and changes nothing */
	{
		yb_err e;
		assert_int_equal(yb_pg_copy_from_sqlite(pg, path, &e), -1);
		assert_string_equal(e.code, "store.error");
	}
	OK(pg->ops->ledger_check(pg, &r2, E));
	assert_int_equal(r2.transactions, r1.transactions);
	yb_test_store_free(pg);
	unlink(path);
}

/* A card of a person who does not exist (SQLite's keys switched off). */
static void break_key(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = OFF; "
				      "UPDATE cards SET person_id = 999999",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_copy_broken_key(void **state)
{
	char path[] = "/tmp/yb-copy-XXXXXX.db";
	yb_store *pg;
	yb_person p;
	yb_err e;

	(void)state;
	yb_store_close(source(path));
	break_key(path);

	pg = yb_test_store_new(NULL);
	assert_int_equal(yb_pg_copy_from_sqlite(pg, path, &e), -1);
	assert_string_equal(e.code, "store.error");
	assert_non_null(strstr(e.message, "cards_person_id_fkey"));
	/* nothing was copied, and the constraints are all there: the same
	 * SSN twice is a duplicate, a card of nobody is refused */
	assert_int_equal(pg->ops->person_by_ssn(pg, "80000001", &p, E), 0);
	person(pg, 1, E);
	assert_int_equal(pg->ops->person_by_ssn(pg, "80000001", &p, E), 1);
	p.id = 0;
	snprintf(p.id_number, sizeof p.id_number, "440300999999999999");
	assert_int_equal(pg->ops->person_insert(pg, &p, &e), -1);
	assert_string_equal(e.code, "person.duplicate");
	{
		yb_card c;
		memset(&c, 0, sizeof c);
		snprintf(c.card_no, sizeof c.card_no, "C9");
		c.person_id = 999999;
		assert_int_equal(pg->ops->card_insert(pg, &c, &e), -1);
	}
	yb_test_store_free(pg);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_copy_broken_key),
	};

	if (strcmp(yb_test_engine(), "pg") != 0) {
		fprintf(stderr, "test_pg_copy: YB_TEST_ENGINE=pg only\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
