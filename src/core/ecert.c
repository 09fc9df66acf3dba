/*
 * ecert.c — the electronic medical-insurance credential (SPEC C1): a
 * short-lived token signed with the agency's Ed25519 key (see ecert.h).
 *
 * The signature covers the token's text up to the second dot, "YB1."
 * base64url(payload), so the version prefix is signed too.  Both base64
 * parts must be in canonical form (they re-encode to the same text): a
 * token is either exactly what we issued or it is refused, even when a
 * changed character would decode to the same bytes.
 */
#include "core/ecert.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/idnum.h"

#define PREFIX      "YB1."
#define PREFIX_LEN  (sizeof PREFIX - 1)
#define B64         sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define NONCE_BYTES 12
#define PAYLOAD_MAX 96     /* "ssn|expires_at|nonce" fits easily */

static const char invalid_cred[] = "settlement.credential_invalid";

static void sodium_ready(void)
{
	/* Idempotent; see hash.c for why its result needs no decision. */
	int ready = sodium_init();
	(void)ready;
}

void yb_ecert_keygen(yb_ecert_keys *keys)
{
	sodium_ready();
	crypto_sign_keypair(keys->pk, keys->sk);
}

int yb_ecert_issue(const yb_ecert_keys *keys, const char *ssn,
		   yb_time expires_at, char token[YB_ECERT_TOKEN_SZ],
		   yb_err *err)
{
	unsigned char nonce[NONCE_BYTES];
	char nonce_b64[sodium_base64_ENCODED_LEN(NONCE_BYTES, B64)];
	unsigned char sig[crypto_sign_BYTES];
	char payload[PAYLOAD_MAX];
	size_t signed_len;
	int n;

	if (!yb_ssn_valid(ssn))
		return yb_errf(err, "person.invalid_ssn",
			       "cannot issue a credential: bad SSN");
	if (expires_at < 0)
		return yb_errf(err, "ecert.invalid",
			       "cannot issue a credential: bad expiry");

	sodium_ready();
	randombytes_buf(nonce, sizeof nonce);
	sodium_bin2base64(nonce_b64, sizeof nonce_b64, nonce, sizeof nonce, B64);
	n = snprintf(payload, sizeof payload, "%s|%" PRId64 "|%s", ssn,
		     expires_at, nonce_b64);
	if (n < 0 || (size_t)n >= sizeof payload)
		return yb_errf(err, "internal", "credential payload too long");

	/* The sizes are fixed by PAYLOAD_MAX and the signature length and
	 * stay well inside YB_ECERT_TOKEN_SZ. */
	memcpy(token, PREFIX, PREFIX_LEN);
	sodium_bin2base64(token + PREFIX_LEN, YB_ECERT_TOKEN_SZ - PREFIX_LEN,
			  (const unsigned char *)payload, (size_t)n, B64);
	signed_len = strlen(token);
	crypto_sign_detached(sig, NULL, (const unsigned char *)token,
			     signed_len, keys->sk);
	token[signed_len] = '.';
	sodium_bin2base64(token + signed_len + 1,
			  YB_ECERT_TOKEN_SZ - signed_len - 1, sig, sizeof sig,
			  B64);
	return 0;
}

/* Decode `len` characters of canonical base64url at s into out; the
 * number of bytes, or -1. */
static long decode_b64(const char *s, size_t len, unsigned char *out,
		       size_t out_size)
{
	char again[YB_ECERT_TOKEN_SZ];
	size_t bin_len;

	if (len == 0 || len >= sizeof again)
		return -1;
	if (sodium_base642bin(out, out_size, s, len, NULL, &bin_len, NULL,
			      B64) != 0)
		return -1;
	sodium_bin2base64(again, sizeof again, out, bin_len, B64);
	if (strlen(again) != len || memcmp(again, s, len) != 0)
		return -1;
	return (long)bin_len;
}

/* "ssn|expires_at|nonce" → ssn and expiry; false if malformed. */
static bool parse_payload(const char *payload, char ssn[YB_SSN_SZ],
			  yb_time *expires_at)
{
	const char *bar1 = strchr(payload, '|');
	const char *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
	size_t ssn_len;
	int64_t v = 0;

	if (!bar2 || bar2[1] == '\0' || strchr(bar2 + 1, '|'))
		return false;
	ssn_len = (size_t)(bar1 - payload);
	if (ssn_len >= YB_SSN_SZ || bar2 == bar1 + 1)
		return false;
	for (const char *p = bar1 + 1; p < bar2; p++)
		if (*p < '0' || *p > '9' ||
		    __builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, *p - '0', &v))
			return false;
	memcpy(ssn, payload, ssn_len);
	ssn[ssn_len] = '\0';
	if (!yb_ssn_valid(ssn))
		return false;
	*expires_at = v;
	return true;
}

int yb_ecert_verify(const yb_ecert_keys *keys, const char *token, yb_time now,
		    char ssn[YB_SSN_SZ], yb_time *expires_at, yb_err *err)
{
	unsigned char payload[PAYLOAD_MAX];
	unsigned char sig[crypto_sign_BYTES + 1];
	const char *dot;
	size_t len;
	long plen, slen;
	char who[YB_SSN_SZ];
	yb_time exp;

	if (!token || strnlen(token, YB_ECERT_TOKEN_SZ) >= YB_ECERT_TOKEN_SZ ||
	    strncmp(token, PREFIX, PREFIX_LEN) != 0)
		return yb_errf(err, invalid_cred, "the credential is malformed");
	len = strlen(token);
	dot = strchr(token + PREFIX_LEN, '.');
	if (!dot)
		return yb_errf(err, invalid_cred, "the credential is malformed");

	/* One byte of room in each buffer tells "too long" from "fits". */
	plen = decode_b64(token + PREFIX_LEN, (size_t)(dot - token) - PREFIX_LEN,
			  payload, sizeof payload - 1);
	slen = decode_b64(dot + 1, len - (size_t)(dot - token) - 1, sig,
			  sizeof sig);
	if (plen < 0 || slen != crypto_sign_BYTES)
		return yb_errf(err, invalid_cred, "the credential is malformed");

	if (crypto_sign_verify_detached(sig, (const unsigned char *)token,
					(size_t)(dot - token), keys->pk) != 0)
		return yb_errf(err, invalid_cred,
			       "the credential's signature does not match");

	payload[plen] = '\0';
	if (memchr(payload, '\0', (size_t)plen) ||
	    !parse_payload((const char *)payload, who, &exp))
		return yb_errf(err, invalid_cred, "the credential is malformed");
	if (now > exp)
		return yb_errf(err, invalid_cred, "the credential has expired");

	memcpy(ssn, who, YB_SSN_SZ);
	*expires_at = exp;
	return 0;
}
