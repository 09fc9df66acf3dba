/*
 * test_binding.c — family mutual aid bindings (SPEC F1–F6, F8): who may
 * bind whom, on which channel with which materials, row by row; ending a
 * binding; the lists both ways.
 */
#include "sfx.h"

#include <stdio.h>
#include <stdlib.h>

/* A person's bindings both ways; returns the counts. */
static void counts(fx *f, const yb_person *p, int *authorized,
		   int *authorized_by)
{
	yb_actor saved = f->ctx.actor;
	yb_binding *a = NULL, *b = NULL;
	yb_err e;

	fx_admin(f);
	assert_ok(yb_bindings_of(&f->ctx, p->id, &a, authorized, &b,
				 authorized_by, &e), e);
	free(a);
	free(b);
	f->ctx.actor = saved;
}

/* Bind one row as the current actor; returns the row's result. */
static yb_bind_result bind1(fx *f, yb_bind_req *req, const char *ssn,
			    const char *idn, const char *rel)
{
	yb_bind_row row = { ssn, idn, rel };
	yb_bind_result res;
	yb_err e;

	req->nrows = 1;
	req->rows = &row;
	assert_ok(yb_bind(&f->ctx, req, &res, &e), e);
	return res;
}

static void assert_row_err(const yb_bind_result *r, const char *code)
{
	assert_false(r->ok);
	if (!r->error.code || strcmp(r->error.code, code) != 0)
		fail_msg("want %s, got %s: %s", code,
			 r->error.code ? r->error.code : "(none)",
			 r->error.message);
}

/* F1, F5: on the web the logged-in authorizer binds for himself; the
 * binding records the channel, no operator, no materials. */
static void test_web_bind(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 1000), r = sfx_other(f, 2, "resident");
	yb_bind_req req = { 0 };
	yb_bind_result res;
	int n1, n2;

	sfx_as_person(f, &a);
	res = bind1(f, &req, r.ssn, r.id_number, "spouse");
	assert_true(res.ok);
	assert_true(res.binding.id > 0);
	assert_int_equal(res.binding.authorizer_id, a.id);
	assert_int_equal(res.binding.relative_id, r.id);
	assert_int_equal(res.binding.relationship, YB_REL_SPOUSE);
	assert_int_equal(res.binding.channel, YB_CHAN_WEB);
	assert_string_equal(res.binding.operator_id, "");
	assert_int_equal(res.binding.ended_at, 0);
	counts(f, &a, &n1, &n2);
	assert_int_equal(n1, 1);
	assert_int_equal(n2, 0);
	counts(f, &r, &n1, &n2);
	assert_int_equal(n1, 0);
	assert_int_equal(n2, 1);
	/* F1: a person may be authorized by several relatives */
	yb_person a2 = sfx_insured(f, 3, 0);
	sfx_bind(f, &a2, &r, "child");
	counts(f, &r, &n1, &n2);
	assert_int_equal(n2, 2);
	/* WeChat is the person's channel too */
	yb_person r2 = sfx_other(f, 4, "employee_tier2");
	req.channel = "wechat";
	sfx_as_person(f, &a);
	res = bind1(f, &req, r2.ssn, r2.id_number, "parent");
	assert_true(res.ok);
	assert_int_equal(res.binding.channel, YB_CHAN_WECHAT);
}

/* F2: one error, one message, whichever of SSN and ID is registered. */
static void test_identity_mismatch(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 0), r = sfx_other(f, 2, "resident");
	yb_person s = sfx_other(f, 3, "resident");
	char unreg_id[YB_IDNUM_SZ];
	yb_bind_req req = { 0 };
	yb_bind_result r1, r2, r3, r4;

	fx_idnum(unreg_id, "440301", "19700101", 777);
	sfx_as_person(f, &a);
	r1 = bind1(f, &req, r.ssn, unreg_id, "spouse");     /* SSN known */
	r2 = bind1(f, &req, "99999999", r.id_number, "spouse"); /* ID known */
	r3 = bind1(f, &req, r.ssn, s.id_number, "spouse");  /* both, two people */
	r4 = bind1(f, &req, r.ssn, "not-an-id", "spouse");  /* malformed */
	assert_row_err(&r1, "binding.identity_mismatch");
	assert_row_err(&r2, "binding.identity_mismatch");
	assert_row_err(&r3, "binding.identity_mismatch");
	assert_row_err(&r4, "binding.identity_mismatch");
	assert_string_equal(r1.error.message, r2.error.message);
	assert_string_equal(r1.error.message, r3.error.message);
	assert_string_equal(r1.error.message, r4.error.message);
}

