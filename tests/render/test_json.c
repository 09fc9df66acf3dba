/*
 * test_json.c — the one renderer of the model to JSON (src/render/json.h)
 * that the HTTP API and `yibao --json` both answer with.
 *
 * Each record is rendered and compared, member by member, with the JSON
 * text API.md gives for it: names of members, money as exact integer fen
 * (also past 2^53, where a double would round), dates and instants, nulls,
 * members left out, and masking (Q3) for a reader who may see the person
 * and one who may not.  Last, every renderer is run with jansson's
 * allocator failing at each allocation in turn: the answer is then NULL
 * or exactly the full object, and nothing leaks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/json.h"

/* ---- helpers ------------------------------------------------------------- */

/* Compare a rendered value with the JSON text it must be (order of
 * members aside), and release it. */
static void expect_json(json_t *got, const char *want_text)
{
	json_error_t e;
	json_t *want = json_loads(want_text, JSON_DECODE_ANY, &e);

	if (!want)
		fail_msg("bad expected JSON at %d: %s", e.position, e.text);
	assert_non_null(got);
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_SORT_KEYS);
		char *w = json_dumps(want, JSON_SORT_KEYS);
		print_error("got  %s\nwant %s\n", g, w);
		free(g);
		free(w);
		fail();
	}
	json_decref(got);
	json_decref(want);
}

/* A reader who may see person 7 in full and no one else (a person
 * reading his own records). */
static bool only_seven(const void *ctx, yb_id person_id)
{
	(void)ctx;
	return person_id == 7;
}

static const yb_viewer self7 = { only_seven, NULL };

/* 2026-12-06T10:00:00Z */
#define T1 ((yb_time)1796551200)
#define T1_TEXT "2026-12-06T10:00:00Z"
/* 2^53 + 1 fen: a double would make it 2^53 */
#define BIG_FEN ((int64_t)9007199254740993LL)

static yb_person person(void)
{
	yb_person p = {
		.id = 7, .ssn = "600000001", .id_number = "440305197803150013",
		.name = "李建国", .sex = YB_SEX_MALE, .region = "440300",
		.scheme = YB_SCHEME_EMPLOYEE_TIER1, .status = YB_STATUS_ACTIVE,
		.employer_code = "E1", .created_at = T1,
	};

	p.birth_date = yb_date_from_ymd(1978, 3, 15);
	return p;
}

/* ---- scalars -------------------------------------------------------------- */

static void test_scalars(void **state)
{
	(void)state;
	expect_json(yb_jdate(yb_date_from_ymd(2024, 2, 29)), "\"2024-02-29\"");
	expect_json(yb_jdate(0), "null");
	expect_json(yb_jtime(T1), "\"" T1_TEXT "\"");
	expect_json(yb_jtime(0), "null");
	expect_json(yb_jfen(BIG_FEN), "9007199254740993");
	expect_json(yb_jfen(-1), "-1");
	expect_json(yb_jstr_or_null(""), "null");
	expect_json(yb_jstr_or_null(NULL), "null");
	expect_json(yb_jstr_or_null("x"), "\"x\"");
	assert_true(yb_viewer_may_unmask(&yb_viewer_operator, 1));
	assert_false(yb_viewer_may_unmask(&yb_viewer_public, 1));
	assert_false(yb_viewer_may_unmask(NULL, 1));
	assert_true(yb_viewer_may_unmask(&self7, 7));
	assert_false(yb_viewer_may_unmask(&self7, 8));
}

/* ---- the register --------------------------------------------------------- */

