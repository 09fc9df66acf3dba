/*
 * test_person.c — the register of insured persons (SPEC P1–P4, U2–U4,
 * X1, X4) through the service layer, on a real store.
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "service/card.h"
#include "service/ledger.h"
#include "service/settle.h"

/* A registration request with a valid ID number, to spoil one field of. */
typedef struct req {
	char ssn[YB_SSN_SZ];
	char idn[YB_IDNUM_SZ];
	yb_person_new in;
} req;

static void req_init(req *r)
{
	snprintf(r->ssn, sizeof r->ssn, "%s", "200000001");
	fx_idnum(r->idn, "440305", "19900307", 123);
	memset(&r->in, 0, sizeof r->in);
	r->in.ssn = r->ssn;
	r->in.id_number = r->idn;
	r->in.name = "李四";
	r->in.scheme = "employee_tier1";
}

/* P1, P2, U2, U4: derived fields, default region, the account. */
static void test_register(void **state)
{
	fx *f = *state;
	yb_person p;
	yb_person_view v;
	yb_err e;
	req r;
	int y, m, d;

	req_init(&r);
	assert_ok(yb_person_register(&f->ctx, &r.in, &p, &e), e);
	assert_true(p.id > 0);
	assert_string_equal(p.ssn, "200000001");
	assert_string_equal(p.region, "440300");
	assert_int_equal(p.status, YB_STATUS_ACTIVE);
	assert_int_equal(p.scheme, YB_SCHEME_EMPLOYEE_TIER1);
	/* sequence 123 is odd: male; birth date from the number */
	assert_int_equal(p.sex, YB_SEX_MALE);
	yb_date_to_ymd(p.birth_date, &y, &m, &d);
	assert_int_equal(y, 1990);
	assert_int_equal(m, 3);
	assert_int_equal(d, 7);

	assert_ok(yb_person_get(&f->ctx, "200000001", &v, &e), e);
	assert_string_equal(v.person.name, "李四");
	assert_true(v.has_account);
	assert_int_equal(v.account.balance_fen, 0);
	assert_false(v.has_card);
	/* by ID number too */
	assert_ok(yb_person_get(&f->ctx, r.idn, &v, &e), e);
	assert_string_equal(v.person.ssn, "200000001");
	assert_int_equal(fx_audit_count(f), 1);
}

/* P2: only tier 1 carries an account — unless the setting says more. */
static void test_scheme_account(void **state)
{
	fx *f = *state;
	yb_person_view v;
	yb_person p;
	yb_err e;

	p = fx_person(f, 1, "employee_tier2");
	assert_ok(yb_person_get(&f->ctx, p.ssn, &v, &e), e);
	assert_false(v.has_account);
	p = fx_person(f, 2, "resident");
	assert_ok(yb_person_get(&f->ctx, p.ssn, &v, &e), e);
	assert_false(v.has_account);

	f->settings.scheme_has_account[YB_SCHEME_RESIDENT] = true;
	p = fx_person(f, 3, "resident");
	assert_ok(yb_person_get(&f->ctx, p.ssn, &v, &e), e);
	assert_true(v.has_account);
}

/* U2: a lower-case x is accepted and stored as X; even sequence: female. */
static void test_idnum_lower_x(void **state)
{
	fx *f = *state;
	yb_person p;
	yb_err e;
	req r;
	int seq;

	req_init(&r);
	/* find a sequence whose check character is X */
	for (seq = 0; seq < 1000; seq += 2) {
		fx_idnum(r.idn, "440305", "19900307", seq);
		if (r.idn[17] == 'X')
			break;
	}
	assert_true(seq < 1000);
	r.idn[17] = 'x';
	assert_ok(yb_person_register(&f->ctx, &r.in, &p, &e), e);
	assert_int_equal(p.id_number[17], 'X');
	assert_int_equal(p.sex, YB_SEX_FEMALE);
}

/* U2, X4: every kind of bad ID number is refused and nothing is written. */
static void test_bad_idnum(void **state)
{
	fx *f = *state;
	yb_person_view v;
	yb_err e;
	req r;

	req_init(&r);
	/* wrong check digit */
	r.idn[17] = r.idn[17] == '0' ? '1' : '0';
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_id_number");
	/* February 30 */
	fx_idnum(r.idn, "440305", "19900230", 123);
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_id_number");
	/* born tomorrow (the clock says 2026-03-02) */
	fx_idnum(r.idn, "440305", "20260303", 123);
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_id_number");
	/* too short, letters */
	snprintf(r.idn, sizeof r.idn, "44030519900307123");
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_id_number");
	snprintf(r.idn, sizeof r.idn, "4403051990030A1234");
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_id_number");
	r.in.id_number = NULL;
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_id_number");

	assert_err(yb_person_get(&f->ctx, "200000001", &v, &e), e,
		   "person.not_found");
	assert_int_equal(fx_audit_count(f), 0);
}

