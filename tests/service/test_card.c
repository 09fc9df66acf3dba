/*
 * test_card.c — social security cards (SPEC C1–C3, C5, C6) and the
 * working-day calendar (C3b), through the service layer.
 */
#include "fixture.h"

#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "service/card.h"

static yb_card_apply_req apply_req(const char *ssn, const char *route)
{
	yb_card_apply_req r = { 0 };
	r.ssn = ssn;
	r.route = route;
	return r;
}

static yb_date ymd(int y, int m, int d)
{
	return yb_date_from_ymd(y, m, d);
}

/* C3a, C1: the center issues on the spot; the number is ours. */
static void test_center(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_card_apply_req r = apply_req(p.ssn, "center");
	yb_card_application app, app2;
	yb_card c, c2;
	yb_person_view v;
	yb_err e;

	assert_ok(yb_card_apply(&f->ctx, &r, &app, &c, &e), e);
	assert_int_equal(c.state, YB_CARD_ISSUED);
	assert_false(c.activated);
	assert_int_equal(strlen(c.card_no), 12);
	assert_true(strncmp(c.card_no, "YB", 2) == 0);
	assert_true(app.id > 0);
	assert_true(app.card_id == c.id);
	assert_int_equal(app.route, YB_ROUTE_CENTER);
	assert_true(app.applied_on == ymd(2026, 3, 2));
	assert_int_equal(app.ready_by, 0);
	assert_non_null(strstr(app.materials_json, "\"route\":\"center\""));
	assert_non_null(strstr(app.materials_json, p.id_number));

	assert_ok(yb_card_application_get(&f->ctx, app.id, &app2, &e), e);
	assert_string_equal(app2.materials_json, app.materials_json);
	assert_string_equal(app2.operator_id, "cli");
	assert_ok(yb_card_get(&f->ctx, c.card_no, &c2, &e), e);
	assert_int_equal(c2.person_id, p.id);
	assert_ok(yb_person_get(&f->ctx, p.ssn, &v, &e), e);
	assert_true(v.has_card);
	assert_string_equal(v.card.card_no, c.card_no);

	/* C1: the bank activates it (twice is harmless) */
	assert_ok(yb_card_activate(&f->ctx, c.card_no, &c2, &e), e);
	assert_true(c2.activated);
	assert_ok(yb_card_activate(&f->ctx, c.card_no, &c2, &e), e);
	assert_true(c2.activated);
	assert_err(yb_card_get(&f->ctx, "YB9999999999", &c2, &e), e,
		   "card.not_found");
	assert_err(yb_card_application_get(&f->ctx, 9999, &app2, &e), e,
		   "card.application_not_found");
}

/* C2: at most one valid card, whatever state it is in. */
static void test_one_valid_card(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_card_apply_req r = apply_req(p.ssn, "center");
	yb_card_application app;
	yb_card c;
	int64_t audits;
	yb_err e;

	fx_calendar(f, 2026);
	r.route = "service_point";
	assert_ok(yb_card_apply(&f->ctx, &r, &app, &c, &e), e);
	assert_int_equal(c.state, YB_CARD_IN_PRODUCTION);
	audits = fx_audit_count(f);
	r.route = "center";
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "card.already_has_valid_card");
	assert_ok(yb_card_mark_ready(&f->ctx, app.id, &c, &e), e);
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "card.already_has_valid_card");
	assert_ok(yb_card_issue(&f->ctx, app.id, &c, &e), e);
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "card.already_has_valid_card");
	assert_int_equal(fx_audit_count(f), audits + 2);
}

/* C3b: ready by the third working day: across a holiday week and an
 * adjusted working Saturday. */