static void test_person(void **state)
{
	yb_person p = person();
	yb_account a = { .balance_fen = BIG_FEN, .closed = false };
	json_t *got;
	char want[1024];
	static const char base[] =
		"\"ssn\": \"600000001\", \"name\": \"李建国\", \"sex\": \"male\","
		" \"birth_date\": \"1978-03-15\", \"region\": \"440300\","
		" \"scheme\": \"employee_tier1\", \"status\": \"terminated\"";

	(void)state;
	expect_json(yb_json_person(&yb_viewer_operator, &p, &a),
		    "{\"id_number\": \"440305197803150013\", \"employer_code\":"
		    " \"E1\", \"account\": {\"balance_fen\": 9007199254740993,"
		    " \"closed\": false}, "
		    "\"ssn\": \"600000001\", \"name\": \"李建国\", \"sex\":"
		    " \"male\", \"birth_date\": \"1978-03-15\", \"region\":"
		    " \"440300\", \"scheme\": \"employee_tier1\", \"status\":"
		    " \"active\"}");
	/* Q3: first 6 and last 4 characters for a reader who may not see */
	p.employer_code[0] = '\0';
	p.status = YB_STATUS_TERMINATED;
	p.term_reason = YB_TERM_DECEASED;
	snprintf(want, sizeof want,
		 "{%s, \"id_number\": \"440305********0013\", \"employer_code\":"
		 " null, \"account\": null, \"termination_reason\": \"deceased\"}",
		 base);
	expect_json(yb_json_person(&yb_viewer_public, &p, NULL), want);
	/* self: his own number in full; with his card (GET /me) */
	yb_card c = { .card_no = "C1", .state = YB_CARD_ISSUED,
		      .activated = true };

	got = yb_json_person_card(&self7, &p, NULL, &c);
	assert_string_equal(json_string_value(json_object_get(got,
				"id_number")), "440305197803150013");
	expect_json(json_incref(json_object_get(got, "card")),
		    "{\"card_no\": \"C1\", \"state\": \"issued\","
		    " \"activated\": true}");
	json_decref(got);
	got = yb_json_person_card(&self7, &p, NULL, NULL);
	assert_true(json_is_null(json_object_get(got, "card")));
	json_decref(got);
}

static void test_cards_and_register(void **state)
{
	yb_card_application app = { .id = 3, .route = YB_ROUTE_SERVICE_POINT };
	yb_card card = { .card_no = "C9", .state = YB_CARD_READY };
	yb_calendar_year y = { .year = 2026, .nholidays = 2, .nworkdays = 1 };
	yb_employer e = { .code = "E1", .name = "深圳市某公司",
			  .created_at = T1 };
	yb_institution i = { .code = "H1", .name = "人民医院",
			     .type = YB_INST_HOSPITAL };

	(void)state;
	app.ready_by = yb_date_from_ymd(2026, 12, 10);
	/* no card yet: in production, card_no left out (API.md) */
	expect_json(yb_json_application(&app, NULL),
		    "{\"application_id\": 3, \"route\": \"service_point\","
		    " \"state\": \"in_production\", \"ready_by\":"
		    " \"2026-12-10\"}");
	app.ready_by = 0;
	expect_json(yb_json_application(&app, &card),
		    "{\"application_id\": 3, \"route\": \"service_point\","
		    " \"state\": \"ready\", \"ready_by\": null,"
		    " \"card_no\": \"C9\"}");
	y.holidays[0] = yb_date_from_ymd(2026, 1, 1);
	y.holidays[1] = yb_date_from_ymd(2026, 10, 8);
	y.workdays[0] = yb_date_from_ymd(2026, 10, 10);
	expect_json(yb_json_calendar(&y),
		    "{\"year\": 2026, \"holidays\": [\"2026-01-01\","
		    " \"2026-10-08\"], \"workdays\": [\"2026-10-10\"]}");
	expect_json(yb_json_employer(&e),
		    "{\"code\": \"E1\", \"name\": \"深圳市某公司\","
		    " \"created_at\": \"" T1_TEXT "\"}");
	expect_json(yb_json_institution(&i),
		    "{\"code\": \"H1\", \"name\": \"人民医院\", \"type\":"
		    " \"hospital\", \"created_at\": null}");
}

/* ---- money ------------------------------------------------------------------ */

