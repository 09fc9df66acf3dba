/*
 * settings.c — one city's policy choices: defaults, the "key = value"
 * config file, and its rendering (see settings.h and docs/settings.md).
 *
 * Every key is one row of a table (name, kind, where it lives, bounds),
 * so setting, parsing and formatting cannot disagree about the keys.  A
 * file is applied to a copy and only taken when every line is good: a
 * half-applied policy would be worse than the defaults.
 */
#include "core/settings.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/enums.h"
#include "core/idnum.h"
#include "core/mask.h"
#include "core/months.h"
#include "core/money.h"

static const char invalid[] = "settings.invalid";

enum kind {
	K_REGION,
	K_SCHEMES,        /* list of yb_scheme */
	K_RELATIONSHIPS,  /* list of yb_relationship, or a preset */
	K_VISITS,         /* list of yb_visit_type */
	K_INT64,
	K_INT,
	K_PREMIUMS,       /* family: E1 — "year:fen" list */
	K_TEXT,           /* records: UTF-8 text; max = the field's size */
	K_URL,            /* records: an http(s) URL; max = the field's size */
};

static const struct setting {
	const char *key;
	enum kind kind;
	size_t offset;
	int64_t min, max;           /* numbers only */
} table[] = {
	{ "region", K_REGION, offsetof(yb_settings, region), 0, 0 },
	{ "account_schemes", K_SCHEMES,
	  offsetof(yb_settings, scheme_has_account), 0, 0 },
	{ "relationships", K_RELATIONSHIPS,
	  offsetof(yb_settings, relationship_allowed), 0, 0 },
	{ "share_floor_fen", K_INT64,
	  offsetof(yb_settings, share_floor_fen), 0, YB_MONEY_MAX },
	{ "family_visit_types", K_VISITS,
	  offsetof(yb_settings, family_visit_allowed), 0, 0 },
	{ "offline_window_days", K_INT,
	  offsetof(yb_settings, offline_window_days), 1, 3650 },
	{ "ecert_lifetime_seconds", K_INT,
	  offsetof(yb_settings, ecert_lifetime_seconds), 10, 86400 },
	{ "session_lifetime_seconds", K_INT,
	  offsetof(yb_settings, session_lifetime_seconds), 60, 30 * 86400 },
	{ "login_max_failures", K_INT,
	  offsetof(yb_settings, login_max_failures), 1, 1000 },
	{ "login_lockout_seconds", K_INT,
	  offsetof(yb_settings, login_lockout_seconds), 1, 30 * 86400 },
	{ "service_point_working_days", K_INT,
	  offsetof(yb_settings, service_point_working_days), 1, 60 },
	/* --- nhsa gateway (docs/NHSA.md) --- */
	{ "nhsa_time_window_seconds", K_INT,
	  offsetof(yb_settings, nhsa_time_window_seconds), 1, 86400 },
#define NHSA_POLICY(insu, i, visit, v)                                        \
	{ "nhsa_policy_" insu "_" visit "_deductible_fen", K_INT64,            \
	  offsetof(yb_settings, nhsa_policy[i][v].deductible_fen), 0,          \
	  YB_MONEY_MAX },                                                       \
	{ "nhsa_policy_" insu "_" visit "_ratio_bp", K_INT64,                  \
	  offsetof(yb_settings, nhsa_policy[i][v].ratio_bp), 0, 10000 },       \
	{ "nhsa_policy_" insu "_" visit "_ceiling_fen", K_INT64,               \
	  offsetof(yb_settings, nhsa_policy[i][v].ceiling_fen), 0,             \
	  YB_MONEY_MAX }
	NHSA_POLICY("310", YB_NHSA_INSU_EMPLOYEE, "outpatient", YB_VISIT_OUTPATIENT),
	NHSA_POLICY("310", YB_NHSA_INSU_EMPLOYEE, "pharmacy", YB_VISIT_PHARMACY),
	NHSA_POLICY("310", YB_NHSA_INSU_EMPLOYEE, "inpatient", YB_VISIT_INPATIENT),
	NHSA_POLICY("390", YB_NHSA_INSU_RESIDENT, "outpatient", YB_VISIT_OUTPATIENT),
	NHSA_POLICY("390", YB_NHSA_INSU_RESIDENT, "pharmacy", YB_VISIT_PHARMACY),
	NHSA_POLICY("390", YB_NHSA_INSU_RESIDENT, "inpatient", YB_VISIT_INPATIENT),
#undef NHSA_POLICY
	/* --- harden (#14): the HTTP server's resource limits --- */
	{ "http_connection_limit", K_INT,
	  offsetof(yb_settings, http_connection_limit), 16, 1000000 },
	{ "http_per_ip_connection_limit", K_INT,
	  offsetof(yb_settings, http_per_ip_connection_limit), 0, 1000000 },
	{ "http_connection_timeout_seconds", K_INT,
	  offsetof(yb_settings, http_connection_timeout_seconds), 1, 3600 },
	{ "http_connection_memory_limit", K_INT,
	  offsetof(yb_settings, http_connection_memory_limit), 8192,
	  16 * 1024 * 1024 },
	/* notify (E3): the webhook sender */
	{ "webhook_max_attempts", K_INT,
	  offsetof(yb_settings, webhook_max_attempts), 1, 1000 },
	{ "webhook_backoff_ms", K_INT,
	  offsetof(yb_settings, webhook_backoff_ms), 10, 86400000 },
	{ "webhook_backoff_max_ms", K_INT,
	  offsetof(yb_settings, webhook_backoff_max_ms), 10, 7 * 86400000 },
	{ "webhook_timeout_ms", K_INT,
	  offsetof(yb_settings, webhook_timeout_ms), 100, 600000 },
	{ "webhook_poll_ms", K_INT,
	  offsetof(yb_settings, webhook_poll_ms), 10, 600000 },
	/* family: E1 premiums for relatives */
	{ "resident_premiums", K_PREMIUMS,
	  offsetof(yb_settings, resident_premium_fen), 0, YB_MONEY_MAX },
	{ "premium_open_month", K_INT,
	  offsetof(yb_settings, premium_open_month), 1, 12 },
	{ "premium_close_month", K_INT,
	  offsetof(yb_settings, premium_close_month), 1, 12 },
	/* records and proofs (R1–R4) */
	{ "statement_max_months", K_INT,
	  offsetof(yb_settings, statement_max_months), 12,
	  YB_PERIOD_MAX_MONTHS_DEFAULT },
	{ "agency_name", K_TEXT, offsetof(yb_settings, agency_name), 1,
	  YB_NAME_SZ },
	{ "proof_verify_url", K_URL, offsetof(yb_settings, proof_verify_url),
	  1, YB_TEXT_SZ },
	{ "gap_explanation", K_TEXT, offsetof(yb_settings, gap_explanation), 1,
	  YB_SETTING_TEXT_SZ },
};

