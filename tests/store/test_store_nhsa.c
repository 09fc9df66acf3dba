/*
 * test_store_nhsa.c — the national-interface gateway's records on the
 * store (store.h "nhsa"; docs/NHSA.md "Storage"), on both engines.
 */
#include "store_test.h"
#include "store/sqlite/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static yb_nhsa_rec rec(const char *kind, const char *key, const char *grp,
		       yb_time at, char *val)
{
	yb_nhsa_rec r;

	memset(&r, 0, sizeof r);
	snprintf(r.kind, sizeof r.kind, "%s", kind);
	snprintf(r.key, sizeof r.key, "%s", key);
	snprintf(r.grp, sizeof r.grp, "%s", grp);
	snprintf(r.inst, sizeof r.inst, "H001");
	r.at = at;
	r.val = val;
	return r;
}

/* Insert, ensure, upsert — and a duplicate inside a transaction leaves it
 * usable (PostgreSQL: ON CONFLICT, no aborted transaction). */
static void test_put_modes(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_nhsa_rec r = rec("msg", "H001|M1", "H001", 10, "{\"a\":1}"), got;
	yb_err e;

	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->nhsa_put(st, &r, YB_NHSA_INSERT, &e), &e);
	r.val = "{\"a\":2}";
	TS_REFUSED(st->ops->nhsa_put(st, &r, YB_NHSA_INSERT, &e), &e,
		   "nhsa.duplicate", "msg H001|M1 exists");
	assert_int_equal(TS_OK(st->ops->nhsa_put(st, &r, YB_NHSA_ENSURE, &e), &e), 0);
	assert_int_equal(TS_OK(st->ops->nhsa_get(st, "msg", "H001|M1", &got, &e),
			       &e), 1);
	assert_string_equal(got.val, "{\"a\":1}");     /* left as it was */
	assert_string_equal(got.inst, "H001");
	assert_int_equal(got.at, 10);
	free(got.val);
	TS_OK(st->ops->nhsa_put(st, &r, YB_NHSA_UPSERT, &e), &e);
	TS_OK(st->ops->commit(st, &e), &e);
	assert_int_equal(TS_OK(st->ops->nhsa_get(st, "msg", "H001|M1", &got, &e),
			       &e), 1);
	assert_string_equal(got.val, "{\"a\":2}");
	free(got.val);
	r = rec("msg", "H001|M2", "H001", 10, "{}");
	assert_int_equal(TS_OK(st->ops->nhsa_put(st, &r, YB_NHSA_ENSURE, &e), &e), 1);
	assert_int_equal(TS_OK(st->ops->nhsa_get(st, "sign", "H001|M1", &got, &e),
			       &e), 0);                /* another kind */
}

/* The kept messages ("msg", "msgx": table nhsa_msgs, migration 13) and
 * the other kinds are apart: the same key in each is its own record; a
 * message of several kilobytes comes back whole; a message is deleted
 * by its kind and key alone. */
static void test_messages(void **state)
{
	yb_store *st = TS_STORE(state);
	const char *kinds[] = { "msg", "msgx", "sign" };
	char big[6000];
	yb_nhsa_rec got;
	yb_err e;

	memset(big, 'x', sizeof big - 1);
	big[0] = '{';
	big[sizeof big - 2] = '}';
	big[sizeof big - 1] = '\0';
	for (int i = 0; i < 3; i++) {
		yb_nhsa_rec r = rec(kinds[i], "H001|K", "", 10 + i,
				    i == 0 ? big : (char *)kinds[i]);
		assert_int_equal(TS_OK(st->ops->nhsa_put(st, &r, YB_NHSA_ENSURE,
							 &e), &e), 1);
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(TS_OK(st->ops->nhsa_get(st, kinds[i], "H001|K",
							 &got, &e), &e), 1);
		assert_string_equal(got.kind, kinds[i]);
		assert_string_equal(got.val, i == 0 ? big : kinds[i]);
		assert_int_equal(got.at, 10 + i);
		assert_string_equal(got.grp, "");
		free(got.val);
	}
	TS_OK(st->ops->nhsa_delete(st, "msg", "H001|K", &e), &e);
	assert_int_equal(TS_OK(st->ops->nhsa_get(st, "msg", "H001|K", &got, &e),
			       &e), 0);
	assert_int_equal(TS_OK(st->ops->nhsa_get(st, "msgx", "H001|K", &got,
						 &e), &e), 1);
	free(got.val);
}

