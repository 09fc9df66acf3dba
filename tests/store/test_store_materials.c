/*
 * test_store_materials.c — the store's part of SPEC E4: a scan attached to
 * a binding, a card application or a premium, listed without its bytes
 * and read back with every byte (NUL and high bytes included, which a
 * text round trip would lose); one target each; a target that does not
 * exist or is not one of the three refused.  Runs on both engines.
 */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_LEN 700

/* Bytes of every value, in an order no text encoding keeps by chance. */
static void fill(unsigned char *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(i * 7 + seed);
}

static yb_material scan(yb_material_target t, yb_id target_id,
			const char *kind, yb_time at)
{
	yb_material m;

	memset(&m, 0, sizeof m);
	m.target = t;
	m.target_id = target_id;
	snprintf(m.kind, sizeof m.kind, "%s", kind);
	snprintf(m.content_type, sizeof m.content_type, "application/pdf");
	m.size_bytes = SCAN_LEN;
	memset(m.sha256, 'a' + (int)t, YB_HASH_HEX_SZ - 1);
	m.channel = YB_CHAN_AGENCY_WINDOW;
	snprintf(m.operator_id, sizeof m.operator_id, "key:9");
	m.created_at = at;
	return m;
}

static yb_id application(yb_store *st, yb_id person)
{
	yb_card_application a;
	yb_err e;

	memset(&a, 0, sizeof a);
	a.person_id = person;
	a.route = YB_ROUTE_SERVICE_POINT;
	snprintf(a.materials_json, sizeof a.materials_json, "{}");
	snprintf(a.operator_id, sizeof a.operator_id, "key:9");
	a.created_at = 1000;
	TS_OK(st->ops->card_application_insert(st, &a, &e), &e);
	return a.id;
}

/* Each target: inserted, listed (oldest first, no bytes), read whole. */
static void test_round_trip(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = ts_family(st);
	const yb_id target_of[YB_MAT__N] = {
		f.binding, application(st, f.payer), ts_premium(st, &f, 2026),
	};
	unsigned char bytes[SCAN_LEN];
	yb_err e;

	for (int t = 0; t < YB_MAT__N; t++) {
		yb_material a = scan(t, target_of[t], "id_card", 100);
		yb_material b = scan(t, target_of[t], "card_copy", 200), got;
		yb_material *list = NULL;
		void *data = NULL;
		size_t len = 0;
		int n = -1;

		fill(bytes, sizeof bytes, (unsigned)t);
		TS_OK(st->ops->material_insert(st, &a, bytes, sizeof bytes, &e),
		      &e);
		fill(bytes, sizeof bytes, 100u + (unsigned)t);
		TS_OK(st->ops->material_insert(st, &b, bytes, sizeof bytes, &e),
		      &e);
		assert_true(a.id > 0 && b.id > a.id);

		TS_OK(st->ops->materials_of(st, t, target_of[t], &list, &n, &e),
		      &e);
		assert_int_equal(n, 2);
		assert_memory_equal(&list[0], &a, sizeof a);
		assert_memory_equal(&list[1], &b, sizeof b);
		free(list);

		assert_int_equal(TS_OK(st->ops->material_get(st, b.id, &got, &data,
							     &len, &e), &e), 1);
		assert_memory_equal(&got, &b, sizeof b);
		assert_int_equal(len, SCAN_LEN);
		assert_memory_equal(data, bytes, SCAN_LEN);
		free(data);
	}
}

/* Nothing for an id without scans, nor an unknown scan; a list is an
 * allocation even when empty. */
static void test_empty(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = ts_family(st);
	yb_material *list = NULL, got;
	void *data = (void *)&got;
	size_t len = 5;
	int n = -1;
	yb_err e;

	TS_OK(st->ops->materials_of(st, YB_MAT_BINDING, f.binding, &list, &n,
				    &e), &e);
	assert_int_equal(n, 0);
	free(list);
	assert_int_equal(TS_OK(st->ops->material_get(st, 424242, &got, &data,
						     &len, &e), &e), 0);
	assert_null(data);
	assert_int_equal(len, 0);
}

/* A scan of a record that does not exist (a foreign key) or of no record
 * at all, and a target that is none of the three: refused, nothing kept. */
static void test_refused(void **state)
{
	yb_store *st = TS_STORE(state);
	family f = ts_family(st);
	unsigned char bytes[SCAN_LEN];
	yb_material m = scan(YB_MAT_BINDING, 987654, "other", 100);
	yb_material *list = NULL;
	int n = -1;
	yb_err e;

	fill(bytes, sizeof bytes, 3);
	TS_FAILS(st->ops->material_insert(st, &m, bytes, sizeof bytes, &e), &e,
		 "store.error");
	m = scan(YB_MAT_PREMIUM, 987654, "other", 100);
	TS_FAILS(st->ops->material_insert(st, &m, bytes, sizeof bytes, &e), &e,
		 "store.error");
	m = scan(YB_MAT_BINDING, f.binding, "other", 100);
	m.target = (yb_material_target)YB_MAT__N;
	TS_FAILS(st->ops->material_insert(st, &m, bytes, sizeof bytes, &e), &e,
		 "store.error");
	assert_string_equal(e.message, "a scan belongs to a binding, a card "
			    "application or a premium, not to target 3");
	TS_FAILS(st->ops->materials_of(st, (yb_material_target)-1, f.binding,
				       &list, &n, &e), &e, "store.error");
	/* the size the record states is the size of the bytes (a CHECK) */
	m = scan(YB_MAT_BINDING, f.binding, "other", 100);
	TS_FAILS(st->ops->material_insert(st, &m, bytes, sizeof bytes - 1, &e),
		 &e, "store.error");
	TS_OK(st->ops->materials_of(st, YB_MAT_BINDING, f.binding, &list, &n,
				    &e), &e);
	assert_int_equal(n, 0);
	free(list);
}

int ts_run_materials(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_empty, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_refused, ts_setup,
						ts_teardown),
	};

	return cmocka_run_group_tests_name("store materials", tests, NULL,
					   NULL);
}
