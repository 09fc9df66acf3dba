/*
 * test_notify.c — E3's pure rules (src/core/notify.c): the string forms
 * of notification kinds and delivery states, the retry schedule, the
 * signature of a delivery, and what a webhook URL and secret may be.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/notify.h"

/* E3: every kind named once, both ways; unknown names refused. */
static void test_kinds(void **state)
{
	yb_note_kind k;
	yb_deliv_state s;
	(void)state;

	for (int i = 0; i < YB_NOTE__N; i++) {
		assert_true(yb_note_kind_from_str(yb_note_kind_str(i), &k));
		assert_int_equal(k, i);
	}
	assert_string_equal(yb_note_kind_str(YB_NOTE_PREMIUM_PAYMENT),
			    "premium_payment");
	assert_false(yb_note_kind_from_str("share", &k));
	assert_false(yb_note_kind_from_str(NULL, &k));
	assert_null(yb_note_kind_str(YB_NOTE__N));
	for (int i = 0; i < YB_DELIV__N; i++) {
		assert_true(yb_deliv_state_from_str(yb_deliv_state_str(i), &s));
		assert_int_equal(s, i);
	}
	assert_false(yb_deliv_state_from_str("Dead", &s));
}

/* E3: exponential backoff with equal jitter, capped. */
static void test_backoff(void **state)
{
	(void)state;
	/* rnd 0: exactly half of the step; rnd max: just under all of it. */
	assert_int_equal(yb_webhook_backoff_ms(1, 1000, 60000, 0), 500);
	assert_int_equal(yb_webhook_backoff_ms(2, 1000, 60000, 0), 1000);
	assert_int_equal(yb_webhook_backoff_ms(3, 1000, 60000, 0), 2000);
	assert_int_equal(yb_webhook_backoff_ms(1, 1000, 60000, UINT32_MAX), 999);
	assert_int_equal(yb_webhook_backoff_ms(3, 1000, 60000, UINT32_MAX), 3999);
	/* the cap, also for absurd attempt numbers (no overflow) */
	assert_int_equal(yb_webhook_backoff_ms(7, 1000, 60000, 0), 30000);
	assert_int_equal(yb_webhook_backoff_ms(1000000, 1000, 60000, 0), 30000);
	assert_true(yb_webhook_backoff_ms(1000000, 1000, 60000, UINT32_MAX) < 60000);
	/* a cap below the base is the base */
	assert_int_equal(yb_webhook_backoff_ms(5, 1000, 10, 0), 500);
}

/* E3: HMAC-SHA256 over "<timestamp>.<body>", as Python's hmac computes it
 * (also with a key longer than the hash's block). */
static void test_sign(void **state)
{
	char out[65];
	const char *body = "{\"a\":1}";
	(void)state;

	yb_webhook_sign("Jefe", "1700000000", body, strlen(body), out);
	assert_string_equal(out, "fa5f6481efc59da48b19c9dc10196c99"
				 "53e5651f8304b3a318b6b87d70272e0a");
	char key[101];
	memset(key, 'k', 100);
	key[100] = '\0';
	yb_webhook_sign(key, "1", "x", 1, out);
	assert_string_equal(out, "8dc72019a8a249d8f2d36e36fac06f44"
				 "97511f4f50cfee8600a5d97fb8a91da5");
}

static void test_url_secret(void **state)
{
	(void)state;
	assert_true(yb_webhook_url_valid("http://127.0.0.1:9000/hook"));
	assert_true(yb_webhook_url_valid("https://sms.example.cn/yibao"));
	assert_false(yb_webhook_url_valid("ftp://x/"));
	assert_false(yb_webhook_url_valid("http://"));
	assert_false(yb_webhook_url_valid("http:///path"));
	assert_false(yb_webhook_url_valid("http://a b/"));
	assert_false(yb_webhook_url_valid(""));
	assert_false(yb_webhook_url_valid(NULL));
	assert_true(yb_webhook_secret_valid("0123456789abcdef"));
	assert_false(yb_webhook_secret_valid("short"));
	assert_false(yb_webhook_secret_valid("0123456789abcde f"));
	assert_false(yb_webhook_secret_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_sign),
		cmocka_unit_test(test_url_secret),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
