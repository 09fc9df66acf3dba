/*
 * fuzz_json.c — every JSON request body the API takes (issue #14, X4).
 *
 * The first byte picks the handler's decoder (http/decode.h), the rest is
 * the body.  The bytes go the way a request's do: yb_body_decode (depth,
 * strict parse, object), the decoder, then the pure validators (core/)
 * the services apply to the decoded fields.  Every refusal must be a
 * client error with a table code whose error body can be encoded — the
 * defect that answered `{"login":"张\三"}` with 500 out_of_memory.
 */
#include <string.h>

#include "core/date.h"
#include "core/idnum.h"
#include "core/mask.h"
#include "fuzz.h"
#include "http/decode.h"
#include "http/httpd.h"

/* A refusal: a client error, and its body encodes. */
static void refused(const yb_err *err)
{
	json_t *body;

	fuzz_client_error(err);
	body = yb_error_body(err->code, err->message);
	FUZZ_CHECK(body != NULL);
	json_decref(body);
}

/* The pure checks the services run on decoded fields; they must not
 * crash, and an accepted ID number must round-trip. */
static void idnum(const char *s)
{
	yb_idnum out;
	yb_err err;

	if (!s)
		return;
	if (yb_idnum_parse(s, yb_date_from_ymd(2026, 12, 4), &out, &err) < 0) {
		refused(&err);
		return;
	}
	FUZZ_CHECK(strlen(out.normalized) == 18);
	FUZZ_CHECK(yb_idnum_check_char(out.normalized) == out.normalized[17]);
}

static void text(const char *s)
{
	if (s) {
		(void)yb_utf8_valid_text(s);
		(void)yb_ssn_valid(s);
	}
}

static void person_new(const json_t *j)
{
	yb_person_new in = { 0 };
	yb_err err;

	if (yb_decode_person_new(j, &in, &err) < 0)
		return refused(&err);
	text(in.ssn);
	text(in.name);
	idnum(in.id_number);
	if (in.region)
		(void)yb_region_valid(in.region);
}

static void login(const json_t *j)
{
	const char *l = NULL, *p = NULL;
	yb_err err;

	if (yb_decode_login(j, &l, &p, &err) < 0)
		return refused(&err);
	text(l);
}

static void employer(const json_t *j)
{
	const char *code = NULL, *name = NULL;
	yb_err err;

	if (yb_decode_employer(j, &code, &name, &err) < 0)
		return refused(&err);
	text(name);
}

static void contribution(const json_t *j)
{
	yb_contribution_new in = { 0 };
	yb_err err;

	if (yb_decode_contribution(j, &in, &err) < 0)
		return refused(&err);
	text(in.ssn);
	(void)yb_period_valid(in.period);
}

static void institution(const json_t *j)
{
	const char *code = NULL, *name = NULL, *type = NULL;
	yb_err err;

	if (yb_decode_institution(j, &code, &name, &type, &err) < 0)
		return refused(&err);
	text(name);
}

static void settle(const json_t *j)
{
	yb_settle_req req = { 0 };
	yb_err err;

	if (yb_settle_body(j, &req, &err) < 0)
		return refused(&err);
	text(req.cred_value);
}

static void offline(const json_t *j)
{
	yb_offline_req req = { 0 };
	yb_err err;

	if (yb_decode_offline(j, &req, &err) < 0)
		return refused(&err);
	text(req.cred_value);
}

static void recon(const json_t *j)
{
	yb_recon_totals t = { 0 };
	yb_err err;

	if (yb_decode_recon(j, &t, &err) < 0)
		return refused(&err);
	FUZZ_CHECK(t.count >= 0 && t.revoked_count >= 0);
}

static void card_apply(const json_t *j)
{
	yb_card_apply_req req = { 0 };
	yb_err err;

	if (yb_decode_card_apply(j, &req, &err) < 0)
		return refused(&err);
	idnum(req.agent_id_number);
	idnum(req.handler_id_number);
	text(req.agent_name);
}

static void calendar(const json_t *j)
{
	yb_calendar_year y;
	yb_err err;

	memset(&y, 0, sizeof y);
	if (yb_decode_calendar(j, &y, &err) < 0)
		return refused(&err);
	FUZZ_CHECK(y.nholidays <= YB_CAL_MAX_DAYS &&
		   y.nworkdays <= YB_CAL_MAX_DAYS);
}

static void relatives(const json_t *j, yb_bind_req *req)
{
	yb_bind_row rows[YB_BIND_MAX_RELATIVES];
	int n = 0;
	yb_err err;

	if (yb_decode_relatives(j, rows, &n, &err) < 0)
		return refused(&err);
	FUZZ_CHECK(n >= 1 && n <= YB_BIND_MAX_RELATIVES);
	for (int i = 0; i < n; i++)
		idnum(rows[i].id_number);
	(void)req;
}

static void me_bindings(const json_t *j)
{
	yb_bind_req req = { 0 };
	yb_err err;

	if (yb_jget_str(j, NULL, "channel", false, &req.channel, &err) < 0)
		return refused(&err);
	relatives(j, &req);
}

static void operator_bindings(const json_t *j)
{
	yb_bind_req req = { 0 };
	yb_err err;

	if (yb_decode_bind_operator(j, &req, &err) < 0)
		return refused(&err);
	idnum(req.authorizer_id_number);
	relatives(j, &req);
}

/* family (E1): a premium by the person, then at the window */
static void premium(const json_t *j)
{
	yb_premium_req req;
	yb_err err;

	if (yb_decode_premium(j, false, &req, &err) < 0)
		refused(&err);
	else
		FUZZ_CHECK(req.relative_ssn && req.client_request_id);
	if (yb_decode_premium(j, true, &req, &err) < 0)
		return refused(&err);
	idnum(req.desk.authorizer_id_number);
	idnum(req.relative_id_number);
}

/* The bodies of one string: a password, a termination or return reason. */
static void one_string(const json_t *j)
{
	const char *s = NULL;
	yb_err err;

	if (yb_jget_str(j, NULL, "password", true, &s, &err) < 0)
		refused(&err);
	if (yb_jget_str(j, NULL, "reason", true, &s, &err) < 0)
		refused(&err);
	text(s);
}

static void (*const decoders[])(const json_t *) = {
	person_new, login, employer, contribution, institution, settle,
	offline, recon, card_apply, calendar, me_bindings, operator_bindings,
	one_string, premium,
	/* (national-interface envelopes have their own target: see
	 * tests/fuzz/README.md) */
};

#define NDECODERS (sizeof decoders / sizeof decoders[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = NULL;
	yb_err err;
	char *dumped;

	if (size < 1)
		return 0;
	yb_err_clear(&err);
	if (yb_body_decode((const char *)data + 1, size - 1, &j, &err) < 0) {
		refused(&err);
		json_decref(j);
		return 0;
	}
	/* What jansson took in, it can write out (valid UTF-8 only). */
	dumped = json_dumps(j, JSON_COMPACT);
	FUZZ_CHECK(dumped != NULL);
	free(dumped);
	decoders[data[0] % NDECODERS](j);
	json_decref(j);
	return 0;
}
