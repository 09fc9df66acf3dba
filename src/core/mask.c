/*
 * mask.c — masking other people's ID numbers and names (SPEC Q3), and the
 * UTF-8 check for names and free text.
 *
 * Names are UTF-8: masking keeps the first *character*, not the first
 * byte, so that "张三丰" becomes "张*" and not a broken byte sequence.
 */
#include "core/mask.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ID_KEEP_HEAD 6
#define ID_KEEP_TAIL 4

/* Keep `head` characters and `tail` characters of an ASCII identifier,
 * stars between; one too short to hide anything between is all stars. */
static char *mask_keep(const char *id, size_t head, size_t tail, char *buf,
		       size_t size)
{
	size_t n, i;

	if (size == 0)
		return buf;
	n = id ? strlen(id) : 0;
	/* Keep only what fits; a masked value cut short is still masked. */
	if (n > size - 1)
		n = size - 1;
	for (i = 0; i < n; i++) {
		bool keep = n > head + tail && (i < head || i >= n - tail);
		buf[i] = keep ? id[i] : '*';
	}
	buf[n] = '\0';
	return buf;
}

char *yb_mask_id_number(const char *id, char *buf, size_t size)
{
	return mask_keep(id, ID_KEEP_HEAD, ID_KEEP_TAIL, buf, size);
}

/* records (R2): the SSN on a proof's public verification page. */
char *yb_mask_ssn(const char *ssn, char *buf, size_t size)
{
	return mask_keep(ssn, 3, 2, buf, size);
}

/*
 * Decode one UTF-8 character at s into *cp; the number of bytes it takes,
 * or 0 if it is malformed: a bad lead or continuation byte, an overlong
 * form, a UTF-16 surrogate or a value past U+10FFFF (RFC 3629).
 */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	static const uint32_t min_for_len[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xE0) == 0xC0) {
		len = 2;
		c = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3;
		c = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	/* A NUL is not a continuation byte, so this stops at the end. */
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min_for_len[len] || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

char *yb_mask_name(const char *name, char *buf, size_t size)
{
	uint32_t cp;
	size_t len;

	if (size == 0)
		return buf;
	if (!name || name[0] == '\0') {
		buf[0] = '\0';
		return buf;
	}
	len = utf8_decode((const unsigned char *)name, &cp);
	/* A malformed first character is not shown at all. */
	if (len == 0 || len + 2 > size)
		snprintf(buf, size, "*");
	else
		snprintf(buf, size, "%.*s*", (int)len, name);
	return buf;
}

bool yb_utf8_valid_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t len;

	if (!s)
		return false;
	while (*p) {
		len = utf8_decode(p, &cp);
		if (len == 0)
			return false;
		/* C0 controls, DEL and the C1 controls. */
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
			return false;
		p += len;
	}
	return true;
}

/* harden (#14): an error message may quote request bytes (jansson's
 * "near '...'", a value cut at YB_ERR_MSG_MAX); jansson refuses to encode
 * invalid UTF-8, and the answer would be lost. */
char *yb_utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;
	uint32_t cp;

	while (p && *p) {
		size_t len = utf8_decode(p, &cp);
		if (len == 0) {
			*p++ = '?';
			continue;
		}
		p += len;
	}
	return s;
}
