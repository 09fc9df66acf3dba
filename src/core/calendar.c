/*
 * calendar.c — the working-day calendar (SPEC C3b): Monday to Friday,
 * minus the year's public holidays, plus its adjusted working weekends.
 *
 * A date whose year has no table is an error, never a guess: the promise
 * made to a person at a service point ("ready by ...") must rest on the
 * State Council's notice for that year, which the agency loads as data.
 * The tables are small (a few dozen dates a year), so lookups are linear.
 */
#include "core/calendar.h"

#include <string.h>

static const char invalid[] = "calendar.invalid";

void yb_calendar_init(yb_calendar *cal)
{
	memset(cal, 0, sizeof *cal);
}

static bool contains(const yb_date *dates, int n, yb_date d)
{
	for (int i = 0; i < n; i++)
		if (dates[i] == d)
			return true;
	return false;
}

static int year_of(yb_date d)
{
	int y;
	yb_date_to_ymd(d, &y, NULL, NULL);
	return y;
}

/* The checks of yb_calendar_add_year, shared with the file parser. */
static int check_year(const yb_calendar_year *y, yb_err *err)
{
	char buf[16];

	if (!yb_date_valid(y->year, 1, 1))
		return yb_errf(err, invalid, "year %d is out of range", y->year);
	if (y->nholidays < 0 || y->nholidays > YB_CAL_MAX_DAYS ||
	    y->nworkdays < 0 || y->nworkdays > YB_CAL_MAX_DAYS)
		return yb_errf(err, invalid,
			       "at most %d holidays and %d workdays a year",
			       YB_CAL_MAX_DAYS, YB_CAL_MAX_DAYS);
	for (int i = 0; i < y->nholidays; i++)
		if (year_of(y->holidays[i]) != y->year)
			return yb_errf(err, invalid, "holiday %s is not in %d",
				       yb_date_format(y->holidays[i], buf, sizeof buf),
				       y->year);
	for (int i = 0; i < y->nworkdays; i++) {
		if (year_of(y->workdays[i]) != y->year)
			return yb_errf(err, invalid, "workday %s is not in %d",
				       yb_date_format(y->workdays[i], buf, sizeof buf),
				       y->year);
		if (contains(y->holidays, y->nholidays, y->workdays[i]))
			return yb_errf(err, invalid,
				       "%s is both a holiday and a workday",
				       yb_date_format(y->workdays[i], buf, sizeof buf));
	}
	return 0;
}

static const yb_calendar_year *find_year(const yb_calendar *cal, int year)
{
	for (int i = 0; i < cal->nyears; i++)
		if (cal->years[i].year == year)
			return &cal->years[i];
	return NULL;
}

int yb_calendar_add_year(yb_calendar *cal, const yb_calendar_year *y,
			 yb_err *err)
{
	yb_calendar_year *slot;

	if (check_year(y, err) < 0)
		return -1;
	slot = (yb_calendar_year *)find_year(cal, y->year);
	if (!slot) {
		if (cal->nyears >= YB_CAL_MAX_YEARS)
			return yb_errf(err, invalid,
				       "at most %d years can be loaded at once",
				       YB_CAL_MAX_YEARS);
		slot = &cal->years[cal->nyears++];
	}
	*slot = *y;
	return 0;
}

bool yb_calendar_has_year(const yb_calendar *cal, int year)
{
	return find_year(cal, year) != NULL;
}

int yb_calendar_is_working_day(const yb_calendar *cal, yb_date date,
			       bool *working, yb_err *err)
{
	int year = year_of(date);
	const yb_calendar_year *y = find_year(cal, year);

	if (!y)
		return yb_errf(err, "calendar.year_not_loaded",
			       "the working-day calendar for %d is not loaded",
			       year);
	/* The notice's word wins over the weekday: a holiday is off even on
	 * a weekday, an adjusted workday is worked even on a weekend. */
	if (contains(y->holidays, y->nholidays, date))
		*working = false;
	else if (contains(y->workdays, y->nworkdays, date))
		*working = true;
	else
		*working = yb_date_weekday(date) <= 5;
	return 0;
}

