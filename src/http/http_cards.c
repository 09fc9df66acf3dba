/*
 * http_cards.c — social security cards (SPEC C1–C3, C5, C6): applications
 * on the four routes, issue, financial activation, loss and return; and
 * the working-day calendar that service-point applications are promised
 * by (C3b).
 */
#include <string.h>

#include "core/enums.h"
#include "http/decode.h"
#include "http/httpd.h"
#include "service/card.h"

int yb_decode_card_apply(const json_t *j, yb_card_apply_req *req,
			 yb_err *err)
{
	const json_t *agent = NULL, *emp = NULL;

	return (yb_jget_str(j, NULL, "ssn", true, &req->ssn, err) < 0 ||
		yb_jget_str(j, NULL, "route", true, &req->route, err) < 0 ||
		yb_jget_obj(j, NULL, "agent", false, &agent, err) < 0 ||
		yb_jget_obj(j, NULL, "employer", false, &emp, err) < 0 ||
		yb_jget_str(agent, "agent", "id_number", false,
			    &req->agent_id_number, err) < 0 ||
		yb_jget_str(agent, "agent", "name", false, &req->agent_name,
			    err) < 0 ||
		yb_jget_str(emp, "employer", "code", false,
			    &req->employer_code, err) < 0 ||
		yb_jget_str(emp, "employer", "letter_ref", false,
			    &req->letter_ref, err) < 0 ||
		yb_jget_str(emp, "employer", "handler_id_number", false,
			    &req->handler_id_number, err) < 0) ? -1 : 0;
}

void yb_handle_card_applications_post(yb_hreq *r)
{
	yb_card_apply_req req = { 0 };
	yb_card_application app = { 0 };
	yb_card card = { 0 };
	yb_err err;

	if (yb_decode_card_apply(r->json, &req, &err) < 0 ||
	    yb_card_apply(&r->ctx, &req, &app, &card, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	yb_reply_json(r, MHD_HTTP_CREATED, yb_json_application(&app, &card));
}

/* Answer with a card object after one of the card's transitions. */
static void reply_card(yb_hreq *r, int rc, const yb_card *c, yb_err *err)
{
	if (rc < 0)
		yb_reply_error(r, err);
	else
		yb_reply_json(r, MHD_HTTP_OK, yb_json_card(c));
}

void yb_handle_card_applications_issue(yb_hreq *r)
{
	yb_card c;
	yb_id id;
	yb_err err;
	int rc;

	rc = yb_req_id_param(r, 0, "card.application_not_found", &id, &err);
	if (rc == 0)
		rc = yb_card_issue(&r->ctx, id, &c, &err);
	reply_card(r, rc, &c, &err);
}

void yb_handle_cards_activation(yb_hreq *r)
{
	yb_card c;
	yb_err err;
	int rc = yb_card_activate(&r->ctx, yb_req_param(r, 0), &c, &err);

	reply_card(r, rc, &c, &err);
}

void yb_handle_cards_loss(yb_hreq *r)
{
	yb_card c;
	yb_err err;
	int rc = yb_card_report_loss(&r->ctx, yb_req_param(r, 0), &c, &err);

	reply_card(r, rc, &c, &err);
}

void yb_handle_cards_return(yb_hreq *r)
{
	const char *reason = NULL;
	yb_card c;
	yb_err err;
	int rc = yb_jget_str(r->json, NULL, "reason", true, &reason, &err);

	if (rc == 0)
		rc = yb_card_return(&r->ctx, yb_req_param(r, 0), reason, &c,
				    &err);
	reply_card(r, rc, &c, &err);
}

/* ---- the working-day calendar -------------------------------------------- */

static int year_param(const yb_hreq *r, int *year, yb_err *err)
{
	const char *s = yb_req_param(r, 0);

	if (strlen(s) != 4 || strspn(s, "0123456789") != 4 || s[0] == '0')
		return yb_errf(err, "request.invalid_field",
			       "the year must be four digits");
	*year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
		(s[3] - '0');
	return 0;
}

static void reply_year(yb_hreq *r, const yb_calendar_year *y)
{
	yb_reply_json(r, MHD_HTTP_OK, yb_json_calendar(y));
}

void yb_handle_calendar_get(yb_hreq *r)
{
	yb_calendar_year y;
	yb_err err;
	int year = 0, rc;

	if (year_param(r, &year, &err) < 0 ||
	    (rc = yb_calendar_get(&r->ctx, year, &y, &err)) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	if (rc == 0) {
		yb_reply_errf(r, "calendar.year_not_loaded",
			      "the calendar of %d is not loaded", year);
		return;
	}
	reply_year(r, &y);
}

/* holidays or workdays: an array of at most YB_CAL_MAX_DAYS dates. */
static int parse_dates(const json_t *body, const char *name, yb_date *out,
		       int *n, yb_err *err)
{
	const json_t *arr = NULL;
	size_t i;

	*n = 0;
	if (yb_jget_arr(body, NULL, name, true, &arr, err) < 0)
		return -1;
	if (json_array_size(arr) > YB_CAL_MAX_DAYS)
		return yb_errf(err, "calendar.invalid",
			       "at most %d %s in a year", YB_CAL_MAX_DAYS, name);
	for (i = 0; i < json_array_size(arr); i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		if (!s || !yb_date_parse(s, &out[i]))
			return yb_errf(err, "request.invalid_date",
				       "%s[%zu] must be a date YYYY-MM-DD", name,
				       i);
	}
	*n = (int)i;
	return 0;
}

int yb_decode_calendar(const json_t *j, yb_calendar_year *y, yb_err *err)
{
	return (parse_dates(j, "holidays", y->holidays, &y->nholidays,
			    err) < 0 ||
		parse_dates(j, "workdays", y->workdays, &y->nworkdays,
			    err) < 0) ? -1 : 0;
}

void yb_handle_calendar_put(yb_hreq *r)
{
	yb_calendar_year y;
	yb_err err;

	memset(&y, 0, sizeof y);
	if (year_param(r, &y.year, &err) < 0 ||
	    yb_decode_calendar(r->json, &y, &err) < 0 ||
	    yb_calendar_put(&r->ctx, &y, &err) < 0) {
		yb_reply_error(r, &err);
		return;
	}
	reply_year(r, &y);
}
