/*
 * test_json_text.c — yb_json_text (src/render/json_text.c), the text of
 * every HTTP answer: the same bytes as jansson's json_dumps(v,
 * JSON_COMPACT), which it replaces, for every kind of value — but for
 * control characters in strings, escaped in lower-case hex, the same
 * JSON all the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/json.h"

/* yb_json_text(v) is json_dumps(v, JSON_COMPACT), length and all. */
static void same_as_jansson(json_t *v)
{
	size_t len = 0;
	char *want = json_dumps(v, JSON_COMPACT);
	char *got = yb_json_text(v, &len);

	assert_non_null(want);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(len, strlen(want));
	free(want);
	free(got);
	json_decref(v);
}

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);

	if (!v)
		fail_msg("%s: %s", text, e.text);
	return v;
}

/* Objects (in insertion order), arrays, nesting, empty ones, literals. */
static void test_structure(void **state)
{
	(void)state;
	same_as_jansson(parse("{}"));
	same_as_jansson(parse("[]"));
	same_as_jansson(parse("{\"z\":1,\"a\":2,\"m\":[true,false,null]}"));
	same_as_jansson(parse("[[],{},[{}],{\"a\":{\"b\":{\"c\":[[[]]]}}}]"));
	same_as_jansson(parse("{\"settlement_id\":null,\"shares\":[],"
			      "\"patient\":{\"ssn\":\"600000001\","
			      "\"name\":\"王*\"},\"state\":\"settled\"}"));
}

/* Integers at both ends of int64, zero, negatives; reals as jansson
 * writes them. */
static void test_numbers(void **state)
{
	json_t *a = json_array();

	(void)state;
	json_array_append_new(a, json_integer(0));
	json_array_append_new(a, json_integer(-1));
	json_array_append_new(a, json_integer(1234567890123LL));
	json_array_append_new(a, json_integer(INT64_MAX));
	json_array_append_new(a, json_integer(INT64_MIN));
	json_array_append_new(a, json_real(1.0));
	json_array_append_new(a, json_real(0.1));
	json_array_append_new(a, json_real(-2.5e300));
	same_as_jansson(a);
}

/* Strings: quotes, backslashes, slashes, UTF-8 of 2, 3 and 4 bytes,
 * keys that need escapes. */
static void test_strings(void **state)
{
	json_t *o = json_object();

	(void)state;
	json_object_set_new(o, "plain", json_string("abc"));
	json_object_set_new(o, "q\"k\\", json_string("say \"hi\" \\ / ok"));
	json_object_set_new(o, "utf8", json_string("é 医保 😀"));
	json_object_set_new(o, "", json_string(""));
	same_as_jansson(o);
}

/* Control characters and NUL: escaped, \n-style where JSON has a short
 * form, else \u00xx in lower case (jansson: upper); the same JSON. */
static void test_control_characters(void **state)
{
	static const char raw[] = "a\"\\\n\r\t\b\f\x01\x1f\0z";
	json_t *o = json_object(), *back;
	char *text;

	(void)state;
	json_object_set_new(o, "s", json_stringn(raw, sizeof raw - 1));
	json_object_setn_new(o, "k\x1f", 2, json_true());
	text = yb_json_text(o, NULL);
	assert_non_null(text);
	assert_string_equal(text, "{\"s\":\"a\\\"\\\\\\n\\r\\t\\b\\f\\u0001"
				  "\\u001f\\u0000z\",\"k\\u001f\":true}");
	back = json_loads(text, JSON_ALLOW_NUL, NULL);
	assert_non_null(back);
	assert_true(json_equal(back, o));
	json_decref(back);
	json_decref(o);
	free(text);
}

/* As json_dumps without JSON_ENCODE_ANY: no text for a bare value. */
static void test_only_containers(void **state)
{
	json_t *s = json_string("x");

	(void)state;
	assert_null(yb_json_text(s, NULL));
	assert_null(yb_json_text(NULL, NULL));
	json_decref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_only_containers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
