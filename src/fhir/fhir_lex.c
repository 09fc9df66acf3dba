/*
 * fhir_lex.c — exact decimals through jansson (fhir_int.h says why):
 * tagging the number tokens of a request's text before it is parsed,
 * untagging them in the text of an answer, and FHIR decimal ↔ fen.
 * Pure functions of their arguments: tests/unit/test_fhir.c.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/money.h"
#include "fhir/fhir_int.h"

static const char tag_esc[] = "\\u0001";     /* the tag, JSON-escaped */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool num_char(char c);

/* Length of the JSON number token at s (grammar of RFC 8259), 0 if the
 * text there is not one ("01" and "1.2.3" are not). */
static size_t number_len(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && is_digit(s[i]))
		while (i < n && is_digit(s[i]))
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		size_t d = ++i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t d;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		d = i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == d)
			return 0;
	}
	return i < n && num_char(s[i]) ? 0 : i;
}

/* The lexer's state between two bytes of the text. */
typedef struct lexer {
	bool in_str, esc;
	int depth, maxdepth;
	bool *in_array;                  /* [d]: the container at depth d */
	char prev;                       /* last token character, not space */
} lexer;

/*
 * Where JSON's grammar has a value: after ':' or '[', after ',' in an
 * array.  A number anywhere else (an object's key, after another value)
 * is left as it is, for jansson to refuse; tagged, it would be a string
 * and "{1:2}" would pass.
 */
static bool value_due(const lexer *lx, char before)
{
	return before == ':' || before == '[' ||
	       (before == ',' && lx->depth > 0 && lx->in_array[lx->depth]);
}

/* One byte inside a string (at in[i]); -1 for one that must be refused. */
static int string_byte(lexer *lx, const char *in, size_t len, size_t i,
		       yb_err *err)
{
	char c = in[i];

	/* A string that holds the tag itself would read as a number
	 * ("\u0001300" as 300): refused.  FHIR strings have no control
	 * characters anyway. */
	if (lx->esc && c == 'u' && len - i > 4 &&
	    strncmp(in + i + 1, "0001", 4) == 0)
		return yb_errf(err, "request.invalid_json",
			       "a control character (U+0001) in a string at "
			       "byte %zu", i - 1);
	if (lx->esc)
		lx->esc = false;
	else if (c == '\\')
		lx->esc = true;
	else if (c == '"')
		lx->in_str = false;
	return 0;
}

/* One structural byte outside strings: quotes, nesting, the last token. */
static int structure_byte(lexer *lx, char c, yb_err *err)
{
	if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
		lx->prev = c;
	if (c == '"') {
		lx->in_str = true;
	} else if (c == '{' || c == '[') {
		if (++lx->depth > lx->maxdepth)
			return yb_errf(err, "request.invalid_json",
				       "JSON nested deeper than %d levels",
				       lx->maxdepth);
		lx->in_array[lx->depth] = c == '[';
	} else if ((c == '}' || c == ']') && lx->depth > 0) {
		lx->depth--;
	}
	return 0;
}

/* The number token at in (nl bytes) as a tagged string; bytes written. */
static size_t put_number(char *out, const char *in, size_t nl)
{
	size_t o = 0;

	out[o++] = '"';
	memcpy(out + o, tag_esc, sizeof tag_esc - 1);
	o += sizeof tag_esc - 1;
	memcpy(out + o, in, nl);
	o += nl;
	out[o++] = '"';
	return o;
}

char *yb_fhir_tag_numbers(const char *in, size_t len, int maxdepth,
			  yb_err *err)
{
	/* Each number token (at least one byte) grows by the quotes and the
	 * escaped tag: 8 bytes. */
	char *out = malloc(len * 9 + 1);
	lexer lx = { .maxdepth = maxdepth > 0 ? maxdepth : 0 };
	size_t o = 0, nl;

	lx.in_array = calloc((size_t)lx.maxdepth + 1, sizeof *lx.in_array);
	if (!out || !lx.in_array) {
		yb_errf(err, "out_of_memory", "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < len; i++) {
		char c = in[i], before = lx.prev;

		/* JSON has no NUL byte; jansson would stop reading there and
		 * take "{}\0anything" for "{}". */
		if (c == '\0') {
			yb_errf(err, "request.invalid_json",
				"a NUL byte at byte %zu", i);
			goto fail;
		}
		if (lx.in_str ? string_byte(&lx, in, len, i, err) < 0
			      : structure_byte(&lx, c, err) < 0)
			goto fail;
		if (!lx.in_str && (c == '-' || is_digit(c)) &&
		    value_due(&lx, before)) {
			nl = number_len(in + i, len - i);
			if (nl == 0) {
				yb_errf(err, "request.invalid_json",
					"a malformed number at byte %zu", i);
				goto fail;
			}
			o += put_number(out + o, in + i, nl);
			i += nl - 1;
			continue;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	free(lx.in_array);
	return out;
fail:
	free(lx.in_array);
	free(out);
	return NULL;
}

static bool num_char(char c)
{
	return is_digit(c) || c == '-' || c == '.' || c == '+' || c == 'e' ||
	       c == 'E';
}

void yb_fhir_untag(char *s)
{
	char *w = s;
	const size_t tl = sizeof tag_esc - 1;

	while (*s) {
		if (s[0] == '"' && strncmp(s + 1, tag_esc, tl) == 0) {
			char *p = s + 1 + tl;
			size_t n = 0;
			while (num_char(p[n]))
				n++;
			if (n > 0 && p[n] == '"') {
				memmove(w, p, n);
				w += n;
				s = p + n + 1;
				continue;
			}
		}
		*w++ = *s++;
	}
	*w = '\0';
}

const char *yb_fhir_num_text(const json_t *v)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	return s && s[0] == YB_FHIR_NUM_TAG && s[1] ? s + 1 : NULL;
}

static json_t *tagged(const char *text)
{
	char buf[40];

	buf[0] = YB_FHIR_NUM_TAG;
	snprintf(buf + 1, sizeof buf - 1, "%s", text);
	return json_string(buf);
}

json_t *yb_fhir_jdec(int64_t fen)
{
	char buf[32];

	return tagged(yb_money_format(fen, false, buf, sizeof buf));
}

json_t *yb_fhir_jint(int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof buf, "%lld", (long long)v);
	return tagged(buf);
}

bool yb_fhir_dec_to_fen(const char *text, int64_t *fen)
{
	char buf[40];
	size_t n = text ? strlen(text) : 0;
	const char *dot;

	if (n == 0 || n >= sizeof buf || strpbrk(text, "eE+"))
		return false;
	memcpy(buf, text, n + 1);
	dot = strchr(buf, '.');
	if (dot) {
		/* Zeros beyond the cents say nothing: "300.500" is 300.50. */
		size_t keep = (size_t)(dot - buf) + 3;
		while (n > keep && buf[n - 1] == '0')
			buf[--n] = '\0';
	}
	return yb_money_parse_yuan(buf, fen);
}