/* U3, U4, P2, X4: the other fields. */
static void test_bad_fields(void **state)
{
	fx *f = *state;
	char longname[200];
	yb_err e;
	req r;

	req_init(&r);
	r.in.ssn = "123456";            /* 6 digits */
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_ssn");
	r.in.ssn = "1234567890123";     /* 13 digits */
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_ssn");
	r.in.ssn = "12345678a";
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_ssn");
	r.in.ssn = NULL;
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_ssn");
	r.in.ssn = "1234567";           /* 7 digits: 1990s numbers are fine */

	r.in.name = "";
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_name");
	r.in.name = "bad\xff utf8";
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_name");
	r.in.name = "tab\there";
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_name");
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	r.in.name = longname;
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_name");
	r.in.name = "王五";

	r.in.scheme = "employee_tier3";
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_scheme");
	r.in.scheme = NULL;
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_scheme");
	r.in.scheme = "resident";

	r.in.region = "44030";
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_region");
	r.in.region = "040300";
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.invalid_region");
	r.in.region = "440100";

	r.in.employer_code = "NOPE";
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "employer.not_found");
	assert_int_equal(fx_audit_count(f), 0);

	fx_employer(f, "E1");
	r.in.employer_code = "E1";
	{
		yb_person p;
		assert_ok(yb_person_register(&f->ctx, &r.in, &p, &e), e);
		assert_string_equal(p.employer_code, "E1");
		assert_string_equal(p.region, "440100");
		assert_string_equal(p.ssn, "1234567");
	}
}

/* P1: SSN and ID number are each unique. */
static void test_duplicates(void **state)
{
	fx *f = *state;
	char other_idn[YB_IDNUM_SZ];
	int64_t audits;
	yb_err e;
	req r;

	req_init(&r);
	assert_ok(yb_person_register(&f->ctx, &r.in, NULL, &e), e);
	audits = fx_audit_count(f);
	/* same SSN, another ID number */
	fx_idnum(other_idn, "440305", "19900307", 125);
	r.in.id_number = other_idn;
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.duplicate");
	/* same ID number, another SSN */
	r.in.id_number = r.idn;
	r.in.ssn = "200000002";
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "person.duplicate");
	assert_int_equal(fx_audit_count(f), audits);
}

/* X1: who may register and look up. */
static void test_roles(void **state)
{
	fx *f = *state;
	yb_person_view v;
	yb_err e;
	req r;

	req_init(&r);
	fx_act(f, YB_ROLE_HOSPITAL_OFFICE, YB_CHAN_HOSPITAL_OFFICE, "key:1");
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "auth.forbidden");
	fx_act(f, YB_ROLE_PERSON, YB_CHAN_WEB, "person:1");
	assert_err(yb_person_register(&f->ctx, &r.in, NULL, &e), e,
		   "auth.forbidden");
	assert_err(yb_person_get(&f->ctx, "200000001", &v, &e), e,
		   "auth.forbidden");
	fx_act(f, YB_ROLE_INSTITUTION, YB_CHAN_API, "key:2");
	assert_err(yb_person_terminate(&f->ctx, "200000001", "deceased", NULL,
				       &e), e, "auth.forbidden");
	fx_act(f, YB_ROLE_AGENCY_WINDOW, YB_CHAN_AGENCY_WINDOW, "key:3");
	assert_ok(yb_person_register(&f->ctx, &r.in, NULL, &e), e);
	assert_err(yb_employer_register(&f->ctx, "E9", "Nine", NULL, &e), e,
		   "auth.forbidden");
	/* API.md: persons are the agency's (admin, agency_window); a
	 * hospital office works from the documents presented to it. */
	fx_act(f, YB_ROLE_HOSPITAL_OFFICE, YB_CHAN_HOSPITAL_OFFICE, "key:1");
	assert_err(yb_person_get(&f->ctx, "200000001", &v, &e), e,
		   "auth.forbidden");
	fx_act(f, YB_ROLE_AGENCY_WINDOW, YB_CHAN_AGENCY_WINDOW, "key:3");
	assert_ok(yb_person_get(&f->ctx, "200000001", &v, &e), e);
	assert_int_equal(fx_audit_count(f), 1);
}

