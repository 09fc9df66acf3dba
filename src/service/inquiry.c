/*
 * inquiry.c — what a person, an operator and an employer may look up
 * (SPEC Q1, Q2, F7).
 *
 * These return the records as stored, other people's names and ID
 * numbers included: masking (Q3) is a matter of who sees the answer, so
 * the edge that renders it masks with core/mask.h.  Reads change nothing
 * and are not audited.  Pages: limit is clamped to 1..500, `before` is
 * the last id of the previous page (0 = from the newest).
 */
#include "service/inquiry.h"
#include "service/famcap.h"

#include <stdlib.h>

#define LIMIT_MAX 500

/* What to list, for whom: one of the store's paged list operations. */
typedef enum { LIST_CONTRIB, LIST_LEDGER, LIST_SETTLE, LIST_USAGE } list_kind;

static int clamp(int limit)
{
	return limit < 1 ? 1 : limit > LIMIT_MAX ? LIMIT_MAX : limit;
}

/* One list for person `pid`, inside the caller's read transaction. */
static int list_of(yb_ctx *ctx, yb_id pid, list_kind kind, yb_id before,
		   int limit, void **out, int *n, yb_err *err)
{
	yb_store *st = ctx->store;
	yb_account acc;
	int found, rc = -1;

	limit = clamp(limit);
	switch (kind) {
	case LIST_CONTRIB:
		rc = st->ops->contributions_of_person(
			st, pid, before, limit, (yb_contribution **)out, n, err);
		break;
	case LIST_SETTLE:
		rc = st->ops->settlements_of_patient(
			st, pid, before, limit, (yb_settlement **)out, n, err);
		break;
	case LIST_USAGE:
		/* family: E2 — with the cuts that left no share */
		rc = yb_famcap_usage(ctx, pid, before, limit,
				     (yb_usage **)out, n, err);
		break;
	case LIST_LEDGER:
		/* No personal account (tier 2, residents): an empty statement.
		 * A closed one still has its history to show. */
		found = st->ops->account_personal_of(st, pid, &acc, err);
		if (found <= 0) {
			rc = found;
			break;
		}
		rc = st->ops->ledger_lines(st, acc.id, before, limit,
					   (yb_ledger_line **)out, n, err);
		break;
	}
	return rc;
}

/* The person a list is about: the acting person himself for inquiry.self
 * (`self`), the one named by SSN for inquiry.person. */
static int list_run(yb_ctx *ctx, bool self, const char *ssn, list_kind kind,
		    yb_id before, int limit, void **out, int *n, yb_err *err)
{
	yb_person p;
	yb_id pid;
	int found, rc = -1;

	*out = NULL;
	*n = 0;
	if (yb_authorize(ctx, self ? "inquiry.self" : "inquiry.person",
			 err) < 0)
		return -1;
	if (!self && !ssn)
		return yb_errf(err, "request.missing_field", "ssn is required");
	if (before < 0)
		return yb_errf(err, "request.invalid_cursor", "invalid cursor");
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	pid = ctx->actor.person_id;
	if (!self) {
		found = ctx->store->ops->person_by_ssn(ctx->store, ssn, &p,
						       err);
		if (found < 0)
			goto out;
		if (!found) {
			yb_errf(err, "person.not_found",
				"no person with this SSN");
			goto out;
		}
		pid = p.id;
	}
	rc = list_of(ctx, pid, kind, before, limit, out, n, err);
out:
	yb_tx_rollback(ctx);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc < 0 ? -1 : 0;
}

int yb_my_contributions(yb_ctx *ctx, yb_id before, int limit,
			yb_contribution **out, int *n, yb_err *err)
{
	return list_run(ctx, true, NULL, LIST_CONTRIB, before, limit,
			(void **)out, n, err);
}

int yb_my_ledger(yb_ctx *ctx, yb_id before, int limit, yb_ledger_line **out,
		 int *n, yb_err *err)
{
	return list_run(ctx, true, NULL, LIST_LEDGER, before, limit,
			(void **)out, n, err);
}

int yb_my_settlements(yb_ctx *ctx, yb_id before, int limit,
		      yb_settlement **out, int *n, yb_err *err)
{
	return list_run(ctx, true, NULL, LIST_SETTLE, before, limit,
			(void **)out, n, err);
}

int yb_my_family_usage(yb_ctx *ctx, yb_id before, int limit, yb_usage **out,
		       int *n, yb_err *err)
{
	return list_run(ctx, true, NULL, LIST_USAGE, before, limit,
			(void **)out, n, err);
}

int yb_person_contributions(yb_ctx *ctx, const char *ssn, yb_id before,
			    int limit, yb_contribution **out, int *n,
			    yb_err *err)
{
	return list_run(ctx, false, ssn, LIST_CONTRIB, before, limit,
			(void **)out, n, err);
}

int yb_person_ledger(yb_ctx *ctx, const char *ssn, yb_id before, int limit,
		     yb_ledger_line **out, int *n, yb_err *err)
{
	return list_run(ctx, false, ssn, LIST_LEDGER, before, limit,
			(void **)out, n, err);
}

int yb_person_settlements(yb_ctx *ctx, const char *ssn, yb_id before,
			  int limit, yb_settlement **out, int *n, yb_err *err)
{
	return list_run(ctx, false, ssn, LIST_SETTLE, before, limit,
			(void **)out, n, err);
}

int yb_person_family_usage(yb_ctx *ctx, const char *ssn, yb_id before,
			   int limit, yb_usage **out, int *n, yb_err *err)
{
	return list_run(ctx, false, ssn, LIST_USAGE, before, limit,
			(void **)out, n, err);
}

/* Q2: an employer sees its own employees' records only — the employer
 * code is the caller's, never a parameter. */
int yb_employer_contributions(yb_ctx *ctx, const char *period, yb_id before,
			      int limit, yb_contribution **out, int *n,
			      yb_err *err)
{
	int rc;

	*out = NULL;
	*n = 0;
	if (yb_authorize(ctx, "inquiry.employer", err) < 0)
		return -1;
	if (period && !yb_period_valid(period))
		return yb_errf(err, "contribution.invalid_period",
			       "period: YYYY-MM");
	if (before < 0)
		return yb_errf(err, "request.invalid_cursor", "invalid cursor");
	if (!ctx->actor.employer_code[0])
		return yb_errf(err, "auth.forbidden",
			       "the caller is bound to no employer");
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = ctx->store->ops->contributions_of_employer(
		ctx->store, ctx->actor.employer_code, period, before,
		clamp(limit), out, n, err);
	yb_tx_rollback(ctx);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}
