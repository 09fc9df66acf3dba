/*
 * test_nhsa_files.c — the national interface's files after their
 * dld_endtime (docs/NHSA.md "Files"): refused as expired, and their bytes
 * dropped from the store by the next file kept (hourly), the row kept so
 * that a late 9102 still answers nhsa.file_expired rather than "no such
 * file".  Both engines.
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/nhsa_file.h"

static void as_hospital(fx *f)
{
	fx_act(f, YB_ROLE_INSTITUTION, YB_CHAN_API, "key:1");
	snprintf(f->ctx.actor.institution_code,
		 sizeof f->ctx.actor.institution_code, "H44030000001");
}

static void keep(fx *f, yb_nhsa_file *out, const char *name,
		 const char *bytes)
{
	yb_err err;

	memset(out, 0, sizeof *out);
	snprintf(out->kind, sizeof out->kind, "detail");
	snprintf(out->filename, sizeof out->filename, "%s", name);
	out->size = (int64_t)strlen(bytes);
	snprintf(out->sha256, sizeof out->sha256, "%064d", 0);
	out->lines = 1;
	snprintf(out->paasid, sizeof out->paasid, "P1");
	yb_err_clear(&err);
	assert_int_equal(yb_nhsa_file_keep(&f->ctx, out, bytes, &err), 0);
}

/* fetch with its bytes: 0 and the bytes, or -1 and the error's code */
static int fetch(fx *f, const char *no, char *bytes, size_t size,
		 char *code, size_t csize)
{
	yb_nhsa_file got;
	void *data = NULL;
	yb_err err;
	int rc;

	yb_err_clear(&err);
	rc = yb_nhsa_file_fetch(&f->ctx, no, NULL, "detail", &got, &data,
				&err);
	if (rc == 0) {
		assert_non_null(data);
		assert_true((size_t)got.size < size);
		memcpy(bytes, data, (size_t)got.size);
		bytes[got.size] = '\0';
	} else {
		assert_null(data);
		snprintf(code, csize, "%s", err.code ? err.code : "");
	}
	free(data);
	return rc;
}

static void test_expired_file_bytes_dropped(void **state)
{
	fx *f = *state;
	yb_nhsa_file a, b, row;
	char bytes[64], code[64];
	void *data = (void *)1;
	yb_err err;

	as_hospital(f);
	keep(f, &a, "a.txt", "setl-a|1|2");
	assert_int_equal(fetch(f, a.file_qury_no, bytes, sizeof bytes, code,
			       sizeof code), 0);
	assert_string_equal(bytes, "setl-a|1|2");

	/* a day after its dld_endtime: refused, its bytes still there */
	f->now = a.dld_end + 86400;
	assert_int_equal(fetch(f, a.file_qury_no, bytes, sizeof bytes, code,
			       sizeof code), -1);
	assert_string_equal(code, "nhsa.file_expired");
	yb_err_clear(&err);
	assert_int_equal(f->st->ops->nhsa_file_get(f->st, a.file_qury_no,
						   &row, &data, &err), 1);
	assert_non_null(data);
	free(data);

	/* the next file kept drops them; the row stays as it was */
	keep(f, &b, "b.txt", "setl-b|3|4");
	yb_err_clear(&err);
	data = (void *)1;
	assert_int_equal(f->st->ops->nhsa_file_get(f->st, a.file_qury_no,
						   &row, &data, &err), 1);
	assert_null(data);
	assert_int_equal(row.size, a.size);
	assert_string_equal(row.filename, "a.txt");
	assert_int_equal(fetch(f, a.file_qury_no, bytes, sizeof bytes, code,
			       sizeof code), -1);
	assert_string_equal(code, "nhsa.file_expired");

	/* the new file is whole and usable */
	assert_int_equal(fetch(f, b.file_qury_no, bytes, sizeof bytes, code,
			       sizeof code), 0);
	assert_string_equal(bytes, "setl-b|3|4");

	/* the purge runs at most hourly: b expires two minutes after a
	 * purge, and a file kept within that hour leaves its bytes; one
	 * kept an hour later drops them */
	f->now = b.dld_end - 60;
	keep(f, &a, "c.txt", "setl-c|5|6");
	f->now = b.dld_end + 60;
	keep(f, &a, "d.txt", "setl-d|7|8");
	yb_err_clear(&err);
	data = NULL;
	assert_int_equal(f->st->ops->nhsa_file_get(f->st, b.file_qury_no,
						   &row, &data, &err), 1);
	assert_non_null(data);
	free(data);
	f->now += 3600;
	keep(f, &a, "e.txt", "setl-e|9|0");
	data = (void *)1;
	assert_int_equal(f->st->ops->nhsa_file_get(f->st, b.file_qury_no,
						   &row, &data, &err), 1);
	assert_null(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_expired_file_bytes_dropped,
						fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
