/*
 * records.c — what the records use cases share (records_int.h): the
 * current month, the period asked for, whom a record is about, and a
 * person's insured months read from his contribution records.
 */
#include "service/records_int.h"

#include <stdlib.h>
#include <string.h>

int yb_rec_month_now(const yb_ctx *ctx)
{
	return yb_month_of_time(yb_ctx_now(ctx));
}

int yb_rec_period(const yb_ctx *ctx, const char *from, const char *to,
		  int default_to, yb_month_span *out,
		  char from_s[YB_MONTH_SZ], char to_s[YB_MONTH_SZ],
		  yb_err *err)
{
	char f[YB_MONTH_SZ], t[YB_MONTH_SZ];
	int max = ctx->settings->statement_max_months;
	int last;

	if (max <= 0)
		max = YB_PERIOD_MAX_MONTHS_DEFAULT;
	if (!to || !*to)
		to = yb_month_format(default_to, t, sizeof t);
	if (!from || !*from) {
		/* the default is a year up to `to`, if `to` is a month */
		if (!yb_month_parse(to, &last))
			return yb_errf(err, "period.invalid",
				       "to: a month as YYYY-MM (01 to 12) "
				       "is needed");
		from = yb_month_format(last - 11, f, sizeof f);
	}
	if (yb_period_range(from, to, max, out, err) < 0)
		return -1;
	if (from_s)
		yb_month_format(out->first, from_s, YB_MONTH_SZ);
	if (to_s)
		yb_month_format(out->last, to_s, YB_MONTH_SZ);
	return 0;
}

int yb_rec_authorize(yb_ctx *ctx, const char *ssn,
		     const char *op_action, yb_err *err)
{
	if (!ssn)
		return yb_authorize(ctx, "inquiry.self", err);
	if (ctx->actor.role == YB_ROLE_PERSON)
		return yb_errf(err, "auth.forbidden",
			       "a person sees his own records only");
	return yb_authorize(ctx, op_action, err);
}

int yb_rec_employer_scope(yb_ctx *ctx, const char *code, yb_err *err)
{
	if (yb_authorize(ctx, "record.employer", err) < 0)
		return -1;
	if (!code || !*code)
		return yb_errf(err, "request.missing_field",
			       "an employer code is required");
	if (ctx->actor.role == YB_ROLE_EMPLOYER &&
	    strcmp(ctx->actor.employer_code, code) != 0)
		return yb_errf(err, "record.outside_scope",
			       "an employer sees its own employees' records "
			       "only");
	return 0;
}

int yb_rec_person(yb_ctx *ctx, const char *ssn, yb_person *out, yb_err *err)
{
	int found;

	if (ssn)
		found = ctx->store->ops->person_by_ssn(ctx->store, ssn, out,
						       err);
	else
		found = ctx->store->ops->person_by_id(ctx->store,
						      ctx->actor.person_id,
						      out, err);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "person.not_found",
			       "no person with this SSN");
	return 0;
}

/* ---- history ------------------------------------------------------------- */

#define HISTORY_PAGE 500

/* The year's summary, appended if it is a new year (rows come in period
 * order, so a year is new only at the end); the oldest year is dropped
 * when there are more than YB_PROOF_YEARS_MAX. */
static yb_year_summary *year_of(yb_rec_history *h, int year)
{
	if (h->nyears > 0 && h->years[h->nyears - 1].year == year)
		return &h->years[h->nyears - 1];
	if (h->nyears == YB_PROOF_YEARS_MAX) {
		memmove(h->years, h->years + 1,
			sizeof h->years[0] * (YB_PROOF_YEARS_MAX - 1));
		h->nyears--;
	}
	memset(&h->years[h->nyears], 0, sizeof h->years[0]);
	h->years[h->nyears].year = year;
	return &h->years[h->nyears++];
}

/* Add one page of records; *cap is the room in h->cover. */
static int add_rows(yb_rec_history *h, int *cap, const yb_contribution *c,
		    int n, yb_err *err)
{
	for (int i = 0; i < n; i++) {
		yb_month_span sp;
		yb_year_summary *y;

		if (!yb_period_span(c[i].period, &sp))
			continue;        /* not a period: nothing it covers */
		if (h->ncover == *cap) {
			int more = *cap ? *cap * 2 : 64;
			yb_month_span *p = realloc(h->cover,
						   sizeof *p * (size_t)more);

			if (!p)
				return yb_errf(err, "out_of_memory",
					       "out of memory");
			h->cover = p;
			*cap = more;
		}
		h->cover[h->ncover++] = sp;
		y = year_of(h, yb_month_year(sp.first));
		y->base_fen += c[i].base_fen;
		y->employer_fen += c[i].employer_fen;
		y->personal_fen += c[i].personal_fen;
		y->account_credit_fen += c[i].account_credit_fen;
	}
	return 0;
}

int yb_rec_history_load(yb_ctx *ctx, yb_id person_id, int upto,
			yb_rec_history *out, yb_err *err)
{
	char after[YB_MONTH_SZ] = "";
	yb_id after_id = 0;
	int cap = 0, n;

	memset(out, 0, sizeof *out);
	do {
		yb_contribution *page = NULL;

		if (ctx->store->ops->contributions_in_period(ctx->store,
				person_id, NULL, "1800-01", "9999-12", after,
				after_id, HISTORY_PAGE, &page, &n, err) < 0 ||
		    add_rows(out, &cap, page, n, err) < 0) {
			free(page);
			yb_rec_history_release(out);
			return -1;
		}
		if (n > 0) {
			memcpy(after, page[n - 1].period, sizeof after);
			after_id = page[n - 1].id;
		}
		free(page);
	} while (n == HISTORY_PAGE);
	out->ncover = yb_months_merge(out->cover, out->ncover);
	for (int i = 0; i < out->nyears; i++) {
		int y0 = out->years[i].year * 12;

		out->years[i].months = yb_months_covered(
			out->cover, out->ncover, y0,
			y0 + 11 < upto ? y0 + 11 : upto);
	}
	return 0;
}

void yb_rec_history_release(yb_rec_history *h)
{
	if (!h)
		return;
	free(h->cover);
	h->cover = NULL;
	h->ncover = 0;
}
