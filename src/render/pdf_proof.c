/*
 * pdf_proof.c — SPEC R2: the proof of insurance (参保证明) on A4: who,
 * which scheme, since when and for how long, the year-by-year summary,
 * the agency and the time of issue, and the verification code with its
 * QR code pointing at /verify/{code}.
 *
 * Everything printed comes from the stored facts (yb_proof_facts), the
 * same the verification page shows, so paper and record can be held
 * side by side.
 */
#include "render/render_int.h"

#include <stdio.h>
#include <string.h>

#include <qrencode.h>

#define LABEL_W  84.0
#define VALUE_W  165.0
#define PAIR_W   (LABEL_W + VALUE_W)
#define QR_MODULE 3.0                     /* points per module */
#define QR_QUIET  4                       /* modules of white around */

static const yb_pdf_col year_cols[] = {
	{ "年度", 54, YB_LEFT },
	{ "参保月数", 64, YB_RIGHT },
	{ "缴费基数合计(元)", 100, YB_RIGHT },
	{ "单位缴纳(元)", 86, YB_RIGHT },
	{ "个人缴纳(元)", 86, YB_RIGHT },
	{ "划入个人账户(元)", 109.276, YB_RIGHT },
};
#define NYEAR_COLS ((int)(sizeof year_cols / sizeof year_cols[0]))

/* Two label/value pairs on one line. */
static void pairs(yb_pdf *p, const char *l1, const char *v1, const char *l2,
		  const char *v2)
{
	double x = YB_PDF_MARGIN;

	yb_pdf_text(p, x, p->y, LABEL_W, l1, YB_F_BOLD, YB_LEFT, false);
	yb_pdf_text(p, x + LABEL_W, p->y, VALUE_W, v1, YB_F_BODY, YB_LEFT,
		    false);
	if (l2) {
		yb_pdf_text(p, x + PAIR_W, p->y, LABEL_W, l2, YB_F_BOLD,
			    YB_LEFT, false);
		yb_pdf_text(p, x + PAIR_W + LABEL_W, p->y, VALUE_W, v2,
			    YB_F_BODY, YB_LEFT, false);
	}
	p->y += 18;
}

static void facts(yb_pdf *p, const yb_proof_facts *f)
{
	char total[32], run[32], gaps[32];

	snprintf(total, sizeof total, "%d 个月", f->total_months);
	snprintf(run, sizeof run, "%d 个月", f->continuity_months);
	snprintf(gaps, sizeof gaps, "%d 个月", f->gap_months);
	pairs(p, "姓名", f->name, "社保电脑号", f->ssn);
	pairs(p, "身份证号", f->id_number, "参保险种",
	      yb_label_scheme(f->scheme));
	pairs(p, "参保状态", yb_label_status(f->status), "参保地区划",
	      f->region);
	pairs(p, "首次参保月份", f->first_month[0] ? f->first_month : "无",
	      "统计截至", f->as_of);
	pairs(p, "累计参保月数", total, "连续参保月数", run);
	pairs(p, "断缴月数", gaps, NULL, NULL);
}

static void year_table(yb_pdf *p, const yb_proof_facts *f)
{
	int64_t sum[4] = { 0 };
	int months = 0;
	char c[6][48];
	const char *cells[6] = { c[0], c[1], c[2], c[3], c[4], c[5] };

	p->y += 6;
	yb_pdf_para(p, "分年度参保缴费情况", YB_F_HEAD, YB_LEFT);
	yb_pdf_table_head(p, year_cols, NYEAR_COLS);
	for (int i = 0; i < f->nyears; i++) {
		const yb_year_summary *y = &f->years[i];

		if (!yb_pdf_room(p, 16)) {
			yb_pdf_end_page(p);
			yb_pdf_table_head(p, year_cols, NYEAR_COLS);
		}
		snprintf(c[0], sizeof c[0], "%d", y->year);
		snprintf(c[1], sizeof c[1], "%d", y->months);
		yb_pdf_money(y->base_fen, c[2]);
		yb_pdf_money(y->employer_fen, c[3]);
		yb_pdf_money(y->personal_fen, c[4]);
		yb_pdf_money(y->account_credit_fen, c[5]);
		yb_pdf_table_row(p, year_cols, NYEAR_COLS, cells, false);
		months += y->months;
		sum[0] += y->base_fen;
		sum[1] += y->employer_fen;
		sum[2] += y->personal_fen;
		sum[3] += y->account_credit_fen;
	}
	if (f->nyears == 0)
		yb_pdf_para(p, "无缴费记录。", YB_F_BODY, YB_LEFT);
	snprintf(c[0], sizeof c[0], "合计");
	snprintf(c[1], sizeof c[1], "%d", months);
	for (int k = 0; k < 4; k++)
		yb_pdf_money(sum[k], c[2 + k]);
	yb_pdf_rule(p, YB_PDF_MARGIN, YB_PDF_W - YB_PDF_MARGIN, p->y, 0.5);
	yb_pdf_table_row(p, year_cols, NYEAR_COLS, cells, true);
}

