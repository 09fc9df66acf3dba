/*
 * http_audit.c — GET /api/v1/audit: the administrator's listing of the
 * hash-chained audit records (SPEC X3), newest first.  Verifying the
 * chain is a CLI command, not an HTTP one.
 */
#include <stddef.h>

#include "http/httpd.h"
#include "service/ledger.h"

static int fetch_audit(yb_hreq *r, yb_id before, int limit, void **items,
		       int *n, yb_err *err)
{
	yb_audit_record *out = NULL;
	int rc = yb_audit_list(&r->ctx, before, limit, &out, n, err);

	*items = out;
	return rc;
}

void yb_handle_audit_get(yb_hreq *r)
{
	static const yb_page_kind k = {
		fetch_audit, yb_json_audit_item, sizeof(yb_audit_record),
		offsetof(yb_audit_record, seq) };
	yb_reply_page(r, &k);
}