static void test_service_point_holiday(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_person q = fx_person(f, 2, "employee_tier1");
	yb_card_apply_req r = apply_req(p.ssn, "service_point");
	yb_card_application app;
	yb_card c;
	yb_err e;

	fx_calendar(f, 2026);
	/* Monday 2026-03-02: Thursday 03-05 */
	assert_ok(yb_card_apply(&f->ctx, &r, &app, &c, &e), e);
	assert_true(app.ready_by == ymd(2026, 3, 5));
	assert_int_equal(c.state, YB_CARD_IN_PRODUCTION);

	/* Wednesday 2026-09-30: 10-01..07 are National Day, 10-08 and
	 * 10-09 count, and Saturday 10-10 is worked (调休). */
	f->now = fx_local(2026, 9, 30, 15, 0);
	r.ssn = q.ssn;
	assert_ok(yb_card_apply(&f->ctx, &r, &app, &c, &e), e);
	assert_true(app.ready_by == ymd(2026, 10, 10));
}

/* C3b: a date outside the loaded years is an error, not a guess; the
 * application is not made. */
static void test_year_not_loaded(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_card_apply_req r = apply_req(p.ssn, "service_point");
	yb_person_view v;
	int64_t audits;
	yb_err e;

	/* nothing loaded at all */
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "calendar.year_not_loaded");
	fx_calendar(f, 2026);
	/* 2026-12-30 + 3 working days runs into 2027, not loaded */
	f->now = fx_local(2026, 12, 30, 9, 0);
	audits = fx_audit_count(f);
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "calendar.year_not_loaded");
	/* in 2027 itself */
	f->now = fx_local(2027, 3, 1, 9, 0);
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "calendar.year_not_loaded");
	assert_int_equal(fx_audit_count(f), audits);
	assert_ok(yb_person_get(&f->ctx, p.ssn, &v, &e), e);
	assert_false(v.has_card);
	/* the center does not need the calendar */
	r.route = "center";
	assert_ok(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e);
}

/* C3c: the agent's certificate and name are required and recorded. */
static void test_agent(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_card_apply_req r = apply_req(p.ssn, "agent");
	yb_card_application app;
	char agent[YB_IDNUM_SZ];
	yb_card c;
	yb_err e;

	fx_calendar(f, 2026);
	fx_idnum(agent, "440304", "19700515", 42);
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "card.materials_missing");
	r.agent_name = "赵六";
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "card.materials_missing");
	r.agent_id_number = "";
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "card.materials_missing");
	/* a certificate with a wrong check character is not valid */
	agent[17] = agent[17] == '5' ? '6' : '5';
	r.agent_id_number = agent;
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "person.invalid_id_number");
	fx_idnum(agent, "440304", "19700515", 42);
	r.agent_name = NULL;
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "card.materials_missing");
	r.agent_name = "赵六";
	assert_int_equal(fx_audit_count(f), 2);
	assert_ok(yb_card_apply(&f->ctx, &r, &app, &c, &e), e);
	assert_int_equal(c.state, YB_CARD_IN_PRODUCTION);
	assert_true(app.ready_by == ymd(2026, 3, 5));
	assert_non_null(strstr(app.materials_json, agent));
	assert_non_null(strstr(app.materials_json, "赵六"));
	assert_non_null(strstr(app.materials_json, p.id_number));
}

/* C3d: the employer's letter and the handler's certificate. */
static void test_employer_route(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_card_apply_req r = apply_req(p.ssn, "employer");
	yb_card_application app;
	char handler[YB_IDNUM_SZ], bad[YB_IDNUM_SZ];
	yb_card c;
	yb_err e;

	fx_calendar(f, 2026);
	fx_idnum(handler, "440304", "19800101", 7);
	r.employer_code = "E1";
	r.handler_id_number = handler;
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "card.materials_missing");       /* no letter */
	r.letter_ref = "HR-2026/\"17\"\\a";
	r.handler_id_number = NULL;
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "card.materials_missing");       /* no handler */
	memcpy(bad, handler, sizeof bad);
	bad[17] = bad[17] == '5' ? '6' : '5';
	r.handler_id_number = bad;
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "person.invalid_id_number");
	r.handler_id_number = handler;
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "employer.not_found");
	fx_employer(f, "E1");
	assert_ok(yb_card_apply(&f->ctx, &r, &app, &c, &e), e);
	assert_int_equal(app.route, YB_ROUTE_EMPLOYER);
	assert_true(app.ready_by == ymd(2026, 3, 5));
	/* the letter reference is kept, JSON-escaped */
	assert_non_null(strstr(app.materials_json,
			       "\"letter_ref\":\"HR-2026/\\\"17\\\"\\\\a\""));
	assert_non_null(strstr(app.materials_json, handler));
}

