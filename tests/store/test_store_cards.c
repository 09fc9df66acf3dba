/*
 * test_store_cards.c — cards and card applications (SPEC C2, C3), the
 * working-day calendar (C3b), the audit log (X3) and credentials (X2) on
 * the store.
 */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"

/* ---- card applications and cards ------------------------------------------- */

static yb_card card(yb_id person, const char *no, yb_card_state state)
{
	yb_card c;

	memset(&c, 0, sizeof c);
	snprintf(c.card_no, sizeof c.card_no, "%s", no);
	c.person_id = person;
	c.state = state;
	c.created_at = c.updated_at = 1700000000;
	return c;
}

/* C3: an application with its materials, and the card made for it. */
static void test_card_application(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id pid = ts_person(st, "1200001", "Applicant");
	yb_card_application a, got;
	yb_card c;
	yb_err e;

	memset(&a, 0, sizeof a);
	a.person_id = pid;
	a.route = YB_ROUTE_SERVICE_POINT;
	snprintf(a.materials_json, sizeof a.materials_json, "{\"id_card\":true}");
	a.applied_on = 20000;
	a.ready_by = 20003;
	snprintf(a.operator_id, sizeof a.operator_id, "key:3");
	a.created_at = 1700000000;
	TS_OK(st->ops->card_application_insert(st, &a, &e), &e);
	assert_true(a.id > 0);
	assert_int_equal(TS_OK(st->ops->card_application_by_id(st, a.id, &got, &e),
			       &e), 1);
	assert_memory_equal(&got, &a, sizeof a);
	assert_int_equal(TS_OK(st->ops->card_application_by_id(st, a.id + 5, &got,
								&e), &e), 0);

	c = card(pid, "C000000001", YB_CARD_IN_PRODUCTION);
	c.application_id = a.id;
	TS_OK(st->ops->card_insert(st, &c, &e), &e);
	TS_OK(st->ops->card_application_set_card(st, a.id, c.id, &e), &e);
	assert_int_equal(TS_OK(st->ops->card_application_by_id(st, a.id, &got, &e),
			       &e), 1);
	assert_int_equal(got.card_id, c.id);
	TS_REFUSED(st->ops->card_application_set_card(st, a.id + 5, c.id, &e),
		   &e, "card.application_not_found",
		   ts_fmt("no card application with id %lld",
			  (long long)(a.id + 5)));
}

