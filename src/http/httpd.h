/*
 * httpd.h — the shared-internal interface of the HTTP edge: the request
 * being served, the reply helpers, the JSON field getters, the metrics,
 * and the handler of every route.  Only files in src/http include it.
 *
 * A handler reads its path parameters, query and parsed JSON body from the
 * yb_hreq, calls one service use case with r->ctx (store, settings, clock
 * and the authenticated actor are already filled in), renders the answer
 * with the shared renderer of render/json.h (the reader being
 * YB_VIEWER(r)), and answers with exactly one yb_reply_* call.  It never
 * queues a response itself: the server does that (see server_request.c
 * for why the timing matters).
 */
#ifndef YB_HTTP_HTTPD_H
#define YB_HTTP_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>

#include "http/routes.h"
#include "render/json.h"
#include "render/render.h"
#include "service/batch.h"
#include "service/ctx.h"

#define YB_HTTP_BODY_MAX        (64 * 1024)   /* larger: 413 request.too_large */
#define YB_HTTP_JSON_DEPTH_MAX  16            /* deeper nesting: invalid JSON */
#define YB_HTTP_PARAMS_MAX      4             /* {params} in one pattern */
#define YB_HTTP_SEGS_MAX        12            /* path segments considered */
#define YB_HTTP_STR_MAX         1024          /* longest string field taken */
#define YB_HTTP_LIMIT_DEFAULT   50            /* ?limit= */
#define YB_HTTP_LIMIT_MAX       500
#define YB_HTTP_ROUTES_MAX      160           /* room in per-route arrays */

#define YB_JSON_CTYPE "application/json; charset=utf-8"

/* Log levels (--log-level). */
enum { YB_LOG_ERROR, YB_LOG_WARN, YB_LOG_INFO, YB_LOG_DEBUG };

typedef struct yb_hreq {
	struct MHD_Connection *conn;
	const char *method;
	const yb_http_route *route;      /* NULL: no route matched */
	char *path;                      /* own copy, split into segments */
	char *segs[YB_HTTP_SEGS_MAX];
	int nsegs;
	const char *params[YB_HTTP_PARAMS_MAX];
	int nparams;

	/* body, accumulated over the access handler's calls */
	char *body;
	size_t body_len;
	size_t body_cap;
	size_t body_seen;                /* all bytes offered, kept or not */
	size_t body_max;                 /* kept up to this: YB_HTTP_BODY_MAX,
					    or an upload route's limit (E4) */
	json_t *json;                    /* the parsed object (or {} if none) */

	yb_ctx ctx;                      /* actor filled when authenticated */
	bool authenticated;
	bool upload_refused;             /* E4: caller refused on the headers */
	const char *bearer;              /* the token (MHD's memory) */
	/* SQLite: the caller is looked up in the writer's batch
	 * (server_request.c, "The caller in the batch") */
	bool auth_in_batch;
	bool auth_failed;                /* and refused: auth_err says why */
	yb_err auth_err;
	char token_hash[YB_HASH_HEX_SZ];
	char remote[64];                 /* client address, for throttling */

	/* the answer */
	unsigned status;
	struct MHD_Response *response;
	const char *err_code;            /* code of an error answer, for logs */
	char err_msg[YB_ERR_MSG_MAX];    /* its message, logged for 5xx only */
	struct timespec t0;
	int counted;                     /* in the in-flight count */
	/* A settlement's outcome (YB_SETTLE_OUT_*, -1: not one), counted
	 * once when the answer leaves: a handler may run twice in a batch
	 * (undo on demand), and its batch may still fail to commit. */
	int settle_outcome;

	/* group commit: the connection is suspended while its handler waits
	 * in the writer's batch (server_request.c) */
	int batch_phase;                 /* 0 none, 1 waiting, 2 done */
	/* what it answers is durable: answered after its batch, or after
	 * a wait for the sync (server_request.c) */
	bool durable;
	int durable_phase;               /* 0 none, 1 waiting, 2 done */
	yb_durable_waiter durable_waiter;
	int batch_rc;
	yb_err batch_err;
	/* yb_reply_later on the writer thread: the answer's data, rendered
	 * on the connection's own thread after the commit. */
	bool in_writer;
	json_t *(*later_render)(const void *data);
	void *later_data;
	unsigned later_status;
	/* yb_req_write: a handler's own write transaction, and what answers
	 * once it is over */
	yb_batch_fn write_job;
	void *write_arg;
	void (*write_then)(struct yb_hreq *r, void *arg, int rc,
			   const yb_err *err);
} yb_hreq;