static void test_money_records(void **state)
{
	yb_contribution c = {
		.id = 5, .ssn = "600000004", .period = "2026",
		.employer_code = "", .base_fen = 0, .employer_fen = 0,
		.personal_fen = 40000, .account_credit_fen = 0,
		.created_at = T1, .paid_by_ssn = "600000001",
		.paid_by_name = "李建国",
	};
	yb_ledger_line l = { .entry_id = 9, .txn_id = 4, .kind = "premium",
			     .ref = "premium:1", .amount_fen = -BIG_FEN,
			     .balance_after_fen = 1, .at = T1 };
	yb_recon_totals t = { .count = 2, .total_fen = 30001,
			      .fund_pay_fen = 1, .account_pay_fen = 30000,
			      .cash_pay_fen = 0, .revoked_count = 1 };
	yb_premium_year py = { .year = 2027, .amount_fen = 40000,
			       .open = false };

	(void)state;
	/* who paid is another person to every reader: masked even for
	 * the operator, as the API has it */
	expect_json(yb_json_contribution(&c),
		    "{\"contribution_id\": 5, \"ssn\": \"600000004\","
		    " \"period\": \"2026\", \"employer_code\": \"\","
		    " \"base_fen\": 0, \"employer_fen\": 0, \"personal_fen\":"
		    " 40000, \"account_credit_fen\": 0, \"created_at\": \""
		    T1_TEXT "\", \"paid_by\": {\"ssn\": \"600000001\","
		    " \"name\": \"李*\"}}");
	c.paid_by_ssn[0] = '\0';
	json_t *got = yb_json_contribution(&c);
	assert_true(json_is_null(json_object_get(got, "paid_by")));
	json_decref(got);
	expect_json(yb_json_ledger_line(&l),
		    "{\"entry_id\": 9, \"txn_id\": 4, \"kind\": \"premium\","
		    " \"ref\": \"premium:1\", \"amount_fen\": -9007199254740993,"
		    " \"balance_after_fen\": 1, \"at\": \"" T1_TEXT "\"}");
	t.date = yb_date_from_ymd(2026, 12, 6);
	expect_json(yb_json_recon(&t),
		    "{\"date\": \"2026-12-06\", \"count\": 2, \"total_fen\":"
		    " 30001, \"fund_pay_fen\": 1, \"account_pay_fen\": 30000,"
		    " \"cash_pay_fen\": 0, \"revoked_count\": 1}");
	yb_recon_diff d = { .field = "count", .ours = 2, .yours = 3 };
	got = yb_json_recon_compare(&t, &d, 1);
	expect_json(json_incref(json_object_get(got, "differences")),
		    "[{\"field\": \"count\", \"ours\": 2, \"yours\": 3}]");
	assert_true(json_is_false(json_object_get(got, "match")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		got, "ours"), "date")), "2026-12-06");
	json_decref(got);
	got = yb_json_recon_compare(&t, NULL, 0);
	assert_true(json_is_true(json_object_get(got, "match")));
	json_decref(got);
	py.opens_on = yb_date_from_ymd(2026, 9, 1);
	py.closes_on = yb_date_from_ymd(2026, 12, 31);
	expect_json(yb_json_premium_years(&py, 1),
		    "{\"items\": [{\"year\": 2027, \"amount_fen\": 40000,"
		    " \"opens_on\": \"2026-09-01\", \"closes_on\":"
		    " \"2026-12-31\", \"open\": false}]}");
}

static void test_audit_material_webhook(void **state)
{
	yb_audit_record a = { .seq = 12, .at = T1, .actor = "cli",
			      .role = YB_ROLE_ADMIN, .channel = YB_CHAN_CLI,
			      .action = "person.register",
			      .target = "person:600000001", .result = "ok",
			      .hash = "ab" };
	yb_material m = { .id = 4, .target = YB_MAT_BINDING, .target_id = 2,
			  .kind = "id_card", .content_type = "image/png",
			  .size_bytes = 100, .sha256 = "cd",
			  .channel = YB_CHAN_AGENCY_WINDOW,
			  .operator_id = "key:1", .created_at = T1 };
	yb_webhook w = { .id = 1, .url = "http://h/", .label = "",
			 .secret = "0123456789abcdef", .created_at = T1 };

	(void)state;
	expect_json(yb_json_audit(&a),
		    "{\"seq\": 12, \"at\": \"" T1_TEXT "\", \"actor\": \"cli\","
		    " \"role\": \"admin\", \"channel\": \"cli\", \"action\":"
		    " \"person.register\", \"target\": \"person:600000001\","
		    " \"result\": \"ok\", \"hash\": \"ab\"}");
	expect_json(yb_json_material(&m),
		    "{\"material_id\": 4, \"target\": \"binding\","
		    " \"target_id\": 2, \"kind\": \"id_card\", \"content_type\":"
		    " \"image/png\", \"size_bytes\": 100, \"sha256\": \"cd\","
		    " \"channel\": \"agency_window\", \"operator\": \"key:1\","
		    " \"uploaded_at\": \"" T1_TEXT "\", \"href\":"
		    " \"/api/v1/materials/4\"}");
	/* the secret in full only when it is made */
	expect_json(yb_json_webhook(&w, false),
		    "{\"webhook_id\": 1, \"url\": \"http://h/\", \"label\": \"\","
		    " \"secret\": \"…cdef\", \"created_at\": \"" T1_TEXT "\"}");
	json_t *got = yb_json_webhook(&w, true);
	assert_string_equal(json_string_value(json_object_get(got, "secret")),
			    "0123456789abcdef");
	json_decref(got);
}