/* F3: the authorizer must be active, tier 1, of this region. */
static void test_authorizer_eligibility(void **state)
{
	fx *f = *state;
	yb_person t2 = sfx_other(f, 1, "employee_tier2");
	yb_person a = sfx_insured(f, 2, 0), r = sfx_other(f, 3, "resident");
	yb_bind_req req = { 0 };
	yb_bind_result res;
	yb_person out;
	yb_err e;

	sfx_as_person(f, &t2);
	res = bind1(f, &req, r.ssn, r.id_number, "spouse");
	assert_row_err(&res, "binding.authorizer_not_eligible");
	fx_admin(f);
	assert_ok(yb_person_suspend(&f->ctx, a.ssn, &out, &e), e);
	sfx_as_person(f, &a);
	res = bind1(f, &req, r.ssn, r.id_number, "spouse");
	assert_row_err(&res, "binding.authorizer_not_eligible");
}

/* F3: the relative must be active in this region. */
static void test_relative_eligibility(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 0), r = sfx_other(f, 2, "resident");
	yb_person_new in = { 0 };
	char idn[YB_IDNUM_SZ];
	yb_bind_req req = { 0 };
	yb_bind_result res;
	yb_person gz, out;
	yb_err e;

	fx_idnum(idn, "440101", "19900101", 11);
	in.ssn = "55500011";
	in.id_number = idn;
	in.name = "王五";
	in.scheme = "resident";
	in.region = "440100";
	fx_admin(f);
	assert_ok(yb_person_register(&f->ctx, &in, &gz, &e), e);
	assert_ok(yb_person_suspend(&f->ctx, r.ssn, &out, &e), e);
	sfx_as_person(f, &a);
	res = bind1(f, &req, gz.ssn, gz.id_number, "spouse");
	assert_row_err(&res, "binding.relative_not_eligible");
	res = bind1(f, &req, r.ssn, r.id_number, "spouse");
	assert_row_err(&res, "binding.relative_not_eligible");
}

/* F3: relationships by setting; self; no active duplicate. */
static void test_relationship_self_duplicate(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 0), r = sfx_other(f, 2, "resident");
	yb_bind_req req = { 0 };
	yb_bind_result res;
	yb_err e;

	sfx_as_person(f, &a);
	res = bind1(f, &req, r.ssn, r.id_number, "sibling");
	assert_row_err(&res, "binding.relationship_not_allowed");
	res = bind1(f, &req, r.ssn, r.id_number, "cousin");
	assert_row_err(&res, "binding.relationship_not_allowed");
	res = bind1(f, &req, r.ssn, r.id_number, "self");
	assert_row_err(&res, "binding.relationship_not_allowed");
	res = bind1(f, &req, a.ssn, a.id_number, "spouse");
	assert_row_err(&res, "binding.self");
	/* the 2024 near-relatives set adds siblings */
	assert_ok(yb_settings_set(&f->settings, "relationships",
				  "spouse,parent,child,sibling,grandparent,"
				  "grandchild", &e), e);
	res = bind1(f, &req, r.ssn, r.id_number, "sibling");
	assert_true(res.ok);
	assert_int_equal(res.binding.relationship, YB_REL_SIBLING);
	res = bind1(f, &req, r.ssn, r.id_number, "sibling");
	assert_row_err(&res, "binding.duplicate");
}

