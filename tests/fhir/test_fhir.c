/*
 * test_fhir.c — the pure mapping parts of the FHIR edge (src/fhir/
 * fhir_lex.c, fhir_codes.c, fhir_json.c): exact decimals through jansson
 * (U1), the inverse RoleCode of a binding's relationship (F2), visit
 * types, credential systems (C4), Coverage.status (P3), issue types and
 * element paths of errors (X4).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fhir/fhir_int.h"

/* Parse text as the edge does: numbers tagged first. */
static json_t *load(const char *text)
{
	yb_err err;
	char *t = yb_fhir_tag_numbers(text, strlen(text), 16, &err);
	json_t *j;

	assert_non_null(t);
	j = json_loads(t, JSON_REJECT_DUPLICATES, NULL);
	free(t);
	assert_non_null(j);
	return j;
}

/* U1: a decimal keeps its digits from the text to fen, never a double. */
static void test_tag_numbers(void **state)
{
	json_t *j = load("{\"a\":300.05,\"b\":[1,-2e3],\"s\":\"7.5\","
			 "\"q\":\"x\\\"9\"}");
	int64_t fen = 0;

	(void)state;
	assert_string_equal(yb_fhir_num_text(json_object_get(j, "a")),
			    "300.05");
	assert_string_equal(yb_fhir_num_text(
		json_array_get(json_object_get(j, "b"), 1)), "-2e3");
	/* a number in a string stays a string */
	assert_null(yb_fhir_num_text(json_object_get(j, "s")));
	assert_string_equal(json_string_value(json_object_get(j, "q")), "x\"9");
	assert_true(yb_fhir_dec_to_fen("300.05", &fen));
	assert_int_equal(fen, 30005);
	json_decref(j);
}

/* X4: malformed numbers and deep nesting are invalid JSON. */
static void test_tag_refuses(void **state)
{
	yb_err err;
	static const char *const bad[] = { "{\"a\":01}", "{\"a\":1.}",
		"{\"a\":-}", "{\"a\":1e}",
		/* a string holding the tag would be read as a number */
		"{\"a\":\"\\u0001300\"}", "[\"x\\u0001\"]" };
	char *ok;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_null(yb_fhir_tag_numbers(bad[i], strlen(bad[i]), 16,
						&err));
		assert_string_equal(err.code, "request.invalid_json");
	}
	assert_null(yb_fhir_tag_numbers("[[[[", 4, 3, &err));
	assert_string_equal(err.code, "request.invalid_json");
	assert_null(yb_fhir_tag_numbers("{}\0{", 4, 3, &err));
	assert_string_equal(err.code, "request.invalid_json");
	/* a number where JSON has no value stays bare, for jansson to
	 * refuse: a key, a second value (tagged, they were strings) */
	ok = yb_fhir_tag_numbers("{1:2}", 5, 3, &err);
	assert_string_equal(ok, "{1:\"\\u00012\"}");
	assert_null(json_loads(ok, 0, NULL));
	free(ok);
	ok = yb_fhir_tag_numbers("[1 2,3]", 7, 3, &err);
	assert_string_equal(ok, "[\"\\u00011\" 2,\"\\u00013\"]");
	free(ok);
	/* an escaped backslash before u0001 is text, not the tag */
	ok = yb_fhir_tag_numbers("[\"\\\\u0001\"]", 11, 3, &err);
	assert_non_null(ok);
	assert_string_equal(ok, "[\"\\\\u0001\"]");
	free(ok);
}

/* U1: FHIR decimal text ↔ fen. */
static void test_decimals(void **state)
{
	int64_t fen;
	static const struct { const char *s; int64_t fen; } ok[] = {
		{ "300", 30000 }, { "300.5", 30050 }, { "300.50", 30050 },
		{ "300.500", 30050 }, { "0.07", 7 }, { "0", 0 },
	};
	static const char *const bad[] = { "1.005", "1e2", "+1", "", "1.2.3",
		"abc" };

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_true(yb_fhir_dec_to_fen(ok[i].s, &fen));
		assert_true(fen == ok[i].fen);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(yb_fhir_dec_to_fen(bad[i], &fen));
}

/* U1: answers carry bare decimals with two places. */
static void test_untag(void **state)
{
	json_t *o = json_pack("{s:o, s:o, s:s}", "v", yb_fhir_jdec(12345),
			      "n", yb_fhir_jint(-3), "s", "\"quoted\"");
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

	(void)state;
	yb_fhir_untag(s);
	assert_string_equal(s, "{\"n\":-3,\"s\":\"\\\"quoted\\\"\","
			       "\"v\":123.45}");
	free(s);
	json_decref(o);
	o = yb_fhir_money(7);
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	yb_fhir_untag(s);
	assert_string_equal(s, "{\"currency\":\"CNY\",\"value\":0.07}");
	free(s);
	json_decref(o);
}

/* F2: RelatedPerson.relationship is what the authorizer is to the
 * relative — the inverse of the binding's relationship — and back. */
