/*
 * nhsa_detail.c — the lines of 3202's detail file, and the result file
 * written back in the same format (docs/NHSA.md "The detail file"; the
 * declarations and the rules in nhsa_file.h).  Pure: text in, rows or a
 * stable error naming the line out.
 */
#include "nhsa/nhsa_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "nhsa/nhsa_json.h"

#define NFIELDS 7

static const char *const field_names[NFIELDS] = {
	"setl_id", "mdtrt_id", "psn_no", "medfee_sumamt", "fund_pay_sumamt",
	"acct_pay", "refd_setl_flag",
};

/* 1–30 printable ASCII characters, no space (codes and numbers). */
static bool code_ok(const char *s, size_t n)
{
	if (n == 0 || n > 30)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] > '~')
			return false;
	return true;
}

static int bad(yb_err *err, int line, const char *what)
{
	return yb_errf(err, "nhsa.file_line", "第%d行 %s", line, what);
}

/* One line (without its end), split at tabs into r. */
static int parse_line(const char *s, size_t n, int line, yb_nhsa_detail *r,
		      yb_err *err)
{
	const char *f[NFIELDS];
	size_t len[NFIELDS];
	int k = 0;
	const char *p = s, *end = s + n;
	char num[24];
	int64_t *amounts[3] = { &r->medfee_fen, &r->fund_fen, &r->acct_fen };

	memset(r, 0, sizeof *r);
	r->line = line;
	for (;;) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		if (k == NFIELDS)
			return bad(err, line, "字段数须为7");
		f[k] = p;
		len[k++] = (size_t)((tab ? tab : end) - p);
		if (!tab)
			break;
		p = tab + 1;
	}
	if (k != NFIELDS)
		return bad(err, line, "字段数须为7");
	for (int i = 0; i < 3; i++)
		if (!code_ok(f[i], len[i]))
			return bad(err, line, field_names[i]);
	memcpy(r->setl_id, f[0], len[0]);
	memcpy(r->mdtrt_id, f[1], len[1]);
	memcpy(r->psn_no, f[2], len[2]);
	for (int i = 0; i < 3; i++) {
		if (len[3 + i] == 0 || len[3 + i] >= sizeof num)
			return bad(err, line, field_names[3 + i]);
		memcpy(num, f[3 + i], len[3 + i]);
		num[len[3 + i]] = '\0';
		if (!yb_nhsa_decimal(num, 2, YB_MONEY_MAX, amounts[i]))
			return bad(err, line, field_names[3 + i]);
	}
	if (len[6] != 1 || (f[6][0] != '0' && f[6][0] != '1'))
		return bad(err, line, field_names[6]);
	r->refd = f[6][0] == '1';
	return 0;
}

static int by_setl_id(const void *a, const void *b)
{
	const yb_nhsa_detail *x = a, *y = b;
	int c = strcmp(x->setl_id, y->setl_id);

	return c ? c : x->line - y->line;
}

/* Sort by setl_id; a setl_id twice names its later line. */
static int sort_unique(yb_nhsa_detail *rows, int n, yb_err *err)
{
	int worst = 0;

	if (n == 0)
		return 0;        /* rows may be NULL: qsort's is nonnull */
	qsort(rows, (size_t)n, sizeof *rows, by_setl_id);
	for (int i = 1; i < n; i++)
		if (strcmp(rows[i].setl_id, rows[i - 1].setl_id) == 0 &&
		    (!worst || rows[i].line < worst))
			worst = rows[i].line;
	return worst ? bad(err, worst, "setl_id重复") : 0;
}

int yb_nhsa_detail_parse(const char *text, size_t len, yb_nhsa_detail **rows,
			 int *n, yb_err *err)
{
	const char *p = text, *end = text + len;
	yb_nhsa_detail *out = NULL;
	int count = 0, cap = 0, line = 0;

	*rows = NULL;
	*n = 0;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = (size_t)((nl ? nl : end) - p);

		line++;
		if (l > 0 && p[l - 1] == '\r')
			l--;
		if (count == YB_NHSA_FILE_LINES_MAX) {
			free(out);
			return yb_errf(err, "nhsa.file_too_large",
				       "at most %d lines", YB_NHSA_FILE_LINES_MAX);
		}
		if (count == cap) {
			int nc = cap ? cap * 2 : 64;
			yb_nhsa_detail *no = realloc(out, (size_t)nc * sizeof *no);
			if (!no) {
				free(out);
				return yb_errf(err, "out_of_memory", "out of memory");
			}
			out = no;
			cap = nc;
		}
		if (l == 0 ? bad(err, line, "空行") :
		    parse_line(p, l, line, &out[count], err)) {
			free(out);
			return -1;
		}
		count++;
		p = nl ? nl + 1 : end;
	}
	if (sort_unique(out, count, err) < 0) {
		free(out);
		return -1;
	}
	*rows = out ? out : malloc(1);
	*n = count;
	return *rows ? 0 : yb_errf(err, "out_of_memory", "out of memory");
}

/* ---- the result file ------------------------------------------------------------------ */

/* yuan with two decimals */
static int yuan(char *buf, size_t size, int64_t fen)
{
	return snprintf(buf, size, "%lld.%02lld", (long long)(fen / 100),
			(long long)(fen % 100));
}

char *yb_nhsa_result_text(const yb_nhsa_result_row *rows, int n, size_t *len)
{
	/* A row is at most 4×30 + 200 + 3×24 + 12 bytes. */
	size_t cap = (size_t)n * 420 + 1, at = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < n; i++) {
		const yb_nhsa_result_row *r = &rows[i];
		char a[3][24];

		yuan(a[0], sizeof a[0], r->medfee_fen);
		yuan(a[1], sizeof a[1], r->fund_fen);
		yuan(a[2], sizeof a[2], r->acct_fen);
		at += (size_t)snprintf(s + at, cap - at,
			"%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", r->psn_no,
			r->mdtrt_id, r->setl_id, r->msgid, r->differs ? 1 : 0,
			r->refd ? 1 : 0, r->memo, a[0], a[1], a[2]);
	}
	*len = at;
	return s;
}
