/*
 * cmd_key.c — `yibao key create`: API keys for operators, terminals,
 * institutions and employers (SPEC X1, X2).  The secret is shown once and
 * stored only as a hash; whoever loses it gets a new one.
 */
#include "cli/cli.h"

#include "core/enums.h"
#include "service/auth.h"

static const char create_help[] =
	"usage: yibao key create --role ROLE [--institution CODE | --employer CODE]\n"
	"                        [--label TEXT]\n"
	"\n"
	"Make an API key and print it once (it is stored hashed; SPEC X2).\n"
	"Roles: institution (needs --institution), employer (needs --employer),\n"
	"terminal, hospital_office, agency_window, admin.\n"
	"\n"
	"With --json the answer is {\"key\": \"...\", ...} for scripts.\n"
	"\n"
	"Examples:\n"
	"  yibao key create --role institution --institution H440300001 --label 'HIS gateway'\n"
	"  yibao key create --role agency_window --label 'Futian window 3'\n"
	"  KEY=$(yibao --json key create --role admin | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"key\"])')\n";

static int key_create(yb_cli *cli, int argc, char **argv)
{
	const char *role = NULL, *inst = NULL, *emp = NULL, *label = NULL;
	const cli_opt opts[] = {
		{ "role", CLI_OPT_STR, &role, true },
		{ "institution", CLI_OPT_STR, &inst, false },
		{ "employer", CLI_OPT_STR, &emp, false },
		{ "label", CLI_OPT_STR, &label, false },
		{ NULL, 0, NULL, false },
	};
	char key[YB_TOKEN_SZ];
	yb_api_key k;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, opts, create_help, 0, 0,
				 NULL)) != CLI_GO)
		return rc;
	if (yb_apikey_create(&cli->ctx, role, inst, emp, label ? label : "",
			     key, &k, &err) < 0)
		return cli_fail(cli, &err);
	rc = cli_emit(cli, json_pack("{s:s, s:I, s:s, s:o, s:o, s:o}",
				"key", key,
				"key_id", (json_int_t)k.id,
				"role", yb_role_str(k.role),
				"institution_code", yb_jstr_or_null(k.institution_code),
				"employer_code", yb_jstr_or_null(k.employer_code),
				"label", yb_jstr_or_null(k.label)));
	if (rc != CLI_OK)
		return rc;
	cli_note(cli, "(the key is shown only this once)\n");
	return CLI_OK;
}

static const cli_cmd key_cmds[] = {
	{ "create", key_create, "make an API key (shown once)" },
	{ NULL, NULL, NULL },
};

int cmd_key(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, key_cmds,
		"usage: yibao key create --role ROLE ...\n"
		"\n"
		"API keys: how operators, terminals, institutions and employers\n"
		"authenticate to the HTTP API (Authorization: Bearer KEY).\n");
}
