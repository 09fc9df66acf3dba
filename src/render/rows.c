/*
 * rows.c — what a statement's table holds (SPEC R1): its columns, and
 * each row as text, the same for the CSV file and the PDF page (money
 * grouped by thousands on paper only).
 */
#include "render/render_int.h"

#include <stdio.h>
#include <string.h>

#include "core/mask.h"
#include "core/money.h"

/* Widths in points add up to the page's text width (A4 less margins). */
static const yb_pdf_col contribution_cols[] = {
	{ "所属期", 52, YB_LEFT },
	{ "缴费单位", 96, YB_LEFT },
	{ "缴费基数(元)", 66, YB_RIGHT },
	{ "单位缴纳(元)", 62, YB_RIGHT },
	{ "个人缴纳(元)", 62, YB_RIGHT },
	{ "划入个人账户(元)", 76, YB_RIGHT },
	{ "备注", 85.276, YB_LEFT },
};
static const yb_pdf_col employer_cols[] = {
	{ "所属期", 56, YB_LEFT },
	{ "社保电脑号", 90, YB_LEFT },
	{ "缴费基数(元)", 88, YB_RIGHT },
	{ "单位缴纳(元)", 82, YB_RIGHT },
	{ "个人缴纳(元)", 82, YB_RIGHT },
	{ "划入个人账户(元)", 101.276, YB_RIGHT },
};
static const yb_pdf_col ledger_cols[] = {
	{ "记账时间", 94, YB_LEFT },
	{ "摘要", 82, YB_LEFT },
	{ "业务编号", 167.276, YB_LEFT },
	{ "收支(元)", 78, YB_RIGHT },
	{ "余额(元)", 78, YB_RIGHT },
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

const yb_pdf_col *yb_statement_cols(yb_statement_kind kind, int *n)
{
	switch (kind) {
	case YB_STATEMENT_EMPLOYER:
		*n = COUNT(employer_cols);
		return employer_cols;
	case YB_STATEMENT_LEDGER:
		*n = COUNT(ledger_cols);
		return ledger_cols;
	default:
		*n = COUNT(contribution_cols);
		return contribution_cols;
	}
}

static void cell(yb_row *r, const char *s)
{
	if (r->n < YB_ROW_MAX)
		snprintf(r->cell[r->n++], sizeof r->cell[0], "%s", s ? s : "");
}

static void money(yb_row *r, int64_t fen, bool grouped)
{
	char buf[40];

	cell(r, yb_money_format(fen, grouped, buf, sizeof buf));
}

void yb_row_contribution(const yb_statement *s, const yb_contribution *c,
			 bool grouped, yb_row *r)
{
	char note[YB_NAME_SZ + 32], masked[YB_NAME_SZ];

	memset(r, 0, sizeof *r);
	cell(r, c->period);
	if (s->kind == YB_STATEMENT_EMPLOYER)
		cell(r, c->ssn);
	else
		/* E1: a resident's premium has no employer of its own */
		cell(r, strchr(c->employer_code, ':') ? "居民医保缴费"
						     : c->employer_code);
	money(r, c->base_fen, grouped);
	money(r, c->employer_fen, grouped);
	money(r, c->personal_fen, grouped);
	money(r, c->account_credit_fen, grouped);
	if (s->kind == YB_STATEMENT_EMPLOYER)
		return;
	note[0] = '\0';
	if (c->paid_by_ssn[0])           /* Q3: the relative's name masked */
		snprintf(note, sizeof note, "亲属%s代缴",
			 yb_mask_name(c->paid_by_name, masked, sizeof masked));
	cell(r, note);
}

void yb_row_ledger(const yb_ledger_line *l, bool grouped, yb_row *r)
{
	char when[64], amount[48];

	memset(r, 0, sizeof *r);
	{
		yb_time t = l->at + YB_LOCAL_UTC_OFFSET;   /* local time */
		char d[16];

		yb_date_format(yb_date_of(l->at), d, sizeof d);
		snprintf(when, sizeof when, "%s %02d:%02d:%02d", d,
			 (int)(t / 3600 % 24), (int)(t / 60 % 60),
			 (int)(t % 60));
		if (grouped)
			when[16] = '\0';    /* minutes on paper, seconds in files */
		cell(r, when);
	}
	cell(r, yb_label_ledger_kind(l->kind));
	cell(r, l->ref);
	yb_money_format(l->amount_fen, grouped, amount, sizeof amount);
	if (l->amount_fen > 0) {               /* "+250.00": money in */
		memmove(amount + 1, amount, strlen(amount) + 1);
		amount[0] = '+';
	}
	cell(r, amount);
	money(r, l->balance_after_fen, grouped);
}
