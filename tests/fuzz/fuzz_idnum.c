/*
 * fuzz_idnum.c — resident ID numbers (GB 11643, SPEC U2), SSNs (U3) and
 * region codes (U4), on any bytes (issue #14).
 *
 * Invariants beyond "no crash": an accepted ID number is 18 characters,
 * its check character is the computed one, its birth date is real and
 * not after today, and it parses again to the same result; an accepted
 * SSN is 7–12 digits.
 */
#include <string.h>

#include "core/date.h"
#include "core/idnum.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	yb_date today = yb_date_from_ymd(2026, 12, 4);
	yb_idnum a, b;
	yb_err err;
	size_t n = strlen(s);

	if (yb_idnum_parse(s, today, &a, &err) == 0) {
		FUZZ_CHECK(n == 18 && strlen(a.normalized) == 18);
		FUZZ_CHECK(yb_idnum_check_char(a.normalized) ==
			   a.normalized[17]);
		FUZZ_CHECK(a.birth_date <= today);
		/* U2 asks 6 digits of the region, not a U4 region code. */
		FUZZ_CHECK(strspn(a.region, "0123456789") == 6);
		FUZZ_CHECK(yb_idnum_parse(a.normalized, today, &b, &err) == 0);
		FUZZ_CHECK(strcmp(a.normalized, b.normalized) == 0 &&
			   strcmp(a.region, b.region) == 0 &&
			   a.birth_date == b.birth_date && a.sex == b.sex);
	} else {
		fuzz_client_error(&err);
	}
	if (n >= 17 && strspn(s, "0123456789") >= 17) {
		char c = yb_idnum_check_char(s);
		FUZZ_CHECK(c == 'X' || (c >= '0' && c <= '9'));
	}
	if (yb_ssn_valid(s))
		FUZZ_CHECK(n >= 7 && n <= 12 && strspn(s, "0123456789") == n);
	if (yb_region_valid(s))
		FUZZ_CHECK(n == 6 && s[0] != '0');
	free(s);
	return 0;
}
