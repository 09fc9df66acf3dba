/*
 * pdf.c — the page machinery of the printed documents (render_int.h):
 * an A4 cairo PDF surface whose bytes go to a buffer as each page is
 * shown, pango text in a CJK font from Debian (below: which, and why),
 * tables, and the footer every page carries.
 *
 * cairo writes a page's content when the page is shown and the embedded
 * font subsets and the cross-reference table at the end; so a long
 * statement's bytes leave page by page, and only the fonts wait for the
 * finish (tens of kilobytes).
 *
 * Threads: each document has its own surface, context and layout, and
 * pango's default font map is per thread; nothing here is shared.
 */
#include "render/render_int.h"

#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>

#include "core/money.h"

/*
 * The typeface: WenQuanYi Zen Hei (Debian's fonts-wqy-zenhei), a Hei
 * (sans-serif) CJK font with TrueType outlines.  Not Noto Sans CJK,
 * although Debian has it too: its outlines are CFF, and cairo 1.16's CFF
 * subsetter mishandles them here — measured: "如" set alone vanishes from
 * the PDF (poppler draws nothing, though pdftotext still finds the
 * text), and a one-page proof sometimes embeds 900 KB of the font and
 * sometimes 60 KB.  cairo's TrueType subsetter has neither problem (the
 * same page: a few KB of font).  Bold is pango's synthetic bold (the
 * font has no bold face); the code and the address are in its Mono face.
 */
static const char *const font_specs[YB_F__N] = {
	[YB_F_BODY]  = "WenQuanYi Zen Hei 10",
	[YB_F_BOLD]  = "WenQuanYi Zen Hei Bold 10",
	[YB_F_SMALL] = "WenQuanYi Zen Hei 8.5",
	[YB_F_TITLE] = "WenQuanYi Zen Hei Bold 22",
	[YB_F_HEAD]  = "WenQuanYi Zen Hei Bold 12",
	[YB_F_MONO]  = "WenQuanYi Zen Hei Mono 11",
};

#define ROW_H 16.0

static cairo_status_t to_sink(void *closure, const unsigned char *data,
			      unsigned int length)
{
	yb_rbuf *b = closure;

	yb_rbuf_add(b, data, length);
	return b->oom ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

int yb_pdf_begin(yb_pdf *p, yb_rbuf *sink, const char *title, yb_err *err)
{
	memset(p, 0, sizeof *p);
	p->sink = sink;
	p->surface = cairo_pdf_surface_create_for_stream(to_sink, sink,
							 YB_PDF_W, YB_PDF_H);
	if (cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS) {
		yb_pdf_abandon(p);
		return yb_errf(err, "internal", "cannot make a PDF surface");
	}
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE,
				       title);
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR,
				       "yibao");
	p->cr = cairo_create(p->surface);
	p->layout = pango_cairo_create_layout(p->cr);
	/* Sizes are in points, and a PDF's unit is the point: 72 per inch,
	 * not pango's default of 96 (which would print 10pt as 13.3). */
	if (p->layout) {
		pango_cairo_context_set_resolution(
			pango_layout_get_context(p->layout), 72);
		pango_layout_context_changed(p->layout);
	}
	for (int i = 0; i < YB_F__N; i++)
		p->fonts[i] = pango_font_description_from_string(font_specs[i]);
	if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS || !p->layout) {
		yb_pdf_abandon(p);
		return yb_errf(err, "internal", "cannot draw a PDF");
	}
	return 0;
}

void yb_pdf_page(yb_pdf *p)
{
	if (p->page_open)
		return;
	p->page++;
	p->page_open = true;
	p->y = YB_PDF_MARGIN;
}

double yb_pdf_text(yb_pdf *p, double x, double y, double width,
		   const char *text, yb_font font, yb_align align, bool wrap)
{
	static const PangoAlignment aligns[] = {
		[YB_LEFT] = PANGO_ALIGN_LEFT, [YB_RIGHT] = PANGO_ALIGN_RIGHT,
		[YB_CENTER] = PANGO_ALIGN_CENTER,
	};
	int w, h;

	yb_pdf_page(p);
	pango_layout_set_font_description(p->layout, p->fonts[font]);
	pango_layout_set_width(p->layout, (int)(width * PANGO_SCALE));
	pango_layout_set_alignment(p->layout, aligns[align]);
	pango_layout_set_ellipsize(p->layout, wrap ? PANGO_ELLIPSIZE_NONE
						   : PANGO_ELLIPSIZE_END);
	pango_layout_set_wrap(p->layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_text(p->layout, text ? text : "", -1);
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, p->layout);
	pango_layout_get_size(p->layout, &w, &h);
	return (double)h / PANGO_SCALE;
}

