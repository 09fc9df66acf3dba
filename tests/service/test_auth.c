/*
 * test_auth.c — logins, sessions and API keys (SPEC X1, X2), through the
 * service layer.  Argon2id is slow on purpose (more so under the
 * sanitizers): the tests hash as few passwords as they can, and lower
 * the failure limit to 2 so that throttling needs few attempts.
 */
#include "fixture.h"

#include <stdio.h>
#include <string.h>

#include "core/hash.h"
#include "service/auth.h"

#define PASSWORD "correct horse battery"

static yb_person person_with_password(fx *f, int n)
{
	yb_person p = fx_person(f, n, "employee_tier1");
	yb_actor saved = f->ctx.actor;
	yb_err e;

	fx_admin(f);
	assert_ok(yb_person_set_password(&f->ctx, p.ssn, PASSWORD, &e), e);
	f->ctx.actor = saved;
	return p;
}

static int setup(void **state)
{
	fx *f;

	fx_setup(state);
	f = *state;
	f->settings.login_max_failures = 2;
	f->settings.login_lockout_seconds = 900;
	f->settings.session_lifetime_seconds = 1800;
	/* a login is anonymous until it succeeds */
	fx_act(f, YB_ROLE_PERSON, YB_CHAN_WEB, "anonymous");
	return 0;
}

/* X2: login by SSN or ID number; the session is a person actor until it
 * expires or he logs out; only the token's hash is stored. */
static void test_login_session(void **state)
{
	fx *f = *state;
	yb_person p = person_with_password(f, 1);
	char tok[YB_TOKEN_SZ], tok2[YB_TOKEN_SZ], th[YB_HASH_HEX_SZ];
	char want[YB_ACTOR_SZ];
	yb_token_owner owner;
	yb_actor a;
	yb_time exp;
	int64_t audits = fx_audit_count(f);
	yb_err e;

	assert_ok(yb_login(&f->ctx, p.ssn, PASSWORD, "10.0.0.1", tok, &exp, &e),
		  e);
	assert_true(strlen(tok) >= 40);
	assert_true(exp == f->now + 1800);
	assert_int_equal(fx_audit_count(f), audits + 1);
	assert_string_equal(f->ctx.actor.id, "anonymous");

	assert_ok(yb_authenticate(&f->ctx, tok, &a, &e), e);
	assert_int_equal(a.role, YB_ROLE_PERSON);
	assert_int_equal(a.channel, YB_CHAN_WEB);
	assert_true(a.person_id == p.id);
	snprintf(want, sizeof want, "person:%s", p.ssn);
	assert_string_equal(a.id, want);

	/* stored as SHA-256 only */
	assert_ok(f->st->ops->begin(f->st, false, &e), e);
	assert_int_equal(f->st->ops->token_by_hash(f->st, tok, &owner, &e), 0);
	yb_sha256_hex_str(tok, th);
	assert_int_equal(f->st->ops->token_by_hash(f->st, th, &owner, &e), 1);
	assert_true(owner.has_session);
	f->st->ops->rollback(f->st);

	/* by ID number, a second session */
	assert_ok(yb_login(&f->ctx, p.id_number, PASSWORD, "10.0.0.1", tok2,
			   &exp, &e), e);
	assert_string_not_equal(tok, tok2);

	/* logout ends that one only */
	f->ctx.actor = a;
	assert_ok(yb_logout(&f->ctx, tok2, &e), e);
	assert_err(yb_authenticate(&f->ctx, tok2, &a, &e), e,
		   "auth.invalid_token");
	assert_ok(yb_authenticate(&f->ctx, tok, &a, &e), e);

	/* expiry, by moving the clock */
	f->now += 1799;
	assert_ok(yb_authenticate(&f->ctx, tok, &a, &e), e);
	f->now += 1;
	assert_err(yb_authenticate(&f->ctx, tok, &a, &e), e,
		   "auth.invalid_token");
	assert_err(yb_authenticate(&f->ctx, "", &a, &e), e,
		   "auth.invalid_token");
	assert_err(yb_authenticate(&f->ctx, NULL, &a, &e), e,
		   "auth.invalid_token");

	/* expired sessions are forgotten, hourly, by a later login: an
	 * hour on, the next login's transaction deletes tok's row */
	f->now += 3600;
	assert_ok(yb_login(&f->ctx, p.ssn, PASSWORD, "10.0.0.1", tok2, &exp,
			   &e), e);
	assert_ok(f->st->ops->begin(f->st, false, &e), e);
	assert_int_equal(f->st->ops->token_by_hash(f->st, th, &owner, &e), 0);
	yb_sha256_hex_str(tok2, th);
	assert_int_equal(f->st->ops->token_by_hash(f->st, th, &owner, &e), 1);
	f->st->ops->rollback(f->st);
	assert_ok(yb_authenticate(&f->ctx, tok2, &a, &e), e);
}

