/*
 * check.c — the store's engine-neutral rules and its refusals (check.h).
 *
 * The rules are the checks an engine makes before it writes: they used
 * to be written in each engine, with texts that had drifted apart (a
 * posting's "entries of 'x' sum to 5, not 0" on SQLite was "ledger
 * entries sum to 5, not 0" on PostgreSQL).  The refusals are the table
 * below: every answer of the store that says no — a duplicate, a record
 * not found, a state that forbids the change — with its one code and its
 * one message, whichever engine gives it and however it found out (a
 * failed INSERT on SQLite, ON CONFLICT on PostgreSQL, a constraint's
 * name).
 */
#include "store/check.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"

/* ---- rules ---------------------------------------------------------------- */

int yb_check_posting(const yb_posting *p, yb_err *err)
{
	int64_t sum = 0;

	if (!p->kind || !*p->kind)
		return yb_errf(err, "ledger.unbalanced",
			       "a ledger transaction needs a kind");
	if (p->n < 2 || p->n > YB_POSTING_MAX_ENTRIES)
		return yb_errf(err, "ledger.unbalanced",
			       "a ledger transaction has 2 to %d entries, not %d",
			       YB_POSTING_MAX_ENTRIES, p->n);
	for (int i = 0; i < p->n; i++)
		if (__builtin_add_overflow(sum, p->entries[i].amount_fen, &sum))
			return yb_errf(err, "ledger.unbalanced",
				       "the entries of '%s' overflow", p->kind);
	if (sum != 0)
		return yb_errf(err, "ledger.unbalanced",
			       "the entries of '%s' sum to %" PRId64 ", not 0",
			       p->kind, sum);
	return 0;
}

bool yb_is_system_kind(yb_account_kind kind)
{
	return kind == YB_ACC_FUND_POOL || kind == YB_ACC_CONTRIBUTION_INCOME ||
	       kind == YB_ACC_PATIENT_CASH || kind == YB_ACC_CLOSED_LIABILITY;
}

int yb_check_system_kind(yb_account_kind kind, yb_err *err)
{
	if (!yb_is_system_kind(kind))
		return yb_errf(err, "store.error",
			       "account kind %d is not a system account",
			       (int)kind);
	return 0;
}

/* One list of special days: each in `year`, none among the `nseen`
 * days before it (of this list or the one checked first). */
static int check_days(int year, const yb_date *days, int n, const char *kind,
		      const yb_date *seen, int nseen, yb_err *err)
{
	for (int i = 0; i < n; i++) {
		int y, m, d;

		yb_date_to_ymd(days[i], &y, &m, &d);
		if (y != year)
			return yb_errf(err, "calendar.invalid",
				       "a %s of year %d lies in %d", kind, year,
				       y);
		for (int j = 0; j < nseen + i; j++)
			if ((j < nseen ? seen[j] : days[j - nseen]) == days[i])
				return yb_errf(err, "calendar.invalid",
					       "a date is listed twice in the "
					       "calendar");
	}
	return 0;
}

int yb_check_calendar_year(const yb_calendar_year *y, yb_err *err)
{
	if (y->nholidays < 0 || y->nholidays > YB_CAL_MAX_DAYS ||
	    y->nworkdays < 0 || y->nworkdays > YB_CAL_MAX_DAYS)
		return yb_errf(err, "calendar.invalid",
			       "at most %d holidays and %d workdays a year",
			       YB_CAL_MAX_DAYS, YB_CAL_MAX_DAYS);
	if (check_days(y->year, y->holidays, y->nholidays, "holiday", NULL, 0,
		       err) < 0 ||
	    check_days(y->year, y->workdays, y->nworkdays, "workday",
		       y->holidays, y->nholidays, err) < 0)
		return -1;
	return 0;
}

int yb_check_shares(const yb_settlement *s, yb_err *err)
{
	if (s->nshares < 0 || s->nshares > YB_MAX_SHARES)
		return yb_errf(err, "store.error",
			       "a settlement has 0 to %d shares, not %d",
			       YB_MAX_SHARES, s->nshares);
	return 0;
}

int yb_check_material_target(yb_material_target target, yb_err *err)
{
	if ((unsigned)target >= YB_MAT__N)
		return yb_errf(err, "store.error",
			       "a scan belongs to a binding, a card application "
			       "or a premium, not to target %d", (int)target);
	return 0;
}

