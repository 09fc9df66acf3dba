/*
 * test_import.c — bulk registration from CSV (SPEC P5): RFC 4180 parsing,
 * per-row rejection with line numbers, nothing half-imported, batches.
 *
 * YB_IMPORT_BENCH_ROWS=N runs an extra timed import of N generated rows
 * (SQLite only; e.g. 1000000) and prints the rate.
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service/import.h"
#include "service/ledger.h"
#include "testdb.h"

#define MAX_REJECTS 64

typedef struct rejects {
	int n;
	long line[MAX_REJECTS];
	char code[MAX_REJECTS][48];
	long progress_calls;
	long last_rows;
} rejects;

static void on_reject(void *arg, long line, const yb_err *why)
{
	rejects *r = arg;

	if (r->n < MAX_REJECTS) {
		r->line[r->n] = line;
		snprintf(r->code[r->n], sizeof r->code[r->n], "%s", why->code);
	}
	r->n++;
}

static void on_progress(void *arg, long bytes, long rows)
{
	rejects *r = arg;

	assert_true(bytes > 0);
	assert_true(rows >= r->last_rows);
	r->last_rows = rows;
	r->progress_calls++;
}

static int run_import(fx *f, const char *text, rejects *rj,
		      yb_import_stats *stats, yb_err *e)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc;

	assert_non_null(fp);
	memset(rj, 0, sizeof *rj);
	yb_err_clear(e);
	rc = yb_import_persons(&f->ctx, fp, on_reject, on_progress, rj, stats,
			       e);
	fclose(fp);
	return rc;
}

static bool person_exists(fx *f, const char *ssn)
{
	yb_person_view v;
	yb_err e;

	return yb_person_get(&f->ctx, ssn, &v, &e) == 0;
}

/* An ID number for generated row n (unique for n < 999 * 30000). */
static void row_idnum(char out[YB_IDNUM_SZ], long n)
{
	int y, m, d;
	char ymd[16];

	yb_date_to_ymd(yb_date_from_ymd(1950, 1, 1) + (yb_date)(n / 999),
		       &y, &m, &d);
	snprintf(ymd, sizeof ymd, "%04d%02d%02d", y, m, d);
	fx_idnum(out, "440303", ymd, (int)(n % 999) + 1);
}

/* P5, RFC 4180: good rows in, bad rows reported by line, the file's
 * quoting, CRLF and BOM understood. */