#define NSETTINGS ((int)(sizeof table / sizeof table[0]))

/* The 2024 national "near relatives" (近亲属) set of family mutual aid. */
static const char near_relatives[] =
	"spouse,parent,child,sibling,grandparent,grandchild";

void yb_settings_defaults(yb_settings *s)
{
	memset(s, 0, sizeof *s);
	snprintf(s->region, sizeof s->region, "440300");
	s->scheme_has_account[YB_SCHEME_EMPLOYEE_TIER1] = true;
	s->relationship_allowed[YB_REL_SPOUSE] = true;
	s->relationship_allowed[YB_REL_PARENT] = true;
	s->relationship_allowed[YB_REL_CHILD] = true;
	s->share_floor_fen = 0;
	s->family_visit_allowed[YB_VISIT_OUTPATIENT] = true;
	s->family_visit_allowed[YB_VISIT_PHARMACY] = true;
	s->offline_window_days = 30;
	s->ecert_lifetime_seconds = 300;
	s->session_lifetime_seconds = 1800;
	s->login_max_failures = 5;
	s->login_lockout_seconds = 900;
	s->service_point_working_days = 3;
	/* --- nhsa gateway: illustrative defaults (docs/NHSA.md) --- */
	s->nhsa_time_window_seconds = 300;
	s->nhsa_policy[YB_NHSA_INSU_EMPLOYEE][YB_VISIT_OUTPATIENT] =
		(yb_fund_policy){ 20000, 7000, 1000000 };
	s->nhsa_policy[YB_NHSA_INSU_EMPLOYEE][YB_VISIT_PHARMACY] =
		(yb_fund_policy){ 0, 0, 0 };
	s->nhsa_policy[YB_NHSA_INSU_EMPLOYEE][YB_VISIT_INPATIENT] =
		(yb_fund_policy){ 100000, 9000, 50000000 };
	s->nhsa_policy[YB_NHSA_INSU_RESIDENT][YB_VISIT_OUTPATIENT] =
		(yb_fund_policy){ 10000, 5000, 300000 };
	s->nhsa_policy[YB_NHSA_INSU_RESIDENT][YB_VISIT_PHARMACY] =
		(yb_fund_policy){ 0, 0, 0 };
	s->nhsa_policy[YB_NHSA_INSU_RESIDENT][YB_VISIT_INPATIENT] =
		(yb_fund_policy){ 80000, 7000, 20000000 };
	/* harden (#14): docs/settings.md says why these values */
	s->http_connection_limit = 4096;
	s->http_per_ip_connection_limit = 0;
	s->http_connection_timeout_seconds = 30;
	s->http_connection_memory_limit = 32 * 1024;
	/* notify (E3) */
	s->webhook_max_attempts = 10;
	s->webhook_backoff_ms = 1000;
	s->webhook_backoff_max_ms = 3600000;
	s->webhook_timeout_ms = 10000;
	s->webhook_poll_ms = 1000;
	/* family: E1 — Shenzhen's resident individual contribution */
	s->resident_premium_fen[2026 - YB_PREMIUM_YEAR_MIN] = 40000;
	s->resident_premium_fen[2027 - YB_PREMIUM_YEAR_MIN] = 40000;
	s->premium_open_month = 9;
	s->premium_close_month = 12;
	/* records and proofs (R1–R4) */
	s->statement_max_months = YB_PERIOD_MAX_MONTHS_DEFAULT;
	snprintf(s->agency_name, sizeof s->agency_name, "%s",
		 "深圳市医疗保障局");
	snprintf(s->proof_verify_url, sizeof s->proof_verify_url, "%s",
		 "http://127.0.0.1:8080/verify/");
	snprintf(s->gap_explanation, sizeof s->gap_explanation, "%s",
		 "断缴是指自首次缴费以来，某个月份没有缴费记录。断缴期间发生的"
		 "医疗费用，医保基金可能不予支付；断缴后重新参保，可能需要经过"
		 "等待期才能重新享受待遇，连续参保月数也将重新计算。如属单位漏缴，"
		 "请联系用人单位，或携带身份证到医保经办窗口咨询补缴。");
}

