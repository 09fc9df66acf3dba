/*
 * test_nhsa_codec.c — the pure part of the national-interface gateway
 * (src/nhsa/nhsa_json.c, nhsa_parse.c, nhsa_env.c): exact yuan amounts
 * (U1, never through floating point), the reader against jansson's, the
 * envelope's field checks, the reply encoding and the error table
 * (docs/NHSA.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nhsa/nhsa_env.h"
#include "nhsa/nhsa_json.h"

/* Amounts: numbers or numeric strings, at most 2 decimals, >= 0. */
static void test_amounts(void **state)
{
	static const struct { const char *json; int rc; int64_t fen; } cases[] = {
		{ "{\"a\": 9}", 0, 900 },
		{ "{\"a\": 2.00}", 0, 200 },
		{ "{\"a\": 0.1}", 0, 10 },
		{ "{\"a\": 12.34}", 0, 1234 },
		{ "{\"a\": \"12.34\"}", 0, 1234 },
		/* 17 significant digits: a double would not keep the fen */
		{ "{\"a\": 99999999999.99}", 0, 9999999999999 },
		{ "{\"a\": 100000000000.01}", -1, 0 },   /* over YB_MONEY_MAX */
		{ "{\"a\": 0.29}", 0, 29 },       /* 0.29 * 100 = 28.999… in binary */
		{ "{\"a\": 12.345}", -1, 0 },     /* 3 decimals */
		{ "{\"a\": \"12.345\"}", -1, 0 },
		{ "{\"a\": 2.000}", -1, 0 },
		{ "{\"a\": -1}", -1, 0 },         /* negative */
		{ "{\"a\": \"-1.00\"}", -1, 0 },
		{ "{\"a\": 1e2}", -1, 0 },        /* no exponents */
		{ "{\"a\": \"1.\"}", -1, 0 },
		{ "{\"a\": \".5\"}", -1, 0 },
		{ "{\"a\": \"\"}", 0, 0 },        /* optional and empty */
		{ "{\"a\": true}", -1, 0 },
		{ "{\"a\": 99999999999999999}", -1, 0 },   /* over YB_MONEY_MAX */
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *j = NULL;
		int64_t fen = -7;
		yb_err err;

		assert_int_equal(yb_nhsa_parse(cases[i].json, strlen(cases[i].json),
					       &j, &err), 0);
		assert_int_equal(yb_nhsa_get_amount(j, "x", "a", false, &fen, &err),
				 cases[i].rc);
		if (cases[i].rc == 0)
			assert_int_equal(fen, cases[i].fen);
		else
			assert_string_equal(err.code, "nhsa.invalid_amount");
		json_decref(j);
	}
}

static void test_parse_refusals(void **state)
{
	static const char *const bad[] = {
		"", "[]", "\"x\"", "{", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}",
		"{\"a\":\"\\u0000x\"}", "{\"a\":1,\"a\":2}",
		"{\"a\":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}",
		"{\"a\":1}x",
		"{1:2}",          /* a number for a key (docs/RELIABILITY.md) */
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *j = NULL;
		yb_err err;
		assert_int_equal(yb_nhsa_parse(bad[i], strlen(bad[i]), &j, &err), -1);
		assert_string_equal(err.code, "nhsa.invalid_json");
		assert_null(j);
	}
	/* a raw NUL byte, after a number or anywhere else */
	{
		static const char nul_after[] = "{\"a\":1\0}";
		static const char nul_in[] = "{\"a\":\"x\0y\"}";
		json_t *j = NULL;
		yb_err err;

		assert_int_equal(yb_nhsa_parse(nul_after, sizeof nul_after - 1,
					       &j, &err), -1);
		assert_null(j);
		assert_int_equal(yb_nhsa_parse(nul_in, sizeof nul_in - 1, &j,
					       &err), -1);
		assert_null(j);
	}
}

/* The reader (nhsa_parse.c) against json_loadb with the flags the
 * gateway used before it: on text without numbers (which the reader
 * marks) and without "\u0000" (which it refuses), both accept the same
 * texts and make equal trees. */
