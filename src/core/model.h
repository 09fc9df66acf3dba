/*
 * model.h — the data model of yibao in one place (as Redis's server.h).
 *
 * Plain structs with fixed-size text fields: a record can be copied,
 * stored on the stack and returned by value without any ownership
 * questions.  Every enum has a string form, which is what the database,
 * the JSON API and the CLI use (see enums.c).  Money is always int64_t fen
 * (SPEC U1); dates are yb_date day numbers (local calendar dates, U5);
 * instants are yb_time, seconds since the Unix epoch, UTC.
 */
#ifndef YB_MODEL_H
#define YB_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/date.h"

typedef int64_t yb_id;          /* database row id; 0 = none */

/* Field sizes, including the terminating NUL. */
#define YB_SSN_SZ        13     /* 7–12 digits (U3) */
#define YB_IDNUM_SZ      19     /* 18 characters (U2) */
#define YB_NAME_SZ       128    /* UTF-8 */
#define YB_REGION_SZ     7      /* 6 digits (U4) */
#define YB_CODE_SZ       33     /* employer / institution code */
#define YB_CARD_NO_SZ    21
#define YB_TXN_ID_SZ     65     /* institution's own transaction id */
#define YB_ACTOR_SZ      65     /* who did it: "person:123456789", "key:7" */
#define YB_TEXT_SZ       256    /* free text: reasons, references */
#define YB_HASH_HEX_SZ   65     /* SHA-256 as hex */

/* ---- enums (string forms in enums.c) -------------------------------- */

typedef enum { YB_SCHEME_EMPLOYEE_TIER1, YB_SCHEME_EMPLOYEE_TIER2,
	       YB_SCHEME_RESIDENT, YB_SCHEME__N } yb_scheme;

typedef enum { YB_STATUS_ACTIVE, YB_STATUS_SUSPENDED, YB_STATUS_TERMINATED,
	       YB_STATUS__N } yb_status;

typedef enum { YB_TERM_NONE, YB_TERM_EMIGRATED, YB_TERM_TRANSFERRED_OUT,
	       YB_TERM_DECEASED, YB_TERM__N } yb_term_reason;

typedef enum { YB_SEX_MALE, YB_SEX_FEMALE } yb_sex;

typedef enum { YB_ACC_PERSONAL, YB_ACC_FUND_POOL, YB_ACC_CONTRIBUTION_INCOME,
	       YB_ACC_INSTITUTION_RECEIVABLE, YB_ACC_PATIENT_CASH,
	       YB_ACC_CLOSED_LIABILITY, YB_ACC__N } yb_account_kind;

typedef enum { YB_CARD_IN_PRODUCTION, YB_CARD_READY, YB_CARD_ISSUED,
	       YB_CARD_LOST, YB_CARD_CANCELLED, YB_CARD__N } yb_card_state;

typedef enum { YB_ROUTE_CENTER, YB_ROUTE_SERVICE_POINT, YB_ROUTE_AGENT,
	       YB_ROUTE_EMPLOYER, YB_ROUTE__N } yb_card_route;

typedef enum { YB_REL_SPOUSE, YB_REL_PARENT, YB_REL_CHILD, YB_REL_SIBLING,
	       YB_REL_GRANDPARENT, YB_REL_GRANDCHILD, YB_REL__N,
	       YB_REL_SELF = 100 /* only in settlement shares */ } yb_relationship;

typedef enum { YB_CHAN_WEB, YB_CHAN_WECHAT, YB_CHAN_TERMINAL,
	       YB_CHAN_HOSPITAL_OFFICE, YB_CHAN_AGENCY_WINDOW,
	       YB_CHAN_CLI, YB_CHAN_API, YB_CHAN__N } yb_channel;

typedef enum { YB_ROLE_PERSON, YB_ROLE_EMPLOYER, YB_ROLE_INSTITUTION,
	       YB_ROLE_TERMINAL, YB_ROLE_HOSPITAL_OFFICE,
	       YB_ROLE_AGENCY_WINDOW, YB_ROLE_ADMIN, YB_ROLE__N } yb_role;

typedef enum { YB_INST_HOSPITAL, YB_INST_CLINIC, YB_INST_PHARMACY,
	       YB_INST__N } yb_inst_type;

typedef enum { YB_VISIT_OUTPATIENT, YB_VISIT_PHARMACY, YB_VISIT_INPATIENT,
	       YB_VISIT__N } yb_visit_type;

