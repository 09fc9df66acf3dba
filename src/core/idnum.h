/*
 * idnum.h — resident ID numbers (GB 11643-1999, SPEC U2) and social
 * security computer numbers (U3).
 */
#ifndef YB_IDNUM_H
#define YB_IDNUM_H

#include <stdbool.h>

#include "core/err.h"
#include "core/model.h"

typedef struct yb_idnum {
	char normalized[YB_IDNUM_SZ];   /* lower-case x → X */
	char region[YB_REGION_SZ];      /* first 6 digits */
	yb_date birth_date;
	yb_sex sex;                     /* sequence odd = male, even = female */
} yb_idnum;

/*
 * Parse and check an ID number: 18 characters, 17 digits then a digit or
 * X/x; a real birth date not after `today`; the ISO 7064 MOD 11-2 check
 * character.  On failure: "person.invalid_id_number" with a message that
 * says which part is wrong.
 */
int yb_idnum_parse(const char *s, yb_date today, yb_idnum *out, yb_err *err);

/* The check character for the first 17 digits ('0'..'9' or 'X'). */
char yb_idnum_check_char(const char *first17);

/* SSN: digits only, 7..12 long (U3). */
bool yb_ssn_valid(const char *s);

/* Region code: exactly 6 digits, first not 0 (U4). */
bool yb_region_valid(const char *s);

#endif