static void test_parse_as_jansson(void **state)
{
	static const char *const texts[] = {
		"{}", " {\"a\" : \"b\" } \n", "{\"a\":{}}", "{\"a\":[]}",
		"{\"a\":[\"x\",{\"b\":[true,false,null]}]}", "{\"\":\"\"}",
		"{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
		"{\"a\":\"\\u00e9\\u4e2d\\uD83D\\uDE00\"}",
		"{\"\\u0061\":\"x\",\"a\":\"y\"}",        /* a duplicate, escaped */
		"{\"\\u0061b\":\"\\u0061\\u0062\",\"c\":\"\\u0063\"}",
		"{\"a\":\"\\uD83D\"}", "{\"a\":\"\\uDE00\"}",
		"{\"a\":\"\\uD83Dx\"}", "{\"a\":\"\\uD83D\\u0041\"}",
		"{\"a\":\"\\u12\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":\"\\x\"}",
		"{\"a\":\"\\\"}", "{\"a\":\"\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\"}",
		"{\"a\":\"\xc0\xaf\"}", "{\"a\":\"\xe0\x80\xaf\"}",
		"{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xf4\x90\x80\x80\"}",
		"{\"a\":\"\xf5\x80\x80\x80\"}", "{\"a\":\"\x80\"}",
		"{\"a\":\"\xc3\"}", "{\"a\":\"\xe4\xb8\"}", "{\"a\":\"x\x7f\"}",
		"{\"a\":\"\x01\"}", "{\"a\":\"\t\"}", "{\"a\":tru}",
		"{\"a\":truex}", "{\"a\":nul}", "{\"a\" \"b\"}", "{\"a\":}",
		"{\"a\":\"b\",}", "{,}", "{\"a\":[\"b\",]}", "{\"a\":[,]}",
		"{\"a\":[\"b\" \"c\"]}", "{a:\"b\"}", "{'a':\"b\"}",
		"{\"a\":\"b\"}}", "{\"a\":\"b\"", "{\"a\":\"b", "[{}]", "\"{}\"",
		"\xef\xbb\xbf{}", "{}\x0b", "{\"a\":\"b\"} {}", "{\"a\"\n:\r\"b\"\t}",
	};
	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		json_error_t jerr;
		json_t *want = json_loadb(texts[i], strlen(texts[i]),
					  JSON_REJECT_DUPLICATES, &jerr);
		json_t *got = NULL;
		yb_err err;
		int rc = yb_nhsa_parse(texts[i], strlen(texts[i]), &got, &err);

		if (want && !json_is_object(want)) {
			json_decref(want);
			want = NULL;
		}
		if (!!want != (rc == 0))
			fail_msg("text %zu (%s): jansson %s, the reader %s", i,
				 texts[i], want ? "accepts" : "refuses",
				 rc == 0 ? "accepts" : "refuses");
		if (want)
			assert_true(json_equal(want, got));
		else
			assert_string_equal(err.code, "nhsa.invalid_json");
		json_decref(want);
		json_decref(got);
	}
}

/* Numbers: the exact text behind the marker, wherever they stand. */
static void test_parse_numbers(void **state)
{
	const char *text = "{\"a\":[-0,1.50e+3,{\"b\":\"\\u0031\"}],\"c\":7}";
	json_t *j = NULL, *a;
	bool num = false;
	yb_err err;

	(void)state;
	assert_int_equal(yb_nhsa_parse(text, strlen(text), &j, &err), 0);
	a = json_object_get(j, "a");
	assert_string_equal(yb_nhsa_text(json_array_get(a, 0), &num), "-0");
	assert_true(num);
	assert_string_equal(yb_nhsa_text(json_array_get(a, 1), &num),
			    "1.50e+3");
	assert_true(num);
	assert_string_equal(yb_nhsa_text(json_object_get(
				    json_array_get(a, 2), "b"), &num), "1");
	assert_false(num);
	assert_string_equal(yb_nhsa_text(json_object_get(j, "c"), &num), "7");
	assert_true(num);
	json_decref(j);
}