typedef enum { YB_CRED_CARD, YB_CRED_ECERT, YB_CRED_ID_NUMBER,
	       YB_CRED__N } yb_cred_type;

typedef enum { YB_SETTLE_SETTLED, YB_SETTLE_REVOKED, YB_SETTLE_PREVIEW,
	       YB_SETTLE__N } yb_settle_state;

typedef enum { YB_OFFLINE_CASH_PAID, YB_OFFLINE_RESETTLED,
	       YB_OFFLINE__N } yb_offline_state;

/* ---- records ---------------------------------------------------------- */

typedef struct yb_person {
	yb_id id;
	char ssn[YB_SSN_SZ];
	char id_number[YB_IDNUM_SZ];     /* normalized: upper-case X */
	char name[YB_NAME_SZ];
	yb_sex sex;                      /* derived from id_number (U2) */
	yb_date birth_date;              /* derived from id_number (U2) */
	char region[YB_REGION_SZ];
	yb_scheme scheme;
	yb_status status;
	yb_term_reason term_reason;      /* YB_TERM_NONE unless terminated */
	char employer_code[YB_CODE_SZ];  /* "" if none */
	yb_time created_at;
	yb_time updated_at;
} yb_person;

typedef struct yb_employer {
	char code[YB_CODE_SZ];
	char name[YB_NAME_SZ];
	yb_time created_at;
} yb_employer;

typedef struct yb_account {
	yb_id id;
	yb_account_kind kind;
	yb_id person_id;                 /* personal accounts */
	char institution_code[YB_CODE_SZ]; /* institution receivables */
	int64_t balance_fen;
	bool closed;
	yb_time created_at;
} yb_account;

/* One entry of a ledger transaction; the entries of one transaction sum
 * to zero (A1). */
typedef struct yb_entry {
	yb_id account_id;
	int64_t amount_fen;
} yb_entry;

#define YB_POSTING_MAX_ENTRIES 40

/* A ledger transaction to post. */
typedef struct yb_posting {
	const char *kind;        /* "contribution", "settlement", "revocation",
				    "account_closure", "resettlement", ... */
	char ref[YB_TEXT_SZ];    /* what it belongs to, e.g. "settlement:42" */
	int n;
	yb_entry entries[YB_POSTING_MAX_ENTRIES];
} yb_posting;

/* A ledger line as read back for an account's statement. */
typedef struct yb_ledger_line {
	yb_id entry_id;
	yb_id txn_id;
	char kind[32];
	char ref[YB_TEXT_SZ];
	int64_t amount_fen;
	int64_t balance_after_fen;
	yb_time at;
} yb_ledger_line;

typedef struct yb_contribution {
	yb_id id;
	yb_id person_id;
	char ssn[YB_SSN_SZ];
	char period[8];                  /* "YYYY-MM" */
	char employer_code[YB_CODE_SZ];
	int64_t base_fen;
	int64_t employer_fen;
	int64_t personal_fen;
	int64_t account_credit_fen;
	yb_id ledger_txn_id;
	yb_time created_at;
	/* family: E1 — a premium paid from a relative's account ("" else) */
	char paid_by_ssn[YB_SSN_SZ];
	char paid_by_name[YB_NAME_SZ];
} yb_contribution;

/* family: E1 — a relative's resident premium for a year, paid from an
 * authorizer's personal account. */
#define YB_REQUEST_ID_SZ 65
typedef struct yb_premium {
	yb_id id;
	yb_id relative_id;
	char relative_ssn[YB_SSN_SZ];    /* filled by reads */
	char relative_name[YB_NAME_SZ];
	int year;
	yb_id payer_id;                  /* the authorizer */
	char payer_ssn[YB_SSN_SZ];
	char payer_name[YB_NAME_SZ];
	yb_id binding_id;                /* the binding that proved the relation */
	int64_t amount_fen;
	yb_id ledger_txn_id;
	yb_id contribution_id;
	char client_request_id[YB_REQUEST_ID_SZ];
	yb_time created_at;
} yb_premium;

typedef struct yb_card {
	yb_id id;
	char card_no[YB_CARD_NO_SZ];
	yb_id person_id;
	yb_card_state state;
	bool activated;                  /* financial activation (C1) */
	yb_id application_id;
	yb_time created_at;
	yb_time updated_at;
} yb_card;

typedef struct yb_card_application {
	yb_id id;
	yb_id person_id;
	yb_card_route route;
	char materials_json[1024];       /* what was presented, as JSON */
	yb_date applied_on;
	yb_date ready_by;                /* 0 when not applicable */
	yb_id card_id;                   /* the card made for it, 0 if none yet */
	char operator_id[YB_ACTOR_SZ];
	yb_time created_at;
} yb_card_application;