/*
 * records: a text setting — valid UTF-8 without control characters,
 * not empty, shorter than the field; a URL also begins with http:// or
 * https:// and has no blank.  (A '#' cannot reach here: it starts a
 * comment in the file.)
 */
static int set_text(const struct setting *st, char *field, const char *value,
		    yb_err *err)
{
	size_t n = strlen(value);

	if (n == 0 || n >= (size_t)st->max || !yb_utf8_valid_text(value))
		return yb_errf(err, invalid,
			       "%s: text of 1 to %d bytes of UTF-8 is needed",
			       st->key, (int)st->max - 1);
	if (st->kind == K_URL &&
	    ((strncmp(value, "http://", 7) != 0 &&
	      strncmp(value, "https://", 8) != 0) ||
	     strpbrk(value, " \t") != NULL))
		return yb_errf(err, invalid,
			       "%s: an http:// or https:// URL is needed",
			       st->key);
	memset(field, 0, (size_t)st->max);
	memcpy(field, value, n);
	return 0;
}

/*
 * family: E1 — "2026:40000, 2027:42000": each year once, 2000..2099, an
 * amount of fen; the empty value sets none.  All or nothing.
 */
static int set_premiums(const struct setting *st, int64_t *fen,
			const char *value, yb_err *err)
{
	int64_t next[YB_PREMIUM_YEARS] = { 0 };
	const char *p = value;

	while (*p) {
		unsigned year;
		long long amount;
		int used = 0;

		p += strspn(p, " \t\r");
		if (!*p)
			break;
		if (sscanf(p, "%4u:%13lld%n", &year, &amount, &used) != 2 ||
		    year < YB_PREMIUM_YEAR_MIN ||
		    year >= YB_PREMIUM_YEAR_MIN + YB_PREMIUM_YEARS ||
		    amount < 0 || amount > st->max ||
		    next[year - YB_PREMIUM_YEAR_MIN] != 0)
			return yb_errf(err, invalid,
				       "%s: expected YEAR:FEN items "
				       "(2000..2099, each year once), got \"%s\"",
				       st->key, value);
		next[year - YB_PREMIUM_YEAR_MIN] = amount;
		p += used;
		p += strspn(p, " \t\r");
		if (*p == ',')
			p++;
		else if (*p)
			return yb_errf(err, invalid, "%s: a comma is needed "
				       "between items", st->key);
	}
	memcpy(fen, next, sizeof next);
	return 0;
}

