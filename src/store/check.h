/*
 * check.h — the rules of the store that belong to neither engine, written
 * once: what a posting, a calendar year and a settlement's shares must be
 * before any engine writes them, and every refusal the store answers with
 * its one code and its one message.  Both engines (sqlite/, pg/) call
 * these, so the same refusal reads the same on SQLite and PostgreSQL, and
 * the store's contract tests (tests/store) hold both to the text.
 *
 * Nothing here touches a database; nothing outside src/store includes it
 * (services see only store.h).
 */
#ifndef YB_STORE_CHECK_H
#define YB_STORE_CHECK_H

#include <stdint.h>
#include <string.h>

#include "core/calendar.h"
#include "core/err.h"
#include "core/model.h"
#include "store/store.h"

/* ---- rules ---------------------------------------------------------------- */

/* ledger_check's count of references to no row (store.h dangling_refs),
 * one anti-join per reference, in SQL both engines run: PostgreSQL no
 * longer checks these keys per row (pg/schema.c 12), SQLite still does,
 * and the check holds both to them. */
#define YB_SQL_DANGLING(child, col, parent, key) \
	"(SELECT count(*) FROM " child " c LEFT JOIN " parent " p " \
	" ON p." key " = c." col " WHERE c." col " IS NOT NULL AND p." key \
	" IS NULL)"
#define YB_SQL_DANGLING_REFS \
	"SELECT " \
	YB_SQL_DANGLING("ledger_entries", "account_id", "accounts", "id") " + " \
	YB_SQL_DANGLING("ledger_entries", "txn_id", "ledger_txns", "id") " + " \
	YB_SQL_DANGLING("settlements", "institution_code", "institutions", \
			"code") " + " \
	YB_SQL_DANGLING("settlements", "patient_id", "persons", "id") " + " \
	YB_SQL_DANGLING("settlements", "ledger_txn_id", "ledger_txns", "id") \
	" + " \
	YB_SQL_DANGLING("settlement_shares", "settlement_id", "settlements", \
			"id") " + " \
	YB_SQL_DANGLING("settlement_shares", "payer_person_id", "persons", \
			"id") " + " \
	YB_SQL_DANGLING("settlement_shares", "account_id", "accounts", "id") \
	" + " \
	YB_SQL_DANGLING("settlement_shares", "binding_id", "bindings", "id") \
	" + " \
	YB_SQL_DANGLING("notifications", "person_id", "persons", "id") " + " \
	YB_SQL_DANGLING("notifications", "relative_id", "persons", "id")

/* A1: a posting has a kind and 2..YB_POSTING_MAX_ENTRIES entries that sum
 * to exactly zero, without overflow ("ledger.unbalanced" otherwise). */
int yb_check_posting(const yb_posting *p, yb_err *err);

/* The kinds that have one account made by the schema (fund pool,
 * contribution income, patient cash, closed-account liability). */
bool yb_is_system_kind(yb_account_kind kind);
/* account_system's argument: a system kind, or "store.error". */
int yb_check_system_kind(yb_account_kind kind, yb_err *err);

/* C3b: a year's table: at most YB_CAL_MAX_DAYS holidays and as many
 * workdays, each a day of that year, no date listed twice (in either
 * list); "calendar.invalid" otherwise. */
int yb_check_calendar_year(const yb_calendar_year *y, yb_err *err);

/* A settlement has 0..YB_MAX_SHARES shares ("store.error" otherwise: the
 * service never builds more). */
int yb_check_shares(const yb_settlement *s, yb_err *err);

/* E4: a scan belongs to a binding, a card application or a premium
 * ("store.error" for any other target: the service never builds one). */
int yb_check_material_target(yb_material_target target, yb_err *err);

/* A database whose schema `version` is newer than the `known` one this
 * program writes is refused ("store.error"): an older program must not
 * write into it. */
int yb_check_schema_version(int version, int known, yb_err *err);

/* The answer of nhsa_put and the typed tables' puts (store.h) once the
 * engine knows how many rows its INSERT (ON CONFLICT DO NOTHING / DO
 * UPDATE) changed: ENSURE 1 or 0, INSERT 0 or "nhsa.duplicate" naming
 * kind and key, UPSERT 0. */
/* Is a record of this kind a kept message ("msg", "msgx"), kept in table
 * nhsa_msgs rather than nhsa_records (migration 13, on both engines)? */