/* X2: unknown logins and wrong passwords look the same, and change
 * nothing but the failure counters. */
static void test_login_refused(void **state)
{
	fx *f = *state;
	yb_person nopw = fx_person(f, 2, "resident");
	char tok[YB_TOKEN_SZ];
	int64_t audits = fx_audit_count(f);
	yb_err e;

	assert_err(yb_login(&f->ctx, "999999999", PASSWORD, "10.0.0.1", tok,
			    NULL, &e), e, "auth.invalid_credentials");
	assert_err(yb_login(&f->ctx, nopw.ssn, PASSWORD, "10.0.0.2", tok, NULL,
			    &e), e, "auth.invalid_credentials");
	assert_err(yb_login(&f->ctx, "not a login", PASSWORD, "10.0.0.3", tok,
			    NULL, &e), e, "auth.invalid_credentials");
	assert_err(yb_login(&f->ctx, NULL, NULL, "10.0.0.3", tok, NULL, &e), e,
		   "auth.invalid_credentials");
	assert_string_equal(tok, "");
	assert_int_equal(fx_audit_count(f), audits);
}

/* X2: throttled per account — even the right password is refused while
 * locked; the lockout ends with its window; success clears the count. */
static void test_throttle_account(void **state)
{
	fx *f = *state;
	yb_person p = person_with_password(f, 1);
	char tok[YB_TOKEN_SZ];
	yb_err e;

	assert_err(yb_login(&f->ctx, p.ssn, "wrong-one", "10.0.0.1", tok, NULL,
			    &e), e, "auth.invalid_credentials");
	assert_err(yb_login(&f->ctx, p.id_number, "wrong-two", "10.0.0.2", tok,
			    NULL, &e), e, "auth.invalid_credentials");
	/* a third address, the right password: still locked */
	assert_err(yb_login(&f->ctx, p.ssn, PASSWORD, "10.0.0.3", tok, NULL,
			    &e), e, "auth.throttled");
	f->now += 899;
	assert_err(yb_login(&f->ctx, p.ssn, PASSWORD, "10.0.0.3", tok, NULL,
			    &e), e, "auth.throttled");
	f->now += 1;
	assert_ok(yb_login(&f->ctx, p.ssn, PASSWORD, "10.0.0.3", tok, NULL, &e),
		  e);
	/* cleared: one failure does not lock */
	assert_err(yb_login(&f->ctx, p.ssn, "wrong-three", "10.0.0.4", tok,
			    NULL, &e), e, "auth.invalid_credentials");
	assert_ok(yb_login(&f->ctx, p.ssn, PASSWORD, "10.0.0.5", tok, NULL, &e),
		  e);
}

/* X2: throttled per address — guessing many logins from one address
 * locks that address, not the accounts. */
