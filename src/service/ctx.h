/*
 * ctx.h — what every service use case is called with, and the shared
 * machinery of a use case: authorization, the transaction, the audit
 * record.
 *
 * A use case is one public function (yb_person_register, yb_settle, ...)
 * that:
 *   1. checks the actor's role against the action's allowed roles (X1);
 *   2. begins one store transaction;
 *   3. reads, asks core rules, writes;
 *   4. appends its audit record (X3) in the same transaction;
 *   5. commits — or rolls back everything on any error.
 * Services neither log nor exit; they return a yb_err.
 */
#ifndef YB_SERVICE_CTX_H
#define YB_SERVICE_CTX_H

#include <stdbool.h>

#include "core/err.h"
#include "core/model.h"
#include "core/settings.h"
#include "store/store.h"

/* Who is acting, through which channel. */
typedef struct yb_actor {
	yb_role role;
	yb_channel channel;
	char id[YB_ACTOR_SZ];            /* "person:<ssn>", "key:<id>", "cli" */
	yb_id person_id;                 /* role person: himself */
	char institution_code[YB_CODE_SZ]; /* role institution */
	char employer_code[YB_CODE_SZ];  /* role employer */
} yb_actor;

/* The injected clock: tests move time instead of sleeping. */
typedef struct yb_clock {
	yb_time (*now)(void *arg);
	void *arg;
} yb_clock;

typedef struct yb_ctx {
	yb_store *store;
	const yb_settings *settings;
	yb_clock clock;
	yb_actor actor;
	/* Set by the group-commit batcher (batch.h): the use case runs inside
	 * a shared transaction, so its begin/commit/rollback become a
	 * savepoint, its release, and a rollback to it. */
	bool in_batch;
	/* In a batch: how many of this request's transactions were kept
	 * (released into the batch).  A request that failed with none kept
	 * left nothing behind, so the batcher may run it again in a later
	 * batch (batch.h, "Several writers"). */
	int kept_in_batch;
	/*
	 * Read routing (`serve --read-db`, issue 16): a connection to a
	 * standby, or NULL.  The one place that decides what reads there is
	 * ctx.c: the action table marks the reads that may be a little
	 * stale; yb_authorize() notes the mark, and a read transaction of
	 * such an action runs on the standby (ctx->store points at it until
	 * the transaction ends).  Writes, and every other read, stay on
	 * `store`.  A standby that cannot begin a transaction is skipped.
	 * Once a write has begun on this context (one request), its later
	 * reads go to the primary: a request that writes and then answers
	 * with a re-read (POST /persons) sees its own write.  So a use
	 * case takes ctx->store after yb_tx_begin, never before.
	 */
	yb_store *standby;
	bool standby_ok;                 /* set by yb_authorize */
	bool wrote;                      /* a write transaction has begun */
	yb_store *primary;               /* saved while a read is on standby */
	/* A read transaction of this request began on the standby.  When
	 * such a read then fails with store.unavailable (the standby died
	 * under it: a killed postmaster's backends answer for a moment),
	 * the edge may run the whole read again on the primary with
	 * `standby` cleared — a read changes nothing, so running it twice
	 * is harmless. */
	bool read_on_standby;
} yb_ctx;

/* The system clock (time(NULL)). */
yb_clock yb_clock_system(void);

yb_time yb_ctx_now(const yb_ctx *ctx);
/* Housekeeping "every `every` seconds" (purges of expired rows): true
 * for one caller per period, and whenever the clock moved back (tests
 * move it).  *last is the caller's own static. */
bool yb_due(_Atomic yb_time *last, yb_time now, yb_time every);
yb_date yb_ctx_today(const yb_ctx *ctx);

/* An actor for the command line (role admin, channel cli). */
yb_actor yb_actor_cli(void);

/*
 * X1: may the actor perform `action`?  The table of actions and their
 * roles is in ctx.c — the one place that says who may do what (and
 * which reads may be served by a standby: ctx->standby_ok).
 * Error "auth.forbidden".
 */
int yb_authorize(yb_ctx *ctx, const char *action, yb_err *err);

/*
 * Read routing for a use case that reads in several transactions after
 * its one authorization (a statement's pages, streamed one request-less
 * call at a time; an arrears report's look-up, then its scan):
 * yb_reads_kept() is what yb_authorize chose, to be kept with the use
 * case's state; yb_reads_rearm() hands it to the next read transaction.
 * The choice itself stays ctx.c's.
 */
bool yb_reads_kept(const yb_ctx *ctx);
void yb_reads_rearm(yb_ctx *ctx, bool kept);

/* Begin a write (or read) transaction; on failure nothing is open.  A
 * read of an action marked for the standby runs there when ctx->standby
 * is set and answers. */
int yb_tx_begin(yb_ctx *ctx, bool write, yb_err *err);
/* Commit; on failure the transaction is rolled back. */
int yb_tx_commit(yb_ctx *ctx, yb_err *err);
void yb_tx_rollback(yb_ctx *ctx);
/*
 * The single exit of a use case: commit when rc == 0, else roll back.
 * Returns 0 only when the work was committed, so a use case can end with
 * `out: return yb_tx_end(ctx, rc, err);`.
 */
int yb_tx_end(yb_ctx *ctx, int rc, yb_err *err);

/*
 * Append the audit record of the current transaction's change: chained to
 * the previous record's hash.  `target` like "person:440300199001011234"
 * (callers mask nothing here: the audit log is the agency's own record).
 */
int yb_audit(yb_ctx *ctx, const char *action, const char *target,
	     const char *result, yb_err *err);

#endif