int yb_check_schema_version(int version, int known, yb_err *err)
{
	if (version > known)
		return yb_errf(err, "store.error",
			       "the database schema is version %d, newer than "
			       "this program's %d: upgrade yibao",
			       version, known);
	return 0;
}

int yb_nhsa_put_answer(const char *kind, const char *key, int mode,
		       int64_t changed, yb_err *err)
{
	if (mode == YB_NHSA_ENSURE)
		return changed > 0 ? 1 : 0;
	if (mode == YB_NHSA_INSERT && changed == 0)
		return yb_refuse_text2(err, YB_REFUSE_NHSA_DUPLICATE, kind, key);
	return 0;
}

/* ---- refusals ---------------------------------------------------------------- */

static const struct {
	const char *code;
	const char *message;
} refusals[YB_REFUSE__N] = {
	[YB_REFUSE_NONE] = { "store.error", "the database refused it" },
	[YB_REFUSE_SAVEPOINT_OPEN] = { "store.error",
		"a savepoint is already open" },
	[YB_REFUSE_NO_SAVEPOINT] = { "store.error", "no savepoint is open" },
	[YB_REFUSE_TOO_LONG] = { "store.error", "{text} does not fit" },
	[YB_REFUSE_ACCOUNT_DUPLICATE] = { "store.error",
		"that person, institution or system kind already has its "
		"account" },
	[YB_REFUSE_ACCOUNT_NOT_FOUND] = { "store.error",
		"no account with id {id}" },
	[YB_REFUSE_ACCOUNT_CLOSED] = { "ledger.account_closed",
		"account {id} is closed" },
	[YB_REFUSE_INSUFFICIENT_BALANCE] = { "ledger.insufficient_balance",
		"account {id} cannot pay {fen} fen" },
	[YB_REFUSE_BALANCE_OVERFLOW] = { "money.overflow",
		"balance of account {id} would overflow" },
	[YB_REFUSE_AUDIT_SEQ_USED] = { "store.error",
		"an audit record with this seq exists" },
	[YB_REFUSE_PERSON_DUPLICATE] = { "person.duplicate",
		"a person with this SSN or ID number is already registered" },
	[YB_REFUSE_PERSON_NOT_FOUND] = { "person.not_found",
		"no person with id {id}" },
	[YB_REFUSE_EMPLOYER_DUPLICATE] = { "employer.duplicate",
		"an employer with this code is already registered" },
	[YB_REFUSE_CONTRIBUTION_DUPLICATE] = { "contribution.duplicate",
		"this person's contribution for this period and employer is "
		"already recorded" },
	[YB_REFUSE_INSTITUTION_DUPLICATE] = { "institution.duplicate",
		"an institution with this code is already registered" },
	[YB_REFUSE_CARD_APPLICATION_NOT_FOUND] = {
		"card.application_not_found",
		"no card application with id {id}" },
	[YB_REFUSE_CARD_VALID_EXISTS] = { "card.already_has_valid_card",
		"the person already has a valid card" },
	[YB_REFUSE_CARD_NO_TAKEN] = { "store.error",
		"card number {text} is taken" },
	[YB_REFUSE_CARD_NOT_FOUND] = { "card.not_found",
		"no card with id {id}" },
	[YB_REFUSE_APIKEY_NOT_FOUND] = { "apikey.not_found",
		"no API key with id {id}" },
	[YB_REFUSE_BINDING_DUPLICATE] = { "binding.duplicate",
		"this relative is already authorized" },
	[YB_REFUSE_BINDING_NOT_FOUND] = { "binding.not_found",
		"no binding with id {id}" },
	[YB_REFUSE_BINDING_ENDED] = { "binding.already_ended",
		"binding {id} has already ended" },
	[YB_REFUSE_SETTLEMENT_TXN_REUSED] = { "settlement.txn_id_reused",
		"this transaction id has already been settled" },
	[YB_REFUSE_SETTLEMENT_NOT_FOUND] = { "settlement.not_found",
		"no settlement with id {id}" },
	[YB_REFUSE_OFFLINE_TXN_REUSED] = { "offline.txn_id_reused",
		"this transaction id has already been recorded" },
	[YB_REFUSE_OFFLINE_NOT_FOUND] = { "offline.not_found",
		"no offline record with id {id}" },
	[YB_REFUSE_OFFLINE_RESETTLED] = { "offline.already_resettled",
		"offline record {id} is already re-settled" },
	[YB_REFUSE_PREMIUM_PAID] = { "premium.already_paid",
		"this year is already paid" },
	[YB_REFUSE_PREMIUM_REQUEST_REUSED] = { "premium.request_id_reused",
		"this client request id was used for another payment" },
	[YB_REFUSE_NHSA_DUPLICATE] = { "nhsa.duplicate", "{text} {text2} exists" },
	[YB_REFUSE_NOTIFICATION_NOT_FOUND] = { "notification.not_found",
		"no notification {id} of yours" },
	[YB_REFUSE_WEBHOOK_NOT_FOUND] = { "webhook.not_found",
		"no active webhook {id}" },
	[YB_REFUSE_DELIVERY_NOT_FOUND] = { "delivery.not_found",
		"no delivery {id}" },
	[YB_REFUSE_PROOF_DUPLICATE] = { "proof.duplicate",
		"a proof with this code exists" },
	[YB_REFUSE_PROOF_REVOKED] = { "proof.already_revoked",
		"proof {id} is revoked already" },
};

