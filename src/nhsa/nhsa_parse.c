/*
 * nhsa_parse.c — a message's JSON text into a jansson tree, numbers kept
 * as their exact text (the marker scheme of nhsa_json.h).
 *
 * The text is read by yajl (Debian's libyajl), not by json_loadb:
 * jansson's lexer takes the text a byte at a time through its stream and
 * string buffer — 120,000 instructions of a 2207's 350,000 on the
 * connection thread, the most of what the gateway costs there beyond the
 * JSON API (docs/BENCHMARKS.md, "What bounds the ratio") — and it turns
 * every real into a double, where yajl hands a number over as its text.
 * yajl's events build the same tree json_loadb built with the flags the
 * gateway used (JSON_REJECT_DUPLICATES, numbers marked, no "\u0000",
 * nesting as YB_NHSA_DEPTH_MAX); tests/unit/test_nhsa_codec.c compares
 * the two on valid and invalid texts, and fuzz_nhsa does on any.
 *
 * Where yajl is laxer than jansson, this file is strict:
 * - strings and keys go through jansson's checked constructors, which
 *   refuse invalid UTF-8 (overlong forms, surrogates, beyond U+10FFFF),
 *   so yajl's own, laxer check is off;
 * - a "\u" escape of a surrogate that is not a proper pair yajl replaces
 *   by "?" or combines wrongly; a string whose text has a "\u" escape is
 *   therefore decoded once more by json_loadb, which refuses those.
 *   Messages that escape nothing (the usual UTF-8 text) never pay it.
 */
#include "nhsa/nhsa_json.h"

#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

typedef struct builder {
	yajl_handle h;
	const char *text;                /* the whole message */
	size_t text_len;
	size_t token_from;               /* where the current token may start */
	json_t *open[YB_NHSA_DEPTH_MAX]; /* the containers being filled */
	int depth;
	json_t *root;
	char *key;                       /* the member name waiting its value */
	size_t key_len, key_cap;
	bool have_key;
} builder;

/*
 * The raw text of the string token that yajl has just read: it ends at
 * the bytes consumed so far and starts at the first quote after the
 * previous token (only whitespace and , : [ { lie between tokens).
 */
static bool raw_token(const builder *b, const char **s, size_t *n)
{
	size_t end = yajl_get_bytes_consumed(b->h);
	const char *q;

	if (end > b->text_len || end <= b->token_from)
		return false;
	q = memchr(b->text + b->token_from, '"', end - b->token_from);
	if (!q)
		return false;
	*s = q;
	*n = (size_t)(b->text + end - q);
	return true;
}

/* json_loadb's verdict on one string token (see the top of the file). */
static bool escapes_valid(const builder *b)
{
	const char *s;
	size_t n;
	json_error_t jerr;
	json_t *v;

	if (!raw_token(b, &s, &n))
		return false;
	if (!memchr(s, '\\', n) || !memmem(s, n, "\\u", 2))
		return true;
	v = json_loadb(s, n, JSON_DECODE_ANY, &jerr);
	json_decref(v);
	return v != NULL;
}

/* The decoded string as a jansson value: UTF-8 checked, no NUL. */
static json_t *checked_string(builder *b, const unsigned char *s, size_t n)
{
	if (memchr(s, '\0', n) || !escapes_valid(b))
		return NULL;
	return json_stringn((const char *)s, n);
}

/* Put a finished value in its container (or make it the root). */
static int add(builder *b, json_t *v)
{
	json_t *in;
	size_t size;
	int rc;

	b->token_from = yajl_get_bytes_consumed(b->h);
	if (!v)
		return 0;
	if (b->depth == 0) {
		if (b->root || !json_is_object(v)) {
			json_decref(v);
			return 0;
		}
		b->root = v;
		return 1;
	}
	in = b->open[b->depth - 1];
	if (json_is_array(in))
		return json_array_append_new(in, v) == 0;
	if (!b->have_key) {
		json_decref(v);
		return 0;
	}
	b->have_key = false;
	/* A duplicate name is refused: the set replaces the member and the
	 * object does not grow (the text is refused whole then, so what
	 * the set replaced does not matter) — one lookup, not a get first. */
	size = json_object_size(in);
	rc = json_object_setn_new(in, b->key, b->key_len, v);
	return rc == 0 && json_object_size(in) == size + 1;
}

