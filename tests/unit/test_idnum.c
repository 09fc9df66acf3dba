/*
 * test_idnum.c — ID numbers (U2), SSNs (U3) and region codes (U4)
 * (src/core/idnum.c).
 *
 * The valid numbers below were made with the GB 11643-1999 check
 * character computed independently (the weights of U2, in Python).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/idnum.h"

/* "Today" for every case: 2026-06-15. */
static yb_date today(void)
{
	return yb_date_from_ymd(2026, 6, 15);
}

/* U2: good numbers give region, birth date, sex and the normal form. */
static void test_valid(void **state)
{
	static const struct {
		const char *in, *normalized, *region;
		int y, m, d;
		yb_sex sex;
	} cases[] = {
		{ "11010519491231002X", "11010519491231002X", "110105",
		  1949, 12, 31, YB_SEX_FEMALE },
		{ "11010519491231002x", "11010519491231002X", "110105",
		  1949, 12, 31, YB_SEX_FEMALE },
		{ "440301199001011234", "440301199001011234", "440301",
		  1990, 1, 1, YB_SEX_MALE },
		{ "440301200002290023", "440301200002290023", "440301",
		  2000, 2, 29, YB_SEX_FEMALE },
		{ "440301190001010011", "440301190001010011", "440301",
		  1900, 1, 1, YB_SEX_MALE },
		/* born today: not in the future */
		{ "440301202606150012", "440301202606150012", "440301",
		  2026, 6, 15, YB_SEX_MALE },
		{ "440301198503150520", "440301198503150520", "440301",
		  1985, 3, 15, YB_SEX_FEMALE },
		{ "440301198503150512", "440301198503150512", "440301",
		  1985, 3, 15, YB_SEX_MALE },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		yb_idnum id;
		yb_err err;
		yb_err_clear(&err);
		if (yb_idnum_parse(cases[i].in, today(), &id, &err) != 0)
			fail_msg("%s: %s", cases[i].in, err.message);
		assert_string_equal(id.normalized, cases[i].normalized);
		assert_string_equal(id.region, cases[i].region);
		assert_int_equal(id.birth_date, yb_date_from_ymd(cases[i].y,
								 cases[i].m,
								 cases[i].d));
		assert_int_equal(id.sex, cases[i].sex);
	}
}

/* U2: each wrong part is refused with a message that names it. */
static void test_invalid(void **state)
{
	static const struct {
		const char *in;
		const char *says;    /* a word the message must contain */
	} cases[] = {
		{ "", "18 characters" },
		{ "44030119900101123", "18 characters" },
		{ "4403011990010112345", "18 characters" },
		{ "44030119900101123X4", "18 characters" },
		{ "44030A199001011234", "character 6 must be a digit" },
		{ "440301199001011X34", "character 16 must be a digit" },
		{ "X40301199001011234", "character 1 must be a digit" },
		{ "44030119900101123Y", "end in a digit or X" },
		{ "44030119900101123 ", "end in a digit or X" },
		{ "440301199002301234", "not a real date" },
		{ "440301199013011234", "not a real date" },
		{ "440301189912310017", "before 1900" },
		{ "440301202606160018", "in the future" },
		{ "440301199001011235", "check character" },
		{ "440301199001011230", "check character" },
		{ "11010519491231002 ", "end in a digit or X" },
		{ "110105194912310021", "check character" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		yb_idnum id;
		yb_err err;
		yb_err_clear(&err);
		if (yb_idnum_parse(cases[i].in, today(), &id, &err) != -1)
			fail_msg("%s was accepted", cases[i].in);
		assert_string_equal(err.code, "person.invalid_id_number");
		assert_int_equal(err.kind, YB_EINVAL);
		if (!strstr(err.message, cases[i].says))
			fail_msg("%s: \"%s\" does not say \"%s\"", cases[i].in,
				 err.message, cases[i].says);
	}
	{
		yb_idnum id;
		yb_err err;
		assert_int_equal(yb_idnum_parse(NULL, today(), &id, &err), -1);
		assert_string_equal(err.code, "person.invalid_id_number");
	}
}

/* U2: the check character for all eleven remainders. */
static void test_check_char(void **state)
{
	(void)state;
	assert_int_equal(yb_idnum_check_char("11010519491231002"), 'X');
	assert_int_equal(yb_idnum_check_char("44030119900101123"), '4');
	assert_int_equal(yb_idnum_check_char("00000000000000000"), '1');
	/* Every check character is one of "10X98765432" and makes the
	 * weighted sum of all 18 (X = 10) congruent to 1 mod 11. */
	{
		static const int w[18] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9,
					   10, 5, 8, 4, 2, 1 };
		char s[18];
		bool seen[11] = { false };
		memcpy(s, "44030119900101000", 17);
		s[17] = '\0';
		for (int seq = 0; seq < 200; seq++) {
			char c;
			int sum = 0, cv;
			s[14] = (char)('0' + seq / 100);
			s[15] = (char)('0' + seq / 10 % 10);
			s[16] = (char)('0' + seq % 10);
			c = yb_idnum_check_char(s);
			cv = c == 'X' ? 10 : c - '0';
			assert_true(c == 'X' || (c >= '0' && c <= '9'));
			for (int i = 0; i < 17; i++)
				sum += (s[i] - '0') * w[i];
			sum += cv * w[17];
			assert_int_equal(sum % 11, 1);
			seen[cv] = true;
		}
		for (int i = 0; i < 11; i++)
			assert_true(seen[i]);
	}
}

/* U3: SSNs are 7 to 12 digits.  U4: region codes are 6 digits, the
 * first not 0. */
static void test_ssn_and_region(void **state)
{
	static const struct {
		bool (*valid)(const char *);
		const char *s;
		bool ok;
	} cases[] = {
		{ yb_ssn_valid, "1234567", true },
		{ yb_ssn_valid, "123456789", true },
		{ yb_ssn_valid, "123456789012", true },
		{ yb_ssn_valid, "0000007", true },
		{ yb_ssn_valid, "123456", false },
		{ yb_ssn_valid, "1234567890123", false },
		{ yb_ssn_valid, "12345a7", false },
		{ yb_ssn_valid, "", false },
		{ yb_ssn_valid, " 1234567", false },
		{ yb_ssn_valid, "1234567 ", false },
		{ yb_ssn_valid, "-1234567", false },
		{ yb_ssn_valid, "12345678901234567890", false },
		{ yb_ssn_valid, NULL, false },
		{ yb_region_valid, "440300", true },
		{ yb_region_valid, "110105", true },
		{ yb_region_valid, "040300", false },
		{ yb_region_valid, "44030", false },
		{ yb_region_valid, "4403001", false },
		{ yb_region_valid, "44030a", false },
		{ yb_region_valid, "", false },
		{ yb_region_valid, " 44030", false },
		{ yb_region_valid, NULL, false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (cases[i].valid(cases[i].s) != cases[i].ok)
			fail_msg("case %zu: \"%s\"", i,
				 cases[i].s ? cases[i].s : "(null)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_check_char),
		cmocka_unit_test(test_ssn_and_region),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
