/*
 * err.h — the one error type of the whole library.
 *
 * Every fallible function in core, store and service takes a `yb_err *` as
 * its last argument and returns 0 on success or -1 on failure, having
 * filled the error.  The `code` is one of the stable strings of the API
 * contract (`binding.duplicate`, `person.invalid_id_number`, ...); the kind
 * says what sort of failure it is.  Only the edges (HTTP, CLI) turn a kind
 * into an HTTP status or an exit code — library code never does.
 *
 * The table in err.c lists every code with its kind, so that one code
 * always maps to the same HTTP status wherever it is raised.
 */
#ifndef YB_ERR_H
#define YB_ERR_H

#include <stdarg.h>

typedef enum yb_err_kind {
	YB_OK = 0,
	YB_EINVAL,      /* malformed or invalid input          → 400 */
	YB_EAUTH,       /* no or bad credentials               → 401 */
	YB_EFORBIDDEN,  /* authenticated, not allowed          → 403 */
	YB_ENOTFOUND,   /* no such thing                       → 404 */
	YB_ECONFLICT,   /* conflicts with the current state    → 409 */
	YB_ETOOLARGE,   /* request too large                   → 413 */
	YB_ERULE,       /* a business rule refused it          → 422 */
	YB_ETHROTTLED,  /* too many attempts                   → 429 */
	YB_EINTERNAL,   /* our fault (database, memory)        → 500 */
	YB_EUNAVAIL,    /* temporarily unavailable (busy)      → 503 */
} yb_err_kind;

#define YB_ERR_MSG_MAX 240

typedef struct yb_err {
	yb_err_kind kind;
	const char *code;               /* static string, never freed */
	char message[YB_ERR_MSG_MAX];   /* human text, English */
} yb_err;

/* Clear an error to "no error". */
void yb_err_clear(yb_err *err);

/*
 * Fill `err` with `code` (which must be listed in the table in err.c; an
 * unlisted code is reported as kind YB_EINTERNAL so the omission shows) and
 * a printf-style message.  Returns -1 so callers can write
 * `return yb_errf(err, "x.y", "...")`.  `err` may be NULL.
 */
int yb_errf(yb_err *err, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int yb_verrf(yb_err *err, const char *code, const char *fmt, va_list ap);

/* The kind registered for `code`, YB_EINTERNAL if unknown. */
yb_err_kind yb_err_kind_of(const char *code);

/* HTTP status for a kind (edges only). */
int yb_err_http_status(yb_err_kind kind);

/* Iterate the table (for docs and tests): returns NULL past the end. */
const char *yb_err_code_at(int i, yb_err_kind *kind);

#endif
