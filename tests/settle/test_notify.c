/*
 * test_notify.c — E3 through the services on both engines: each use of
 * an authorizer's account writes one notification and one delivery per
 * active webhook in the use's own transaction (rolled back with it);
 * the person reads only his own; the sender's two steps — claim with a
 * lease, record the outcome — and the operator's retry of a dead one.
 */
#include "sfx.h"

#include <stdlib.h>

#include "service/notify.h"

#define NOW_MS(f) ((int64_t)yb_ctx_now(&(f)->ctx) * 1000)

/* The authorizer's notifications, newest first (as himself). */
static int notes_of(fx *f, const yb_person *p, yb_notification **out)
{
	yb_actor saved = f->ctx.actor;
	int n = 0;
	yb_err e;

	sfx_as_person(f, p);
	assert_ok(yb_my_notifications(&f->ctx, 0, 100, out, &n, &e), e);
	f->ctx.actor = saved;
	return n;
}

static void add_hook(fx *f)
{
	yb_webhook w;
	yb_err e;

	fx_admin(f);
	assert_ok(yb_webhook_add(&f->ctx, "http://127.0.0.1:9/hook",
				 "sixteen-byte-key!", "test", &w, &e), e);
	assert_true(w.id > 0);
}

/* E3: binding, share, revocation and premium each write one notification
 * for the authorizer, and a delivery for the webhook. */
static void test_each_use_told(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 50000), r = sfx_other(f, 2, "resident");
	yb_notification *n = NULL;
	yb_delivery *d = NULL;
	yb_settlement s, rv;
	int count, nd = 0;
	yb_err e;

	add_hook(f);
	sfx_bind(f, &a, &r, "child");
	sfx_institution(f, "H1");
	sfx_as_inst(f, "H1");
	assert_ok(sfx_settle(f, "T-1", "id_number", r.id_number, "outpatient",
			     3000, 1000, &s, NULL, &e), e);
	assert_ok(yb_revoke(&f->ctx, s.id, &rv, &e), e);
	/* E1's hook: the premium, inside a transaction of its own here. */
	fx_admin(f);
	assert_ok(yb_tx_begin(&f->ctx, true, &e), e);
	assert_ok(yb_notify_premium_paid(&f->ctx, a.id, &r, YB_REL_CHILD, 2026,
					 40000, "premium:1", &e), e);
	assert_ok(yb_tx_commit(&f->ctx, &e), e);

	count = notes_of(f, &a, &n);
	assert_int_equal(count, 4);
	assert_int_equal(n[0].kind, YB_NOTE_PREMIUM_PAYMENT);
	assert_string_equal(n[0].detail, "2026");
	assert_int_equal(n[0].amount_fen, 40000);
	assert_int_equal(n[1].kind, YB_NOTE_SHARE_REVOKED);
	assert_int_equal(n[1].amount_fen, 2000);
	assert_int_equal(n[2].kind, YB_NOTE_SETTLEMENT_SHARE);
	assert_int_equal(n[2].amount_fen, 2000);
	assert_string_equal(n[2].institution_code, "H1");
	assert_string_equal(n[2].relative_ssn, r.ssn);
	assert_int_equal(n[2].relationship, YB_REL_CHILD);
	assert_int_equal(n[3].kind, YB_NOTE_BINDING_CREATED);
	assert_string_equal(n[3].detail, "web");
	free(n);
	/* the relative (the patient) is told nothing */
	assert_int_equal(notes_of(f, &r, &n), 0);
	free(n);
	fx_admin(f);
	assert_ok(yb_deliveries_list(&f->ctx, "pending", 0, 100, &d, &nd, &e), e);
	assert_int_equal(nd, 4);
	free(d);
}

/* E3: the notification is part of the use's transaction: rolled back
 * with it. */
static void test_rolled_back_with_the_use(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 100), r = sfx_other(f, 2, "resident");
	yb_notification *n = NULL;
	yb_err e;

	add_hook(f);
	assert_ok(yb_tx_begin(&f->ctx, true, &e), e);
	assert_ok(yb_notify_premium_paid(&f->ctx, a.id, &r, YB_REL_CHILD, 2026,
					 100, "premium:x", &e), e);
	yb_tx_rollback(&f->ctx);
	assert_int_equal(notes_of(f, &a, &n), 0);
	free(n);
}

