/*
 * money.c — integer fen arithmetic, parsing and formatting (SPEC U1).
 *
 * Amounts are int64_t fen.  Yuan strings are read digit by digit into an
 * integer, never through a floating-point conversion, and every step that
 * could overflow is checked with the compiler's overflow builtins.
 */
#include "core/money.h"

#include <stdio.h>

bool yb_money_add(int64_t a, int64_t b, int64_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

bool yb_money_sub(int64_t a, int64_t b, int64_t *out)
{
	return !__builtin_sub_overflow(a, b, out);
}

bool yb_money_valid(int64_t v)
{
	return v >= 0 && v <= YB_MONEY_MAX;
}

/*
 * Grammar: ["-"] digits ["." digit [digit]].  No "+", no leading or
 * trailing spaces, no ".5" or "5.", no exponent.  The magnitude is
 * accumulated as a negative number so that INT64_MIN fen ("-92233720368547758.08")
 * is representable.
 */
bool yb_money_parse_yuan(const char *s, int64_t *fen)
{
	bool neg = false;
	int64_t v = 0;        /* minus the magnitude in fen, see above */
	int ndigits = 0, ndec = 0;

	if (!s)
		return false;
	if (*s == '-') {
		neg = true;
		s++;
	}
	for (; *s >= '0' && *s <= '9'; s++, ndigits++)
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_sub_overflow(v, *s - '0', &v))
			return false;
	if (ndigits == 0)
		return false;
	if (*s == '.') {
		s++;
		for (; *s >= '0' && *s <= '9'; s++, ndec++) {
			if (ndec == 2)
				return false;
			if (__builtin_mul_overflow(v, 10, &v) ||
			    __builtin_sub_overflow(v, *s - '0', &v))
				return false;
		}
		if (ndec == 0)
			return false;
	}
	if (*s != '\0')
		return false;
	for (; ndec < 2; ndec++)
		if (__builtin_mul_overflow(v, 10, &v))
			return false;
	if (!neg && v == INT64_MIN)
		return false;
	*fen = neg ? v : -v;
	return true;
}

char *yb_money_format(int64_t fen, bool grouped, char *buf, size_t size)
{
	/* The magnitude as unsigned, so INT64_MIN has one too. */
	uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	char tmp[40];
	int pos = (int)sizeof tmp;
	int ndigits = 0;

	tmp[--pos] = '\0';
	tmp[--pos] = (char)('0' + mag % 10);
	mag /= 10;
	tmp[--pos] = (char)('0' + mag % 10);
	mag /= 10;
	tmp[--pos] = '.';
	do {
		if (grouped && ndigits > 0 && ndigits % 3 == 0)
			tmp[--pos] = ',';
		tmp[--pos] = (char)('0' + mag % 10);
		mag /= 10;
		ndigits++;
	} while (mag > 0);
	if (fen < 0)
		tmp[--pos] = '-';
	snprintf(buf, size, "%s", tmp + pos);
	return buf;
}