/* ---- request accessors (server_request.c) ------------------------------------ */

/* The i-th {param} of the matched pattern. */
const char *yb_req_param(const yb_hreq *r, int i);
/* A query argument, or NULL. */
const char *yb_req_query(const yb_hreq *r, const char *name);
/* Role person: the acting person's SSN (from the actor id), else NULL. */
const char *yb_req_self_ssn(const yb_hreq *r);
/* May the caller see this person's full ID number?  (Q3: admin,
 * agency_window, or the person himself.) */
bool yb_req_may_unmask(const yb_hreq *r, yb_id person_id);
/* The reader of an answer, for the renderers (render/json.h): masks as
 * yb_req_may_unmask says.  A compound literal, valid in the enclosing
 * block. */
bool yb_req_viewer_unmask(const void *r, yb_id person_id);   /* json.c */
#define YB_VIEWER(r) (&(const yb_viewer){ yb_req_viewer_unmask, (r) })
/* Log level of the server (for handlers that log at debug). */
int yb_req_log_level(void);

/*
 * A path parameter that is a row id: a positive decimal integer.
 * Anything else cannot name a row, so it is reported as `notfound_code`.
 */
int yb_req_id_param(const yb_hreq *r, int i, const char *notfound_code,
		    yb_id *out, yb_err *err);

/* ---- replies (json.c) -------------------------------------------------- */

/* Answer with a JSON value (reference stolen; NULL means out of memory). */
void yb_reply_json(yb_hreq *r, unsigned status, json_t *body);
/* Answer with render(data) — on a batched request, on the connection's
 * thread after the commit (json.c says why); `data` is copied (size
 * bytes).  yb_reply_later_finish renders or drops it (server_request.c). */
void yb_reply_later(yb_hreq *r, unsigned status,
		    json_t *(*render)(const void *data), const void *data,
		    size_t size);