/* F4: each row on its own; one bad row does not block the good ones. */
static void test_rows_independent(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 0);
	yb_person r1 = sfx_other(f, 2, "resident");
	yb_person r3 = sfx_other(f, 4, "resident");
	yb_bind_row rows[3] = {
		{ r1.ssn, r1.id_number, "child" },
		{ r1.ssn, r3.id_number, "child" },
		{ r3.ssn, r3.id_number, "parent" },
	};
	yb_bind_req req = { 0 };
	yb_bind_result res[3];
	int n1, n2;
	yb_err e;

	req.nrows = 3;
	req.rows = rows;
	sfx_as_person(f, &a);
	assert_ok(yb_bind(&f->ctx, &req, res, &e), e);
	assert_true(res[0].ok);
	assert_row_err(&res[1], "binding.identity_mismatch");
	assert_true(res[2].ok);
	counts(f, &a, &n1, &n2);
	assert_int_equal(n1, 2);
	/* too many rows refuse the whole request */
	yb_bind_row many[YB_BIND_MAX_RELATIVES + 1];
	for (int i = 0; i <= YB_BIND_MAX_RELATIVES; i++)
		many[i] = rows[0];
	req.nrows = YB_BIND_MAX_RELATIVES + 1;
	req.rows = many;
	assert_err(yb_bind(&f->ctx, &req, res, &e), e, "binding.too_many");
}

/* F5: each role binds through its own channel only. */
static void test_channels(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 0), r = sfx_other(f, 2, "resident");
	yb_bind_row row = { r.ssn, r.id_number, "spouse" };
	yb_bind_req req = { 0 };
	yb_bind_result res;
	yb_err e;

	req.nrows = 1;
	req.rows = &row;
	sfx_as_person(f, &a);
	req.channel = "terminal";
	assert_err(yb_bind(&f->ctx, &req, &res, &e), e,
		   "binding.channel_not_allowed");
	req.channel = "pigeon";
	assert_err(yb_bind(&f->ctx, &req, &res, &e), e,
		   "request.invalid_field");
	sfx_as_operator(f, YB_ROLE_TERMINAL);
	req.channel = "web";
	assert_err(yb_bind(&f->ctx, &req, &res, &e), e,
		   "binding.channel_not_allowed");
	sfx_as_operator(f, YB_ROLE_HOSPITAL_OFFICE);
	req.channel = "agency_window";
	assert_err(yb_bind(&f->ctx, &req, &res, &e), e,
		   "binding.channel_not_allowed");
	/* X1: institutions do not bind at all */
	sfx_as_inst(f, "H1");
	req.channel = "web";
	assert_err(yb_bind(&f->ctx, &req, &res, &e), e, "auth.forbidden");
}

/* F5: the terminal needs the authorizer's own activated card and the
 * relative's activated card or ID card. */
