/*
 * keys.h — the agency's Ed25519 signing keys, kept in the store's
 * metadata (service-internal: credential.c signs electronic credentials
 * with one, proof.c proofs of insurance with another).
 *
 * Each key pair lives under its own metadata key as the hex of
 * libsodium's 64-byte secret key (which holds the public key in its
 * second half).  One pair per purpose, so that a signature made for one
 * can never be taken for the other.
 */
#ifndef YB_SERVICE_KEYS_H
#define YB_SERVICE_KEYS_H

#include <stdbool.h>

#include "core/ecert.h"
#include "service/ctx.h"

/*
 * Load the key pair stored under `meta_key`, in the caller's
 * transaction.  Returns 1 loaded, 0 none yet (only when !create), -1 on
 * error ("store.corrupt" for a malformed stored key).  With `create`, a
 * missing pair is made and stored in the same transaction (write).  The
 * caller wipes `keys` (sodium_memzero) when done.
 */
int yb_keys_load(yb_ctx *ctx, const char *meta_key, bool create,
		 yb_ecert_keys *keys, yb_err *err);

#endif
