/*
 * credential.c — the patient's credentials at the point of care (SPEC C1,
 * C4, C5): issuing the electronic medical-insurance credential, and
 * resolving whichever credential an institution presents (card number,
 * e-credential token, ID number) to the insured person it names.
 *
 * The agency's Ed25519 key pair for credentials lives in the store's
 * metadata under "ecert_keys" (service/keys.c says how): made by the
 * first issue, never by a verification.
 */
#include "service/settle.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/ecert.h"
#include "core/enums.h"
#include "core/idnum.h"
#include "service/keys.h"
#include "service/settle_int.h"

#define ECERT_META_KEY "ecert_keys"

/* C5: only an issued card settles; say plainly why any other does not. */
static int card_holder(yb_ctx *ctx, const char *card_no, bool strict,
		       yb_id *person_id, yb_err *err)
{
	yb_card card;
	int found;

	found = ctx->store->ops->card_by_no(ctx->store, card_no, &card, err);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "settlement.credential_invalid",
			       "unknown card number");
	*person_id = card.person_id;
	if (!strict)
		return 0;
	switch (card.state) {
	case YB_CARD_ISSUED:
		return 0;
	case YB_CARD_LOST:
		return yb_errf(err, "settlement.credential_invalid",
			       "the card was reported lost and is frozen");
	case YB_CARD_CANCELLED:
		return yb_errf(err, "settlement.credential_invalid",
			       "the card has been cancelled");
	default:
		return yb_errf(err, "settlement.credential_invalid",
			       "the card has not been issued to its holder yet");
	}
}

static int ecert_holder(yb_ctx *ctx, const char *token, yb_time at,
			char ssn[YB_SSN_SZ], yb_err *err)
{
	yb_ecert_keys keys;
	yb_time expires_at;
	int found, rc = -1;

	found = yb_keys_load(ctx, ECERT_META_KEY, false, &keys, err);
	if (found < 0)
		goto out;
	if (!found) {
		yb_errf(err, "settlement.credential_invalid",
			"unknown electronic credential");
		goto out;
	}
	rc = yb_ecert_verify(&keys, token, at, ssn, &expires_at, err);
out:
	sodium_memzero(&keys, sizeof keys);
	return rc;
}

int yb_cred_resolve(yb_ctx *ctx, yb_cred_type type, const char *value,
		    yb_time at, bool strict, yb_person *patient, yb_err *err)
{
	char ssn[YB_SSN_SZ];
	yb_idnum idn;
	yb_id person_id = 0;
	int found = 0;

	switch (type) {
	case YB_CRED_CARD:
		if (card_holder(ctx, value, strict, &person_id, err) < 0)
			return -1;
		found = ctx->store->ops->person_by_id(ctx->store, person_id,
						      patient, err);
		break;
	case YB_CRED_ECERT:
		if (ecert_holder(ctx, value, at, ssn, err) < 0)
			return -1;
		found = ctx->store->ops->person_by_ssn(ctx->store, ssn,
						       patient, err);
		break;
	case YB_CRED_ID_NUMBER:
		if (yb_idnum_parse(value, yb_date_of(at), &idn, err) < 0)
			return yb_errf(err, "settlement.credential_invalid",
				       "invalid ID number");
		found = ctx->store->ops->person_by_id_number(ctx->store,
							     idn.normalized,
							     patient, err);
		break;
	default:
		return yb_errf(err, "request.invalid_field",
			       "credential.type: card, ecert or id_number");
	}
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "settlement.credential_invalid",
			       "the credential names no insured person");
	/* A suspended person (contributions interrupted, P3) still settles:
	 * suspension records the gap, it does not end the insurance; only
	 * termination does. */
	if (strict && patient->status == YB_STATUS_TERMINATED)
		return yb_errf(err, "settlement.patient_not_insured",
			       "the patient's insurance has ended (%s)",
			       yb_term_reason_str(patient->term_reason));
	return 0;
}

int yb_ecert_issue_for(yb_ctx *ctx, const char *ssn, char *token,
		       size_t size, yb_time *expires_at, yb_err *err)
{
	char tok[YB_ECERT_TOKEN_SZ], target[YB_TEXT_SZ];
	yb_ecert_keys keys;
	yb_person p;
	yb_time exp;
	int found, rc = -1;
	bool open = false;

	memset(&keys, 0, sizeof keys);
	if (yb_authorize(ctx, "ecert.issue", err) < 0)
		goto out;
	if (ctx->actor.role != YB_ROLE_PERSON && (!ssn || !*ssn)) {
		yb_errf(err, "request.missing_field", "ssn is required");
		goto out;
	}
	if (yb_tx_begin(ctx, true, err) < 0)
		goto out;
	open = true;
	/* A person gets a credential for himself only, whatever he names. */
	if (ctx->actor.role == YB_ROLE_PERSON)
		found = ctx->store->ops->person_by_id(ctx->store,
						      ctx->actor.person_id,
						      &p, err);
	else
		found = ctx->store->ops->person_by_ssn(ctx->store, ssn, &p,
						       err);
	if (found < 0)
		goto out;
	if (!found) {
		yb_errf(err, "person.not_found", "no person with this SSN");
		goto out;
	}
	if (p.status == YB_STATUS_TERMINATED) {
		yb_errf(err, "person.not_active",
			"the person's insurance has ended");
		goto out;
	}
	if (yb_keys_load(ctx, ECERT_META_KEY, true, &keys, err) < 0)
		goto out;
	exp = yb_ctx_now(ctx) + ctx->settings->ecert_lifetime_seconds;
	if (yb_ecert_issue(&keys, p.ssn, exp, tok, err) < 0)
		goto out;
	if (strlen(tok) >= size) {
		yb_errf(err, "internal", "token buffer too small");
		goto out;
	}
	snprintf(target, sizeof target, "person:%s", p.ssn);
	if (yb_audit(ctx, "ecert.issue", target, "ok", err) < 0)
		goto out;
	open = false;
	if (yb_tx_commit(ctx, err) < 0)
		goto out;
	memcpy(token, tok, strlen(tok) + 1);
	if (expires_at)
		*expires_at = exp;
	rc = 0;
out:
	if (open)
		yb_tx_rollback(ctx);
	sodium_memzero(&keys, sizeof keys);
	return rc;
}
