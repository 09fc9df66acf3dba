/*
 * http_records.c — statements, gaps and arrears (SPEC R1, R3, R4):
 *
 *   GET /api/v1/me/statements/{contributions,ledger}       a person's own
 *   GET /api/v1/persons/{ssn}/statements/{...}             on his behalf
 *   GET /api/v1/employers/{code}/statements/contributions  Q2
 *       ?from=YYYY-MM&to=YYYY-MM&format=csv|pdf — streamed (download.c)
 *   GET /api/v1/me/gaps, /api/v1/persons/{ssn}/gaps        R3
 *   GET /api/v1/me/arrears                                 R4, for him only
 *   GET /api/v1/employers/{code}/arrears    ?format=json|csv
 *   GET /api/v1/arrears                     ?sort=&order=&format=json|csv
 *
 * Everything that can be refused is decided before the first byte of a
 * statement goes out, so a refusal is always a JSON error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/httpd.h"

/* ?format= among the allowed ones; false (answered) when it is bad. */
static bool format_of(yb_hreq *r, bool json_ok, yb_format dflt,
		      yb_format *out)
{
	if (yb_format_parse(yb_req_query(r, "format"), json_ok, dflt, out))
		return true;
	yb_reply_errf(r, "record.invalid_format", "format: %s",
		      json_ok ? "json or csv" : "csv or pdf");
	return false;
}

/* ---- R1 statements -------------------------------------------------------- */

static void statement(yb_hreq *r, yb_statement_kind kind, const char *who)
{
	char name[160];
	yb_statement s;
	yb_stream *st = NULL;
	yb_format fmt;
	yb_err err;

	if (!format_of(r, false, YB_FMT_CSV, &fmt))
		return;
	if (yb_statement_open(&r->ctx, kind, who, yb_req_query(r, "from"),
			      yb_req_query(r, "to"), &s, &err) < 0 ||
	    yb_stream_new(&s, fmt, r->ctx.settings, &st, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_statement_filename(&s, fmt, name, sizeof name);
	yb_reply_stream(r, st, yb_format_mime(fmt), name);
}

void yb_handle_me_statement_contributions(yb_hreq *r)
{
	statement(r, YB_STATEMENT_CONTRIBUTIONS, NULL);
}

void yb_handle_me_statement_ledger(yb_hreq *r)
{
	statement(r, YB_STATEMENT_LEDGER, NULL);
}

void yb_handle_persons_statement_contributions(yb_hreq *r)
{
	statement(r, YB_STATEMENT_CONTRIBUTIONS, yb_req_param(r, 0));
}

void yb_handle_persons_statement_ledger(yb_hreq *r)
{
	statement(r, YB_STATEMENT_LEDGER, yb_req_param(r, 0));
}

void yb_handle_employers_statement(yb_hreq *r)
{
	statement(r, YB_STATEMENT_EMPLOYER, yb_req_param(r, 0));
}

/* ---- R3 gaps -------------------------------------------------------------------- */

static void gaps(yb_hreq *r, const char *ssn)
{
	yb_gaps g;
	yb_err err;

	if (yb_gaps_of(&r->ctx, ssn, &g, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK,
		      yb_json_gaps(&g, r->ctx.settings->gap_explanation));
	yb_gaps_release(&g);
}

void yb_handle_me_gaps(yb_hreq *r)
{
	gaps(r, NULL);
}

void yb_handle_persons_gaps(yb_hreq *r)
{
	gaps(r, yb_req_param(r, 0));
}

/* ---- R4 arrears ------------------------------------------------------------------ */

/* Q3: the agency's staff and the person himself see names; an employer
 * sees its employees' masked. */
static json_t *arrears_json(const yb_hreq *r, const yb_arrears *a)
{
	return yb_json_arrears(a, r->ctx.actor.role == YB_ROLE_EMPLOYER);
}

void yb_handle_me_arrears(yb_hreq *r)
{
	yb_arrears a;
	yb_err err;

	if (yb_arrears_self(&r->ctx, yb_req_query(r, "from"),
			    yb_req_query(r, "to"), &a, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_OK, arrears_json(r, &a));
	yb_arrears_release(&a);
}

void yb_handle_employers_arrears(yb_hreq *r)
{
	char name[128];
	yb_format fmt;
	yb_arrears a;
	char *csv;
	size_t len;
	yb_err err;

	if (!format_of(r, true, YB_FMT_JSON, &fmt))
		return;
	if (yb_arrears_of_employer(&r->ctx, yb_req_param(r, 0),
				   yb_req_query(r, "from"),
				   yb_req_query(r, "to"), &a, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	if (fmt == YB_FMT_JSON)
		yb_reply_json(r, MHD_HTTP_OK, arrears_json(r, &a));
	else if (yb_arrears_csv(&a, &csv, &len, &err) < 0)
		yb_reply_error(r, &err);
	else {
		snprintf(name, sizeof name, "arrears-%s-%s-%s.csv",
			 a.employer_code, a.from, a.to);
		yb_reply_file(r, csv, len, yb_format_mime(fmt), name);
	}
	yb_arrears_release(&a);
}

void yb_handle_arrears_get(yb_hreq *r)
{
	const char *order = yb_req_query(r, "order");
	const char *sort = yb_req_query(r, "sort");
	yb_employer_arrears *list = NULL;
	char from[YB_MONTH_SZ], to[YB_MONTH_SZ], name[64];
	yb_format fmt;
	bool asc;
	char *csv;
	size_t len;
	int n = 0;
	yb_err err;

	if (!format_of(r, true, YB_FMT_JSON, &fmt))
		return;
	if (order && strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0) {
		yb_reply_errf(r, "record.invalid_sort", "order: asc or desc");
		return;
	}
	/* names and codes read best A to Z, counts largest first */
	asc = order ? strcmp(order, "asc") == 0
		    : sort && (strcmp(sort, "employer_code") == 0 ||
			       strcmp(sort, "employer_name") == 0);
	if (yb_arrears_employers(&r->ctx, yb_req_query(r, "from"),
				 yb_req_query(r, "to"), sort, asc, from, to,
				 &list, &n, &err) < 0) {
		free(list);
		yb_reply_error(r, &err);
		return;
	}
	if (fmt == YB_FMT_JSON) {
		yb_reply_json(r, MHD_HTTP_OK, yb_json_employers_arrears(list, n, from, to));
	} else if (yb_arrears_employers_csv(list, n, from, to, &csv, &len,
					    &err) < 0) {
		yb_reply_error(r, &err);
	} else {
		snprintf(name, sizeof name, "arrears-%s-%s.csv", from, to);
		yb_reply_file(r, csv, len, yb_format_mime(fmt), name);
	}
	free(list);
}
