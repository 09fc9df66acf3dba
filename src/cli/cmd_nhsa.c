/*
 * cmd_nhsa.c — `yibao nhsa`: the national-interface gateway's operator
 * commands (docs/NHSA.md): issue, list and revoke an institution's
 * paasid + token, and look up a kept message by institution and msgid.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "nhsa/nhsa.h"
#include "service/nhsa.h"

static const char credential_help[] =
	"usage: yibao nhsa credential --institution CODE\n"
	"\n"
	"Issue a gateway credential for a designated institution: the paasid\n"
	"(x-tif-paasid) and the token its HIS signs with (x-tif-signature =\n"
	"sha256 hex of timestamp + token + nonce + timestamp).  The token is\n"
	"shown once here; keep it as a secret of the HIS.\n"
	"\n"
	"Example:\n"
	"  yibao nhsa credential --institution H440300001\n";

static int nhsa_credential(yb_cli *cli, int argc, char **argv)
{
	const char *inst = NULL;
	const cli_opt opts[] = {
		{ "institution", CLI_OPT_STR, &inst, true },
		{ NULL, 0, NULL, false },
	};
	yb_nhsa_cred cred;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, opts, credential_help, 0, 0,
				 NULL)) != CLI_GO)
		return rc;
	if (yb_nhsa_credential_issue(&cli->ctx, inst, &cred, &err) < 0)
		return cli_fail(cli, &err);
	rc = cli_emit(cli, json_pack("{s:s, s:s, s:s}", "paasid", cred.paasid,
				"token", cred.token, "institution_code",
				cred.institution_code));
	if (rc != CLI_OK)
		return rc;
	cli_note(cli, "(the token is shown only this once)\n");
	return CLI_OK;
}

static const char credentials_help[] =
	"usage: yibao nhsa credentials --institution CODE\n"
	"\n"
	"An institution's gateway credentials, newest first: paasid, when\n"
	"issued and when revoked (never the token).\n";

static int nhsa_credentials(yb_cli *cli, int argc, char **argv)
{
	const char *inst = NULL;
	const cli_opt opts[] = {
		{ "institution", CLI_OPT_STR, &inst, true },
		{ NULL, 0, NULL, false },
	};
	yb_nhsa_cred_info *list = NULL;
	json_t *items;
	yb_err err;
	int rc, n = 0;

	if ((rc = cli_parse_open(cli, argc, argv, opts, credentials_help, 0, 0,
				 NULL)) != CLI_GO)
		return rc;
	if (yb_nhsa_credential_list(&cli->ctx, inst, &list, &n, &err) < 0)
		return cli_fail(cli, &err);
	items = json_array();
	for (int i = 0; items && i < n; i++)
		json_array_append_new(items, json_pack(
			"{s:s, s:s, s:o, s:o}", "paasid", list[i].paasid,
			"institution_code", list[i].institution_code,
			"created_at", yb_jtime(list[i].created_at),
			"revoked_at", yb_jtime(list[i].revoked_at)));
	free(list);
	return cli_emit(cli, json_pack("{s:o}", "items", items ? items : json_array()));
}

static const char revoke_help[] =
	"usage: yibao nhsa revoke PAASID\n"
	"\n"
	"Revoke a gateway credential: from the next request on the gateway\n"
	"refuses it (nhsa.auth_unknown_paasid).  Audited nhsa.credential.revoke.\n";

static int nhsa_revoke(yb_cli *cli, int argc, char **argv)
{
	const cli_opt opts[] = { { NULL, 0, NULL, false } };
	yb_nhsa_cred_info c;
	char **args = NULL;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, opts, revoke_help, 1, 1,
				 &args)) != CLI_GO)
		return rc;
	if (yb_nhsa_credential_revoke(&cli->ctx, args[0], &c, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, json_pack("{s:s, s:s, s:o}", "paasid", c.paasid,
				"institution_code", c.institution_code,
				"revoked_at", yb_jtime(c.revoked_at)));
}

static const char message_help[] =
	"usage: yibao nhsa message --institution CODE --msgid MSGID\n"
	"\n"
	"Show a message the gateway kept: infno, operator, times (ms), the\n"
	"result (infcode, err_code) and the reply sent.  A message refused\n"
	"before its institution was known is found by its inf_refmsgid as\n"
	"--msgid (any --institution).\n";

static int nhsa_message(yb_cli *cli, int argc, char **argv)
{
	const char *inst = NULL, *msgid = NULL;
	const cli_opt opts[] = {
		{ "institution", CLI_OPT_STR, &inst, true },
		{ "msgid", CLI_OPT_STR, &msgid, true },
		{ NULL, 0, NULL, false },
	};
	json_error_t jerr;
	char *json = NULL;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, opts, message_help, 0, 0,
				 NULL)) != CLI_GO)
		return rc;
	if (yb_nhsa_msg_get(&cli->ctx, inst, msgid, yb_nhsa_reply_text, &json,
			    &err) < 0)
		return cli_fail(cli, &err);
	rc = cli_emit(cli, json_loads(json, 0, &jerr));
	free(json);
	return rc;
}

static const cli_cmd nhsa_cmds[] = {
	{ "credential", nhsa_credential, "issue an institution's paasid + token" },
	{ "credentials", nhsa_credentials, "list an institution's credentials" },
	{ "revoke", nhsa_revoke, "revoke a credential (its paasid)" },
	{ "message", nhsa_message, "look up a kept message" },
	{ NULL, NULL, NULL },
};

int cmd_nhsa(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, nhsa_cmds,
		"usage: yibao nhsa credential|credentials|revoke|message ...\n"
		"\n"
		"The national-interface gateway (POST /nhsa/api/{infno}).\n");
}