int yb_calendar_add_working_days(const yb_calendar *cal, yb_date from, int n,
				 yb_date *out, yb_err *err)
{
	yb_date d = from;
	bool working;

	if (n < 1)
		return yb_errf(err, invalid,
			       "the number of working days must be at least 1");
	while (n > 0) {
		d++;
		if (yb_calendar_is_working_day(cal, d, &working, err) < 0)
			return -1;
		if (working)
			n--;
	}
	*out = d;
	return 0;
}

/* ---- the data file ---------------------------------------------------- */

#define LINE_MAX_LEN 128

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * Split a line (comment already cut) into a keyword and one argument,
 * both NUL-terminated in place.  Returns the number of words found (0, 1,
 * 2) or 3 for "too many".
 */
static int split_words(char *line, char **kw, char **arg)
{
	char *words[3] = { NULL, NULL, NULL };
	int n = 0;
	char *p = line;

	while (*p) {
		while (is_space(*p))
			*p++ = '\0';
		if (!*p)
			break;
		if (n == 3)
			break;
		words[n++] = p;
		while (*p && !is_space(*p))
			p++;
	}
	*kw = words[0];
	*arg = words[1];
	return n;
}

static int parse_line(char *line, int lineno, yb_calendar_year *out,
		      bool *have_year, yb_err *err)
{
	char *kw, *arg, *hash = strchr(line, '#');
	int nwords;
	yb_date d;

	if (hash)
		*hash = '\0';
	nwords = split_words(line, &kw, &arg);
	if (nwords == 0)
		return 0;
	if (nwords != 2)
		return yb_errf(err, invalid,
			       "line %d: expected a keyword and one value", lineno);

	if (strcmp(kw, "year") == 0) {
		int y = 0;
		if (*have_year)
			return yb_errf(err, invalid,
				       "line %d: a second \"year\" line", lineno);
		if (strlen(arg) == 4 && strspn(arg, "0123456789") == 4)
			y = (arg[0] - '0') * 1000 + (arg[1] - '0') * 100 +
			    (arg[2] - '0') * 10 + (arg[3] - '0');
		if (!yb_date_valid(y, 1, 1))
			return yb_errf(err, invalid,
				       "line %d: \"%s\" is not a year", lineno, arg);
		out->year = y;
		*have_year = true;
		return 0;
	}
	if (!*have_year)
		return yb_errf(err, invalid,
			       "line %d: the file must start with a \"year\" line",
			       lineno);
	if (strcmp(kw, "holiday") != 0 && strcmp(kw, "workday") != 0)
		return yb_errf(err, invalid,
			       "line %d: unknown keyword \"%s\"", lineno, kw);
	if (!yb_date_parse(arg, &d))
		return yb_errf(err, invalid,
			       "line %d: \"%s\" is not a date (YYYY-MM-DD)",
			       lineno, arg);
	if (year_of(d) != out->year)
		return yb_errf(err, invalid,
			       "line %d: %s is not in %d", lineno, arg, out->year);

	{
		bool hol = kw[0] == 'h';
		yb_date *list = hol ? out->holidays : out->workdays;
		int *n = hol ? &out->nholidays : &out->nworkdays;

		if (hol ? contains(out->workdays, out->nworkdays, d)
			: contains(out->holidays, out->nholidays, d))
			return yb_errf(err, invalid,
				       "line %d: %s is both a holiday and a workday",
				       lineno, arg);
		/* A repeated line is harmless and kept once. */
		if (contains(list, *n, d))
			return 0;
		if (*n >= YB_CAL_MAX_DAYS)
			return yb_errf(err, invalid, "line %d: more than %d %ss",
				       lineno, YB_CAL_MAX_DAYS, kw);
		list[(*n)++] = d;
	}
	return 0;
}

int yb_calendar_parse_year(const char *text, yb_calendar_year *out,
			   yb_err *err)
{
	char line[LINE_MAX_LEN];
	bool have_year = false;
	int lineno = 0;
	const char *p = text;

	memset(out, 0, sizeof *out);
	if (!text)
		return yb_errf(err, invalid, "no calendar text");
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		lineno++;
		if (len >= sizeof line)
			return yb_errf(err, invalid, "line %d is too long",
				       lineno);
		memcpy(line, p, len);
		line[len] = '\0';
		if (parse_line(line, lineno, out, &have_year, err) < 0)
			return -1;
		p += len;
		if (*p == '\n')
			p++;
	}
	if (!have_year)
		return yb_errf(err, invalid, "no \"year\" line");
	return check_year(out, err);
}
