/*
 * test_enums.c — the string forms of the model's enums (src/core/enums.c).
 *
 * The strings are the API contract (API.md), so the expected words are
 * spelled out here rather than derived from the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/enums.h"

/*
 * Every value of the enum formats as the expected word and parses back,
 * and the word's case variants and neighbours do not parse.
 */
#define CHECK_ENUM(type, ...)                                                 \
	do {                                                                  \
		static const char *const words[] = { __VA_ARGS__ };           \
		for (int v = 0; v < (int)(sizeof words / sizeof words[0]); v++) { \
			type out;                                             \
			char upper[64];                                       \
			assert_string_equal(type##_str((type)v), words[v]);   \
			assert_true(type##_from_str(words[v], &out));         \
			assert_int_equal(out, v);                             \
			snprintf(upper, sizeof upper, "%s", words[v]);        \
			upper[0] = (char)(upper[0] - 'a' + 'A');              \
			assert_false(type##_from_str(upper, &out));           \
			snprintf(upper, sizeof upper, "%s ", words[v]);       \
			assert_false(type##_from_str(upper, &out));           \
		}                                                             \
		type none;                                                    \
		assert_false(type##_from_str(NULL, &none));                   \
		assert_false(type##_from_str("", &none));                     \
		assert_false(type##_from_str("unknown", &none));              \
		assert_string_equal(type##_str((type)99), "");                \
	} while (0)

/* P2, P3 */
static void test_person_enums(void **state)
{
	(void)state;
	CHECK_ENUM(yb_scheme, "employee_tier1", "employee_tier2", "resident");
	CHECK_ENUM(yb_status, "active", "suspended", "terminated");
	assert_string_equal(yb_sex_str(YB_SEX_MALE), "male");
	assert_string_equal(yb_sex_str(YB_SEX_FEMALE), "female");
}

/* P3: YB_TERM_NONE formats as "" but "" is no reason anyone can give. */
static void test_term_reason(void **state)
{
	yb_term_reason r;
	(void)state;
	assert_string_equal(yb_term_reason_str(YB_TERM_NONE), "");
	assert_false(yb_term_reason_from_str("", &r));
	assert_true(yb_term_reason_from_str("emigrated", &r));
	assert_int_equal(r, YB_TERM_EMIGRATED);
	assert_true(yb_term_reason_from_str("transferred_out", &r));
	assert_int_equal(r, YB_TERM_TRANSFERRED_OUT);
	assert_true(yb_term_reason_from_str("deceased", &r));
	assert_int_equal(r, YB_TERM_DECEASED);
	assert_string_equal(yb_term_reason_str(YB_TERM_DECEASED), "deceased");
	assert_false(yb_term_reason_from_str("Deceased", &r));
	assert_false(yb_term_reason_from_str(NULL, &r));
}

/* A1, C2, C3 */
static void test_account_and_card_enums(void **state)
{
	(void)state;
	CHECK_ENUM(yb_account_kind, "personal", "fund_pool",
		   "contribution_income", "institution_receivable",
		   "patient_cash", "closed_liability");
	CHECK_ENUM(yb_card_state, "in_production", "ready", "issued", "lost",
		   "cancelled");
	CHECK_ENUM(yb_card_route, "center", "service_point", "agent",
		   "employer");
}

/* F3: the bindable relationships; "self" only labels an own share (S3). */
static void test_relationship(void **state)
{
	yb_relationship r = YB_REL_SPOUSE;
	(void)state;
	CHECK_ENUM(yb_relationship, "spouse", "parent", "child", "sibling",
		   "grandparent", "grandchild");
	assert_string_equal(yb_relationship_str(YB_REL_SELF), "self");
	assert_false(yb_relationship_from_str("self", &r));
	assert_int_equal(r, YB_REL_SPOUSE);   /* untouched on failure */
}

/* F5, X1, S1, S2, S6 */
static void test_other_enums(void **state)
{
	(void)state;
	CHECK_ENUM(yb_channel, "web", "wechat", "terminal", "hospital_office",
		   "agency_window", "cli", "api");
	CHECK_ENUM(yb_role, "person", "employer", "institution", "terminal",
		   "hospital_office", "agency_window", "admin");
	CHECK_ENUM(yb_inst_type, "hospital", "clinic", "pharmacy");
	CHECK_ENUM(yb_visit_type, "outpatient", "pharmacy", "inpatient");
	CHECK_ENUM(yb_cred_type, "card", "ecert", "id_number");
	CHECK_ENUM(yb_settle_state, "settled", "revoked", "preview");
	CHECK_ENUM(yb_offline_state, "cash_paid", "resettled");
}

/* The table sizes agree with the enums' __N counts. */
static void test_counts(void **state)
{
	(void)state;
	assert_string_not_equal(yb_scheme_str(YB_SCHEME__N - 1), "");
	assert_string_equal(yb_scheme_str(YB_SCHEME__N), "");
	assert_string_not_equal(yb_relationship_str(YB_REL__N - 1), "");
	assert_string_equal(yb_relationship_str(YB_REL__N), "");
	assert_string_not_equal(yb_channel_str(YB_CHAN__N - 1), "");
	assert_string_equal(yb_channel_str(YB_CHAN__N), "");
	assert_string_not_equal(yb_role_str(YB_ROLE__N - 1), "");
	assert_string_equal(yb_role_str(YB_ROLE__N), "");
	assert_string_equal(yb_card_state_str(YB_CARD__N), "");
	assert_string_equal(yb_offline_state_str(YB_OFFLINE__N), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_person_enums),
		cmocka_unit_test(test_term_reason),
		cmocka_unit_test(test_account_and_card_enums),
		cmocka_unit_test(test_relationship),
		cmocka_unit_test(test_other_enums),
		cmocka_unit_test(test_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
