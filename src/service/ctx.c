/*
 * ctx.c — the shared machinery of every use case: the clock, the table of
 * who may do what (X1), which reads a standby may serve, the transaction
 * wrappers and the hash-chained audit record (X3).
 */
#include "service/ctx.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/hash.h"

#define R(role) (1u << (role))

#define R_ADMIN     R(YB_ROLE_ADMIN)
#define R_WINDOW    R(YB_ROLE_AGENCY_WINDOW)
#define R_HOSPITAL  R(YB_ROLE_HOSPITAL_OFFICE)
#define R_PERSON    R(YB_ROLE_PERSON)
#define R_TERMINAL  R(YB_ROLE_TERMINAL)
#define R_INST      R(YB_ROLE_INSTITUTION)
#define R_EMPLOYER  R(YB_ROLE_EMPLOYER)
#define R_EVERYONE  ((1u << YB_ROLE__N) - 1u)

/*
 * X1: the one table of actions and the roles allowed to perform them.
 * An action missing from this table is refused (fail closed), so a new
 * use case cannot be reachable before someone decides who may call it.
 */
static const struct {
	const char *action;
	unsigned roles;
} acl[] = {
	/* register of persons and employers */
	{ "person.register",        R_ADMIN | R_WINDOW },
	{ "person.suspend",         R_ADMIN | R_WINDOW },
	{ "person.resume",          R_ADMIN | R_WINDOW },
	{ "person.terminate",       R_ADMIN | R_WINDOW },
	{ "person.set_password",    R_ADMIN | R_WINDOW },
	{ "person.get",             R_ADMIN | R_WINDOW },
	/* fhir: Patient for an employer's staff and an institution's
	 * patients (person_seen.c), masked (Q3) */
	{ "person.seen",            R_INST | R_EMPLOYER },
	{ "employer.register",      R_ADMIN },
	{ "employer.get",           R_ADMIN | R_WINDOW },
	/* contributions, books, operations */
	{ "contribution.post",      R_ADMIN | R_WINDOW | R_EMPLOYER },
	{ "ledger.check",           R_ADMIN },
	{ "audit.verify",           R_ADMIN },
	{ "audit.list",             R_ADMIN },
	{ "apikey.create",          R_ADMIN },
	{ "calendar.put",           R_ADMIN },
	{ "calendar.get",           R_EVERYONE },
	{ "institution.register",   R_ADMIN },
	{ "institution.get",        R_ADMIN | R_INST },
	/* cards */
	{ "card.apply",             R_ADMIN | R_WINDOW },
	{ "card.issue",             R_ADMIN | R_WINDOW },
	{ "card.mark_ready",        R_ADMIN | R_WINDOW },
	{ "card.activate",          R_ADMIN | R_WINDOW },
	{ "card.return",            R_ADMIN | R_WINDOW },
	{ "card.get",               R_ADMIN | R_WINDOW },
	{ "card.report_loss",       R_ADMIN | R_WINDOW | R_PERSON },
	/* family mutual aid */
	{ "binding.create",         R_PERSON | R_TERMINAL | R_HOSPITAL | R_WINDOW },
	{ "binding.end",            R_PERSON | R_TERMINAL | R_HOSPITAL | R_WINDOW },
	{ "binding.list",           R_PERSON | R_ADMIN | R_WINDOW | R_HOSPITAL |
				    R_TERMINAL },
	/* family: premiums, caps, materials (E1, E2, E4) */
	{ "binding.cap",            R_PERSON | R_ADMIN | R_WINDOW | R_HOSPITAL },
	{ "premium.pay",            R_PERSON | R_WINDOW },
	{ "premium.years",          R_PERSON | R_WINDOW | R_ADMIN },
	/* E4: scans of F5's materials, at the operator channels only; never
	 * shown to a person, a terminal or an institution */
	{ "material.attach",        R_WINDOW | R_HOSPITAL },
	{ "material.read",          R_WINDOW | R_HOSPITAL | R_ADMIN },
	/* settlement at institutions */
	{ "settlement.create",      R_INST },
	{ "settlement.preview",     R_INST },
	{ "settlement.get",         R_INST },
	{ "settlement.revoke",      R_INST },
	{ "offline.record",         R_INST },
	{ "offline.resettle",       R_INST },
	{ "offline.get",            R_INST },
	{ "reconciliation.get",     R_INST },
	{ "reconciliation.compare", R_INST },
	/* credentials and inquiry */
	{ "ecert.issue",            R_PERSON | R_ADMIN | R_WINDOW },
	{ "inquiry.self",           R_PERSON },
	/* a person's own sessions and password (issue 14) */
	{ "session.list",           R_PERSON },
	{ "session.end",            R_PERSON },
	{ "password.change",        R_PERSON },
	{ "inquiry.person",         R_ADMIN | R_WINDOW },
	{ "inquiry.employer",       R_EMPLOYER },
	/* --- nhsa: the national-interface gateway (settlement, revocation,
	 * queries and reconciliation use the settlement actions above) --- */
	{ "nhsa.credential.issue",  R_ADMIN },
	{ "nhsa.credential.list",   R_ADMIN },
	{ "nhsa.credential.revoke", R_ADMIN },
	{ "nhsa.message.get",       R_ADMIN | R_WINDOW },
	{ "nhsa.reversal",          R_INST },
	{ "nhsa.sign",              R_INST },
	{ "nhsa.person",            R_INST },
	{ "nhsa.visit",             R_INST },
	{ "nhsa.fee",               R_INST },
	{ "nhsa.cumulative",        R_INST },
	{ "nhsa.file",              R_INST },   /* 9101, 9102, 3202 */
	/* notify (E3): the authorizer's notifications, the agency's
	 * webhooks and their deliveries (the sender acts as admin) */
	{ "notification.list",      R_PERSON },
	{ "notification.read",      R_PERSON },
	{ "webhook.manage",         R_ADMIN },
	{ "webhook.list",           R_ADMIN },
	{ "delivery.list",          R_ADMIN | R_WINDOW },
	{ "delivery.retry",         R_ADMIN | R_WINDOW },
	{ "webhook.send",           R_ADMIN },
	/* records and proofs (R1–R4); a person's own statements, gaps and
	 * arrears are inquiry.self, the agency's view of them
	 * inquiry.person */
	{ "record.employer",        R_EMPLOYER | R_ADMIN | R_WINDOW },
	{ "arrears.list",           R_ADMIN | R_WINDOW },
	{ "proof.issue",            R_PERSON | R_ADMIN | R_WINDOW },
	{ "proof.get",              R_PERSON | R_ADMIN | R_WINDOW },
	{ "proof.revoke",           R_ADMIN | R_WINDOW },
};