typedef struct yb_institution {
	char code[YB_CODE_SZ];
	char name[YB_NAME_SZ];
	yb_inst_type type;
	yb_id receivable_account_id;
	yb_time created_at;
} yb_institution;

typedef struct yb_binding {
	yb_id id;
	yb_id authorizer_id;
	yb_id relative_id;
	char authorizer_ssn[YB_SSN_SZ];  /* filled by reads, for display */
	char relative_ssn[YB_SSN_SZ];
	char relative_name[YB_NAME_SZ];
	char authorizer_name[YB_NAME_SZ];
	yb_relationship relationship;
	yb_channel channel;
	char materials_json[512];
	char operator_id[YB_ACTOR_SZ];   /* "" for self-service channels */
	yb_time created_at;
	yb_time ended_at;                /* 0 while active */
	char end_reason[64];             /* "authorizer", "terminated", ... */
	/* --- family caps (E2): filled by the service, not the store --- */
	bool has_cap;
	int64_t cap_fen;                 /* the monthly cap */
	int64_t cap_used_fen;            /* used in the current local month */
} yb_binding;

/* An authorizer who may pay for a patient, as the settlement sees him. */
typedef struct yb_payer_candidate {
	yb_id binding_id;
	yb_id person_id;
	yb_id account_id;
	char ssn[YB_SSN_SZ];
	char name[YB_NAME_SZ];
	yb_relationship relationship;
	int64_t balance_fen;
	yb_status status;                /* only active authorizers pay */
	bool account_open;
	yb_time bound_at;                /* ties: the older binding first */
	/* --- family caps (E2) --- */
	bool capped;                     /* the binding has a monthly cap */
	int64_t cap_left_fen;            /* what it may still pay this month */
} yb_payer_candidate;

#define YB_MAX_SHARES 32

typedef struct yb_share {
	yb_id payer_person_id;
	yb_id account_id;
	yb_id binding_id;                /* 0 for the patient's own account */
	char payer_ssn[YB_SSN_SZ];
	char payer_name[YB_NAME_SZ];
	yb_relationship relationship;    /* YB_REL_SELF for own account */
	int64_t amount_fen;
} yb_share;

/* --- family caps (E2) --- */
/* A binding whose monthly cap cut its share of a settlement: cut_fen is
 * what it would have paid without the cap, less what it paid (its share
 * may be absent when the cap was used up). */
typedef struct yb_cap_cut {
	yb_id binding_id;
	yb_id payer_person_id;
	char payer_ssn[YB_SSN_SZ];
	int64_t cut_fen;
} yb_cap_cut;

typedef struct yb_settlement {
	yb_id id;
	char institution_code[YB_CODE_SZ];
	char txn_id[YB_TXN_ID_SZ];
	yb_id patient_id;
	char patient_ssn[YB_SSN_SZ];
	char patient_name[YB_NAME_SZ];
	yb_cred_type cred_type;
	yb_visit_type visit_type;
	int64_t total_fen;
	int64_t fund_pay_fen;
	int64_t account_pay_fen;
	int64_t cash_pay_fen;
	yb_settle_state state;
	char request_hash[YB_HASH_HEX_SZ]; /* detects conflicting repeats (S4) */
	yb_id ledger_txn_id;
	yb_id revoke_txn_id;
	yb_id offline_id;                /* set when it is a re-settlement (S6) */
	yb_time settled_at;
	yb_time revoked_at;
	int nshares;
	yb_share shares[YB_MAX_SHARES];
	int ncap_cuts;                   /* E2: caps that cut a share */
	yb_cap_cut cap_cuts[YB_MAX_SHARES];
} yb_settlement;

typedef struct yb_offline {
	yb_id id;
	char institution_code[YB_CODE_SZ];
	char txn_id[YB_TXN_ID_SZ];
	yb_id patient_id;
	char patient_ssn[YB_SSN_SZ];
	char patient_name[YB_NAME_SZ];
	yb_cred_type cred_type;
	yb_visit_type visit_type;
	int64_t total_fen;
	int64_t fund_pay_fen;
	yb_time occurred_at;
	yb_time recorded_at;
	yb_offline_state state;
	yb_id settlement_id;             /* the re-settlement, once made */
	int64_t refund_fen;              /* cash to give back to the patient */
	yb_time resettled_at;
} yb_offline;