static void test_list_delete(void **state)
{
	yb_store *st = TS_STORE(state);
	const char *keys[] = { "V1|F2", "V1|F1", "V2|F1" };
	const char *grps[] = { "V1", "V1", "V2" };
	yb_nhsa_rec *list = NULL;
	int n = -1;
	yb_err e;

	for (int i = 0; i < 3; i++) {
		yb_nhsa_rec r = rec("fee", keys[i], grps[i], 100 + i, "{}");
		TS_OK(st->ops->nhsa_put(st, &r, YB_NHSA_INSERT, &e), &e);
	}
	TS_OK(st->ops->nhsa_list(st, "fee", "V1", &list, &n, &e), &e);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].key, "V1|F1");      /* by key */
	assert_string_equal(list[1].key, "V1|F2");
	yb_nhsa_recs_free(list, n);
	TS_OK(st->ops->nhsa_delete(st, "fee", "V1|F1", &e), &e);
	TS_OK(st->ops->nhsa_list(st, "fee", "V1", &list, &n, &e), &e);
	assert_int_equal(n, 1);
	yb_nhsa_recs_free(list, n);
	/* a record put without a group is listed under none, not under "" */
	{
		yb_nhsa_rec r = rec("visit", "V9", "", 100, "{}");
		TS_OK(st->ops->nhsa_put(st, &r, YB_NHSA_INSERT, &e), &e);
	}
	TS_OK(st->ops->nhsa_list(st, "visit", "", &list, &n, &e), &e);
	assert_int_equal(n, 0);
	yb_nhsa_recs_free(list, n);
	TS_OK(st->ops->nhsa_list(st, "fee", "none", &list, &n, &e), &e);
	assert_int_equal(n, 0);
	yb_nhsa_recs_free(list, n);
}

/* Only nonces are purged by time (the one kind with its time indexed);
 * a purge of another kind deletes nothing. */
static void test_purge_nonces(void **state)
{
	yb_store *st = TS_STORE(state);
	const char *keys[] = { "P|n1", "P|n2", "P|n3" };
	yb_nhsa_rec got;
	yb_err e;

	for (int i = 0; i < 3; i++) {
		yb_nhsa_rec r = rec("nonce", keys[i], "", 100 + i, "{}");
		TS_OK(st->ops->nhsa_put(st, &r, YB_NHSA_INSERT, &e), &e);
		r = rec("fee", keys[i], "V1", 100 + i, "{}");
		TS_OK(st->ops->nhsa_put(st, &r, YB_NHSA_INSERT, &e), &e);
	}
	TS_OK(st->ops->nhsa_purge(st, "nonce", 102, &e), &e);   /* at < 102 */
	assert_int_equal(TS_OK(st->ops->nhsa_get(st, "nonce", "P|n1", &got, &e),
			       &e), 0);
	assert_int_equal(TS_OK(st->ops->nhsa_get(st, "nonce", "P|n2", &got, &e),
			       &e), 0);
	assert_int_equal(TS_OK(st->ops->nhsa_get(st, "nonce", "P|n3", &got, &e),
			       &e), 1);
	free(got.val);
	TS_OK(st->ops->nhsa_purge(st, "fee", 200, &e), &e);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(TS_OK(st->ops->nhsa_get(st, "fee", keys[i], &got,
							 &e), &e), 1);
		free(got.val);
	}
}

/* A credential or sign-in read in a write transaction is what the store
 * holds then, whatever an earlier transaction read (SQLite remembers
 * them on its writer: store/sqlite/nhsa.c, "The gateway's memo"): after
 * another connection's commit, after this connection's own write, and
 * after an undo. */
