/*
 * test_settings.c — one city's policy choices (src/core/settings.c):
 * the documented defaults of SPEC U4, P2, F3, F9, S3, S6, C1, C3b, X2 and
 * the config file that overrides them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/settings.h"

/* U4, P2, F3, F9, S3, S6, C1, C3b, X2: the defaults. */
static void test_defaults(void **state)
{
	yb_settings s;
	(void)state;
	memset(&s, 0x5a, sizeof s);
	yb_settings_defaults(&s);
	assert_string_equal(s.region, "440300");                     /* U4 */
	assert_true(s.scheme_has_account[YB_SCHEME_EMPLOYEE_TIER1]);  /* P2 */
	assert_false(s.scheme_has_account[YB_SCHEME_EMPLOYEE_TIER2]);
	assert_false(s.scheme_has_account[YB_SCHEME_RESIDENT]);
	assert_true(s.relationship_allowed[YB_REL_SPOUSE]);           /* F3 */
	assert_true(s.relationship_allowed[YB_REL_PARENT]);
	assert_true(s.relationship_allowed[YB_REL_CHILD]);
	assert_false(s.relationship_allowed[YB_REL_SIBLING]);
	assert_false(s.relationship_allowed[YB_REL_GRANDPARENT]);
	assert_false(s.relationship_allowed[YB_REL_GRANDCHILD]);
	assert_int_equal(s.share_floor_fen, 0);                       /* F9 */
	assert_true(s.family_visit_allowed[YB_VISIT_OUTPATIENT]);     /* S3 */
	assert_true(s.family_visit_allowed[YB_VISIT_PHARMACY]);
	assert_false(s.family_visit_allowed[YB_VISIT_INPATIENT]);
	assert_int_equal(s.offline_window_days, 30);                  /* S6 */
	assert_int_equal(s.ecert_lifetime_seconds, 300);              /* C1 */
	assert_int_equal(s.session_lifetime_seconds, 1800);           /* X2 */
	assert_int_equal(s.login_max_failures, 5);
	assert_int_equal(s.login_lockout_seconds, 900);
	assert_int_equal(s.service_point_working_days, 3);            /* C3b */
	/* R1–R3 */
	assert_int_equal(s.statement_max_months, 600);
	assert_string_equal(s.agency_name, "深圳市医疗保障局");
	assert_string_equal(s.proof_verify_url, "http://127.0.0.1:8080/verify/");
	assert_non_null(strstr(s.gap_explanation, "断缴"));
}

/* F3: relationship lists, the near_relatives preset, exact words. */
static void test_lists(void **state)
{
	yb_settings s;
	yb_err err;
	(void)state;

	yb_settings_defaults(&s);
	assert_int_equal(yb_settings_set(&s, "relationships", "near_relatives",
					 &err), 0);
	for (int r = 0; r < YB_REL__N; r++)
		assert_true(s.relationship_allowed[r]);

	assert_int_equal(yb_settings_set(&s, "relationships", " spouse , child",
					 &err), 0);
	assert_true(s.relationship_allowed[YB_REL_SPOUSE]);
	assert_false(s.relationship_allowed[YB_REL_PARENT]);
	assert_true(s.relationship_allowed[YB_REL_CHILD]);
	assert_false(s.relationship_allowed[YB_REL_SIBLING]);

	/* S3: family use for no visit type at all */
	assert_int_equal(yb_settings_set(&s, "family_visit_types", "", &err), 0);
	for (int v = 0; v < YB_VISIT__N; v++)
		assert_false(s.family_visit_allowed[v]);
	assert_int_equal(yb_settings_set(&s, "family_visit_types",
					 "inpatient,outpatient,pharmacy", &err), 0);
	for (int v = 0; v < YB_VISIT__N; v++)
		assert_true(s.family_visit_allowed[v]);

	/* P2 */
	assert_int_equal(yb_settings_set(&s, "account_schemes",
					 "employee_tier1,employee_tier2", &err), 0);
	assert_true(s.scheme_has_account[YB_SCHEME_EMPLOYEE_TIER2]);
	assert_false(s.scheme_has_account[YB_SCHEME_RESIDENT]);
}

