/*
 * fuzz_nhsa.c — the national interface's bytes (src/nhsa/, docs/NHSA.md):
 * the envelope decoder and every transaction's input decoder, which is
 * all the gateway does with a body before it authenticates anything.
 *
 * The input is a body.  The envelope is decoded (exact numbers, every
 * field of NHSA.md §1.1); then the input decoder of every transaction
 * runs on it, whatever its infno says, so each decoder sees every shape.
 * Beyond "no crash, leak or UB":
 *   - a refusal is a client error with a code of the table, and its
 *     Chinese err_msg is the table's (never the catch-all 系统错误);
 *   - a decoder either makes a request or refuses and leaves none;
 *   - what the reply encoder writes of any decoded input is JSON the
 *     decoder reads back, and writes again the same (the reply of a
 *     repeated msgid is these bytes);
 *   - an accepted amount goes back to its text exactly (U1);
 *   - the reader (nhsa_parse.c) accepts what json_loadb accepts and makes
 *     the same tree, on bodies where the two can be compared (no number,
 *     whose text the reader keeps and jansson does not; no NUL; nesting
 *     within YB_NHSA_DEPTH_MAX).
 */
#include <string.h>

#include "fuzz.h"
#include "nhsa/nhsa_env.h"
#include "nhsa/nhsa_in.h"
#include "nhsa/nhsa_json.h"

static void refused(const yb_err *err)
{
	char msg[512];

	fuzz_client_error(err);
	FUZZ_CHECK(strcmp(yb_nhsa_err_text(err->code), "系统错误") != 0);
	yb_nhsa_err_msg(err, msg, sizeof msg);
	FUZZ_CHECK(strstr(msg, err->code) != NULL);
}

/* The reply encoder's text of `v` is read back and written the same. */
static void round_trip(json_t *v)
{
	yb_nhsa_reply reply;
	json_t *back = NULL;
	char *text, *again;
	size_t len, len2;
	yb_err err;

	memset(&reply, 0, sizeof reply);
	reply.output = v;
	text = yb_nhsa_reply_encode(&reply, &len);
	FUZZ_CHECK(text != NULL && strlen(text) == len);
	FUZZ_CHECK(yb_nhsa_parse(text, len, &back, &err) == 0);
	reply.output = json_object_get(back, "output");
	again = yb_nhsa_reply_encode(&reply, &len2);
	FUZZ_CHECK(again != NULL && len2 == len && memcmp(text, again, len) == 0);
	free(again);
	free(text);
	json_decref(back);
}

/* An amount the decoder took is the fen its text says. */
static void amounts(const json_t *o)
{
	const char *key;
	json_t *v;
	int64_t fen;
	yb_err err;

	json_object_foreach((json_t *)o, key, v) {
		char *text;
		json_t *back;
		if (json_is_object(v)) {
			amounts(v);
			continue;
		}
		if (yb_nhsa_get_amount(o, "fuzz", key, false, &fen, &err) < 0) {
			refused(&err);
			continue;
		}
		back = yb_nhsa_jamount(fen);
		FUZZ_CHECK(back != NULL);
		text = yb_nhsa_dump(back, NULL);
		FUZZ_CHECK(text != NULL);
		{
			int64_t again = -1;
			FUZZ_CHECK(yb_nhsa_decimal(text, 2, INT64_MAX, &again));
			FUZZ_CHECK(again == fen);
		}
		free(text);
		json_decref(back);
	}
}

static int depth(const json_t *v)
{
	const char *key;
	json_t *m;
	size_t i;
	int d = 0;

	if (json_is_object(v))
		json_object_foreach((json_t *)v, key, m)
			d = d > depth(m) ? d : depth(m);
	else if (json_is_array(v))
		json_array_foreach(v, i, m)
			d = d > depth(m) ? d : depth(m);
	else
		return 0;
	return d + 1;
}

static void same_as_jansson(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *want, *got = NULL;
	yb_err err;
	int rc;

	for (size_t i = 0; i < size; i++)
		if (data[i] == '\0' || data[i] == '-' ||
		    (data[i] >= '0' && data[i] <= '9'))
			return;
	want = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
			  &jerr);
	if (want && (!json_is_object(want) ||
		     depth(want) > YB_NHSA_DEPTH_MAX)) {
		json_decref(want);
		return;
	}
	rc = yb_nhsa_parse((const char *)data, size, &got, &err);
	FUZZ_CHECK((rc == 0) == (want != NULL));
	FUZZ_CHECK(!want || json_equal(want, got));
	json_decref(want);
	json_decref(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	yb_nhsa_env env;
	yb_nhsa_decode_fn *fn;
	yb_err err;

	same_as_jansson(data, size);
	if (yb_nhsa_env_decode((const char *)data, size, &env, &err) < 0) {
		refused(&err);
		FUZZ_CHECK(env.infno != NULL && env.msgid != NULL);
		yb_nhsa_env_free(&env);
		return 0;
	}
	FUZZ_CHECK(yb_nhsa_msgid_ok(env.msgid));
	FUZZ_CHECK(json_is_object(env.input));
	for (int i = 0; yb_nhsa_decoder_at(i, &fn); i++) {
		void *req = NULL;
		yb_err_clear(&err);
		if (fn(&env, &req, &err) < 0) {
			FUZZ_CHECK(req == NULL);
			refused(&err);
		} else {
			FUZZ_CHECK(req != NULL);
			free(req);
		}
	}
	amounts(env.input);
	round_trip(env.input);
	yb_nhsa_env_free(&env);
	return 0;
}
