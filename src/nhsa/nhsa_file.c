/*
 * nhsa_file.c — a file of the national interface as bytes: `in` from
 * JSON (a byte array or base64, as HIS clients serialize byte[]), the
 * filename, and the .zip around the text (read and written by libzip).
 * See nhsa_file.h; the lines themselves are nhsa_detail.c's.
 */
#include "nhsa/nhsa_file.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>
#include <zip.h>

#include "nhsa/nhsa_json.h"

/* ---- `in` ------------------------------------------------------------------------ */

/* A JSON array of byte values: C#'s and fastjson's byte[] (0..255), or
 * Gson's (-128..127, Java's signed byte). */
static int bytes_of_array(const json_t *in, unsigned char **data,
			  size_t *len, yb_err *err)
{
	size_t n = json_array_size(in);
	unsigned char *d;

	if (n > YB_NHSA_FILE_MAX)
		return yb_errf(err, "nhsa.file_too_large",
			       "fsUploadIn.in: at most %d bytes",
			       YB_NHSA_FILE_MAX);
	d = malloc(n ? n : 1);
	if (!d)
		return yb_errf(err, "out_of_memory", "out of memory");
	for (size_t i = 0; i < n; i++) {
		bool num;
		const char *s = yb_nhsa_text(json_array_get(in, i), &num);
		char *end;
		long v;

		if (!s || !num || strchr(s, '.') || strpbrk(s, "eE")) {
			free(d);
			return yb_errf(err, "nhsa.file_encoding",
				       "fsUploadIn.in[%zu]", i);
		}
		v = strtol(s, &end, 10);
		if (*end || v < -128 || v > 255) {
			free(d);
			return yb_errf(err, "nhsa.file_encoding",
				       "fsUploadIn.in[%zu]", i);
		}
		d[i] = (unsigned char)(v < 0 ? v + 256 : v);
	}
	*data = d;
	*len = n;
	return 0;
}

/* A base64 string: Jackson's byte[] (the standard alphabet with
 * padding); MIME line breaks are skipped. */
static int bytes_of_base64(const char *s, unsigned char **data, size_t *len,
			   yb_err *err)
{
	size_t slen = strlen(s), max = slen / 4 * 3 + 3;
	const char *end = NULL;
	unsigned char *d;

	/* Four characters for three bytes, and a line break each 76. */
	if (slen > (size_t)YB_NHSA_FILE_MAX / 3 * 4 * 104 / 100 + 8)
		return yb_errf(err, "nhsa.file_too_large",
			       "fsUploadIn.in: at most %d bytes",
			       YB_NHSA_FILE_MAX);
	d = malloc(max);
	if (!d)
		return yb_errf(err, "out_of_memory", "out of memory");
	if (sodium_base642bin(d, max, s, slen, "\r\n", len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != s + slen) {
		free(d);
		return yb_errf(err, "nhsa.file_encoding",
			       "fsUploadIn.in: not base64");
	}
	if (*len > YB_NHSA_FILE_MAX) {
		free(d);
		return yb_errf(err, "nhsa.file_too_large",
			       "fsUploadIn.in: at most %d bytes",
			       YB_NHSA_FILE_MAX);
	}
	*data = d;
	return 0;
}

int yb_nhsa_file_bytes(const json_t *in, unsigned char **data, size_t *len,
		       yb_err *err)
{
	bool num = false;
	const char *s;

	*data = NULL;
	*len = 0;
	if (!in || json_is_null(in) ||
	    (json_is_array(in) && json_array_size(in) == 0) ||
	    (json_is_string(in) && json_string_length(in) == 0))
		return yb_errf(err, "nhsa.missing_field", "fsUploadIn.in");
	if (json_is_array(in))
		return bytes_of_array(in, data, len, err);
	s = yb_nhsa_text(in, &num);
	if (!s || num)
		return yb_errf(err, "nhsa.file_encoding",
			       "fsUploadIn.in: a byte array or base64");
	return bytes_of_base64(s, data, len, err);
}

/* ---- the filename ----------------------------------------------------------------- */

static bool ends_with(const char *s, size_t n, const char *tail)
{
	size_t t = strlen(tail);

	return n > t && strcasecmp(s + n - t, tail) == 0;
}

bool yb_nhsa_filename_ok(const char *name, bool *zipped)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > YB_NHSA_FILENAME_MAX ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789-_.") != n || name[0] == '.')
		return false;
	*zipped = ends_with(name, n, ".zip");
	return *zipped || ends_with(name, n, ".txt");
}

/* ---- the .zip --------------------------------------------------------------------- */

/* Read the entry at most YB_NHSA_FILE_TEXT_MAX bytes, whatever its header
 * says (a zip bomb declares little and inflates to much). */
static int read_entry(zip_t *za, char **text, size_t *tlen, yb_err *err)
{
	zip_file_t *f = zip_fopen_index(za, 0, 0);
	size_t cap = 64 * 1024, n = 0;
	char *buf = NULL;
	int rc = -1;

	if (!f)
		return yb_errf(err, "nhsa.file_invalid", "zip entry");
	for (;;) {
		zip_int64_t got;
		if (n + 1 >= cap || !buf) {
			char *nb;
			if (buf)
				cap *= 2;
			if (cap > (size_t)YB_NHSA_FILE_TEXT_MAX + 2)
				cap = (size_t)YB_NHSA_FILE_TEXT_MAX + 2;
			nb = realloc(buf, cap);
			if (!nb) {
				yb_errf(err, "out_of_memory", "out of memory");
				goto out;
			}
			buf = nb;
		}
		got = zip_fread(f, buf + n, cap - 1 - n);
		if (got < 0) {
			yb_errf(err, "nhsa.file_invalid", "zip entry corrupt");
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > YB_NHSA_FILE_TEXT_MAX) {
			yb_errf(err, "nhsa.file_too_large",
				"unzipped text: at most %d bytes",
				YB_NHSA_FILE_TEXT_MAX);
			goto out;
		}
	}
	buf[n] = '\0';
	*text = buf;
	*tlen = n;
	buf = NULL;
	rc = 0;
out:
	zip_fclose(f);
	free(buf);
	return rc;
}

