/*
 * json.h — the model's records (core/model.h) as JSON, once, for every
 * edge: the HTTP API answers with these objects and `yibao --json`
 * prints the same ones (the CLI's tables are printed from them too), so
 * a field has one name, one form and one rule wherever it shows.
 *
 * The forms (API.md, docs/openapi.yaml are the contract):
 *   - money: integer fen in members named *_fen (SPEC U1), never strings;
 *   - dates "YYYY-MM-DD", instants RFC 3339 UTC (U5); 0 is null;
 *   - a member that can be absent is null, unless the contract says the
 *     member is left out (a person's termination_reason, a settlement's
 *     revoked_at, an application's card_no).
 *
 * Masking (Q3) depends on who reads, not on the edge: the caller passes a
 * yb_viewer that answers "may this reader see person X's full name and ID
 * number?".  The HTTP edge builds one from the authenticated actor; the
 * command line, run by the agency's operator on the machine itself, uses
 * yb_viewer_operator.  Names of others that the contract masks for every
 * reader (who paid a contribution, a relative in family usage) are masked
 * whatever the viewer.
 *
 * Out of memory: every function returns NULL when any allocation failed,
 * never half an object; a NULL passed in as a member (from a nested
 * renderer) makes the whole answer NULL.  The edge turns NULL into its
 * out_of_memory error.
 */
#ifndef YB_RENDER_JSON_H
#define YB_RENDER_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/calendar.h"
#include "core/model.h"
#include "core/notify.h"
#include "service/binding.h"
#include "service/premium.h"
#include "service/settle.h"

/* ---- who reads (Q3) --------------------------------------------------- */

typedef struct yb_viewer {
	/* true: the reader may see person_id's full name and ID number */
	bool (*may_unmask)(const void *ctx, yb_id person_id);
	const void *ctx;
} yb_viewer;

/* The agency's operator at the command line: sees everything. */
extern const yb_viewer yb_viewer_operator;
/* A reader who may see no one in full (the tests' masked case). */
extern const yb_viewer yb_viewer_public;

/* NULL viewer or callback: masked. */
bool yb_viewer_may_unmask(const yb_viewer *v, yb_id person_id);

/* ---- scalars ---------------------------------------------------------- */

json_t *yb_jtime(yb_time t);             /* RFC 3339 or null when 0 */
json_t *yb_jdate(yb_date d);             /* YYYY-MM-DD or null when 0 */
json_t *yb_jfen(int64_t fen);
json_t *yb_jstr_or_null(const char *s);  /* null for NULL or "" */

/* Set obj's member `name` to `value` (the reference taken) and answer
 * obj; when obj or value is NULL (an allocation failed) or the set
 * fails, free both and answer NULL.  So a chain of calls ends in the
 * whole object or in NULL, never in half an object. */
json_t *yb_json_set(json_t *obj, const char *name, json_t *value);

/* An answer's text: json_dumps(v, JSON_COMPACT) in a fifth of its
 * instructions (json_text.c), malloc'd, its length in *len if not NULL;
 * NULL for no object or array, or out of memory. */
char *yb_json_text(const json_t *v, size_t *len);

/* A list item renderer: `item` points to one record of the list. */
typedef json_t *yb_json_item_fn(const yb_viewer *v, const void *item);

/* {"items": [fn(items[0]), ...]}: n records of `size` bytes each. */
json_t *yb_json_items(const yb_viewer *v, const void *items, size_t size,
		      int n, yb_json_item_fn *fn);
/* [fn(items[0]), ...] */
json_t *yb_json_array(const yb_viewer *v, const void *items, size_t size,
		      int n, yb_json_item_fn *fn);

/* ---- the register (json.c) -------------------------------------------- */

/* A person; `account` NULL renders "account": null. */
json_t *yb_json_person(const yb_viewer *v, const yb_person *p,
		       const yb_account *account);
/* The same with "card" (null when `card` is NULL): the person's own view
 * (GET /me) and the operator's `person show`. */
json_t *yb_json_person_card(const yb_viewer *v, const yb_person *p,
			    const yb_account *account, const yb_card *card);
json_t *yb_json_employer(const yb_employer *e);
json_t *yb_json_institution(const yb_institution *i);
json_t *yb_json_card(const yb_card *c);
/* An application as made: `card` (may be NULL) is the card made for it. */
json_t *yb_json_application(const yb_card_application *a,
			    const yb_card *card);
json_t *yb_json_calendar(const yb_calendar_year *y);
json_t *yb_json_material(const yb_material *m);                  /* E4 */

/* ---- money (json.c) --------------------------------------------------- */

json_t *yb_json_contribution(const yb_contribution *c);
json_t *yb_json_ledger_line(const yb_ledger_line *l);
json_t *yb_json_recon(const yb_recon_totals *t);
/* S7: {match, differences: [{field, ours, yours}], ours} of a day. */
json_t *yb_json_recon_compare(const yb_recon_totals *ours,
			      const yb_recon_diff *diffs, int ndiffs);
json_t *yb_json_audit(const yb_audit_record *a);
json_t *yb_json_premium_years(const yb_premium_year *y, int n);  /* E1 */

/* ---- family and settlement (json_settle.c) ---------------------------- */

json_t *yb_json_binding(const yb_viewer *v, const yb_binding *b);
/* {"authorized": [...], "authorized_by": [...]} of one person (Q1). */
json_t *yb_json_bindings_of(const yb_viewer *v, const yb_binding *mine,
			    int nmine, const yb_binding *theirs, int ntheirs);
/* {"results": [{index, ok, binding | error}]} of a bind request (F4). */
json_t *yb_json_bind_results(const yb_viewer *v, const yb_bind_result *res,
			     int n);
json_t *yb_json_premium(const yb_viewer *v, const yb_premium *p);  /* E1 */
/* A settlement; a preview (state YB_SETTLE_PREVIEW) has null id and time. */
json_t *yb_json_settlement(const yb_settlement *s);
json_t *yb_json_offline(const yb_offline *o);
/* S6: the offline record with its re-settlement's id, account and cash
 * parts and shares. */
json_t *yb_json_resettlement(const yb_offline *o, const yb_settlement *s);
json_t *yb_json_usage(const yb_usage *u);

/* ---- notifications, E3 (json.c) ------------------------------------- */

/* A webhook; its secret in full only when `with_secret` (the moment it is
 * made on the command line), else a hint of its last four characters. */
json_t *yb_json_webhook(const yb_webhook *w, bool with_secret);
json_t *yb_json_delivery(const yb_delivery *d);

/* ---- list items (for yb_json_items and the API's pages) --------------- */

yb_json_item_fn yb_json_contribution_item, yb_json_ledger_line_item,
	yb_json_settlement_item, yb_json_usage_item, yb_json_audit_item,
	yb_json_binding_item, yb_json_premium_item, yb_json_material_item,
	yb_json_webhook_item, yb_json_delivery_item;

#endif