/* ---- family and settlement ------------------------------------------------ */

static yb_binding binding(void)
{
	return (yb_binding){
		.id = 2, .authorizer_id = 7, .relative_id = 8,
		.authorizer_ssn = "600000001", .relative_ssn = "600000003",
		.authorizer_name = "李建国", .relative_name = "李小明",
		.relationship = YB_REL_CHILD, .channel = YB_CHAN_WEB,
		.operator_id = "key:1", .created_at = T1,
		.end_reason = "authorizer",
	};
}

static void test_binding(void **state)
{
	yb_binding b = binding();
	static const char head[] =
		"\"binding_id\": 2, \"authorizer_ssn\": \"600000001\","
		" \"relative_ssn\": \"600000003\", \"relationship\": \"child\","
		" \"channel\": \"web\", \"created_at\": \"" T1_TEXT "\","
		" \"ended_at\": null";
	char want[1024];

	(void)state;
	/* the authorizer reads: himself in full, his child masked */
	snprintf(want, sizeof want,
		 "{%s, \"authorizer_name\": \"李建国\", \"relative_name\":"
		 " \"李*\", \"monthly_cap_fen\": null, \"cap_used_this_month_fen\":"
		 " null, \"cap_left_fen\": null}", head);
	expect_json(yb_json_binding(&self7, &b), want);
	/* the operator: both in full; E2 cap, its use and what is left */
	b.has_cap = true;
	b.cap_fen = 50000;
	b.cap_used_fen = 12345;
	snprintf(want, sizeof want,
		 "{%s, \"authorizer_name\": \"李建国\", \"relative_name\":"
		 " \"李小明\", \"monthly_cap_fen\": 50000,"
		 " \"cap_used_this_month_fen\": 12345, \"cap_left_fen\": 37655}",
		 head);
	expect_json(yb_json_binding(&yb_viewer_operator, &b), want);
	/* lists both ways, and a bind's results */
	json_t *got = yb_json_bindings_of(&yb_viewer_public, &b, 1, NULL, 0);
	assert_int_equal(json_array_size(json_object_get(got, "authorized")), 1);
	assert_int_equal(json_array_size(json_object_get(got,
							 "authorized_by")), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(got, "authorized"), 0), "authorizer_name")),
		"李*");
	json_decref(got);
	yb_bind_result res[2] = { { .ok = true, .binding = b },
				  { .ok = false } };
	yb_errf(&res[1].error, "binding.exists", "already bound");
	got = yb_json_bind_results(&yb_viewer_operator, res, 2);
	expect_json(json_incref(json_array_get(json_object_get(got, "results"),
					       1)),
		    "{\"index\": 1, \"ok\": false, \"error\": {\"code\":"
		    " \"binding.exists\", \"message\": \"already bound\"}}");
	json_decref(got);
}

