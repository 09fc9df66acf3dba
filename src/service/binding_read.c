/*
 * binding_read.c — reads of bindings by their own id and by a person's
 * SSN: what the FHIR edge's RelatedPerson read and search need (the JSON
 * API reaches bindings through a person's lists only).  Same action and
 * the same rule as yb_bindings_of: binding.list, a person sees only the
 * bindings he is a party to.
 */
#include "service/binding.h"

int yb_binding_get(yb_ctx *ctx, yb_id id, yb_binding *out, yb_err *err)
{
	int found, rc = -1;

	if (yb_authorize(ctx, "binding.list", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = ctx->store->ops->binding_by_id(ctx->store, id, out, err);
	if (found < 0)
		goto out;
	/* Another's binding is not even acknowledged to a person. */
	if (!found || (ctx->actor.role == YB_ROLE_PERSON &&
		       out->authorizer_id != ctx->actor.person_id &&
		       out->relative_id != ctx->actor.person_id)) {
		yb_errf(err, "binding.not_found", "no such binding");
		goto out;
	}
	rc = 0;
out:
	yb_tx_rollback(ctx);
	return rc;
}

int yb_bindings_of_ssn(yb_ctx *ctx, const char *ssn, yb_binding **authorized,
		       int *nauthorized, yb_binding **authorized_by,
		       int *nauthorized_by, yb_err *err)
{
	yb_person p;
	int found;

	*authorized = *authorized_by = NULL;
	*nauthorized = *nauthorized_by = 0;
	if (yb_authorize(ctx, "binding.list", err) < 0)
		return -1;
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	found = ctx->store->ops->person_by_ssn(ctx->store, ssn, &p, err);
	yb_tx_rollback(ctx);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "person.not_found", "no such person");
	return yb_bindings_of(ctx, p.id, authorized, nauthorized,
			      authorized_by, nauthorized_by, err);
}