/* Output: amounts as bare numbers with two places, ratios with four. */
static void test_dump(void **state)
{
	json_t *j = json_pack("{s:o, s:o, s:o, s:o, s:s}", "a",
			      yb_nhsa_jamount(30000), "b", yb_nhsa_jamount(-5),
			      "c", yb_nhsa_jratio(7000), "d",
			      yb_nhsa_jfixed(15, 4), "e", "\"x\\y\"");
	char *s;

	(void)state;
	s = yb_nhsa_dump(j, NULL);
	assert_string_equal(s, "{\"a\":300.00,\"b\":-0.05,\"c\":0.7000,"
			       "\"d\":0.0015,\"e\":\"\\\"x\\\\y\\\"\"}");
	free(s);
	json_decref(j);
}

#define ENV(extra) \
	"{\"infno\":\"1101\",\"msgid\":\"H44030000001202612041030001234\"," \
	"\"mdtrtarea_admvs\":\"440300\",\"insuplc_admdvs\":\"\"," \
	"\"recer_sys_code\":\"YBXT\",\"dev_no\":\"\",\"dev_safe_info\":\"\"," \
	"\"cainfo\":\"\",\"signtype\":\"\",\"infver\":\"V1.0\"," \
	"\"opter_type\":\"1\",\"opter\":\"OP1\",\"opter_name\":\"王\"," \
	"\"inf_time\":\"2026-12-04 10:30:00\",\"fixmedins_code\":\"H44030000001\"," \
	"\"fixmedins_name\":\"医院\",\"sign_no\":\"S1\",\"serv_code\":\"x\"" extra "}"

static void test_envelope(void **state)
{
	const char *good = ENV(",\"input\":{\"data\":{}}");
	yb_nhsa_env env;
	yb_err err;

	(void)state;
	assert_int_equal(yb_nhsa_env_decode(good, strlen(good), &env, &err), 0);
	assert_string_equal(env.infno, "1101");
	assert_string_equal(env.msgid, "H44030000001202612041030001234");
	assert_string_equal(env.fixmedins_code, "H44030000001");
	assert_non_null(env.input);
	yb_nhsa_env_free(&env);

	/* no input */
	const char *noin = ENV("");
	assert_int_equal(yb_nhsa_env_decode(noin, strlen(noin), &env, &err), -1);
	assert_string_equal(err.code, "nhsa.missing_field");
	assert_string_equal(env.infno, "1101");          /* still echoed */
	yb_nhsa_env_free(&env);
}

/* One field changed at a time: the stable code and the field named. */
static void test_envelope_fields(void **state)
{
	static const struct { const char *from, *to, *code; } cases[] = {
		{ "\"infno\":\"1101\"", "\"infno\":\"11\"", "nhsa.invalid_field" },
		{ "\"infno\":\"1101\"", "\"infno\":\"1101x\"", "nhsa.invalid_field" },
		{ "\"msgid\":\"H44030000001202612041030001234\"",
		  "\"msgid\":\"H44030000001202613041030001234\"", "nhsa.invalid_field" },
		{ "\"msgid\":\"H44030000001202612041030001234\"",
		  "\"msgid\":\"H440300000012026120410300012345\"", "nhsa.field_too_long" },
		{ "\"inf_time\":\"2026-12-04 10:30:00\"",
		  "\"inf_time\":\"2026-12-04T10:30:00\"", "nhsa.invalid_field" },
		{ "\"infver\":\"V1.0\"", "\"infver\":\"\"", "nhsa.missing_field" },
		{ "\"infver\":\"V1.0\"", "\"infver\":\"V 1\"", "nhsa.invalid_field" },
		{ "\"opter_type\":\"1\"", "\"opter_type\":\"4\"", "nhsa.invalid_field" },
		{ "\"opter\":\"OP1\"", "\"opter\":{}", "nhsa.invalid_field" },
		{ "\"mdtrtarea_admvs\":\"440300\"", "\"mdtrtarea_admvs\":\"44030\"",
		  "nhsa.invalid_field" },
		{ "\"opter_name\":\"王\"",
		  "\"opter_name\":\"王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王\"",
		  "nhsa.field_too_long" },
	};
	const char *base = ENV(",\"input\":{}");
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[2048];
		const char *at = strstr(base, cases[i].from);
		yb_nhsa_env env;
		yb_err err;

		assert_non_null(at);
		snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - base), base,
			 cases[i].to, at + strlen(cases[i].from));
		assert_int_equal(yb_nhsa_env_decode(buf, strlen(buf), &env, &err), -1);
		assert_string_equal(err.code, cases[i].code);
		yb_nhsa_env_free(&env);
	}
}