/* The one entry: a .txt, not encrypted, compressed in a way libzip reads,
 * not declared larger than the limit. */
static int check_entry(zip_t *za, yb_err *err)
{
	zip_stat_t st;
	bool zipped;

	if (zip_get_num_entries(za, 0) != 1)
		return yb_errf(err, "nhsa.file_invalid",
			       "zip: exactly one .txt entry");
	zip_stat_init(&st);
	if (zip_stat_index(za, 0, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME))
		return yb_errf(err, "nhsa.file_invalid", "zip entry");
	if (!yb_nhsa_filename_ok(st.name, &zipped) || zipped)
		return yb_errf(err, "nhsa.file_invalid",
			       "zip: exactly one .txt entry");
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
	    st.encryption_method != ZIP_EM_NONE)
		return yb_errf(err, "nhsa.file_invalid", "zip: encrypted");
	if ((st.valid & ZIP_STAT_COMP_METHOD) &&
	    !zip_compression_method_supported(st.comp_method, 0))
		return yb_errf(err, "nhsa.file_invalid",
			       "zip: compression method");
	if ((st.valid & ZIP_STAT_SIZE) && st.size > YB_NHSA_FILE_TEXT_MAX)
		return yb_errf(err, "nhsa.file_too_large",
			       "unzipped text: at most %d bytes",
			       YB_NHSA_FILE_TEXT_MAX);
	return 0;
}

static int unzip_text(const unsigned char *data, size_t len, char **text,
		      size_t *tlen, yb_err *err)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;
	int rc;

	zip_error_init(&ze);
	src = zip_source_buffer_create(data, len, 0, &ze);
	if (!src) {
		zip_error_fini(&ze);
		return yb_errf(err, "out_of_memory", "out of memory");
	}
	/* Not ZIP_CHECKCONS: streaming writers (Java's ZipOutputStream)
	 * leave sizes and CRC to a data descriptor after the data; the CRC
	 * of what is read is checked all the same (read_entry). */
	za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	zip_error_fini(&ze);
	if (!za) {
		zip_source_free(src);
		return yb_errf(err, "nhsa.file_invalid", "not a zip file");
	}
	rc = check_entry(za, err) == 0 ? read_entry(za, text, tlen, err) : -1;
	zip_discard(za);
	return rc;
}

int yb_nhsa_file_text(const unsigned char *data, size_t len, bool zipped,
		      char **text, size_t *tlen, yb_err *err)
{
	*text = NULL;
	*tlen = 0;
	if (zipped)
		return unzip_text(data, len, text, tlen, err);
	if (len > YB_NHSA_FILE_TEXT_MAX)
		return yb_errf(err, "nhsa.file_too_large", "text: at most %d bytes",
			       YB_NHSA_FILE_TEXT_MAX);
	*text = malloc(len + 1);
	if (!*text)
		return yb_errf(err, "out_of_memory", "out of memory");
	memcpy(*text, data, len);
	(*text)[len] = '\0';
	*tlen = len;
	return 0;
}

/* The bytes a buffer source holds after zip_close wrote into it. */
static int source_bytes(zip_source_t *src, unsigned char **out,
			size_t *outlen, yb_err *err)
{
	zip_int64_t n;
	int rc = -1;

	if (zip_source_open(src) < 0)
		return yb_errf(err, "internal", "zip: reopen");
	if (zip_source_seek(src, 0, SEEK_END) < 0 ||
	    (n = zip_source_tell(src)) < 0 || zip_source_seek(src, 0, SEEK_SET) < 0) {
		yb_errf(err, "internal", "zip: size");
		goto out;
	}
	*out = malloc(n ? (size_t)n : 1);
	if (!*out) {
		yb_errf(err, "out_of_memory", "out of memory");
		goto out;
	}
	if (zip_source_read(src, *out, (zip_uint64_t)n) != n) {
		free(*out);
		*out = NULL;
		yb_errf(err, "internal", "zip: read back");
		goto out;
	}
	*outlen = (size_t)n;
	rc = 0;
out:
	zip_source_close(src);
	return rc;
}

int yb_nhsa_zip_one(const char *name, const void *data, size_t len,
		    unsigned char **out, size_t *outlen, yb_err *err)
{
	zip_error_t ze;
	zip_source_t *src, *entry;
	zip_t *za;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
	zip_error_fini(&ze);
	if (!za) {
		zip_source_free(src);
		return yb_errf(err, "out_of_memory", "zip: open");
	}
	zip_source_keep(src);            /* outlives zip_close: the bytes */
	entry = zip_source_buffer(za, data, len, 0);
	if (!entry || zip_file_add(za, name, entry, ZIP_FL_ENC_UTF_8) < 0) {
		zip_source_free(entry);
		zip_discard(za);
		yb_errf(err, "internal", "zip: add");
		goto out;
	}
	if (zip_close(za) < 0) {
		zip_discard(za);
		yb_errf(err, "internal", "zip: write");
		goto out;
	}
	rc = source_bytes(src, out, outlen, err);
out:
	zip_source_free(src);
	return rc;
}
