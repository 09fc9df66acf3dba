/*
 * test_hash.c — SHA-256, the audit chain link and random tokens
 * (src/core/hash.c).  Expected digests were computed with Python's
 * hashlib, independently of the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/hash.h"

/* X2, S4: known SHA-256 digests, including bytes after a NUL. */
static void test_sha256(void **state)
{
	char hex[YB_HASH_HEX_SZ];
	(void)state;
	yb_sha256_hex_str("", hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
				 "27ae41e4649b934ca495991b7852b855");
	yb_sha256_hex_str("abc", hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	yb_sha256_hex("a\0b", 3, hex);
	assert_string_equal(hex, "59b271ae1bbcb1d31d41929817f4b16f"
				 "b439eb4f31520b5ad1d5ce98920a7138");
	assert_int_equal(strlen(hex), YB_HASH_HEX_SZ - 1);
}

static yb_audit_record sample(void)
{
	yb_audit_record rec;
	memset(&rec, 0, sizeof rec);
	memset(rec.prev_hash, '0', 64);
	rec.seq = 42;
	rec.at = 1795343160;
	snprintf(rec.actor, sizeof rec.actor, "person:123456789");
	rec.role = YB_ROLE_PERSON;
	rec.channel = YB_CHAN_WEB;
	snprintf(rec.action, sizeof rec.action, "binding.create");
	snprintf(rec.target, sizeof rec.target, "binding:7");
	snprintf(rec.result, sizeof rec.result, "ok");
	return rec;
}

/* X3: the link is SHA-256 of the fields joined by newlines, enums as
 * their API words. */
static void test_audit_hash(void **state)
{
	yb_audit_record rec = sample();
	(void)state;
	yb_audit_hash(&rec);
	assert_string_equal(rec.hash, "6e036bcb83aa421b52795c993aa3da0a"
				      "c28dc8c717457820b3ad0caef0c858e9");
}

/* X3: changing any field, the previous link included, changes the hash. */
static void test_audit_hash_covers_every_field(void **state)
{
	yb_audit_record base = sample(), r;
	(void)state;
	yb_audit_hash(&base);
	for (int field = 0; field < 9; field++) {
		r = sample();
		switch (field) {
		case 0: r.prev_hash[0] = '1'; break;
		case 1: r.seq++; break;
		case 2: r.at++; break;
		case 3: r.actor[0] = 'P'; break;
		case 4: r.role = YB_ROLE_ADMIN; break;
		case 5: r.channel = YB_CHAN_WECHAT; break;
		case 6: r.action[0] = 'B'; break;
		case 7: r.target[0] = 'B'; break;
		case 8: snprintf(r.result, sizeof r.result, "binding.duplicate");
			break;
		}
		yb_audit_hash(&r);
		if (strcmp(r.hash, base.hash) == 0)
			fail_msg("field %d is not covered by the hash", field);
	}
	/* Moving text across a field boundary is a different record too. */
	r = sample();
	snprintf(r.action, sizeof r.action, "binding.create\nbinding:7");
	r.target[0] = '\0';
	yb_audit_hash(&r);
	assert_string_not_equal(r.hash, base.hash);
}

static bool urlsafe(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* X2: random secrets are URL-safe base64, unpadded, and fresh. */
static void test_random_token(void **state)
{
	char a[64], b[64], small[8];
	(void)state;
	yb_random_token(32, a, sizeof a);
	yb_random_token(32, b, sizeof b);
	assert_int_equal(strlen(a), 43);
	assert_true(urlsafe(a));
	assert_true(urlsafe(b));
	assert_string_not_equal(a, b);

	yb_random_token(3, a, sizeof a);
	assert_int_equal(strlen(a), 4);

	/* A buffer too small for the bytes asked gets fewer, never an
	 * overrun: 7 characters hold 5 bytes. */
	memset(small, 'z', sizeof small);
	yb_random_token(32, small, sizeof small);
	assert_int_equal(strlen(small), 7);
	assert_true(urlsafe(small));

	yb_random_token(0, a, sizeof a);
	assert_string_equal(a, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_audit_hash),
		cmocka_unit_test(test_audit_hash_covers_every_field),
		cmocka_unit_test(test_random_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