/* C2: at most one valid card; a lost card can be replaced. */
static void test_cards(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id pid = ts_person(st, "1300001", "Holder");
	yb_id other = ts_person(st, "1300002", "Someone");
	yb_card c1 = card(pid, "C100", YB_CARD_ISSUED), c2, got;
	yb_err e;

	assert_int_equal(TS_OK(st->ops->card_valid_of(st, pid, &got, &e), &e), 0);
	assert_int_equal(TS_OK(st->ops->card_latest_of(st, pid, &got, &e), &e), 0);
	c1.activated = true;
	TS_OK(st->ops->card_insert(st, &c1, &e), &e);
	assert_int_equal(TS_OK(st->ops->card_by_no(st, "C100", &got, &e), &e), 1);
	assert_memory_equal(&got, &c1, sizeof c1);
	assert_int_equal(TS_OK(st->ops->card_by_id(st, c1.id, &got, &e), &e), 1);
	assert_memory_equal(&got, &c1, sizeof c1);
	assert_int_equal(TS_OK(st->ops->card_by_no(st, "C999", &got, &e), &e), 0);
	assert_int_equal(TS_OK(st->ops->card_by_id(st, 999, &got, &e), &e), 0);

	/* C2: a second valid card, in any valid state, is refused. */
	c2 = card(pid, "C101", YB_CARD_IN_PRODUCTION);
	TS_REFUSED(st->ops->card_insert(st, &c2, &e), &e,
		   "card.already_has_valid_card",
		   "the person already has a valid card");
	c2.state = YB_CARD_READY;
	TS_REFUSED(st->ops->card_insert(st, &c2, &e), &e,
		   "card.already_has_valid_card",
		   "the person already has a valid card");
	/* A card number is unique, whoever holds it. */
	c2 = card(other, "C100", YB_CARD_ISSUED);
	TS_REFUSED(st->ops->card_insert(st, &c2, &e), &e, "store.error",
		   "card number C100 is taken");

	/* C5: reported lost, then replaced. */
	c1.state = YB_CARD_LOST;
	c1.updated_at = 1700000500;
	TS_OK(st->ops->card_update(st, &c1, &e), &e);
	assert_int_equal(TS_OK(st->ops->card_valid_of(st, pid, &got, &e), &e), 0);
	c2 = card(pid, "C101", YB_CARD_IN_PRODUCTION);
	c2.created_at = c2.updated_at = 1700000600;
	TS_OK(st->ops->card_insert(st, &c2, &e), &e);
	assert_int_equal(TS_OK(st->ops->card_valid_of(st, pid, &got, &e), &e), 1);
	assert_int_equal(got.id, c2.id);
	assert_int_equal(TS_OK(st->ops->card_latest_of(st, pid, &got, &e), &e), 1);
	assert_int_equal(got.id, c2.id);
	/* The lost card cannot come back while the new one is valid. */
	c1.state = YB_CARD_ISSUED;
	TS_REFUSED(st->ops->card_update(st, &c1, &e), &e,
		   "card.already_has_valid_card",
		   "the person already has a valid card");
	assert_int_equal(TS_OK(st->ops->card_by_id(st, c1.id, &got, &e), &e), 1);
	assert_int_equal(got.state, YB_CARD_LOST);
	assert_true(got.activated);
	assert_int_equal(got.updated_at, 1700000500);

	/* C1: activation; C6: cancellation. */
	c2.state = YB_CARD_ISSUED;
	c2.activated = true;
	TS_OK(st->ops->card_update(st, &c2, &e), &e);
	c2.state = YB_CARD_CANCELLED;
	TS_OK(st->ops->card_update(st, &c2, &e), &e);
	assert_int_equal(TS_OK(st->ops->card_by_no(st, "C101", &got, &e), &e), 1);
	assert_int_equal(got.state, YB_CARD_CANCELLED);
	assert_true(got.activated);
	assert_int_equal(TS_OK(st->ops->card_valid_of(st, pid, &got, &e), &e), 0);
	c2.id = 4242;
	TS_REFUSED(st->ops->card_update(st, &c2, &e), &e, "card.not_found",
		   "no card with id 4242");
}

/* ---- the working-day calendar (C3b) ------------------------------------------- */

static void test_calendar(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_calendar_year y, got;
	yb_err e;

	assert_int_equal(TS_OK(st->ops->calendar_get_year(st, 2026, &got, &e), &e),
			 0);
	memset(&y, 0, sizeof y);
	y.year = 2026;
	y.nholidays = 3;
	y.holidays[0] = yb_date_from_ymd(2026, 10, 2);
	y.holidays[1] = yb_date_from_ymd(2026, 1, 1);
	y.holidays[2] = yb_date_from_ymd(2026, 10, 1);
	y.nworkdays = 1;
	y.workdays[0] = yb_date_from_ymd(2026, 9, 27);
	TS_OK(st->ops->calendar_put_year(st, &y, &e), &e);
	assert_int_equal(TS_OK(st->ops->calendar_get_year(st, 2026, &got, &e), &e),
			 1);
	assert_int_equal(got.year, 2026);
	assert_int_equal(got.nholidays, 3);
	/* In date order. */
	assert_int_equal(got.holidays[0], yb_date_from_ymd(2026, 1, 1));
	assert_int_equal(got.holidays[1], yb_date_from_ymd(2026, 10, 1));
	assert_int_equal(got.holidays[2], yb_date_from_ymd(2026, 10, 2));
	assert_int_equal(got.nworkdays, 1);
	assert_int_equal(got.workdays[0], yb_date_from_ymd(2026, 9, 27));

	/* Replacing the year replaces all of it. */
	y.nholidays = 1;
	y.nworkdays = 0;
	TS_OK(st->ops->calendar_put_year(st, &y, &e), &e);
	assert_int_equal(TS_OK(st->ops->calendar_get_year(st, 2026, &got, &e), &e),
			 1);
	assert_int_equal(got.nholidays, 1);
	assert_int_equal(got.nworkdays, 0);

	/* A refused table leaves the loaded one as it was. */
	y.nholidays = 2;
	y.holidays[1] = y.holidays[0];
	TS_REFUSED(st->ops->calendar_put_year(st, &y, &e), &e,
		   "calendar.invalid", "a date is listed twice in the calendar");
	/* Twice also when once as a holiday and once as a workday. */
	y.nholidays = 1;
	y.nworkdays = 1;
	y.workdays[0] = y.holidays[0];
	TS_REFUSED(st->ops->calendar_put_year(st, &y, &e), &e,
		   "calendar.invalid", "a date is listed twice in the calendar");
	y.workdays[0] = yb_date_from_ymd(2025, 12, 28);
	TS_REFUSED(st->ops->calendar_put_year(st, &y, &e), &e,
		   "calendar.invalid", "a workday of year 2026 lies in 2025");
	y.nworkdays = 0;
	y.nholidays = 2;
	y.holidays[1] = yb_date_from_ymd(2027, 1, 1);
	TS_REFUSED(st->ops->calendar_put_year(st, &y, &e), &e,
		   "calendar.invalid", "a holiday of year 2026 lies in 2027");
	y.nholidays = YB_CAL_MAX_DAYS + 1;
	TS_REFUSED(st->ops->calendar_put_year(st, &y, &e), &e,
		   "calendar.invalid", "at most 64 holidays and 64 workdays a year");
	assert_int_equal(TS_OK(st->ops->calendar_get_year(st, 2026, &got, &e), &e),
			 1);
	assert_int_equal(got.nholidays, 1);
	assert_int_equal(got.holidays[0], yb_date_from_ymd(2026, 10, 2));

	/* A year with no special days is still a loaded year. */
	memset(&y, 0, sizeof y);
	y.year = 2030;
	TS_OK(st->ops->calendar_put_year(st, &y, &e), &e);
	assert_int_equal(TS_OK(st->ops->calendar_get_year(st, 2030, &got, &e), &e),
			 1);
	assert_int_equal(got.nholidays + got.nworkdays, 0);
}

