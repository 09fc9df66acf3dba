/*
 * health.h — the use cases that look after the service itself rather
 * than anyone's insurance: the health check behind GET /healthz, and the
 * marker the demo seed (`yibao demo seed`) leaves when it completed.
 * Neither changes business state, so neither is authorized or audited:
 * the health check is public by design, the marker is a tool's note.
 */
#ifndef YB_SERVICE_HEALTH_H
#define YB_SERVICE_HEALTH_H

#include <stdbool.h>

#include "service/ctx.h"

typedef struct yb_health {
	char schema_version[64];         /* "" when the store has none yet */
} yb_health;

/* A trivial read in its own transaction on ctx->store: the database is
 * reachable and its schema readable.  Errors are the store's. */
int yb_health_check(yb_ctx *ctx, yb_health *out, yb_err *err);

/* Has `yibao demo seed` completed on this store?  (own transaction) */
int yb_demo_seeded(yb_ctx *ctx, bool *seeded, yb_err *err);
/* Say that it has (own write transaction). */
int yb_demo_mark_seeded(yb_ctx *ctx, yb_err *err);

#endif
