/*
 * sfx.h — the settle suite's fixtures on top of the service tests' fx
 * (tests/service/fixture.h): insured persons with money in their
 * accounts, cards, institutions, bindings, and short ways to act as a
 * person, an institution or an operator.  Everything is made through the
 * public services, as a real agency would.
 */
#ifndef YB_TEST_SETTLE_SFX_H
#define YB_TEST_SETTLE_SFX_H

#include <string.h>

#include "core/ecert.h"
#include "fixture.h"
#include "service/binding.h"
#include "service/card.h"
#include "service/inquiry.h"
#include "service/ledger.h"
#include "service/settle.h"

/* A tier-1 person with `balance` fen in his account (0: none credited). */
yb_person sfx_insured(fx *f, int n, int64_t balance);

/* A person of another scheme ("employee_tier2", "resident"). */
yb_person sfx_other(fx *f, int n, const char *scheme);

/* A card applied for at the center (issued on the spot), optionally
 * financially activated; returns it. */
yb_card sfx_card(fx *f, const yb_person *p, bool activate);

/* Register an institution (as admin). */
void sfx_institution(fx *f, const char *code);

/* Act as the person himself on the web, as an institution, as an
 * operator of `role` on his own channel. */
void sfx_as_person(fx *f, const yb_person *p);
void sfx_as_inst(fx *f, const char *code);
void sfx_as_operator(fx *f, yb_role role);

/* `authorizer` lets `relative` use his account (web, as himself);
 * fails the test unless it succeeds. */
yb_binding sfx_bind(fx *f, const yb_person *authorizer,
		    const yb_person *relative, const char *relationship);

/* Settle at the current institution actor. */
int sfx_settle(fx *f, const char *txn, const char *cred_type,
	       const char *cred_value, const char *visit, int64_t total,
	       int64_t fund, yb_settlement *out, bool *repeat, yb_err *err);

/* A share of a settlement paid by this person (NULL if none). */
const yb_share *sfx_share_of(const yb_settlement *s, yb_id person_id);

/* The books balance (A1–A3). */
void sfx_ledger_ok(fx *f);

#endif
