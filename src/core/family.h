/*
 * family.h — the pure rules of family mutual aid beyond bindings
 * (SPEC E1 premiums for relatives, E2 monthly caps per binding).
 *
 * Pure: the service reads what was used or paid inside its transaction
 * and asks these functions what is left and what may happen; then it
 * writes exactly the answer.
 */
#ifndef YB_CORE_FAMILY_H
#define YB_CORE_FAMILY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/settings.h"

/*
 * E2: the local (Asia/Shanghai, U5) calendar month an instant falls in,
 * as the instants [*from, *to) it spans.  A share counts toward the month
 * in which it was settled; a revoked one stops counting there (the
 * amount goes back to its own month, not to the month of revocation).
 */
void yb_cap_month(yb_time t, yb_time *from, yb_time *to);

/*
 * E2: what a binding with a monthly cap may still pay this month: the cap
 * minus what it already paid, never below 0 (a cap lowered under what was
 * already used leaves nothing, it takes nothing back).
 */
int64_t yb_cap_left(int64_t cap_fen, int64_t used_fen);

/* E2: a cap must be 0 (nothing may be used) up to the money limit.
 * Error "binding.invalid_cap". */
int yb_cap_check(int64_t cap_fen, yb_err *err);

/*
 * E1: the resident individual contribution of `year` that may be paid on
 * local date `today`.  The year must have an amount (setting
 * resident_premiums) and be open: from the 1st of premium_open_month of
 * the year before to the end of premium_close_month of the year itself
 * (defaults: 1 September of the year before to 31 December).  Errors:
 * premium.invalid_year (outside 2000..2099), premium.year_not_open.
 */
int yb_premium_due(const yb_settings *s, int year, yb_date today,
		   int64_t *amount_fen, yb_err *err);

/* E1: the local dates from which and up to which (inclusive) `year`'s
 * contribution may be paid (the settings' months; whether the year has
 * an amount is not asked).  Returns 0. */
int yb_premium_window(const yb_settings *s, int year, yb_date *opens,
		      yb_date *closes);

/* E1: can the authorizer pay `amount` from `balance` above the F9 floor?
 * Error premium.insufficient_balance. */
int yb_premium_affordable(int64_t balance_fen, int64_t floor_fen,
			  int64_t amount_fen, yb_err *err);

#endif