static void test_mixed(void **state)
{
	fx *f = *state;
	char id[8][YB_IDNUM_SZ], bad[YB_IDNUM_SZ], csv[4096];
	yb_import_stats st;
	yb_person_view v;
	rejects rj;
	yb_err e;

	for (int i = 0; i < 8; i++)
		row_idnum(id[i], i);
	memcpy(bad, id[1], sizeof bad);
	bad[17] = bad[17] == '5' ? '6' : '5';
	fx_employer(f, "E1");
	snprintf(csv, sizeof csv,
		 "\xEF\xBB\xBF" "ssn,id_number,name,scheme,region,employer_code\r\n"
		 "300000001,%s,\"Wang, Wu\",employee_tier1,,\r\n"      /* 2 ok */
		 "300000002,%s,Bad Check,resident,,\r\n"               /* 3 */
		 "300000003,%s,张三,resident,440100,E1\r\n"            /* 4 ok */
		 "300000001,%s,Same SSN,resident,,\r\n"                /* 5 */
		 "300000005,%s,\"Li \"\"Junior\"\"\",employee_tier2,,\n" /* 6 ok */
		 "300000006,%s,Too Few\n"                              /* 7 */
		 "300000007,%s,No Employer,resident,,E404\n"           /* 8 */
		 "300000008,%s,\"Two\nLines\",resident,,\n"            /* 9-10 */
		 "300000009,%s,Last Good,employee_tier1,,\n"           /* 11 ok */
		 "\n"                                                  /* 12 */
		 "300000010,%s,\"Never closed,resident,,\n",           /* 13 */
		 id[0], bad, id[2], id[3], id[4], id[5], id[6], id[7], id[1],
		 id[3]);
	fx_act(f, YB_ROLE_AGENCY_WINDOW, YB_CHAN_AGENCY_WINDOW, "key:8");
	assert_ok(run_import(f, csv, &rj, &st, &e), e);
	assert_int_equal(st.rows, 10);
	assert_int_equal(st.imported, 4);
	assert_int_equal(st.rejected, 6);
	assert_int_equal(rj.n, 6);
	for (int i = 0; i < 6; i++) {
		static const struct { long line; const char *code; } want[] = {
			{ 3, "person.invalid_id_number" },
			{ 5, "person.duplicate" },
			{ 7, "import.invalid_row" },
			{ 8, "employer.not_found" },
			{ 9, "person.invalid_name" },
			{ 13, "import.invalid_row" },
		};
		assert_int_equal(rj.line[i], want[i].line);
		assert_string_equal(rj.code[i], want[i].code);
	}
	assert_true(rj.progress_calls >= 1);

	fx_admin(f);
	assert_ok(yb_person_get(&f->ctx, "300000001", &v, &e), e);
	assert_string_equal(v.person.name, "Wang, Wu");
	assert_true(v.has_account);
	assert_ok(yb_person_get(&f->ctx, "300000003", &v, &e), e);
	assert_string_equal(v.person.name, "张三");
	assert_string_equal(v.person.region, "440100");
	assert_string_equal(v.person.employer_code, "E1");
	assert_false(v.has_account);
	assert_ok(yb_person_get(&f->ctx, "300000005", &v, &e), e);
	assert_string_equal(v.person.name, "Li \"Junior\"");
	assert_true(person_exists(f, "300000009"));
	for (int i = 2; i <= 10; i++) {
		char ssn[16];
		if (i == 3 || i == 5 || i == 9)
			continue;
		snprintf(ssn, sizeof ssn, "%d", 300000000 + i);
		assert_false(person_exists(f, ssn));
	}
	/* X3: one record per imported person, with the importer's channel */
	assert_int_equal(fx_audit_count(f), 1 + 4);
	{
		yb_audit_record *recs = NULL;
		yb_audit_report rep;
		int n = 0;
		assert_ok(yb_audit_list(&f->ctx, 0, 1, &recs, &n, &e), e);
		assert_int_equal(n, 1);
		assert_string_equal(recs[0].action, "person.register");
		assert_int_equal(recs[0].channel, YB_CHAN_AGENCY_WINDOW);
		assert_string_equal(recs[0].actor, "key:8");
		free(recs);
		assert_ok(yb_audit_verify(&f->ctx, &rep, &e), e);
		assert_true(rep.ok);
	}
}

/* P5: columns by name in any order; a broken header is a bad file. */
static void test_header(void **state)
{
	fx *f = *state;
	char id[YB_IDNUM_SZ], csv[512];
	yb_import_stats st;
	yb_person_view v;
	rejects rj;
	yb_err e;

	row_idnum(id, 1);
	snprintf(csv, sizeof csv, "Name,Scheme,ID_Number,SSN\nZhou,resident,%s,"
		 "3000001\n", id);
	assert_ok(run_import(f, csv, &rj, &st, &e), e);
	assert_int_equal(st.imported, 1);
	assert_ok(yb_person_get(&f->ctx, "3000001", &v, &e), e);
	assert_string_equal(v.person.region, "440300");

	assert_err(run_import(f, "ssn,id_number,name\n1,2,3\n", &rj, &st, &e),
		   e, "import.invalid_file");
	assert_err(run_import(f, "ssn,id_number,name,scheme,colour\n", &rj,
			      &st, &e), e, "import.invalid_file");
	assert_err(run_import(f, "ssn,ssn,id_number,name,scheme\n", &rj, &st,
			      &e), e, "import.invalid_file");
	assert_err(run_import(f, "", &rj, &st, &e), e, "import.invalid_file");
	assert_err(run_import(f, "\"ssn,id_number\n", &rj, &st, &e), e,
		   "import.invalid_file");
	assert_ok(run_import(f, "ssn,id_number,name,scheme\r\n", &rj, &st, &e),
		  e);
	assert_int_equal(st.rows, 0);

	fx_act(f, YB_ROLE_HOSPITAL_OFFICE, YB_CHAN_HOSPITAL_OFFICE, "key:1");
	assert_err(run_import(f, "ssn,id_number,name,scheme\n", &rj, &st, &e),
		   e, "auth.forbidden");
}