/* ---- audit (X3) ------------------------------------------------------------- */

static yb_audit_record audit_rec(yb_id seq, const char *action)
{
	yb_audit_record r;

	memset(&r, 0, sizeof r);
	r.seq = seq;
	r.at = 1700000000 + seq;
	snprintf(r.actor, sizeof r.actor, "key:%d", (int)seq);
	r.role = YB_ROLE_AGENCY_WINDOW;
	r.channel = YB_CHAN_AGENCY_WINDOW;
	snprintf(r.action, sizeof r.action, "%s", action);
	snprintf(r.target, sizeof r.target, "person:%d", (int)seq);
	snprintf(r.result, sizeof r.result, "ok");
	memset(r.prev_hash, 'a', YB_HASH_HEX_SZ - 1);
	memset(r.hash, 'b' + (int)(seq % 20), YB_HASH_HEX_SZ - 1);
	return r;
}

struct scan_state {
	yb_id seen[32];
	int n;
	int stop_at;
};

static int scan_visit(void *arg, const yb_audit_record *rec, yb_err *err)
{
	struct scan_state *s = arg;

	s->seen[s->n++] = rec->seq;
	if (s->n == s->stop_at)
		return yb_errf(err, "internal", "stop");
	return 0;
}

static void test_audit(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_audit_record r, head, *list = NULL;
	struct scan_state scan;
	yb_id newest = 0;
	int n = 0;
	yb_err e;

	if (!ts_sqlite()) {
		/* pgha: PostgreSQL claims a chain and a fresh number even for
		 * the first record: chain from 64 zeros, take seq + 1 */
		assert_int_equal(TS_OK(st->ops->audit_head(st, &head, &e), &e), 1);
		assert_true(head.chain >= 1);
		assert_int_equal(strspn(head.hash, "0"), YB_HASH_HEX_SZ - 1);
		assert_int_equal(head.seq, 0);
	} else {
		assert_int_equal(TS_OK(st->ops->audit_head(st, &head, &e), &e), 0);
	}
	for (yb_id seq = 1; seq <= 12; seq++) {
		r = audit_rec(seq, "person.register");
		TS_OK(st->ops->audit_insert(st, &r, &e), &e);
	}
	assert_int_equal(TS_OK(st->ops->audit_head(st, &head, &e), &e), 1);
	r = audit_rec(12, "person.register");
	if (ts_sqlite()) {
		assert_memory_equal(&head, &r, sizeof r);
	} else {
		/* the chain's newest record's hash; a number not yet used
		 * (the records above gave theirs: the sequence is behind) */
		assert_string_equal(head.hash, r.hash);
		assert_true(head.seq >= 1);
	}
	/* A seq already used is refused: the chain has one record per seq. */
	TS_REFUSED(st->ops->audit_insert(st, &r, &e), &e, "store.error",
		   "an audit record with this seq exists");
	/* seq 0: the next one. */
	r = audit_rec(0, "card.issue");
	TS_OK(st->ops->audit_insert(st, &r, &e), &e);
	assert_int_equal(TS_OK(st->ops->audit_head(st, &head, &e), &e), 1);
	if (ts_sqlite()) {
		assert_int_equal(head.seq, 13);
		assert_string_equal(head.action, "card.issue");
		newest = 13;
	}

	/* Newest first, in pages. */
	TS_OK(st->ops->audit_list(st, 0, 5, &list, &n, &e), &e);
	assert_int_equal(n, 5);
	if (!ts_sqlite()) {
		/* pgha: the next number of the chains' sequence */
		assert_string_equal(list[0].action, "card.issue");
		assert_true(list[0].seq > 12);
		newest = list[0].seq;
	}
	assert_int_equal(list[0].seq, newest);
	assert_int_equal(list[4].seq, 9);
	free(list);
	TS_OK(st->ops->audit_list(st, 9, 100, &list, &n, &e), &e);
	assert_int_equal(n, 8);
	assert_int_equal(list[0].seq, 8);
	assert_int_equal(list[7].seq, 1);
	assert_int_equal(list[7].role, YB_ROLE_AGENCY_WINDOW);
	assert_int_equal(list[7].channel, YB_CHAN_AGENCY_WINDOW);
	free(list);

	/* Oldest first, all of them; and stopped by the visitor. */
	memset(&scan, 0, sizeof scan);
	TS_OK(st->ops->audit_scan(st, scan_visit, &scan, &e), &e);
	assert_int_equal(scan.n, 13);
	for (int i = 0; i < scan.n - 1; i++)
		assert_int_equal(scan.seen[i], i + 1);
	assert_int_equal(scan.seen[12], newest);
	memset(&scan, 0, sizeof scan);
	scan.stop_at = 4;
	TS_FAILS(st->ops->audit_scan(st, scan_visit, &scan, &e), &e, "internal");
	assert_int_equal(scan.n, 4);
}

