/*
 * binding.h — family mutual aid (家庭共济) bindings, SPEC F1–F9.
 */
#ifndef YB_SERVICE_BINDING_H
#define YB_SERVICE_BINDING_H

#include "service/ctx.h"

#define YB_BIND_MAX_RELATIVES 10        /* rows in one request */

typedef struct yb_bind_row {
	const char *ssn;
	const char *id_number;
	const char *relationship;
} yb_bind_row;

/* The materials presented on an operator or terminal channel (F5). */
typedef struct yb_bind_materials {
	/* terminal */
	const char *authorizer_card_no;
	const char *relative_card_no;    /* either this ...            */
	const char *relative_id_number;  /* ... or the relative's ID card */
	/* hospital_office, agency_window */
	bool id_cards;
	bool social_security_cards;
	bool card_copies;                /* agency_window only */
} yb_bind_materials;

typedef struct yb_bind_req {
	/* For channel web/wechat the authorizer is the logged-in person
	 * (ctx->actor.person_id) and these may be NULL; for operator and
	 * terminal channels they identify him. */
	const char *authorizer_ssn;
	const char *authorizer_id_number;
	const char *channel;             /* NULL → "web" */
	yb_bind_materials materials;
	int nrows;
	const yb_bind_row *rows;
} yb_bind_req;

typedef struct yb_bind_result {
	bool ok;
	yb_binding binding;              /* when ok */
	yb_err error;                    /* when not */
} yb_bind_result;

/*
 * F1–F5: bind relatives.  Request-level checks first (channel allowed for
 * the actor's role, materials present, terminal cards are the persons'
 * own valid activated cards) — they fail the whole call.  Then each row in
 * its own transaction (F4): identity (SSN and ID number name one person,
 * else binding.identity_mismatch without saying which is registered),
 * authorizer eligible (active, tier 1, this region), relative eligible
 * (active, this region), relationship allowed (setting), not self, not an
 * active duplicate.  results[] has req->nrows entries.
 */
int yb_bind(yb_ctx *ctx, const yb_bind_req *req, yb_bind_result *results,
	    yb_err *err);

/*
 * F6: end a binding.  A person ends his own (as authorizer); operators
 * name the authorizer (ssn + id_number) with channel and materials, as
 * yb_bind.  Errors: binding.not_found, binding.already_ended (only when
 * already ended — see note in binding.c), auth.forbidden.
 */
int yb_unbind(yb_ctx *ctx, yb_id binding_id, const yb_bind_req *who,
	      yb_binding *out, yb_err *err);

/* Bindings both ways for a person (Q1), active and ended. */
int yb_bindings_of(yb_ctx *ctx, yb_id person_id, yb_binding **authorized,
		   int *nauthorized, yb_binding **authorized_by,
		   int *nauthorized_by, yb_err *err);

/* --- fhir: reads the FHIR edge needs (binding_read.c) --- */
/* One binding by id (binding.list; a person only his own, else
 * binding.not_found). */
int yb_binding_get(yb_ctx *ctx, yb_id id, yb_binding *out, yb_err *err);
/* yb_bindings_of for the person of an SSN (person.not_found). */
int yb_bindings_of_ssn(yb_ctx *ctx, const char *ssn, yb_binding **authorized,
		       int *nauthorized, yb_binding **authorized_by,
		       int *nauthorized_by, yb_err *err);

#endif
