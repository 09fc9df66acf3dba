/*
 * nhsa_parse.c — a message's JSON text into a jansson tree, numbers kept
 * as their exact text (the marker scheme of nhsa_json.h).
 *
 * Our own reader, not json_loadb: jansson's lexer takes the text a byte
 * at a time through its stream and string buffer, and that was 120,000
 * instructions of a 2207's 350,000 on the connection thread — the most
 * of what the gateway costs there more than the JSON API
 * (docs/BENCHMARKS.md, "What bounds the ratio").  This one scans each
 * string once and hands jansson the finished values.  It refuses what
 * json_loadb refused with the flags used before (JSON_REJECT_DUPLICATES,
 * numbers pre-marked, no "\u0000", nesting as YB_NHSA_DEPTH_MAX):
 * syntax errors, a top level other than an object, text after it,
 * control characters and invalid UTF-8 (overlong forms, surrogates,
 * beyond U+10FFFF) in strings, unknown escapes, lone surrogate escapes,
 * duplicate keys — tests/unit/test_nhsa_codec.c compares the two.
 */
#include "nhsa/nhsa_json.h"

#include <stdlib.h>
#include <string.h>

typedef struct reader {
	const unsigned char *p, *end;
	int depth;
	char *buf;                       /* an unescaped string (len bytes) */
} reader;

static void skip_ws(reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
				 *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/* Bytes of the valid UTF-8 sequence at s (first byte >= 0x80), 0 if
 * invalid: jansson's rules (utf.c). */
static size_t utf8_seq(const unsigned char *s, const unsigned char *end)
{
	unsigned c = s[0], v;
	size_t n;

	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		n = 2;
		v = c & 0x1F;
	} else if (c < 0xF0) {
		n = 3;
		v = c & 0x0F;
	} else if (c <= 0xF4) {
		n = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - s) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ||
	    (n == 3 && v < 0x800) || (n == 4 && v < 0x10000))
		return 0;
	return n;
}

static int hex4(const unsigned char *s, const unsigned char *end,
		unsigned *out)
{
	unsigned v = 0;

	if (end - s < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		unsigned c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xC0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3F));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	return o;
}

/* One escape after the backslash at *s; its bytes at *o.  -1 refused
 * (unknown, "\u0000", a lone or unpaired surrogate). */
static int unescape(const unsigned char **s, const unsigned char *end,
		    char **o)
{
	const unsigned char *p = *s + 1;
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *k;
	unsigned cp, lo;

	if (p >= end)
		return -1;
	if (*p != 'u') {
		if (!*p || !(k = strchr(from, *p)))
			return -1;
		*(*o)++ = to[k - from];
		*s = p + 1;
		return 0;
	}
	if (hex4(p + 1, end, &cp) < 0 || cp == 0 ||
	    (cp >= 0xDC00 && cp <= 0xDFFF))
		return -1;
	p += 5;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
		    hex4(p + 2, end, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
			return -1;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		p += 6;
	}
	*o = put_utf8(*o, cp);
	*s = p;
	return 0;
}

/* The string whose opening quote is at r->p: its bytes (in the text if
 * it has no escape, else in r->buf) and length; r->p past it. */
static const char *string_at(reader *r, size_t *len)
{
	const unsigned char *start = ++r->p, *s = start;
	char *o;

	while (s < r->end && *s != '"' && *s != '\\') {
		if (*s < 0x20)
			return NULL;
		if (*s < 0x80) {
			s++;
			continue;
		}
		size_t n = utf8_seq(s, r->end);
		if (!n)
			return NULL;
		s += n;
	}
	if (s >= r->end)
		return NULL;
	if (*s == '"') {
		*len = (size_t)(s - start);
		r->p = s + 1;
		return (const char *)start;
	}
	/* An escape: the rest is copied, unescaped, after what came before
	 * (never longer than the text it came from). */
	o = r->buf + (size_t)(s - start);
	memcpy(r->buf, start, (size_t)(s - start));
	while (s < r->end && *s != '"') {
		size_t n = 1;
		if (*s == '\\') {
			if (unescape(&s, r->end, &o) < 0)
				return NULL;
			continue;
		}
		if (*s < 0x20 || (*s >= 0x80 && !(n = utf8_seq(s, r->end))))
			return NULL;
		memcpy(o, s, n);
		o += n;
		s += n;
	}
	if (s >= r->end)
		return NULL;
	*len = (size_t)(o - r->buf);
	r->p = s + 1;
	return r->buf;
}