void yb_reply_later_finish(yb_hreq *r, bool keep);
/* Answer with the error's code and message, status from its kind. */
void yb_reply_error(yb_hreq *r, const yb_err *err);
void yb_reply_errf(yb_hreq *r, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Answer with no body (204, or 200 with nothing to say). */
void yb_reply_empty(yb_hreq *r, unsigned status);
/* Answer with a malloc'd buffer (taken) of the given content type. */
void yb_reply_take(yb_hreq *r, unsigned status, const char *content_type,
		   char *buf, size_t len);

/* records (download.c): a file to save — a statement streamed as it is
 * made (the stream is taken), or a whole one (buf taken). */
void yb_reply_stream(yb_hreq *r, yb_stream *stream, const char *ctype,
		     const char *filename);
void yb_reply_file(yb_hreq *r, char *buf, size_t len, const char *ctype,
		   const char *filename);

/* Set the content-independent headers every answer carries. */
void yb_reply_common_headers(yb_hreq *r, struct MHD_Response *resp);

/* ---- request body (json.c) --------------------------------------------- */

/*
 * Check the Content-Type, the nesting depth and parse the body into
 * r->json (an object).  Errors: request.unsupported_media_type,
 * request.invalid_json.
 */
int yb_body_parse(yb_hreq *r, yb_err *err);
/* Its part after the Content-Type, on bytes alone (so a fuzz target can
 * run it, #14): *out is set (or NULL) even on error, for the caller to
 * json_decref. */
int yb_body_decode(const char *body, size_t len, json_t **out, yb_err *err);
/* {"error": {"code", "message"}}, the message made valid UTF-8; NULL only
 * when out of memory. */
json_t *yb_error_body(const char *code, const char *message);

/*
 * Typed field getters.  `obj` is a JSON object, `where` a prefix for the
 * messages ("relatives[2]") or NULL, `name` the member.  An absent member
 * (or JSON null) is request.missing_field when `required`, else leaves
 * the output as the caller preset it and returns 0.  A member of the
 * wrong type or out of range is request.invalid_field.  The message names
 * the field, never its value (values may be ID numbers or passwords).
 */
int yb_jget_str(const json_t *obj, const char *where, const char *name,
		bool required, const char **out, yb_err *err);
/* A money amount: a JSON integer (not a real, not a string) within
 * ±YB_MONEY_MAX; the sign is left to the service's rules. */
int yb_jget_fen(const json_t *obj, const char *where, const char *name,
		bool required, int64_t *out, yb_err *err);
int yb_jget_int(const json_t *obj, const char *where, const char *name,
		bool required, int64_t min, int64_t max, int64_t *out,
		yb_err *err);
int yb_jget_bool(const json_t *obj, const char *where, const char *name,
		 bool required, bool *out, yb_err *err);
int yb_jget_obj(const json_t *obj, const char *where, const char *name,
		bool required, const json_t **out, yb_err *err);
int yb_jget_arr(const json_t *obj, const char *where, const char *name,
		bool required, const json_t **out, yb_err *err);
/* "YYYY-MM-DD": request.invalid_date when malformed. */
int yb_jget_date(const json_t *obj, const char *where, const char *name,
		 bool required, yb_date *out, yb_err *err);
/* RFC 3339 instant: request.invalid_field when malformed. */
int yb_jget_time(const json_t *obj, const char *where, const char *name,
		 bool required, yb_time *out, yb_err *err);

/* ---- lists (json.c) ------------------------------------------------------ */

/* Fetch up to `limit` items with id < before (0: from the newest). */
typedef int yb_page_fetch_fn(yb_hreq *r, yb_id before, int limit,
			     void **items, int *n, yb_err *err);
/* An item as the request's reader sees it (render/json.h). */
typedef yb_json_item_fn yb_page_render_fn;

typedef struct yb_page_kind {
	yb_page_fetch_fn *fetch;
	yb_page_render_fn *render;
	size_t size;                     /* sizeof one item */
	size_t id_offset;                /* offsetof its yb_id cursor field */
} yb_page_kind;

/*
 * Answer a list endpoint: parse ?limit= and ?cursor=, fetch one more than
 * asked (to know whether there is a next page), render
 * {"items": [...], "next_cursor": "..." | null}.
 */
void yb_reply_page(yb_hreq *r, const yb_page_kind *kind);
/* notify (E3): the same, and extra(r, page) adds members to the page
 * object (the notifications' unread_count). */
typedef int yb_page_extra_fn(yb_hreq *r, json_t *page, yb_err *err);
void yb_reply_page_extra(yb_hreq *r, const yb_page_kind *kind,
			 yb_page_extra_fn *extra);

/* The page kinds of the lists that a person and the operator console both
 * have: the same items, fetched by a different service call. */
#define YB_PAGE_CONTRIBUTIONS(fetch) { (fetch), yb_json_contribution_item, \
	sizeof(yb_contribution), offsetof(yb_contribution, id) }
#define YB_PAGE_LEDGER(fetch) { (fetch), yb_json_ledger_line_item, \
	sizeof(yb_ledger_line), offsetof(yb_ledger_line, entry_id) }
#define YB_PAGE_SETTLEMENTS(fetch) { (fetch), yb_json_settlement_item, \
	sizeof(yb_settlement), offsetof(yb_settlement, id) }
#define YB_PAGE_USAGE(fetch) { (fetch), yb_json_usage_item, \
	sizeof(yb_usage), offsetof(yb_usage, settlement_id) }

/* A settlement for yb_reply_later (data is a yb_settlement). */
json_t *yb_render_settlement_data(const void *s);

/* ---- shared answers (http_bindings.c) ------------------------------------- */

