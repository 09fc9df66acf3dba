/*
 * proof.c — SPEC R2: proofs of insurance (参保证明) and their
 * verification.
 *
 * A proof is a record the agency keeps: the facts of the day it was
 * issued, as JSON, signed with the agency's own Ed25519 key (kept apart
 * from the e-credential key under "proof_keys": service/keys.c), under a
 * code of 130 random bits that is printed on the paper and in its QR
 * code.  Whoever holds the paper asks /verify/{code}; the answer comes
 * from the record, not from the paper, so a changed paper shows its
 * difference, a changed or made-up code finds nothing, a revoked proof
 * says so, and a record altered in the database fails its signature.
 * Guessing a code means guessing 130 random bits.
 */
#include "service/records_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/mask.h"
#include "service/keys.h"

#define PROOF_META_KEY "proof_keys"
#define CODE_LEN (YB_PROOF_CODE_SZ - 1)      /* 26 characters */
#define REASON_MAX 200

/* What is signed: a label, so the signature is good for nothing else. */
static const char sign_label[] = "yibao-proof-v1\n";

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

const char *yb_proof_verdict_str(yb_proof_verdict v)
{
	switch (v) {
	case YB_PROOF_GENUINE:  return "genuine";
	case YB_PROOF_REVOKED:  return "revoked";
	case YB_PROOF_TAMPERED: return "tampered";
	default:                return "unknown";
	}
}

