/*
 * card.h — social security cards (SPEC C1–C3, C5, C6) and the working-day
 * calendar they are promised by.
 */
#ifndef YB_SERVICE_CARD_H
#define YB_SERVICE_CARD_H

#include "service/ctx.h"

typedef struct yb_card_apply_req {
	const char *ssn;
	const char *route;               /* center|service_point|agent|employer */
	/* agent route: the entrusted person's certificate (C3c) */
	const char *agent_id_number;
	const char *agent_name;
	/* employer route: letter of introduction and handler (C3d) */
	const char *employer_code;
	const char *letter_ref;
	const char *handler_id_number;
} yb_card_apply_req;

/*
 * C2–C3: apply for a card.  `center` makes and issues it on the spot
 * (out_card filled, state issued); `service_point` makes it
 * in_production with ready_by = the 3rd working day after today; `agent`
 * and `employer` are made in_production at the center (ready_by likewise)
 * once their materials are complete.  Errors: card.invalid_route,
 * card.materials_missing (which one in the message), person.invalid_id_number
 * (an agent's or handler's certificate), employer.not_found,
 * person.not_found, person.not_active, card.already_has_valid_card,
 * calendar.year_not_loaded.
 */
int yb_card_apply(yb_ctx *ctx, const yb_card_apply_req *req,
		  yb_card_application *out_app, yb_card *out_card,
		  yb_err *err);

/* Hand over the card of an application (in_production|ready → issued). */
int yb_card_issue(yb_ctx *ctx, yb_id application_id, yb_card *out,
		  yb_err *err);

/* in_production → ready (the card has been made). */
int yb_card_mark_ready(yb_ctx *ctx, yb_id application_id, yb_card *out,
		       yb_err *err);

/* Financial activation by the bank (C1); only an issued card. */
int yb_card_activate(yb_ctx *ctx, const char *card_no, yb_card *out,
		     yb_err *err);

/* C5: report lost — frozen at once.  A person may report only his own. */
int yb_card_report_loss(yb_ctx *ctx, const char *card_no, yb_card *out,
			yb_err *err);

/* C6: returned (reason free text, e.g. "deceased") — cancelled. */
int yb_card_return(yb_ctx *ctx, const char *card_no, const char *reason,
		   yb_card *out, yb_err *err);

int yb_card_get(yb_ctx *ctx, const char *card_no, yb_card *out, yb_err *err);
int yb_card_application_get(yb_ctx *ctx, yb_id id, yb_card_application *out,
			    yb_err *err);

/* The calendar: replace a year's table; read it back (1 = loaded). */
int yb_calendar_put(yb_ctx *ctx, const yb_calendar_year *year, yb_err *err);
int yb_calendar_get(yb_ctx *ctx, int year, yb_calendar_year *out,
		    yb_err *err);

#endif
