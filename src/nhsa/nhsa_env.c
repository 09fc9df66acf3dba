/*
 * nhsa_env.c — the envelope of the national interface: request fields of
 * NHSA.md §1.1 checked one by one, the reply of §1.2, the date formats of
 * §4, and the error table (stable code → Chinese err_msg).
 */
#include "nhsa/nhsa_env.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonw.h"
#include "nhsa/nhsa_json.h"

/* ---- formats ------------------------------------------------------------ */

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool all_alnum(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= 'a' && *s <= 'z')))
			return false;
	return true;
}

bool yb_nhsa_parse_datetime(const char *s, yb_time *out)
{
	char day[11];
	yb_date d;
	int h, mi, se;

	if (strlen(s) != 19 || s[10] != ' ' || s[13] != ':' || s[16] != ':' ||
	    !all_digits(s + 11, 2) || !all_digits(s + 14, 2) ||
	    !all_digits(s + 17, 2))
		return false;
	memcpy(day, s, 10);
	day[10] = '\0';
	if (!yb_date_parse(day, &d))
		return false;
	h = (s[11] - '0') * 10 + (s[12] - '0');
	mi = (s[14] - '0') * 10 + (s[15] - '0');
	se = (s[17] - '0') * 10 + (s[18] - '0');
	if (h > 23 || mi > 59 || se > 59)
		return false;
	*out = yb_time_of_date(d) + h * 3600 + mi * 60 + se;
	return true;
}

/* n as `width` digits at p (leading zeros). */
static void digits(char *p, unsigned n, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + n % 10);
		n /= 10;
	}
}

/* Not snprintf: every reply carries two or three of these, made on the
 * writer for a transaction that acts (docs/BENCHMARKS.md). */
void yb_nhsa_format_datetime(yb_time t, char out[20])
{
	yb_time local = t + YB_LOCAL_UTC_OFFSET;
	int64_t sec = ((local % 86400) + 86400) % 86400;
	int y, m, d;

	yb_date_to_ymd(yb_date_of(t), &y, &m, &d);
	if (y >= 0 && y <= 9999) {
		digits(out, (unsigned)y, 4);
		out[4] = '-';
		digits(out + 5, (unsigned)m, 2);
		out[7] = '-';
		digits(out + 8, (unsigned)d, 2);
	} else {
		char day[16];
		yb_date_format(yb_date_of(t), day, sizeof day);
		memcpy(out, day, 10);
	}
	out[10] = ' ';
	digits(out + 11, (unsigned)(sec / 3600), 2);
	out[13] = ':';
	digits(out + 14, (unsigned)(sec / 60 % 60), 2);
	out[16] = ':';
	digits(out + 17, (unsigned)(sec % 60), 2);
	out[19] = '\0';
}

void yb_nhsa_ms_stamp(int64_t unix_ms, char out[18])
{
	char dt[20];
	unsigned ms = (unsigned)(((unix_ms % 1000) + 1000) % 1000);

	yb_nhsa_format_datetime(unix_ms / 1000, dt);
	memcpy(out, dt, 4);
	memcpy(out + 4, dt + 5, 2);
	memcpy(out + 6, dt + 8, 2);
	memcpy(out + 8, dt + 11, 2);
	memcpy(out + 10, dt + 14, 2);
	memcpy(out + 12, dt + 17, 2);
	digits(out + 14, ms, 3);
	out[17] = '\0';
}

bool yb_nhsa_msgid_ok(const char *m)
{
	char dt[20];
	yb_time t;

	if (strlen(m) != YB_NHSA_MSGID_LEN || !all_alnum(m) ||
	    !all_digits(m + 12, 18))
		return false;
	snprintf(dt, sizeof dt, "%.4s-%.2s-%.2s %.2s:%.2s:%.2s", m + 12,
		 m + 16, m + 18, m + 20, m + 22, m + 24);
	return yb_nhsa_parse_datetime(dt, &t);
}

/* ---- the request envelope ------------------------------------------------ */

/* One field of §1.1: name, length, required, where it goes. */
typedef struct env_field {
	const char *name;
	size_t max;
	bool required;
	size_t offset;
} env_field;

#define F(n, max, req) { #n, max, req, offsetof(yb_nhsa_env, n) }
static const env_field fields[] = {
	F(infno, 6, true),            F(msgid, 30, true),
	F(mdtrtarea_admvs, 6, true),  F(insuplc_admdvs, 6, false),
	F(recer_sys_code, 10, true),  F(dev_no, 100, false),
	F(dev_safe_info, 2000, false), F(cainfo, 1024, false),
	F(signtype, 10, false),       F(infver, 6, true),
	F(opter_type, 3, true),       F(opter, 30, true),
	F(opter_name, 50, true),      F(inf_time, 19, true),
	F(fixmedins_code, 30, true),  F(fixmedins_name, 200, true),
	F(sign_no, 30, false),
};
#undef F