static void test_throttle_addr(void **state)
{
	fx *f = *state;
	yb_person p = person_with_password(f, 1);
	char tok[YB_TOKEN_SZ];
	yb_err e;

	assert_err(yb_login(&f->ctx, "111111111", "guess", "192.0.2.7", tok,
			    NULL, &e), e, "auth.invalid_credentials");
	assert_err(yb_login(&f->ctx, "222222222", "guess", "192.0.2.7", tok,
			    NULL, &e), e, "auth.invalid_credentials");
	assert_err(yb_login(&f->ctx, p.ssn, PASSWORD, "192.0.2.7", tok, NULL,
			    &e), e, "auth.throttled");
	assert_ok(yb_login(&f->ctx, p.ssn, PASSWORD, "192.0.2.8", tok, NULL,
			   &e), e);
}

/* X1, X2: API keys carry a role and its natural channel; only the hash
 * is stored; revoked keys are refused. */
static void test_apikeys(void **state)
{
	static const struct {
		const char *role;
		yb_role r;
		yb_channel ch;
	} cases[] = {
		{ "admin", YB_ROLE_ADMIN, YB_CHAN_API },
		{ "agency_window", YB_ROLE_AGENCY_WINDOW, YB_CHAN_AGENCY_WINDOW },
		{ "hospital_office", YB_ROLE_HOSPITAL_OFFICE,
		  YB_CHAN_HOSPITAL_OFFICE },
		{ "terminal", YB_ROLE_TERMINAL, YB_CHAN_TERMINAL },
	};
	fx *f = *state;
	char key[YB_TOKEN_SZ], th[YB_HASH_HEX_SZ], want[YB_ACTOR_SZ];
	yb_api_key k;
	yb_token_owner owner;
	yb_institution inst;
	yb_actor a;
	yb_err e;

	fx_admin(f);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_ok(yb_apikey_create(&f->ctx, cases[i].role, NULL, NULL,
					   "desk 1", key, &k, &e), e);
		assert_ok(yb_authenticate(&f->ctx, key, &a, &e), e);
		assert_int_equal(a.role, cases[i].r);
		assert_int_equal(a.channel, cases[i].ch);
		snprintf(want, sizeof want, "key:%lld", (long long)k.id);
		assert_string_equal(a.id, want);
	}
	/* hashed at rest */
	assert_ok(f->st->ops->begin(f->st, false, &e), e);
	assert_int_equal(f->st->ops->token_by_hash(f->st, key, &owner, &e), 0);
	yb_sha256_hex_str(key, th);
	assert_int_equal(f->st->ops->token_by_hash(f->st, th, &owner, &e), 1);
	assert_true(owner.has_key);
	f->st->ops->rollback(f->st);

	/* an employer key needs a registered employer */
	assert_err(yb_apikey_create(&f->ctx, "employer", NULL, NULL, "", key,
				    &k, &e), e, "request.missing_field");
	assert_err(yb_apikey_create(&f->ctx, "employer", NULL, "E1", "", key,
				    &k, &e), e, "employer.not_found");
	assert_string_equal(key, "");
	fx_employer(f, "E1");
	assert_ok(yb_apikey_create(&f->ctx, "employer", NULL, "E1", "payroll",
				   key, &k, &e), e);
	assert_ok(yb_authenticate(&f->ctx, key, &a, &e), e);
	assert_int_equal(a.role, YB_ROLE_EMPLOYER);
	assert_int_equal(a.channel, YB_CHAN_API);
	assert_string_equal(a.employer_code, "E1");

	/* an institution key, a registered institution */
	assert_err(yb_apikey_create(&f->ctx, "institution", NULL, NULL, "",
				    key, &k, &e), e, "request.missing_field");
	assert_err(yb_apikey_create(&f->ctx, "institution", "H001", NULL, "",
				    key, &k, &e), e, "institution.not_found");
	memset(&inst, 0, sizeof inst);
	snprintf(inst.code, sizeof inst.code, "H001");
	snprintf(inst.name, sizeof inst.name, "Test Hospital");
	inst.type = YB_INST_HOSPITAL;
	inst.created_at = f->now;
	assert_ok(f->st->ops->begin(f->st, true, &e), e);
	assert_ok(f->st->ops->institution_insert(f->st, &inst, &e), e);
	assert_ok(f->st->ops->commit(f->st, &e), e);
	assert_ok(yb_apikey_create(&f->ctx, "institution", "H001", NULL, "HIS",
				   key, &k, &e), e);
	assert_ok(yb_authenticate(&f->ctx, key, &a, &e), e);
	assert_int_equal(a.role, YB_ROLE_INSTITUTION);
	assert_int_equal(a.channel, YB_CHAN_API);
	assert_string_equal(a.institution_code, "H001");

	/* revoked */
	assert_ok(f->st->ops->begin(f->st, true, &e), e);
	assert_ok(f->st->ops->apikey_revoke(f->st, k.id, f->now, &e), e);
	assert_ok(f->st->ops->commit(f->st, &e), e);
	assert_err(yb_authenticate(&f->ctx, key, &a, &e), e,
		   "auth.invalid_token");
	assert_err(yb_authenticate(&f->ctx, "no-such-key", &a, &e), e,
		   "auth.invalid_token");

	/* persons use passwords; roles are the seven */
	assert_err(yb_apikey_create(&f->ctx, "person", NULL, NULL, "", key, &k,
				    &e), e, "request.invalid_field");
	assert_err(yb_apikey_create(&f->ctx, "root", NULL, NULL, "", key, &k,
				    &e), e, "request.invalid_field");
	/* only the admin makes keys */
	fx_act(f, YB_ROLE_AGENCY_WINDOW, YB_CHAN_AGENCY_WINDOW, "key:1");
	assert_err(yb_apikey_create(&f->ctx, "terminal", NULL, NULL, "", key,
				    &k, &e), e, "auth.forbidden");
}

