/*
 * test_nhsa_file.c — the national interface's files as pure functions
 * (src/nhsa/nhsa_file.c, nhsa_detail.c; docs/NHSA.md "Files"): `in` as
 * a byte array or base64, the .zip reader (one .txt, corrupt, encrypted
 * or not, a bomb that inflates past the limit), the detail lines (every
 * refusal names its line), and the result file written back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zip.h>

#include "nhsa/nhsa_file.h"
#include "nhsa/nhsa_json.h"

static const char L1[] = "101\tM1\t600000001\t300.00\t100.00\t200.00\t0";
static const char L2[] = "7\tM2\t600000002\t12.5\t0\t12.50\t1";

static json_t *parse(const char *body)
{
	json_t *j = NULL;
	yb_err err;

	assert_int_equal(yb_nhsa_parse(body, strlen(body), &j, &err), 0);
	return j;
}

/* `in` of a body {"in": ...}: 0 with the bytes, or the refusal's code. */
static const char *bytes_of(const char *body, unsigned char **data,
			    size_t *len)
{
	json_t *j = parse(body);
	yb_err err;
	int rc = yb_nhsa_file_bytes(json_object_get(j, "in"), data, len, &err);

	json_decref(j);
	return rc == 0 ? NULL : err.code;
}

static void test_in_array_and_base64(void **state)
{
	unsigned char *d = NULL;
	size_t n = 0;

	(void)state;
	assert_null(bytes_of("{\"in\":[80,75,3,4,0,255]}", &d, &n));
	assert_int_equal(n, 6);
	assert_memory_equal(d, "PK\x03\x04\x00\xff", 6);
	free(d);
	/* Gson: Java's signed bytes */
	assert_null(bytes_of("{\"in\":[-17,-69,-65,-128]}", &d, &n));
	assert_memory_equal(d, "\xef\xbb\xbf\x80", 4);
	free(d);
	/* Jackson: base64, with MIME line breaks */
	assert_null(bytes_of("{\"in\":\"UEsD\\r\\nBAD/\"}", &d, &n));
	assert_int_equal(n, 6);
	assert_memory_equal(d, "PK\x03\x04\x00\xff", 6);
	free(d);

	assert_string_equal(bytes_of("{\"in\":[256]}", &d, &n), "nhsa.file_encoding");
	assert_string_equal(bytes_of("{\"in\":[-129]}", &d, &n), "nhsa.file_encoding");
	assert_string_equal(bytes_of("{\"in\":[1.0]}", &d, &n), "nhsa.file_encoding");
	assert_string_equal(bytes_of("{\"in\":[1e2]}", &d, &n), "nhsa.file_encoding");
	assert_string_equal(bytes_of("{\"in\":[\"1\"]}", &d, &n), "nhsa.file_encoding");
	assert_string_equal(bytes_of("{\"in\":[[1]]}", &d, &n), "nhsa.file_encoding");
	assert_string_equal(bytes_of("{\"in\":{\"a\":1}}", &d, &n), "nhsa.file_encoding");
	assert_string_equal(bytes_of("{\"in\":12}", &d, &n), "nhsa.file_encoding");
	assert_string_equal(bytes_of("{\"in\":\"UEsD!\"}", &d, &n), "nhsa.file_encoding");
	assert_string_equal(bytes_of("{\"in\":\"UEs\"}", &d, &n), "nhsa.file_encoding");
	assert_string_equal(bytes_of("{\"in\":[]}", &d, &n), "nhsa.missing_field");
	assert_string_equal(bytes_of("{\"in\":\"\"}", &d, &n), "nhsa.missing_field");
	assert_string_equal(bytes_of("{}", &d, &n), "nhsa.missing_field");
	assert_null(d);
}