static yb_time get_at(yb_store *st, const char *kind, const char *key)
{
	yb_nhsa_rec got;
	yb_err e;
	int found = TS_OK(st->ops->nhsa_get(st, kind, key, &got, &e), &e);

	if (found != 1)
		return -1;
	free(got.val);
	return got.at;
}

static void test_credentials_read_fresh(void **state)
{
	ts_fixture *f = *state;
	yb_store *st = f->st, *other = NULL;
	yb_nhsa_rec c = rec("cred", "P1", "H001", 1, "{\"v\":1}");
	yb_nhsa_rec g = rec("sign", "S1", "H001", 1, "{}");
	yb_err e;

	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->nhsa_put(st, &c, YB_NHSA_INSERT, &e), &e);
	TS_OK(st->ops->nhsa_put(st, &g, YB_NHSA_INSERT, &e), &e);
	TS_OK(st->ops->commit(st, &e), &e);
	for (int i = 0; i < 2; i++) {        /* read twice: remembered */
		TS_OK(st->ops->begin(st, true, &e), &e);
		assert_int_equal(get_at(st, "cred", "P1"), 1);
		assert_int_equal(get_at(st, "sign", "S1"), 1);
		TS_OK(st->ops->commit(st, &e), &e);
	}
	/* another connection's commit */
	TS_OK(yb_store_open(f->url, &other, &e), &e);
	TS_OK(other->ops->begin(other, true, &e), &e);
	c.at = 2;
	TS_OK(other->ops->nhsa_put(other, &c, YB_NHSA_UPSERT, &e), &e);
	TS_OK(other->ops->commit(other, &e), &e);
	yb_store_close(other);
	TS_OK(st->ops->begin(st, true, &e), &e);
	assert_int_equal(get_at(st, "cred", "P1"), 2);
	assert_int_equal(get_at(st, "sign", "S1"), 1);
	/* this connection's own write, in the same transaction */
	g.at = 3;
	TS_OK(st->ops->nhsa_put(st, &g, YB_NHSA_UPSERT, &e), &e);
	assert_int_equal(get_at(st, "sign", "S1"), 3);
	/* an undo: what the undone write showed is gone */
	TS_OK(st->ops->savepoint(st, &e), &e);
	g.at = 4;
	TS_OK(st->ops->nhsa_put(st, &g, YB_NHSA_UPSERT, &e), &e);
	assert_int_equal(get_at(st, "sign", "S1"), 4);
	TS_OK(st->ops->rollback_to(st, &e), &e);
	assert_int_equal(get_at(st, "sign", "S1"), 3);
	TS_OK(st->ops->commit(st, &e), &e);
	/* a transaction rolled back */
	TS_OK(st->ops->begin(st, true, &e), &e);
	g.at = 5;
	TS_OK(st->ops->nhsa_put(st, &g, YB_NHSA_UPSERT, &e), &e);
	assert_int_equal(get_at(st, "sign", "S1"), 5);
	st->ops->rollback(st);
	TS_OK(st->ops->begin(st, true, &e), &e);
	assert_int_equal(get_at(st, "sign", "S1"), 3);
	/* deleted */
	TS_OK(st->ops->nhsa_delete(st, "cred", "P1", &e), &e);
	assert_int_equal(get_at(st, "cred", "P1"), -1);
	TS_OK(st->ops->commit(st, &e), &e);
}

/* A nonce spent once is refused after, whatever undoes what: the answer
 * "spent before?" is the store's, as it holds in this transaction
 * (SQLite answers it from a set in memory since migration 15:
 * store/sqlite/nhsa_nonce.c).  Spent in an undone savepoint or a rolled
 * back transaction: spendable again; committed: refused, by another
 * connection that spends after this one's set was read, after a purge of
 * older ones, and after a restart (the store opened again). */
static int spend(yb_store *st, const char *key, yb_time at)
{
	yb_nhsa_rec r = rec("nonce", key, "", at, "{}");
	yb_err e;

	return TS_OK(st->ops->nhsa_put(st, &r, YB_NHSA_ENSURE, &e), &e);
}