static int env_formats(const yb_nhsa_env *e, yb_err *err)
{
	size_t n;
	yb_time t;

	n = strlen(e->infno);
	if (n < 4 || !all_digits(e->infno, n))
		return yb_errf(err, "nhsa.invalid_field", "infno");
	if (!yb_nhsa_msgid_ok(e->msgid))
		return yb_errf(err, "nhsa.invalid_field", "msgid");
	if (strlen(e->mdtrtarea_admvs) != 6 || !all_digits(e->mdtrtarea_admvs, 6))
		return yb_errf(err, "nhsa.invalid_field", "mdtrtarea_admvs");
	if (*e->insuplc_admdvs && (strlen(e->insuplc_admdvs) != 6 ||
				   !all_digits(e->insuplc_admdvs, 6)))
		return yb_errf(err, "nhsa.invalid_field", "insuplc_admdvs");
	if (strspn(e->infver, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.") !=
	    strlen(e->infver))
		return yb_errf(err, "nhsa.invalid_field", "infver");
	if (strcmp(e->opter_type, "1") != 0 && strcmp(e->opter_type, "2") != 0 &&
	    strcmp(e->opter_type, "3") != 0)
		return yb_errf(err, "nhsa.invalid_field", "opter_type");
	if (!yb_nhsa_parse_datetime(e->inf_time, &t))
		return yb_errf(err, "nhsa.invalid_field", "inf_time");
	/* It becomes yibao's institution code: the same characters. */
	if (strspn(e->fixmedins_code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./") !=
	    strlen(e->fixmedins_code))
		return yb_errf(err, "nhsa.invalid_field", "fixmedins_code");
	if (*e->sign_no && !all_alnum(e->sign_no))
		return yb_errf(err, "nhsa.invalid_field", "sign_no");
	return 0;
}

int yb_nhsa_env_decode(const char *body, size_t len, yb_nhsa_env *env,
		       yb_err *err)
{
	memset(env, 0, sizeof *env);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		*(const char **)((char *)env + fields[i].offset) = "";
	if (yb_nhsa_parse(body, len, &env->root, err) < 0)
		return -1;
	/* infno and msgid first, so that even a refusal can echo them. */
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const env_field *f = &fields[i];
		if (yb_nhsa_get_str(env->root, "envelope", f->name, f->max,
				    f->required,
				    (const char **)((char *)env + f->offset),
				    err) < 0)
			goto fail;
	}
	if (env_formats(env, err) < 0)
		goto fail;
	if (yb_nhsa_get_obj(env->root, "envelope", "input", true, &env->input,
			    err) < 0)
		goto fail;
	return 0;
fail:
	/* Keep what was read (root stays owned) for the reply and the log. */
	return -1;
}

void yb_nhsa_env_free(yb_nhsa_env *env)
{
	if (!env)
		return;
	json_decref(env->root);
	env->root = NULL;
}

/* ---- the reply ------------------------------------------------------------ */

void yb_nhsa_reply_open(yb_jw *w, const yb_nhsa_reply *r)
{
	/* Written straight (core/jsonw.h), not as a tree: a 2207's reply
	 * is made on the group-commit writer. */
	yb_jw_raw(w, "{");
	yb_jw_kint(w, "infcode", r->infcode);
	yb_jw_kstr(w, "inf_refmsgid", r->inf_refmsgid);
	yb_jw_kstr(w, "refmsg_time", r->refmsg_time);
	yb_jw_kstr(w, "respond_time", r->respond_time);
	yb_jw_kstr(w, "err_msg", r->err_msg);
	yb_jw_raw(w, ",\"warn_msg\":\"\",\"cainfo\":\"\",\"signtype\":\"\","
		  "\"output\":");
}

char *yb_nhsa_reply_encode(const yb_nhsa_reply *r, size_t *len)
{
	yb_jw w = YB_JW_INIT;

	yb_nhsa_reply_open(&w, r);
	if (r->output)
		yb_nhsa_jw_value(&w, r->output);
	else
		yb_jw_raw(&w, "{}");
	yb_jw_raw(&w, "}");
	return yb_jw_take(&w, len);
}

/* ---- the error table --------------------------------------------------------- */

static const struct {
	const char *code;
	const char *text;
} err_texts[] = {
	/* envelope and fields */
	{ "nhsa.invalid_json",          "报文不是合法的JSON对象" },
	{ "nhsa.too_large",             "报文过大" },
	{ "nhsa.missing_field",         "必填字段缺失" },
	{ "nhsa.invalid_field",         "字段格式错误" },
	{ "nhsa.field_too_long",        "字段超长" },
	{ "nhsa.invalid_amount",        "金额格式错误（须为非负数，最多两位小数）" },
	{ "nhsa.unknown_infno",         "不支持的交易编号" },
	{ "nhsa.infno_mismatch",        "地址中的交易编号与报文infno不一致" },
	/* gateway authentication */
	{ "nhsa.auth_missing",          "缺少网关认证头x-tif-*" },
	{ "nhsa.auth_unknown_paasid",   "paasid无效或已停用" },
	{ "nhsa.auth_bad_signature",    "网关签名错误" },
	{ "nhsa.auth_stale_timestamp",  "网关时间戳超出允许范围" },
	{ "nhsa.auth_nonce_replayed",   "随机数nonce已使用（重放）" },
	{ "nhsa.institution_mismatch",  "定点医药机构编号与认证凭据不符" },
	{ "nhsa.sign_required",         "未签到：缺少签到流水号sign_no" },
	{ "nhsa.sign_invalid",          "签到流水号无效或已过期，请重新签到" },
	{ "nhsa.msgid_reused",          "报文ID已使用且报文内容不同" },
	{ "nhsa.msgid_in_progress",     "相同报文ID的交易正在处理" },
	{ "nhsa.msgid_reversed",        "该报文ID的交易已冲正" },
	/* business */
	{ "nhsa.duplicate",             "记录重复" },
	{ "nhsa.person_mismatch",       "就诊凭证与人员编号不符（卡为持卡人本人使用）" },
	{ "nhsa.insutype_mismatch",     "险种类型与人员参保险种不符" },
	{ "nhsa.visit_not_found",       "就诊ID不存在" },
	{ "nhsa.visit_state",           "就诊状态不允许此交易" },
	{ "nhsa.ipt_otp_no_duplicate",  "住院/门诊号重复" },
	{ "nhsa.fee_duplicate",         "费用明细流水号重复" },
	{ "nhsa.fee_not_found",         "费用明细不存在" },
	{ "nhsa.batch_settled",         "该收费批次（明细）已结算，不能再变更" },
	{ "nhsa.fee_line_mismatch",     "明细金额与数量×单价不符" },
	{ "nhsa.fee_total_mismatch",    "医疗费总额与上传的费用明细合计不符" },
	{ "nhsa.setl_not_found",        "结算记录不存在" },
	{ "nhsa.setl_reused",           "该收费批次已结算且内容不同" },
	{ "nhsa.reversal_refused",      "原交易不能冲正" },
	{ "nhsa.credential_not_found",  "接入凭据不存在" },
	{ "nhsa.message_not_found",     "报文记录不存在" },
	/* files: 9101, 9102, 3202 */
	{ "nhsa.file_encoding",         "文件内容编码错误（须为字节数组或Base64）" },
	{ "nhsa.file_invalid",          "文件格式错误（须为含一个.txt的.zip或.txt）" },
	{ "nhsa.file_too_large",        "文件过大" },
	{ "nhsa.file_line",             "明细文件行格式错误" },
	{ "nhsa.file_not_found",        "文件不存在" },
	{ "nhsa.file_expired",          "文件已过下载截止时间" },
	/* yibao's own codes, as they reach this interface */
	{ "settlement.credential_invalid", "就诊凭证无效（卡已挂失、注销或电子凭证过期）" },
	{ "settlement.patient_not_insured", "人员未参保或参保状态异常" },
	{ "settlement.invalid_amounts",  "结算金额不合法" },
	{ "settlement.txn_id_reused",    "该收费批次已结算且内容不同" },
	{ "settlement.not_found",        "结算记录不存在" },
	{ "ledger.insufficient_balance", "个人账户余额不足" },
	{ "ledger.account_closed",       "个人账户已注销" },
	{ "person.not_found",            "人员不存在" },
	{ "person.not_active",           "人员参保状态不正常" },
	{ "institution.not_found",       "定点医药机构未登记" },
	{ "auth.forbidden",              "无权进行此交易" },
	{ "reconciliation.invalid",      "对账参数错误" },
	{ "store.busy",                  "系统繁忙，请稍后重试" },
};

const char *yb_nhsa_err_text(const char *code)
{
	for (size_t i = 0; code && i < sizeof err_texts / sizeof err_texts[0];
	     i++)
		if (strcmp(err_texts[i].code, code) == 0)
			return err_texts[i].text;
	return "系统错误";
}

const char *yb_nhsa_err_at(int i, const char **text)
{
	if (i < 0 || (size_t)i >= sizeof err_texts / sizeof err_texts[0])
		return NULL;
	if (text)
		*text = err_texts[i].text;
	return err_texts[i].code;
}

void yb_nhsa_err_msg(const yb_err *err, char *buf, size_t size)
{
	const char *code = err && err->code ? err->code : "internal";
	const char *msg = err ? err->message : "";

	if (*msg)
		snprintf(buf, size, "%s：%s [%s]", yb_nhsa_err_text(code), msg,
			 code);
	else
		snprintf(buf, size, "%s [%s]", yb_nhsa_err_text(code), code);
}
