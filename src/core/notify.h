/*
 * notify.h — the records of E3 (the authorizer is told of every use of
 * his account) and the pure rules of their delivery: notification kinds,
 * agency webhooks, delivery rows, the retry schedule and the signature.
 *
 * The outbox: a notification row is written in the same transaction as
 * the use it reports, together with one pending delivery row per active
 * webhook.  A background sender (src/webhook/) posts the deliveries later;
 * so a notification exists exactly when its use was committed, and a
 * delivery is never lost across a crash (it is a row until it is done).
 */
#ifndef YB_CORE_NOTIFY_H
#define YB_CORE_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

/* What happened on the authorizer's account. */
typedef enum {
	YB_NOTE_SETTLEMENT_SHARE,   /* a relative's bill paid from it (S3) */
	YB_NOTE_SHARE_REVOKED,      /* that share given back (S5) */
	YB_NOTE_PREMIUM_PAYMENT,    /* a relative's resident premium paid (E1) */
	YB_NOTE_BINDING_CREATED,    /* a relative authorized (F1) */
	YB_NOTE_BINDING_ENDED,      /* a binding ended (F6, F8) */
	YB_NOTE__N
} yb_note_kind;

const char *yb_note_kind_str(yb_note_kind v);
bool yb_note_kind_from_str(const char *s, yb_note_kind *out);

#define YB_NOTE_REF_SZ    64
#define YB_NOTE_DETAIL_SZ 64
#define YB_URL_SZ         512
#define YB_SECRET_SZ      129         /* 16..128 bytes of printable ASCII */
#define YB_SECRET_MIN     16

typedef struct yb_notification {
	yb_id id;
	yb_id person_id;                 /* the authorizer told */
	yb_note_kind kind;
	/* The relative, as he was at the time (a message, not a view). */
	yb_id relative_id;
	char relative_ssn[YB_SSN_SZ];
	char relative_name[YB_NAME_SZ];
	yb_relationship relationship;
	int64_t amount_fen;              /* 0 for bindings */
	char institution_code[YB_CODE_SZ];   /* shares and revocations */
	char institution_name[YB_NAME_SZ];
	char ref[YB_NOTE_REF_SZ];        /* "settlement:12", "binding:3" */
	/* kind-specific: visit type (shares), channel (binding made), end
	 * reason (binding ended), year (premium) */
	char detail[YB_NOTE_DETAIL_SZ];
	yb_time created_at;
	yb_time read_at;                 /* 0 while unread */
} yb_notification;

typedef struct yb_webhook {
	yb_id id;
	char url[YB_URL_SZ];
	char secret[YB_SECRET_SZ];       /* the HMAC key, kept as given */
	char label[YB_NAME_SZ];
	yb_time created_at;
	yb_time removed_at;              /* 0 while active */
} yb_webhook;

typedef enum { YB_DELIV_PENDING, YB_DELIV_DELIVERED, YB_DELIV_DEAD,
	       YB_DELIV__N } yb_deliv_state;

const char *yb_deliv_state_str(yb_deliv_state v);
bool yb_deliv_state_from_str(const char *s, yb_deliv_state *out);

typedef struct yb_delivery {
	yb_id id;                        /* the X-Yibao-Delivery value */
	yb_id webhook_id;
	yb_id notification_id;
	yb_deliv_state state;
	int attempts;
	int64_t next_at_ms;              /* Unix ms: due (pending) */
	int last_status;                 /* HTTP status, 0 = none */
	char last_error[YB_TEXT_SZ];
	yb_time created_at;
	yb_time delivered_at;
	char url[YB_URL_SZ];             /* filled by reads, for display */
} yb_delivery;

/* A delivery claimed by the sender, with what it needs to post it. */
typedef struct yb_delivery_job {
	yb_delivery d;
	char secret[YB_SECRET_SZ];
	yb_notification n;
	char person_ssn[YB_SSN_SZ];      /* the authorizer, for the gateway */
} yb_delivery_job;

/*
 * The retry schedule: after the `attempt`-th failure (1, 2, ...) wait
 * base·2^(attempt−1) ms, at most max_ms, with "equal jitter": half of it
 * fixed, the other half uniformly random (`rnd` in [0, 2^32)), so that
 * receivers coming back up are not hit by every sender at once.
 */
int64_t yb_webhook_backoff_ms(int attempt, int64_t base_ms, int64_t max_ms,
			      uint32_t rnd);

/*
 * The signature of a delivery: HMAC-SHA256 with the webhook's secret as
 * key over "<timestamp>.<body>" (timestamp: decimal Unix seconds, the
 * X-Yibao-Timestamp header), as lower-case hex: the value of
 * X-Yibao-Signature is "sha256=" followed by it.  out: 65 bytes.
 */
void yb_webhook_sign(const char *secret, const char *timestamp,
		     const char *body, size_t body_len, char out[65]);

/* A webhook URL we accept: http:// or https://, printable, no blanks. */
bool yb_webhook_url_valid(const char *url);
/* A secret: YB_SECRET_MIN..YB_SECRET_SZ-1 bytes of printable ASCII. */
bool yb_webhook_secret_valid(const char *secret);

#endif