static void test_nonce_spent_once(void **state)
{
	ts_fixture *f = *state;
	yb_store *st = f->st, *other = NULL;
	yb_nhsa_rec got;
	yb_err e;

	TS_OK(st->ops->begin(st, true, &e), &e);
	assert_int_equal(spend(st, "P|a", 100), 1);
	assert_int_equal(spend(st, "P|a", 100), 0);     /* same transaction */
	TS_OK(st->ops->savepoint(st, &e), &e);
	assert_int_equal(spend(st, "P|b", 100), 1);
	assert_int_equal(spend(st, "P|b", 101), 0);
	TS_OK(st->ops->rollback_to(st, &e), &e);
	assert_int_equal(spend(st, "P|b", 101), 1);     /* undone: again */
	TS_OK(st->ops->commit(st, &e), &e);

	TS_OK(st->ops->begin(st, true, &e), &e);
	assert_int_equal(spend(st, "P|a", 102), 0);
	assert_int_equal(spend(st, "P|b", 102), 0);
	assert_int_equal(spend(st, "P|c", 102), 1);
	st->ops->rollback(st);
	TS_OK(st->ops->begin(st, true, &e), &e);
	assert_int_equal(spend(st, "P|c", 103), 1);     /* rolled back */
	TS_OK(st->ops->commit(st, &e), &e);

	/* another connection spends (this one's set is read already) */
	TS_OK(yb_store_open(f->url, &other, &e), &e);
	TS_OK(other->ops->begin(other, true, &e), &e);
	assert_int_equal(spend(other, "P|c", 104), 0);
	assert_int_equal(spend(other, "P|d", 104), 1);
	TS_OK(other->ops->commit(other, &e), &e);
	TS_OK(st->ops->begin(st, true, &e), &e);
	assert_int_equal(spend(st, "P|d", 105), 0);
	assert_int_equal(spend(st, "P|e", 105), 1);
	TS_OK(st->ops->commit(st, &e), &e);
	TS_OK(other->ops->begin(other, true, &e), &e);
	assert_int_equal(spend(other, "P|e", 106), 0);
	TS_OK(other->ops->commit(other, &e), &e);
	yb_store_close(other);

	/* a purge of the older ones, undone, then kept */
	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->nhsa_purge(st, "nonce", 102, &e), &e);
	assert_int_equal(spend(st, "P|a", 106), 1);
	st->ops->rollback(st);
	TS_OK(st->ops->begin(st, true, &e), &e);
	assert_int_equal(spend(st, "P|a", 106), 0);
	TS_OK(st->ops->nhsa_purge(st, "nonce", 102, &e), &e);
	TS_OK(st->ops->commit(st, &e), &e);
	TS_OK(st->ops->begin(st, true, &e), &e);
	assert_int_equal(spend(st, "P|a", 107), 1);     /* purged: again */
	assert_int_equal(spend(st, "P|c", 107), 0);
	TS_OK(st->ops->commit(st, &e), &e);

	/* a restart: the store opened again */
	yb_store_close(f->st);
	f->st = NULL;
	TS_OK(yb_store_open(f->url, &f->st, &e), &e);
	st = f->st;
	TS_OK(st->ops->begin(st, true, &e), &e);
	assert_int_equal(spend(st, "P|a", 108), 0);
	assert_int_equal(spend(st, "P|b", 108), 1);     /* purged at 101 */
	assert_int_equal(spend(st, "P|b", 108), 0);
	assert_int_equal(spend(st, "P|c", 108), 0);
	assert_int_equal(spend(st, "P|d", 108), 0);
	assert_int_equal(spend(st, "P|e", 108), 0);
	assert_int_equal(spend(st, "P|f", 108), 1);
	assert_int_equal(TS_OK(st->ops->nhsa_get(st, "nonce", "P|a", &got, &e),
			       &e), 1);
	assert_int_equal(got.at, 107);
	free(got.val);
	TS_OK(st->ops->commit(st, &e), &e);
	assert_int_equal(TS_OK(st->ops->nhsa_get(st, "nonce", "P|f", &got, &e),
			       &e), 1);
	free(got.val);
}