static void test_in_too_large(void **state)
{
	json_t *j = parse("{\"in\":[1]}"), *in = json_object_get(j, "in");
	json_t *one = json_array_get(in, 0);
	unsigned char *d = NULL;
	size_t len;
	yb_err err;

	(void)state;
	/* one element, many times over: the size is checked first */
	for (int i = 0; i < YB_NHSA_FILE_MAX; i++)
		json_array_append(in, one);
	assert_int_equal(yb_nhsa_file_bytes(in, &d, &len, &err), -1);
	assert_string_equal(err.code, "nhsa.file_too_large");
	json_decref(j);
}

static void test_filename(void **state)
{
	bool z;

	(void)state;
	assert_true(yb_nhsa_filename_ok("H1_20261206.zip", &z));
	assert_true(z);
	assert_true(yb_nhsa_filename_ok("a.TXT", &z));
	assert_false(z);
	assert_true(yb_nhsa_filename_ok("A.Zip", &z));
	assert_true(z);
	assert_false(yb_nhsa_filename_ok("a.csv", &z));
	assert_false(yb_nhsa_filename_ok(".zip", &z));
	assert_false(yb_nhsa_filename_ok("../a.txt", &z));
	assert_false(yb_nhsa_filename_ok("a b.txt", &z));
	assert_false(yb_nhsa_filename_ok("", &z));
}

/* ---- the zip reader ------------------------------------------------------------- */

/* A zip of `n` entries names[i] holding texts[i], made by libzip. */
static unsigned char *make_zip(int n, const char *const *names,
			       const char *const *texts, size_t *len)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;
	unsigned char *out;
	zip_int64_t size;

	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(za);
	zip_source_keep(src);
	for (int i = 0; i < n; i++) {
		zip_source_t *e = zip_source_buffer(za, texts[i], strlen(texts[i]), 0);
		assert_true(zip_file_add(za, names[i], e, 0) >= 0);
	}
	assert_int_equal(zip_close(za), 0);
	assert_int_equal(zip_source_open(src), 0);
	assert_int_equal(zip_source_seek(src, 0, SEEK_END), 0);
	size = zip_source_tell(src);
	assert_int_equal(zip_source_seek(src, 0, SEEK_SET), 0);
	out = malloc((size_t)size);
	assert_int_equal(zip_source_read(src, out, (zip_uint64_t)size), size);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
	*len = (size_t)size;
	return out;
}

/* The text of `data` as a .zip, or the refusal's code. */
static const char *unzip(const unsigned char *data, size_t len, char **text,
			 size_t *tlen)
{
	yb_err err;

	return yb_nhsa_file_text(data, len, true, text, tlen, &err) == 0
		? NULL : err.code;
}

static void test_zip_one_txt(void **state)
{
	const char *names[] = { "day.txt" }, *texts[] = { L1 };
	size_t len, tlen;
	unsigned char *z = make_zip(1, names, texts, &len);
	char *t = NULL;

	(void)state;
	assert_null(unzip(z, len, &t, &tlen));
	assert_int_equal(tlen, strlen(L1));
	assert_string_equal(t, L1);
	free(t);
	/* our own writer reads back */
	free(z);
	{
		yb_err err;
		assert_int_equal(yb_nhsa_zip_one("r.txt", L2, strlen(L2), &z, &len,
						 &err), 0);
	}
	assert_null(unzip(z, len, &t, &tlen));
	assert_string_equal(t, L2);
	free(t);
	free(z);
}

static void test_zip_refused(void **state)
{
	const char *two[] = { "a.txt", "b.txt" }, *csv[] = { "a.csv" };
	const char *texts[] = { L1, L2 };
	size_t len, tlen;
	unsigned char *z;
	char *t = NULL;

	(void)state;
	assert_string_equal(unzip((const unsigned char *)"PK\x03\x04xx", 6, &t,
				  &tlen), "nhsa.file_invalid");
	assert_string_equal(unzip((const unsigned char *)L1, strlen(L1), &t,
				  &tlen), "nhsa.file_invalid");
	z = make_zip(2, two, texts, &len);
	assert_string_equal(unzip(z, len, &t, &tlen), "nhsa.file_invalid");
	free(z);
	z = make_zip(1, csv, texts, &len);
	assert_string_equal(unzip(z, len, &t, &tlen), "nhsa.file_invalid");
	free(z);
	z = make_zip(1, two, texts, &len);
	assert_string_equal(unzip(z, len - 1, &t, &tlen), "nhsa.file_invalid");
	free(z);
	assert_null(t);
}

