/*
 * nhsa_cum.c — a person's yearly totals (N6: deductible, fund, fees and
 * count per insurance type × visit family, moved in each settlement's own
 * transaction and reported by 5206) and an institution's totals of
 * gateway settlements over dates, which 3201/3202 reconcile.
 *
 * Record kind "cum" (key person|year|insutype|visit family).  Under
 * concurrency (N6) a totals row is read locked before the policy is
 * computed from it (PostgreSQL FOR UPDATE; SQLite's write transaction
 * holds the database), so two bills of one person at once are computed
 * one after the other; every path takes it before the account locks.
 */
#include "service/nhsa_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"

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

static json_t *cum_zero(void)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "dedc", (json_int_t)0, "fund",
			 (json_int_t)0, "medfee", (json_int_t)0, "count",
			 (json_int_t)0);
}

/*
 * The totals row, read locked.  A row that is there (the usual case: any
 * earlier bill of the year) is read at once; one that is not is made
 * first (`make`, inside a write transaction) — inserted if still absent,
 * so that there is a row to lock — and read again.
 */
int yb_nhsa_cum_read(yb_ctx *ctx, const char *key, bool make, json_t **j,
		     yb_err *err)
{
	json_t *zero;
	int found = yb_nhsa_rec_get(ctx, "cum", key, j, NULL, err);

	if (found != 0)
		return found < 0 ? -1 : 0;
	zero = cum_zero();
	if (!zero)
		return yb_errf(err, "out_of_memory", "out of memory");
	if (!make) {
		*j = zero;
		return 0;
	}
	if (yb_nhsa_rec_put(ctx, "cum", key, "", zero, YB_NHSA_ENSURE,
			    err) < 0) {
		json_decref(zero);
		return -1;
	}
	json_decref(zero);
	found = yb_nhsa_rec_get(ctx, "cum", key, j, NULL, err);
	if (found < 0)
		return -1;
	return found ? 0 : yb_errf(err, "store.corrupt", "cum %s", key);
}

/* Add sign × (this settlement) to its totals row. */
int yb_nhsa_cum_move(yb_ctx *ctx, const char *key, json_t *j,
		     const yb_nhsa_setl *o, int sign, yb_err *err)
{
	yb_jw w = YB_JW_INIT;

	yb_jw_raw(&w, "{");
	yb_jw_kint(&w, "dedc", yb_nhsa_ji(j, "dedc") + sign * o->dedc_fen);
	yb_jw_kint(&w, "fund", yb_nhsa_ji(j, "fund") + sign * o->fund_fen);
	yb_jw_kint(&w, "medfee", yb_nhsa_ji(j, "medfee") + sign * o->medfee_fen);
	yb_jw_kint(&w, "count", yb_nhsa_ji(j, "count") + sign);
	yb_jw_raw(&w, "}");
	return yb_nhsa_rec_put_text(ctx, "cum", key, "", yb_jw_take(&w, NULL),
				    YB_NHSA_UPSERT, err);
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
			json_t *j = NULL;
			yb_nhsa_cum_key(key, sizeof key, p.id, year, insus[i], v);
			found = yb_nhsa_rec_get(ctx, "cum", key, &j, NULL, err);
			if (found < 0)
				goto out;
			if (!found)
				continue;
			yb_nhsa_cum *c = &out[(*n)++];
			memset(c, 0, sizeof *c);
			yb_nhsa_cpy(c->insutype, sizeof c->insutype, insus[i]);
			c->year = year;
			c->visit = v;
			c->dedc_fen = yb_nhsa_ji(j, "dedc");
			c->fund_fen = yb_nhsa_ji(j, "fund");
			c->medfee_fen = yb_nhsa_ji(j, "medfee");
			c->count = yb_nhsa_ji(j, "count");
			json_decref(j);
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
	char grp[96], day[11];
	yb_nhsa_rec *recs = NULL;
	json_error_t jerr;
	int n = 0;

	yb_date_format(d, day, sizeof day);
	snprintf(grp, sizeof grp, "%s|%s", ctx->actor.institution_code, day);
	if (ctx->store->ops->nhsa_list(ctx->store, "setl", grp, &recs, &n,
				       err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		json_t *j = json_loads(recs[i].val, 0, &jerr);
		if (j && !json_is_true(json_object_get(j, "revoked")) &&
		    (!*insutype ||
		     strcmp(yb_nhsa_js(j, "insutype"), insutype) == 0)) {
			t->count++;
			t->medfee_fen += yb_nhsa_ji(j, "medfee");
			t->fund_fen += yb_nhsa_ji(j, "fund");
			t->acct_fen += yb_nhsa_ji(j, "acct");
			t->cash_fen += yb_nhsa_ji(j, "cash");
		}
		json_decref(j);
	}
	yb_nhsa_recs_free(recs, n);
	return 0;
}

int yb_nhsa_totals_get(yb_ctx *ctx, const char *insutype, yb_date begin,
		       yb_date end, yb_nhsa_totals *out, yb_err *err)
{
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (yb_authorize(ctx, "reconciliation.compare", err) < 0)
		return -1;
	if (begin <= 0 || end < begin || end - begin > 366)
		return yb_errf(err, "reconciliation.invalid",
			       "stmt_begndate..stmt_enddate: at most a year");
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	for (yb_date d = begin; d <= end && rc == 0; d++)
		rc = totals_day(ctx, insutype ? insutype : "", d, out, err);
	yb_tx_rollback(ctx);
	return rc;
}
