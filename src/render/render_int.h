/*
 * render_int.h — what the files of src/render share: a growable byte
 * buffer, CSV cells, and the PDF page machinery (pdf.c) that the
 * statement and proof layouts draw with.
 */
#ifndef YB_RENDER_INT_H
#define YB_RENDER_INT_H

#include <cairo.h>
#include <pango/pangocairo.h>

#include "render/render.h"

/* ---- bytes (buf.c) ------------------------------------------------------- */

typedef struct yb_rbuf {
	char *data;
	size_t len, cap;
	bool oom;                        /* an append failed: the text is cut */
} yb_rbuf;

void yb_rbuf_add(yb_rbuf *b, const void *data, size_t n);
void yb_rbuf_str(yb_rbuf *b, const char *s);
void yb_rbuf_printf(yb_rbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void yb_rbuf_release(yb_rbuf *b);
/* Hand the bytes over (*out malloc'd, *len); out_of_memory if any append
 * failed. */
int yb_rbuf_take(yb_rbuf *b, char **out, size_t *len, yb_err *err);

/* Append runs of months as yb_months_text writes them (labels.c). */
void yb_months_add(yb_rbuf *b, const yb_month_span *runs, int n);

/* ---- CSV (csv.c) --------------------------------------------------------- */

/* The byte-order mark that tells spreadsheet programs it is UTF-8. */
#define YB_CSV_BOM "\xEF\xBB\xBF"

/* One cell, quoted when it must be; `text` cells that begin like a
 * formula (= + - @) get a leading ' so no spreadsheet runs them.  `last`
 * ends the line (CRLF, as RFC 4180 has it). */
void yb_csv_cell(yb_rbuf *b, const char *s, bool text, bool last);
void yb_csv_money(yb_rbuf *b, int64_t fen, bool last);
void yb_csv_int(yb_rbuf *b, int64_t v, bool last);
/* A header line from a NULL-terminated list of column titles. */
void yb_csv_header(yb_rbuf *b, const char *const *titles);

/* ---- PDF (pdf.c) ---------------------------------------------------------- */

/* A4 in points, and the margins every document keeps. */
#define YB_PDF_W       595.276
#define YB_PDF_H       841.890
#define YB_PDF_MARGIN  48.0
#define YB_PDF_BOTTOM  (YB_PDF_H - 56.0)   /* the footer begins below */

typedef enum { YB_F_BODY, YB_F_BOLD, YB_F_SMALL, YB_F_TITLE, YB_F_HEAD,
	       YB_F_MONO, YB_F__N } yb_font;

typedef enum { YB_LEFT, YB_RIGHT, YB_CENTER } yb_align;

typedef struct yb_pdf {
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoLayout *layout;
	PangoFontDescription *fonts[YB_F__N];
	yb_rbuf *sink;                   /* where the PDF's bytes go */
	double y;                        /* top of the next line, points */
	int page;                        /* the page being drawn, from 1 */
	bool page_open;
	char footer[256];                /* left part of every footer */
} yb_pdf;

/* A table column: its title, width (points) and alignment. */
typedef struct yb_pdf_col {
	const char *title;
	double width;
	yb_align align;
} yb_pdf_col;

/* Begin a document whose bytes go to `sink`, titled (metadata). */
int yb_pdf_begin(yb_pdf *p, yb_rbuf *sink, const char *title, yb_err *err);
/* Begin a page if none is open (y at the top margin). */
void yb_pdf_page(yb_pdf *p);
/* Draw text in a box of `width` at (x, y); returns its height.  `wrap`
 * breaks long text into lines, else it is cut with "…". */
double yb_pdf_text(yb_pdf *p, double x, double y, double width,
		   const char *text, yb_font font, yb_align align, bool wrap);
/* A line of text across the page at p->y, then p->y moves below it. */
void yb_pdf_para(yb_pdf *p, const char *text, yb_font font, yb_align align);
void yb_pdf_rule(yb_pdf *p, double x0, double x1, double y, double width);
/* Is there room for `h` more points on this page? */
bool yb_pdf_room(const yb_pdf *p, double h);
/* Table header and one row at p->y (cells[i] for cols[i]). */
void yb_pdf_table_head(yb_pdf *p, const yb_pdf_col *cols, int n);
void yb_pdf_table_row(yb_pdf *p, const yb_pdf_col *cols, int n,
		      const char *const *cells, bool bold);
/* Footer ("第 N 页") and show the page; its bytes reach the sink. */
void yb_pdf_end_page(yb_pdf *p);
/* End the document (the fonts and the index are written now); frees. */
int yb_pdf_finish(yb_pdf *p, yb_err *err);
/* Give up a document half made; frees.  NULL-safe fields. */
void yb_pdf_abandon(yb_pdf *p);

/* ---- a statement's rows (rows.c) ------------------------------------------ */

#define YB_ROW_MAX 8
typedef struct yb_row {
	int n;
	char cell[YB_ROW_MAX][YB_TEXT_SZ];
} yb_row;

/* The columns of a statement (titles also head the CSV). */
const yb_pdf_col *yb_statement_cols(yb_statement_kind kind, int *n);
/* A row as text; `grouped` money ("1,234.50") and times for print. */
void yb_row_contribution(const yb_statement *s, const yb_contribution *c,
			 bool grouped, yb_row *r);
void yb_row_ledger(const yb_ledger_line *l, bool grouped, yb_row *r);

/* "1,234.50" — fen as yuan for print. */
const char *yb_pdf_money(int64_t fen, char buf[40]);

#endif