/* ---- credentials (X2) ------------------------------------------------------- */

/* An institution key of H001 whose hash is `fill` repeated, stored. */
static yb_api_key inst_key(yb_store *st, char fill)
{
	yb_api_key k;
	yb_err e;

	memset(&k, 0, sizeof k);
	memset(k.key_hash, fill, YB_HASH_HEX_SZ - 1);
	k.role = YB_ROLE_INSTITUTION;
	snprintf(k.institution_code, sizeof k.institution_code, "H001");
	snprintf(k.label, sizeof k.label, "HIS of H001");
	k.created_at = 1700000000;
	TS_OK(st->ops->apikey_insert(st, &k, &e), &e);
	return k;
}

static void test_api_keys(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_api_key k = inst_key(st, 'f');
	yb_token_owner got;
	yb_err e;

	assert_true(k.id > 0);
	assert_int_equal(TS_OK(st->ops->token_by_hash(st, k.key_hash, &got, &e),
			       &e), 1);
	assert_true(got.has_key && !got.has_session);
	assert_memory_equal(&got.key, &k, sizeof k);
	assert_int_equal(TS_OK(st->ops->token_by_hash(st, "00", &got, &e), &e), 0);
	TS_OK(st->ops->apikey_revoke(st, k.id, 1700000100, &e), &e);
	TS_OK(st->ops->apikey_revoke(st, k.id, 1700000200, &e), &e);
	assert_int_equal(TS_OK(st->ops->token_by_hash(st, k.key_hash, &got, &e),
			       &e), 1);
	assert_int_equal(got.key.revoked_at, 1700000100);
	TS_REFUSED(st->ops->apikey_revoke(st, k.id + 1, 1, &e), &e,
		   "apikey.not_found",
		   ts_fmt("no API key with id %lld", (long long)(k.id + 1)));
}

