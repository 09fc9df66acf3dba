/*
 * err.c — the table of stable error codes and the helpers that fill a
 * yb_err.  Add a code here before raising it anywhere.
 */
#include "core/err.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *code;
	yb_err_kind kind;
} err_table[] = {
	/* generic input and request errors */
	{ "request.invalid_json",          YB_EINVAL },
	{ "request.invalid_field",         YB_EINVAL },
	{ "request.missing_field",         YB_EINVAL },
	{ "request.too_large",             YB_ETOOLARGE },
	{ "request.unsupported_media_type",YB_EINVAL },
	{ "request.not_found",             YB_ENOTFOUND },
	{ "request.method_not_allowed",    YB_EINVAL },
	{ "request.not_acceptable",        YB_EINVAL },  /* FHIR: xml asked for */
	{ "request.invalid_cursor",        YB_EINVAL },
	{ "request.invalid_date",          YB_EINVAL },
	{ "usage",                         YB_EINVAL },
	/* auth */
	{ "auth.required",                 YB_EAUTH },
	{ "auth.invalid_credentials",      YB_EAUTH },
	{ "auth.invalid_token",            YB_EAUTH },
	{ "auth.throttled",                YB_ETHROTTLED },
	{ "auth.forbidden",                YB_EFORBIDDEN },
	{ "auth.weak_password",            YB_EINVAL },
	{ "apikey.not_found",              YB_ENOTFOUND },
	/* a person's own sessions and password (issue 14) */
	{ "session.not_found",             YB_ENOTFOUND },
	{ "auth.wrong_password",           YB_ERULE },
	/* persons */
	{ "person.invalid_id_number",      YB_EINVAL },
	{ "person.invalid_ssn",            YB_EINVAL },
	{ "person.invalid_name",           YB_EINVAL },
	{ "person.invalid_scheme",         YB_EINVAL },
	{ "person.invalid_region",         YB_EINVAL },
	{ "person.invalid_reason",         YB_EINVAL },
	{ "person.duplicate",              YB_ECONFLICT },
	{ "person.not_found",              YB_ENOTFOUND },
	{ "person.not_active",             YB_ERULE },
	{ "person.already_terminated",     YB_ECONFLICT },
	/* employers, contributions */
	{ "employer.duplicate",            YB_ECONFLICT },
	{ "employer.not_found",            YB_ENOTFOUND },
	{ "employer.invalid_code",         YB_EINVAL },
	{ "contribution.duplicate",        YB_ECONFLICT },
	{ "contribution.invalid_period",   YB_EINVAL },
	{ "contribution.invalid_amounts",  YB_EINVAL },
	{ "contribution.no_account",       YB_ERULE },
	/* ledger */
	{ "ledger.unbalanced",             YB_EINTERNAL },
	{ "ledger.insufficient_balance",   YB_ERULE },
	{ "ledger.account_closed",         YB_ERULE },
	{ "money.overflow",                YB_EINVAL },
	/* cards and calendar */
	{ "card.materials_missing",        YB_ERULE },
	{ "card.already_has_valid_card",   YB_ECONFLICT },
	{ "card.invalid_route",            YB_EINVAL },
	{ "card.not_found",                YB_ENOTFOUND },
	{ "card.application_not_found",    YB_ENOTFOUND },
	{ "card.invalid_state",            YB_ECONFLICT },
	{ "calendar.year_not_loaded",      YB_ERULE },
	{ "calendar.invalid",              YB_EINVAL },
	/* bindings */
	{ "binding.identity_mismatch",     YB_ERULE },
	{ "binding.authorizer_not_eligible", YB_ERULE },
	{ "binding.relative_not_eligible", YB_ERULE },
	{ "binding.relationship_not_allowed", YB_ERULE },
	{ "binding.self",                  YB_ERULE },
	{ "binding.duplicate",             YB_ECONFLICT },
	{ "binding.materials_missing",     YB_ERULE },
	{ "binding.card_mismatch",         YB_ERULE },
	{ "binding.card_not_activated",    YB_ERULE },
	{ "binding.channel_not_allowed",   YB_EFORBIDDEN },
	{ "binding.not_found",             YB_ENOTFOUND },
	{ "binding.already_ended",         YB_ECONFLICT },
	{ "binding.too_many",              YB_EINVAL },
	/* family: premiums, caps, materials (E1, E2, E4) */
	{ "binding.invalid_cap",           YB_EINVAL },
	{ "premium.invalid_year",          YB_EINVAL },
	{ "premium.year_not_open",         YB_ERULE },
	{ "premium.insufficient_balance",  YB_ERULE },
	{ "premium.authorizer_not_eligible", YB_ERULE },
	{ "premium.relative_not_resident", YB_ERULE },
	{ "premium.not_bound",             YB_ERULE },
	{ "premium.already_paid",          YB_ECONFLICT },
	{ "premium.request_id_reused",     YB_ECONFLICT },
	{ "premium.not_found",             YB_ENOTFOUND },
	{ "material.too_large",            YB_ETOOLARGE },
	{ "material.unsupported_type",     YB_EINVAL },
	{ "material.not_found",            YB_ENOTFOUND },
	{ "material.not_operator_channel", YB_ERULE },
	{ "material.too_many",             YB_ECONFLICT },
	/* institutions and settlement */
	{ "institution.duplicate",         YB_ECONFLICT },
	{ "institution.not_found",         YB_ENOTFOUND },
	{ "institution.invalid_type",      YB_EINVAL },
	{ "settlement.credential_invalid", YB_ERULE },
	{ "settlement.patient_not_insured",YB_ERULE },
	{ "settlement.txn_id_reused",      YB_ECONFLICT },
	{ "settlement.invalid_amounts",    YB_EINVAL },
	{ "settlement.invalid_visit_type", YB_EINVAL },
	{ "settlement.not_found",          YB_ENOTFOUND },
	{ "offline.not_found",             YB_ENOTFOUND },
	{ "offline.wrong_institution",     YB_EFORBIDDEN },
	{ "offline.already_resettled",     YB_ECONFLICT },
	{ "offline.window_expired",        YB_ERULE },
	{ "offline.txn_id_reused",         YB_ECONFLICT },
	{ "reconciliation.invalid",        YB_EINVAL },
	{ "ecert.invalid",                 YB_ERULE },
	/* --- nhsa: the national-interface gateway (docs/NHSA.md) --- */
	{ "nhsa.invalid_json",             YB_EINVAL },
	{ "nhsa.too_large",                YB_ETOOLARGE },
	{ "nhsa.missing_field",            YB_EINVAL },
	{ "nhsa.invalid_field",            YB_EINVAL },
	{ "nhsa.field_too_long",           YB_EINVAL },
	{ "nhsa.invalid_amount",           YB_EINVAL },
	{ "nhsa.unknown_infno",            YB_ENOTFOUND },
	{ "nhsa.infno_mismatch",           YB_EINVAL },
	{ "nhsa.auth_missing",             YB_EAUTH },
	{ "nhsa.auth_unknown_paasid",      YB_EAUTH },
	{ "nhsa.auth_bad_signature",       YB_EAUTH },
	{ "nhsa.auth_stale_timestamp",     YB_EAUTH },
	{ "nhsa.auth_nonce_replayed",      YB_EAUTH },
	{ "nhsa.institution_mismatch",     YB_EFORBIDDEN },
	{ "nhsa.sign_required",            YB_EAUTH },
	{ "nhsa.sign_invalid",             YB_EAUTH },
	{ "nhsa.msgid_reused",             YB_ECONFLICT },
	{ "nhsa.msgid_in_progress",        YB_ECONFLICT },
	{ "nhsa.duplicate",                YB_ECONFLICT },
	{ "nhsa.person_mismatch",          YB_ERULE },
	{ "nhsa.insutype_mismatch",        YB_ERULE },
	{ "nhsa.visit_not_found",          YB_ENOTFOUND },
	{ "nhsa.visit_state",              YB_ECONFLICT },
	{ "nhsa.ipt_otp_no_duplicate",     YB_ECONFLICT },
	{ "nhsa.fee_duplicate",            YB_ECONFLICT },
	{ "nhsa.fee_line_mismatch",        YB_EINVAL },
	{ "nhsa.fee_total_mismatch",       YB_ERULE },
	{ "nhsa.setl_not_found",           YB_ENOTFOUND },
	{ "nhsa.setl_reused",              YB_ECONFLICT },
	{ "nhsa.credential_not_found",     YB_ENOTFOUND },
	{ "nhsa.message_not_found",        YB_ENOTFOUND },
	{ "nhsa.msgid_reversed",           YB_ECONFLICT },
	{ "nhsa.batch_settled",            YB_ECONFLICT },
	{ "nhsa.fee_not_found",            YB_ENOTFOUND },
	{ "nhsa.reversal_refused",         YB_ERULE },
	/* nhsa files: 9101, 9102, 3202 */
	{ "nhsa.file_encoding",            YB_EINVAL },
	{ "nhsa.file_invalid",             YB_EINVAL },
	{ "nhsa.file_too_large",           YB_ETOOLARGE },
	{ "nhsa.file_line",                YB_EINVAL },
	{ "nhsa.file_not_found",           YB_ENOTFOUND },
	{ "nhsa.file_expired",             YB_ECONFLICT },
	/* notify (E3): notifications, webhooks, deliveries */
	{ "notification.not_found",        YB_ENOTFOUND },
	{ "webhook.not_found",             YB_ENOTFOUND },
	{ "webhook.invalid_url",           YB_EINVAL },
	{ "webhook.invalid_secret",        YB_EINVAL },
	{ "webhook.removed",               YB_ECONFLICT },
	{ "delivery.not_found",            YB_ENOTFOUND },
	{ "delivery.not_dead",             YB_ECONFLICT },
	/* records and proofs (R1–R4): statements, proofs, gaps, arrears */
	{ "period.invalid",                YB_EINVAL },
	{ "period.too_long",               YB_EINVAL },
	{ "record.invalid_format",         YB_EINVAL },
	{ "record.invalid_sort",           YB_EINVAL },
	{ "record.outside_scope",          YB_EFORBIDDEN },
	{ "proof.not_found",               YB_ENOTFOUND },
	{ "proof.already_revoked",         YB_ECONFLICT },
	{ "proof.duplicate",               YB_ECONFLICT },
	{ "proof.invalid_reason",          YB_EINVAL },
	/* import and operations */
	{ "import.invalid_file",           YB_EINVAL },
	{ "import.invalid_row",            YB_EINVAL },
	{ "settings.invalid",              YB_EINVAL },
	{ "store.error",                   YB_EINTERNAL },
	{ "store.busy",                    YB_EUNAVAIL },
	/* the disk is full or failing (issue 14) */
	{ "store.full",                    YB_EUNAVAIL },
	/* pgha: the database connection broke or cannot be made (a
	 * failover): retry, with the same txn_id for a settlement */
	{ "store.unavailable",             YB_EUNAVAIL },
	{ "store.corrupt",                 YB_EINTERNAL },
	{ "internal",                      YB_EINTERNAL },
	{ "out_of_memory",                 YB_EINTERNAL },
};