/* The string form of value v of a list kind, and how many values. */
static const char *list_name(enum kind k, int v)
{
	switch (k) {
	case K_SCHEMES:       return yb_scheme_str((yb_scheme)v);
	case K_RELATIONSHIPS: return yb_relationship_str((yb_relationship)v);
	case K_VISITS:        return yb_visit_type_str((yb_visit_type)v);
	default:              return "";
	}
}

static int list_size(enum kind k)
{
	switch (k) {
	case K_SCHEMES:       return YB_SCHEME__N;
	case K_RELATIONSHIPS: return YB_REL__N;
	case K_VISITS:        return YB_VISIT__N;
	default:              return 0;
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * A comma-separated list of names ("spouse, parent"), blanks around the
 * names allowed; an empty value means none, an empty item is a typo.
 * Fills flags[] only when the whole list is good.
 */
static int set_list(const struct setting *st, bool *flags, const char *value,
		    yb_err *err)
{
	int n = list_size(st->kind);
	bool next[YB_SCHEME__N + YB_REL__N + YB_VISIT__N] = { false };
	const char *p = value;

	if (st->kind == K_RELATIONSHIPS && strcmp(value, "near_relatives") == 0)
		p = near_relatives;
	if (p[strspn(p, " \t\r")] == '\0')
		p = "";
	while (*p) {
		const char *start = p, *end;
		int v;

		while (*p && *p != ',')
			p++;
		end = p;
		while (start < end && is_blank(*start))
			start++;
		while (end > start && is_blank(end[-1]))
			end--;
		if (end == start)
			return yb_errf(err, invalid,
				       "%s: empty item in the list", st->key);
		for (v = 0; v < n; v++) {
			const char *name = list_name(st->kind, v);
			if (strlen(name) == (size_t)(end - start) &&
			    memcmp(name, start, (size_t)(end - start)) == 0)
				break;
		}
		if (v == n)
			return yb_errf(err, invalid, "%s: unknown value \"%.*s\"",
				       st->key, (int)(end - start), start);
		next[v] = true;
		/* Step over the comma; one at the very end would leave an
		 * empty last item. */
		if (*p == ',' && *++p == '\0')
			return yb_errf(err, invalid,
				       "%s: empty item in the list", st->key);
	}
	memcpy(flags, next, (size_t)n * sizeof *flags);
	return 0;
}

/* A decimal integer in [min, max]: digits only, no sign, no blanks. */
static int parse_number(const struct setting *st, const char *value,
			int64_t *out, yb_err *err)
{
	int64_t v = 0;
	const char *p = value;

	if (*p == '\0')
		return yb_errf(err, invalid, "%s: a number is needed", st->key);
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return yb_errf(err, invalid, "%s: \"%s\" is not a number",
				       st->key, value);
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, *p - '0', &v))
			return yb_errf(err, invalid, "%s: %s is too large",
				       st->key, value);
	}
	if (v < st->min || v > st->max)
		return yb_errf(err, invalid,
			       "%s: %s is outside %" PRId64 "..%" PRId64,
			       st->key, value, st->min, st->max);
	*out = v;
	return 0;
}

int yb_settings_set(yb_settings *s, const char *key, const char *value,
		    yb_err *err)
{
	const struct setting *st = NULL;
	char *field;
	int64_t v;

	if (!key || !value)
		return yb_errf(err, invalid, "a key and a value are needed");
	for (int i = 0; i < NSETTINGS; i++)
		if (strcmp(table[i].key, key) == 0)
			st = &table[i];
	if (!st)
		return yb_errf(err, invalid, "unknown setting \"%s\"", key);
	field = (char *)s + st->offset;

	switch (st->kind) {
	case K_REGION:
		if (!yb_region_valid(value))
			return yb_errf(err, invalid,
				       "region: \"%s\" is not a 6-digit region code",
				       value);
		snprintf(field, YB_REGION_SZ, "%s", value);
		return 0;
	case K_SCHEMES:
	case K_RELATIONSHIPS:
	case K_VISITS:
		return set_list(st, (bool *)field, value, err);
	case K_INT64:
		if (parse_number(st, value, &v, err) < 0)
			return -1;
		memcpy(field, &v, sizeof v);
		return 0;
	case K_INT:
		if (parse_number(st, value, &v, err) < 0)
			return -1;
		{
			int iv = (int)v;    /* bounds are within int */
			memcpy(field, &iv, sizeof iv);
		}
		return 0;
	case K_PREMIUMS:
		return set_premiums(st, (int64_t *)(void *)field, value, err);
	case K_TEXT:
	case K_URL:
		return set_text(st, field, value, err);
	}
	return yb_errf(err, invalid, "unknown setting \"%s\"", key);
}

