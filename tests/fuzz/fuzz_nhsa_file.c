/*
 * fuzz_nhsa_file.c — 9101's detail file as bytes (src/nhsa/nhsa_file.c,
 * nhsa_detail.c; docs/NHSA.md "Files"): what the gateway does with an
 * uploaded file once `in` is decoded — the .zip around it (libzip) and
 * its lines.  (`in` itself is reached by the `nhsa` target: 9101's
 * decoder is in its table.)
 *
 * Byte 0's low bit says whether the rest is a .zip or a .txt.  Beyond
 * "no crash, leak or UB":
 *   - a refusal is a client error whose code is in the gateway's table;
 *   - an accepted text is at most YB_NHSA_FILE_TEXT_MAX bytes; its rows
 *     are sorted by setl_id, each once, with amounts within U1's range;
 *   - a text written into a .zip by yb_nhsa_zip_one (3202's result file)
 *     reads back byte for byte.
 */
#include <string.h>

#include "fuzz.h"
#include "nhsa/nhsa_env.h"
#include "nhsa/nhsa_file.h"

#include "core/money.h"

static void refused(const yb_err *err)
{
	fuzz_client_error(err);
	FUZZ_CHECK(strcmp(yb_nhsa_err_text(err->code), "系统错误") != 0);
}

static void rows_sound(const yb_nhsa_detail *r, int n)
{
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(r[i].setl_id[0] && r[i].mdtrt_id[0] && r[i].psn_no[0]);
		FUZZ_CHECK(r[i].medfee_fen >= 0 && r[i].medfee_fen <= YB_MONEY_MAX);
		FUZZ_CHECK(r[i].fund_fen >= 0 && r[i].fund_fen <= YB_MONEY_MAX);
		FUZZ_CHECK(r[i].acct_fen >= 0 && r[i].acct_fen <= YB_MONEY_MAX);
		FUZZ_CHECK(r[i].line >= 1);
		if (i > 0)
			FUZZ_CHECK(strcmp(r[i - 1].setl_id, r[i].setl_id) < 0);
	}
}

/* Our own .zip of `text` gives `text` back. */
static void zip_round_trip(const char *text, size_t len)
{
	unsigned char *z = NULL;
	size_t zlen = 0, blen = 0;
	char *back = NULL;
	yb_err err;

	FUZZ_CHECK(yb_nhsa_zip_one("r.txt", text, len, &z, &zlen, &err) == 0);
	FUZZ_CHECK(yb_nhsa_file_text(z, zlen, true, &back, &blen, &err) == 0);
	FUZZ_CHECK(blen == len && memcmp(back, text, len) == 0);
	free(back);
	free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = NULL;
	size_t tlen = 0;
	yb_nhsa_detail *rows = NULL;
	int n = 0;
	yb_err err;

	if (size < 1 || size > YB_NHSA_FILE_MAX)
		return 0;
	if (yb_nhsa_file_text(data + 1, size - 1, data[0] & 1, &text, &tlen,
			      &err) < 0) {
		refused(&err);
		FUZZ_CHECK(text == NULL);
		return 0;
	}
	FUZZ_CHECK(tlen <= YB_NHSA_FILE_TEXT_MAX && text[tlen] == '\0');
	if (yb_nhsa_detail_parse(text, tlen, &rows, &n, &err) < 0) {
		refused(&err);
		FUZZ_CHECK(rows == NULL);
	} else {
		rows_sound(rows, n);
	}
	if (tlen <= 64 * 1024)
		zip_round_trip(text, tlen);
	free(rows);
	free(text);
	return 0;
}
