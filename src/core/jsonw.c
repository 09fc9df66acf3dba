/*
 * jsonw.c — the small JSON writer (jsonw.h says why it exists).
 */
#include "core/jsonw.h"

#include <stdlib.h>
#include <string.h>

static bool room(yb_jw *w, size_t n)
{
	size_t cap;
	char *nb;

	if (w->failed)
		return false;
	if (w->len + n + 1 <= w->cap)
		return true;
	cap = w->cap ? w->cap : 256;
	while (cap < w->len + n + 1)
		cap *= 2;
	nb = realloc(w->buf, cap);
	if (!nb) {
		w->failed = true;
		return false;
	}
	w->buf = nb;
	w->cap = cap;
	return true;
}

void yb_jw_reserve(yb_jw *w, size_t n)
{
	char *nb;

	if (w->failed || w->len + n + 1 <= w->cap)
		return;
	nb = realloc(w->buf, w->len + n + 1);
	if (!nb) {
		w->failed = true;
		return;
	}
	w->buf = nb;
	w->cap = w->len + n + 1;
}

void yb_jw_rawn(yb_jw *w, const char *s, size_t n)
{
	if (!room(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
	/* After an opening bracket the next member is the first; after a
	 * closing one a member has been written. */
	if (n > 0 && (s[n - 1] == '{' || s[n - 1] == '['))
		w->first = true;
	else if (n > 0 && (s[n - 1] == '}' || s[n - 1] == ']'))
		w->first = false;
}

void yb_jw_raw(yb_jw *w, const char *s)
{
	yb_jw_rawn(w, s, strlen(s));
}

/* Bytes a string needs no escape for: copied in runs. */
static bool plain(unsigned char c)
{
	return c >= 0x20 && c != '"' && c != '\\';
}

void yb_jw_strn(yb_jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	/* at most 6 bytes per byte, and the quotes */
	if (!room(w, n * 6 + 2))
		return;
	w->buf[w->len++] = '"';
	while (i < n) {
		size_t run = i;
		unsigned char c;
		while (run < n && plain((unsigned char)s[run]))
			run++;
		memcpy(w->buf + w->len, s + i, run - i);
		w->len += run - i;
		if (run == n)
			break;
		c = (unsigned char)s[run];
		w->buf[w->len++] = '\\';
		switch (c) {
		case '"': w->buf[w->len++] = '"'; break;
		case '\\': w->buf[w->len++] = '\\'; break;
		case '\n': w->buf[w->len++] = 'n'; break;
		case '\r': w->buf[w->len++] = 'r'; break;
		case '\t': w->buf[w->len++] = 't'; break;
		case '\b': w->buf[w->len++] = 'b'; break;
		case '\f': w->buf[w->len++] = 'f'; break;
		default:
			memcpy(w->buf + w->len, "u00", 3);
			w->len += 3;
			w->buf[w->len++] = hex[c >> 4];
			w->buf[w->len++] = hex[c & 15];
		}
		i = run + 1;
	}
	w->buf[w->len++] = '"';
	w->buf[w->len] = '\0';
}

void yb_jw_str(yb_jw *w, const char *s)
{
	yb_jw_strn(w, s ? s : "", s ? strlen(s) : 0);
}

void yb_jw_sep(yb_jw *w)
{
	if (!w->first)
		yb_jw_rawn(w, ",", 1);
	w->first = false;
}

void yb_jw_key(yb_jw *w, const char *key)
{
	size_t n = strlen(key), i = 0;
	char *p;

	while (i < n && plain((unsigned char)key[i]))
		i++;
	if (i < n) {                     /* a key to escape: the long way */
		yb_jw_sep(w);
		yb_jw_strn(w, key, n);
		yb_jw_rawn(w, ":", 1);
		return;
	}
	/* The usual key, a literal: one reservation, one copy (replies and
	 * records of every request are written with this, some on the
	 * group-commit writer). */
	if (!room(w, n + 4))
		return;
	p = w->buf + w->len;
	if (!w->first)
		*p++ = ',';
	w->first = false;
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	*p = '\0';
	w->len = (size_t)(p - w->buf);
}

void yb_jw_int(yb_jw *w, int64_t v)
{
	char buf[24];
	char *p = buf + sizeof buf;
	/* Digits of |v| from the end; unsigned, so INT64_MIN fits. */
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	yb_jw_rawn(w, p, (size_t)(buf + sizeof buf - p));
}

void yb_jw_bool(yb_jw *w, bool v)
{
	yb_jw_raw(w, v ? "true" : "false");
}

void yb_jw_kstr(yb_jw *w, const char *key, const char *s)
{
	yb_jw_key(w, key);
	yb_jw_str(w, s);
}

void yb_jw_kint(yb_jw *w, const char *key, int64_t v)
{
	yb_jw_key(w, key);
	yb_jw_int(w, v);
}

char *yb_jw_take(yb_jw *w, size_t *len)
{
	char *s;

	if (w->failed || !room(w, 0)) {
		yb_jw_free(w);
		return NULL;
	}
	s = w->buf;
	if (len)
		*len = w->len;
	w->buf = NULL;
	w->len = w->cap = 0;
	w->first = true;
	return s;
}

void yb_jw_free(yb_jw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
	w->failed = false;
	w->first = true;
}
