/*
 * enums.h — string forms of the model's enums (model.h).
 *
 * The strings are the API's and the database's: `employee_tier1`,
 * `in_production`, `hospital_office`...  `_from_str` returns false for an
 * unknown string, never guesses.
 */
#ifndef YB_ENUMS_H
#define YB_ENUMS_H

#include <stdbool.h>

#include "core/model.h"

const char *yb_scheme_str(yb_scheme v);
bool yb_scheme_from_str(const char *s, yb_scheme *out);
const char *yb_status_str(yb_status v);
bool yb_status_from_str(const char *s, yb_status *out);
const char *yb_term_reason_str(yb_term_reason v);   /* NONE → "" */
bool yb_term_reason_from_str(const char *s, yb_term_reason *out);
const char *yb_sex_str(yb_sex v);                   /* "male" / "female" */
const char *yb_account_kind_str(yb_account_kind v);
bool yb_account_kind_from_str(const char *s, yb_account_kind *out);
const char *yb_card_state_str(yb_card_state v);
bool yb_card_state_from_str(const char *s, yb_card_state *out);
const char *yb_card_route_str(yb_card_route v);
bool yb_card_route_from_str(const char *s, yb_card_route *out);
const char *yb_relationship_str(yb_relationship v); /* SELF → "self" */
bool yb_relationship_from_str(const char *s, yb_relationship *out);
const char *yb_channel_str(yb_channel v);
bool yb_channel_from_str(const char *s, yb_channel *out);
const char *yb_role_str(yb_role v);
bool yb_role_from_str(const char *s, yb_role *out);
const char *yb_inst_type_str(yb_inst_type v);
bool yb_inst_type_from_str(const char *s, yb_inst_type *out);
const char *yb_visit_type_str(yb_visit_type v);
bool yb_visit_type_from_str(const char *s, yb_visit_type *out);
const char *yb_cred_type_str(yb_cred_type v);
bool yb_cred_type_from_str(const char *s, yb_cred_type *out);
const char *yb_settle_state_str(yb_settle_state v);
bool yb_settle_state_from_str(const char *s, yb_settle_state *out);
const char *yb_offline_state_str(yb_offline_state v);
bool yb_offline_state_from_str(const char *s, yb_offline_state *out);

#endif
