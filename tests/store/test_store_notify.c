/*
 * test_store_notify.c — the store's refusals of the outbox (E3):
 * another person's notification, a webhook that is not (or no longer)
 * active, a delivery that does not exist.  Each is refused with its code
 * and its message, the same on both engines (src/store/check.c).
 * And the outbox's fan-out: a webhook added in the same transaction, or
 * by another connection between two transactions, gets a delivery of
 * the next notification (the SQLite engine remembers "no webhook" for
 * one transaction only).
 */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static yb_notification note(yb_id person, yb_id relative)
{
	yb_notification n;

	memset(&n, 0, sizeof n);
	n.person_id = person;
	n.kind = YB_NOTE_BINDING_CREATED;
	n.relative_id = relative;
	snprintf(n.relative_ssn, sizeof n.relative_ssn, "3200002");
	snprintf(n.relative_name, sizeof n.relative_name, "Relative");
	n.relationship = YB_REL_CHILD;
	snprintf(n.ref, sizeof n.ref, "binding:1");
	n.created_at = 100;
	return n;
}

/* Another person's notification is not even acknowledged. */
static void test_notification_not_yours(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id told = ts_person(st, "3200001", "Told");
	yb_id other = ts_person(st, "3200002", "Relative");
	yb_notification n = note(told, other);
	int changed = -1;
	yb_err e;

	TS_OK(st->ops->notification_insert(st, &n, &e), &e);
	TS_REFUSED(st->ops->notification_mark_read(st, other, n.id, 200,
						   &changed, &e),
		   &e, "notification.not_found",
		   ts_fmt("no notification %lld of yours", (long long)n.id));
	TS_REFUSED(st->ops->notification_mark_read(st, told, n.id + 99, 200,
						   &changed, &e),
		   &e, "notification.not_found",
		   ts_fmt("no notification %lld of yours",
			  (long long)(n.id + 99)));
	TS_OK(st->ops->notification_mark_read(st, told, n.id, 200, &changed,
					      &e), &e);
	assert_int_equal(changed, 1);
}

/* A webhook is removed once; a delivery is updated only if it exists. */
static void test_webhook_and_delivery_not_found(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_webhook w;
	yb_delivery d;
	yb_err e;

	memset(&w, 0, sizeof w);
	snprintf(w.url, sizeof w.url, "https://example.org/hook");
	snprintf(w.secret, sizeof w.secret, "s3cret");
	snprintf(w.label, sizeof w.label, "hook");
	w.created_at = 100;
	TS_OK(st->ops->webhook_insert(st, &w, &e), &e);
	TS_REFUSED(st->ops->webhook_remove(st, w.id + 1, 300, &e), &e,
		   "webhook.not_found",
		   ts_fmt("no active webhook %lld", (long long)(w.id + 1)));
	TS_OK(st->ops->webhook_remove(st, w.id, 300, &e), &e);
	TS_REFUSED(st->ops->webhook_remove(st, w.id, 301, &e), &e,
		   "webhook.not_found",
		   ts_fmt("no active webhook %lld", (long long)w.id));

	memset(&d, 0, sizeof d);
	d.id = 4242;
	d.state = YB_DELIV_DELIVERED;
	d.attempts = 1;
	d.last_status = 200;
	d.delivered_at = 400;
	TS_REFUSED(st->ops->delivery_update(st, &d, &e), &e,
		   "delivery.not_found", "no delivery 4242");
}

static yb_webhook hook(const char *label)
{
	yb_webhook w;

	memset(&w, 0, sizeof w);
	snprintf(w.url, sizeof w.url, "https://example.org/%s", label);
	snprintf(w.secret, sizeof w.secret, "s3cret");
	snprintf(w.label, sizeof w.label, "%s", label);
	w.created_at = 100;
	return w;
}

static int deliveries(yb_store *st)
{
	yb_delivery *d = NULL;
	int n = -1;
	yb_err e;

	TS_OK(st->ops->deliveries_list(st, -1, 0, 100, &d, &n, &e), &e);
	free(d);
	return n;
}

static void test_fanout_sees_new_webhooks(void **state)
{
	ts_fixture *f = *state;
	yb_store *st = f->st, *other = NULL;
	yb_id told = ts_person(st, "3200001", "Told");
	yb_id rel = ts_person(st, "3200002", "Relative");
	yb_notification n = note(told, rel);
	yb_webhook w1 = hook("one"), w2 = hook("two");
	yb_err e;

	/* One transaction: none, then one added, then told again. */
	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->notification_insert(st, &n, &e), &e);
	assert_int_equal(deliveries(st), 0);
	TS_OK(st->ops->webhook_insert(st, &w1, &e), &e);
	TS_OK(st->ops->notification_insert(st, &n, &e), &e);
	assert_int_equal(deliveries(st), 1);
	TS_OK(st->ops->commit(st, &e), &e);

	/* Removed: the next transaction's notification fans out to none. */
	TS_OK(st->ops->webhook_remove(st, w1.id, 200, &e), &e);
	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->notification_insert(st, &n, &e), &e);
	TS_OK(st->ops->commit(st, &e), &e);
	assert_int_equal(deliveries(st), 1);

	/* Another connection adds one between two transactions. */
	TS_OK(yb_store_open(f->url, &other, &e), &e);
	TS_OK(other->ops->webhook_insert(other, &w2, &e), &e);
	yb_store_close(other);
	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->notification_insert(st, &n, &e), &e);
	TS_OK(st->ops->commit(st, &e), &e);
	assert_int_equal(deliveries(st), 2);
}

/* A notification made under a savepoint that is rolled back is gone,
 * its outbox row too; the one made after it is written whole (the
 * PostgreSQL engine keeps a transaction's and writes them at commit). */
static void test_notification_rolled_back(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id told = ts_person(st, "3200001", "Told");
	yb_id rel = ts_person(st, "3200002", "Relative");
	yb_notification n1 = note(told, rel), n2 = note(told, rel);
	yb_notification *got = NULL;
	yb_webhook w = hook("one");
	int n = 0;
	yb_err e;

	TS_OK(st->ops->webhook_insert(st, &w, &e), &e);
	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->savepoint(st, &e), &e);
	TS_OK(st->ops->notification_insert(st, &n1, &e), &e);
	TS_OK(st->ops->rollback_to(st, &e), &e);
	TS_OK(st->ops->savepoint(st, &e), &e);
	snprintf(n2.ref, sizeof n2.ref, "binding:2");
	TS_OK(st->ops->notification_insert(st, &n2, &e), &e);
	TS_OK(st->ops->release(st, &e), &e);
	TS_OK(st->ops->commit(st, &e), &e);

	TS_OK(st->ops->notifications_of(st, told, 0, 10, &got, &n, &e), &e);
	assert_int_equal(n, 1);
	assert_true(got[0].id == n2.id);
	assert_string_equal(got[0].ref, "binding:2");
	assert_string_equal(got[0].relative_name, "Relative");
	assert_true(got[0].relative_id == rel);
	free(got);
	assert_int_equal(deliveries(st), 1);
}

int ts_run_notify(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_notification_not_yours,
						ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(
			test_webhook_and_delivery_not_found, ts_setup,
			ts_teardown),
		cmocka_unit_test_setup_teardown(test_fanout_sees_new_webhooks,
						ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_notification_rolled_back,
						ts_setup, ts_teardown),
	};

	return cmocka_run_group_tests_name("store notify", tests, NULL, NULL);
}