/* X1: the action table fails closed. */
static void test_authorize_table(void **state)
{
	fx *f = *state;
	yb_err e;

	assert_err(yb_authorize(&f->ctx, "no.such_action", &e), e,
		   "auth.forbidden");
	fx_admin(f);
	assert_err(yb_authorize(&f->ctx, "no.such_action", &e), e,
		   "auth.forbidden");
	assert_err(yb_authorize(&f->ctx, "settlement.create", &e), e,
		   "auth.forbidden");
	assert_ok(yb_authorize(&f->ctx, "audit.verify", &e), e);
	fx_act(f, YB_ROLE_INSTITUTION, YB_CHAN_API, "key:1");
	assert_ok(yb_authorize(&f->ctx, "settlement.create", &e), e);
	assert_ok(yb_authorize(&f->ctx, "calendar.get", &e), e);
	assert_err(yb_authorize(&f->ctx, "binding.create", &e), e,
		   "auth.forbidden");
	fx_act(f, YB_ROLE_TERMINAL, YB_CHAN_TERMINAL, "key:2");
	assert_ok(yb_authorize(&f->ctx, "binding.create", &e), e);
	assert_err(yb_authorize(&f->ctx, "inquiry.self", &e), e,
		   "auth.forbidden");
	fx_act(f, YB_ROLE_EMPLOYER, YB_CHAN_API, "key:3");
	assert_ok(yb_authorize(&f->ctx, "inquiry.employer", &e), e);
	assert_err(yb_authorize(&f->ctx, "person.get", &e), e,
		   "auth.forbidden");
	f->ctx.actor.role = (yb_role)99;
	assert_err(yb_authorize(&f->ctx, "calendar.get", &e), e,
		   "auth.forbidden");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fx_teardown)
		T(test_login_session),
		T(test_login_refused),
		T(test_throttle_account),
		T(test_throttle_addr),
		T(test_apikeys),
		T(test_authorize_table),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