/* Write n generated rows (every `bad_every`-th with a wrong check
 * character, 0 = none) to a temporary file. */
static FILE *generate(long n, long bad_every)
{
	FILE *fp = tmpfile();
	char id[YB_IDNUM_SZ];

	assert_non_null(fp);
	fputs("ssn,id_number,name,scheme\n", fp);
	for (long i = 0; i < n; i++) {
		row_idnum(id, i);
		if (bad_every && i % bad_every == bad_every - 1)
			id[17] = id[17] == '5' ? '6' : '5';
		fprintf(fp, "%ld,%s,Person %ld,%s\n", 400000000L + i, id, i,
			i % 3 ? "employee_tier1" : "resident");
	}
	rewind(fp);
	return fp;
}

/* P5, A3, X3: more rows than one batch; every good row in, every bad
 * row out, the books and the chain intact.  The batching is the
 * service's, the same on both engines; on PostgreSQL, where every store
 * call is a round trip, a smaller file keeps the suite quick and still
 * checks the per-row savepoints. */
static void test_batches(void **state)
{
	fx *f = *state;
	const long n = strcmp(yb_test_engine(), "sqlite") == 0 ? 20500 : 1500;
	yb_import_stats st;
	yb_ledger_report lr;
	yb_audit_report ar;
	rejects rj;
	bool ok;
	yb_err e;
	FILE *fp = generate(n, 1000);

	memset(&rj, 0, sizeof rj);
	assert_ok(yb_import_persons(&f->ctx, fp, on_reject, on_progress, &rj,
				    &st, &e), e);
	fclose(fp);
	assert_int_equal(st.rows, n);
	assert_int_equal(st.rejected, n / 1000);
	assert_int_equal(st.imported, n - n / 1000);
	assert_int_equal(rj.line[0], 1001);      /* row 999 is on line 1001 */
	assert_true(rj.progress_calls >= 1 + n / 4096);
	assert_int_equal(rj.last_rows, n);
	assert_true(person_exists(f, n == 20500 ? "400020499" : "400001499"));
	assert_false(person_exists(f, "400000999"));
	assert_int_equal(fx_audit_count(f), st.imported);
	assert_ok(yb_ledger_check(&f->ctx, &lr, &ok, &e), e);
	assert_true(ok);
	assert_ok(yb_audit_verify(&f->ctx, &ar, &e), e);
	assert_true(ar.ok);
	assert_int_equal(ar.records, st.imported);
}

/* P5: the timed run asked for by YB_IMPORT_BENCH_ROWS. */
static void test_bench(void **state)
{
	fx *f = *state;
	const char *env = getenv("YB_IMPORT_BENCH_ROWS");
	long n = env ? atol(env) : 0;
	struct timespec t0, t1;
	yb_import_stats st;
	double secs;
	yb_err e;
	FILE *fp;

	if (n <= 0 || strcmp(yb_test_engine(), "sqlite") != 0)
		skip();
	fp = generate(n, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_ok(yb_import_persons(&f->ctx, fp, NULL, NULL, NULL, &st, &e), e);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fclose(fp);
	assert_int_equal(st.imported, n);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# imported %ld rows in %.2f s (%.0f rows/s)\n", n, secs,
	       (double)n / secs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_mixed),
		T(test_header),
		T(test_batches),
		T(test_bench),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
