/*
 * person_int.h — the part of person registration shared between the
 * single-person use case (person.c) and bulk CSV import (import.c), so
 * that both apply exactly the same validation and writes (P1, P2, P5).
 * Internal to the service layer.
 */
#ifndef YB_SERVICE_PERSON_INT_H
#define YB_SERVICE_PERSON_INT_H

#include "service/person.h"

/*
 * Validate `in` and write the person, his personal account (when his
 * scheme carries one) and the "person.register" audit record, inside the
 * caller's open write transaction.  Checks in this order:
 * person.invalid_ssn, person.invalid_id_number, person.invalid_name,
 * person.invalid_scheme, person.invalid_region, employer.not_found,
 * person.duplicate.  On error the caller must roll back (the transaction
 * or its savepoint): a failure after the person row is written leaves
 * that row behind.
 */
int yb_person_insert_new(yb_ctx *ctx, const yb_person_new *in,
			 yb_person *out, yb_err *err);

/* The person with this SSN, inside the caller's open transaction, or
 * error person.not_found (also for a malformed SSN). */
int yb_person_load(yb_ctx *ctx, const char *ssn, yb_person *out, yb_err *err);

/* The employer with this code, inside the caller's open transaction, or
 * error employer.not_found (also for a code that cannot exist). */
int yb_employer_load(yb_ctx *ctx, const char *code, yb_employer *out,
		     yb_err *err);

/*
 * Replace a person's portal password (checked as yb_person_set_password
 * checks it) and end all his sessions except the one whose token hash is
 * `keep_hash` (NULL: all), with the audit record, in one transaction.
 * The caller has authorized it (issue 14: operators, or the person
 * himself after proving the current password).
 */
int yb_person_password_replace(yb_ctx *ctx, const char *ssn,
			       const char *password, const char *keep_hash,
			       yb_err *err);

#endif