/* A session of `pid` under `token_hash`, from `created` to `expires`. */
static yb_session session_of(const char *token_hash, yb_id pid,
			     int64_t created, int64_t expires)
{
	yb_session s;

	memset(&s, 0, sizeof s);
	snprintf(s.token_hash, sizeof s.token_hash, "%s", token_hash);
	s.person_id = pid;
	s.created_at = created;
	s.expires_at = expires;
	return s;
}

static void test_sessions(void **state)
{
	yb_store *st = TS_STORE(state);
	yb_id pid = ts_person(st, "1400001", "Portal");
	yb_session s1, s2;
	yb_token_owner got;
	yb_err e;

	s1 = session_of("aaaa", pid, 1000, 2000);
	s2 = session_of("bbbb", pid, 1000, 3000);
	TS_OK(st->ops->session_insert(st, &s1, &e), &e);
	TS_OK(st->ops->session_insert(st, &s2, &e), &e);
	assert_int_equal(TS_OK(st->ops->token_by_hash(st, "aaaa", &got, &e), &e), 1);
	assert_true(got.has_session && !got.has_key);
	assert_memory_equal(&got.session, &s1, sizeof s1);
	/* Purge at 2000 removes what expired by then, keeps the rest. */
	TS_OK(st->ops->sessions_purge(st, 2000, &e), &e);
	assert_int_equal(TS_OK(st->ops->token_by_hash(st, "aaaa", &got, &e), &e), 0);
	assert_int_equal(TS_OK(st->ops->token_by_hash(st, "bbbb", &got, &e), &e), 1);
	TS_OK(st->ops->session_delete(st, "bbbb", &e), &e);
	TS_OK(st->ops->session_delete(st, "bbbb", &e), &e);
	assert_int_equal(TS_OK(st->ops->token_by_hash(st, "bbbb", &got, &e), &e), 0);
}

/* Look-ups inside transactions, as the group-commit writer makes them
 * (SQLite remembers the owners found: store/sqlite/credential.c, "The
 * token cache"): a key revoked or a session ended shows at once, whether
 * another connection did it or this one, and an undone end is undone. */
static void test_tokens_in_transactions(void **state)
{
	ts_fixture *f = *state;
	yb_store *st = f->st, *other = NULL;
	yb_id pid = ts_person(st, "1400002", "Cache");
	yb_api_key k = inst_key(st, 'e');
	yb_session s;
	yb_token_owner got;
	yb_err e;

	s = session_of("cccc", pid, 1000, 5000);
	TS_OK(st->ops->session_insert(st, &s, &e), &e);
	TS_OK(yb_store_open(f->url, &other, &e), &e);

	for (int i = 0; i < 2; i++) {    /* found, then found again */
		TS_OK(st->ops->begin(st, true, &e), &e);
		assert_int_equal(TS_OK(st->ops->token_by_hash(st, k.key_hash,
				       &got, &e), &e), 1);
		assert_int_equal(got.key.revoked_at, 0);
		TS_OK(st->ops->commit(st, &e), &e);
	}
	TS_OK(other->ops->apikey_revoke(other, k.id, 1700000100, &e), &e);
	TS_OK(st->ops->begin(st, true, &e), &e);
	assert_int_equal(TS_OK(st->ops->token_by_hash(st, k.key_hash, &got,
						      &e), &e), 1);
	assert_int_equal(got.key.revoked_at, 1700000100);
	/* this connection's own end of a session, in its transaction */
	assert_int_equal(TS_OK(st->ops->token_by_hash(st, "cccc", &got, &e),
			       &e), 1);
	TS_OK(st->ops->session_delete(st, "cccc", &e), &e);
	assert_int_equal(TS_OK(st->ops->token_by_hash(st, "cccc", &got, &e),
			       &e), 0);
	st->ops->rollback(st);           /* ... undone: it lives again */
	TS_OK(st->ops->begin(st, true, &e), &e);
	assert_int_equal(TS_OK(st->ops->token_by_hash(st, "cccc", &got, &e),
			       &e), 1);
	assert_int_equal(got.session.expires_at, 5000);
	TS_OK(st->ops->commit(st, &e), &e);
	/* another connection ends it */
	TS_OK(other->ops->session_delete(other, "cccc", &e), &e);
	TS_OK(st->ops->begin(st, false, &e), &e);
	assert_int_equal(TS_OK(st->ops->token_by_hash(st, "cccc", &got, &e),
			       &e), 0);
	TS_OK(st->ops->commit(st, &e), &e);
	yb_store_close(other);
}

