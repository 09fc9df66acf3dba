/*
 * test_ecert.c — the electronic medical-insurance credential (SPEC C1,
 * C4, C5) (src/core/ecert.c): signed, short-lived, and refused with
 * "settlement.credential_invalid" when malformed, tampered, expired or
 * signed by another key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/ecert.h"

#define NOW 1795343160      /* 2026-11-22T10:26:00Z */
#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

static yb_ecert_keys keys, other_keys;

static int setup(void **state)
{
	(void)state;
	yb_ecert_keygen(&keys);
	yb_ecert_keygen(&other_keys);
	return 0;
}

static void expect_invalid(const char *token, yb_time now, const char *says)
{
	char ssn[YB_SSN_SZ] = "untouched";
	yb_time exp = 77;
	yb_err err;

	yb_err_clear(&err);
	if (yb_ecert_verify(&keys, token, now, ssn, &exp, &err) != -1)
		fail_msg("accepted: %s", token ? token : "(null)");
	assert_string_equal(err.code, "settlement.credential_invalid");
	assert_int_equal(err.kind, YB_ERULE);
	if (says && !strstr(err.message, says))
		fail_msg("\"%s\" does not say \"%s\"", err.message, says);
	assert_string_equal(ssn, "untouched");
	assert_int_equal(exp, 77);
}

/* C1: a fresh token verifies and names its holder (C4) and expiry. */
static void test_round_trip(void **state)
{
	char token[YB_ECERT_TOKEN_SZ], token2[YB_ECERT_TOKEN_SZ];
	char ssn[YB_SSN_SZ];
	yb_time exp;
	yb_err err;
	(void)state;

	assert_int_equal(yb_ecert_issue(&keys, "123456789", NOW + 300, token,
					&err), 0);
	assert_memory_equal(token, "YB1.", 4);
	assert_non_null(strchr(token + 4, '.'));
	assert_null(strchr(strchr(token + 4, '.') + 1, '.'));
	assert_true(strlen(token) < YB_ECERT_TOKEN_SZ);

	assert_int_equal(yb_ecert_verify(&keys, token, NOW, ssn, &exp, &err), 0);
	assert_string_equal(ssn, "123456789");
	assert_true(exp == NOW + 300);
	/* valid up to and including its expiry second */
	assert_int_equal(yb_ecert_verify(&keys, token, NOW + 300, ssn, &exp,
					 &err), 0);

	/* a random nonce: two tokens for the same person differ */
	assert_int_equal(yb_ecert_issue(&keys, "123456789", NOW + 300, token2,
					&err), 0);
	assert_string_not_equal(token, token2);

	/* the longest SSN and a far expiry still fit */
	assert_int_equal(yb_ecert_issue(&keys, "123456789012", INT64_MAX, token,
					&err), 0);
	assert_int_equal(yb_ecert_verify(&keys, token, NOW, ssn, &exp, &err), 0);
	assert_string_equal(ssn, "123456789012");
	assert_true(exp == INT64_MAX);
}

/* C1: an expired token is refused and says so. */
static void test_expired(void **state)
{
	char token[YB_ECERT_TOKEN_SZ];
	yb_err err;
	(void)state;
	assert_int_equal(yb_ecert_issue(&keys, "1234567", NOW, token, &err), 0);
	expect_invalid(token, NOW + 1, "expired");
	expect_invalid(token, NOW + 86400, "expired");
}

/* C1: a token signed with another key (another agency, a forger). */
static void test_wrong_key(void **state)
{
	char token[YB_ECERT_TOKEN_SZ];
	yb_err err;
	(void)state;
	assert_int_equal(yb_ecert_issue(&other_keys, "1234567", NOW + 300, token,
					&err), 0);
	expect_invalid(token, NOW, "signature");
}

/* C1: any single changed character of a token is refused. */
static void test_tampered(void **state)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789-_.|Y1";
	char token[YB_ECERT_TOKEN_SZ], t[YB_ECERT_TOKEN_SZ];
	size_t len;
	yb_err err;
	(void)state;

	assert_int_equal(yb_ecert_issue(&keys, "123456789", NOW + 300, token,
					&err), 0);
	len = strlen(token);
	for (size_t i = 0; i < len; i++) {
		/* every other character at every position */
		for (const char *c = alphabet; *c; c++) {
			if (*c == token[i])
				continue;
			memcpy(t, token, len + 1);
			t[i] = *c;
			expect_invalid(t, NOW, NULL);
		}
		/* and a flipped bit */
		memcpy(t, token, len + 1);
		t[i] ^= 0x01;
		expect_invalid(t, NOW, NULL);
	}
	/* truncated at every length, and extended */
	for (size_t n = 0; n < len; n++) {
		memcpy(t, token, n);
		t[n] = '\0';
		expect_invalid(t, NOW, NULL);
	}
	memcpy(t, token, len);
	t[len] = 'A';
	t[len + 1] = '\0';
	expect_invalid(t, NOW, NULL);
}

