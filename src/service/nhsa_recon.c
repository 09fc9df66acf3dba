/*
 * nhsa_recon.c — 3202's detail reconciliation (nhsa_file.h): the acting
 * institution's gateway settlements of a date range (nhsa_setls, by
 * institution and local day) against the detail file's lines, matched
 * by setl_id.  Each setl_id of either side is one result row: missing on
 * one side, amounts differing, revoked on one side only (refd_setl_flag),
 * or another visit or person — all named in its memo — or 平.
 */
#include "service/nhsa_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Our side of a row. */
typedef struct ours_row {
	yb_nhsa_detail d;
	char msgid[31];
} ours_row;

static int by_setl_id(const void *a, const void *b)
{
	return strcmp(((const ours_row *)a)->d.setl_id,
		      ((const ours_row *)b)->d.setl_id);
}

/* Append one day's settlements (with their patients' psn_no). */
static int ours_day(yb_ctx *ctx, yb_date d, ours_row **rows, int *n,
		    int *cap, yb_err *err)
{
	char day[11];
	yb_nhsa_setl_rec *recs = NULL;
	int nr = 0, rc = 0;

	yb_date_format(d, day, sizeof day);
	if (ctx->store->ops->nhsa_setl_list(ctx->store,
					    ctx->actor.institution_code, day,
					    &recs, &nr, err) < 0)
		return -1;
	for (int i = 0; i < nr && rc == 0; i++) {
		yb_person p;
		ours_row *o;

		if (*n == *cap) {
			int nc = *cap ? *cap * 2 : 64;
			ours_row *no = realloc(*rows, (size_t)nc * sizeof *no);
			if (!no) {
				rc = yb_errf(err, "out_of_memory", "out of memory");
				break;
			}
			*rows = no;
			*cap = nc;
		}
		o = &(*rows)[*n];
		memset(o, 0, sizeof *o);
		rc = ctx->store->ops->person_by_id(ctx->store,
						   recs[i].person_id, &p, err);
		if (rc < 0)
			break;
		snprintf(o->d.psn_no, sizeof o->d.psn_no, "%s", rc ? p.ssn : "");
		snprintf(o->d.setl_id, sizeof o->d.setl_id, "%lld",
			 (long long)recs[i].id);
		snprintf(o->d.mdtrt_id, sizeof o->d.mdtrt_id, "%s",
			 recs[i].mdtrt_id);
		snprintf(o->msgid, sizeof o->msgid, "%s", recs[i].msgid);
		o->d.medfee_fen = recs[i].medfee_fen;
		o->d.fund_fen = recs[i].fund_fen;
		o->d.acct_fen = recs[i].acct_fen;
		o->d.refd = recs[i].revoked;
		(*n)++;
		rc = 0;
	}
	free(recs);
	return rc;
}

int yb_nhsa_recon_begin(yb_ctx *ctx, yb_date begin, yb_date end,
			yb_err *err)
{
	if (yb_authorize(ctx, "reconciliation.compare", err) < 0)
		return -1;
	if (begin <= 0 || end < begin || end - begin > 366)
		return yb_errf(err, "reconciliation.invalid",
			       "stmt_begndate..stmt_enddate: at most a year");
	return yb_tx_begin(ctx, false, err);
}

static void row_from(yb_nhsa_result_row *r, const yb_nhsa_detail *d,
		     const char *msgid)
{
	memset(r, 0, sizeof *r);
	snprintf(r->psn_no, sizeof r->psn_no, "%s", d->psn_no);
	snprintf(r->mdtrt_id, sizeof r->mdtrt_id, "%s", d->mdtrt_id);
	snprintf(r->setl_id, sizeof r->setl_id, "%s", d->setl_id);
	snprintf(r->msgid, sizeof r->msgid, "%s", msgid);
	r->refd = d->refd;
	r->medfee_fen = d->medfee_fen;
	r->fund_fen = d->fund_fen;
	r->acct_fen = d->acct_fen;
}