/* A number token (JSON's grammar) as a marked string. */
static json_t *number_at(reader *r)
{
	const unsigned char *s = r->p, *e = r->end;
	char mark[YB_NHSA_NUMBER_MAX + 1];
	size_t n;

	if (s < e && *s == '-')
		s++;
	if (s >= e || *s < '0' || *s > '9')
		return NULL;
	if (*s == '0')
		s++;
	else
		while (s < e && *s >= '0' && *s <= '9')
			s++;
	if (s < e && *s == '.') {
		if (++s >= e || *s < '0' || *s > '9')
			return NULL;
		while (s < e && *s >= '0' && *s <= '9')
			s++;
	}
	if (s < e && (*s == 'e' || *s == 'E')) {
		if (++s < e && (*s == '+' || *s == '-'))
			s++;
		if (s >= e || *s < '0' || *s > '9')
			return NULL;
		while (s < e && *s >= '0' && *s <= '9')
			s++;
	}
	n = (size_t)(s - r->p);
	if (n > YB_NHSA_NUMBER_MAX)
		return NULL;
	mark[0] = '\0';
	memcpy(mark + 1, r->p, n);
	r->p = s;
	return json_stringn_nocheck(mark, n + 1);
}

static json_t *value_at(reader *r);

static bool literal(reader *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return false;
	r->p += n;
	return true;
}

/* After a member or element: 1 another follows, 0 the end `close`,
 * -1 neither. */
static int next_item(reader *r, char close)
{
	skip_ws(r);
	if (r->p < r->end && *r->p == ',') {
		r->p++;
		skip_ws(r);
		return 1;
	}
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return 0;
	}
	return -1;
}

/* Past the opening bracket: true if `close` follows at once (empty). */
static bool empty(reader *r, char close)
{
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return true;
	}
	return false;
}

static json_t *object_at(reader *r)
{
	json_t *obj = json_object(), *v;
	const char *key;
	size_t klen;
	char *k;                         /* an unescaped key, kept */
	int more;

	if (!obj || empty(r, '}'))
		return obj;
	do {
		k = NULL;
		if (r->p >= r->end || *r->p != '"' ||
		    !(key = string_at(r, &klen)))
			goto bad;
		/* r->buf is the value's next */
		if (key == r->buf && !(key = k = strndup(key, klen)))
			goto bad;
		skip_ws(r);
		if (r->p >= r->end || *r->p != ':' ||
		    json_object_getn(obj, key, klen)) {
			free(k);
			goto bad;
		}
		r->p++;
		skip_ws(r);
		v = value_at(r);
		if (!v || json_object_setn_new_nocheck(obj, key, klen, v) < 0) {
			free(k);
			goto bad;
		}
		free(k);
	} while ((more = next_item(r, '}')) > 0);
	if (more == 0)
		return obj;
bad:
	json_decref(obj);
	return NULL;
}

static json_t *array_at(reader *r)
{
	json_t *arr = json_array(), *v;
	int more;

	if (!arr || empty(r, ']'))
		return arr;
	do {
		v = value_at(r);
		if (!v || json_array_append_new(arr, v) < 0)
			goto bad;
	} while ((more = next_item(r, ']')) > 0);
	if (more == 0)
		return arr;
bad:
	json_decref(arr);
	return NULL;
}

static json_t *value_at(reader *r)
{
	const char *s;
	size_t n;
	json_t *v;

	if (r->p >= r->end)
		return NULL;
	switch (*r->p) {
	case '{':
	case '[':
		if (++r->depth > YB_NHSA_DEPTH_MAX)
			return NULL;
		v = *r->p == '{' ? object_at(r) : array_at(r);
		r->depth--;
		return v;
	case '"':
		s = string_at(r, &n);
		return s ? json_stringn_nocheck(s, n) : NULL;
	case 't':
		return literal(r, "true") ? json_true() : NULL;
	case 'f':
		return literal(r, "false") ? json_false() : NULL;
	case 'n':
		return literal(r, "null") ? json_null() : NULL;
	default:
		return number_at(r);
	}
}

int yb_nhsa_parse(const char *buf, size_t len, json_t **out, yb_err *err)
{
	reader r = { (const unsigned char *)buf,
		     (const unsigned char *)buf + len, 0, NULL };
	json_t *j = NULL;

	*out = NULL;
	/* no raw NUL byte in the text (a NUL escape is refused as well) */
	if (!buf || len == 0 || memchr(buf, '\0', len))
		return yb_errf(err, "nhsa.invalid_json", "body");
	r.buf = malloc(len);
	if (!r.buf)
		return yb_errf(err, "out_of_memory", "out of memory");
	skip_ws(&r);
	if (r.p < r.end && *r.p == '{')
		j = value_at(&r);
	skip_ws(&r);
	free(r.buf);
	if (!j || r.p != r.end) {
		json_decref(j);
		return yb_errf(err, "nhsa.invalid_json", "body");
	}
	*out = j;
	return 0;
}
