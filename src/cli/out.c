/*
 * out.c — printing answers: JSON for scripts (--json), aligned text for
 * people.
 *
 * Every command builds its answer once, as JSON (the records by the
 * renderer every edge shares, render/json.h), and this file
 * prints it either way.  So the text a person reads and the JSON a script
 * parses can never disagree, and no command carries its own printf
 * layout.  The text form: "field  value" lines, nested objects indented,
 * arrays of objects as tables; fields ending in _fen are money and shown
 * as yuan ("¥1,234.50", money.h) under the field name without "_fen".
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <string.h>

#include "core/money.h"

#define TABLE_MAX_COLS 16
#define CELL_SZ 256

char *cli_yuan(int64_t fen, char *buf, size_t size)
{
	char num[40];

	/* The sign goes before the currency sign: "-¥3.07". */
	yb_money_format(fen < 0 ? -fen : fen, true, num, sizeof num);
	snprintf(buf, size, "%s¥%s", fen < 0 ? "-" : "", num);
	return buf;
}

void cli_note(yb_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/*
 * Columns a UTF-8 string takes on a terminal: CJK characters (names,
 * institution names) are two columns wide, so tables stay aligned.
 */
static int display_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int w = 0;

	while (*p) {
		unsigned cp;
		int len;
		if (*p < 0x80) {
			cp = *p;
			len = 1;
		} else if ((*p & 0xE0) == 0xC0) {
			cp = *p & 0x1F;
			len = 2;
		} else if ((*p & 0xF0) == 0xE0) {
			cp = *p & 0x0F;
			len = 3;
		} else {
			cp = *p & 0x07;
			len = 4;
		}
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80) {
				len = i;
				break;
			}
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		p += len;
		bool wide = (cp >= 0x1100 && cp <= 0x115F) ||
			    (cp >= 0x2E80 && cp <= 0xA4CF) ||
			    (cp >= 0xAC00 && cp <= 0xD7A3) ||
			    (cp >= 0xF900 && cp <= 0xFAFF) ||
			    (cp >= 0xFE30 && cp <= 0xFE4F) ||
			    (cp >= 0xFF00 && cp <= 0xFF60) ||
			    (cp >= 0xFFE0 && cp <= 0xFFE6) ||
			    (cp >= 0x20000 && cp <= 0x3FFFD);
		w += wide ? 2 : 1;
	}
	return w;
}

static void put_padded(const char *s, int width, bool right)
{
	int pad = width - display_width(s);

	if (right)
		printf("%*s", pad > 0 ? pad : 0, "");
	fputs(s, stdout);
	if (!right)
		printf("%*s", pad > 0 ? pad : 0, "");
}

static bool is_money_key(const char *key)
{
	size_t n = strlen(key);
	return n > 4 && strcmp(key + n - 4, "_fen") == 0;
}

/* "account_pay_fen" → "account pay"; "ssn" → "ssn". */
static void label_of(const char *key, char *buf, size_t size)
{
	size_t n = strlen(key);

	if (is_money_key(key))
		n -= 4;
	if (n >= size)
		n = size - 1;
	for (size_t i = 0; i < n; i++)
		buf[i] = key[i] == '_' ? ' ' : key[i];
	buf[n] = '\0';
}

/* Append `text` to buf (after `sep` unless first), truncating quietly. */
static void append(char *buf, size_t size, size_t *used, const char *sep,
		   const char *text)
{
	if (*used >= size)
		return;
	*used += snprintf(buf + *used, size - *used, "%s%s", *used ? sep : "",
			  text);
}

/* A value as table or field text; nested objects show their scalars. */
static void cell_of(const char *key, json_t *v, char *buf, size_t size)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		snprintf(buf, size, "%s", json_string_value(v));
		break;
	case JSON_INTEGER:
		if (is_money_key(key))
			cli_yuan(json_integer_value(v), buf, size);
		else
			snprintf(buf, size, "%lld",
				 (long long)json_integer_value(v));
		break;
	case JSON_TRUE:
		snprintf(buf, size, "yes");
		break;
	case JSON_FALSE:
		snprintf(buf, size, "no");
		break;
	case JSON_NULL:
		snprintf(buf, size, "-");
		break;
	case JSON_REAL:
		snprintf(buf, size, "%g", json_real_value(v));
		break;
	case JSON_ARRAY:
		if (json_array_size(v) == 0) {
			snprintf(buf, size, "-");
		} else if (json_is_object(json_array_get(v, 0))) {
			snprintf(buf, size, "[%zu]", json_array_size(v));
		} else {
			size_t used = 0;
			size_t i;
			json_t *e;
			buf[0] = '\0';
			json_array_foreach(v, i, e) {
				char one[CELL_SZ];
				cell_of(key, e, one, sizeof one);
				append(buf, size, &used, ", ", one);
			}
		}
		break;
	case JSON_OBJECT: {
		size_t used = 0;
		const char *k;
		json_t *e;
		buf[0] = '\0';
		json_object_foreach(v, k, e) {
			char one[CELL_SZ];
			if (json_is_object(e) || json_is_array(e))
				continue;
			cell_of(k, e, one, sizeof one);
			append(buf, size, &used, " ", one);
		}
		break;
	}
	}
}

