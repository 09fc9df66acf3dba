/*
 * notify.h — E3: the authorizer is told of every use of his account.
 *
 * Two halves:
 *  - writers, called by other use cases INSIDE their own transaction
 *    (so a notification exists exactly when the use it reports was
 *    committed — an outbox): yb_notify_add and the helpers for each kind;
 *  - use cases of their own: a person lists and marks his notifications;
 *    the agency manages its webhooks and their deliveries; the webhook
 *    sender (src/webhook/) claims due deliveries and records attempts.
 *
 * Kinds (core/notify.h, the `kind` of the API and of the webhook body):
 *   settlement_share  a relative's bill paid from the account (S3)
 *   share_revoked     that share given back by a revocation (S5)
 *   premium_payment   a relative's resident premium paid from it (E1)
 *   binding_created   a relative authorized (F1, any channel)
 *   binding_ended     a binding on it ended (F6 by him, F8 termination)
 */
#ifndef YB_SERVICE_NOTIFY_H
#define YB_SERVICE_NOTIFY_H

#include "core/notify.h"
#include "service/ctx.h"

/* ---- writers: inside the caller's transaction, no commit --------------- */

/* Write `n` (n->created_at set to now; n->id set) and queue its webhook
 * deliveries.  n->person_id is the authorizer told. */
int yb_notify_add(yb_ctx *ctx, yb_notification *n, yb_err *err);

/* A settlement (kind settlement_share) or its revocation (share_revoked):
 * one notification per share paid from a relative's account — never for
 * the patient's own account.  `inst` is the settlement's institution when
 * the caller has it at hand (its name goes into the note), NULL to have
 * it read here, once and only if someone is told. */
int yb_notify_shares(yb_ctx *ctx, const yb_settlement *s,
		     const yb_institution *inst, yb_note_kind kind,
		     yb_err *err);

/* A binding made (binding_created, detail = channel) or ended
 * (binding_ended, detail = end reason), told to its authorizer. */
int yb_notify_binding(yb_ctx *ctx, const yb_binding *b, yb_note_kind kind,
		      const char *end_reason, yb_err *err);

/* F8: before the person's termination ends his bindings, tell the
 * authorizer of each active one (both directions). */
int yb_notify_bindings_ending(yb_ctx *ctx, yb_id person_id,
			      const char *reason, yb_err *err);

/*
 * E1: the authorizer paid `relative`'s resident premium for `year`
 * (`amount_fen`) from his personal account.  `ref` names the payment
 * ("premium:<contribution id>" or the client request id); detail is the
 * year.  For E1's use case to call in its own transaction.
 */
int yb_notify_premium_paid(yb_ctx *ctx, yb_id authorizer_id,
			   const yb_person *relative,
			   yb_relationship relationship, int year,
			   int64_t amount_fen, const char *ref, yb_err *err);

/* ---- the person's own (action notification.*, role person) ------------- */

int yb_my_notifications(yb_ctx *ctx, yb_id before, int limit,
			yb_notification **out, int *n, yb_err *err);
int yb_my_notifications_unread(yb_ctx *ctx, int64_t *count, yb_err *err);
/* Mark one (id ≠ 0) or all read; *changed how many were unread. */
int yb_my_notifications_read(yb_ctx *ctx, yb_id id, int *changed,
			     yb_err *err);

/* ---- the agency's webhooks and deliveries ------------------------------ */

/* label may be NULL or "". */
int yb_webhook_add(yb_ctx *ctx, const char *url, const char *secret,
		   const char *label, yb_webhook *out, yb_err *err);
int yb_webhooks_list(yb_ctx *ctx, yb_id before, int limit, yb_webhook **out,
		     int *n, yb_err *err);
int yb_webhook_remove(yb_ctx *ctx, yb_id id, yb_err *err);
/* state: "pending", "delivered", "dead", or NULL / "" for all. */
int yb_deliveries_list(yb_ctx *ctx, const char *state, yb_id before,
		       int limit, yb_delivery **out, int *n, yb_err *err);
/* A dead delivery back to pending, due now, its attempts counted anew. */
int yb_delivery_retry(yb_ctx *ctx, yb_id id, yb_delivery *out, yb_err *err);

/* ---- the sender (action webhook.send) ---------------------------------- */

/* Claim up to `max` due deliveries (one transaction), each leased until
 * now_ms + lease_ms. */
int yb_deliveries_claim(yb_ctx *ctx, int64_t now_ms, int64_t lease_ms,
			int max, yb_delivery_job *jobs, int *n, yb_err *err);
/* Record one attempt's outcome (one transaction). */
int yb_delivery_record(yb_ctx *ctx, const yb_delivery *d, yb_err *err);

#endif