/* pg9: look-ups outside a transaction (the HTTP edge's authentication,
 * answered on PostgreSQL from the connection's memo) see every change
 * made through another connection: another store of this process at
 * once (its commit moves the process's generation); a raw connection,
 * as another server or `psql` would make it, once the notification has
 * come (polled here, a few ms at most: docs/POSTGRESQL.md "pg9"). */
static int token_now(yb_store *st, const char *hash, yb_token_owner *got)
{
	yb_err e;

	return TS_OK(st->ops->token_by_hash(st, hash, got, &e), &e);
}

/* Until the look-up answers `want` and `ok` holds; asserts it did
 * within 2 s. */
static void token_until(yb_store *st, const char *hash, int want,
			bool (*ok)(const yb_token_owner *))
{
	yb_token_owner got;

	for (int i = 0; i < 200; i++) {
		if (token_now(st, hash, &got) == want && (!ok || ok(&got)))
			return;
		usleep(10000);
	}
	fail_msg("the change of %s was not seen within 2 s", hash);
}

static bool ssn_changed(const yb_token_owner *t)
{
	return strcmp(t->ssn, "1400099") == 0;
}

static bool expires_7000(const yb_token_owner *t)
{
	return t->session.expires_at == 7000;
}

static bool revoked_5(const yb_token_owner *t)
{
	return t->key.revoked_at == 5;
}

static bool label_x(const yb_token_owner *t)
{
	return strcmp(t->key.label, "x") == 0;
}

static void test_tokens_outside_transactions(void **state)
{
	ts_fixture *f = *state;
	yb_store *st = f->st, *other = NULL;
	yb_id pid = ts_person(st, "1400003", "Memo");
	yb_api_key k = inst_key(st, 'd'), k2 = inst_key(st, 'c'),
		   k3 = inst_key(st, 'b');
	yb_session s = session_of("dddd", pid, 1000, 5000);
	yb_token_owner got;
	yb_err e;

	TS_OK(st->ops->session_insert(st, &s, &e), &e);
	TS_OK(yb_store_open(f->url, &other, &e), &e);
	for (int i = 0; i < 2; i++) {   /* asked, then remembered */
		assert_int_equal(token_now(st, k.key_hash, &got), 1);
		assert_int_equal(got.key.revoked_at, 0);
		assert_int_equal(token_now(st, "dddd", &got), 1);
		assert_int_equal(got.session.expires_at, 5000);
		assert_string_equal(got.ssn, "1400003");
	}
	/* another store of this process: the next look-up sees it */
	TS_OK(other->ops->apikey_revoke(other, k.id, 1700000100, &e), &e);
	assert_int_equal(token_now(st, k.key_hash, &got), 1);
	assert_int_equal(got.key.revoked_at, 1700000100);
	TS_OK(other->ops->session_delete(other, "dddd", &e), &e);
	assert_int_equal(token_now(st, "dddd", &got), 0);
	yb_store_close(other);

	/* a raw connection: a session inserted (a miss is never
	 * remembered), its person's ssn changed, its expiry moved, its
	 * deletion; a key revoked */
	yb_test_raw_exec(f->url, ts_fmt("INSERT INTO sessions (token_hash, "
		"person_id, created_at, expires_at) VALUES ('eeee', %lld, "
		"1000, 6000)", (long long)pid));
	assert_int_equal(token_now(st, "eeee", &got), 1);
	assert_int_equal(token_now(st, "eeee", &got), 1);
	yb_test_raw_exec(f->url, ts_fmt("UPDATE persons SET ssn = '1400099' "
					"WHERE id = %lld", (long long)pid));
	token_until(st, "eeee", 1, ssn_changed);
	yb_test_raw_exec(f->url, "UPDATE sessions SET expires_at = 7000 "
				 "WHERE token_hash = 'eeee'");
	token_until(st, "eeee", 1, expires_7000);
	yb_test_raw_exec(f->url, "DELETE FROM sessions "
				 "WHERE token_hash = 'eeee'");
	token_until(st, "eeee", 0, NULL);
	assert_int_equal(token_now(st, k2.key_hash, &got), 1);
	yb_test_raw_exec(f->url, ts_fmt("UPDATE api_keys SET revoked_at = 5 "
					"WHERE id = %lld", (long long)k2.id));
	token_until(st, k2.key_hash, 1, revoked_5);

	if (ts_sqlite())
		return;
	/* PostgreSQL: the answer does come from the memo (a change with
	 * the triggers off is not seen), and a re-opened connection
	 * forgets it (notifications may have been lost meanwhile). */
	assert_int_equal(token_now(st, k3.key_hash, &got), 1);
	yb_test_raw_exec(f->url, ts_fmt("SET session_replication_role = "
		"replica; UPDATE api_keys SET label = 'x' WHERE id = %lld",
		(long long)k3.id));
	usleep(100000);
	assert_int_equal(token_now(st, k3.key_hash, &got), 1);
	assert_string_equal(got.key.label, "HIS of H001");
	yb_test_raw_exec(f->url, "SELECT pg_terminate_backend(pid) "
		"FROM pg_stat_activity WHERE datname = current_database() "
		"AND application_name = 'yibao'");
	usleep(200000);
	token_until(st, k3.key_hash, 1, label_x);

	/* The purge of expired sessions tells no one (a remembered expired
	 * session is refused by its expires_at anyway), but only for its
	 * own statement: a session deleted after it in the same
	 * transaction (a batch) is told.  The statements are credential.c's
	 * purge and its reset, as a raw transaction, so that the process's
	 * own generation (which would forget everything) does not move. */
	yb_test_raw_exec(f->url, ts_fmt("INSERT INTO sessions (token_hash, "
		"person_id, created_at, expires_at) VALUES ('ffff', %lld, "
		"1000, 9000), ('gggg', %lld, 1000, 1500)", (long long)pid,
		(long long)pid));
	for (int i = 0; i < 2; i++) {
		assert_int_equal(token_now(st, "ffff", &got), 1);
		assert_int_equal(token_now(st, "gggg", &got), 1);
	}
	yb_test_raw_exec(f->url, "BEGIN; "
		"DELETE FROM sessions WHERE expires_at <= 2000 AND (SELECT "
		"set_config('yb.tokens_quiet', 'on', true)) = 'on'; "
		"SELECT set_config('yb.tokens_quiet', 'off', true); "
		"DELETE FROM sessions WHERE token_hash = 'ffff'; COMMIT");
	token_until(st, "ffff", 0, NULL);
	assert_int_equal(token_now(st, "gggg", &got), 1);  /* not told */
	assert_int_equal(got.session.expires_at, 1500);
}

