/*
 * fuzz_ecert.c — the electronic credential token parser (SPEC C1):
 * "YB1." base64url(payload) "." base64url(signature), on any bytes
 * (issue #14).
 *
 * The first input byte picks the check time; the rest is the token.
 * Invariants: only a token the fixed key signed verifies (the fuzzer
 * cannot forge Ed25519, so an accepted one must be a genuine issue,
 * which the corpus holds), and an accepted token names a valid SSN;
 * a refused one is a client error.
 */
#include <sodium.h>
#include <string.h>

#include "core/ecert.h"
#include "core/idnum.h"
#include "fuzz.h"

static yb_ecert_keys keys;

/* A fixed key (seed of 32 bytes 'y'), so the corpus's issued tokens
 * stay valid from run to run. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned char seed[crypto_sign_SEEDBYTES];

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	memset(seed, 'y', sizeof seed);
	crypto_sign_seed_keypair(keys.pk, keys.sk, seed);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* 2026-12-04T00:00:00Z and up to 255 × 10 minutes later. */
	yb_time now;
	char ssn[YB_SSN_SZ], *tok;
	yb_time exp = 0;
	yb_err err;

	if (size < 1)
		return 0;
	now = 1796342400 + (yb_time)data[0] * 600;
	tok = fuzz_cstr(data + 1, size - 1);
	if (yb_ecert_verify(&keys, tok, now, ssn, &exp, &err) == 0) {
		FUZZ_CHECK(yb_ssn_valid(ssn));
		FUZZ_CHECK(exp >= now);
	} else {
		fuzz_client_error(&err);
	}
	free(tok);
	return 0;
}