static void test_reply(void **state)
{
	yb_nhsa_reply r;
	yb_err err;
	char *s;

	(void)state;
	memset(&r, 0, sizeof r);
	r.infcode = -1;
	snprintf(r.inf_refmsgid, sizeof r.inf_refmsgid, "440300202612041030000000000001");
	yb_errf(&err, "nhsa.auth_bad_signature", "x-tif-signature");
	yb_nhsa_err_msg(&err, r.err_msg, sizeof r.err_msg);
	s = yb_nhsa_reply_encode(&r, NULL);
	assert_non_null(strstr(s, "\"infcode\":-1,"));
	assert_non_null(strstr(s, "网关签名错误"));
	assert_non_null(strstr(s, "[nhsa.auth_bad_signature]"));
	assert_non_null(strstr(s, "\"output\":{}"));
	free(s);

	/* The whole text, byte for byte (a repeat gets it again): a raw
	 * output as written, an err_msg escaped. */
	r.infcode = 0;
	snprintf(r.refmsg_time, sizeof r.refmsg_time, "20261204103000007");
	snprintf(r.respond_time, sizeof r.respond_time, "20261204103000009");
	snprintf(r.err_msg, sizeof r.err_msg, "a\"b");
	r.output = yb_nhsa_raw(strdup("{\"setlinfo\":{\"balc\":1.50}}"));
	s = yb_nhsa_reply_encode(&r, NULL);
	assert_string_equal(s,
		"{\"infcode\":0,\"inf_refmsgid\":\"440300202612041030000000000001\","
		"\"refmsg_time\":\"20261204103000007\","
		"\"respond_time\":\"20261204103000009\",\"err_msg\":\"a\\\"b\","
		"\"warn_msg\":\"\",\"cainfo\":\"\",\"signtype\":\"\","
		"\"output\":{\"setlinfo\":{\"balc\":1.50}}}");
	free(s);
	json_decref(r.output);
}

/* Every nhsa.* code of core/err.c has its Chinese text. */
static void test_error_table(void **state)
{
	const char *code, *text;
	(void)state;
	for (int i = 0; (code = yb_err_code_at(i, NULL)); i++)
		if (strncmp(code, "nhsa.", 5) == 0)
			assert_string_not_equal(yb_nhsa_err_text(code), "系统错误");
	for (int i = 0; (code = yb_nhsa_err_at(i, &text)); i++)
		assert_true(strlen(text) > 0);
}

static void test_formats(void **state)
{
	char out[20], ms[18];
	yb_time t;

	(void)state;
	assert_true(yb_nhsa_parse_datetime("2026-12-04 10:30:00", &t));
	yb_nhsa_format_datetime(t, out);
	assert_string_equal(out, "2026-12-04 10:30:00");
	yb_nhsa_ms_stamp((int64_t)t * 1000 + 7, ms);
	assert_string_equal(ms, "20261204103000007");
	assert_false(yb_nhsa_parse_datetime("2026-02-30 10:30:00", &t));
	assert_false(yb_nhsa_parse_datetime("2026-12-04 24:00:00", &t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_parse_as_jansson),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_envelope_fields),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_error_table),
		cmocka_unit_test(test_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
