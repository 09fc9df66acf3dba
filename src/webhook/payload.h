/*
 * payload.h — the JSON form of a notification (E3), one for both of its
 * readers: the person's API (GET /api/v1/me/notifications) and the
 * body the webhook sender posts.  The relative's name is masked (Q3),
 * as in the family-usage view.
 */
#ifndef YB_WEBHOOK_PAYLOAD_H
#define YB_WEBHOOK_PAYLOAD_H

#include <jansson.h>

#include "core/notify.h"

/* {id, kind, created_at, read_at, relative{ssn,name,relationship},
 *  amount_fen, institution{code,name}|null, ref, detail}; NULL: no memory. */
json_t *yb_notification_json(const yb_notification *n);

/* The webhook body: {delivery_id, webhook_id, attempt, person_ssn,
 * notification}.  Returns a malloc'd string (free()), NULL: no memory. */
char *yb_delivery_body(const yb_delivery_job *j, int attempt);

#endif