/*
 * Issue 16, `serve --read-db`: the reads a standby may serve.  They show
 * data as the standby has replayed it, at most its replay lag behind the
 * primary (docs/POSTGRESQL.md "Reads from a standby"): person views,
 * statements and family usage, an employer's contributions, the daily
 * reconciliation; the records (R1, R3, R4): statements, gaps and arrears
 * of a person (inquiry.self, inquiry.person) or an employer
 * (record.employer), and the agency's arrears list.  Everything else
 * reads the primary: authentication (a revoked token stops at once), the
 * lists a person edits himself (bindings, notifications, sessions, his
 * proofs), a settlement the hospital has just made, a proof (just
 * issued, it must be found; revoked, it must fail verification at
 * once), and every read inside a write — a proof's issuance reads the
 * records it certifies in its own write transaction.
 */
static const char *const standby_reads[] = {
	"person.get", "inquiry.self", "inquiry.person", "inquiry.employer",
	"reconciliation.get", "reconciliation.compare",
	"record.employer", "arrears.list",
};

static bool reads_from_standby(const char *action)
{
	for (size_t i = 0; i < sizeof standby_reads / sizeof standby_reads[0];
	     i++)
		if (strcmp(standby_reads[i], action) == 0)
			return true;
	return false;
}

static yb_time clock_system_now(void *arg)
{
	(void)arg;
	return (yb_time)time(NULL);
}

yb_clock yb_clock_system(void)
{
	yb_clock c = { clock_system_now, NULL };
	return c;
}

yb_time yb_ctx_now(const yb_ctx *ctx)
{
	if (ctx->clock.now)
		return ctx->clock.now(ctx->clock.arg);
	return (yb_time)time(NULL);
}

bool yb_due(_Atomic yb_time *last, yb_time now, yb_time every)
{
	yb_time prev = atomic_load(last);

	if (now >= prev && now - prev < every)
		return false;
	return atomic_compare_exchange_strong(last, &prev, now);
}

yb_date yb_ctx_today(const yb_ctx *ctx)
{
	return yb_date_of(yb_ctx_now(ctx));
}

yb_actor yb_actor_cli(void)
{
	yb_actor a;
	memset(&a, 0, sizeof a);
	a.role = YB_ROLE_ADMIN;
	a.channel = YB_CHAN_CLI;
	snprintf(a.id, sizeof a.id, "cli");
	return a;
}