/* C2, C3: routes and persons that cannot apply. */
static void test_refusals(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_card_apply_req r = apply_req(p.ssn, "post_office");
	yb_err e;

	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "card.invalid_route");
	r.route = NULL;
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "card.invalid_route");
	r = apply_req("999999999", "center");
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "person.not_found");
	assert_ok(yb_person_terminate(&f->ctx, p.ssn, "emigrated", NULL, &e),
		  e);
	r.ssn = p.ssn;
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "person.not_active");
	fx_act(f, YB_ROLE_HOSPITAL_OFFICE, YB_CHAN_HOSPITAL_OFFICE, "key:3");
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "auth.forbidden");
}

/* C2: in_production → ready → issued, and nothing out of order. */
static void test_lifecycle(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_card_apply_req r = apply_req(p.ssn, "service_point");
	yb_card_application app;
	yb_card c;
	yb_err e;

	fx_calendar(f, 2026);
	assert_ok(yb_card_apply(&f->ctx, &r, &app, &c, &e), e);
	assert_err(yb_card_activate(&f->ctx, c.card_no, NULL, &e), e,
		   "card.invalid_state");
	assert_err(yb_card_report_loss(&f->ctx, c.card_no, NULL, &e), e,
		   "card.invalid_state");
	assert_ok(yb_card_mark_ready(&f->ctx, app.id, &c, &e), e);
	assert_int_equal(c.state, YB_CARD_READY);
	assert_err(yb_card_mark_ready(&f->ctx, app.id, &c, &e), e,
		   "card.invalid_state");
	assert_ok(yb_card_issue(&f->ctx, app.id, &c, &e), e);
	assert_int_equal(c.state, YB_CARD_ISSUED);
	assert_err(yb_card_issue(&f->ctx, app.id, &c, &e), e,
		   "card.invalid_state");
	assert_err(yb_card_issue(&f->ctx, 424242, &c, &e), e,
		   "card.application_not_found");
	/* straight from production to the holder is fine too */
	{
		yb_person q = fx_person(f, 2, "resident");
		r.ssn = q.ssn;
		assert_ok(yb_card_apply(&f->ctx, &r, &app, &c, &e), e);
		assert_ok(yb_card_issue(&f->ctx, app.id, &c, &e), e);
		assert_int_equal(c.state, YB_CARD_ISSUED);
	}
}

/* C5, C2: a lost card is frozen at once and replaced by a new one; the
 * person reports only his own card. */
static void test_loss(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_person q = fx_person(f, 2, "employee_tier1");
	yb_card_apply_req r = apply_req(p.ssn, "center");
	yb_card c, cq, lost, fresh;
	char actor[YB_ACTOR_SZ];
	yb_err e;

	assert_ok(yb_card_apply(&f->ctx, &r, NULL, &c, &e), e);
	r.ssn = q.ssn;
	assert_ok(yb_card_apply(&f->ctx, &r, NULL, &cq, &e), e);

	snprintf(actor, sizeof actor, "person:%s", p.ssn);
	fx_act(f, YB_ROLE_PERSON, YB_CHAN_WEB, actor);
	f->ctx.actor.person_id = p.id;
	/* someone else's card is answered as unknown */
	assert_err(yb_card_report_loss(&f->ctx, cq.card_no, NULL, &e), e,
		   "card.not_found");
	assert_err(yb_card_report_loss(&f->ctx, "YB0000009999", NULL, &e), e,
		   "card.not_found");
	assert_ok(yb_card_report_loss(&f->ctx, c.card_no, &lost, &e), e);
	assert_int_equal(lost.state, YB_CARD_LOST);
	assert_err(yb_card_report_loss(&f->ctx, c.card_no, &lost, &e), e,
		   "card.invalid_state");
	/* a person cannot apply or look cards up */
	r.ssn = p.ssn;
	assert_err(yb_card_apply(&f->ctx, &r, NULL, NULL, &e), e,
		   "auth.forbidden");
	assert_err(yb_card_get(&f->ctx, c.card_no, &lost, &e), e,
		   "auth.forbidden");

	/* the lost card does not block a new one, and is retired by it */
	fx_admin(f);
	assert_ok(yb_card_apply(&f->ctx, &r, NULL, &fresh, &e), e);
	assert_string_not_equal(fresh.card_no, c.card_no);
	assert_int_equal(fresh.state, YB_CARD_ISSUED);
	assert_ok(yb_card_get(&f->ctx, c.card_no, &lost, &e), e);
	assert_int_equal(lost.state, YB_CARD_CANCELLED);
	/* the window reports a loss for anyone */
	fx_act(f, YB_ROLE_AGENCY_WINDOW, YB_CHAN_AGENCY_WINDOW, "key:9");
	assert_ok(yb_card_report_loss(&f->ctx, cq.card_no, &lost, &e), e);
	assert_int_equal(lost.state, YB_CARD_LOST);
}

