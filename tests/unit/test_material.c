/*
 * test_material.c — SPEC E4's pure rules (src/core/material.c): what a
 * scan is by its first bytes, whatever it claims; the size limit; the
 * kinds and targets.  Table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/material.h"

static const struct sniff_case {
	const char *name;
	const char *bytes;
	size_t len;
	const char *want;        /* NULL: not a scan */
} sniffs[] = {
	{ "jpeg (JFIF)", "\xff\xd8\xff\xe0\x00\x10JFIF", 10, "image/jpeg" },
	{ "jpeg (Exif)", "\xff\xd8\xff\xe1", 4, "image/jpeg" },
	{ "jpeg, the magic alone", "\xff\xd8\xff", 3, "image/jpeg" },
	{ "png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "image/png" },
	{ "pdf", "%PDF-1.7\n", 9, "application/pdf" },
	{ "empty", "", 0, NULL },
	{ "two bytes of a jpeg", "\xff\xd8", 2, NULL },
	{ "png cut short", "\x89PNG\r\n\x1a", 7, NULL },
	{ "png with a mangled line ending", "\x89PNG\n\n\x1a\n", 8, NULL },
	{ "gif", "GIF89a\x01\0\x01\0", 10, NULL },
	{ "html posing as an image", "<html><script>", 14, NULL },
	{ "pdf magic too late", " %PDF-1.4", 9, NULL },
	{ "lower-case pdf", "%pdf-1.4", 8, NULL },
	{ "zip (a docx)", "PK\x03\x04", 4, NULL },
};

static void test_sniff(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof sniffs / sizeof sniffs[0]; i++) {
		const struct sniff_case *c = &sniffs[i];
		const char *got = yb_material_sniff((const unsigned char *)c->bytes,
						    c->len);
		if (!c->want && got)
			fail_msg("%s: %s, want none", c->name, got);
		if (c->want && (!got || strcmp(got, c->want) != 0))
			fail_msg("%s: %s, want %s", c->name, got ? got : "none",
				 c->want);
	}
	assert_null(yb_material_sniff(NULL, 5));
}

static void test_check(void **state)
{
	static const unsigned char png[] = "\x89PNG\r\n\x1a\nrest";
	const char *ctype = NULL;
	yb_err err;

	(void)state;
	assert_int_equal(yb_material_check(png, 12, 12, 12, &ctype, &err), 0);
	assert_string_equal(ctype, "image/png");
	/* one byte over the limit, or more sent than kept: too large, and
	 * that is said before the type */
	assert_int_equal(yb_material_check(png, 12, 12, 11, &ctype, &err), -1);
	assert_string_equal(err.code, "material.too_large");
	assert_int_equal(yb_material_check(png, 12, 13, 100, &ctype, &err), -1);
	assert_string_equal(err.code, "material.too_large");
	assert_int_equal(yb_material_check((const unsigned char *)"GIF89a", 6,
					   6, 100, &ctype, &err), -1);
	assert_string_equal(err.code, "material.unsupported_type");
	assert_int_equal(yb_material_check(png, 0, 0, 100, &ctype, &err), -1);
	assert_string_equal(err.code, "material.unsupported_type");
}

static void test_kinds_and_targets(void **state)
{
	yb_material_target t;

	(void)state;
	for (const char *const *k = (const char *const[]){ "id_card",
		"social_security_card", "card_copy", "other", NULL }; *k; k++)
		assert_true(yb_material_kind_valid(*k));
	assert_false(yb_material_kind_valid("passport"));
	assert_false(yb_material_kind_valid(""));
	assert_false(yb_material_kind_valid(NULL));
	assert_false(yb_material_kind_valid("ID_CARD"));
	for (int i = 0; i < YB_MAT__N; i++) {
		assert_true(yb_material_target_from_str(
			yb_material_target_str((yb_material_target)i), &t));
		assert_int_equal(t, i);
	}
	assert_false(yb_material_target_from_str("settlement", &t));
	assert_null(yb_material_target_str(YB_MAT__N));
	assert_string_equal(yb_material_ext("image/jpeg"), "jpg");
	assert_string_equal(yb_material_ext("image/png"), "png");
	assert_string_equal(yb_material_ext("application/pdf"), "pdf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_kinds_and_targets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