static void test_role_codes(void **state)
{
	static const struct { yb_relationship rel; const char *code; } t[] = {
		{ YB_REL_SPOUSE, "SPS" }, { YB_REL_PARENT, "CHILD" },
		{ YB_REL_CHILD, "PRN" }, { YB_REL_SIBLING, "SIB" },
		{ YB_REL_GRANDPARENT, "GRNDCHILD" },
		{ YB_REL_GRANDCHILD, "GRPRN" },
	};
	yb_relationship back;

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_string_equal(yb_fhir_role_code(t[i].rel), t[i].code);
		assert_true(yb_fhir_role_from_code(t[i].code, &back));
		assert_int_equal(back, t[i].rel);
		assert_non_null(yb_fhir_role_display(t[i].code));
	}
	assert_string_equal(yb_fhir_role_code(YB_REL_SELF), "ONESELF");
	/* nobody binds himself (F3), nor a friend */
	assert_false(yb_fhir_role_from_code("ONESELF", &back));
	assert_false(yb_fhir_role_from_code("FRND", &back));
	assert_false(yb_fhir_role_from_code(NULL, &back));
}

/* S2, C4, P3: visit types, credential systems, Coverage.status. */
static void test_mappings(void **state)
{
	yb_visit_type v;
	yb_cred_type c;

	(void)state;
	assert_true(yb_fhir_visit_from_claim_type("professional", &v));
	assert_int_equal(v, YB_VISIT_OUTPATIENT);
	assert_true(yb_fhir_visit_from_claim_type("institutional", &v));
	assert_int_equal(v, YB_VISIT_INPATIENT);
	assert_false(yb_fhir_visit_from_claim_type("vision", &v));
	assert_string_equal(yb_fhir_claim_type_of(YB_VISIT_PHARMACY),
			    "pharmacy");
	assert_true(yb_fhir_cred_from_system(YB_FHIR_SID_CARD, &c));
	assert_int_equal(c, YB_CRED_CARD);
	assert_true(yb_fhir_cred_from_system(YB_FHIR_SID_IDNUM, &c));
	assert_int_equal(c, YB_CRED_ID_NUMBER);
	/* an SSN is no credential (C4) */
	assert_false(yb_fhir_cred_from_system(YB_FHIR_SID_SSN, &c));
	assert_string_equal(yb_fhir_coverage_status(YB_STATUS_ACTIVE), "active");
	assert_string_equal(yb_fhir_coverage_status(YB_STATUS_SUSPENDED),
			    "active");
	assert_string_equal(yb_fhir_coverage_status(YB_STATUS_TERMINATED),
			    "cancelled");
	assert_string_equal(yb_fhir_issue_type(YB_EINVAL,
					       "request.missing_field"),
			    "required");
	assert_string_equal(yb_fhir_issue_type(YB_ECONFLICT,
					       "binding.duplicate"), "duplicate");
	assert_string_equal(yb_fhir_issue_type(YB_ERULE, "binding.self"),
			    "business-rule");
	assert_string_equal(yb_fhir_issue_type(YB_EFORBIDDEN, "auth.forbidden"),
			    "forbidden");
}

/* X4: a bad element's path rides in the message and comes back out. */
static void test_element_paths(void **state)
{
	json_t *claim = load("{\"total\":{\"value\":\"300\"},"
			     "\"fee\":{\"value\":3,\"currency\":\"USD\"}}");
	char expr[128];
	int64_t fen;
	yb_err err;

	(void)state;
	assert_int_equal(yb_fhir_get_money(claim, "Claim", "total", true,
					   &fen, &err), -1);
	assert_string_equal(err.code, "request.invalid_field");
	yb_fhir_expression(err.message, expr, sizeof expr);
	assert_string_equal(expr, "Claim.total.value");
	assert_int_equal(yb_fhir_get_money(claim, "Claim", "fee", true, &fen,
					   &err), -1);
	yb_fhir_expression(err.message, expr, sizeof expr);
	assert_string_equal(expr, "Claim.fee.currency");
	assert_int_equal(yb_fhir_get_money(claim, "Claim", "gone", true, &fen,
					   &err), -1);
	assert_string_equal(err.code, "request.missing_field");
	/* an extension's element, in FHIRPath */
	yb_fhir_expression("Claim.extension('https://x.org/sd/fund-pay')"
			   ".valueMoney.value: must be a number", expr,
			   sizeof expr);
	assert_string_equal(expr, "Claim.extension('https://x.org/sd/"
			    "fund-pay').valueMoney.value");
	/* a service's sentence is no path */
	yb_fhir_expression("the SSN and ID number: mismatch", expr,
			   sizeof expr);
	assert_string_equal(expr, "");
	json_decref(claim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tag_numbers),
		cmocka_unit_test(test_tag_refuses),
		cmocka_unit_test(test_decimals),
		cmocka_unit_test(test_untag),
		cmocka_unit_test(test_role_codes),
		cmocka_unit_test(test_mappings),
		cmocka_unit_test(test_element_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