static void test_terminal(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 0), r = sfx_other(f, 2, "resident");
	yb_person x = sfx_other(f, 3, "resident");
	yb_card ca = sfx_card(f, &a, false), cr = sfx_card(f, &r, true);
	yb_card cx = sfx_card(f, &x, true);
	yb_bind_row rows[2] = { { r.ssn, r.id_number, "spouse" },
				{ x.ssn, x.id_number, "child" } };
	yb_bind_req req = { 0 };
	yb_bind_result res[2];
	yb_card c;
	yb_err e;

	req.authorizer_ssn = a.ssn;
	req.authorizer_id_number = a.id_number;
	req.channel = "terminal";
	req.nrows = 1;
	req.rows = rows;
	sfx_as_operator(f, YB_ROLE_TERMINAL);
	assert_err(yb_bind(&f->ctx, &req, res, &e), e,
		   "binding.materials_missing");
	req.materials.authorizer_card_no = ca.card_no;
	assert_err(yb_bind(&f->ctx, &req, res, &e), e,
		   "binding.materials_missing");
	req.materials.relative_card_no = cr.card_no;
	/* the authorizer's card is not activated yet */
	assert_err(yb_bind(&f->ctx, &req, res, &e), e,
		   "binding.card_not_activated");
	fx_admin(f);
	assert_ok(yb_card_activate(&f->ctx, ca.card_no, &c, &e), e);
	sfx_as_operator(f, YB_ROLE_TERMINAL);
	/* someone else's card as the relative's */
	req.materials.relative_card_no = cx.card_no;
	assert_err(yb_bind(&f->ctx, &req, res, &e), e,
		   "binding.card_mismatch");
	/* the relative's card as the authorizer's */
	req.materials.authorizer_card_no = cr.card_no;
	req.materials.relative_card_no = cr.card_no;
	assert_err(yb_bind(&f->ctx, &req, res, &e), e,
		   "binding.card_mismatch");
	/* one relative's materials cannot vouch for two relatives */
	req.materials.authorizer_card_no = ca.card_no;
	req.nrows = 2;
	assert_err(yb_bind(&f->ctx, &req, res, &e), e,
		   "binding.materials_missing");
	req.nrows = 1;
	assert_ok(yb_bind(&f->ctx, &req, res, &e), e);
	assert_true(res[0].ok);
	assert_int_equal(res[0].binding.channel, YB_CHAN_TERMINAL);
	assert_string_equal(res[0].binding.operator_id, f->ctx.actor.id);
	assert_non_null(strstr(res[0].binding.materials_json, cr.card_no));
	/* the relative's ID card instead of his card */
	req.materials.relative_card_no = NULL;
	req.materials.relative_id_number = r.id_number;
	req.rows = &rows[1];
	assert_err(yb_bind(&f->ctx, &req, res, &e), e,
		   "binding.card_mismatch");
	req.materials.relative_id_number = x.id_number;
	assert_ok(yb_bind(&f->ctx, &req, res, &e), e);
	assert_true(res[0].ok);
	/* a lost card is nobody's valid card */
	fx_admin(f);
	assert_ok(yb_card_report_loss(&f->ctx, ca.card_no, &c, &e), e);
	sfx_as_operator(f, YB_ROLE_TERMINAL);
	assert_err(yb_bind(&f->ctx, &req, res, &e), e,
		   "binding.card_mismatch");
}

/* F5: the hospital office and the window need their paper materials and
 * identify the authorizer by SSN and ID number. */
static void test_offices(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 0), r = sfx_other(f, 2, "resident");
	yb_person x = sfx_other(f, 3, "resident");
	yb_bind_row row = { r.ssn, r.id_number, "spouse" };
	yb_bind_req req = { 0 };
	yb_bind_result res;
	yb_err e;

	req.authorizer_ssn = a.ssn;
	req.authorizer_id_number = a.id_number;
	req.channel = "hospital_office";
	req.nrows = 1;
	req.rows = &row;
	sfx_as_operator(f, YB_ROLE_HOSPITAL_OFFICE);
	assert_err(yb_bind(&f->ctx, &req, &res, &e), e,
		   "binding.materials_missing");
	req.materials.id_cards = true;
	assert_err(yb_bind(&f->ctx, &req, &res, &e), e,
		   "binding.materials_missing");
	req.materials.social_security_cards = true;
	req.authorizer_id_number = x.id_number;
	assert_err(yb_bind(&f->ctx, &req, &res, &e), e,
		   "binding.identity_mismatch");
	req.authorizer_id_number = a.id_number;
	assert_ok(yb_bind(&f->ctx, &req, &res, &e), e);
	assert_true(res.ok);
	assert_int_equal(res.binding.channel, YB_CHAN_HOSPITAL_OFFICE);
	assert_string_equal(res.binding.operator_id, f->ctx.actor.id);
	assert_non_null(strstr(res.binding.materials_json, "id_cards"));

	/* the window also wants the copies of both cards */
	row.ssn = x.ssn;
	row.id_number = x.id_number;
	req.channel = "agency_window";
	sfx_as_operator(f, YB_ROLE_AGENCY_WINDOW);
	assert_err(yb_bind(&f->ctx, &req, &res, &e), e,
		   "binding.materials_missing");
	req.materials.card_copies = true;
	assert_ok(yb_bind(&f->ctx, &req, &res, &e), e);
	assert_true(res.ok);
	assert_non_null(strstr(res.binding.materials_json, "card_copies"));
}

/* F6: the authorizer ends a binding, on any channel; again is harmless;
 * the relative cannot; history is kept. */
