/*
 * test_mask.c — masking of others' identities (SPEC Q3) and the UTF-8
 * check for names and free text (X4) (src/core/mask.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/mask.h"

/* Q3: ID numbers keep the first 6 and the last 4 characters. */
static void test_mask_id(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "440301199001011234", "440301********1234" },
		{ "11010519491231002X", "110105********002X" },
		{ "12345678901", "123456*8901" },
		{ "1234567890", "**********" },     /* nothing left to hide */
		{ "123", "***" },
		{ "", "" },
	};
	char buf[32];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(yb_mask_id_number(cases[i].in, buf,
						      sizeof buf),
				    cases[i].out);
	/* A short buffer is cut, never overrun, and shows nothing extra. */
	assert_string_equal(yb_mask_id_number("440301199001011234", buf, 8),
			    "*******");
	assert_string_equal(yb_mask_id_number(NULL, buf, sizeof buf), "");
}

/* R2: an SSN on the public verification page keeps 3 and 2 digits. */
static void test_mask_ssn(void **state)
{
	char buf[16];
	(void)state;
	assert_string_equal(yb_mask_ssn("600000001", buf, sizeof buf),
			    "600****01");
	assert_string_equal(yb_mask_ssn("1234567", buf, sizeof buf),
			    "123**67");
	assert_string_equal(yb_mask_ssn("12345", buf, sizeof buf), "*****");
	assert_string_equal(yb_mask_ssn(NULL, buf, sizeof buf), "");
}

/* Q3: names keep the first character (the surname) and one '*'. */
static void test_mask_name(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "张三丰", "张*" },
		{ "张三", "张*" },
		{ "欧阳修", "欧*" },
		{ "Smith John", "S*" },
		{ "A", "A*" },
		{ "𠀀文", "𠀀*" },                 /* 4-byte character */
		{ "é", "é*" },
		{ "", "" },
		{ "\xff\xfe", "*" },               /* malformed: show nothing */
	};
	char buf[32];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(yb_mask_name(cases[i].in, buf, sizeof buf),
				    cases[i].out);
	/* Never a broken character: if "张*" does not fit, only "*". */
	assert_string_equal(yb_mask_name("张三", buf, 4), "*");
	assert_string_equal(yb_mask_name("张三", buf, 5), "张*");
	assert_string_equal(yb_mask_name(NULL, buf, sizeof buf), "");
}

/* X4: names and free text are valid UTF-8 without control characters. */
static void test_utf8(void **state)
{
	static const struct { const char *s; bool ok; } cases[] = {
		{ "", true },
		{ "Zhang San", true },
		{ "张三丰", true },
		{ "𠀀", true },                       /* U+20000 */
		{ "\xf4\x8f\xbf\xbf", true },         /* U+10FFFF */
		{ "\xed\x9f\xbf", true },             /* U+D7FF */
		{ "\xee\x80\x80", true },             /* U+E000 */
		{ "\xc2\xa0", true },                 /* U+00A0 */
		{ "a\tb", false },                    /* control characters */
		{ "a\nb", false },
		{ "\x7f", false },
		{ "\xc2\x80", false },                /* C1 U+0080 */
		{ "\xc2\x9f", false },                /* C1 U+009F */
		{ "\xc0\xaf", false },                /* overlong '/' */
		{ "\xc1\xbf", false },
		{ "\xe0\x80\xaf", false },            /* overlong, 3 bytes */
		{ "\xe0\x9f\xbf", false },
		{ "\xf0\x80\x80\xaf", false },        /* overlong, 4 bytes */
		{ "\xf0\x8f\xbf\xbf", false },
		{ "\xed\xa0\x80", false },            /* surrogate U+D800 */
		{ "\xed\xbf\xbf", false },            /* surrogate U+DFFF */
		{ "\xf4\x90\x80\x80", false },        /* U+110000 */
		{ "\xf8\x88\x80\x80\x80", false },    /* 5-byte form */
		{ "\xff", false },
		{ "\x80", false },                    /* lone continuation */
		{ "\xe5\xbc", false },                /* truncated */
		{ "abc\xe5", false },
		{ "\xe5\xbc\x20", false },            /* bad continuation */
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (yb_utf8_valid_text(cases[i].s) != cases[i].ok)
			fail_msg("case %zu", i);
	assert_false(yb_utf8_valid_text(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_id),
		cmocka_unit_test(test_mask_ssn),
		cmocka_unit_test(test_mask_name),
		cmocka_unit_test(test_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