/* Sign an arbitrary payload with the right key, as a bug or a leaked
 * signing oracle might: the payload is still checked. */
static void forge(const char *payload, char *out, size_t size)
{
	unsigned char sig[crypto_sign_BYTES];
	size_t n;

	snprintf(out, size, "YB1.");
	sodium_bin2base64(out + 4, size - 4, (const unsigned char *)payload,
			  strlen(payload), B64);
	n = strlen(out);
	crypto_sign_detached(sig, NULL, (const unsigned char *)out, n, keys.sk);
	out[n] = '.';
	sodium_bin2base64(out + n + 1, size - n - 1, sig, sizeof sig, B64);
}

/* C1: malformed tokens, before and after the signature check. */
static void test_malformed(void **state)
{
	static const char *const tokens[] = {
		"", "YB1", "YB1.", "YB1..", "YB2.abc.def", "yb1.abc.def",
		"YB1.abc", "YB1.abc.def.ghi", "YB1.a b.cd", "YB1.abc=.def",
		"YB1.YWJj.AAAA",
	};
	static const char *const payloads[] = {
		"123456789|1795343460",                  /* no nonce */
		"123456789|1795343460|",                 /* empty nonce */
		"|1795343460|nonce",                     /* no SSN */
		"12345|1795343460|nonce",                /* SSN too short (U3) */
		"1234567890123|1795343460|nonce",        /* SSN too long */
		"12345678a|1795343460|nonce",
		"123456789||nonce",                      /* no expiry */
		"123456789|-5|nonce",
		"123456789|17953x3460|nonce",
		"123456789|99999999999999999999|nonce",  /* overflow */
		"123456789|1795343460|nonce|more",
		"123456789",
	};
	char token[YB_ECERT_TOKEN_SZ * 2];
	(void)state;

	expect_invalid(NULL, NOW, "malformed");
	for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++)
		expect_invalid(tokens[i], NOW, NULL);

	/* too long to be one of ours */
	memset(token, 'A', sizeof token);
	memcpy(token, "YB1.", 4);
	token[300] = '.';
	token[sizeof token - 1] = '\0';
	expect_invalid(token, NOW, "malformed");

	for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
		forge(payloads[i], token, sizeof token);
		expect_invalid(token, NOW, "malformed");
	}
	/* a payload with a NUL inside */
	{
		unsigned char sig[crypto_sign_BYTES];
		size_t n;
		snprintf(token, sizeof token, "YB1.");
		sodium_bin2base64(token + 4, sizeof token - 4,
				  (const unsigned char *)"123456789\0|1|n", 14, B64);
		n = strlen(token);
		crypto_sign_detached(sig, NULL, (unsigned char *)token, n, keys.sk);
		token[n] = '.';
		sodium_bin2base64(token + n + 1, sizeof token - n - 1, sig,
				  sizeof sig, B64);
		expect_invalid(token, NOW, "malformed");
	}
	/* and the forger's well-formed payload does pass: the check above
	 * is about form, not about who signed */
	{
		char ssn[YB_SSN_SZ];
		yb_time exp;
		yb_err err;
		forge("123456789|1795343460|n", token, sizeof token);
		assert_int_equal(yb_ecert_verify(&keys, token, NOW, ssn, &exp,
						 &err), 0);
	}
}

/* U3: a credential is only issued for a well-formed SSN. */
static void test_issue_errors(void **state)
{
	char token[YB_ECERT_TOKEN_SZ];
	yb_err err;
	(void)state;
	assert_int_equal(yb_ecert_issue(&keys, "12345", NOW, token, &err), -1);
	assert_string_equal(err.code, "person.invalid_ssn");
	assert_int_equal(yb_ecert_issue(&keys, "1234567|1", NOW, token, &err), -1);
	assert_int_equal(yb_ecert_issue(&keys, NULL, NOW, token, &err), -1);
	assert_int_equal(yb_ecert_issue(&keys, "1234567", -1, token, &err), -1);
	assert_string_equal(err.code, "ecert.invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_issue_errors),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
