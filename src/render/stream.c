/*
 * stream.c — SPEC R1: a statement written out as it is read (render.h).
 *
 * A pull stream: the caller asks for bytes; when the bytes made so far
 * are taken, the next piece is made — the header first, then a page of
 * rows at a time (ROWS_PER_FETCH, through the service's cursor), then
 * the totals and, for a PDF, the end of the document.  What is in memory
 * at any moment is one piece: a few hundred CSV lines, or the PDF pages
 * those rows filled.  The PDF's own state (cairo's surface) lives as
 * long as the stream; its pages leave as they are shown.
 */
#include "render/render_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mask.h"

#define ROWS_PER_FETCH 200

enum { AT_START, AT_ROWS, AT_END, AT_DONE };

typedef struct totals {
	int64_t rows;
	int64_t fen[4];                  /* contributions: base .. credit;
					    ledger: in, out */
	int64_t closing_fen;             /* ledger */
} totals;

struct yb_stream {
	yb_statement s;
	yb_format fmt;
	const yb_settings *settings;
	yb_rbuf out;                     /* made, not yet read */
	size_t off;
	int phase;
	yb_pdf pdf;
	totals t;
	const yb_pdf_col *cols;
	int ncols;
};

static const char *title_of(yb_statement_kind k)
{
	switch (k) {
	case YB_STATEMENT_LEDGER:   return "个人账户明细";
	case YB_STATEMENT_EMPLOYER: return "单位职工缴费明细";
	default:                    return "参保缴费明细";
	}
}

/* ---- the beginning ------------------------------------------------------- */

static void csv_start(yb_stream *st)
{
	const char *titles[YB_ROW_MAX + 1];

	for (int i = 0; i < st->ncols; i++)
		titles[i] = st->cols[i].title;
	titles[st->ncols] = NULL;
	yb_rbuf_str(&st->out, YB_CSV_BOM);
	yb_csv_header(&st->out, titles);
}

/* Who and what the statement is about, under its title. */
static void pdf_heading(yb_stream *st)
{
	const yb_statement *s = &st->s;
	char line[512], when[64], idn[YB_IDNUM_SZ];

	yb_pdf_para(&st->pdf, title_of(s->kind), YB_F_TITLE, YB_CENTER);
	st->pdf.y += 6;
	if (s->kind == YB_STATEMENT_EMPLOYER)
		snprintf(line, sizeof line, "单位：%s（单位代码 %s）",
			 s->employer.name, s->employer.code);
	else
		snprintf(line, sizeof line,
			 "姓名：%s    社保电脑号：%s    身份证号：%s    %s",
			 s->person.name, s->person.ssn,
			 yb_mask_id_number(s->person.id_number, idn, sizeof idn),
			 yb_label_scheme(s->person.scheme));
	yb_pdf_para(&st->pdf, line, YB_F_BODY, YB_LEFT);
	snprintf(line, sizeof line, "期间：%s 至 %s    出具：%s    %s",
		 s->from, s->to, st->settings->agency_name,
		 yb_when_text(s->issued_at, when));
	yb_pdf_para(&st->pdf, line, YB_F_BODY, YB_LEFT);
	st->pdf.y += 6;
}

static int pdf_start(yb_stream *st, yb_err *err)
{
	char when[64];

	if (yb_pdf_begin(&st->pdf, &st->out, title_of(st->s.kind), err) < 0)
		return -1;
	snprintf(st->pdf.footer, sizeof st->pdf.footer, "%s · %s · 打印于 %s",
		 title_of(st->s.kind), st->settings->agency_name,
		 yb_when_text(st->s.issued_at, when));
	pdf_heading(st);
	if (st->s.kind == YB_STATEMENT_LEDGER) {
		char line[128], m[40];

		snprintf(line, sizeof line, "期初余额：%s 元",
			 yb_pdf_money(st->s.opening_fen, m));
		yb_pdf_para(&st->pdf, line, YB_F_BOLD, YB_LEFT);
	}
	yb_pdf_table_head(&st->pdf, st->cols, st->ncols);
	return 0;
}

/* ---- the rows ------------------------------------------------------------ */

/* One row out, in the stream's format; a PDF row that does not fit goes
 * to a new page under the table's head again. */
static void put_row(yb_stream *st, const yb_row *r)
{
	const char *cells[YB_ROW_MAX];

	st->t.rows++;
	if (st->fmt == YB_FMT_CSV) {
		for (int i = 0; i < r->n; i++)
			yb_csv_cell(&st->out, r->cell[i],
				    st->cols[i].align == YB_LEFT, i == r->n - 1);
		return;
	}
	if (!yb_pdf_room(&st->pdf, 16)) {
		yb_pdf_end_page(&st->pdf);
		yb_pdf_table_head(&st->pdf, st->cols, st->ncols);
	}
	for (int i = 0; i < r->n; i++)
		cells[i] = r->cell[i];
	yb_pdf_table_row(&st->pdf, st->cols, r->n, cells, false);
}

