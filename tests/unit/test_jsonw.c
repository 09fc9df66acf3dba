/*
 * test_jsonw.c — the small JSON writer (src/core/jsonw.c): commas,
 * escaping, integers.  Replies and kept records of the gateway are
 * written with it, byte for byte what a repeat gets again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/jsonw.h"

static void expect(yb_jw *w, const char *want)
{
	char *s = yb_jw_take(w, NULL);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

/* Commas between members, none after an opening bracket. */
static void test_members(void **state)
{
	yb_jw w = YB_JW_INIT;

	(void)state;
	yb_jw_raw(&w, "{");
	yb_jw_kstr(&w, "a", "x");
	yb_jw_kint(&w, "b", 7);
	yb_jw_key(&w, "c");
	yb_jw_raw(&w, "[");
	yb_jw_sep(&w);
	yb_jw_int(&w, 1);
	yb_jw_sep(&w);
	yb_jw_raw(&w, "{");
	yb_jw_kstr(&w, "d", "");
	yb_jw_raw(&w, "}");
	yb_jw_raw(&w, "]");
	yb_jw_key(&w, "e");
	yb_jw_bool(&w, true);
	yb_jw_raw(&w, "}");
	expect(&w, "{\"a\":\"x\",\"b\":7,\"c\":[1,{\"d\":\"\"}],\"e\":true}");
}

/* Quotes, backslashes and control characters escaped, in keys too;
 * UTF-8 as it is. */
static void test_escapes(void **state)
{
	yb_jw w = YB_JW_INIT;

	(void)state;
	yb_jw_raw(&w, "{");
	yb_jw_kstr(&w, "q\"k", "a\"b\\c\nd\te\x01" "陈");
	yb_jw_kstr(&w, "n", NULL);
	yb_jw_raw(&w, "}");
	expect(&w, "{\"q\\\"k\":\"a\\\"b\\\\c\\nd\\te\\u0001陈\",\"n\":\"\"}");
}

static void test_ints(void **state)
{
	static const struct { int64_t v; const char *s; } cases[] = {
		{ 0, "0" }, { 9, "9" }, { 10, "10" }, { -1, "-1" },
		{ 1234567890123, "1234567890123" },
		{ INT64_MAX, "9223372036854775807" },
		{ INT64_MIN, "-9223372036854775808" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		yb_jw w = YB_JW_INIT;
		yb_jw_int(&w, cases[i].v);
		expect(&w, cases[i].s);
	}
}

/* A long key grows the buffer as a long value does. */
static void test_growth(void **state)
{
	char key[1001], want[1100];
	yb_jw w = YB_JW_INIT;

	(void)state;
	memset(key, 'k', 1000);
	key[1000] = '\0';
	yb_jw_raw(&w, "{");
	yb_jw_kint(&w, key, 1);
	yb_jw_raw(&w, "}");
	snprintf(want, sizeof want, "{\"%s\":1}", key);
	expect(&w, want);
}

/* Reserved room is taken at once and the text fills it without a
 * realloc; past it the writer grows as usual; a smaller reserve than
 * what is there changes nothing. */
static void test_reserve(void **state)
{
	yb_jw w = YB_JW_INIT;
	char *buf;

	(void)state;
	yb_jw_raw(&w, "[");             /* the first room: 256 bytes */
	yb_jw_reserve(&w, 1000);
	assert_true(w.cap >= w.len + 1001);
	buf = w.buf;
	for (int i = 0; i < 9; i++) {
		yb_jw_sep(&w);
		yb_jw_int(&w, 1000000000 + i);
	}
	assert_ptr_equal(w.buf, buf);           /* 98 bytes: no realloc */
	yb_jw_reserve(&w, 1);
	assert_ptr_equal(w.buf, buf);
	assert_true(w.cap >= w.len + 1001 - 98);
	yb_jw_sep(&w);
	yb_jw_int(&w, 9);
	yb_jw_raw(&w, "]");
	expect(&w, "[1000000000,1000000001,1000000002,1000000003,"
		   "1000000004,1000000005,1000000006,1000000007,"
		   "1000000008,9]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_reserve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