void yb_err_clear(yb_err *err)
{
	if (!err)
		return;
	err->kind = YB_OK;
	err->code = NULL;
	err->message[0] = '\0';
}

yb_err_kind yb_err_kind_of(const char *code)
{
	for (size_t i = 0; i < sizeof err_table / sizeof err_table[0]; i++)
		if (strcmp(err_table[i].code, code) == 0)
			return err_table[i].kind;
	return YB_EINTERNAL;
}

int yb_verrf(yb_err *err, const char *code, const char *fmt, va_list ap)
{
	if (!err)
		return -1;
	err->code = code;
	err->kind = yb_err_kind_of(code);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	return -1;
}

int yb_errf(yb_err *err, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	yb_verrf(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int yb_err_http_status(yb_err_kind kind)
{
	switch (kind) {
	case YB_OK:         return 200;
	case YB_EINVAL:     return 400;
	case YB_EAUTH:      return 401;
	case YB_EFORBIDDEN: return 403;
	case YB_ENOTFOUND:  return 404;
	case YB_ECONFLICT:  return 409;
	case YB_ETOOLARGE:  return 413;
	case YB_ERULE:      return 422;
	case YB_ETHROTTLED: return 429;
	case YB_EUNAVAIL:   return 503;
	case YB_EINTERNAL:  break;
	}
	return 500;
}

const char *yb_err_code_at(int i, yb_err_kind *kind)
{
	if (i < 0 || (size_t)i >= sizeof err_table / sizeof err_table[0])
		return NULL;
	if (kind)
		*kind = err_table[i].kind;
	return err_table[i].code;
}