/* X4: a bad value is refused, names the key, and changes nothing. */
static void test_bad_values(void **state)
{
	static const struct { const char *key, *value; } cases[] = {
		{ "relationships", "self" },
		{ "relationships", "Spouse" },
		{ "relationships", "spouse,,child" },
		{ "relationships", "spouse," },
		{ "relationships", ",spouse" },
		{ "relationships", "spouse;child" },
		{ "relationships", "near_relatives,spouse" },
		{ "family_visit_types", "emergency" },
		{ "account_schemes", "tier1" },
		{ "region", "040300" },
		{ "region", "44030" },
		{ "region", "4403000" },
		{ "region", "" },
		{ "share_floor_fen", "-1" },
		{ "share_floor_fen", "1.5" },
		{ "share_floor_fen", "10000000000001" },
		{ "share_floor_fen", "99999999999999999999999" },
		{ "share_floor_fen", "" },
		{ "offline_window_days", "0" },
		{ "offline_window_days", "3651" },
		{ "offline_window_days", "30 days" },
		{ "ecert_lifetime_seconds", "9" },
		{ "session_lifetime_seconds", "59" },
		{ "login_max_failures", "0" },
		{ "login_lockout_seconds", "0" },
		{ "service_point_working_days", "0" },
		{ "service_point_working_days", "+3" },
		{ "service_point_working_days", "0x3" },
		/* records (R1–R4) */
		{ "statement_max_months", "11" },
		{ "statement_max_months", "601" },
		{ "statement_max_months", "1200" },
		{ "agency_name", "" },
		{ "agency_name", "bad\x01 control" },
		{ "agency_name", "\xff\xfe not UTF-8" },
		{ "proof_verify_url", "ftp://example.org/verify/" },
		{ "proof_verify_url", "example.org/verify/" },
		{ "proof_verify_url", "https://example.org/ver ify/" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		yb_settings s, before;
		yb_err err;
		yb_settings_defaults(&s);
		before = s;
		yb_err_clear(&err);
		if (yb_settings_set(&s, cases[i].key, cases[i].value, &err) != -1)
			fail_msg("%s = \"%s\" was accepted", cases[i].key,
				 cases[i].value);
		assert_string_equal(err.code, "settings.invalid");
		assert_int_equal(err.kind, YB_EINVAL);
		if (!strstr(err.message, cases[i].key))
			fail_msg("\"%s\" does not name %s", err.message,
				 cases[i].key);
		assert_memory_equal(&s, &before, sizeof s);
	}
}

/* Unknown keys are refused. */
static void test_unknown_key(void **state)
{
	yb_settings s;
	yb_err err;
	(void)state;
	yb_settings_defaults(&s);
	assert_int_equal(yb_settings_set(&s, "share_floor", "0", &err), -1);
	assert_string_equal(err.code, "settings.invalid");
	assert_non_null(strstr(err.message, "share_floor"));
	assert_int_equal(yb_settings_set(&s, "Region", "440300", &err), -1);
	assert_int_equal(yb_settings_set(&s, NULL, "1", &err), -1);
	assert_int_equal(yb_settings_set(&s, "region", NULL, &err), -1);
}

/* U4, F9, S6: good numbers and regions, at the bounds. */
static void test_good_values(void **state)
{
	yb_settings s;
	yb_err err;
	(void)state;
	yb_settings_defaults(&s);
	assert_int_equal(yb_settings_set(&s, "region", "110100", &err), 0);
	assert_string_equal(s.region, "110100");
	assert_int_equal(yb_settings_set(&s, "share_floor_fen",
					 "10000000000000", &err), 0);
	assert_true(s.share_floor_fen == INT64_C(10000000000000));
	assert_int_equal(yb_settings_set(&s, "offline_window_days", "3650",
					 &err), 0);
	assert_int_equal(s.offline_window_days, 3650);
	assert_int_equal(yb_settings_set(&s, "offline_window_days", "1", &err), 0);
	assert_int_equal(s.offline_window_days, 1);
	assert_int_equal(yb_settings_set(&s, "ecert_lifetime_seconds", "600",
					 &err), 0);
	assert_int_equal(s.ecert_lifetime_seconds, 600);
	assert_int_equal(yb_settings_set(&s, "service_point_working_days", "007",
					 &err), 0);
	assert_int_equal(s.service_point_working_days, 7);
	/* R1, R2, R3: records and proofs */
	assert_int_equal(yb_settings_set(&s, "statement_max_months", "120",
					 &err), 0);
	assert_int_equal(s.statement_max_months, 120);
	assert_int_equal(yb_settings_set(&s, "proof_verify_url",
					 "https://ybj.example.gov.cn/verify/",
					 &err), 0);
	assert_string_equal(s.proof_verify_url,
			    "https://ybj.example.gov.cn/verify/");
	assert_int_equal(yb_settings_set(&s, "gap_explanation", "短", &err), 0);
	assert_string_equal(s.gap_explanation, "短");
}

/* A config file: comments, blanks, errors naming the line, all or
 * nothing. */
static void test_parse(void **state)
{
	static const char good[] =
		"# Shenzhen, with the national near-relatives set\n"
		"\n"
		"region = 440300\n"
		"relationships = near_relatives   # F3\n"
		"  share_floor_fen=5000\r\n"
		"family_visit_types = outpatient\n"
		"offline_window_days = 15";
	yb_settings s, before;
	yb_err err;
	(void)state;

	yb_settings_defaults(&s);
	yb_err_clear(&err);
	if (yb_settings_parse(&s, good, &err) != 0)
		fail_msg("%s", err.message);
	assert_true(s.relationship_allowed[YB_REL_GRANDCHILD]);
	assert_true(s.share_floor_fen == 5000);
	assert_true(s.family_visit_allowed[YB_VISIT_OUTPATIENT]);
	assert_false(s.family_visit_allowed[YB_VISIT_PHARMACY]);
	assert_int_equal(s.offline_window_days, 15);

	static const struct { const char *text, *says; } bad[] = {
		{ "region = 440300\nshare_floor_fen = -5\n",
		  "line 2: share_floor_fen" },
		{ "# c\n\nnonsense\n", "line 3: expected \"key = value\"" },
		{ "region = 440300\nwhatever = 1\n", "line 2: unknown setting" },
		{ "relationships = spouse\nrelationships = cousin\n",
		  "line 2: relationships: unknown value \"cousin\"" },
		{ "= 5\n", "line 1: unknown setting \"\"" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		yb_settings_defaults(&s);
		before = s;
		yb_err_clear(&err);
		assert_int_equal(yb_settings_parse(&s, bad[i].text, &err), -1);
		assert_string_equal(err.code, "settings.invalid");
		if (!strstr(err.message, bad[i].says))
			fail_msg("\"%s\" does not say \"%s\"", err.message,
				 bad[i].says);
		/* nothing of the file is applied, not even its good lines */
		assert_memory_equal(&s, &before, sizeof s);
	}
	assert_int_equal(yb_settings_parse(&s, NULL, &err), -1);
	assert_int_equal(yb_settings_parse(&s, "", &err), 0);
}

/* `yibao settings show`: the text parses back to the same settings. */
static void test_format(void **state)
{
	yb_settings s, back;
	yb_err err;
	char buf[8192];
	(void)state;

	yb_settings_defaults(&s);
	assert_int_equal(yb_settings_format(&s, buf, sizeof buf), 0);
	assert_non_null(strstr(buf, "region = 440300\n"));
	assert_non_null(strstr(buf, "relationships = spouse,parent,child\n"));
	assert_non_null(strstr(buf, "family_visit_types = outpatient,pharmacy\n"));
	assert_non_null(strstr(buf, "account_schemes = employee_tier1\n"));
	assert_non_null(strstr(buf, "share_floor_fen = 0\n"));
	assert_non_null(strstr(buf, "service_point_working_days = 3\n"));

	/* round trip from non-default values, an empty list included */
	assert_int_equal(yb_settings_parse(&s,
		"region = 110100\nrelationships = near_relatives\n"
		"family_visit_types =\nshare_floor_fen = 123\n"
		"login_max_failures = 9\n"
		"agency_name = 北京市医疗保障局\ngap_explanation = 断缴说明\n", &err), 0);
	assert_int_equal(yb_settings_format(&s, buf, sizeof buf), 0);
	yb_settings_defaults(&back);
	if (yb_settings_parse(&back, buf, &err) != 0)
		fail_msg("%s\n%s", err.message, buf);
	assert_memory_equal(&s, &back, sizeof s);

	/* too small a buffer: -1, still a terminated string */
	assert_int_equal(yb_settings_format(&s, buf, 20), -1);
	assert_true(strlen(buf) < 20);
	assert_int_equal(yb_settings_format(&s, buf, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
