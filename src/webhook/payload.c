/*
 * payload.c — the JSON of a notification and of a webhook delivery's
 * body (payload.h).
 */
#include "webhook/payload.h"

#include <stdio.h>
#include <time.h>

#include "core/enums.h"
#include "core/mask.h"

/* RFC 3339 UTC, or null for 0. */
static json_t *jtime(yb_time t)
{
	char buf[32];
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0 || !gmtime_r(&tt, &tm))
		return json_null();
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

json_t *yb_notification_json(const yb_notification *n)
{
	char name[YB_NAME_SZ];
	json_t *inst = json_null();

	if (n->institution_code[0])
		inst = json_pack("{s:s, s:s}", "code", n->institution_code,
				 "name", n->institution_name);
	return json_pack("{s:I, s:s, s:o, s:o, s:{s:s, s:s, s:s}, s:I, s:o, "
			 "s:s, s:s}",
			 "id", (json_int_t)n->id,
			 "kind", yb_note_kind_str(n->kind),
			 "created_at", jtime(n->created_at),
			 "read_at", jtime(n->read_at),
			 "relative",
			 "ssn", n->relative_ssn,
			 "name", yb_mask_name(n->relative_name, name,
					      sizeof name),
			 "relationship", yb_relationship_str(n->relationship),
			 "amount_fen", (json_int_t)n->amount_fen,
			 "institution", inst,
			 "ref", n->ref, "detail", n->detail);
}

char *yb_delivery_body(const yb_delivery_job *j, int attempt)
{
	json_t *o = json_pack("{s:I, s:I, s:i, s:s, s:o}",
			      "delivery_id", (json_int_t)j->d.id,
			      "webhook_id", (json_int_t)j->d.webhook_id,
			      "attempt", attempt,
			      "person_ssn", j->person_ssn,
			      "notification", yb_notification_json(&j->n));
	char *s;

	if (!o)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}
