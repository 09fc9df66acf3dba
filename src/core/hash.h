/*
 * hash.h — SHA-256 helpers (libsodium) for the audit chain (X3), stored
 * secrets (API keys, session tokens) and request fingerprints (S4).
 */
#ifndef YB_HASH_H
#define YB_HASH_H

#include <stddef.h>

#include "core/model.h"

/* Hex SHA-256 of `len` bytes into out[YB_HASH_HEX_SZ]. */
void yb_sha256_hex(const void *data, size_t len, char out[YB_HASH_HEX_SZ]);

/* Hex SHA-256 of a NUL-terminated string. */
void yb_sha256_hex_str(const char *s, char out[YB_HASH_HEX_SZ]);

/*
 * The audit chain link: hash = SHA-256(prev_hash "\n" seq "\n" at "\n"
 * actor "\n" role "\n" channel "\n" action "\n" target "\n" result).
 * Fills rec->hash from the other fields (rec->prev_hash included).
 */
void yb_audit_hash(yb_audit_record *rec);

/* A fresh random secret, URL-safe base64 of `nbytes` random bytes. */
void yb_random_token(size_t nbytes, char *out, size_t size);

#endif