/* The QR code of `url` with its top left at (x, y); its side, or 0. */
static double qr(yb_pdf *p, double x, double y, const char *url)
{
	QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	double side;

	if (!q)
		return 0;
	side = (q->width + 2 * QR_QUIET) * QR_MODULE;
	cairo_set_source_rgb(p->cr, 1, 1, 1);
	cairo_rectangle(p->cr, x, y, side, side);
	cairo_fill(p->cr);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	for (int r = 0; r < q->width; r++)
		for (int c = 0; c < q->width; c++)
			if (q->data[r * q->width + c] & 1)
				cairo_rectangle(p->cr,
					x + (c + QR_QUIET) * QR_MODULE,
					y + (r + QR_QUIET) * QR_MODULE,
					QR_MODULE, QR_MODULE);
	cairo_fill(p->cr);
	QRcode_free(q);
	return side;
}

/* The verification block: QR code left, code and address right. */
static void verification(yb_pdf *p, const yb_proof_view *v)
{
	double top, side, x, tw;
	char line[320], when[64];

	if (!yb_pdf_room(p, 190))
		yb_pdf_end_page(p);
	p->y += 12;
	top = p->y;
	side = qr(p, YB_PDF_MARGIN, top, v->verify_url);
	x = YB_PDF_MARGIN + side + 14;
	tw = YB_PDF_W - YB_PDF_MARGIN - x;
	top += 12;
	top += yb_pdf_text(p, x, top, tw, "验证码", YB_F_BOLD, YB_LEFT, false);
	top += yb_pdf_text(p, x, top, tw, v->record.code, YB_F_MONO, YB_LEFT,
			   false) + 4;
	top += yb_pdf_text(p, x, top, tw, "核验地址", YB_F_BOLD, YB_LEFT, false);
	top += yb_pdf_text(p, x, top, tw, v->verify_url, YB_F_SMALL, YB_LEFT,
			   true) + 4;
	top += yb_pdf_text(p, x, top, tw,
			   "扫描二维码或访问核验地址，可查验本证明是否真实有效"
			   "及其所载内容。", YB_F_SMALL, YB_LEFT, true) + 8;
	snprintf(line, sizeof line, "出具机构：%s", v->facts.agency);
	top += yb_pdf_text(p, x, top, tw, line, YB_F_BODY, YB_LEFT, false);
	snprintf(line, sizeof line, "出具时间：%s",
		 yb_when_text(v->facts.issued_at, when));
	top += yb_pdf_text(p, x, top, tw, line, YB_F_BODY, YB_LEFT, false);
	p->y = (top > p->y + side ? top : p->y + side) + 10;
	yb_pdf_para(p, "本证明依据出具时的参保缴费记录生成，仅证明上述参保缴费"
		    "情况；内容以医疗保障经办机构核验结果为准。",
		    YB_F_SMALL, YB_LEFT);
}

int yb_proof_pdf(const yb_proof_view *v, char **out, size_t *len,
		 yb_err *err)
{
	yb_rbuf b = { 0 };
	yb_pdf p;
	char line[512], when[64];

	*out = NULL;
	*len = 0;
	if (yb_pdf_begin(&p, &b, "参保证明", err) < 0)
		return -1;
	snprintf(p.footer, sizeof p.footer, "参保证明 · %s · 验证码 %s",
		 v->facts.agency, v->record.code);
	yb_pdf_para(&p, "参保证明", YB_F_TITLE, YB_CENTER);
	yb_pdf_para(&p, "（基本医疗保险）", YB_F_BODY, YB_CENTER);
	p.y += 8;
	if (v->verdict == YB_PROOF_REVOKED) {
		snprintf(line, sizeof line, "本证明已于 %s 撤销：%s",
			 yb_when_text(v->record.revoked_at, when),
			 v->record.revoke_reason);
		yb_pdf_para(&p, line, YB_F_HEAD, YB_CENTER);
	}
	snprintf(line, sizeof line, "兹证明 %s 在本市参加基本医疗保险，"
		 "截至 %s 的参保及缴费情况如下：", v->facts.name,
		 v->facts.as_of);
	yb_pdf_para(&p, line, YB_F_BODY, YB_LEFT);
	p.y += 6;
	facts(&p, &v->facts);
	year_table(&p, &v->facts);
	verification(&p, v);
	if (yb_pdf_finish(&p, err) < 0) {
		yb_rbuf_release(&b);
		return -1;
	}
	return yb_rbuf_take(&b, out, len, err);
}
