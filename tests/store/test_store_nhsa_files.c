/*
 * test_store_nhsa_files.c — the national interface's files on the store
 * (store.h, table nhsa_files, migration 10), on both
 * engines: every column and every byte value back as put, the row
 * without its bytes, a duplicate file_qury_no refused without aborting
 * the transaction, a file kept only when its transaction commits.
 */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static unsigned char bytes[600];

static yb_nhsa_file file(const char *no)
{
	yb_nhsa_file f;

	memset(&f, 0, sizeof f);
	snprintf(f.file_qury_no, sizeof f.file_qury_no, "%s", no);
	snprintf(f.inst, sizeof f.inst, "H001");
	snprintf(f.kind, sizeof f.kind, "detail");
	snprintf(f.filename, sizeof f.filename, "H001_day.zip");
	f.size = sizeof bytes;
	snprintf(f.sha256, sizeof f.sha256, "%064d", 7);
	f.lines = 12;
	snprintf(f.paasid, sizeof f.paasid, "P0123456789");
	f.at = 1000;
	f.dld_end = 1000 + 7 * 86400;
	return f;
}

static void test_files(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_nhsa_file f = file("F1"), got;
	void *data = NULL;
	yb_err e;

	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (unsigned char)(i * 31);      /* every byte value */
	assert_int_equal(TS_OK(st->ops->nhsa_file_get(st, "F1", &got, &data, &e), &e), 0);
	assert_null(data);
	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->nhsa_file_put(st, &f, bytes, &e), &e);
	TS_REFUSED(st->ops->nhsa_file_put(st, &f, bytes, &e), &e, "nhsa.duplicate",
		   "file F1 exists");
	TS_OK(st->ops->commit(st, &e), &e);

	assert_int_equal(TS_OK(st->ops->nhsa_file_get(st, "F1", &got, &data, &e), &e), 1);
	assert_memory_equal(&got, &f, sizeof f);
	assert_memory_equal(data, bytes, sizeof bytes);
	free(data);
	data = NULL;
	assert_int_equal(TS_OK(st->ops->nhsa_file_get(st, "F1", &got, NULL, &e), &e), 1);
	assert_string_equal(got.paasid, "P0123456789");

	/* rolled back: not kept */
	f = file("F2");
	f.size = 0;
	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->nhsa_file_put(st, &f, NULL, &e), &e);
	st->ops->rollback(st);
	assert_int_equal(TS_OK(st->ops->nhsa_file_get(st, "F2", &got, &data, &e), &e), 0);
	/* an empty file is a file */
	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->nhsa_file_put(st, &f, "", &e), &e);
	TS_OK(st->ops->commit(st, &e), &e);
	assert_int_equal(TS_OK(st->ops->nhsa_file_get(st, "F2", &got, &data, &e), &e), 1);
	assert_int_equal(got.size, 0);
	assert_non_null(data);
	free(data);
}

int ts_run_nhsa_files(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_files, ts_setup, ts_teardown),
	};
	return cmocka_run_group_tests_name("store nhsa files", tests, NULL,
					   NULL);
}