/* X3: the audit record names who did it, through which channel. */
static void test_audit_record(void **state)
{
	fx *f = *state;
	yb_audit_record *recs = NULL;
	int n = 0;
	yb_err e;
	req r;

	req_init(&r);
	fx_act(f, YB_ROLE_AGENCY_WINDOW, YB_CHAN_AGENCY_WINDOW, "key:42");
	assert_ok(yb_person_register(&f->ctx, &r.in, NULL, &e), e);
	fx_admin(f);
	assert_ok(yb_audit_list(&f->ctx, 0, 10, &recs, &n, &e), e);
	assert_int_equal(n, 1);
	assert_string_equal(recs[0].actor, "key:42");
	assert_int_equal(recs[0].role, YB_ROLE_AGENCY_WINDOW);
	assert_int_equal(recs[0].channel, YB_CHAN_AGENCY_WINDOW);
	assert_string_equal(recs[0].action, "person.register");
	assert_string_equal(recs[0].target, "person:200000001");
	assert_string_equal(recs[0].result, "ok");
	assert_true(recs[0].at == f->now);
	free(recs);
}

/* Q1: a person reads his own record, and only as himself. */
static void test_self(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_person_view v;
	yb_err e;

	assert_err(yb_person_self(&f->ctx, &v, &e), e, "auth.forbidden");
	fx_act(f, YB_ROLE_PERSON, YB_CHAN_WEB, "person:100000001");
	f->ctx.actor.person_id = p.id;
	assert_ok(yb_person_self(&f->ctx, &v, &e), e);
	assert_string_equal(v.person.ssn, p.ssn);
	assert_true(v.has_account);
	assert_false(v.has_card);
	f->ctx.actor.person_id = p.id + 1000;
	assert_err(yb_person_self(&f->ctx, &v, &e), e, "person.not_found");
}

/* P3: suspended and resumed; a terminated person stays so. */
static void test_suspend_resume(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1"), q;
	yb_err e;

	assert_ok(yb_person_suspend(&f->ctx, p.ssn, &q, &e), e);
	assert_int_equal(q.status, YB_STATUS_SUSPENDED);
	/* again: no change, no record */
	assert_ok(yb_person_suspend(&f->ctx, p.ssn, &q, &e), e);
	assert_int_equal(fx_audit_count(f), 2);
	assert_ok(yb_person_resume(&f->ctx, p.ssn, &q, &e), e);
	assert_int_equal(q.status, YB_STATUS_ACTIVE);
	assert_err(yb_person_suspend(&f->ctx, "999999999", &q, &e), e,
		   "person.not_found");
	assert_ok(yb_person_terminate(&f->ctx, p.ssn, "emigrated", &q, &e), e);
	assert_err(yb_person_resume(&f->ctx, p.ssn, &q, &e), e,
		   "person.already_terminated");
}