/* {"authorized": [...], "authorized_by": [...]} for a person (Q1). */
void yb_reply_bindings_of(yb_hreq *r, yb_id person_id);

/* ---- shared request bodies (http_settlements.c) -------------------------- */

struct yb_settle_req;
/* {txn_id, credential: {type, value}, visit_type, total_fen, fund_pay_fen}:
 * the body of a settlement, its preview and an offline record. */
int yb_settle_body(const json_t *j, struct yb_settle_req *out, yb_err *err);

/* ---- metrics (http_ops.c) ------------------------------------------------- */

/* Record a finished request: route index (-1: none matched), status and
 * duration in nanoseconds. */
void yb_metrics_request(int route, unsigned status, int64_t ns);
enum { YB_SETTLE_OUT_SETTLED, YB_SETTLE_OUT_REPEAT, YB_SETTLE_OUT_PREVIEW,
       YB_SETTLE_OUT_REFUSED, YB_SETTLE_OUT_ERROR, YB_SETTLE_OUT__N };
void yb_metrics_settlement(int outcome);
/* Count a yb_err whose code is a store failure (store.*). */
void yb_metrics_db_error(const yb_err *err);

/* ---- static files (static.c) ---------------------------------------------- */

/* Resolve the web root once; false (and a log line) if unusable. */
bool yb_static_init(const char *web_root);
void yb_static_release(void);
/* Serve GET/HEAD of a file under the web root; false if not one. */
bool yb_static_serve(yb_hreq *r, const char *url);

/* ---- server (server_stores.c, server_request.c) ----------------------------------------------------- */

/* The store of the calling worker thread, opened on first use. */
int yb_server_store(yb_store **out, yb_err *err);
/* Its standby connection (serve --read-db), or NULL: none, or the
 * standby is not reachable now (ctx->standby, service/ctx.h). */
yb_store *yb_server_standby(void);
/* Before an answer built from reads leaves: wait until whatever it may
 * have read is durable (service/batch.h, "The sync apart"). */
void yb_server_durable_wait(void);

/*
 * For the handler of a YB_ROUTE_RAW route (it runs on its connection's
 * thread, with that thread's store in r->ctx): after it returns, run
 * job(ctx', arg) as one write transaction — in the next group commit
 * when the batcher is on (the connection waits suspended, its thread
 * serves others), else at once on this thread's connection
 * (yb_batch_alone) — and then then(r, arg, rc, err) on this connection's
 * thread, which answers.  rc is the job's, or -1 with the commit's error.
 * So an edge keeps everything but its write transaction off the writer.
 * The job must be replayable (service/batch.h, "Undo on demand"): it may
 * run twice, a second run starting from what the first found.
 */
typedef void yb_req_then_fn(yb_hreq *r, void *arg, int rc,
			    const yb_err *err);
void yb_req_write(yb_hreq *r, yb_batch_fn job, void *arg,
		  yb_req_then_fn *then);
/* The group-commit batcher's counters; false when it is off. */
bool yb_server_batch_stats(yb_batch_stats *out);

/* ---- handlers, one file per resource ---------------------------------------- */

/* http_ops.c */
yb_http_handler_fn yb_handle_healthz, yb_handle_metrics;
/* http_persons.c */
yb_http_handler_fn yb_handle_persons_post, yb_handle_persons_get,
	yb_handle_persons_password, yb_handle_persons_termination,
	yb_handle_persons_contributions, yb_handle_persons_ledger,
	yb_handle_persons_settlements, yb_handle_persons_family_usage,
	yb_handle_persons_bindings;
/* http_employer.c */
yb_http_handler_fn yb_handle_employers_post, yb_handle_contributions_post,
	yb_handle_employer_contributions;
/* http_sessions.c */
yb_http_handler_fn yb_handle_sessions_post, yb_handle_sessions_delete,
	yb_handle_whoami;
/* http_me_sessions.c (issue 14) */
yb_http_handler_fn yb_handle_me_sessions_get, yb_handle_me_sessions_delete,
	yb_handle_me_password;