/* Family usage (F7): one share paid from my account for a relative. */
typedef struct yb_usage {
	yb_id settlement_id;
	yb_id share_account_id;
	char relative_ssn[YB_SSN_SZ];
	char relative_name[YB_NAME_SZ];
	yb_relationship relationship;
	char institution_code[YB_CODE_SZ];
	char institution_name[YB_NAME_SZ];
	yb_visit_type visit_type;
	int64_t amount_fen;
	yb_settle_state state;           /* revoked shares are shown as such */
	yb_time at;
	int64_t cap_cut_fen;             /* E2: what the monthly cap held back */
} yb_usage;

/* Daily totals for one institution (S7). */
typedef struct yb_recon_totals {
	yb_date date;
	int64_t count;
	int64_t total_fen;
	int64_t fund_pay_fen;
	int64_t account_pay_fen;
	int64_t cash_pay_fen;
	int64_t revoked_count;
} yb_recon_totals;

typedef struct yb_audit_record {
	yb_id seq;
	yb_time at;
	char actor[YB_ACTOR_SZ];
	yb_role role;
	yb_channel channel;
	char action[48];                 /* "person.register", "settlement.revoke" */
	char target[YB_TEXT_SZ];         /* "person:440300...", "settlement:42" */
	char result[YB_TEXT_SZ];         /* "ok" or the error code */
	char prev_hash[YB_HASH_HEX_SZ];
	char hash[YB_HASH_HEX_SZ];
	/* pgha: the hash chain it is on.  0 is the one chain of the SQLite
	 * engine (seq contiguous); PostgreSQL writes several chains 1..N
	 * side by side, numbered from one sequence (docs/ARCHITECTURE.md). */
	int chain;
} yb_audit_record;

/* pgha: where an engine recorded a chain's newest record (seq 0: none). */
typedef struct yb_audit_head {
	int chain;
	yb_id seq;
	char hash[YB_HASH_HEX_SZ];
} yb_audit_head;

#define YB_AUDIT_MAX_CHAINS 256   /* chain numbers 0..YB_AUDIT_MAX_CHAINS-1 */

/* API keys (operators, terminals, institutions, employers). */
typedef struct yb_api_key {
	yb_id id;
	char key_hash[YB_HASH_HEX_SZ];   /* SHA-256 of the secret */
	yb_role role;
	char institution_code[YB_CODE_SZ];
	char employer_code[YB_CODE_SZ];
	char label[YB_NAME_SZ];
	yb_time created_at;
	yb_time revoked_at;
} yb_api_key;

/* ---- records and proofs (SPEC R2, R4) ------------------------------------ */

/* R2: a proof of insurance (参保证明) as the agency keeps it.  The code is
 * 26 characters of base32 (130 random bits); `statement` is the JSON text
 * the proof stated, byte for byte as signed. */
#define YB_PROOF_CODE_SZ 27
#define YB_SIG_HEX_SZ    129     /* an Ed25519 signature as hex */
typedef struct yb_proof {
	yb_id id;
	char code[YB_PROOF_CODE_SZ];
	yb_id person_id;
	char ssn[YB_SSN_SZ];             /* filled by reads */
	char *statement;                 /* malloc'd by proof_by_code; NULL
					    in lists; yb_proof_release */
	char signature[YB_SIG_HEX_SZ];
	char key_id[YB_HASH_HEX_SZ];     /* the signing public key, hex */
	yb_time issued_at;
	char issued_by[YB_ACTOR_SZ];
	yb_time revoked_at;              /* 0: not revoked */
	char revoked_by[YB_ACTOR_SZ];
	char revoke_reason[YB_TEXT_SZ];
} yb_proof;

/* R4: one row of an employer's register scan: an employee (a person
 * registered with the employer) and one period in the window that the
 * employer paid for him ("" when it paid for none). */
typedef struct yb_employee_month {
	yb_id person_id;
	char ssn[YB_SSN_SZ];
	char name[YB_NAME_SZ];
	char employer_code[YB_CODE_SZ];
	char employer_name[YB_NAME_SZ];
	yb_status status;
	yb_time registered_at;           /* when he was registered */
	yb_time status_at;               /* his last change of status */
	char first_period[8];            /* the first period this employer
					    ever paid for him, "" none */
	char period[8];                  /* a period paid in the window */
} yb_employee_month;

/* Person sessions (portal logins). */
typedef struct yb_session {
	char token_hash[YB_HASH_HEX_SZ];
	yb_id person_id;
	yb_time created_at;
	yb_time expires_at;
} yb_session;

#endif
