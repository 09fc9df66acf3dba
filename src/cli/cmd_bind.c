/*
 * cmd_bind.c — `yibao bind`: family mutual aid (家庭共济) bindings made
 * and ended at an operator's desk (SPEC F1–F6, F8).
 *
 * The command line acts as the operator of the channel it names (by
 * default the agency's window) and declares every material of that
 * channel presented: the person at the keyboard is the one who checked
 * the ID cards and social security cards (F5).  The self-service channels
 * (web, wechat) belong to the person himself and are the portal's.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "service/binding.h"
#include "service/person.h"

/* cli.h: an operator's desk on the command line (F5). */
int cli_desk_request(yb_cli *cli, const char *authorizer, cli_desk *who,
		     yb_bind_req *req)
{
	yb_actor *a = &cli->ctx.actor;
	const char *colon = strchr(authorizer, ':');
	size_t len = colon ? (size_t)(colon - authorizer) : strlen(authorizer);
	yb_channel chan;
	yb_err err;
	int rc;

	if (len >= sizeof who->ssn)
		return cli_usage(cli, "--authorizer: '%s' is not an SSN",
				 authorizer);
	memcpy(who->ssn, authorizer, len);
	who->ssn[len] = '\0';
	if (colon) {
		snprintf(who->id_number, sizeof who->id_number, "%s", colon + 1);
	} else {
		yb_person_view v;
		if ((rc = cli_open(cli)) != CLI_GO)
			return rc;
		if (yb_person_get(&cli->ctx, who->ssn, &v, &err) < 0)
			return cli_fail(cli, &err);
		snprintf(who->id_number, sizeof who->id_number, "%s",
			 v.person.id_number);
	}
	if (!yb_channel_from_str(who->channel, &chan))
		return cli_usage(cli, "--channel: unknown channel '%s'",
				 who->channel);

	memset(req, 0, sizeof *req);
	req->authorizer_ssn = who->ssn;
	req->authorizer_id_number = who->id_number;
	req->channel = who->channel;
	memset(a, 0, sizeof *a);
	a->channel = chan;
	snprintf(a->id, sizeof a->id, "cli:%s", who->channel);
	switch (chan) {
	case YB_CHAN_AGENCY_WINDOW:
		a->role = YB_ROLE_AGENCY_WINDOW;
		req->materials.id_cards = true;
		req->materials.social_security_cards = true;
		req->materials.card_copies = true;
		break;
	case YB_CHAN_HOSPITAL_OFFICE:
		a->role = YB_ROLE_HOSPITAL_OFFICE;
		req->materials.id_cards = true;
		req->materials.social_security_cards = true;
		break;
	case YB_CHAN_TERMINAL:
		a->role = YB_ROLE_TERMINAL;
		req->materials.authorizer_card_no = who->authorizer_card;
		req->materials.relative_card_no = who->relative_card;
		req->materials.relative_id_number = who->relative_id_card;
		break;
	default:
		return cli_usage(cli,
			"--channel must be agency_window, hospital_office or terminal");
	}
	return cli_open(cli);
}

static const char add_help[] =
	"usage: yibao bind add --authorizer SSN[:ID_NUMBER]\n"
	"                      --relative SSN:ID_NUMBER:RELATIONSHIP [--relative ...]\n"
	"                      [--channel CHANNEL] [terminal cards]\n"
	"\n"
	"Authorize relatives to pay for their own care from the authorizer's\n"
	"personal account (SPEC F1-F5).  Each relative is checked and bound on\n"
	"his own (F4): the result lists every row; exit status 1 if any row was\n"
	"refused.  Relationships: spouse, parent, child (and, where the settings\n"
	"allow, sibling, grandparent, grandchild) - the relative as seen from\n"
	"the authorizer.\n"
	"\n"
	"The command acts as the operator of CHANNEL and declares its materials\n"
	"presented (F5):\n"
	"  agency_window    (default) ID cards, originals and copies of both\n"
	"                   persons' social security cards\n"
	"  hospital_office  ID cards and social security cards of both\n"
	"  terminal         --authorizer-card NO, and --relative-card NO or\n"
	"                   --relative-id-card ID (cards must be activated)\n"
	"Without :ID_NUMBER the authorizer's ID number is taken from the register.\n"
	"\n"
	"Examples:\n"
	"  yibao bind add --authorizer 600000001 \\\n"
	"        --relative 600000003:440305201209010033:child \\\n"
	"        --relative 600000004:440305195002100041:parent\n"
	"  yibao bind add --authorizer 600000001 --channel hospital_office \\\n"
	"        --relative 600000002:44030519800722002X:spouse\n";