static void test_premium(void **state)
{
	yb_premium p = {
		.id = 1, .relative_id = 9, .relative_ssn = "600000004",
		.relative_name = "张桂兰", .year = 2026, .payer_id = 7,
		.payer_ssn = "600000001", .payer_name = "李建国",
		.amount_fen = 40000, .ledger_txn_id = 3, .contribution_id = 6,
		.client_request_id = "r1", .created_at = T1,
		.relationship = YB_REL_PARENT, .channel = YB_CHAN_WEB,
	};
	static const char head[] =
		"\"premium_id\": 1, \"relative_ssn\": \"600000004\","
		" \"year\": 2026, \"amount_fen\": 40000, \"client_request_id\":"
		" \"r1\", \"ledger_txn_id\": 3, \"contribution_id\": 6,"
		" \"paid_at\": \"" T1_TEXT "\", \"relationship\": \"parent\"";
	char want[1024];

	(void)state;
	/* the portal: no payer member; the relative masked for the payer */
	snprintf(want, sizeof want,
		 "{%s, \"relative_name\": \"张*\", \"channel\": \"web\","
		 " \"binding_id\": null}", head);
	expect_json(yb_json_premium(&self7, &p), want);
	/* at a desk: the payer as the operator knew him */
	strcpy(p.operator_id, "key:1");
	p.channel = YB_CHAN_AGENCY_WINDOW;
	p.binding_id = 4;
	snprintf(want, sizeof want,
		 "{%s, \"relative_name\": \"张桂兰\", \"channel\":"
		 " \"agency_window\", \"binding_id\": 4, \"payer\": {\"ssn\":"
		 " \"600000001\", \"name\": \"李建国\"}}", head);
	expect_json(yb_json_premium(&yb_viewer_operator, &p), want);
	snprintf(want, sizeof want,
		 "{%s, \"relative_name\": \"张*\", \"channel\":"
		 " \"agency_window\", \"binding_id\": 4, \"payer\": {\"ssn\":"
		 " \"600000001\", \"name\": \"李*\"}}", head);
	expect_json(yb_json_premium(&yb_viewer_public, &p), want);
}

static yb_settlement settlement(void)
{
	yb_settlement s = {
		.id = 42, .institution_code = "H1", .txn_id = "T-1",
		.patient_ssn = "600000003", .patient_name = "李小明",
		.visit_type = YB_VISIT_OUTPATIENT, .total_fen = BIG_FEN,
		.fund_pay_fen = 100, .account_pay_fen = 30000,
		.cash_pay_fen = BIG_FEN - 30100, .state = YB_SETTLE_SETTLED,
		.settled_at = T1, .nshares = 1, .ncap_cuts = 1,
	};

	s.shares[0] = (yb_share){ .payer_ssn = "600000001",
				  .payer_name = "李建国",
				  .relationship = YB_REL_CHILD,
				  .amount_fen = 30000 };
	s.cap_cuts[0] = (yb_cap_cut){ .binding_id = 2,
				      .payer_ssn = "600000002",
				      .cut_fen = 500 };
	return s;
}

#define SETTLE_BODY                                                        \
	"\"txn_id\": \"T-1\", \"institution_code\": \"H1\", \"patient\":"  \
	" {\"ssn\": \"600000003\", \"name\": \"李小明\"}, \"visit_type\":" \
	" \"outpatient\", \"total_fen\": 9007199254740993, \"fund_pay_fen\":" \
	" 100, \"account_pay_fen\": 30000, \"cash_pay_fen\":"              \
	" 9007199254710893, \"shares\": [{\"payer_ssn\": \"600000001\","    \
	" \"relationship\": \"child\", \"amount_fen\": 30000}],"            \
	" \"cap_cuts\": [{\"binding_id\": 2, \"payer_ssn\": \"600000002\"," \
	" \"cut_fen\": 500}]"

static void test_settlement(void **state)
{
	yb_settlement s = settlement();

	(void)state;
	expect_json(yb_json_settlement(&s),
		    "{\"settlement_id\": 42, " SETTLE_BODY ", \"state\":"
		    " \"settled\", \"settled_at\": \"" T1_TEXT "\"}");
	/* a preview is no settlement yet: null id and time */
	s.state = YB_SETTLE_PREVIEW;
	expect_json(yb_json_settlement(&s),
		    "{\"settlement_id\": null, " SETTLE_BODY ", \"state\":"
		    " \"preview\", \"settled_at\": null}");
	/* revoked: revoked_at is there */
	s.state = YB_SETTLE_REVOKED;
	s.revoked_at = T1 + 60;
	expect_json(yb_json_settlement(&s),
		    "{\"settlement_id\": 42, " SETTLE_BODY ", \"state\":"
		    " \"revoked\", \"settled_at\": \"" T1_TEXT "\","
		    " \"revoked_at\": \"2026-12-06T10:01:00Z\"}");
}