/* 26 base32 characters from 130 of 136 random bits. */
static void new_code(char out[YB_PROOF_CODE_SZ])
{
	unsigned char r[17];
	unsigned acc = 0;
	int bits = 0, k = 0;

	randombytes_buf(r, sizeof r);
	for (size_t i = 0; i < sizeof r && k < CODE_LEN; i++) {
		acc = (acc << 8) | r[i];
		bits += 8;
		while (bits >= 5 && k < CODE_LEN) {
			out[k++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	out[k] = '\0';
	sodium_memzero(r, sizeof r);
}

/* A code as typed (lower case accepted) in its stored form; false for
 * anything that cannot be a code, which then needs no lookup. */
static bool code_norm(const char *in, char out[YB_PROOF_CODE_SZ])
{
	size_t n = in ? strlen(in) : 0;

	if (n != CODE_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = (char)toupper((unsigned char)in[i]);

		if (!strchr(b32, c) || c == '\0')
			return false;
		out[i] = c;
	}
	out[n] = '\0';
	return true;
}

/* The signature of a statement (hex), or the check of one. */
static int sign(const yb_ecert_keys *keys, const char *statement,
		char sig_hex[YB_SIG_HEX_SZ], yb_err *err)
{
	unsigned char sig[crypto_sign_BYTES];
	size_t n = strlen(statement);
	unsigned char *msg = malloc(sizeof sign_label - 1 + n);

	if (!msg)
		return yb_errf(err, "out_of_memory", "out of memory");
	memcpy(msg, sign_label, sizeof sign_label - 1);
	memcpy(msg + sizeof sign_label - 1, statement, n);
	crypto_sign_detached(sig, NULL, msg, sizeof sign_label - 1 + n,
			     keys->sk);
	free(msg);
	sodium_bin2hex(sig_hex, YB_SIG_HEX_SZ, sig, sizeof sig);
	return 0;
}

static bool signature_ok(const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
			 const yb_proof *x)
{
	unsigned char sig[crypto_sign_BYTES];
	size_t len = 0, n = strlen(x->statement);
	unsigned char *msg;
	bool ok;

	if (sodium_hex2bin(sig, sizeof sig, x->signature, strlen(x->signature),
			   NULL, &len, NULL) != 0 || len != sizeof sig)
		return false;
	msg = malloc(sizeof sign_label - 1 + n);
	if (!msg)
		return false;
	memcpy(msg, sign_label, sizeof sign_label - 1);
	memcpy(msg + sizeof sign_label - 1, x->statement, n);
	ok = crypto_sign_verify_detached(sig, msg, sizeof sign_label - 1 + n,
					 pk) == 0;
	free(msg);
	return ok;
}

static void fill_url(const yb_ctx *ctx, yb_proof_view *v)
{
	snprintf(v->verify_url, sizeof v->verify_url, "%s%s",
		 ctx->settings->proof_verify_url, v->record.code);
}

/*
 * The verdict on a stored record, in the caller's transaction: its
 * signature under the agency's key, the facts it holds and the code they
 * name.  The key is the agency's current one, never the one the row
 * names: whoever could change the row could change that too.
 */
static int judge(yb_ctx *ctx, yb_proof *x, yb_proof_view *v, yb_err *err)
{
	yb_ecert_keys keys;
	char pk_hex[YB_HASH_HEX_SZ];
	int found;

	v->record = *x;
	v->record.statement = NULL;
	fill_url(ctx, v);
	v->verdict = YB_PROOF_TAMPERED;
	found = yb_keys_load(ctx, PROOF_META_KEY, false, &keys, err);
	if (found < 0)
		return -1;
	if (found) {
		sodium_bin2hex(pk_hex, sizeof pk_hex, keys.pk, sizeof keys.pk);
		if (strcmp(pk_hex, x->key_id) == 0 && signature_ok(keys.pk, x) &&
		    yb_proof_facts_decode(x->statement, &v->facts) == 0 &&
		    strcmp(v->facts.code, x->code) == 0)
			v->verdict = x->revoked_at ? YB_PROOF_REVOKED
						   : YB_PROOF_GENUINE;
	}
	sodium_memzero(&keys, sizeof keys);
	if (v->verdict == YB_PROOF_TAMPERED)
		memset(&v->facts, 0, sizeof v->facts);   /* nothing to trust */
	return 0;
}

/* Sign and keep the facts of person p; in the caller's transaction. */
static int keep(yb_ctx *ctx, const yb_person *p, yb_proof_view *out,
		yb_err *err)
{
	yb_ecert_keys keys;
	yb_proof x;
	char target[YB_TEXT_SZ];
	int rc = -1;

	memset(&x, 0, sizeof x);
	if (yb_keys_load(ctx, PROOF_META_KEY, true, &keys, err) < 0)
		goto out;
	new_code(x.code);
	if (yb_proof_facts_build(ctx, p, x.code, &out->facts, err) < 0)
		goto out;
	x.statement = yb_proof_facts_encode(&out->facts);
	if (!x.statement) {
		yb_errf(err, "out_of_memory", "out of memory");
		goto out;
	}
	if (sign(&keys, x.statement, x.signature, err) < 0)
		goto out;
	sodium_bin2hex(x.key_id, sizeof x.key_id, keys.pk, sizeof keys.pk);
	x.person_id = p->id;
	snprintf(x.ssn, sizeof x.ssn, "%s", p->ssn);
	x.issued_at = out->facts.issued_at;
	snprintf(x.issued_by, sizeof x.issued_by, "%s", ctx->actor.id);
	snprintf(target, sizeof target, "proof:%s person:%s", x.code, p->ssn);
	if (ctx->store->ops->proof_insert(ctx->store, &x, err) < 0 ||
	    yb_audit(ctx, "proof.issue", target, "ok", err) < 0)
		goto out;
	out->record = x;
	out->record.statement = NULL;
	out->verdict = YB_PROOF_GENUINE;
	fill_url(ctx, out);
	rc = 0;
out:
	free(x.statement);
	sodium_memzero(&keys, sizeof keys);
	return rc;
}

int yb_proof_issue(yb_ctx *ctx, const char *ssn, yb_proof_view *out,
		   yb_err *err)
{
	yb_person p;
	int rc;

	memset(out, 0, sizeof *out);
	if (ssn && ctx->actor.role == YB_ROLE_PERSON)
		return yb_errf(err, "auth.forbidden",
			       "a person gets proofs of his own only");
	if (yb_authorize(ctx, "proof.issue", err) < 0)
		return -1;
	if (!ssn && ctx->actor.role != YB_ROLE_PERSON)
		return yb_errf(err, "request.missing_field",
			       "ssn is required");
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	rc = yb_rec_person(ctx, ssn, &p, err);
	if (rc == 0)
		rc = keep(ctx, &p, out, err);
	return yb_tx_end(ctx, rc, err);
}

/* The record of `code` (1), none (0), in the caller's transaction. */
static int find(yb_ctx *ctx, const char *code, yb_proof *x, yb_err *err)
{
	char norm[YB_PROOF_CODE_SZ];

	memset(x, 0, sizeof *x);
	if (!code_norm(code, norm))
		return 0;
	return ctx->store->ops->proof_by_code(ctx->store, norm, x, err);
}

int yb_proof_get(yb_ctx *ctx, const char *code, yb_proof_view *out,
		 yb_err *err)
{
	yb_proof x;
	int found, rc = -1;

	memset(out, 0, sizeof *out);
	if (yb_authorize(ctx, "proof.get", err) < 0 ||
	    yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = find(ctx, code, &x, err);
	/* someone else's proof is, to a person, no proof at all */
	if (found > 0 && ctx->actor.role == YB_ROLE_PERSON &&
	    x.person_id != ctx->actor.person_id)
		found = 0;
	if (found == 0)
		yb_errf(err, "proof.not_found", "no such proof");
	if (found > 0)
		rc = judge(ctx, &x, out, err);
	yb_proof_release(&x);
	yb_tx_rollback(ctx);
	return rc;
}

int yb_proof_verify(yb_ctx *ctx, const char *code, yb_proof_view *out,
		    yb_err *err)
{
	yb_proof x;
	int found, rc = -1;

	memset(out, 0, sizeof *out);
	out->verdict = YB_PROOF_UNKNOWN;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = find(ctx, code, &x, err);
	if (found >= 0)
		rc = found ? judge(ctx, &x, out, err) : 0;
	yb_proof_release(&x);
	yb_tx_rollback(ctx);
	return rc;
}

static bool reason_ok(const char *reason)
{
	size_t n = reason ? strlen(reason) : 0;

	return n > 0 && n <= REASON_MAX && yb_utf8_valid_text(reason);
}

int yb_proof_revoke(yb_ctx *ctx, const char *code, const char *reason,
		    yb_proof_view *out, yb_err *err)
{
	char target[YB_TEXT_SZ];
	yb_proof x;
	int found, rc = -1;

	memset(out, 0, sizeof *out);
	memset(&x, 0, sizeof x);
	if (yb_authorize(ctx, "proof.revoke", err) < 0)
		return -1;
	if (!reason_ok(reason))
		return yb_errf(err, "proof.invalid_reason",
			       "reason: 1 to %d bytes of text", REASON_MAX);
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	found = find(ctx, code, &x, err);
	if (found == 0)
		yb_errf(err, "proof.not_found", "no such proof");
	if (found <= 0)
		goto out;
	x.revoked_at = yb_ctx_now(ctx);
	snprintf(x.revoked_by, sizeof x.revoked_by, "%s", ctx->actor.id);
	snprintf(x.revoke_reason, sizeof x.revoke_reason, "%s", reason);
	snprintf(target, sizeof target, "proof:%s person:%s", x.code, x.ssn);
	if (ctx->store->ops->proof_revoke(ctx->store, x.id, x.revoked_at,
					  x.revoked_by, reason, err) < 0 ||
	    yb_audit(ctx, "proof.revoke", target, "ok", err) < 0 ||
	    judge(ctx, &x, out, err) < 0)
		goto out;
	rc = 0;
out:
	yb_proof_release(&x);
	return yb_tx_end(ctx, rc, err);
}

int yb_proofs_list(yb_ctx *ctx, const char *ssn, yb_id before, int limit,
		   yb_proof **out, int *n, yb_err *err)
{
	yb_person p;
	int rc;

	*out = NULL;
	*n = 0;
	/* A person's own list too is proof.get's, which reads the primary
	 * (ctx.c): a proof he has just been issued must be in it. */
	if (yb_rec_authorize(ctx, ssn, "proof.get", err) < 0 ||
	    (!ssn && yb_authorize(ctx, "proof.get", err) < 0))
		return -1;
	if (before < 0)
		return yb_errf(err, "request.invalid_cursor", "invalid cursor");
	limit = limit < 1 ? 1 : limit > 500 ? 500 : limit;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = yb_rec_person(ctx, ssn, &p, err);
	if (rc == 0)
		rc = ctx->store->ops->proofs_of_person(ctx->store, p.id, before,
						       limit, out, n, err);
	yb_tx_rollback(ctx);
	return rc;
}
