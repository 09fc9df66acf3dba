/*
 * ecert.h — the electronic medical-insurance credential (SPEC C1).
 *
 * A short-lived token a person shows as a QR code.  It is
 *   "YB1." base64url(payload) "." base64url(Ed25519 signature)
 * with payload "ssn|expires_at|nonce".  The signing key pair belongs to
 * the agency (kept in the database, made on first use); verification needs
 * only the public key, so terminals could check offline.
 */
#ifndef YB_ECERT_H
#define YB_ECERT_H

#include <stddef.h>
#include <sodium.h>

#include "core/err.h"
#include "core/model.h"

#define YB_ECERT_TOKEN_SZ 256

typedef struct yb_ecert_keys {
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
} yb_ecert_keys;

/* New random key pair. */
void yb_ecert_keygen(yb_ecert_keys *keys);

/* Sign a token for `ssn` valid until `expires_at`. */
int yb_ecert_issue(const yb_ecert_keys *keys, const char *ssn,
		   yb_time expires_at, char token[YB_ECERT_TOKEN_SZ],
		   yb_err *err);

/*
 * Verify a token's signature and expiry against `now`; on success the
 * SSN it names.  Errors: "settlement.credential_invalid" (malformed,
 * tampered or expired — the message says which).
 */
int yb_ecert_verify(const yb_ecert_keys *keys, const char *token, yb_time now,
		    char ssn[YB_SSN_SZ], yb_time *expires_at, yb_err *err);

#endif