/* E3: only his own: another person cannot mark it; read one, read all. */
static void test_read_own_only(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 100), r = sfx_other(f, 2, "resident");
	yb_person x = sfx_insured(f, 3, 100);
	yb_notification *n = NULL;
	int64_t unread;
	int changed;
	yb_id id;
	yb_err e;

	sfx_bind(f, &a, &r, "child");
	sfx_bind(f, &a, &x, "spouse");
	assert_int_equal(notes_of(f, &a, &n), 2);
	id = n[1].id;
	free(n);
	sfx_as_person(f, &x);
	assert_err(yb_my_notifications_read(&f->ctx, id, &changed, &e), e,
		   "notification.not_found");
	assert_ok(yb_my_notifications_read(&f->ctx, 0, &changed, &e), e);
	assert_int_equal(changed, 0);
	fx_admin(f);
	assert_err(yb_my_notifications_read(&f->ctx, id, &changed, &e), e,
		   "auth.forbidden");
	sfx_as_person(f, &a);
	assert_ok(yb_my_notifications_read(&f->ctx, id, &changed, &e), e);
	assert_int_equal(changed, 1);
	assert_ok(yb_my_notifications_unread(&f->ctx, &unread, &e), e);
	assert_int_equal(unread, 1);
	assert_ok(yb_my_notifications_read(&f->ctx, 0, &changed, &e), e);
	assert_int_equal(changed, 1);
	assert_ok(yb_my_notifications_unread(&f->ctx, &unread, &e), e);
	assert_int_equal(unread, 0);
}

/* E3: the sender's steps: a claim leases what it takes; a lease that runs
 * out (a crashed sender) makes it due again; dead, then retried. */
static void test_claim_lease_dead_retry(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 100), r = sfx_other(f, 2, "resident");
	yb_delivery_job jobs[8];
	yb_delivery *d = NULL, back;
	int n = 0, nd = 0;
	int64_t now;
	yb_err e;

	add_hook(f);
	sfx_bind(f, &a, &r, "child");
	fx_admin(f);
	now = NOW_MS(f);
	assert_ok(yb_deliveries_claim(&f->ctx, now, 5000, 8, jobs, &n, &e), e);
	assert_int_equal(n, 1);
	assert_int_equal(jobs[0].n.kind, YB_NOTE_BINDING_CREATED);
	assert_string_equal(jobs[0].person_ssn, a.ssn);
	assert_string_equal(jobs[0].secret, "sixteen-byte-key!");
	/* leased: not claimed again meanwhile ... */
	assert_ok(yb_deliveries_claim(&f->ctx, now + 4999, 5000, 8, jobs, &n, &e), e);
	assert_int_equal(n, 0);
	/* ... but again once the lease ran out (the sender died) */
	assert_ok(yb_deliveries_claim(&f->ctx, now + 5000, 5000, 8, jobs, &n, &e), e);
	assert_int_equal(n, 1);
	jobs[0].d.state = YB_DELIV_DEAD;
	jobs[0].d.attempts = 10;
	jobs[0].d.last_status = 503;
	assert_ok(yb_delivery_record(&f->ctx, &jobs[0].d, &e), e);
	assert_ok(yb_deliveries_claim(&f->ctx, now + 999999, 5000, 8, jobs, &n, &e), e);
	assert_int_equal(n, 0);
	assert_ok(yb_deliveries_list(&f->ctx, "dead", 0, 10, &d, &nd, &e), e);
	assert_int_equal(nd, 1);
	assert_int_equal(d[0].last_status, 503);
	free(d);
	assert_ok(yb_delivery_retry(&f->ctx, jobs[0].d.id, &back, &e), e);
	assert_int_equal(back.state, YB_DELIV_PENDING);
	assert_int_equal(back.attempts, 0);
	assert_err(yb_delivery_retry(&f->ctx, jobs[0].d.id, &back, &e), e,
		   "delivery.not_dead");
	assert_ok(yb_deliveries_claim(&f->ctx, NOW_MS(f), 5000, 8, jobs, &n, &e), e);
	assert_int_equal(n, 1);
	/* the sender is the administrator's: no one else claims */
	sfx_as_person(f, &a);
	assert_err(yb_deliveries_claim(&f->ctx, now, 5000, 8, jobs, &n, &e), e,
		   "auth.forbidden");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_each_use_told),
		T(test_rolled_back_with_the_use),
		T(test_read_own_only),
		T(test_claim_lease_dead_retry),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
