/*
 * health.c — the service's own upkeep (health.h): the health check and
 * the demo seed's marker, so that the edges (http, cli) only decode,
 * call and encode, and never open a transaction on the store themselves.
 */
#include "service/health.h"

#include <string.h>

#define DEMO_MARKER "demo_seeded"

int yb_health_check(yb_ctx *ctx, yb_health *out, yb_err *err)
{
	int rc;

	memset(out, 0, sizeof *out);
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	rc = ctx->store->ops->meta_get(ctx->store, "schema_version",
				       out->schema_version,
				       sizeof out->schema_version, err);
	yb_tx_rollback(ctx);
	return rc < 0 ? -1 : 0;
}

int yb_demo_seeded(yb_ctx *ctx, bool *seeded, yb_err *err)
{
	char buf[64];
	int found;

	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = ctx->store->ops->meta_get(ctx->store, DEMO_MARKER, buf,
					  sizeof buf, err);
	yb_tx_rollback(ctx);
	if (found < 0)
		return -1;
	*seeded = found == 1;
	return 0;
}

int yb_demo_mark_seeded(yb_ctx *ctx, yb_err *err)
{
	int rc;

	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	rc = ctx->store->ops->meta_put(ctx->store, DEMO_MARKER, "1", err);
	return yb_tx_end(ctx, rc, err);
}