/* Append "label 本方x 贵方y" to the memo. */
static void memo_amount(yb_nhsa_result_row *r, const char *label,
			int64_t ours, int64_t theirs)
{
	size_t at = strlen(r->memo);

	if (ours == theirs)
		return;
	snprintf(r->memo + at, sizeof r->memo - at,
		 "%s%s 本方%lld.%02lld 贵方%lld.%02lld", at ? "；" : "", label,
		 (long long)(ours / 100), (long long)(ours % 100),
		 (long long)(theirs / 100), (long long)(theirs % 100));
}

static void memo_text(yb_nhsa_result_row *r, const char *text)
{
	size_t at = strlen(r->memo);

	snprintf(r->memo + at, sizeof r->memo - at, "%s%s", at ? "；" : "",
		 text);
}

/* A setl_id on both sides: what differs, counted in sum. */
static void compare_one(yb_nhsa_result_row *r, const ours_row *o,
			const yb_nhsa_detail *t, yb_nhsa_recon_sum *sum)
{
	row_from(r, &o->d, o->msgid);
	if (strcmp(o->d.mdtrt_id, t->mdtrt_id) != 0 ||
	    strcmp(o->d.psn_no, t->psn_no) != 0) {
		memo_text(r, strcmp(o->d.mdtrt_id, t->mdtrt_id) ? "就诊ID不符"
								 : "人员编号不符");
		sum->ids++;
	}
	if (o->d.medfee_fen != t->medfee_fen || o->d.fund_fen != t->fund_fen ||
	    o->d.acct_fen != t->acct_fen) {
		memo_amount(r, "医疗费总额", o->d.medfee_fen, t->medfee_fen);
		memo_amount(r, "基金支付总额", o->d.fund_fen, t->fund_fen);
		memo_amount(r, "个人账户支付", o->d.acct_fen, t->acct_fen);
		sum->amounts++;
	}
	if (o->d.refd != t->refd) {
		memo_text(r, o->d.refd ? "撤销状态 本方已撤销 贵方未撤销"
				       : "撤销状态 本方未撤销 贵方已撤销");
		sum->refd++;
	}
	r->differs = r->memo[0] != '\0';
}

/* The merge of both sides, sorted by setl_id. */
static void merge(const ours_row *ours, int no, const yb_nhsa_detail *theirs,
		  int nt, yb_nhsa_result_row *rows, int *nrows,
		  yb_nhsa_recon_sum *sum)
{
	int i = 0, j = 0, k = 0;

	while (i < no || j < nt) {
		int c = i >= no ? 1 : j >= nt ? -1
			: strcmp(ours[i].d.setl_id, theirs[j].setl_id);
		yb_nhsa_result_row *r = &rows[k++];

		if (c < 0) {
			row_from(r, &ours[i].d, ours[i].msgid);
			memo_text(r, "贵方无此结算");
			sum->only_ours++;
			i++;
		} else if (c > 0) {
			row_from(r, &theirs[j], "");
			memo_text(r, "本方无此结算（或不在对账期间）");
			sum->only_theirs++;
			j++;
		} else {
			compare_one(r, &ours[i++], &theirs[j++], sum);
			continue;
		}
		r->differs = true;
	}
	*nrows = k;
}

int yb_nhsa_recon_detail(yb_ctx *ctx, const yb_nhsa_detail *theirs, int n,
			 yb_date begin, yb_date end, yb_nhsa_result_row **rows,
			 int *nrows, yb_nhsa_recon_sum *sum, yb_err *err)
{
	ours_row *ours = NULL;
	int no = 0, cap = 0, rc = 0;

	*rows = NULL;
	*nrows = 0;
	memset(sum, 0, sizeof *sum);
	if (yb_nhsa_recon_begin(ctx, begin, end, err) < 0)
		return -1;
	for (yb_date d = begin; d <= end && rc == 0; d++)
		rc = ours_day(ctx, d, &ours, &no, &cap, err);
	yb_tx_rollback(ctx);
	if (rc == 0) {
		if (no > 0)      /* ours is NULL for none */
			qsort(ours, (size_t)no, sizeof *ours, by_setl_id);
		*rows = malloc(((size_t)no + (size_t)n + 1) * sizeof **rows);
		if (!*rows)
			rc = yb_errf(err, "out_of_memory", "out of memory");
	}
	if (rc == 0) {
		sum->ours = no;
		sum->theirs = n;
		merge(ours, no, theirs, n, *rows, nrows, sum);
	}
	free(ours);
	return rc;
}