/* The text form of a bind: one flat row per relative of the request. */
static json_t *bind_rows(const yb_bind_row *rows, const yb_bind_result *res,
			 int n)
{
	json_t *out = json_array();

	for (int i = 0; out && i < n; i++) {
		const yb_bind_result *r = &res[i];
		json_t *row = json_pack("{s:i, s:s, s:s, s:s, s:o, s:o}",
			"index", i, "relative_ssn", rows[i].ssn,
			"relationship", rows[i].relationship,
			"result", r->ok ? "bound" : r->error.code,
			"binding_id", r->ok ? json_integer(r->binding.id)
					    : json_null(),
			"message",
			yb_jstr_or_null(r->ok ? "" : r->error.message));
		if (!row || json_array_append_new(out, row) < 0) {
			json_decref(out);
			out = NULL;
		}
	}
	return json_pack("{s:o}", "items", out);
}

static int bind_add(yb_cli *cli, int argc, char **argv)
{
	const char *authorizer = NULL;
	cli_list rel = { 0 };
	cli_desk who = { .channel = "agency_window" };
	const cli_opt opts[] = {
		{ "authorizer", CLI_OPT_STR, &authorizer, true },
		{ "relative", CLI_OPT_LIST, &rel, false },
		{ "channel", CLI_OPT_STR, &who.channel, false },
		{ "authorizer-card", CLI_OPT_STR, &who.authorizer_card, false },
		{ "relative-card", CLI_OPT_STR, &who.relative_card, false },
		{ "relative-id-card", CLI_OPT_STR, &who.relative_id_card, false },
		{ NULL, 0, NULL, false },
	};
	char fields[CLI_LIST_MAX][3][YB_NAME_SZ];
	yb_bind_row rows[CLI_LIST_MAX];
	yb_bind_result results[CLI_LIST_MAX];
	yb_bind_req req;
	int failed = 0;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, add_help, 0, 0,
			    NULL)) != CLI_GO)
		return rc;
	if (rel.n == 0)
		return cli_usage(cli, "at least one --relative is required");
	for (int i = 0; i < rel.n; i++) {
		/* "SSN:ID_NUMBER:RELATIONSHIP" into three fields. */
		const char *s = rel.v[i];
		int f = 0;
		size_t len = 0;
		for (; *s && f < 3; s++) {
			if (*s == ':') {
				fields[i][f++][len] = '\0';
				len = 0;
			} else if (len + 1 < YB_NAME_SZ) {
				fields[i][f][len++] = *s;
			}
		}
		if (f != 2)
			return cli_usage(cli,
				"--relative '%s' is not SSN:ID_NUMBER:RELATIONSHIP",
				rel.v[i]);
		fields[i][2][len] = '\0';
		rows[i] = (yb_bind_row){ fields[i][0], fields[i][1], fields[i][2] };
	}
	if ((rc = cli_desk_request(cli, authorizer, &who, &req)) != CLI_GO)
		return rc;
	req.nrows = rel.n;
	req.rows = rows;
	if (yb_bind(&cli->ctx, &req, results, &err) < 0)
		return cli_fail(cli, &err);

	for (int i = 0; i < rel.n; i++)
		failed += !results[i].ok;
	/* JSON as the API answers; text as one flat row per relative. */
	if (cli->json)
		rc = cli_emit(cli, yb_json_bind_results(CLI_VIEWER, results,
							rel.n));
	else
		rc = cli_emit(cli, bind_rows(rows, results, rel.n));
	if (rc != CLI_OK)
		return rc;
	return failed ? CLI_REFUSED : CLI_OK;
}