/* P4, C6, F8, A1, A3: termination in one transaction. */
static void test_terminate(void **state)
{
	fx *f = *state;
	yb_person a = fx_person(f, 1, "employee_tier1");
	yb_person b = fx_person(f, 2, "employee_tier1");
	yb_person c = fx_person(f, 3, "resident");
	yb_card_apply_req cr = { 0 };
	yb_card card, card_after;
	yb_binding b1, b2, got;
	yb_person q;
	yb_person_view v;
	yb_ledger_report rep;
	bool ok;
	yb_err e;

	fx_credit(f, a.ssn, "2026-01", 12345);
	assert_int_equal(fx_balance(f, a.id), 12345);
	cr.ssn = a.ssn;
	cr.route = "center";
	assert_ok(yb_card_apply(&f->ctx, &cr, NULL, &card, &e), e);

	/* A authorizes C; B authorizes A (A is either party) */
	memset(&b1, 0, sizeof b1);
	b1.authorizer_id = a.id;
	b1.relative_id = c.id;
	b1.relationship = YB_REL_CHILD;
	b1.channel = YB_CHAN_WEB;
	b1.created_at = f->now;
	snprintf(b1.materials_json, sizeof b1.materials_json, "{}");
	b2 = b1;
	b2.authorizer_id = b.id;
	b2.relative_id = a.id;
	b2.relationship = YB_REL_SPOUSE;
	assert_ok(f->st->ops->begin(f->st, true, &e), e);
	assert_ok(f->st->ops->binding_insert(f->st, &b1, &e), e);
	assert_ok(f->st->ops->binding_insert(f->st, &b2, &e), e);
	assert_ok(f->st->ops->commit(f->st, &e), e);

	f->now += 3600;
	assert_err(yb_person_terminate(&f->ctx, a.ssn, "retired", &q, &e), e,
		   "person.invalid_reason");
	assert_err(yb_person_terminate(&f->ctx, a.ssn, "", &q, &e), e,
		   "person.invalid_reason");
	assert_ok(yb_person_terminate(&f->ctx, a.ssn, "deceased", &q, &e), e);
	assert_int_equal(q.status, YB_STATUS_TERMINATED);
	assert_int_equal(q.term_reason, YB_TERM_DECEASED);

	assert_ok(yb_card_get(&f->ctx, card.card_no, &card_after, &e), e);
	assert_int_equal(card_after.state, YB_CARD_CANCELLED);

	assert_ok(f->st->ops->begin(f->st, false, &e), e);
	assert_int_equal(f->st->ops->binding_by_id(f->st, b1.id, &got, &e), 1);
	assert_true(got.ended_at == f->now);
	assert_string_equal(got.end_reason, "terminated");
	assert_int_equal(f->st->ops->binding_by_id(f->st, b2.id, &got, &e), 1);
	assert_true(got.ended_at == f->now);
	f->st->ops->rollback(f->st);

	assert_ok(yb_person_get(&f->ctx, a.ssn, &v, &e), e);
	assert_int_equal(v.person.status, YB_STATUS_TERMINATED);
	assert_true(v.has_account);
	assert_true(v.account.closed);
	assert_int_equal(v.account.balance_fen, 0);
	assert_int_equal(fx_system_balance(f, YB_ACC_CLOSED_LIABILITY), 12345);
	assert_ok(yb_ledger_check(&f->ctx, &rep, &ok, &e), e);
	assert_true(ok);
	assert_int_equal(rep.sum_balances_fen, 0);

	assert_err(yb_person_terminate(&f->ctx, a.ssn, "deceased", &q, &e), e,
		   "person.already_terminated");
	assert_err(yb_person_terminate(&f->ctx, "999999999", "deceased", &q,
				       &e), e, "person.not_found");
	/* no account, no card: still terminates */
	assert_ok(yb_person_terminate(&f->ctx, c.ssn, "transferred_out", &q,
				      &e), e);
	assert_int_equal(q.term_reason, YB_TERM_TRANSFERRED_OUT);
}

/* X2: the portal password (one Argon2id hash: they are slow). */
static void test_password(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	char stored[256], big[200];
	yb_err e;

	assert_err(yb_person_set_password(&f->ctx, p.ssn, "short", &e), e,
		   "auth.weak_password");
	assert_err(yb_person_set_password(&f->ctx, p.ssn, NULL, &e), e,
		   "auth.weak_password");
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_err(yb_person_set_password(&f->ctx, p.ssn, big, &e), e,
		   "request.invalid_field");
	assert_ok(yb_person_set_password(&f->ctx, p.ssn, "correct horse",
					 &e), e);
	assert_ok(f->st->ops->begin(f->st, false, &e), e);
	assert_int_equal(f->st->ops->person_password(f->st, p.id, stored,
						     sizeof stored, &e), 1);
	f->st->ops->rollback(f->st);
	assert_true(strncmp(stored, "$argon2id$", 10) == 0);
	assert_null(strstr(stored, "correct horse"));
}

/* Employers: codes, duplicates. */
static void test_employer(void **state)
{
	fx *f = *state;
	yb_employer em;
	yb_err e;

	assert_ok(yb_employer_register(&f->ctx, "ACME-01", "Acme 有限公司", &em,
				       &e), e);
	assert_err(yb_employer_register(&f->ctx, "ACME-01", "Again", NULL, &e),
		   e, "employer.duplicate");
	assert_err(yb_employer_register(&f->ctx, "bad code", "X", NULL, &e), e,
		   "employer.invalid_code");
	assert_err(yb_employer_register(&f->ctx, "", "X", NULL, &e), e,
		   "employer.invalid_code");
	assert_err(yb_employer_register(&f->ctx, "OK1", "", NULL, &e), e,
		   "request.invalid_field");
	assert_ok(yb_employer_get(&f->ctx, "ACME-01", &em, &e), e);
	assert_string_equal(em.name, "Acme 有限公司");
	assert_err(yb_employer_get(&f->ctx, "NONE", &em, &e), e,
		   "employer.not_found");
}

