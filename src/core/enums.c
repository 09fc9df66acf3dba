/*
 * enums.c — the string forms of the model's enums (see enums.h).
 *
 * One table per enum, indexed by the enum value; the strings are the
 * API's and the database's, so they never change.  Lookups are exact and
 * case-sensitive: "Active" is not a status.  An out-of-range value
 * formats as "" so that a bug shows up as a refused write rather than as
 * a plausible wrong word.
 */
#include "core/enums.h"

#include <string.h>

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *name_at(const char *const *names, int n, int v)
{
	if (v < 0 || v >= n || !names[v])
		return "";
	return names[v];
}

/* Index of `s` in names[0..n), or -1.  Empty table slots never match,
 * nor does NULL. */
static int index_of(const char *const *names, int n, const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < n; i++)
		if (names[i] && names[i][0] && strcmp(names[i], s) == 0)
			return i;
	return -1;
}

/*
 * The pair of functions for one enum, or just the parser.  Empty table
 * slots never parse: the term reason's YB_TERM_NONE formats as "" but is
 * not a reason anyone can give, so "" is refused like any unknown word.
 */
#define YB_ENUM_PARSE(type, table)                                      \
	bool type##_from_str(const char *s, type *out)                  \
	{                                                               \
		int i = index_of(table, COUNT(table), s);               \
		if (i < 0)                                              \
			return false;                                   \
		*out = (type)i;                                         \
		return true;                                            \
	}

#define YB_ENUM_FUNCS(type, table)                                      \
	const char *type##_str(type v)                                  \
	{                                                               \
		return name_at(table, COUNT(table), (int)v);            \
	}                                                               \
	YB_ENUM_PARSE(type, table)

static const char *const scheme_names[YB_SCHEME__N] = {
	[YB_SCHEME_EMPLOYEE_TIER1] = "employee_tier1",
	[YB_SCHEME_EMPLOYEE_TIER2] = "employee_tier2",
	[YB_SCHEME_RESIDENT]       = "resident",
};
YB_ENUM_FUNCS(yb_scheme, scheme_names)

static const char *const status_names[YB_STATUS__N] = {
	[YB_STATUS_ACTIVE]     = "active",
	[YB_STATUS_SUSPENDED]  = "suspended",
	[YB_STATUS_TERMINATED] = "terminated",
};
YB_ENUM_FUNCS(yb_status, status_names)

static const char *const term_reason_names[YB_TERM__N] = {
	[YB_TERM_NONE]            = "",
	[YB_TERM_EMIGRATED]       = "emigrated",
	[YB_TERM_TRANSFERRED_OUT] = "transferred_out",
	[YB_TERM_DECEASED]        = "deceased",
};
YB_ENUM_FUNCS(yb_term_reason, term_reason_names)

static const char *const sex_names[] = {
	[YB_SEX_MALE]   = "male",
	[YB_SEX_FEMALE] = "female",
};

const char *yb_sex_str(yb_sex v)
{
	return name_at(sex_names, COUNT(sex_names), (int)v);
}

static const char *const account_kind_names[YB_ACC__N] = {
	[YB_ACC_PERSONAL]               = "personal",
	[YB_ACC_FUND_POOL]              = "fund_pool",
	[YB_ACC_CONTRIBUTION_INCOME]    = "contribution_income",
	[YB_ACC_INSTITUTION_RECEIVABLE] = "institution_receivable",
	[YB_ACC_PATIENT_CASH]           = "patient_cash",
	[YB_ACC_CLOSED_LIABILITY]       = "closed_liability",
};
YB_ENUM_FUNCS(yb_account_kind, account_kind_names)

static const char *const card_state_names[YB_CARD__N] = {
	[YB_CARD_IN_PRODUCTION] = "in_production",
	[YB_CARD_READY]         = "ready",
	[YB_CARD_ISSUED]        = "issued",
	[YB_CARD_LOST]          = "lost",
	[YB_CARD_CANCELLED]     = "cancelled",
};
YB_ENUM_FUNCS(yb_card_state, card_state_names)

