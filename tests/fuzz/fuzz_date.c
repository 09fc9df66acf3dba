/*
 * fuzz_date.c — the date and period parsers (SPEC U5): "YYYY-MM-DD",
 * "YYYYMMDD", RFC 3339 instants and contribution periods "YYYY-MM"
 * (issue #14).
 *
 * Invariants: an accepted date is a real one and formats back to the
 * same text; a compact date agrees with the dashed one; an accepted
 * instant formats and parses back to the same second.
 */
#include <string.h>

#include "core/date.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	char buf[32];
	yb_date d, d2;
	yb_time t, t2;
	int y, m, dd;

	if (yb_date_parse(s, &d)) {
		yb_date_to_ymd(d, &y, &m, &dd);
		FUZZ_CHECK(yb_date_valid(y, m, dd));
		FUZZ_CHECK(strcmp(yb_date_format(d, buf, sizeof buf), s) == 0);
		FUZZ_CHECK(yb_date_weekday(d) >= 1 && yb_date_weekday(d) <= 7);
	}
	if (yb_date_parse_compact(s, &d)) {
		yb_date_format(d, buf, sizeof buf);
		FUZZ_CHECK(yb_date_parse(buf, &d2) && d2 == d);
	}
	if (yb_time_parse(s, &t)) {
		yb_time_format(t, buf, sizeof buf);
		FUZZ_CHECK(yb_time_parse(buf, &t2) && t2 == t);
		d = yb_date_of(t);
		FUZZ_CHECK(yb_time_of_date(d) <= t);
	}
	if (yb_period_valid(s))
		FUZZ_CHECK(strlen(s) == 7 && s[4] == '-');
	free(s);
	return 0;
}
