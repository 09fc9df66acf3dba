/*
 * person_seen.c — a person as the roles that are neither he himself nor
 * the agency's staff may see him (the FHIR Patient read, docs/FHIR.md):
 *  - an employer, its own employees — as it sees their contribution
 *    records and no one else's (SPEC Q2);
 *  - an institution, a patient it treats: one named by his ID number,
 *    the credential he shows at the desk (C4; a pre-settlement and NHSA
 *    1101 name him the same way), or one it has settled (the patient of
 *    its own ClaimResponses).
 * Anyone else is person.not_found, the answer for an unknown person, so
 * a key cannot probe who is insured.  The edge shows such a caller the
 * masked form (Q3).
 */
#include "service/person_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "core/idnum.h"

#define SETTLED_PAGE 50

/* Has the acting institution settled (or pre-recorded and re-settled)
 * anything for this person?  1 yes, 0 no, -1 error. */
static int settled_here(yb_ctx *ctx, yb_id person_id, yb_err *err)
{
	yb_store *st = ctx->store;
	yb_settlement *page = NULL;
	yb_id before = 0;
	int n = 0, found = 0;

	do {
		free(page);
		page = NULL;
		if (st->ops->settlements_of_patient(st, person_id, before,
						    SETTLED_PAGE, &page, &n,
						    err) < 0)
			return -1;
		for (int i = 0; i < n && !found; i++)
			found = strcmp(page[i].institution_code,
				       ctx->actor.institution_code) == 0;
		if (n > 0)
			before = page[n - 1].id;
	} while (!found && n == SETTLED_PAGE);
	free(page);
	return found;
}

/* The person `key` names: an 18-character ID number, else an SSN. */
static int load(yb_ctx *ctx, const char *key, bool *by_id_number,
		yb_person *out, yb_err *err)
{
	yb_idnum idn;
	yb_err ignored;
	int found = 0;

	*by_id_number = key && strlen(key) == YB_IDNUM_SZ - 1;
	if (!*by_id_number)
		return yb_person_load(ctx, key, out, err);
	if (yb_idnum_parse(key, yb_date_of(yb_ctx_now(ctx)), &idn,
			   &ignored) == 0)
		found = ctx->store->ops->person_by_id_number(
			ctx->store, idn.normalized, out, err);
	if (found < 0)
		return -1;
	if (!found)
		return yb_errf(err, "person.not_found", "no such person");
	return 0;
}

int yb_person_seen(yb_ctx *ctx, const char *key, yb_person *out, yb_err *err)
{
	bool by_id_number;
	int rc = -1, mine = 0;

	if (yb_authorize(ctx, "person.seen", err) < 0)
		return -1;
	memset(out, 0, sizeof *out);
	if (yb_tx_begin(ctx, false, err) < 0)
		return -1;
	if (load(ctx, key, &by_id_number, out, err) < 0)
		goto out;
	if (ctx->actor.role == YB_ROLE_EMPLOYER)
		mine = out->employer_code[0] &&
		       strcmp(out->employer_code,
			      ctx->actor.employer_code) == 0;
	else if (ctx->actor.role == YB_ROLE_INSTITUTION)
		mine = by_id_number ? 1 : settled_here(ctx, out->id, err);
	if (mine < 0)
		goto out;
	if (!mine) {
		memset(out, 0, sizeof *out);
		yb_errf(err, "person.not_found", "no such person");
		goto out;
	}
	rc = 0;
out:
	return yb_tx_end(ctx, rc, err);
}