static inline bool yb_nhsa_kind_is_msg(const char *kind)
{
	return kind[0] == 'm' && kind[1] == 's' && kind[2] == 'g' &&
	       (kind[3] == '\0' || (kind[3] == 'x' && kind[4] == '\0'));
}

/* Is it a nonce ("nonce"), kept in table nhsa_nonces, its key and time
 * alone — a nonce's value is always "{}" (migration 13)? */
static inline bool yb_nhsa_kind_is_nonce(const char *kind)
{
	return strcmp(kind, "nonce") == 0;
}

int yb_nhsa_put_answer(const char *kind, const char *key, int mode,
		       int64_t changed, yb_err *err);

/* ---- refusals: one code and one message each ------------------------------- */

typedef enum yb_refusal {
	YB_REFUSE_NONE = 0,             /* no refusal: a plain database error */
	/* transactions and values */
	YB_REFUSE_SAVEPOINT_OPEN,
	YB_REFUSE_NO_SAVEPOINT,
	YB_REFUSE_TOO_LONG,             /* {text}: what does not fit */
	/* accounts and the ledger */
	YB_REFUSE_ACCOUNT_DUPLICATE,
	YB_REFUSE_ACCOUNT_NOT_FOUND,    /* {id} */
	YB_REFUSE_ACCOUNT_CLOSED,       /* {id} */
	YB_REFUSE_INSUFFICIENT_BALANCE, /* {id}, {fen} it cannot pay */
	YB_REFUSE_BALANCE_OVERFLOW,     /* {id} */
	/* the audit log */
	YB_REFUSE_AUDIT_SEQ_USED,
	/* the register */
	YB_REFUSE_PERSON_DUPLICATE,
	YB_REFUSE_PERSON_NOT_FOUND,     /* {id} */
	YB_REFUSE_EMPLOYER_DUPLICATE,
	YB_REFUSE_CONTRIBUTION_DUPLICATE,
	YB_REFUSE_INSTITUTION_DUPLICATE,
	/* cards */
	YB_REFUSE_CARD_APPLICATION_NOT_FOUND, /* {id} */
	YB_REFUSE_CARD_VALID_EXISTS,
	YB_REFUSE_CARD_NO_TAKEN,        /* {text}: the card number */
	YB_REFUSE_CARD_NOT_FOUND,       /* {id} */
	/* credentials */
	YB_REFUSE_APIKEY_NOT_FOUND,     /* {id} */
	/* bindings, settlements, offline records */
	YB_REFUSE_BINDING_DUPLICATE,
	YB_REFUSE_BINDING_NOT_FOUND,    /* {id} */
	YB_REFUSE_BINDING_ENDED,        /* {id} */
	YB_REFUSE_SETTLEMENT_TXN_REUSED,
	YB_REFUSE_SETTLEMENT_NOT_FOUND, /* {id} */
	YB_REFUSE_OFFLINE_TXN_REUSED,
	YB_REFUSE_OFFLINE_NOT_FOUND,    /* {id} */
	YB_REFUSE_OFFLINE_RESETTLED,    /* {id} */
	/* family */
	YB_REFUSE_PREMIUM_PAID,
	YB_REFUSE_PREMIUM_REQUEST_REUSED,
	/* nhsa */
	YB_REFUSE_NHSA_DUPLICATE,       /* {text} the kind, {text2} the key */
	/* notify */
	YB_REFUSE_NOTIFICATION_NOT_FOUND, /* {id} */
	YB_REFUSE_WEBHOOK_NOT_FOUND,    /* {id} */
	YB_REFUSE_DELIVERY_NOT_FOUND,   /* {id} */
	/* records: proofs of insurance (R2) */
	YB_REFUSE_PROOF_DUPLICATE,
	YB_REFUSE_PROOF_REVOKED,        /* {id} */
	YB_REFUSE__N
} yb_refusal;

/* Fill err with refusal r: its code and its message, the message's {id},
 * {fen}, {text} and {text2} replaced by the arguments given.  Each
 * returns -1. */
int yb_refuse(yb_err *err, yb_refusal r);
int yb_refuse_id(yb_err *err, yb_refusal r, int64_t id);
int yb_refuse_id_fen(yb_err *err, yb_refusal r, int64_t id, int64_t fen);
int yb_refuse_text(yb_err *err, yb_refusal r, const char *text);
int yb_refuse_text2(yb_err *err, yb_refusal r, const char *text,
		    const char *text2);

/* The code refusal r answers with (for "is this that refusal?"). */
const char *yb_refusal_code(yb_refusal r);

#endif