/* Act as an employer's or an institution's key. */
static void act_key(fx *f, yb_role role, const char *code)
{
	fx_act(f, role, YB_CHAN_API, "key:9");
	snprintf(role == YB_ROLE_EMPLOYER ? f->ctx.actor.employer_code
					  : f->ctx.actor.institution_code,
		 YB_CODE_SZ, "%s", code);
}

/* Q2, Q3 (person_seen.c): whom an employer and an institution may see;
 * everyone else is an unknown person to them. */
static void test_seen(void **state)
{
	fx *f = *state;
	yb_person staff, other, p;
	yb_institution inst;
	yb_settlement s;
	bool repeat;
	yb_err e;
	req r;
	yb_settle_req bill = { "SEEN-1", "id_number", NULL, "outpatient",
			       1000, 1000 };

	fx_employer(f, "E-SEEN");
	req_init(&r);
	r.in.employer_code = "E-SEEN";
	assert_ok(yb_person_register(&f->ctx, &r.in, &staff, &e), e);
	other = fx_person(f, 7, "employee_tier1");
	assert_ok(yb_institution_register(&f->ctx, "H-SEEN", "医院", "hospital",
					  &inst, &e), e);

	/* an employer: its employee, by SSN or ID number; nobody else */
	act_key(f, YB_ROLE_EMPLOYER, "E-SEEN");
	assert_ok(yb_person_seen(&f->ctx, staff.ssn, &p, &e), e);
	assert_int_equal(p.id, staff.id);
	assert_ok(yb_person_seen(&f->ctx, staff.id_number, &p, &e), e);
	assert_int_equal(p.id, staff.id);
	assert_err(yb_person_seen(&f->ctx, other.ssn, &p, &e), e,
		   "person.not_found");
	assert_int_equal(p.id, 0);
	assert_err(yb_person_seen(&f->ctx, other.id_number, &p, &e), e,
		   "person.not_found");
	assert_err(yb_person_seen(&f->ctx, "100999999", &p, &e), e,
		   "person.not_found");
	act_key(f, YB_ROLE_EMPLOYER, "E-ELSE");
	assert_err(yb_person_seen(&f->ctx, staff.ssn, &p, &e), e,
		   "person.not_found");

	/* an institution: by the ID number he shows; by SSN once settled */
	act_key(f, YB_ROLE_INSTITUTION, "H-SEEN");
	assert_ok(yb_person_seen(&f->ctx, other.id_number, &p, &e), e);
	assert_int_equal(p.id, other.id);
	assert_err(yb_person_seen(&f->ctx, other.ssn, &p, &e), e,
		   "person.not_found");
	assert_err(yb_person_seen(&f->ctx, "44030119500101007X", &p, &e), e,
		   "person.not_found");
	bill.cred_value = other.id_number;
	assert_ok(yb_settle(&f->ctx, &bill, false, &s, &repeat, &e), e);
	assert_ok(yb_person_seen(&f->ctx, other.ssn, &p, &e), e);
	assert_int_equal(p.id, other.id);
	act_key(f, YB_ROLE_INSTITUTION, "H-ELSE");
	assert_err(yb_person_seen(&f->ctx, other.ssn, &p, &e), e,
		   "person.not_found");

	/* X1: the other roles do not come here (they have their own reads) */
	fx_act(f, YB_ROLE_TERMINAL, YB_CHAN_TERMINAL, "key:3");
	assert_err(yb_person_seen(&f->ctx, other.id_number, &p, &e), e,
		   "auth.forbidden");
	fx_admin(f);
	assert_err(yb_person_seen(&f->ctx, other.ssn, &p, &e), e,
		   "auth.forbidden");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_register),
		T(test_scheme_account),
		T(test_idnum_lower_x),
		T(test_bad_idnum),
		T(test_bad_fields),
		T(test_duplicates),
		T(test_roles),
		T(test_audit_record),
		T(test_self),
		T(test_suspend_resume),
		T(test_terminate),
		T(test_password),
		T(test_employer),
		T(test_seen),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
