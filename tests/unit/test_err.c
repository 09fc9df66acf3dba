/*
 * test_err.c — the table of stable error codes (src/core/err.c).
 * SPEC X4: bad input gets a clear, stable error code; one code always
 * maps to the same kind (and so the same HTTP status) wherever raised.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/err.h"

/* X4: codes are unique, well-formed and never "OK". */
static void test_table(void **state)
{
	yb_err_kind kind;
	const char *code;
	int n = 0;
	(void)state;

	for (int i = 0; (code = yb_err_code_at(i, &kind)) != NULL; i++, n++) {
		assert_true(kind != YB_OK);
		assert_int_equal(yb_err_kind_of(code), kind);
		assert_true(strlen(code) > 0);
		for (const char *c = code; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
			      *c == '_' || *c == '.'))
				fail_msg("code \"%s\" has '%c'", code, *c);
		for (int j = 0; j < i; j++)
			if (strcmp(yb_err_code_at(j, NULL), code) == 0)
				fail_msg("code \"%s\" is listed twice", code);
	}
	assert_true(n > 50);
	assert_null(yb_err_code_at(-1, NULL));
	assert_null(yb_err_code_at(n, NULL));
}

/* X4: the codes the core raises are listed with the API's statuses. */
static void test_core_codes(void **state)
{
	static const struct { const char *code; int status; } cases[] = {
		{ "person.invalid_id_number", 400 },
		{ "person.invalid_ssn", 400 },
		{ "settlement.invalid_amounts", 400 },
		{ "settlement.credential_invalid", 422 },
		{ "calendar.year_not_loaded", 422 },
		{ "calendar.invalid", 400 },
		{ "settings.invalid", 400 },
		{ "ecert.invalid", 422 },
		{ "binding.duplicate", 409 },
		{ "auth.throttled", 429 },
		{ "internal", 500 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (yb_err_http_status(yb_err_kind_of(cases[i].code)) !=
		    cases[i].status)
			fail_msg("%s", cases[i].code);
}

/* X4: filling an error; an unlisted code shows up as internal. */
static void test_errf(void **state)
{
	yb_err err;
	(void)state;
	yb_err_clear(&err);
	assert_int_equal(err.kind, YB_OK);
	assert_null(err.code);
	assert_int_equal(yb_errf(&err, "binding.self", "no %s, %d", "x", 7), -1);
	assert_string_equal(err.code, "binding.self");
	assert_int_equal(err.kind, YB_ERULE);
	assert_string_equal(err.message, "no x, 7");
	assert_int_equal(yb_errf(&err, "no.such_code", "?"), -1);
	assert_int_equal(err.kind, YB_EINTERNAL);
	assert_int_equal(yb_errf(NULL, "binding.self", "ignored"), -1);
	yb_err_clear(NULL);
	assert_int_equal(yb_err_http_status(YB_OK), 200);
	assert_int_equal(yb_err_http_status(YB_EUNAVAIL), 503);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_core_codes),
		cmocka_unit_test(test_errf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
