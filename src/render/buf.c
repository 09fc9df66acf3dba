/*
 * buf.c — a growable byte buffer for the documents being made
 * (render_int.h).  An append that cannot grow the buffer marks it, and
 * the document is refused whole rather than handed out cut short.
 */
#include "render/render_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void yb_rbuf_add(yb_rbuf *b, const void *data, size_t n)
{
	if (b->oom || n == 0)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *d;

		while (cap < b->len + n)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			b->oom = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
}

void yb_rbuf_str(yb_rbuf *b, const char *s)
{
	yb_rbuf_add(b, s, strlen(s));
}

void yb_rbuf_printf(yb_rbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)n < sizeof small) {
		yb_rbuf_add(b, small, (size_t)n);
		return;
	}
	{
		char *big = malloc((size_t)n + 1);

		if (!big) {
			b->oom = true;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		yb_rbuf_add(b, big, (size_t)n);
		free(big);
	}
}

void yb_rbuf_release(yb_rbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

int yb_rbuf_take(yb_rbuf *b, char **out, size_t *len, yb_err *err)
{
	*out = NULL;
	*len = 0;
	if (b->oom) {
		yb_rbuf_release(b);
		return yb_errf(err, "out_of_memory", "out of memory");
	}
	*out = b->data ? b->data : malloc(1);
	if (!*out)
		return yb_errf(err, "out_of_memory", "out of memory");
	*len = b->len;
	memset(b, 0, sizeof *b);
	return 0;
}
