/*
 * jsonw.h — a small JSON writer: compact text appended to a growing
 * buffer, strings escaped, no tree built.
 *
 * Why next to jansson: building a json_t tree (a malloc per member) and
 * serializing it (a callback per piece, a UTF-8 check per character)
 * cost the group-commit writer more than the database did on the
 * national-interface path (docs/BENCHMARKS.md).  Records and replies that
 * are written on every request are written with this instead.
 *
 * Usage: yb_jw w = YB_JW_INIT; yb_jw_raw(&w, "{"); yb_jw_key(&w, "a");
 * yb_jw_int(&w, 1); ...; text = yb_jw_take(&w) (NULL if any append ran
 * out of memory; the buffer is freed then).  A writer that is not taken
 * is freed with yb_jw_free.  Commas are the caller's: yb_jw_key writes
 * one before every key but the first of an object ("{" resets it).
 */
#ifndef YB_CORE_JSONW_H
#define YB_CORE_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct yb_jw {
	char *buf;
	size_t len, cap;
	bool failed;                     /* out of memory: take gives NULL */
	bool first;                      /* no member yet in this object */
} yb_jw;

#define YB_JW_INIT { NULL, 0, 0, false, true }

/* Room for n more bytes at once: a caller that knows about how long its
 * text will be saves the reallocs of growing to it (out of memory: the
 * writer fails, as an append would). */
void yb_jw_reserve(yb_jw *w, size_t n);

/* Append bytes as they are ("{", "}", "[", a number's text, ...).  An
 * opening brace or bracket makes the next key/element the first. */
void yb_jw_raw(yb_jw *w, const char *s);
void yb_jw_rawn(yb_jw *w, const char *s, size_t n);
/* A string value, quoted and escaped ('"', '\\', control characters);
 * NULL is written as "". */
void yb_jw_str(yb_jw *w, const char *s);
void yb_jw_strn(yb_jw *w, const char *s, size_t n);
/* ,"key": (the comma unless first) */
void yb_jw_key(yb_jw *w, const char *key);
/* A comma unless this is the first element (for arrays). */
void yb_jw_sep(yb_jw *w);
void yb_jw_int(yb_jw *w, int64_t v);
void yb_jw_bool(yb_jw *w, bool v);
/* ,"key":"value" and ,"key":integer */
void yb_jw_kstr(yb_jw *w, const char *key, const char *s);
void yb_jw_kint(yb_jw *w, const char *key, int64_t v);

/* The text (NUL-terminated, malloc'd; *len if not NULL), or NULL when
 * out of memory.  The writer is empty afterwards. */
char *yb_jw_take(yb_jw *w, size_t *len);
void yb_jw_free(yb_jw *w);

#endif