static void test_offline_and_usage(void **state)
{
	yb_offline o = {
		.id = 3, .institution_code = "H1", .txn_id = "OFF-1",
		.patient_ssn = "600000003", .patient_name = "李小明",
		.visit_type = YB_VISIT_OUTPATIENT, .total_fen = 8000,
		.fund_pay_fen = 0, .occurred_at = T1, .recorded_at = T1,
		.state = YB_OFFLINE_CASH_PAID,
	};
	static const char head[] =
		"\"offline_id\": 3, \"txn_id\": \"OFF-1\", \"institution_code\":"
		" \"H1\", \"patient\": {\"ssn\": \"600000003\", \"name\":"
		" \"李小明\"}, \"visit_type\": \"outpatient\", \"total_fen\":"
		" 8000, \"fund_pay_fen\": 0, \"occurred_at\": \"" T1_TEXT "\","
		" \"recorded_at\": \"" T1_TEXT "\"";
	yb_usage u = { .settlement_id = 42, .relative_ssn = "600000003",
		       .relative_name = "李小明", .relationship = YB_REL_CHILD,
		       .institution_code = "H1", .institution_name = "人民医院",
		       .visit_type = YB_VISIT_PHARMACY, .amount_fen = 30000,
		       .state = YB_SETTLE_REVOKED, .at = T1,
		       .cap_cut_fen = 0 };
	yb_settlement s = settlement();
	char want[2048];

	(void)state;
	snprintf(want, sizeof want,
		 "{%s, \"state\": \"cash_paid\", \"settlement_id\": null,"
		 " \"refund_to_patient_fen\": null, \"resettled_at\": null}",
		 head);
	expect_json(yb_json_offline(&o), want);
	o.state = YB_OFFLINE_RESETTLED;
	o.settlement_id = 42;
	o.refund_fen = 8000;
	o.resettled_at = T1;
	/* S6: the record with the re-settlement's parts and shares */
	snprintf(want, sizeof want,
		 "{%s, \"state\": \"resettled\", \"settlement_id\": 42,"
		 " \"refund_to_patient_fen\": 8000, \"resettled_at\": \""
		 T1_TEXT "\", \"account_pay_fen\": 30000, \"cash_pay_fen\":"
		 " 9007199254710893, \"shares\": [{\"payer_ssn\":"
		 " \"600000001\", \"relationship\": \"child\", \"amount_fen\":"
		 " 30000}]}", head);
	expect_json(yb_json_resettlement(&o, &s), want);
	/* F7: the relative masked for every reader */
	expect_json(yb_json_usage(&u),
		    "{\"settlement_id\": 42, \"relative_ssn\": \"600000003\","
		    " \"relative_name\": \"李*\", \"relationship\": \"child\","
		    " \"institution_code\": \"H1\", \"institution_name\":"
		    " \"人民医院\", \"visit_type\": \"pharmacy\", \"amount_fen\":"
		    " 30000, \"state\": \"revoked\", \"at\": \"" T1_TEXT "\","
		    " \"cap_cut_fen\": 0}");
}

static void test_items(void **state)
{
	yb_ledger_line l[2] = { { .entry_id = 1, .kind = "a", .at = T1 },
				{ .entry_id = 2, .kind = "b" } };
	json_t *got;

	(void)state;
	got = yb_json_items(&yb_viewer_public, l, sizeof l[0], 2,
			    yb_json_ledger_line_item);
	assert_int_equal(json_object_size(got), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
		json_object_get(got, "items"), 1), "entry_id")), 2);
	json_decref(got);
	expect_json(yb_json_items(NULL, l, sizeof l[0], 0,
				  yb_json_ledger_line_item),
		    "{\"items\": []}");
}

/* ---- out of memory ---------------------------------------------------------- */

