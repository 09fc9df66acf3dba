/*
 * records.h — the right to inquire, made useful (SPEC R1–R4): statements
 * of a period, proofs of insurance the agency signs and anyone can
 * verify, a person's gaps (断缴), and the months an employer left unpaid.
 *
 * These use cases return data; how it is written out (CSV, PDF, JSON,
 * HTML) is the edges' business (src/render/, src/http/, src/cli/).
 *
 * "Who" arguments: `ssn` NULL means the acting person himself (role
 * person, action inquiry.self); an SSN is an operator acting on a
 * person's behalf (inquiry.person, proof.*).  A person naming an SSN is
 * refused (auth.forbidden): he sees his own records only.
 *
 * Periods: `from` and `to` are "YYYY-MM", both months included; NULL
 * takes the default (to: the current month — for arrears the last closed
 * one; from: eleven months before `to`).  Errors period.invalid (a month
 * that is not one, "2026-13"; from after to) and period.too_long (more
 * than the setting statement_max_months, 600 by default).
 */
#ifndef YB_SERVICE_RECORDS_H
#define YB_SERVICE_RECORDS_H

#include "core/months.h"
#include "service/ctx.h"

/* ---- R1 statements ------------------------------------------------------- */

typedef enum {
	YB_STATEMENT_CONTRIBUTIONS,      /* a person's contribution records */
	YB_STATEMENT_LEDGER,             /* a person's personal account */
	YB_STATEMENT_EMPLOYER,           /* an employer's employees' records */
} yb_statement_kind;

/*
 * An open statement: what it is about, filled by yb_statement_open, and
 * a cursor that yb_statement_next_* moves.  Plain data: it holds no
 * transaction and no connection, so its rows can be read a page at a
 * time on whatever connection the caller has then (a streamed answer).
 */
typedef struct yb_statement {
	yb_statement_kind kind;
	yb_person person;                /* CONTRIBUTIONS, LEDGER */
	yb_employer employer;            /* EMPLOYER */
	yb_month_span months;            /* the period */
	char from[YB_MONTH_SZ], to[YB_MONTH_SZ];
	yb_time issued_at;
	/* LEDGER: no account (tier 2, resident) is an empty statement */
	bool has_account;
	yb_id account_id;
	int64_t opening_fen;             /* balance before the period */
	/* the cursor */
	char after_period[YB_MONTH_SZ];
	yb_id after_id;
	bool done;
	bool standby_ok;                 /* pages may be read on a standby
					    (yb_reads_kept) */
} yb_statement;

/*
 * Open a statement: authorize, check the period, find whom it is about.
 *   CONTRIBUTIONS, LEDGER: `who` an SSN, or NULL for the acting person;
 *   EMPLOYER: `who` an employer code (action record.employer); an
 *     employer's own key may name its own code only, any other is
 *     record.outside_scope (Q2).
 * Errors: auth.forbidden, period.invalid, period.too_long,
 * person.not_found, employer.not_found, record.outside_scope.
 */
int yb_statement_open(yb_ctx *ctx, yb_statement_kind kind, const char *who,
		      const char *from, const char *to, yb_statement *out,
		      yb_err *err);

/* The next rows, at most `max` (0 at the end); *out is malloc'd (free it,
 * also when *n is 0).  One short read transaction each. */
int yb_statement_next_contributions(yb_ctx *ctx, yb_statement *s, int max,
				    yb_contribution **out, int *n,
				    yb_err *err);
int yb_statement_next_ledger(yb_ctx *ctx, yb_statement *s, int max,
			     yb_ledger_line **out, int *n, yb_err *err);

/* ---- a person's months: R2's summary and R3's gaps --------------------------- */

#define YB_PROOF_YEARS_MAX 100

typedef struct yb_year_summary {
	int year;
	int months;                      /* insured months (up to now) */
	int64_t base_fen;                /* sums of the year's records */
	int64_t employer_fen;
	int64_t personal_fen;
	int64_t account_credit_fen;
} yb_year_summary;

/* ---- R2 proofs of insurance ---------------------------------------------------- */

/* What a proof states, as signed. */
typedef struct yb_proof_facts {
	char code[YB_PROOF_CODE_SZ];
	char name[YB_NAME_SZ];           /* in full: the proof is his */
	char id_number[YB_IDNUM_SZ];     /* masked (Q3): first 6, last 4 */
	char ssn[YB_SSN_SZ];
	yb_scheme scheme;
	yb_status status;
	char region[YB_REGION_SZ];
	char agency[YB_NAME_SZ];
	yb_time issued_at;
	char as_of[YB_MONTH_SZ];         /* the month it was issued in */
	char first_month[YB_MONTH_SZ];   /* first insured month, "" none */
	int total_months;                /* insured months in all */
	int continuity_months;           /* in a row, up to now (R3) */
	int gap_months;                  /* R3 */
	int nyears;                      /* the latest YB_PROOF_YEARS_MAX */
	yb_year_summary years[YB_PROOF_YEARS_MAX];
} yb_proof_facts;

/* The year-by-year summary as JSON, as a proof's statement holds it and
 * the API shows it: [{year, months, base_fen, employer_fen, personal_fen,
 * account_credit_fen}] (NULL when out of memory). */
struct json_t;
struct json_t *yb_proof_years_json(const yb_proof_facts *f);

/* A proof as shown: its record, what it stated, and whether it stands. */
typedef enum {
	YB_PROOF_GENUINE,                /* kept, signed, not revoked */
	YB_PROOF_REVOKED,                /* genuine, but revoked since */
	YB_PROOF_UNKNOWN,                /* no such code (made up, changed) */
	YB_PROOF_TAMPERED,               /* the record fails its signature */
} yb_proof_verdict;