/* A stored entry whose data is changed fails its CRC. */
static void test_zip_crc(void **state)
{
	char big[400];
	const char *names[] = { "a.txt" }, *texts[] = { big };
	size_t len, tlen;
	unsigned char *z;
	char *t = NULL;
	size_t at;

	(void)state;
	for (size_t i = 0; i < sizeof big - 1; i++)
		big[i] = (char)('a' + (i * 7919 % 26));   /* does not compress */
	big[sizeof big - 1] = '\0';
	z = make_zip(1, names, texts, &len);
	/* the entry's data: after the local header (30 bytes), its name and
	 * its extra field */
	at = 30 + (size_t)(z[26] | z[27] << 8) + (size_t)(z[28] | z[29] << 8);
	z[at + 10] ^= 0x01;
	assert_string_equal(unzip(z, len, &t, &tlen), "nhsa.file_invalid");
	assert_null(t);
	free(z);
}

/* A zip bomb: little in, more than YB_NHSA_FILE_TEXT_MAX out. */
static void test_zip_bomb(void **state)
{
	size_t n = YB_NHSA_FILE_TEXT_MAX + 4096, len, tlen;
	char *text = malloc(n + 1);
	const char *names[] = { "a.txt" }, *texts[] = { text };
	unsigned char *z;
	char *t = NULL;

	(void)state;
	memset(text, '1', n);
	text[n] = '\0';
	z = make_zip(1, names, texts, &len);
	free(text);
	assert_true(len < 100 * 1024);
	assert_string_equal(unzip(z, len, &t, &tlen), "nhsa.file_too_large");
	assert_null(t);
	free(z);
}

/* ---- the lines --------------------------------------------------------------------- */

/* Parse `text`: NULL and the rows, or the refusal's message (its code
 * nhsa.file_line). */
static const char *lines(const char *text, yb_nhsa_detail **rows, int *n)
{
	static yb_err err;

	if (yb_nhsa_detail_parse(text, strlen(text), rows, n, &err) == 0)
		return NULL;
	assert_string_equal(err.code, "nhsa.file_line");
	return err.message;
}

static void test_lines_ok(void **state)
{
	char text[256];
	yb_nhsa_detail *r = NULL;
	int n = -1;

	(void)state;
	/* a BOM, CRLF, a last newline; sorted by setl_id */
	snprintf(text, sizeof text, "\xEF\xBB\xBF%s\r\n%s\r\n", L1, L2);
	assert_null(lines(text, &r, &n));
	assert_int_equal(n, 2);
	assert_string_equal(r[0].setl_id, "101");
	assert_int_equal(r[0].line, 1);
	assert_string_equal(r[0].mdtrt_id, "M1");
	assert_string_equal(r[0].psn_no, "600000001");
	assert_int_equal(r[0].medfee_fen, 30000);
	assert_int_equal(r[0].fund_fen, 10000);
	assert_int_equal(r[0].acct_fen, 20000);
	assert_false(r[0].refd);
	assert_string_equal(r[1].setl_id, "7");
	assert_int_equal(r[1].medfee_fen, 1250);
	assert_int_equal(r[1].fund_fen, 0);
	assert_true(r[1].refd);
	free(r);
	/* no last newline; an empty file */
	assert_null(lines(L1, &r, &n));
	assert_int_equal(n, 1);
	free(r);
	assert_null(lines("", &r, &n));
	assert_int_equal(n, 0);
	free(r);
}

