/*
 * cmd_card.c — `yibao card` and `yibao ecert`: the physical social
 * security card from application to return (SPEC C2, C3, C5, C6) and the
 * electronic credential (C1).
 */
#include "cli/cli.h"

#include "service/card.h"
#include "service/settle.h"

static const char apply_help[] =
	"usage: yibao card apply SSN --route ROUTE [materials]\n"
	"\n"
	"Apply for a social security card (SPEC C2, C3).  Routes:\n"
	"  center         district medical-insurance center: issued on the spot\n"
	"  service_point  street service point: ready by the 3rd working day\n"
	"  agent          an entrusted person applies: --agent-id-number and\n"
	"                 --agent-name (his valid certificate) are required\n"
	"  employer       batch application by the employer: --employer,\n"
	"                 --letter-ref (letter of introduction) and\n"
	"                 --handler-id-number are required\n"
	"A person holds at most one valid card (card.already_has_valid_card).\n"
	"\n"
	"Examples:\n"
	"  yibao card apply 600000001 --route center\n"
	"  yibao card apply 600000003 --route service_point\n"
	"  yibao card apply 600000004 --route agent \\\n"
	"        --agent-id-number 440305197803150013 --agent-name 李建国\n"
	"  yibao card apply 600000002 --route employer --employer E440300001 \\\n"
	"        --letter-ref 'HR-2026-118' --handler-id-number 440305197803150013\n";

static int card_apply(yb_cli *cli, int argc, char **argv)
{
	yb_card_apply_req req = { 0 };
	const cli_opt opts[] = {
		{ "route", CLI_OPT_STR, &req.route, true },
		{ "agent-id-number", CLI_OPT_STR, &req.agent_id_number, false },
		{ "agent-name", CLI_OPT_STR, &req.agent_name, false },
		{ "employer", CLI_OPT_STR, &req.employer_code, false },
		{ "letter-ref", CLI_OPT_STR, &req.letter_ref, false },
		{ "handler-id-number", CLI_OPT_STR, &req.handler_id_number, false },
		{ NULL, 0, NULL, false },
	};
	yb_card_application app;
	yb_card card = { 0 };
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, opts, apply_help, 1, 1,
				 &pos)) != CLI_GO)
		return rc;
	req.ssn = pos[0];
	if (yb_card_apply(&cli->ctx, &req, &app, &card, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_application(&app, &card));
}

typedef int (*by_app_fn)(yb_ctx *ctx, yb_id application_id, yb_card *out,
			 yb_err *err);
typedef int (*by_no_fn)(yb_ctx *ctx, const char *card_no, yb_card *out,
			yb_err *err);

/*
 * The card commands that take one argument and answer the card: by
 * application id (issue, ready: `by_app`) or by card number (activate,
 * loss, show: `by_no`); exactly one of the two is given.
 */
static int card_op(yb_cli *cli, int argc, char **argv, const char *help,
		   by_app_fn by_app, by_no_fn by_no)
{
	int64_t id = 0;
	yb_card card;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, NULL, help, 1, 1, &pos)) != CLI_GO ||
	    (by_app && (rc = cli_int(cli, "APPLICATION_ID", pos[0], 1,
				     INT64_MAX, &id)) != CLI_GO) ||
	    (rc = cli_open(cli)) != CLI_GO)
		return rc;
	if ((by_app ? by_app(&cli->ctx, id, &card, &err)
		    : by_no(&cli->ctx, pos[0], &card, &err)) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_card(&card));
}

static int card_issue(yb_cli *cli, int argc, char **argv)
{
	return card_op(cli, argc, argv,
		"usage: yibao card issue APPLICATION_ID\n"
		"\n"
		"Hand over the card of an application (in_production or ready ->\n"
		"issued; SPEC C2).  For the employer route, to the employer.\n"
		"\n"
		"Example:\n"
		"  yibao card issue 2\n",
		yb_card_issue, NULL);
}

