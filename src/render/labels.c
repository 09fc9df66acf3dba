/*
 * labels.c — the Chinese words of the printed documents and CSV files
 * (render.h): the same words the portal shows (web/js/i18n.js), so that
 * paper and screen agree.
 */
#include "render/render_int.h"

#include <stdio.h>
#include <string.h>

#include "core/enums.h"

const char *yb_label_scheme(yb_scheme s)
{
	switch (s) {
	case YB_SCHEME_EMPLOYEE_TIER1: return "职工医保一档";
	case YB_SCHEME_EMPLOYEE_TIER2: return "职工医保二档";
	case YB_SCHEME_RESIDENT:       return "居民医保";
	default:                       return yb_scheme_str(s);
	}
}

const char *yb_label_status(yb_status s)
{
	switch (s) {
	case YB_STATUS_ACTIVE:     return "参保正常";
	case YB_STATUS_SUSPENDED:  return "暂停参保";
	case YB_STATUS_TERMINATED: return "已终止";
	default:                   return yb_status_str(s);
	}
}

const char *yb_label_ledger_kind(const char *kind)
{
	static const struct { const char *kind, *label; } words[] = {
		{ "contribution", "缴费划入" },
		{ "settlement", "就医结算" },
		{ "revocation", "结算撤销退回" },
		{ "resettlement", "补结算" },
		{ "account_closure", "账户封存结转" },
		{ "premium", "代缴亲属居民医保" },
	};

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(words[i].kind, kind) == 0)
			return words[i].label;
	return kind;
}

void yb_months_add(yb_rbuf *b, const yb_month_span *runs, int n)
{
	for (int i = 0; i < n; i++) {
		char a[YB_MONTH_SZ], z[YB_MONTH_SZ];

		yb_month_format(runs[i].first, a, sizeof a);
		yb_month_format(runs[i].last, z, sizeof z);
		if (runs[i].first == runs[i].last)
			yb_rbuf_printf(b, "%s%s", i ? ", " : "", a);
		else
			yb_rbuf_printf(b, "%s%s—%s", i ? ", " : "", a, z);
	}
}

char *yb_months_text(const yb_month_span *runs, int n)
{
	yb_rbuf b = { 0 };
	char *out;
	size_t len;

	yb_months_add(&b, runs, n);
	yb_rbuf_add(&b, "", 1);
	return yb_rbuf_take(&b, &out, &len, NULL) == 0 ? out : NULL;
}

/* ---- formats --------------------------------------------------------------- */

bool yb_format_parse(const char *s, bool json_ok, yb_format dflt,
		     yb_format *out)
{
	if (!s || !*s)
		*out = dflt;
	else if (strcmp(s, "csv") == 0)
		*out = YB_FMT_CSV;
	else if (strcmp(s, "pdf") == 0)
		*out = YB_FMT_PDF;
	else if (json_ok && strcmp(s, "json") == 0)
		*out = YB_FMT_JSON;
	else
		return false;
	return true;
}

const char *yb_format_mime(yb_format f)
{
	switch (f) {
	case YB_FMT_CSV: return "text/csv; charset=utf-8";
	case YB_FMT_PDF: return "application/pdf";
	default:         return "application/json; charset=utf-8";
	}
}

const char *yb_format_ext(yb_format f)
{
	switch (f) {
	case YB_FMT_CSV: return "csv";
	case YB_FMT_PDF: return "pdf";
	default:         return "json";
	}
}