int yb_authorize(yb_ctx *ctx, const char *action, yb_err *err)
{
	unsigned role = (unsigned)ctx->actor.role;

	ctx->standby_ok = reads_from_standby(action);
	if (role >= (unsigned)YB_ROLE__N)
		return yb_errf(err, "auth.forbidden", "unknown role");
	for (size_t i = 0; i < sizeof acl / sizeof acl[0]; i++) {
		if (strcmp(acl[i].action, action) != 0)
			continue;
		if (acl[i].roles & R(role))
			return 0;
		break;
	}
	return yb_errf(err, "auth.forbidden", "not allowed: %s", action);
}

bool yb_reads_kept(const yb_ctx *ctx)
{
	return ctx->standby_ok;
}

void yb_reads_rearm(yb_ctx *ctx, bool kept)
{
	ctx->standby_ok = kept;
}

/*
 * A read the standby may serve goes there; if the standby cannot begin
 * (down, unreachable, backing off after a lost connection), the primary
 * serves it: a standby is an offload, never a new way to fail.
 */
static bool begin_on_standby(yb_ctx *ctx, bool write)
{
	bool ok = ctx->standby_ok;
	yb_err ignored;

	/* the authorization's choice is for its one transaction */
	ctx->standby_ok = false;
	if (write)
		ctx->wrote = true;
	if (write || ctx->wrote || !ok || !ctx->standby || ctx->primary)
		return false;
	if (ctx->standby->ops->begin(ctx->standby, false, &ignored) < 0)
		return false;
	ctx->primary = ctx->store;
	ctx->store = ctx->standby;
	ctx->read_on_standby = true;
	return true;
}

/* After a transaction: back on the primary. */
static void tx_done(yb_ctx *ctx)
{
	if (ctx->primary) {
		ctx->store = ctx->primary;
		ctx->primary = NULL;
	}
}

int yb_tx_begin(yb_ctx *ctx, bool write, yb_err *err)
{
	if (ctx->in_batch)
		return ctx->store->ops->savepoint(ctx->store, err);
	if (begin_on_standby(ctx, write))
		return 0;
	return ctx->store->ops->begin(ctx->store, write, err);
}

static int tx_commit(yb_ctx *ctx, yb_err *err)
{
	if (ctx->in_batch) {
		/* Durable only when the batcher commits the whole batch. */
		yb_err ignored;
		if (ctx->store->ops->release(ctx->store, err) == 0) {
			ctx->kept_in_batch++;
			return 0;
		}
		ctx->store->ops->rollback_to(ctx->store, &ignored);
		return -1;
	}
	if (ctx->store->ops->commit(ctx->store, err) == 0)
		return 0;
	/* The engine should have rolled back already; make sure nothing stays
	 * open, since rollback is harmless when no transaction is. */
	ctx->store->ops->rollback(ctx->store);
	return -1;
}

int yb_tx_commit(yb_ctx *ctx, yb_err *err)
{
	int rc = tx_commit(ctx, err);

	tx_done(ctx);
	return rc;
}

void yb_tx_rollback(yb_ctx *ctx)
{
	if (ctx->in_batch) {
		/* Undo this use case only; the batch goes on. */
		yb_err ignored;
		ctx->store->ops->rollback_to(ctx->store, &ignored);
	} else {
		ctx->store->ops->rollback(ctx->store);
	}
	tx_done(ctx);
}

int yb_tx_end(yb_ctx *ctx, int rc, yb_err *err)
{
	if (rc == 0)
		return yb_tx_commit(ctx, err);
	yb_tx_rollback(ctx);
	return -1;
}

int yb_audit(yb_ctx *ctx, const char *action, const char *target,
	     const char *result, yb_err *err)
{
	yb_audit_record head, rec;
	int found;

	memset(&rec, 0, sizeof rec);
	found = ctx->store->ops->audit_head(ctx->store, &head, err);
	if (found < 0)
		return -1;
	if (found) {
		rec.seq = head.seq + 1;
		rec.chain = head.chain;
		snprintf(rec.prev_hash, sizeof rec.prev_hash, "%s", head.hash);
	} else {
		rec.seq = 1;
		memset(rec.prev_hash, '0', YB_HASH_HEX_SZ - 1);
		rec.prev_hash[YB_HASH_HEX_SZ - 1] = '\0';
	}
	rec.at = yb_ctx_now(ctx);
	snprintf(rec.actor, sizeof rec.actor, "%s", ctx->actor.id);
	rec.role = ctx->actor.role;
	rec.channel = ctx->actor.channel;
	snprintf(rec.action, sizeof rec.action, "%s", action);
	snprintf(rec.target, sizeof rec.target, "%s", target ? target : "");
	snprintf(rec.result, sizeof rec.result, "%s", result ? result : "ok");
	yb_audit_hash(&rec);
	return ctx->store->ops->audit_insert(ctx->store, &rec, err);
}
