/*
 * nhsa_env.h — the common envelope of the national interface (NHSA.md
 * §1): decoding and validating a request, encoding a reply, and the
 * stable error table (code → the Chinese err_msg an HIS shows).
 *
 * yb_nhsa_env_decode is a pure function of the bytes (no clock, no
 * database): a fuzz target can call it directly.
 */
#ifndef YB_NHSA_ENV_H
#define YB_NHSA_ENV_H

#include <jansson.h>

#include "core/err.h"
#include "core/model.h"

#define YB_NHSA_MSGID_LEN 30

typedef struct yb_nhsa_env {
	json_t *root;                    /* owns every string below */
	const char *infno;
	const char *msgid;
	const char *mdtrtarea_admvs;
	const char *insuplc_admdvs;
	const char *recer_sys_code;
	const char *dev_no;
	const char *dev_safe_info;
	const char *cainfo;
	const char *signtype;
	const char *infver;
	const char *opter_type;
	const char *opter;
	const char *opter_name;
	const char *inf_time;
	const char *fixmedins_code;
	const char *fixmedins_name;
	const char *sign_no;
	json_t *input;                   /* an object */
	/* Not from the body: the credential that signed it, set by the
	 * gateway once authenticated (9101 keeps who uploaded). */
	const char *paasid;
} yb_nhsa_env;

/*
 * Decode and validate a request body (NHSA.md §1.1: every field's type,
 * length and format; unknown extra keys ignored).  On success env->root
 * must be released with yb_nhsa_env_free.  Errors: nhsa.invalid_json,
 * nhsa.missing_field, nhsa.invalid_field, nhsa.field_too_long; the
 * message names the field.  On error env->infno / msgid may still be set
 * (for the reply and the log) or "".
 */
int yb_nhsa_env_decode(const char *body, size_t len, yb_nhsa_env *env,
		       yb_err *err);
void yb_nhsa_env_free(yb_nhsa_env *env);

/* A reply envelope (NHSA.md §1.2). */
typedef struct yb_nhsa_reply {
	int infcode;                     /* 0 success, -1 failure */
	char inf_refmsgid[31];           /* admdvs(6) + yyyyMMddHHmmss + 10 */
	char refmsg_time[18];            /* yyyyMMddHHmmssSSS */
	char respond_time[18];
	char err_msg[512];               /* "" on success */
	json_t *output;                  /* owned; NULL → {} */
} yb_nhsa_reply;

/* Serialize (malloc'd text; NULL only on out of memory).  Does not take
 * reply->output. */
char *yb_nhsa_reply_encode(const yb_nhsa_reply *reply, size_t *len);
/* Its text up to the output's value ({..."output":), into w — for a
 * caller that writes the output itself, then "}" (nhsa_kept.c). */
struct yb_jw;
void yb_nhsa_reply_open(struct yb_jw *w, const yb_nhsa_reply *reply);

/* err_msg for an error: "<中文说明>：<detail> [<code>]". */
void yb_nhsa_err_msg(const yb_err *err, char *buf, size_t size);

/* The Chinese text of a stable code (docs/NHSA.md error table); a code
 * outside the table reads "系统错误". */
const char *yb_nhsa_err_text(const char *code);
/* Iterate the table (docs, tests): NULL past the end. */
const char *yb_nhsa_err_at(int i, const char **text);

/* msgid [inferred format, NHSA.md §1.1]: 30 letters or digits, the last
 * 18 being yyyyMMddHHmmss (a real date-time) + a 4-digit sequence. */
bool yb_nhsa_msgid_ok(const char *m);

/* yyyyMMddHHmmssSSS of a Unix time in milliseconds, Asia/Shanghai. */
void yb_nhsa_ms_stamp(int64_t unix_ms, char out[18]);
/* "yyyy-MM-dd HH:mm:ss" ↔ Unix seconds, Asia/Shanghai. */
bool yb_nhsa_parse_datetime(const char *s, yb_time *out);
void yb_nhsa_format_datetime(yb_time t, char out[20]);

#endif
