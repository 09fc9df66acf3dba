/*
 * keys.c — the agency's signing keys in the store's metadata (keys.h).
 *
 * A key is made by the first use that needs one, in that use's
 * transaction; verification never makes one, since nothing can carry a
 * valid signature before its key exists.  On PostgreSQL two first uses
 * racing could each make a key and the later meta_put would win, voiding
 * what the other signed; that can happen once in a database's life.
 */
#include "service/keys.h"

#include <string.h>

#include <sodium.h>

int yb_keys_load(yb_ctx *ctx, const char *meta_key, bool create,
		 yb_ecert_keys *keys, yb_err *err)
{
	char hex[2 * crypto_sign_SECRETKEYBYTES + 8];
	size_t len = 0;
	int found, rc = -1;

	found = ctx->store->ops->meta_get(ctx->store, meta_key, hex,
					  sizeof hex, err);
	if (found < 0)
		goto out;
	if (found) {
		if (sodium_hex2bin(keys->sk, sizeof keys->sk, hex, strlen(hex),
				   NULL, &len, NULL) != 0 ||
		    len != sizeof keys->sk) {
			yb_errf(err, "store.corrupt",
				"the stored signing key %s is malformed",
				meta_key);
			goto out;
		}
		crypto_sign_ed25519_sk_to_pk(keys->pk, keys->sk);
		rc = 1;
		goto out;
	}
	if (!create) {
		rc = 0;
		goto out;
	}
	yb_ecert_keygen(keys);
	sodium_bin2hex(hex, sizeof hex, keys->sk, sizeof keys->sk);
	if (ctx->store->ops->meta_put(ctx->store, meta_key, hex, err) < 0)
		goto out;
	rc = 1;
out:
	sodium_memzero(hex, sizeof hex);
	return rc;
}