/* Answer an error; a throttled one (auth.throttled) with Retry-After. */
void yb_reply_throttled(yb_hreq *r, const yb_err *err, int retry_after);
/* http_me.c */
yb_http_handler_fn yb_handle_me_get, yb_handle_me_card,
	yb_handle_me_contributions, yb_handle_me_ledger,
	yb_handle_me_settlements, yb_handle_me_family_usage,
	yb_handle_me_ecert_post, yb_handle_me_ecert_svg;
/* http_bindings.c */
yb_http_handler_fn yb_handle_me_bindings_get, yb_handle_me_bindings_post,
	yb_handle_me_bindings_delete, yb_handle_bindings_post,
	yb_handle_bindings_delete;
/* http_cards.c */
yb_http_handler_fn yb_handle_card_applications_post,
	yb_handle_card_applications_issue, yb_handle_cards_activation,
	yb_handle_cards_loss, yb_handle_cards_return, yb_handle_calendar_get,
	yb_handle_calendar_put;
/* http_institutions.c */
yb_http_handler_fn yb_handle_institutions_post, yb_handle_institutions_get;
/* http_settlements.c */
yb_http_handler_fn yb_handle_settlements_post, yb_handle_settlements_preview,
	yb_handle_settlements_get, yb_handle_settlements_revocation;
/* http_offline.c */
yb_http_handler_fn yb_handle_offline_post, yb_handle_offline_get,
	yb_handle_offline_resettlement;
/* http_reconciliation.c */
yb_http_handler_fn yb_handle_reconciliation_get,
	yb_handle_reconciliation_post;
/* http_audit.c */
yb_http_handler_fn yb_handle_audit_get;
/* http_nhsa_admin.c — yibao's own API about the national-interface
 * gateway (credentials, kept messages); the gateway's protocol itself is
 * src/nhsa */
yb_http_handler_fn yb_handle_nhsa_credentials_get,
	yb_handle_nhsa_credentials_post, yb_handle_nhsa_credentials_revoke,
	yb_handle_nhsa_messages_get;
/* http_notifications.c (notify, E3) */
yb_http_handler_fn yb_handle_me_notifications_get,
	yb_handle_me_notifications_read_one, yb_handle_me_notifications_read_all,
	yb_handle_webhooks_get, yb_handle_webhooks_post,
	yb_handle_webhooks_delete, yb_handle_deliveries_get,
	yb_handle_deliveries_retry;
/* http_family.c (family: E1, E2, E4) */
yb_http_handler_fn yb_handle_me_binding_cap_put,
	yb_handle_me_binding_cap_delete, yb_handle_me_premiums_post,
	yb_handle_me_premiums_get, yb_handle_binding_cap_put,
	yb_handle_binding_cap_delete, yb_handle_premiums_post,
	yb_handle_premium_years;
/* http_materials.c (family: E4) */
yb_http_handler_fn yb_handle_binding_materials_post,
	yb_handle_binding_materials_get, yb_handle_application_materials_post,
	yb_handle_application_materials_get, yb_handle_premium_materials_post,
	yb_handle_premium_materials_get, yb_handle_material_get;
/* http_records.c (records: R1, R3, R4) */
yb_http_handler_fn yb_handle_me_statement_contributions,
	yb_handle_me_statement_ledger, yb_handle_persons_statement_contributions,
	yb_handle_persons_statement_ledger, yb_handle_employers_statement,
	yb_handle_me_gaps, yb_handle_persons_gaps, yb_handle_me_arrears,
	yb_handle_employers_arrears, yb_handle_arrears_get;
/* http_proofs.c (records: R2) */
yb_http_handler_fn yb_handle_me_proofs_post, yb_handle_me_proofs_get,
	yb_handle_persons_proofs_post, yb_handle_persons_proofs_get,
	yb_handle_proofs_get, yb_handle_proofs_pdf, yb_handle_proofs_revocation,
	yb_handle_verify_json, yb_handle_verify_page;
/* verify_page.c: the page of /verify/{code} (malloc'd HTML). */
char *yb_verify_html(const yb_settings *settings, const char *code,
		     const yb_proof_view *v, size_t *len);

#endif
