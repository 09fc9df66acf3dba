/*
 * family.c — monthly caps per binding (SPEC E2): the local month of an
 * instant and what a capped binding may still pay.  See family.h.
 */
#include "core/family.h"

#include "core/money.h"

void yb_cap_month(yb_time t, yb_time *from, yb_time *to)
{
	int y, m, d;

	yb_date_to_ymd(yb_date_of(t), &y, &m, &d);
	*from = yb_time_of_date(yb_date_from_ymd(y, m, 1));
	if (m == 12) {
		y++;
		m = 1;
	} else {
		m++;
	}
	*to = yb_time_of_date(yb_date_from_ymd(y, m, 1));
}

int64_t yb_cap_left(int64_t cap_fen, int64_t used_fen)
{
	if (used_fen < 0)
		used_fen = 0;
	return used_fen >= cap_fen ? 0 : cap_fen - used_fen;
}

int yb_cap_check(int64_t cap_fen, yb_err *err)
{
	if (cap_fen < 0 || !yb_money_valid(cap_fen))
		return yb_errf(err, "binding.invalid_cap",
			       "monthly_cap_fen: 0 to %lld fen, or null for none",
			       (long long)YB_MONEY_MAX);
	return 0;
}

int yb_premium_window(const yb_settings *s, int year, yb_date *opens,
		      yb_date *closes)
{
	int cm = s->premium_close_month;

	*opens = yb_date_from_ymd(year - 1, s->premium_open_month, 1);
	/* the day before the 1st of the month after the closing month */
	*closes = (cm == 12 ? yb_date_from_ymd(year + 1, 1, 1)
			    : yb_date_from_ymd(year, cm + 1, 1)) - 1;
	return 0;
}

int yb_premium_due(const yb_settings *s, int year, yb_date today,
		   int64_t *amount_fen, yb_err *err)
{
	yb_date opens, closes;

	if (year < YB_PREMIUM_YEAR_MIN ||
	    year >= YB_PREMIUM_YEAR_MIN + YB_PREMIUM_YEARS)
		return yb_errf(err, "premium.invalid_year",
			       "year: %d to %d", YB_PREMIUM_YEAR_MIN,
			       YB_PREMIUM_YEAR_MIN + YB_PREMIUM_YEARS - 1);
	*amount_fen = s->resident_premium_fen[year - YB_PREMIUM_YEAR_MIN];
	if (*amount_fen <= 0)
		return yb_errf(err, "premium.year_not_open",
			       "no resident contribution is set for %d", year);
	yb_premium_window(s, year, &opens, &closes);
	if (today < opens || today > closes)
		return yb_errf(err, "premium.year_not_open",
			       "the %d contribution is paid from %d-%02d-01 "
			       "to the end of %d-%02d", year, year - 1,
			       s->premium_open_month, year,
			       s->premium_close_month);
	return 0;
}

int yb_premium_affordable(int64_t balance_fen, int64_t floor_fen,
			  int64_t amount_fen, yb_err *err)
{
	if (balance_fen - floor_fen < amount_fen)
		return yb_errf(err, "premium.insufficient_balance",
			       "the account's balance above the floor (F9) is "
			       "below the contribution");
	return 0;
}
