/*
 * nhsa_in_file.c — the input decoders of 9101 file upload (`fsUploadIn`)
 * and 9102 file download (`fsDownloadIn`), docs/NHSA.md "Files".
 *
 * 9101's file is checked whole here, off the writer (as every decoder
 * runs, nhsa_in.h): its bytes from `in`, the .zip around its text, every
 * line of it.  An HIS learns of a bad line at upload, not at 3202; the
 * writer's transaction only keeps the bytes.
 */
#include "nhsa/nhsa_in_file.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "nhsa/nhsa_file.h"
#include "nhsa/nhsa_json.h"

#define UP "input.fsUploadIn"
#define DOWN "input.fsDownloadIn"

/* filename and fixmedins_code of either node; the code must be the
 * envelope's (the credential's institution, step 3). */
static int names(const yb_nhsa_env *env, const json_t *node,
		 const char *where, const char **filename, bool *zipped,
		 yb_err *err)
{
	const char *code;

	if (yb_nhsa_get_str(node, where, "filename", YB_NHSA_FILENAME_MAX, true,
			    filename, err) < 0 ||
	    yb_nhsa_get_str(node, where, "fixmedins_code", 30, true, &code,
			    err) < 0)
		return -1;
	if (!yb_nhsa_filename_ok(*filename, zipped))
		return yb_errf(err, "nhsa.invalid_field",
			       "%s.filename: A-Z a-z 0-9 - _ . ending .zip or .txt",
			       where);
	if (strcmp(code, env->fixmedins_code) != 0)
		return yb_errf(err, "nhsa.institution_mismatch",
			       "%s.fixmedins_code", where);
	return 0;
}

/* The file's text and lines, checked; only the count is kept. */
static int check_lines(const unsigned char *data, size_t len, bool zipped,
		       int *lines, yb_err *err)
{
	char *text = NULL;
	size_t tlen = 0;
	yb_nhsa_detail *rows = NULL;
	int rc;

	rc = yb_nhsa_file_text(data, len, zipped, &text, &tlen, err);
	if (rc == 0)
		rc = yb_nhsa_detail_parse(text, tlen, &rows, lines, err);
	free(text);
	free(rows);
	return rc;
}

int yb_nhsa_in_9101(const yb_nhsa_env *env, void **req, yb_err *err)
{
	json_t *node;
	const char *filename;
	unsigned char *data = NULL;
	size_t len = 0;
	bool zipped = false;
	int lines = 0;
	yb_nhsa_in_upload *r;

	*req = NULL;
	if (yb_nhsa_get_obj(env->input, "input", "fsUploadIn", true, &node,
			    err) < 0 ||
	    names(env, node, UP, &filename, &zipped, err) < 0 ||
	    yb_nhsa_file_bytes(json_object_get(node, "in"), &data, &len,
			       err) < 0)
		return -1;
	if (check_lines(data, len, zipped, &lines, err) < 0) {
		free(data);
		return -1;
	}
	r = yb_nhsa_req_new(sizeof *r + len, err);
	if (r) {
		r->filename = filename;
		r->lines = lines;
		r->len = len;
		memcpy(r->data, data, len);
		yb_sha256_hex(data, len, r->sha256);
	}
	free(data);
	return yb_nhsa_req_end(r ? 0 : -1, r, req);
}

int yb_nhsa_in_9102(const yb_nhsa_env *env, void **req, yb_err *err)
{
	yb_nhsa_in_download *r = yb_nhsa_req_new(sizeof *r, err);
	json_t *node;
	bool zipped;
	int rc = -1;

	if (!r)
		return -1;
	if (yb_nhsa_get_obj(env->input, "input", "fsDownloadIn", true, &node,
			    err) == 0 &&
	    yb_nhsa_get_str(node, DOWN, "file_qury_no", 30, true,
			    &r->file_qury_no, err) == 0 &&
	    names(env, node, DOWN, &r->filename, &zipped, err) == 0)
		rc = 0;
	return yb_nhsa_req_end(rc, r, req);
}