static const char *const card_route_names[YB_ROUTE__N] = {
	[YB_ROUTE_CENTER]        = "center",
	[YB_ROUTE_SERVICE_POINT] = "service_point",
	[YB_ROUTE_AGENT]         = "agent",
	[YB_ROUTE_EMPLOYER]      = "employer",
};
YB_ENUM_FUNCS(yb_card_route, card_route_names)

/* Relationships: YB_REL_SELF lies outside the table (it only labels the
 * patient's own share in a settlement) and is never a bindable
 * relationship, so "self" formats but does not parse. */
static const char *const relationship_names[YB_REL__N] = {
	[YB_REL_SPOUSE]      = "spouse",
	[YB_REL_PARENT]      = "parent",
	[YB_REL_CHILD]       = "child",
	[YB_REL_SIBLING]     = "sibling",
	[YB_REL_GRANDPARENT] = "grandparent",
	[YB_REL_GRANDCHILD]  = "grandchild",
};

const char *yb_relationship_str(yb_relationship v)
{
	if (v == YB_REL_SELF)
		return "self";
	return name_at(relationship_names, COUNT(relationship_names), (int)v);
}

YB_ENUM_PARSE(yb_relationship, relationship_names)

static const char *const channel_names[YB_CHAN__N] = {
	[YB_CHAN_WEB]             = "web",
	[YB_CHAN_WECHAT]          = "wechat",
	[YB_CHAN_TERMINAL]        = "terminal",
	[YB_CHAN_HOSPITAL_OFFICE] = "hospital_office",
	[YB_CHAN_AGENCY_WINDOW]   = "agency_window",
	[YB_CHAN_CLI]             = "cli",
	[YB_CHAN_API]             = "api",
};
YB_ENUM_FUNCS(yb_channel, channel_names)

static const char *const role_names[YB_ROLE__N] = {
	[YB_ROLE_PERSON]          = "person",
	[YB_ROLE_EMPLOYER]        = "employer",
	[YB_ROLE_INSTITUTION]     = "institution",
	[YB_ROLE_TERMINAL]        = "terminal",
	[YB_ROLE_HOSPITAL_OFFICE] = "hospital_office",
	[YB_ROLE_AGENCY_WINDOW]   = "agency_window",
	[YB_ROLE_ADMIN]           = "admin",
};
YB_ENUM_FUNCS(yb_role, role_names)

static const char *const inst_type_names[YB_INST__N] = {
	[YB_INST_HOSPITAL] = "hospital",
	[YB_INST_CLINIC]   = "clinic",
	[YB_INST_PHARMACY] = "pharmacy",
};
YB_ENUM_FUNCS(yb_inst_type, inst_type_names)

static const char *const visit_type_names[YB_VISIT__N] = {
	[YB_VISIT_OUTPATIENT] = "outpatient",
	[YB_VISIT_PHARMACY]   = "pharmacy",
	[YB_VISIT_INPATIENT]  = "inpatient",
};
YB_ENUM_FUNCS(yb_visit_type, visit_type_names)

static const char *const cred_type_names[YB_CRED__N] = {
	[YB_CRED_CARD]      = "card",
	[YB_CRED_ECERT]     = "ecert",
	[YB_CRED_ID_NUMBER] = "id_number",
};
YB_ENUM_FUNCS(yb_cred_type, cred_type_names)

static const char *const settle_state_names[YB_SETTLE__N] = {
	[YB_SETTLE_SETTLED] = "settled",
	[YB_SETTLE_REVOKED] = "revoked",
	[YB_SETTLE_PREVIEW] = "preview",
};
YB_ENUM_FUNCS(yb_settle_state, settle_state_names)

static const char *const offline_state_names[YB_OFFLINE__N] = {
	[YB_OFFLINE_CASH_PAID] = "cash_paid",
	[YB_OFFLINE_RESETTLED] = "resettled",
};
YB_ENUM_FUNCS(yb_offline_state, offline_state_names)