/* C6: a returned card is cancelled, from any state but cancelled. */
static void test_return(void **state)
{
	fx *f = *state;
	yb_person p = fx_person(f, 1, "employee_tier1");
	yb_card_apply_req r = apply_req(p.ssn, "center");
	yb_card c, after;
	yb_err e;

	assert_ok(yb_card_apply(&f->ctx, &r, NULL, &c, &e), e);
	assert_err(yb_card_return(&f->ctx, c.card_no, "bad\x01reason", &after,
				  &e), e, "request.invalid_field");
	assert_ok(yb_card_return(&f->ctx, c.card_no, "deceased", &after, &e),
		  e);
	assert_int_equal(after.state, YB_CARD_CANCELLED);
	assert_err(yb_card_return(&f->ctx, c.card_no, "again", &after, &e), e,
		   "card.invalid_state");
	assert_err(yb_card_activate(&f->ctx, c.card_no, &after, &e), e,
		   "card.invalid_state");
	assert_err(yb_card_return(&f->ctx, NULL, NULL, &after, &e), e,
		   "card.not_found");
	/* a new card after a return */
	assert_ok(yb_card_apply(&f->ctx, &r, NULL, &c, &e), e);
}

/* C3b: the calendar is data, put and read back; a bad table is refused. */
static void test_calendar(void **state)
{
	fx *f = *state;
	yb_calendar_year y, back;
	yb_err e;

	fx_calendar(f, 2026);
	assert_int_equal(yb_calendar_get(&f->ctx, 2026, &back, &e), 1);
	assert_int_equal(back.year, 2026);
	assert_true(back.nholidays > 20);
	assert_int_equal(back.nworkdays, 6);
	assert_int_equal(yb_calendar_get(&f->ctx, 2031, &back, &e), 0);

	memset(&y, 0, sizeof y);
	y.year = 2027;
	y.nholidays = 1;
	y.holidays[0] = ymd(2026, 12, 31);  /* not in 2027 */
	assert_err(yb_calendar_put(&f->ctx, &y, &e), e, "calendar.invalid");
	y.holidays[0] = ymd(2027, 1, 1);
	fx_act(f, YB_ROLE_AGENCY_WINDOW, YB_CHAN_AGENCY_WINDOW, "key:1");
	assert_err(yb_calendar_put(&f->ctx, &y, &e), e, "auth.forbidden");
	/* everyone may read it */
	fx_act(f, YB_ROLE_PERSON, YB_CHAN_WEB, "person:1");
	assert_int_equal(yb_calendar_get(&f->ctx, 2026, &back, &e), 1);
	fx_admin(f);
	assert_ok(yb_calendar_put(&f->ctx, &y, &e), e);
	assert_int_equal(yb_calendar_get(&f->ctx, 2027, &back, &e), 1);
	assert_int_equal(back.nholidays, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_center),
		T(test_one_valid_card),
		T(test_service_point_holiday),
		T(test_year_not_loaded),
		T(test_agent),
		T(test_employer_route),
		T(test_refusals),
		T(test_lifecycle),
		T(test_loss),
		T(test_return),
		T(test_calendar),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
