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
