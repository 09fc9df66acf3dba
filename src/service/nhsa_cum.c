/*
 * nhsa_cum.c — a person's yearly totals (N6: deductible, fund, fees and
 * count per insurance type × visit family, moved in each settlement's own
 * transaction and reported by 5206) and an institution's totals of
 * gateway settlements over dates, which 3201/3202 reconcile.
 *
 * A totals row is a row of the store's nhsa_cums (key person|year|
 * insutype|visit family); the settlements are the rows of nhsa_setls.  Under
 * concurrency (N6) a totals row is read locked before the policy is
 * computed from it (PostgreSQL FOR UPDATE; SQLite's write transaction
 * holds the database), so two bills of one person at once are computed
 * one after the other; every path takes it before the account locks.
 */
#include "service/nhsa_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/nhsa_file.h"

int yb_nhsa_year_of(yb_time t)
{
	int y, m, d;
	yb_date_to_ymd(yb_date_of(t), &y, &m, &d);
	return y;
}

void yb_nhsa_cum_key(char *buf, size_t size, yb_id person, int year,
		     const char *insutype, int visit)
{
	snprintf(buf, size, "%lld|%d|%s|%d", (long long)person, year,
		 insutype, visit);
}

/*
 * The totals row, read locked.  A row that is there (the usual case: any
 * earlier bill of the year) is read at once; one that is not is made
 * first (`make`, inside a write transaction) — inserted if still absent,
 * so that there is a row to lock — and read again.  Absent and not made:
 * zeros.
 */
int yb_nhsa_cum_read(yb_ctx *ctx, const char *key, bool make,
		     yb_nhsa_cum_rec *c, yb_err *err)
{
	int found = ctx->store->ops->nhsa_cum_get(ctx->store, key, c, err);

	if (found != 0)
		return found < 0 ? -1 : 0;
	yb_nhsa_cpy(c->key, sizeof c->key, key);
	if (!make)
		return 0;
	if (ctx->store->ops->nhsa_cum_put(ctx->store, c, YB_NHSA_ENSURE,
					  err) < 0)
		return -1;
	found = ctx->store->ops->nhsa_cum_get(ctx->store, key, c, err);
	if (found < 0)
		return -1;
	return found ? 0 : yb_errf(err, "store.corrupt", "cum %s", key);
}

/* Add sign × (this settlement) to its totals row. */
int yb_nhsa_cum_move(yb_ctx *ctx, yb_nhsa_cum_rec *c, const yb_nhsa_setl *o,
		     int sign, yb_err *err)
{
	c->dedc_fen += sign * o->dedc_fen;
	c->fund_fen += sign * o->fund_fen;
	c->medfee_fen += sign * o->medfee_fen;
	c->count += sign;
	return ctx->store->ops->nhsa_cum_put(ctx->store, c, YB_NHSA_UPSERT,
					     err);
}

int yb_nhsa_cum_get(yb_ctx *ctx, const char *psn_no, int year,
		    yb_nhsa_cum *out, int *n, yb_err *err)
{
	static const char *const insus[] = { "310", "390" };
	yb_person p;
	char key[128];
	int found, rc = -1;

	*n = 0;
	if (yb_authorize(ctx, "nhsa.cumulative", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = ctx->store->ops->person_by_ssn(ctx->store, psn_no, &p, err);
	if (found <= 0) {
		if (found == 0)
			yb_errf(err, "person.not_found", "psn_no");
		goto out;
	}
	for (int i = 0; i < 2; i++)
		for (int v = 0; v < YB_VISIT__N; v++) {
			yb_nhsa_cum_rec r;
			yb_nhsa_cum_key(key, sizeof key, p.id, year, insus[i], v);
			found = ctx->store->ops->nhsa_cum_get(ctx->store, key,
							      &r, err);
			if (found < 0)
				goto out;
			if (!found)
				continue;
			yb_nhsa_cum *c = &out[(*n)++];
			memset(c, 0, sizeof *c);
			yb_nhsa_cpy(c->insutype, sizeof c->insutype, insus[i]);
			c->year = year;
			c->visit = v;
			c->dedc_fen = r.dedc_fen;
			c->fund_fen = r.fund_fen;
			c->medfee_fen = r.medfee_fen;
			c->count = r.count;
		}
	rc = 0;
out:
	yb_tx_rollback(ctx);
	return rc;
}

/* Add the institution's settlements of one local date. */
static int totals_day(yb_ctx *ctx, const char *insutype, yb_date d,
		      yb_nhsa_totals *t, yb_err *err)
{
	char day[11];
	yb_nhsa_setl_rec *recs = NULL;
	int n = 0;

	yb_date_format(d, day, sizeof day);
	if (ctx->store->ops->nhsa_setl_list(ctx->store,
					    ctx->actor.institution_code, day,
					    &recs, &n, err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const yb_nhsa_setl_rec *r = &recs[i];
		if (r->revoked || (*insutype && strcmp(r->insutype, insutype)))
			continue;
		t->count++;
		t->medfee_fen += r->medfee_fen;
		t->fund_fen += r->fund_fen;
		t->acct_fen += r->acct_fen;
		t->cash_fen += r->cash_fen;
	}
	free(recs);
	return 0;
}

int yb_nhsa_totals_get(yb_ctx *ctx, const char *insutype, yb_date begin,
		       yb_date end, yb_nhsa_totals *out, yb_err *err)
{
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (yb_nhsa_recon_begin(ctx, begin, end, err) < 0)
		return -1;
	for (yb_date d = begin; d <= end && rc == 0; d++)
		rc = totals_day(ctx, insutype ? insutype : "", d, out, err);
	yb_tx_rollback(ctx);
	return rc;
}