static void test_lines_refused(void **state)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "101\tM1\t6\t1.00\t0\t1.00", "第1行 字段数须为7" },
		{ "101\tM1\t6\t1.00\t0\t1.00\t0\t0", "第1行 字段数须为7" },
		{ "\tM1\t6\t1.00\t0\t1.00\t0", "第1行 setl_id" },
		{ "1 1\tM1\t6\t1.00\t0\t1.00\t0", "第1行 setl_id" },
		{ "1\tM1\t6\t1.001\t0\t1.00\t0", "第1行 medfee_sumamt" },
		{ "1\tM1\t6\t1.00\t-1\t1.00\t0", "第1行 fund_pay_sumamt" },
		{ "1\tM1\t6\t1.00\t0\t1e2\t0", "第1行 acct_pay" },
		{ "1\tM1\t6\t1.00\t0\t\t0", "第1行 acct_pay" },
		{ "1\tM1\t6\t1.00\t0\t1.00\t2", "第1行 refd_setl_flag" },
		{ "1\tM1\t\xe5\xbc\xa0\t1.00\t0\t1.00\t0", "第1行 psn_no" },
		{ "1\tM1\t6\t1.00\t0\t1.00\t0\n\n2\tM1\t6\t1.00\t0\t1.00\t0", "第2行 空行" },
		{ "1\tM1\t6\t1.00\t0\t1.00\t0\n1\tM2\t6\t1.00\t0\t1.00\t0", "第2行 setl_id重复" },
		{ "1\tM1\t6\t1.00\t0\t1.00\t0\r\n2\tM1\t6\t1.00\t0\t1.00\t0\r", "" },
	};
	yb_nhsa_detail *r = NULL;
	int n;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *m = lines(cases[i].text, &r, &n);
		if (!*cases[i].msg) {   /* the last line's CR: CRLF without LF */
			assert_null(m);
			free(r);
			continue;
		}
		assert_non_null(m);
		assert_string_equal(m, cases[i].msg);
		assert_null(r);
	}
}

static void test_lines_limit(void **state)
{
	size_t one = strlen(L1) + 1, n = YB_NHSA_FILE_LINES_MAX + 1;
	char *text = malloc(one * n + 1), *p = text;
	yb_nhsa_detail *r = NULL;
	int count;
	yb_err err;

	(void)state;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%zu\tM\t6\t1.00\t0\t1.00\t0\n", i);
	assert_int_equal(yb_nhsa_detail_parse(text, (size_t)(p - text), &r,
					      &count, &err), -1);
	assert_string_equal(err.code, "nhsa.file_too_large");
	free(text);
}

static void test_result_text(void **state)
{
	yb_nhsa_result_row rows[2];
	size_t len;
	char *t;

	(void)state;
	memset(rows, 0, sizeof rows);
	snprintf(rows[0].psn_no, sizeof rows[0].psn_no, "600000001");
	snprintf(rows[0].mdtrt_id, sizeof rows[0].mdtrt_id, "M1");
	snprintf(rows[0].setl_id, sizeof rows[0].setl_id, "101");
	snprintf(rows[0].msgid, sizeof rows[0].msgid, "H1");
	rows[0].medfee_fen = 30000;
	rows[0].acct_fen = 5;
	rows[1] = rows[0];
	rows[1].differs = rows[1].refd = true;
	snprintf(rows[1].memo, sizeof rows[1].memo, "贵方无此结算");
	t = yb_nhsa_result_text(rows, 2, &len);
	assert_string_equal(t,
		"600000001\tM1\t101\tH1\t0\t0\t\t300.00\t0.00\t0.05\n"
		"600000001\tM1\t101\tH1\t1\t1\t贵方无此结算\t300.00\t0.00\t0.05\n");
	assert_int_equal(len, strlen(t));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_array_and_base64),
		cmocka_unit_test(test_in_too_large),
		cmocka_unit_test(test_filename),
		cmocka_unit_test(test_zip_one_txt),
		cmocka_unit_test(test_zip_refused),
		cmocka_unit_test(test_zip_crc),
		cmocka_unit_test(test_zip_bomb),
		cmocka_unit_test(test_lines_ok),
		cmocka_unit_test(test_lines_refused),
		cmocka_unit_test(test_lines_limit),
		cmocka_unit_test(test_result_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
