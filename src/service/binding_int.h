/*
 * binding_int.h — what the rest of the family policy borrows from the
 * binding use cases (binding.c): the checks of an operator's desk (F5),
 * so that paying a premium (E1) or setting a cap (E2) on someone's
 * behalf asks exactly what ending his binding asks.
 */
#ifndef YB_SERVICE_BINDING_INT_H
#define YB_SERVICE_BINDING_INT_H

#include "service/binding.h"

/*
 * Inside the caller's transaction: the channel must be the caller's own
 * (F5), the authorizer is identified by SSN and ID number (an operator
 * channel or a terminal; a person on the web is himself) and the
 * channel's materials are there (a terminal's authorizer card is his own,
 * valid and activated).  Fills *authorizer, *channel and the materials as
 * recorded (JSON, "{}" on the web).  Errors as yb_unbind's request
 * checks: binding.channel_not_allowed, request.missing_field,
 * binding.identity_mismatch, binding.materials_missing,
 * binding.card_mismatch, binding.card_not_activated.
 */
int yb_bind_desk_check(yb_ctx *ctx, const yb_bind_req *req,
		       yb_person *authorizer, yb_channel *channel,
		       char *materials, size_t size, yb_err *err);

/* F2: the person both an SSN and an ID number name, or
 * binding.identity_mismatch (never saying which of them is registered). */
int yb_bind_identify(yb_ctx *ctx, const char *ssn, const char *id_number,
		     yb_person *out, yb_err *err);

#endif
