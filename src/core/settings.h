/*
 * settings.h — the local policy choices of one city (SPEC "settings").
 *
 * One struct, filled with documented defaults and then overridden from a
 * config file of "key = value" lines ('#' comments).  Another city changes
 * the file, not the code.  See docs/settings.md for every key.
 */
#ifndef YB_SETTINGS_H
#define YB_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/model.h"

/* --- nhsa: the fund policy of the national-interface gateway (N rules,
 * docs/NHSA.md): per insurance type and visit family, a yearly
 * deductible (起付线), a payment ratio in basis points, a yearly ceiling. */
typedef enum { YB_NHSA_INSU_EMPLOYEE, YB_NHSA_INSU_RESIDENT,
	       YB_NHSA_INSU__N } yb_nhsa_insu;     /* insutype 310 / 390 */

typedef struct yb_fund_policy {
	int64_t deductible_fen;         /* per calendar year */
	int64_t ratio_bp;               /* 0..10000 of the part above it */
	int64_t ceiling_fen;            /* most the fund pays per year */
} yb_fund_policy;
/* family: E1 — premium years yibao can hold a setting for */
#define YB_PREMIUM_YEAR_MIN 2000
#define YB_PREMIUM_YEARS    100
/* records: the longest free-text setting (gap_explanation), in bytes */
#define YB_SETTING_TEXT_SZ  1536

typedef struct yb_settings {
	char region[YB_REGION_SZ];              /* region = 440300 */
	bool scheme_has_account[YB_SCHEME__N];  /* account_schemes = employee_tier1 */
	bool relationship_allowed[YB_REL__N];   /* relationships = spouse,parent,child */
	int64_t share_floor_fen;                /* share_floor_fen = 0 */
	bool family_visit_allowed[YB_VISIT__N]; /* family_visit_types = outpatient,pharmacy */
	int offline_window_days;                /* offline_window_days = 30 */
	int ecert_lifetime_seconds;             /* ecert_lifetime_seconds = 300 */
	int session_lifetime_seconds;           /* session_lifetime_seconds = 1800 */
	int login_max_failures;                 /* login_max_failures = 5 */
	int login_lockout_seconds;              /* login_lockout_seconds = 900 */
	int service_point_working_days;         /* service_point_working_days = 3 */
	/* --- nhsa gateway --- */
	int nhsa_time_window_seconds;           /* nhsa_time_window_seconds = 300 */
	yb_fund_policy nhsa_policy[YB_NHSA_INSU__N][YB_VISIT__N];
	/* --- harden (#14): the HTTP server's resource limits --- */
	int http_connection_limit;              /* http_connection_limit = 4096 */
	int http_per_ip_connection_limit;       /* ... = 0 (no limit) */
	int http_connection_timeout_seconds;    /* ... = 30 */
	int http_connection_memory_limit;       /* ... = 32768 (bytes) */
	/* notify (E3): the webhook sender */
	int webhook_max_attempts;               /* webhook_max_attempts = 10 */
	int webhook_backoff_ms;                 /* webhook_backoff_ms = 1000 */
	int webhook_backoff_max_ms;             /* webhook_backoff_max_ms = 3600000 */
	int webhook_timeout_ms;                 /* webhook_timeout_ms = 10000 */
	int webhook_poll_ms;                    /* webhook_poll_ms = 1000 */
	/* --- family: E1 premiums for relatives --- */
	/* resident_premiums = 2026:40000,2027:40000 — the year's resident
	 * individual contribution in fen, by year (0: not set, not payable) */
	int64_t resident_premium_fen[YB_PREMIUM_YEARS];
	int premium_open_month;                 /* premium_open_month = 9 (of the year before) */
	int premium_close_month;                /* premium_close_month = 12 (of the year) */
	/* --- records and proofs (R1–R4) --- */
	int statement_max_months;               /* statement_max_months = 600 */
	char agency_name[YB_NAME_SZ];           /* agency_name = 深圳市医疗保障局 */
	/* proof_verify_url = http://127.0.0.1:8080/verify/ — what a proof's
	 * QR code points at: this, then the verification code */
	char proof_verify_url[YB_TEXT_SZ];
	/* gap_explanation = … — the portal's plain words on what a gap (断缴)
	 * means for a person's benefits (R3) */
	char gap_explanation[YB_SETTING_TEXT_SZ];
} yb_settings;

void yb_settings_defaults(yb_settings *s);

/* Apply one "key = value" assignment. Errors: "settings.invalid". */
int yb_settings_set(yb_settings *s, const char *key, const char *value,
		    yb_err *err);

/* Apply a whole file's text; errors name the line. */
int yb_settings_parse(yb_settings *s, const char *text, yb_err *err);

/* Write the settings as a config file text (for `yibao settings show`). */
int yb_settings_format(const yb_settings *s, char *buf, size_t size);

#endif