static void test_unbind(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 0), r = sfx_other(f, 2, "resident");
	yb_person s = sfx_other(f, 3, "resident");
	yb_binding b = sfx_bind(f, &a, &r, "child"), out, again;
	yb_bind_req who = { 0 };
	int64_t audits;
	int n1, n2;
	yb_err e;

	sfx_as_person(f, &r);
	assert_err(yb_unbind(&f->ctx, b.id, NULL, &out, &e), e,
		   "auth.forbidden");
	sfx_as_person(f, &s);
	assert_err(yb_unbind(&f->ctx, b.id, NULL, &out, &e), e,
		   "binding.not_found");
	sfx_as_person(f, &a);
	assert_err(yb_unbind(&f->ctx, 999999, NULL, &out, &e), e,
		   "binding.not_found");
	f->now += 3600;
	assert_ok(yb_unbind(&f->ctx, b.id, NULL, &out, &e), e);
	assert_int_equal(out.ended_at, f->now);
	audits = fx_audit_count(f);
	f->now += 60;
	assert_ok(yb_unbind(&f->ctx, b.id, NULL, &again, &e), e);
	assert_int_equal(again.ended_at, out.ended_at);
	assert_int_equal(fx_audit_count(f), audits);
	counts(f, &a, &n1, &n2);
	assert_int_equal(n1, 1);        /* kept as history */
	/* bound again after the end: a new binding */
	b = sfx_bind(f, &a, &r, "child");
	/* at the window, with the materials */
	who.authorizer_ssn = a.ssn;
	who.authorizer_id_number = a.id_number;
	who.channel = "agency_window";
	sfx_as_operator(f, YB_ROLE_AGENCY_WINDOW);
	assert_err(yb_unbind(&f->ctx, b.id, &who, &out, &e), e,
		   "binding.materials_missing");
	who.materials.id_cards = true;
	who.materials.social_security_cards = true;
	who.materials.card_copies = true;
	assert_ok(yb_unbind(&f->ctx, b.id, &who, &out, &e), e);
	assert_true(out.ended_at > 0);
	counts(f, &a, &n1, &n2);
	assert_int_equal(n1, 2);
}

/* F8: terminating either party ends the binding. */
static void test_termination_ends(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 0), r = sfx_other(f, 2, "resident");
	yb_binding b = sfx_bind(f, &a, &r, "child"), *list = NULL, *by = NULL;
	yb_person out;
	int n1, n2;
	yb_err e;

	fx_admin(f);
	assert_ok(yb_person_terminate(&f->ctx, r.ssn, "transferred_out", &out,
				      &e), e);
	assert_ok(yb_bindings_of(&f->ctx, a.id, &list, &n1, &by, &n2, &e), e);
	assert_int_equal(n1, 1);
	assert_int_equal(list[0].id, b.id);
	assert_true(list[0].ended_at > 0);
	free(list);
	free(by);
}

/* Q1: a person lists his own bindings only. */
static void test_list_own_only(void **state)
{
	fx *f = *state;
	yb_person a = sfx_insured(f, 1, 0), r = sfx_other(f, 2, "resident");
	yb_binding *l1 = NULL, *l2 = NULL;
	int n1, n2;
	yb_err e;

	sfx_bind(f, &a, &r, "child");
	sfx_as_person(f, &r);
	assert_err(yb_bindings_of(&f->ctx, a.id, &l1, &n1, &l2, &n2, &e), e,
		   "auth.forbidden");
	assert_ok(yb_bindings_of(&f->ctx, r.id, &l1, &n1, &l2, &n2, &e), e);
	assert_int_equal(n1, 0);
	assert_int_equal(n2, 1);
	assert_string_equal(l2[0].authorizer_ssn, a.ssn);
	assert_string_equal(l2[0].relative_ssn, r.ssn);
	free(l1);
	free(l2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_web_bind),
		T(test_identity_mismatch),
		T(test_authorizer_eligibility),
		T(test_relative_eligibility),
		T(test_relationship_self_duplicate),
		T(test_rows_independent),
		T(test_channels),
		T(test_terminal),
		T(test_offices),
		T(test_unbind),
		T(test_termination_ends),
		T(test_list_own_only),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
