/*
 * routes.h — the route table of the HTTP API: every method and path the
 * server answers, the handler that answers it and the roles that may call
 * it.  Public so that the OpenAPI document, the CLI (`yibao routes`) and
 * the tests can be checked against the one table the server dispatches
 * from, instead of a second list that drifts.
 *
 * Path patterns are literal segments and `{name}` parameters, one segment
 * each ("/api/v1/persons/{ssn}/termination").  When several patterns match
 * a path, the one with the fewest parameters wins ("/settlements/preview"
 * before "/settlements/{settlement_id}").
 *
 * Roles.  Each route names the service action it performs; the service's
 * table (yb_authorize, src/service/ctx.c) is the one authority on who may
 * perform an action.  A route may narrow that further with a role mask —
 * /api/v1/me/... is for persons even where the action also admits
 * operators on their own endpoints.  The edge checks the effective roles
 * (action's roles ∩ mask) before it parses the body, so a caller of the
 * wrong role gets 403 first; the service checks again.
 */
#ifndef YB_HTTP_ROUTES_H
#define YB_HTTP_ROUTES_H

#include <stddef.h>
#include <stdio.h>

#include "core/model.h"

struct yb_hreq;                       /* the request being served (httpd.h) */
typedef void yb_http_handler_fn(struct yb_hreq *r);

/* Role bits for yb_http_route.roles. */
#define YB_R(role)        (1u << (role))
#define YB_R_PERSON       YB_R(YB_ROLE_PERSON)
#define YB_R_EMPLOYER     YB_R(YB_ROLE_EMPLOYER)
#define YB_R_INSTITUTION  YB_R(YB_ROLE_INSTITUTION)
#define YB_R_TERMINAL     YB_R(YB_ROLE_TERMINAL)
#define YB_R_HOSPITAL     YB_R(YB_ROLE_HOSPITAL_OFFICE)
#define YB_R_AGENCY       YB_R(YB_ROLE_AGENCY_WINDOW)
#define YB_R_ADMIN        YB_R(YB_ROLE_ADMIN)
#define YB_R_ALL          ((1u << YB_ROLE__N) - 1u)
#define YB_R_PUBLIC       0u          /* no credentials asked for */

/* yb_http_route.flags */
enum {
	YB_ROUTE_BODY_NONE     = 0,      /* a body, if any, is ignored */
	YB_ROUTE_BODY_OPTIONAL = 1 << 0, /* JSON object, may be absent */
	YB_ROUTE_BODY_REQUIRED = 1 << 1, /* JSON object, must be present */
	YB_ROUTE_NO_STORE      = 1 << 2, /* needs no database connection */
	YB_ROUTE_EXTRA         = 1 << 3, /* beyond API.md (documented extra) */
	YB_ROUTE_NO_BATCH      = 1 << 4, /* not a group-commit write: reads
					    only, or slow outside the database
					    (password hashing) */
	/* An edge with its own protocol (its handler is in its own folder):
	 * the handler gets the request as it came — no store opened, no
	 * body parsed, no credentials asked for, not run on the writer —
	 * and answers every failure itself, in its own format.  For its
	 * writes it calls yb_req_write (httpd.h).  Public routes only. */
	YB_ROUTE_RAW           = 1 << 5,
};

typedef struct yb_http_route {
	const char *method;              /* "GET", "POST", "PUT", "DELETE" */
	const char *pattern;             /* "/api/v1/persons/{ssn}" */
	yb_http_handler_fn *handler;
	const char *action;              /* service action (ctx.c), or NULL */
	unsigned roles;                  /* YB_R_* mask; YB_R_PUBLIC = open */
	unsigned flags;                  /* YB_ROUTE_* */
	const char *summary;             /* one line, for docs and `routes` */
} yb_http_route;

extern const yb_http_route yb_http_routes[];
extern const size_t yb_http_nroutes;

/*
 * Find the route for a request.  `segs` are the path's segments (the path
 * split at '/', without the leading empty one).  On a match returns the
 * route and stores pointers to the parameter segments in params[] (at
 * most `maxparams`).  Otherwise returns NULL and sets *path_known when the
 * path matched some pattern under another method; `allow` then receives
 * those methods as an Allow header value ("GET, POST").
 */
const yb_http_route *yb_http_route_find(const char *method, char *const *segs,
					int nsegs, const char **params,
					int maxparams, int *nparams,
					int *path_known, char *allow,
					size_t allow_size);

/*
 * The roles that may call a route: those the service admits for its
 * action, narrowed by the route's mask.  0 for a public route.
 */
unsigned yb_http_route_roles(const yb_http_route *rt);

/*
 * Write the table, one route a line: method, pattern, roles (comma
 * separated, "public" for none) and summary, separated by tabs.  For the
 * CLI's `yibao routes` and the OpenAPI author.
 */
void yb_http_routes_print(FILE *f);

#endif
