/*
 * material.c — E4's pure rules: which kinds of material there are, what a
 * file is by its first bytes, and the size limit.  See material.h.
 */
#include "core/material.h"

#include <string.h>

static const char *const kinds[] = {
	"id_card", "social_security_card", "card_copy", "other",
};

static const char *const targets[YB_MAT__N] = {
	"binding", "card_application", "premium",
};

const char *yb_material_target_str(yb_material_target t)
{
	return (unsigned)t < YB_MAT__N ? targets[t] : NULL;
}

bool yb_material_target_from_str(const char *s, yb_material_target *out)
{
	for (int i = 0; s && i < YB_MAT__N; i++)
		if (strcmp(s, targets[i]) == 0) {
			*out = (yb_material_target)i;
			return true;
		}
	return false;
}

bool yb_material_kind_valid(const char *kind)
{
	for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return true;
	return false;
}

static bool starts(const unsigned char *d, size_t len, const char *magic,
		   size_t n)
{
	return len >= n && memcmp(d, magic, n) == 0;
}

const char *yb_material_sniff(const unsigned char *data, size_t len)
{
	if (!data)
		return NULL;
	if (starts(data, len, "\xff\xd8\xff", 3))
		return "image/jpeg";
	if (starts(data, len, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (starts(data, len, "%PDF-", 5))
		return "application/pdf";
	return NULL;
}

int yb_material_check(const unsigned char *data, size_t len, size_t seen,
		      int64_t max_bytes, const char **ctype, yb_err *err)
{
	if (seen > len || (int64_t)len > max_bytes)
		return yb_errf(err, "material.too_large",
			       "a scan may have at most %lld bytes",
			       (long long)max_bytes);
	*ctype = yb_material_sniff(data, len);
	if (!*ctype)
		return yb_errf(err, "material.unsupported_type",
			       "a scan must be a JPEG or PNG image or a PDF "
			       "(judged by its content)");
	return 0;
}

const char *yb_material_ext(const char *ctype)
{
	if (ctype && strcmp(ctype, "image/jpeg") == 0)
		return "jpg";
	if (ctype && strcmp(ctype, "image/png") == 0)
		return "png";
	return "pdf";
}
