/*
 * decode.h — the request-body decoders of the handlers: a parsed JSON
 * body (an object) into the service's request struct, or a stable error
 * (request.missing_field, request.invalid_field, ...).
 *
 * They live beside their handlers and are exported so that they can be
 * run without a server: the JSON fuzz target (tests/fuzz/fuzz_json.c,
 * issue #14) drives each of them.  Strings point into the JSON object.
 */
#ifndef YB_HTTP_DECODE_H
#define YB_HTTP_DECODE_H

#include <jansson.h>

#include "core/calendar.h"
#include "core/err.h"
#include "service/binding.h"
#include "service/card.h"
#include "service/ledger.h"
#include "service/person.h"
#include "service/premium.h"
#include "service/settle.h"

/* http_persons.c: {ssn, id_number, name, scheme, region?, employer_code?} */
int yb_decode_person_new(const json_t *j, yb_person_new *out, yb_err *err);
/* http_sessions.c: {login, password} */
int yb_decode_login(const json_t *j, const char **login,
		    const char **password, yb_err *err);
/* http_employer.c: {code, name} and a contribution record */
int yb_decode_employer(const json_t *j, const char **code, const char **name,
		       yb_err *err);
int yb_decode_contribution(const json_t *j, yb_contribution_new *out,
			   yb_err *err);
/* http_institutions.c: {code, name, type} */
int yb_decode_institution(const json_t *j, const char **code,
			  const char **name, const char **type, yb_err *err);
/* http_offline.c: a settlement body and occurred_at */
int yb_decode_offline(const json_t *j, yb_offline_req *out, yb_err *err);
/* http_reconciliation.c: an institution's totals (not the date) */
int yb_decode_recon(const json_t *j, yb_recon_totals *out, yb_err *err);
/* http_cards.c: an application; a calendar year's special days */
int yb_decode_card_apply(const json_t *j, yb_card_apply_req *out,
			 yb_err *err);
int yb_decode_calendar(const json_t *j, yb_calendar_year *y, yb_err *err);
/* http_bindings.c: relatives[] (rows has YB_BIND_MAX_RELATIVES places),
 * and the operator's part (authorizer, channel, materials) */
int yb_decode_relatives(const json_t *j, yb_bind_row *rows, int *nrows,
			yb_err *err);
int yb_decode_bind_operator(const json_t *j, yb_bind_req *req, yb_err *err);
/* http_family.c: a premium payment (E1) by the person, or at a desk
 * (`desk`: with the operator's part and the proof of the relationship) */
int yb_decode_premium(const json_t *j, bool desk, yb_premium_req *req,
		      yb_err *err);
/* The settlement body is yb_settle_body (httpd.h). */

#endif