static void print_table(json_t *arr, int indent)
{
	const char *cols[TABLE_MAX_COLS];
	int widths[TABLE_MAX_COLS];
	bool right[TABLE_MAX_COLS];
	int ncols = 0;
	size_t i;
	json_t *row;

	/* Columns: every key seen, in order of first appearance. */
	json_array_foreach(arr, i, row) {
		const char *k;
		json_t *v;
		json_object_foreach(row, k, v) {
			int c;
			for (c = 0; c < ncols; c++)
				if (strcmp(cols[c], k) == 0)
					break;
			if (c == ncols && ncols < TABLE_MAX_COLS) {
				char lab[64];
				label_of(k, lab, sizeof lab);
				cols[ncols] = k;
				widths[ncols] = display_width(lab);
				right[ncols] = false;
				ncols++;
			}
		}
	}
	json_array_foreach(arr, i, row) {
		for (int c = 0; c < ncols; c++) {
			json_t *v = json_object_get(row, cols[c]);
			char cell[CELL_SZ];
			if (!v)
				continue;
			cell_of(cols[c], v, cell, sizeof cell);
			int w = display_width(cell);
			if (w > widths[c])
				widths[c] = w;
			if (json_is_integer(v))
				right[c] = true;
		}
	}
	printf("%*s", indent, "");
	for (int c = 0; c < ncols; c++) {
		char lab[64];
		label_of(cols[c], lab, sizeof lab);
		/* No trailing blanks: the last column pads only to the right. */
		put_padded(lab, c + 1 < ncols || right[c] ? widths[c] : 0,
			   right[c]);
		fputs(c + 1 < ncols ? "  " : "\n", stdout);
	}
	json_array_foreach(arr, i, row) {
		printf("%*s", indent, "");
		for (int c = 0; c < ncols; c++) {
			json_t *v = json_object_get(row, cols[c]);
			char cell[CELL_SZ] = "";
			if (v)
				cell_of(cols[c], v, cell, sizeof cell);
			put_padded(cell, c + 1 < ncols || right[c] ? widths[c] : 0,
				   right[c]);
			fputs(c + 1 < ncols ? "  " : "\n", stdout);
		}
	}
}

static void print_object(json_t *obj, int indent)
{
	const char *k;
	json_t *v;
	int width = 0;

	json_object_foreach(obj, k, v) {
		char lab[64];
		label_of(k, lab, sizeof lab);
		if (display_width(lab) > width)
			width = display_width(lab);
	}
	json_object_foreach(obj, k, v) {
		char lab[64];
		label_of(k, lab, sizeof lab);
		printf("%*s", indent, "");
		if (json_is_object(v)) {
			printf("%s:\n", lab);
			print_object(v, indent + 2);
		} else if (json_is_array(v) && json_array_size(v) > 0 &&
			   json_is_object(json_array_get(v, 0))) {
			printf("%s:\n", lab);
			print_table(v, indent + 2);
		} else {
			char cell[CELL_SZ * 4];
			cell_of(k, v, cell, sizeof cell);
			put_padded(lab, width, false);
			printf("  %s\n", cell);
		}
	}
}

int cli_emit(yb_cli *cli, json_t *obj)
{
	if (!obj) {
		yb_err err;
		yb_errf(&err, "out_of_memory", "out of memory rendering the answer");
		return cli_fail(cli, &err);
	}
	if (cli->json) {
		json_dumpf(obj, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		json_t *items = json_object_get(obj, "items");
		if (items && json_object_size(obj) == 1) {
			if (json_array_size(items) == 0)
				puts("(none)");
			else
				print_table(items, 0);
		} else {
			print_object(obj, 0);
		}
	}
	json_decref(obj);
	return CLI_OK;
}