static int on_null(void *ctx)
{
	return add(ctx, json_null());
}

static int on_boolean(void *ctx, int v)
{
	return add(ctx, json_boolean(v));
}

/* A number: NUL + its text (nhsa_json.h); yajl checked the grammar. */
static int on_number(void *ctx, const char *s, size_t n)
{
	char mark[YB_NHSA_NUMBER_MAX + 1];

	if (n > YB_NHSA_NUMBER_MAX)
		return 0;
	mark[0] = '\0';
	memcpy(mark + 1, s, n);
	return add(ctx, json_stringn_nocheck(mark, n + 1));
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
	builder *b = ctx;

	return add(b, checked_string(b, s, n));
}

/* A member name; its UTF-8 is checked when it is set (add). */
static int on_key(void *ctx, const unsigned char *s, size_t n)
{
	builder *b = ctx;
	bool valid = !memchr(s, '\0', n) && escapes_valid(b);

	b->token_from = yajl_get_bytes_consumed(b->h);
	if (!valid)
		return 0;
	if (n + 1 > b->key_cap) {
		char *grown = realloc(b->key, n + 1);

		if (!grown)
			return 0;
		b->key = grown;
		b->key_cap = n + 1;
	}
	memcpy(b->key, s, n);
	b->key[n] = '\0';
	b->key_len = n;
	b->have_key = true;
	return 1;
}

/* A container is put in its parent when it opens, then filled. */
static int open_container(builder *b, json_t *c)
{
	if (!c || b->depth >= YB_NHSA_DEPTH_MAX) {
		json_decref(c);
		return 0;
	}
	json_incref(c);
	if (!add(b, c)) {
		json_decref(c);
		return 0;
	}
	b->open[b->depth++] = c;
	return 1;
}

static int close_container(void *ctx)
{
	builder *b = ctx;

	b->token_from = yajl_get_bytes_consumed(b->h);
	json_decref(b->open[--b->depth]);
	return 1;
}

static int on_start_map(void *ctx)
{
	return open_container(ctx, json_object());
}

static int on_start_array(void *ctx)
{
	return open_container(ctx, json_array());
}

static const yajl_callbacks callbacks = {
	.yajl_null = on_null,
	.yajl_boolean = on_boolean,
	.yajl_number = on_number,          /* instead of integer and double */
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_key,
	.yajl_end_map = close_container,
	.yajl_start_array = on_start_array,
	.yajl_end_array = close_container,
};

/*
 * Bytes JSON never allows anywhere: NUL (a NUL escape is refused as
 * well), and the vertical tab and form feed, which yajl takes for
 * whitespace (inside a string any control character is refused).
 */
static bool forbidden_byte(const char *buf, size_t len)
{
	return memchr(buf, '\0', len) || memchr(buf, '\v', len) ||
	       memchr(buf, '\f', len);
}

int yb_nhsa_parse(const char *buf, size_t len, json_t **out, yb_err *err)
{
	builder b = { .text = buf, .text_len = len };
	bool ok;

	*out = NULL;
	if (!buf || len == 0 || forbidden_byte(buf, len))
		return yb_errf(err, "nhsa.invalid_json", "body");
	b.h = yajl_alloc(&callbacks, NULL, &b);
	if (!b.h)
		return yb_errf(err, "out_of_memory", "out of memory");
	/* jansson checks the strings' UTF-8 (checked_string, add), so yajl
	 * need not; no comments, one value and nothing after it */
	yajl_config(b.h, yajl_dont_validate_strings, 1);
	ok = yajl_parse(b.h, (const unsigned char *)buf, len) == yajl_status_ok &&
	     yajl_complete_parse(b.h) == yajl_status_ok && b.root;
	yajl_free(b.h);
	while (b.depth > 0)                /* what an error left open */
		json_decref(b.open[--b.depth]);
	free(b.key);
	if (!ok) {
		json_decref(b.root);
		return yb_errf(err, "nhsa.invalid_json", "body");
	}
	*out = b.root;
	return 0;
}