typedef struct yb_proof_view {
	yb_proof record;                 /* record.statement is not kept */
	yb_proof_facts facts;
	yb_proof_verdict verdict;
	char verify_url[YB_TEXT_SZ + YB_PROOF_CODE_SZ];
} yb_proof_view;

/* The verdict's word ("genuine", "revoked", "unknown", "tampered"). */
const char *yb_proof_verdict_str(yb_proof_verdict v);

/*
 * R2: issue a proof for the acting person (ssn NULL) or, by an operator,
 * for the person with `ssn`: the facts of today, a fresh unguessable code
 * (130 random bits, base32), the agency's Ed25519 signature, the record
 * and its audit record in one transaction.  Action proof.issue.
 */
int yb_proof_issue(yb_ctx *ctx, const char *ssn, yb_proof_view *out,
		   yb_err *err);

/* R2: a proof for download.  A person gets only his own (any other code
 * is proof.not_found, as if it did not exist); operators any.  Action
 * proof.get.  out->verdict says whether it still stands. */
int yb_proof_get(yb_ctx *ctx, const char *code, yb_proof_view *out,
		 yb_err *err);

/*
 * R2: /verify/{code}, for anyone, no login: never an error for a code
 * that is not genuine — out->verdict says what it is, and for a kept
 * record (revoked or not) out->facts what it stated.  Errors only for
 * the store failing.  No authorization, nothing written.
 */
int yb_proof_verify(yb_ctx *ctx, const char *code, yb_proof_view *out,
		    yb_err *err);

/* R2: an operator revokes a proof (action proof.revoke), with a reason
 * (1..200 bytes of text, proof.invalid_reason); audited.  Errors
 * proof.not_found, proof.already_revoked. */
int yb_proof_revoke(yb_ctx *ctx, const char *code, const char *reason,
		    yb_proof_view *out, yb_err *err);

/* R2: the proofs issued for a person, newest first (action proof.get). */
int yb_proofs_list(yb_ctx *ctx, const char *ssn, yb_id before, int limit,
		   yb_proof **out, int *n, yb_err *err);

/* ---- R3 gaps --------------------------------------------------------------------- */

typedef struct yb_gaps {
	char first_month[YB_MONTH_SZ];   /* "" when nothing was ever posted */
	char last_closed[YB_MONTH_SZ];   /* the month before this one */
	int insured_months;              /* first_month..now, covered */
	int gap_months;
	int continuity_months;
	int ngaps;
	yb_month_span *gaps;             /* malloc'd; yb_gaps_release */
} yb_gaps;

/* R3: the months since the first contribution, up to the last closed
 * month, with none posted, as runs; with the continuity figure. */
int yb_gaps_of(yb_ctx *ctx, const char *ssn, yb_gaps *out, yb_err *err);
void yb_gaps_release(yb_gaps *g);

/* ---- R4 employer arrears ---------------------------------------------------------- */

typedef struct yb_arrears_item {
	yb_id person_id;
	char ssn[YB_SSN_SZ];
	char name[YB_NAME_SZ];
	yb_status status;
	yb_month_span counted;           /* his months of the period */
	int missing_months;
	int nmissing;
	yb_month_span *missing;          /* runs; part of the item */
} yb_arrears_item;

typedef struct yb_arrears {
	char employer_code[YB_CODE_SZ];  /* "" when the person has none */
	char employer_name[YB_NAME_SZ];
	char from[YB_MONTH_SZ], to[YB_MONTH_SZ];
	int employees;                   /* registered with it */
	int employees_in_arrears;
	int64_t missing_months;
	int nitems;                      /* those in arrears (one for /me) */
	yb_arrears_item *items;          /* malloc'd; yb_arrears_release */
} yb_arrears;

/*
 * R4: per employee registered with the employer, the months of the
 * period it posted no contribution for him; totals.  An employee's months
 * begin when he was registered with it (or the first month it paid for
 * him, if earlier) and end at the last closed month (or the month his
 * status last changed, if he is no longer active).  Action
 * record.employer (an employer: its own code only, else
 * record.outside_scope).
 */
int yb_arrears_of_employer(yb_ctx *ctx, const char *code, const char *from,
			   const char *to, yb_arrears *out, yb_err *err);
/* R4: the acting person's own employer's missing months for him only
 * (his right to supervise).  No employer: employer_code "", no items. */
int yb_arrears_self(yb_ctx *ctx, const char *from, const char *to,
		    yb_arrears *out, yb_err *err);
void yb_arrears_release(yb_arrears *a);

/* R4: every employer with arrears in the period (operators, action
 * arrears.list), sorted by `sort` — "missing_months" (the default),
 * "employees_in_arrears", "employees", "employer_code" or
 * "employer_name" — descending unless `ascending` (codes and names:
 * ascending unless asked otherwise is the caller's choice).  Error
 * record.invalid_sort.  *out is malloc'd. */
typedef struct yb_employer_arrears {
	char employer_code[YB_CODE_SZ];
	char employer_name[YB_NAME_SZ];
	int employees;
	int employees_in_arrears;
	int64_t missing_months;
} yb_employer_arrears;

/* The period as reported is written to period_from/period_to. */
int yb_arrears_employers(yb_ctx *ctx, const char *from, const char *to,
			 const char *sort, bool ascending,
			 char period_from[YB_MONTH_SZ],
			 char period_to[YB_MONTH_SZ],
			 yb_employer_arrears **out, int *n, yb_err *err);

#endif
