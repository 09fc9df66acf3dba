/*
 * statement.c — SPEC R1: a person's contribution records and personal
 * account entries, and an employer's employees' records (Q2), for a
 * period, handed out a page at a time so that the edge can stream them.
 *
 * Opening checks everything that can be refused (who asks, the period,
 * whom it is about) while an error can still be the whole answer; after
 * that each page is one short read transaction, so a statement of fifty
 * years holds no transaction open while it is being written out, and a
 * slow reader at the other end of the connection holds nothing at all.
 * Contributions and entries are append-only, so pages read at different
 * moments still make one consistent statement of what was posted.
 */
#include "service/records_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* In the open's transaction: whom the statement is about. */
static int open_subject(yb_ctx *ctx, yb_statement *s, const char *who,
			yb_err *err)
{
	yb_store *st = ctx->store;
	yb_account acc;
	int found;

	if (s->kind == YB_STATEMENT_EMPLOYER) {
		found = st->ops->employer_by_code(st, who, &s->employer, err);
		if (found < 0)
			return -1;
		return found ? 0 : yb_errf(err, "employer.not_found",
					   "no employer with this code");
	}
	if (yb_rec_person(ctx, who, &s->person, err) < 0)
		return -1;
	if (s->kind != YB_STATEMENT_LEDGER)
		return 0;
	found = st->ops->account_personal_of(st, s->person.id, &acc, err);
	if (found < 0)
		return -1;
	s->has_account = found;
	s->account_id = found ? acc.id : 0;
	if (!found)
		return 0;
	found = st->ops->ledger_balance_before(st, acc.id,
					       yb_month_start(s->months.first),
					       &s->opening_fen, err);
	return found < 0 ? -1 : 0;
}

int yb_statement_open(yb_ctx *ctx, yb_statement_kind kind, const char *who,
		      const char *from, const char *to, yb_statement *out,
		      yb_err *err)
{
	int rc;

	memset(out, 0, sizeof *out);
	out->kind = kind;
	rc = kind == YB_STATEMENT_EMPLOYER
		? yb_rec_employer_scope(ctx, who, err)
		: yb_rec_authorize(ctx, who, "inquiry.person", err);
	if (rc < 0 ||
	    yb_rec_period(ctx, from, to, yb_rec_month_now(ctx), &out->months,
			  out->from, out->to, err) < 0)
		return -1;
	/* every page reads where the opening does (serve --read-db) */
	out->standby_ok = yb_reads_kept(ctx);
	out->issued_at = yb_ctx_now(ctx);
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = open_subject(ctx, out, who, err);
	yb_tx_rollback(ctx);
	return rc;
}

#define PAGE_MAX 1000

static int page_size(int max)
{
	return max < 1 ? 1 : max > PAGE_MAX ? PAGE_MAX : max;
}

int yb_statement_next_contributions(yb_ctx *ctx, yb_statement *s, int max,
				    yb_contribution **out, int *n,
				    yb_err *err)
{
	yb_store *st;
	int rc, limit = page_size(max);

	*out = NULL;
	*n = 0;
	if (s->done || s->kind == YB_STATEMENT_LEDGER)
		return 0;
	yb_reads_rearm(ctx, s->standby_ok);
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	st = ctx->store;                 /* the standby's, maybe */
	rc = st->ops->contributions_in_period(
		st, s->kind == YB_STATEMENT_EMPLOYER ? 0 : s->person.id,
		s->employer.code, s->from, s->to, s->after_period, s->after_id,
		limit, out, n, err);
	yb_tx_rollback(ctx);
	if (rc < 0)
		return -1;
	if (*n > 0) {
		memcpy(s->after_period, (*out)[*n - 1].period,
		       sizeof s->after_period);
		s->after_id = (*out)[*n - 1].id;
	}
	s->done = *n < limit;
	return 0;
}

int yb_statement_next_ledger(yb_ctx *ctx, yb_statement *s, int max,
			     yb_ledger_line **out, int *n, yb_err *err)
{
	yb_store *st;
	int rc, limit = page_size(max);

	*out = NULL;
	*n = 0;
	if (s->done || s->kind != YB_STATEMENT_LEDGER || !s->has_account) {
		s->done = true;
		return 0;
	}
	yb_reads_rearm(ctx, s->standby_ok);
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	st = ctx->store;                 /* the standby's, maybe */
	rc = st->ops->ledger_lines_between(st, s->account_id,
					   yb_month_start(s->months.first),
					   yb_month_start(s->months.last + 1),
					   s->after_id, limit, out, n, err);
	yb_tx_rollback(ctx);
	if (rc < 0)
		return -1;
	if (*n > 0)
		s->after_id = (*out)[*n - 1].entry_id;
	s->done = *n < limit;
	return 0;
}
