/*
 * hash.c — SHA-256 and random tokens over libsodium (see hash.h).
 *
 * A whole buffer (yb_sha256_hex: every gateway message's body, S4's
 * fingerprints, materials, files) is hashed by OpenSSL's libcrypto
 * instead: it uses the CPU's SHA extensions where there are some, and
 * libsodium's portable code cost a 2207's connection thread 37,000
 * instructions per body (docs/BENCHMARKS.md, "What bounds the ratio").
 * SHA-256 is SHA-256: every stored hash stays comparable.
 *
 * The audit chain (X3) hashes a fixed, newline-separated rendering of a
 * record, so the same record always gives the same hash whichever engine
 * stored it; enums are rendered as their API strings, not as numbers, so
 * that reordering an enum can never silently break a stored chain.
 */
#include "core/hash.h"

#include <inttypes.h>
#include <openssl/sha.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/enums.h"

static void to_hex(const unsigned char digest[crypto_hash_sha256_BYTES],
		   char out[YB_HASH_HEX_SZ])
{
	sodium_bin2hex(out, YB_HASH_HEX_SZ, digest, crypto_hash_sha256_BYTES);
}

void yb_sha256_hex(const void *data, size_t len, char out[YB_HASH_HEX_SZ])
{
	unsigned char digest[SHA256_DIGEST_LENGTH];

	SHA256(data, len, digest);
	to_hex(digest, out);
}

void yb_sha256_hex_str(const char *s, char out[YB_HASH_HEX_SZ])
{
	yb_sha256_hex(s, strlen(s), out);
}

/* Feed one field and, unless it is the last, the separator. */
static void feed(crypto_hash_sha256_state *st, const char *s, bool last)
{
	crypto_hash_sha256_update(st, (const unsigned char *)s, strlen(s));
	if (!last)
		crypto_hash_sha256_update(st, (const unsigned char *)"\n", 1);
}

void yb_audit_hash(yb_audit_record *rec)
{
	crypto_hash_sha256_state st;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char seq[24], at[24];

	snprintf(seq, sizeof seq, "%" PRId64, rec->seq);
	snprintf(at, sizeof at, "%" PRId64, rec->at);

	/* Streaming, so fields of any length need no buffer. */
	crypto_hash_sha256_init(&st);
	feed(&st, rec->prev_hash, false);
	feed(&st, seq, false);
	feed(&st, at, false);
	feed(&st, rec->actor, false);
	feed(&st, yb_role_str(rec->role), false);
	feed(&st, yb_channel_str(rec->channel), false);
	feed(&st, rec->action, false);
	feed(&st, rec->target, false);
	feed(&st, rec->result, true);
	crypto_hash_sha256_final(&st, digest);
	to_hex(digest, rec->hash);
}

#define TOKEN_B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

void yb_random_token(size_t nbytes, char *out, size_t size)
{
	unsigned char raw[256];
	int ready;

	if (size == 0)
		return;
	/* Never more than fits in `out` (nor in raw): a shorter token is
	 * still random, an overrun is a bug. */
	if (nbytes > sizeof raw)
		nbytes = sizeof raw;
	while (nbytes > 0 && sodium_base64_ENCODED_LEN(nbytes, TOKEN_B64) > size)
		nbytes--;
	if (nbytes == 0) {
		out[0] = '\0';
		return;
	}
	/* sodium_init() is idempotent.  It fails only without an entropy
	 * source, and then randombytes_buf() aborts by itself rather than
	 * hand out predictable bytes, so there is nothing to decide here. */
	ready = sodium_init();
	(void)ready;
	randombytes_buf(raw, nbytes);
	sodium_bin2base64(out, size, raw, nbytes, TOKEN_B64);
	sodium_memzero(raw, sizeof raw);
}