static int card_ready(yb_cli *cli, int argc, char **argv)
{
	return card_op(cli, argc, argv,
		"usage: yibao card ready APPLICATION_ID\n"
		"\n"
		"The card of an application has been made (in_production -> ready).\n"
		"\n"
		"Example:\n"
		"  yibao card ready 2\n",
		yb_card_mark_ready, NULL);
}

static int card_activate(yb_cli *cli, int argc, char **argv)
{
	return card_op(cli, argc, argv,
		"usage: yibao card activate CARD_NO\n"
		"\n"
		"Record the bank's financial activation of an issued card (SPEC C1).\n"
		"Self-service terminals accept only activated cards (F5).\n"
		"\n"
		"Example:\n"
		"  yibao card activate YB0000000001\n",
		NULL, yb_card_activate);
}

static int card_loss(yb_cli *cli, int argc, char **argv)
{
	return card_op(cli, argc, argv,
		"usage: yibao card loss CARD_NO\n"
		"\n"
		"Report a card lost: it is frozen at once and refused at settlement\n"
		"(SPEC C5).  The person may then apply for a new card.\n"
		"\n"
		"Example:\n"
		"  yibao card loss YB0000000001\n",
		NULL, yb_card_report_loss);
}

static int card_show(yb_cli *cli, int argc, char **argv)
{
	return card_op(cli, argc, argv,
		"usage: yibao card show CARD_NO\n"
		"\n"
		"Show a card: state and financial activation.\n"
		"\n"
		"Example:\n"
		"  yibao card show YB0000000001\n",
		NULL, yb_card_get);
}

static const char return_help[] =
	"usage: yibao card return CARD_NO --reason REASON\n"
	"\n"
	"A card handed back (emigration, transfer out, death, damage) is\n"
	"cancelled (SPEC C6).\n"
	"\n"
	"Example:\n"
	"  yibao card return YB0000000001 --reason damaged\n";

static int card_return(yb_cli *cli, int argc, char **argv)
{
	const char *reason = NULL;
	const cli_opt opts[] = {
		{ "reason", CLI_OPT_STR, &reason, true },
		{ NULL, 0, NULL, false },
	};
	yb_card card;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, opts, return_help, 1, 1,
				 &pos)) != CLI_GO)
		return rc;
	if (yb_card_return(&cli->ctx, pos[0], reason, &card, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_card(&card));
}

static const cli_cmd card_cmds[] = {
	{ "apply", card_apply, "apply for a card (center, service point, agent, employer)" },
	{ "ready", card_ready, "the card of an application has been made" },
	{ "issue", card_issue, "hand over the card of an application" },
	{ "activate", card_activate, "financial activation by the bank" },
	{ "loss", card_loss, "report lost: frozen at once" },
	{ "return", card_return, "card handed back: cancelled" },
	{ "show", card_show, "show a card" },
	{ NULL, NULL, NULL },
};

int cmd_card(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, card_cmds,
		"usage: yibao card <subcommand> ...\n"
		"\n"
		"Social security cards: in_production -> ready -> issued -> (lost) ->\n"
		"cancelled (SPEC C2).\n");
}

/* --- ecert ------------------------------------------------------------------- */

static const char ecert_help[] =
	"usage: yibao ecert SSN\n"
	"\n"
	"Issue an electronic medical-insurance credential for a person (SPEC\n"
	"C1): a signed token, valid for a few minutes (setting\n"
	"ecert_lifetime_seconds), that an institution settles with\n"
	"(yibao settle --ecert TOKEN).\n"
	"\n"
	"Example:\n"
	"  yibao ecert 600000001\n";

int cmd_ecert(yb_cli *cli, int argc, char **argv)
{
	char token[512];
	yb_time expires;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, NULL, ecert_help, 1, 1,
				 &pos)) != CLI_GO)
		return rc;
	if (yb_ecert_issue_for(&cli->ctx, pos[0], token, sizeof token, &expires,
			       &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, json_pack("{s:s, s:s, s:o}", "ssn", pos[0], "token", token,
				"expires_at", yb_jtime(expires)));
}
