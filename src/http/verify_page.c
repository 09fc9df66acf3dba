/*
 * verify_page.c — the page a proof's QR code opens (SPEC R2): plain
 * HTML for a phone, no script, no login, no other request — whether the
 * proof is genuine, and what it stated (masked), to hold beside the
 * paper.  Every value from the record is escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mask.h"
#include "http/httpd.h"

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':  fputs("&amp;", f); break;
		case '<':  fputs("&lt;", f); break;
		case '>':  fputs("&gt;", f); break;
		case '"':  fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:   fputc(*s, f);
		}
	}
}

static void row(FILE *f, const char *label, const char *value)
{
	fputs("<tr><th>", f);
	esc(f, label);
	fputs("</th><td>", f);
	esc(f, value);
	fputs("</td></tr>\n", f);
}

static const char page_head[] =
	"<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	"<title>参保证明核验</title><style>"
	"body{font-family:'Noto Sans CJK SC',sans-serif;margin:0;padding:1rem;"
	"color:#1b1f24;background:#f5f7fa;line-height:1.5}"
	"main{max-width:34rem;margin:auto;background:#fff;padding:1.25rem;"
	"border-radius:.5rem;box-shadow:0 1px 3px #0002}"
	"h1{font-size:1.3rem;margin:0 0 1rem}"
	".verdict{font-size:1.25rem;font-weight:700;padding:.75rem;"
	"border-radius:.4rem;margin-bottom:1rem}"
	".ok{background:#e3f5e8;color:#10602a}.bad{background:#fde8e8;color:#a11}"
	"table{width:100%;border-collapse:collapse;font-size:.95rem}"
	"th,td{text-align:left;padding:.35rem .25rem;border-bottom:1px solid #e5e8ec}"
	"th{color:#555;font-weight:400;width:40%}"
	"code{word-break:break-all}p.small{font-size:.85rem;color:#555}"
	"</style></head><body><main>\n<h1>参保证明核验</h1>\n";

static void verdict(FILE *f, const yb_proof_view *v)
{
	static const char *const words[] = {
		[YB_PROOF_GENUINE] = "✓ 真实有效：本证明由医保经办机构出具，"
				     "内容如下。",
		[YB_PROOF_REVOKED] = "✗ 已撤销：本证明曾由医保经办机构出具，"
				     "现已撤销，不再有效。",
		[YB_PROOF_UNKNOWN] = "✗ 无法核验：没有这个验证码的证明。"
				     "验证码可能有误，或证明系伪造。",
		[YB_PROOF_TAMPERED] = "✗ 无法核验：该证明的记录未通过签名"
				      "校验，不能作为有效证明。",
	};

	fprintf(f, "<p class=\"verdict %s\" role=\"status\">%s</p>\n",
		v->verdict == YB_PROOF_GENUINE ? "ok" : "bad",
		words[v->verdict]);
}

static void stated(FILE *f, const yb_proof_view *v)
{
	const yb_proof_facts *x = &v->facts;
	char name[YB_NAME_SZ], ssn[YB_SSN_SZ], n[32], when[64];

	fputs("<table>\n", f);
	row(f, "姓名", yb_mask_name(x->name, name, sizeof name));
	row(f, "身份证号", x->id_number);
	row(f, "社保电脑号", yb_mask_ssn(x->ssn, ssn, sizeof ssn));
	row(f, "参保险种", yb_label_scheme(x->scheme));
	row(f, "参保状态", yb_label_status(x->status));
	row(f, "首次参保月份", x->first_month[0] ? x->first_month : "无");
	snprintf(n, sizeof n, "%d 个月", x->total_months);
	row(f, "累计参保月数", n);
	snprintf(n, sizeof n, "%d 个月", x->continuity_months);
	row(f, "连续参保月数", n);
	snprintf(n, sizeof n, "%d 个月", x->gap_months);
	row(f, "断缴月数", n);
	row(f, "统计截至", x->as_of);
	row(f, "出具机构", x->agency);
	row(f, "出具时间", yb_when_text(x->issued_at, when));
	if (v->verdict == YB_PROOF_REVOKED) {
		row(f, "撤销时间", yb_when_text(v->record.revoked_at, when));
		row(f, "撤销原因", v->record.revoke_reason);
	}
	fputs("</table>\n", f);
}

char *yb_verify_html(const yb_settings *settings, const char *code,
		     const yb_proof_view *v, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);

	if (!f)
		return NULL;
	fputs(page_head, f);
	verdict(f, v);
	if (v->verdict == YB_PROOF_GENUINE || v->verdict == YB_PROOF_REVOKED)
		stated(f, v);
	fputs("<p class=\"small\">验证码：<code>", f);
	esc(f, code);
	fputs("</code><br>请将以上内容与纸质证明逐项核对；姓名和证件号码"
	      "已部分隐去。核验机构：", f);
	esc(f, settings->agency_name);
	fputs("</p>\n</main></body></html>\n", f);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
