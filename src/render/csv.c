/*
 * csv.c — CSV as spreadsheet programs read it (render_int.h): UTF-8 with
 * a byte-order mark, CRLF line ends, quotes where a cell needs them
 * (RFC 4180), and no cell that a spreadsheet would run as a formula.
 * Also the arrears reports of SPEC R4, which are small and made whole.
 */
#include "render/render_int.h"

#include <inttypes.h>
#include <string.h>

#include "core/money.h"

void yb_csv_cell(yb_rbuf *b, const char *s, bool text, bool last)
{
	s = s ? s : "";
	/* "=1+2", "+1", "-1", "@SUM(...)" in a text cell: data, not a
	 * formula to run (the numbers are written by yb_csv_money/int) */
	if (text && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@'))
		yb_rbuf_str(b, "'");
	if (strpbrk(s, ",\"\r\n")) {
		yb_rbuf_str(b, "\"");
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				yb_rbuf_str(b, "\"");
			yb_rbuf_add(b, p, 1);
		}
		yb_rbuf_str(b, "\"");
	} else {
		yb_rbuf_str(b, s);
	}
	yb_rbuf_str(b, last ? "\r\n" : ",");
}

void yb_csv_money(yb_rbuf *b, int64_t fen, bool last)
{
	char buf[40];

	yb_csv_cell(b, yb_money_format(fen, false, buf, sizeof buf), false,
		    last);
}

void yb_csv_int(yb_rbuf *b, int64_t v, bool last)
{
	yb_rbuf_printf(b, "%" PRId64 "%s", v, last ? "\r\n" : ",");
}

void yb_csv_header(yb_rbuf *b, const char *const *titles)
{
	for (int i = 0; titles[i]; i++)
		yb_csv_cell(b, titles[i], true, titles[i + 1] == NULL);
}

int yb_arrears_csv(const yb_arrears *a, char **out, size_t *len,
		   yb_err *err)
{
	static const char *const head[] = {
		"单位代码", "单位名称", "社保电脑号", "姓名", "参保状态",
		"核对起始月", "核对截止月", "欠缴月数", "欠缴月份", NULL,
	};
	yb_rbuf b = { 0 };

	yb_rbuf_str(&b, YB_CSV_BOM);
	yb_csv_header(&b, head);
	for (int i = 0; i < a->nitems; i++) {
		const yb_arrears_item *it = &a->items[i];
		char m0[YB_MONTH_SZ], m1[YB_MONTH_SZ];
		yb_rbuf months = { 0 };

		yb_csv_cell(&b, a->employer_code, true, false);
		yb_csv_cell(&b, a->employer_name, true, false);
		yb_csv_cell(&b, it->ssn, true, false);
		yb_csv_cell(&b, it->name, true, false);
		yb_csv_cell(&b, yb_label_status(it->status), true, false);
		yb_csv_cell(&b, it->counted.first <= it->counted.last
			? yb_month_format(it->counted.first, m0, sizeof m0) : "",
			true, false);
		yb_csv_cell(&b, it->counted.first <= it->counted.last
			? yb_month_format(it->counted.last, m1, sizeof m1) : "",
			true, false);
		yb_csv_int(&b, it->missing_months, false);
		yb_months_add(&months, it->missing, it->nmissing);
		yb_rbuf_add(&months, "", 1);
		b.oom |= months.oom;
		yb_csv_cell(&b, months.data ? months.data : "", true, true);
		yb_rbuf_release(&months);
	}
	return yb_rbuf_take(&b, out, len, err);
}

int yb_arrears_employers_csv(const yb_employer_arrears *list, int n,
			     const char *from, const char *to, char **out,
			     size_t *len, yb_err *err)
{
	static const char *const head[] = {
		"单位代码", "单位名称", "核对起始月", "核对截止月", "职工人数",
		"欠缴人数", "欠缴人月数", NULL,
	};
	yb_rbuf b = { 0 };

	yb_rbuf_str(&b, YB_CSV_BOM);
	yb_csv_header(&b, head);
	for (int i = 0; i < n; i++) {
		yb_csv_cell(&b, list[i].employer_code, true, false);
		yb_csv_cell(&b, list[i].employer_name, true, false);
		yb_csv_cell(&b, from, true, false);
		yb_csv_cell(&b, to, true, false);
		yb_csv_int(&b, list[i].employees, false);
		yb_csv_int(&b, list[i].employees_in_arrears, false);
		yb_csv_int(&b, list[i].missing_months, true);
	}
	return yb_rbuf_take(&b, out, len, err);
}