static const char end_help[] =
	"usage: yibao bind end BINDING_ID --authorizer SSN[:ID_NUMBER] [--channel CHANNEL]\n"
	"\n"
	"End a binding at the authorizer's request (SPEC F6): it stops applying\n"
	"to settlements at once; the history is kept.  Acts as the operator of\n"
	"CHANNEL (default agency_window) with its materials presented.\n"
	"\n"
	"Example:\n"
	"  yibao bind end 3 --authorizer 600000001\n";

static int bind_end(yb_cli *cli, int argc, char **argv)
{
	const char *authorizer = NULL;
	cli_desk who = { .channel = "agency_window" };
	const cli_opt opts[] = {
		{ "authorizer", CLI_OPT_STR, &authorizer, true },
		{ "channel", CLI_OPT_STR, &who.channel, false },
		{ "authorizer-card", CLI_OPT_STR, &who.authorizer_card, false },
		{ NULL, 0, NULL, false },
	};
	yb_bind_req req;
	yb_binding b;
	int64_t id;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, end_help, 1, 1,
			    &pos)) != CLI_GO ||
	    (rc = cli_int(cli, "BINDING_ID", pos[0], 1, INT64_MAX, &id)) != CLI_GO ||
	    	    (rc = cli_desk_request(cli, authorizer, &who, &req)) != CLI_GO)
		return rc;
	if (yb_unbind(&cli->ctx, id, &req, &b, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_binding(CLI_VIEWER, &b));
}

int cli_show_bindings(yb_cli *cli, const char *ssn)
{
	yb_binding *mine = NULL, *theirs = NULL;
	int nmine = 0, ntheirs = 0;
	yb_person_view v;
	yb_err err;
	int rc = CLI_OK;

	if (yb_person_get(&cli->ctx, ssn, &v, &err) < 0 ||
	    yb_bindings_of(&cli->ctx, v.person.id, &mine, &nmine, &theirs,
			   &ntheirs, &err) < 0) {
		rc = cli_fail(cli, &err);
		goto out;
	}
	/* API names: relatives who may use my account / whose I may use. */
	rc = cli_emit(cli, yb_json_bindings_of(CLI_VIEWER, mine, nmine, theirs,
					       ntheirs));
out:
	free(mine);
	free(theirs);
	return rc;
}

static const char list_help[] =
	"usage: yibao bind list SSN\n"
	"\n"
	"A person's bindings both ways, active and ended (SPEC Q1):\n"
	"'authorized' - relatives who may use his account; 'authorized by' -\n"
	"relatives whose accounts he may use.\n"
	"\n"
	"Example:\n"
	"  yibao bind list 600000001\n";

static int bind_list(yb_cli *cli, int argc, char **argv)
{
	char **pos;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, NULL, list_help, 1, 1,
				 &pos)) != CLI_GO)
		return rc;
	return cli_show_bindings(cli, pos[0]);
}

static const cli_cmd bind_cmds[] = {
	{ "add", bind_add, "authorize relatives to use an account" },
	{ "end", bind_end, "end a binding" },
	{ "list", bind_list, "a person's bindings both ways" },
	/* family: E2 (cmd_family.c) */
	{ "cap", cmd_bind_cap, "set or remove a binding's monthly cap" },
	{ NULL, NULL, NULL },
};

int cmd_bind(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, bind_cmds,
		"usage: yibao bind <add|end|list|cap> ...\n"
		"\n"
		"Family mutual aid (SPEC F): an employee_tier1 insured person lets\n"
		"close relatives pay for their own care from his personal account.\n");
}