/* records: room for the longest text setting and its key */
#define LINE_MAX_LEN (YB_SETTING_TEXT_SZ + 64)

/* Trim blanks at both ends of a string in place; returns the new start. */
static char *trim(char *start)
{
	char *end = start + strlen(start);

	while (is_blank(*start))
		start++;
	while (end > start && is_blank(end[-1]))
		end--;
	*end = '\0';
	return start;
}

int yb_settings_parse(yb_settings *s, const char *text, yb_err *err)
{
	yb_settings next = *s;
	char line[LINE_MAX_LEN];
	const char *p = text;
	int lineno = 0;

	if (!text)
		return yb_errf(err, invalid, "no settings text");
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *key, *eq, *hash;
		yb_err e;

		lineno++;
		if (len >= sizeof line)
			return yb_errf(err, invalid, "line %d is too long", lineno);
		memcpy(line, p, len);
		line[len] = '\0';
		p += len;
		if (*p == '\n')
			p++;

		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		key = trim(line);
		if (*key == '\0')
			continue;
		eq = strchr(key, '=');
		if (!eq)
			return yb_errf(err, invalid,
				       "line %d: expected \"key = value\"", lineno);
		*eq = '\0';
		yb_err_clear(&e);
		if (yb_settings_set(&next, trim(key), trim(eq + 1), &e) < 0)
			return yb_errf(err, invalid, "line %d: %s", lineno,
				       e.message);
	}
	*s = next;
	return 0;
}

/* Append to buf at *pos; false once it no longer fits. */
static bool append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= size)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, size - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *pos) {
		*pos = size;
		return false;
	}
	*pos += (size_t)n;
	return true;
}

/*
 * Returns 0, or -1 if `size` is too small (buf then holds a truncated,
 * NUL-terminated text).  The output parses back to the same settings.
 */
int yb_settings_format(const yb_settings *s, char *buf, size_t size)
{
	size_t pos = 0;
	bool ok = true;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	for (int i = 0; i < NSETTINGS && ok; i++) {
		const struct setting *st = &table[i];
		const char *field = (const char *)s + st->offset;

		ok = append(buf, size, &pos, "%s = ", st->key);
		switch (st->kind) {
		case K_REGION:
		case K_TEXT:
		case K_URL:
			ok = ok && append(buf, size, &pos, "%s", field);
			break;
		case K_SCHEMES:
		case K_RELATIONSHIPS:
		case K_VISITS: {
			const bool *flags = (const bool *)field;
			bool first = true;
			for (int v = 0; v < list_size(st->kind) && ok; v++) {
				if (!flags[v])
					continue;
				ok = append(buf, size, &pos, "%s%s",
					    first ? "" : ",",
					    list_name(st->kind, v));
				first = false;
			}
			break;
		}
		case K_INT64: {
			int64_t v;
			memcpy(&v, field, sizeof v);
			ok = ok && append(buf, size, &pos, "%" PRId64, v);
			break;
		}
		case K_INT: {
			int v;
			memcpy(&v, field, sizeof v);
			ok = ok && append(buf, size, &pos, "%d", v);
			break;
		}
		case K_PREMIUMS: {
			const char *sep = "";
			for (int y = 0; y < YB_PREMIUM_YEARS && ok; y++) {
				int64_t v;
				memcpy(&v, field + y * sizeof v, sizeof v);
				if (v == 0)
					continue;
				ok = append(buf, size, &pos, "%s%d:%" PRId64,
					    sep, YB_PREMIUM_YEAR_MIN + y, v);
				sep = ",";
			}
			break;
		}
		}
		ok = ok && append(buf, size, &pos, "\n");
	}
	return ok ? 0 : -1;
}
