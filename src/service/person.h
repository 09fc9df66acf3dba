/*
 * person.h — the register of insured persons and their employers (SPEC P,
 * U2–U4), and bulk registration from CSV (P5).
 */
#ifndef YB_SERVICE_PERSON_H
#define YB_SERVICE_PERSON_H

#include "service/ctx.h"

typedef struct yb_person_new {
	const char *ssn;
	const char *id_number;
	const char *name;
	const char *scheme;              /* "employee_tier1" ... */
	const char *region;              /* NULL → settings region */
	const char *employer_code;       /* NULL or "" → none */
} yb_person_new;

/* A person with what the views show beside him. */
typedef struct yb_person_view {
	yb_person person;
	bool has_account;
	yb_account account;
	bool has_card;
	yb_card card;                    /* newest card, any state */
} yb_person_view;

/*
 * P1–P2: register a person; sex and birth date come from the ID number;
 * a personal account is opened when the scheme carries one (setting).
 * Errors: person.invalid_ssn, person.invalid_id_number, person.invalid_name,
 * person.invalid_scheme, person.invalid_region, employer.not_found,
 * person.duplicate.  Action "person.register".
 */
int yb_person_register(yb_ctx *ctx, const yb_person_new *in, yb_person *out,
		       yb_err *err);

/* Look up by SSN (or, if `key` is 18 characters, by ID number). */
int yb_person_get(yb_ctx *ctx, const char *key, yb_person_view *out,
		  yb_err *err);

/*
 * Q2, Q3: a person as an employer (its own employees) or an institution
 * (a patient named by his ID number, or one it has settled) may see him;
 * `key` an SSN or an ID number.  Anyone else is person.not_found, as an
 * unknown person is.  Action "person.seen"; person_seen.c says why.
 */
int yb_person_seen(yb_ctx *ctx, const char *key, yb_person *out,
		   yb_err *err);

/* Q1: the acting person's own record, account and newest card (role
 * person, action "inquiry.self"); for GET /api/v1/me. */
int yb_person_self(yb_ctx *ctx, yb_person_view *out, yb_err *err);

/* P3: contributions interrupted / resumed. */
int yb_person_suspend(yb_ctx *ctx, const char *ssn, yb_person *out,
		      yb_err *err);
int yb_person_resume(yb_ctx *ctx, const char *ssn, yb_person *out,
		     yb_err *err);

/*
 * P4: terminate with reason "emigrated" | "transferred_out" | "deceased",
 * in one transaction: the valid card is cancelled (C6), every binding in
 * which he is either party ends (F8), the personal account is closed and
 * its balance moved to the closed-account liability.
 */
int yb_person_terminate(yb_ctx *ctx, const char *ssn, const char *reason,
			yb_person *out, yb_err *err);

/* Portal password (Argon2id).  Error auth.weak_password (< 8 chars). */
int yb_person_set_password(yb_ctx *ctx, const char *ssn,
			   const char *password, yb_err *err);

int yb_employer_register(yb_ctx *ctx, const char *code, const char *name,
			 yb_employer *out, yb_err *err);
int yb_employer_get(yb_ctx *ctx, const char *code, yb_employer *out,
		    yb_err *err);

#endif