static long allocs_left;     /* allocations that succeed; < 0: all */
static long live;            /* blocks jansson holds now */

static void *failing_malloc(size_t n)
{
	void *p;

	if (allocs_left == 0)
		return NULL;
	if (allocs_left > 0)
		allocs_left--;
	p = malloc(n);
	if (p)
		live++;
	return p;
}

static void counting_free(void *p)
{
	if (p)
		live--;
	free(p);
}

typedef json_t *render_fn(void);

static json_t *r_person(void)
{
	yb_person p = person();
	yb_account a = { .balance_fen = 1 };
	yb_card c = { .card_no = "C1" };

	p.term_reason = YB_TERM_EMIGRATED;
	return yb_json_person_card(&yb_viewer_public, &p, &a, &c);
}

static json_t *r_binding(void)
{
	yb_binding b = binding();

	b.has_cap = true;
	return yb_json_bindings_of(&self7, &b, 1, &b, 1);
}

static json_t *r_settlement(void)
{
	yb_settlement s = settlement();

	s.state = YB_SETTLE_REVOKED;
	return yb_json_settlement(&s);
}

static json_t *r_resettlement(void)
{
	yb_offline o = { .state = YB_OFFLINE_RESETTLED, .settlement_id = 1 };
	yb_settlement s = settlement();

	return yb_json_resettlement(&o, &s);
}

static json_t *r_premium(void)
{
	yb_premium p = { .operator_id = "key:1", .payer_name = "李建国",
			 .relative_name = "张桂兰", .binding_id = 1 };

	return yb_json_premium(&yb_viewer_public, &p);
}

static json_t *r_contribution(void)
{
	yb_contribution c = { .paid_by_ssn = "1", .paid_by_name = "李建国" };
	yb_contribution list[2] = { c, c };

	return yb_json_items(NULL, list, sizeof c, 2,
			     yb_json_contribution_item);
}

static json_t *r_calendar(void)
{
	yb_calendar_year y = { .year = 2026, .nholidays = 3, .nworkdays = 2,
			       .holidays = { 1, 2, 3 }, .workdays = { 4, 5 } };

	return yb_json_calendar(&y);
}

static json_t *r_application(void)
{
	yb_card_application a = { .id = 1, .ready_by = 1 };
	yb_card c = { .card_no = "C1" };

	return yb_json_application(&a, &c);
}

static json_t *r_bind_results(void)
{
	yb_bind_result res[2] = { { .ok = true, .binding = binding() },
				  { .ok = false } };

	yb_errf(&res[1].error, "binding.exists", "already bound");
	return yb_json_bind_results(&yb_viewer_operator, res, 2);
}

/*
 * Fail the n-th allocation, for every n until one run needs no more
 * than it is given: each answer is NULL or the whole object, and every
 * block is freed again.
 */
static void test_out_of_memory(void **state)
{
	static render_fn *const fns[] = {
		r_person, r_binding, r_settlement, r_resettlement, r_premium,
		r_contribution, r_calendar, r_application, r_bind_results,
	};
	int nulls = 0;

	(void)state;
	json_set_alloc_funcs(failing_malloc, counting_free);
	for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++) {
		json_t *full;
		long base;

		allocs_left = -1;
		full = fns[f]();
		assert_non_null(full);
		base = live;
		for (long n = 0;; n++) {
			json_t *got;

			allocs_left = n;
			got = fns[f]();
			if (got) {
				allocs_left = -1;
				assert_true(json_equal(got, full));
				json_decref(got);
				break;
			}
			nulls++;
			/* nothing kept of the failed attempt */
			assert_int_equal(live, base);
		}
		allocs_left = -1;
		json_decref(full);
		assert_int_equal(live, 0);
	}
	json_set_alloc_funcs(malloc, free);
	assert_true(nulls > 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_person),
		cmocka_unit_test(test_cards_and_register),
		cmocka_unit_test(test_money_records),
		cmocka_unit_test(test_audit_material_webhook),
		cmocka_unit_test(test_binding),
		cmocka_unit_test(test_premium),
		cmocka_unit_test(test_settlement),
		cmocka_unit_test(test_offline_and_usage),
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