/* SQLite without group commit: each connection that spends keeps a set,
 * and another connection's purge must shrink this one's too, or it
 * would grow for as long as the server runs. */
static void test_nonce_purged_elsewhere(void **state)
{
	ts_fixture *f = *state;
	yb_store *st = f->st, *other = NULL;
	yb_err e;

	if (!ts_sqlite())
		skip();
	TS_OK(st->ops->begin(st, true, &e), &e);
	assert_int_equal(spend(st, "P|x", 100), 1);
	assert_int_equal(spend(st, "P|y", 200), 1);
	TS_OK(st->ops->commit(st, &e), &e);

	TS_OK(yb_store_open(f->url, &other, &e), &e);
	TS_OK(other->ops->begin(other, true, &e), &e);
	assert_int_equal(spend(other, "P|z", 300), 1);
	TS_OK(other->ops->commit(other, &e), &e);
	assert_int_equal(sq_nonces_held(sq_of(other)), 3);

	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->nhsa_purge(st, "nonce", 150, &e), &e);   /* P|x */
	TS_OK(st->ops->commit(st, &e), &e);
	assert_int_equal(sq_nonces_held(sq_of(st)), 2);

	TS_OK(other->ops->begin(other, true, &e), &e);
	assert_int_equal(spend(other, "P|x", 301), 1);  /* purged: fresh */
	assert_int_equal(spend(other, "P|y", 301), 0);
	TS_OK(other->ops->commit(other, &e), &e);
	/* y, z and the new x: the purged x's entry is gone */
	assert_int_equal(sq_nonces_held(sq_of(other)), 3);

	/* all older than the cut: the newest stays (rowids never go back) */
	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->nhsa_purge(st, "nonce", 1000, &e), &e);
	TS_OK(st->ops->commit(st, &e), &e);
	assert_int_equal(sq_nonces_held(sq_of(st)), 1);
	TS_OK(other->ops->begin(other, true, &e), &e);
	assert_int_equal(spend(other, "P|x", 1001), 0);   /* the newest */
	assert_int_equal(spend(other, "P|z", 1001), 1);
	TS_OK(other->ops->commit(other, &e), &e);
	assert_int_equal(sq_nonces_held(sq_of(other)), 2);
	yb_store_close(other);

	/* a set read again (a restart) continues after the highest rowid */
	yb_store_close(f->st);
	f->st = NULL;
	TS_OK(yb_store_open(f->url, &f->st, &e), &e);
	st = f->st;
	TS_OK(st->ops->begin(st, true, &e), &e);
	assert_int_equal(spend(st, "P|z", 1002), 0);
	assert_int_equal(spend(st, "P|v", 1002), 1);
	TS_OK(st->ops->commit(st, &e), &e);
	assert_int_equal(sq_nonces_held(sq_of(st)), 3);
}

/* Many nonces: the set grows, and each is found again (no false
 * "fresh" nor false "spent" across the growth). */
static void test_nonce_many(void **state)
{
	yb_store *st = TS_STORE(state);
	char key[64];
	yb_err e;

	TS_OK(st->ops->begin(st, true, &e), &e);
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "P|n%d", i);
		assert_int_equal(spend(st, key, 100 + i / 1000), 1);
	}
	TS_OK(st->ops->commit(st, &e), &e);
	TS_OK(st->ops->begin(st, true, &e), &e);
	TS_OK(st->ops->nhsa_purge(st, "nonce", 102, &e), &e);  /* 0..1999 */
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "P|n%d", i);
		assert_int_equal(spend(st, key, 200), i < 2000 ? 1 : 0);
	}
	TS_OK(st->ops->commit(st, &e), &e);
}

int ts_run_nhsa(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_modes, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_messages, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_list_delete, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_credentials_read_fresh,
						ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_purge_nonces, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_nonce_spent_once, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_nonce_many, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_nonce_purged_elsewhere,
						ts_setup, ts_teardown),
	};
	return cmocka_run_group_tests_name("store nhsa", tests, NULL, NULL);
}