/* The next page of rows; none left moves on to the end. */
static int rows(yb_stream *st, yb_ctx *ctx, yb_err *err)
{
	bool print = st->fmt == YB_FMT_PDF;
	yb_row r;
	int n;

	if (st->s.kind == YB_STATEMENT_LEDGER) {
		yb_ledger_line *l = NULL;

		if (yb_statement_next_ledger(ctx, &st->s, ROWS_PER_FETCH, &l,
					     &n, err) < 0)
			return -1;
		for (int i = 0; i < n; i++) {
			st->t.fen[l[i].amount_fen < 0] += l[i].amount_fen;
			st->t.closing_fen = l[i].balance_after_fen;
			yb_row_ledger(&l[i], print, &r);
			put_row(st, &r);
		}
		free(l);
	} else {
		yb_contribution *c = NULL;

		if (yb_statement_next_contributions(ctx, &st->s,
						    ROWS_PER_FETCH, &c, &n,
						    err) < 0)
			return -1;
		for (int i = 0; i < n; i++) {
			st->t.fen[0] += c[i].base_fen;
			st->t.fen[1] += c[i].employer_fen;
			st->t.fen[2] += c[i].personal_fen;
			st->t.fen[3] += c[i].account_credit_fen;
			yb_row_contribution(&st->s, &c[i], print, &r);
			put_row(st, &r);
		}
		free(c);
	}
	if (n == 0 || st->s.done)
		st->phase = AT_END;
	return 0;
}

/* ---- the end ------------------------------------------------------------------ */

/* The totals under the table of a PDF. */
static void pdf_totals(yb_stream *st)
{
	char line[256], a[40], b[40], c[40], d[40];

	if (!yb_pdf_room(&st->pdf, 60))
		yb_pdf_end_page(&st->pdf);
	yb_pdf_rule(&st->pdf, YB_PDF_MARGIN, YB_PDF_W - YB_PDF_MARGIN,
		    st->pdf.y + 2, 0.8);
	st->pdf.y += 8;
	if (st->t.rows == 0)
		yb_pdf_para(&st->pdf, "本期间无记录。", YB_F_BODY, YB_LEFT);
	if (st->s.kind == YB_STATEMENT_LEDGER)
		snprintf(line, sizeof line,
			 "共 %lld 笔    收入 %s 元    支出 %s 元    期末余额 %s 元",
			 (long long)st->t.rows, yb_pdf_money(st->t.fen[0], a),
			 yb_pdf_money(-st->t.fen[1], b),
			 yb_pdf_money(st->t.rows ? st->t.closing_fen
						 : st->s.opening_fen, c));
	else
		snprintf(line, sizeof line,
			 "共 %lld 条    缴费基数 %s 元    单位缴纳 %s 元    "
			 "个人缴纳 %s 元    划入个人账户 %s 元",
			 (long long)st->t.rows, yb_pdf_money(st->t.fen[0], a),
			 yb_pdf_money(st->t.fen[1], b),
			 yb_pdf_money(st->t.fen[2], c),
			 yb_pdf_money(st->t.fen[3], d));
	yb_pdf_para(&st->pdf, line, YB_F_BOLD, YB_LEFT);
	yb_pdf_para(&st->pdf, "本明细依据打印时的记录生成，如有疑问请咨询医保经办机构"
		    "（12333）。", YB_F_SMALL, YB_LEFT);
}

static int finish(yb_stream *st, yb_err *err)
{
	st->phase = AT_DONE;
	if (st->fmt == YB_FMT_CSV)
		return 0;
	pdf_totals(st);
	return yb_pdf_finish(&st->pdf, err);
}

/* Make the next piece. */
static int produce(yb_stream *st, yb_ctx *ctx, yb_err *err)
{
	switch (st->phase) {
	case AT_START:
		st->phase = AT_ROWS;
		if (st->fmt == YB_FMT_CSV) {
			csv_start(st);
			return 0;
		}
		return pdf_start(st, err);
	case AT_ROWS:
		return rows(st, ctx, err);
	case AT_END:
		return finish(st, err);
	default:
		return 0;
	}
}

int yb_stream_new(const yb_statement *s, yb_format fmt,
		  const yb_settings *settings, yb_stream **out, yb_err *err)
{
	yb_stream *st = calloc(1, sizeof *st);

	*out = NULL;
	if (!st)
		return yb_errf(err, "out_of_memory", "out of memory");
	st->s = *s;
	st->fmt = fmt == YB_FMT_PDF ? YB_FMT_PDF : YB_FMT_CSV;
	st->settings = settings;
	st->cols = yb_statement_cols(s->kind, &st->ncols);
	*out = st;
	return 0;
}

ssize_t yb_stream_read(yb_stream *st, yb_ctx *ctx, char *buf, size_t max,
		       yb_err *err)
{
	size_t have;

	while (st->out.len - st->off == 0 && st->phase != AT_DONE) {
		st->out.len = st->off = 0;       /* all taken: start over */
		if (produce(st, ctx, err) < 0)
			return -1;
		if (st->out.oom)
			return yb_errf(err, "out_of_memory", "out of memory");
	}
	have = st->out.len - st->off;
	if (have > max)
		have = max;
	memcpy(buf, st->out.data + st->off, have);
	st->off += have;
	return (ssize_t)have;
}

void yb_stream_free(yb_stream *st)
{
	if (!st)
		return;
	if (st->pdf.surface)
		yb_pdf_abandon(&st->pdf);
	yb_rbuf_release(&st->out);
	free(st);
}

void yb_statement_filename(const yb_statement *s, yb_format fmt, char *buf,
			   size_t size)
{
	static const char *const what[] = {
		[YB_STATEMENT_CONTRIBUTIONS] = "contributions",
		[YB_STATEMENT_LEDGER] = "ledger",
		[YB_STATEMENT_EMPLOYER] = "employer-contributions",
	};

	snprintf(buf, size, "%s-%s-%s-%s.%s", what[s->kind],
		 s->kind == YB_STATEMENT_EMPLOYER ? s->employer.code
						  : s->person.ssn,
		 s->from, s->to, yb_format_ext(fmt));
}