void yb_pdf_para(yb_pdf *p, const char *text, yb_font font, yb_align align)
{
	yb_pdf_page(p);
	p->y += yb_pdf_text(p, YB_PDF_MARGIN, p->y, YB_PDF_W - 2 * YB_PDF_MARGIN,
			    text, font, align, true) + 4;
}

void yb_pdf_rule(yb_pdf *p, double x0, double x1, double y, double width)
{
	yb_pdf_page(p);
	cairo_set_line_width(p->cr, width);
	cairo_move_to(p->cr, x0, y);
	cairo_line_to(p->cr, x1, y);
	cairo_stroke(p->cr);
}

bool yb_pdf_room(const yb_pdf *p, double h)
{
	return !p->page_open || p->y + h <= YB_PDF_BOTTOM;
}

static void cells(yb_pdf *p, const yb_pdf_col *cols, int n,
		  const char *const *text, yb_font font)
{
	double x = YB_PDF_MARGIN;

	for (int i = 0; i < n; i++) {
		/* 3 points of air on each side of a cell */
		yb_pdf_text(p, x + 3, p->y + 2, cols[i].width - 6, text[i],
			    font, cols[i].align, false);
		x += cols[i].width;
	}
	p->y += ROW_H;
}

void yb_pdf_table_head(yb_pdf *p, const yb_pdf_col *cols, int n)
{
	const char *titles[YB_ROW_MAX];

	for (int i = 0; i < n && i < YB_ROW_MAX; i++)
		titles[i] = cols[i].title;
	yb_pdf_page(p);
	yb_pdf_rule(p, YB_PDF_MARGIN, YB_PDF_W - YB_PDF_MARGIN, p->y, 0.8);
	cells(p, cols, n, titles, YB_F_BOLD);
	yb_pdf_rule(p, YB_PDF_MARGIN, YB_PDF_W - YB_PDF_MARGIN, p->y, 0.5);
	p->y += 1;
}

void yb_pdf_table_row(yb_pdf *p, const yb_pdf_col *cols, int n,
		      const char *const *text, bool bold)
{
	cells(p, cols, n, text, bold ? YB_F_BOLD : YB_F_BODY);
}

void yb_pdf_end_page(yb_pdf *p)
{
	char right[32];
	double y = YB_PDF_H - 40;

	if (!p->page_open)
		return;
	yb_pdf_rule(p, YB_PDF_MARGIN, YB_PDF_W - YB_PDF_MARGIN, y - 4, 0.3);
	yb_pdf_text(p, YB_PDF_MARGIN, y, 380, p->footer, YB_F_SMALL, YB_LEFT,
		    false);
	snprintf(right, sizeof right, "第 %d 页", p->page);
	yb_pdf_text(p, YB_PDF_W - YB_PDF_MARGIN - 100, y, 100, right,
		    YB_F_SMALL, YB_RIGHT, false);
	cairo_show_page(p->cr);
	p->page_open = false;
}

void yb_pdf_abandon(yb_pdf *p)
{
	for (int i = 0; i < YB_F__N; i++)
		if (p->fonts[i])
			pango_font_description_free(p->fonts[i]);
	if (p->layout)
		g_object_unref(p->layout);
	if (p->cr)
		cairo_destroy(p->cr);
	if (p->surface) {
		cairo_surface_finish(p->surface);
		cairo_surface_destroy(p->surface);
	}
	memset(p, 0, sizeof *p);
}

int yb_pdf_finish(yb_pdf *p, yb_err *err)
{
	cairo_status_t st;

	yb_pdf_end_page(p);
	cairo_surface_finish(p->surface);
	st = cairo_surface_status(p->surface);
	yb_pdf_abandon(p);
	if (st == CAIRO_STATUS_NO_MEMORY)
		return yb_errf(err, "out_of_memory", "out of memory");
	if (st != CAIRO_STATUS_SUCCESS)
		return yb_errf(err, "internal", "the PDF could not be made: %s",
			       cairo_status_to_string(st));
	return 0;
}

const char *yb_pdf_money(int64_t fen, char buf[40])
{
	return yb_money_format(fen, true, buf, 40);
}

const char *yb_when_text(yb_time t, char buf[64])
{
	yb_time local = t + YB_LOCAL_UTC_OFFSET;
	int y, m, d;

	yb_date_to_ymd(yb_date_of(t), &y, &m, &d);
	snprintf(buf, 64, "%04d年%02d月%02d日 %02d:%02d", y, m, d,
		 (int)(local / 3600 % 24), (int)(local / 60 % 60));
	return buf;
}