/* X2: failed-login counters. */
static void test_throttle(void **state)
{
	yb_store *st = TS_STORE(state);
	int failures = -1;
	yb_time start = -1;
	yb_err e;

	assert_int_equal(TS_OK(st->ops->throttle_get(st, "person:1", &failures,
						     &start, &e), &e), 0);
	assert_int_equal(failures, -1);
	TS_OK(st->ops->throttle_put(st, "person:1", 1, 5000, &e), &e);
	TS_OK(st->ops->throttle_put(st, "person:1", 2, 5000, &e), &e);
	TS_OK(st->ops->throttle_put(st, "addr:10.0.0.1", 7, 6000, &e), &e);
	assert_int_equal(TS_OK(st->ops->throttle_get(st, "person:1", &failures,
						     &start, &e), &e), 1);
	assert_int_equal(failures, 2);
	assert_int_equal(start, 5000);
	TS_OK(st->ops->throttle_clear(st, "person:1", &e), &e);
	assert_int_equal(TS_OK(st->ops->throttle_get(st, "person:1", &failures,
						     &start, &e), &e), 0);
	assert_int_equal(TS_OK(st->ops->throttle_get(st, "addr:10.0.0.1", &failures,
						     &start, &e), &e), 1);
	assert_int_equal(failures, 7);
	TS_OK(st->ops->throttle_clear(st, "nobody", &e), &e);
}

int ts_run_cards(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_card_application, ts_setup,
						ts_teardown),
		cmocka_unit_test_setup_teardown(test_cards, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_calendar, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_audit, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_api_keys, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_sessions, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_tokens_in_transactions,
						ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_tokens_outside_transactions,
						ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_throttle, ts_setup, ts_teardown),
	};

	return cmocka_run_group_tests_name("store cards, calendar, audit, "
					   "credentials", tests, NULL, NULL);
}
