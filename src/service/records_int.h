/*
 * records_int.h — what the records use cases share (statement.c,
 * proof.c, gaps.c, arrears.c) and nobody else needs: whom a record is
 * about, the period asked for, and a person's insured months.
 */
#ifndef YB_SERVICE_RECORDS_INT_H
#define YB_SERVICE_RECORDS_INT_H

#include "service/records.h"

/* The current local month, and the last closed one (the month before). */
int yb_rec_month_now(const yb_ctx *ctx);

/*
 * The period from..to with its defaults (records.h): `to` NULL is
 * `default_to`, `from` NULL eleven months before `to`.  Checks it against
 * the setting statement_max_months.  Fills out and, if not NULL, the
 * months as text.  Errors period.invalid, period.too_long.
 */
int yb_rec_period(const yb_ctx *ctx, const char *from, const char *to,
		  int default_to, yb_month_span *out,
		  char from_s[YB_MONTH_SZ], char to_s[YB_MONTH_SZ],
		  yb_err *err);

/*
 * Whom a record is about: `ssn` NULL is the acting person (action
 * inquiry.self); an SSN needs `op_action` and is refused to a person
 * (auth.forbidden).  Authorizes only; call before the transaction.
 */
int yb_rec_authorize(yb_ctx *ctx, const char *ssn,
		     const char *op_action, yb_err *err);
/* Q2: an employer's records are for its own key (its own code; any other
 * is record.outside_scope) and the agency's staff (action
 * record.employer). */
int yb_rec_employer_scope(yb_ctx *ctx, const char *code, yb_err *err);
/* ... and, in the transaction, the person himself (person.not_found). */
int yb_rec_person(yb_ctx *ctx, const char *ssn, yb_person *out, yb_err *err);

/* A person's insured months and what he paid, year by year. */
typedef struct yb_rec_history {
	yb_month_span *cover;            /* malloc'd; merged */
	int ncover;
	int nyears;                      /* the latest YB_PROOF_YEARS_MAX */
	yb_year_summary years[YB_PROOF_YEARS_MAX];
} yb_rec_history;

/* Read every contribution record of the person (in the caller's
 * transaction) into a history; months after `upto` are not counted as
 * insured.  yb_rec_history_release frees it. */
int yb_rec_history_load(yb_ctx *ctx, yb_id person_id, int upto,
			yb_rec_history *out, yb_err *err);
void yb_rec_history_release(yb_rec_history *h);

/* ---- R2: what a proof states (proof_facts.c) ---- */

/* The facts of today about person p under `code` (in the caller's
 * transaction). */
int yb_proof_facts_build(yb_ctx *ctx, const yb_person *p, const char *code,
			 yb_proof_facts *out, yb_err *err);
/* As JSON text (malloc'd; NULL when out of memory): what is signed. */
char *yb_proof_facts_encode(const yb_proof_facts *f);
/* Read it back: 0, or -1 for text that is not a proof's facts. */
int yb_proof_facts_decode(const char *text, yb_proof_facts *f);

#endif
