/*
 * test_health.c — the service's own upkeep (service/health.h): the
 * health check behind GET /healthz and the demo seed's marker, on a real
 * store of the engine the run asks for.
 */
#include "fixture.h"

#include <string.h>

#include "service/health.h"

/* A fresh store is healthy, and the check leaves no transaction open:
 * a write right after it begins and commits. */
static void test_health_check(void **state)
{
	fx *f = *state;
	yb_health h;
	yb_err e;

	memset(&h, 'x', sizeof h);
	assert_ok(yb_health_check(&f->ctx, &h, &e), e);
	assert_true(memchr(h.schema_version, '\0',
			   sizeof h.schema_version) != NULL);
	assert_ok(yb_demo_mark_seeded(&f->ctx, &e), e);
}

/* The marker is absent until set, then stays set (its own commit). */
static void test_demo_marker(void **state)
{
	fx *f = *state;
	bool seeded = true;
	yb_err e;

	assert_ok(yb_demo_seeded(&f->ctx, &seeded, &e), e);
	assert_false(seeded);
	assert_ok(yb_demo_mark_seeded(&f->ctx, &e), e);
	assert_ok(yb_demo_seeded(&f->ctx, &seeded, &e), e);
	assert_true(seeded);
	assert_ok(yb_demo_mark_seeded(&f->ctx, &e), e);   /* again: no harm */
	assert_ok(yb_demo_seeded(&f->ctx, &seeded, &e), e);
	assert_true(seeded);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_health_check, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_demo_marker, fx_setup,
						fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
