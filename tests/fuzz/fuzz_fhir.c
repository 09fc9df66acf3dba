/*
 * fuzz_fhir.c — the FHIR edge's request bodies (issue 14 for issue 19's
 * /fhir/R4/): the exact-decimal lexer (src/fhir/fhir_lex.c), jansson over
 * its output, as yb_fhir_body reads a body, then the Claim decoder
 * (fhir_decode.c) that a settlement takes.
 *
 * Beyond "no crash, leak or UB", the lexer must not change what the JSON
 * says, which is what found the string "\u0001300" read as the number
 * 300 and "{}\0..." read as "{}":
 *  - it refuses only with request.invalid_json, and then plain jansson
 *    refuses too, or the text nests deeper than the edge allows, or it
 *    holds U+0001 or a NUL byte (which jansson lets pass after a number);
 *  - where jansson (same flags) parses the text, the tagged parse has
 *    the same shape: every string the same string and no number, every
 *    number a tagged string with the same value; where only the tagged
 *    parse succeeds, jansson's reason is a number it cannot hold;
 *  - the tagged tree dumped and untagged parses back equal to jansson's;
 *  - a decimal taken as money is exact: fen ↔ text both ways;
 *  - the Claim decoder refuses with a client error, and names the
 *    element (issue.expression) for every request.* code.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "fhir/fhir_int.h"
#include "fuzz.h"
#include "http/httpd.h"
#include "service/settle.h"

/* Depth of a parsed value (a scalar is 0). */
static int depth_of(const json_t *v)
{
	int d = 0;
	size_t i;
	const char *k;
	json_t *x;

	if (json_is_object(v))
		json_object_foreach((json_t *)v, k, x)
			if (depth_of(x) > d)
				d = depth_of(x);
	if (json_is_array(v))
		json_array_foreach(v, i, x)
			if (depth_of(x) > d)
				d = depth_of(x);
	return json_is_object(v) || json_is_array(v) ? d + 1 : 0;
}

/* Does a string of v hold U+0001, the lexer's number tag (refused)? */
static bool holds_tag(const json_t *v)
{
	const char *k;
	size_t i;
	json_t *x;

	if (json_is_string(v))
		return memchr(json_string_value(v), YB_FHIR_NUM_TAG,
			      json_string_length(v)) != NULL;
	if (json_is_object(v))
		json_object_foreach((json_t *)v, k, x)
			if (holds_tag(x) || strchr(k, YB_FHIR_NUM_TAG))
				return true;
	if (json_is_array(v))
		json_array_foreach(v, i, x)
			if (holds_tag(x))
				return true;
	return false;
}

/* A money decimal: the fen it reads as writes back to the same fen, and
 * is the decimal's value (exact below 2^50 fen). */
static void money(const char *text)
{
	int64_t fen, again;
	json_t *back;

	if (!yb_fhir_dec_to_fen(text, &fen))
		return;
	back = yb_fhir_jdec(fen);
	FUZZ_CHECK(back != NULL);
	FUZZ_CHECK(yb_fhir_dec_to_fen(yb_fhir_num_text(back), &again));
	FUZZ_CHECK(again == fen);
	json_decref(back);
	if (llabs(fen) < (1LL << 50))
		FUZZ_CHECK(llroundl(strtold(text, NULL) * 100) == fen);
}

/* The tagged tree `t` says what jansson's tree `p` says. */
static void same(const json_t *p, const json_t *t)
{
	const char *k, *num = yb_fhir_num_text(t);
	size_t i;
	json_t *x;

	switch (json_typeof(p)) {
	case JSON_OBJECT:
		FUZZ_CHECK(json_is_object(t));
		FUZZ_CHECK(json_object_size(p) == json_object_size(t));
		json_object_foreach((json_t *)p, k, x)
			same(x, json_object_get(t, k));
		break;
	case JSON_ARRAY:
		FUZZ_CHECK(json_is_array(t));
		FUZZ_CHECK(json_array_size(p) == json_array_size(t));
		json_array_foreach(p, i, x)
			same(x, json_array_get(t, i));
		break;
	case JSON_STRING:
		FUZZ_CHECK(json_is_string(t) && num == NULL);
		FUZZ_CHECK(json_equal(p, t));
		break;
	case JSON_INTEGER:
		FUZZ_CHECK(num != NULL);
		FUZZ_CHECK(strtoll(num, NULL, 10) == json_integer_value(p));
		money(num);
		break;
	case JSON_REAL:
		FUZZ_CHECK(num != NULL);
		FUZZ_CHECK(strtod(num, NULL) == json_real_value(p));
		money(num);
		break;
	default:
		FUZZ_CHECK(json_typeof(t) == json_typeof(p));
	}
}

/* Dumped and untagged, the tagged tree is jansson's again. */
static void round_trip(const json_t *p, const json_t *t)
{
	char *s = json_dumps(t, JSON_COMPACT);
	json_t *back;

	FUZZ_CHECK(s != NULL);
	yb_fhir_untag(s);
	back = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	FUZZ_CHECK(back != NULL);
	FUZZ_CHECK(json_equal(back, p));
	json_decref(back);
	free(s);
}

/* The Claim decoder: a client error naming the element, or a request. */
static void claim(const json_t *t)
{
	yb_settle_req req;
	bool preview;
	char expr[YB_ERR_MSG_MAX];
	yb_err err;

	memset(&req, 0, sizeof req);
	yb_err_clear(&err);
	if (yb_fhir_claim_decode(t, &req, &preview, &err) < 0) {
		fuzz_client_error(&err);
		yb_fhir_expression(err.message, expr, sizeof expr);
		if (strncmp(err.code, "request.", 8) == 0)
			FUZZ_CHECK(expr[0] != '\0');
		return;
	}
	FUZZ_CHECK(req.txn_id && req.cred_type && req.cred_value &&
		   req.visit_type);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t je;
	json_t *plain, *tagged = NULL;
	char *text;
	bool lexed;
	yb_err err;

	plain = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
			   &je);
	yb_err_clear(&err);
	text = yb_fhir_tag_numbers((const char *)data, size,
				   YB_HTTP_JSON_DEPTH_MAX, &err);
	lexed = text != NULL;
	if (!lexed) {
		fuzz_client_error(&err);
		FUZZ_CHECK(strcmp(err.code, "request.invalid_json") == 0);
		/* (jansson 2.14 drops a NUL byte that follows a number:
		 * '{"a":1\0}' is {"a":1} to it; the lexer refuses any.) */
		FUZZ_CHECK(!plain || holds_tag(plain) ||
			   memchr(data, 0, size) ||
			   depth_of(plain) > YB_HTTP_JSON_DEPTH_MAX);
	} else {
		tagged = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
		free(text);
	}
	if (plain && lexed) {
		FUZZ_CHECK(tagged != NULL);
		same(plain, tagged);
		round_trip(plain, tagged);
	} else if (tagged) {
		FUZZ_CHECK(strstr(je.text, "too big") ||
			   strstr(je.text, "overflow"));
	}
	if (tagged && json_is_object(tagged))
		claim(tagged);
	json_decref(plain);
	json_decref(tagged);
	return 0;
}
