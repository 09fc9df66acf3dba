/*
 * money.h — integer fen arithmetic and formatting (SPEC U1).
 *
 * No floating point: yuan strings are parsed digit by digit.  Arithmetic
 * that could overflow int64_t is checked; money limits in the API are far
 * below (YB_MONEY_MAX), so an overflow means bad input.
 */
#ifndef YB_MONEY_H
#define YB_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest amount accepted anywhere: 10^13 fen = 100 billion yuan. */
#define YB_MONEY_MAX INT64_C(10000000000000)

/* a + b into *out; false on overflow. */
bool yb_money_add(int64_t a, int64_t b, int64_t *out);
/* a - b into *out; false on overflow. */
bool yb_money_sub(int64_t a, int64_t b, int64_t *out);
/* 0 <= v <= YB_MONEY_MAX */
bool yb_money_valid(int64_t v);

/* Parse "1234", "1234.5", "1234.50", "-3.07" (yuan) into fen; at most two
 * decimals, no exponent, no spaces; false otherwise. */
bool yb_money_parse_yuan(const char *s, int64_t *fen);

/* Format fen as yuan with two decimals: 123450 → "1234.50", -7 → "-0.07".
 * With `grouped`, thousands separated by commas: "1,234.50". buf ≥ 32. */
char *yb_money_format(int64_t fen, bool grouped, char *buf, size_t size);

#endif
