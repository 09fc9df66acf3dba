/*
 * idnum.c — resident ID numbers (GB 11643-1999, SPEC U2), social security
 * numbers (U3) and region codes (U4).
 *
 * An ID number is region (6 digits) + birth date (YYYYMMDD) + sequence
 * (3 digits, odd for men) + a check character computed over the first 17
 * digits by ISO 7064 MOD 11-2.  Each check below reports the first part
 * that is wrong, so that an operator at a window knows what to look at.
 */
#include "core/idnum.h"

#include <string.h>

#define IDNUM_LEN 18

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

char yb_idnum_check_char(const char *first17)
{
	/* Weight i is 2^(17-i) mod 11; remainder r maps to the character
	 * that makes the weighted sum of all 18 congruent to 1 mod 11. */
	static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6,
					 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char map[11] = { '1', '0', 'X', '9', '8', '7',
				      '6', '5', '4', '3', '2' };
	int sum = 0;

	for (int i = 0; i < 17; i++)
		sum += (first17[i] - '0') * weights[i];
	return map[sum % 11];
}

int yb_idnum_parse(const char *s, yb_date today, yb_idnum *out, yb_err *err)
{
	static const char code[] = "person.invalid_id_number";
	yb_date birth;
	char check;
	size_t len;

	if (!s)
		return yb_errf(err, code, "ID number is missing");
	len = strlen(s);
	if (len != IDNUM_LEN)
		return yb_errf(err, code,
			       "ID number must be 18 characters, not %zu", len);
	for (int i = 0; i < 17; i++)
		if (!is_digit(s[i]))
			return yb_errf(err, code,
				       "ID number character %d must be a digit",
				       i + 1);
	if (!is_digit(s[17]) && s[17] != 'X' && s[17] != 'x')
		return yb_errf(err, code,
			       "ID number must end in a digit or X");

	{
		char ymd[9];
		memcpy(ymd, s + 6, 8);
		ymd[8] = '\0';
		if (!yb_date_parse_compact(ymd, &birth))
			return yb_errf(err, code,
				       "ID number birth date %s is not a real date",
				       ymd);
		if (birth < yb_date_from_ymd(1900, 1, 1))
			return yb_errf(err, code,
				       "ID number birth date %s is before 1900",
				       ymd);
		if (birth > today)
			return yb_errf(err, code,
				       "ID number birth date %s is in the future",
				       ymd);
	}

	check = yb_idnum_check_char(s);
	if ((s[17] == 'x' ? 'X' : s[17]) != check)
		return yb_errf(err, code,
			       "ID number check character is wrong");

	memcpy(out->normalized, s, IDNUM_LEN);
	out->normalized[17] = check;
	out->normalized[IDNUM_LEN] = '\0';
	memcpy(out->region, s, 6);
	out->region[6] = '\0';
	out->birth_date = birth;
	out->sex = (s[16] - '0') % 2 == 1 ? YB_SEX_MALE : YB_SEX_FEMALE;
	return 0;
}

/* Are s's characters all digits, and is its length in [min, max]? */
static bool digits_between(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++)
		if (!is_digit(s[n]) || n >= max)
			return false;
	return n >= min;
}

bool yb_ssn_valid(const char *s)
{
	return digits_between(s, 7, 12);
}

bool yb_region_valid(const char *s)
{
	return digits_between(s, 6, 6) && s[0] != '0';
}