typedef struct refusal_args {
	int64_t id, fen;
	const char *text, *text2;
} refusal_args;

/* Append what the placeholder at *p stands for and step over it; false
 * when *p starts no placeholder.  *len may pass `size` (cut later). */
static bool put_arg(char *out, size_t size, size_t *len, const char **p,
		    const refusal_args *a)
{
	static const char *const names[] = { "{id}", "{fen}", "{text}",
					     "{text2}" };
	const char *text;
	int k = 0;

	while (k < 4 && strncmp(*p, names[k], strlen(names[k])) != 0)
		k++;
	if (k == 4)
		return false;
	*p += strlen(names[k]);
	if (k < 2) {
		*len += (size_t)snprintf(out + *len, size - *len, "%" PRId64,
					 k == 0 ? a->id : a->fen);
		return true;
	}
	text = k == 2 ? a->text : a->text2;
	*len += (size_t)snprintf(out + *len, size - *len, "%s",
				 text ? text : "");
	return true;
}

static int refuse(yb_err *err, yb_refusal r, const refusal_args *a)
{
	char msg[YB_ERR_MSG_MAX];
	size_t len = 0;

	if (r <= YB_REFUSE_NONE || r >= YB_REFUSE__N)
		r = YB_REFUSE_NONE;
	for (const char *p = refusals[r].message;
	     *p && len + 1 < sizeof msg;) {
		if (*p == '{' && put_arg(msg, sizeof msg, &len, &p, a)) {
			if (len >= sizeof msg)
				len = sizeof msg - 1;
			continue;
		}
		msg[len++] = *p++;
	}
	msg[len] = '\0';
	return yb_errf(err, refusals[r].code, "%s", msg);
}

int yb_refuse(yb_err *err, yb_refusal r)
{
	refusal_args a = { 0, 0, NULL, NULL };

	return refuse(err, r, &a);
}

int yb_refuse_id(yb_err *err, yb_refusal r, int64_t id)
{
	refusal_args a = { id, 0, NULL, NULL };

	return refuse(err, r, &a);
}

int yb_refuse_id_fen(yb_err *err, yb_refusal r, int64_t id, int64_t fen)
{
	refusal_args a = { id, fen, NULL, NULL };

	return refuse(err, r, &a);
}

int yb_refuse_text(yb_err *err, yb_refusal r, const char *text)
{
	refusal_args a = { 0, 0, text, NULL };

	return refuse(err, r, &a);
}

int yb_refuse_text2(yb_err *err, yb_refusal r, const char *text,
		    const char *text2)
{
	refusal_args a = { 0, 0, text, text2 };

	return refuse(err, r, &a);
}

const char *yb_refusal_code(yb_refusal r)
{
	if (r <= YB_REFUSE_NONE || r >= YB_REFUSE__N)
		r = YB_REFUSE_NONE;
	return refusals[r].code;
}
