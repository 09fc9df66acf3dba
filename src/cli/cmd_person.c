/*
 * cmd_person.c — `yibao person` and `yibao employer`: the register of
 * insured persons (SPEC P1–P4, U2–U4) and of their employers, at the
 * agency's counter.
 */
#include "cli/cli.h"

#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "service/person.h"

/* Show a person as the register now has him (with account and card). */
static int show_person(yb_cli *cli, const char *key)
{
	yb_person_view v;
	yb_err err;

	if (yb_person_get(&cli->ctx, key, &v, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_person_card(CLI_VIEWER, &v.person,
					v.has_account ? &v.account : NULL,
					v.has_card ? &v.card : NULL));
}

static const char add_help[] =
	"usage: yibao person add --ssn SSN --id-number ID --name NAME --scheme SCHEME\n"
	"                        [--region CODE] [--employer CODE]\n"
	"\n"
	"Register an insured person (SPEC P1, P2).  Sex and birth date come from\n"
	"the ID number (U2); a personal account is opened for schemes that carry\n"
	"one (employee_tier1 by default).\n"
	"\n"
	"Options:\n"
	"  --ssn SSN          social security computer number, 7-12 digits (U3)\n"
	"  --id-number ID     18-character resident ID number (U2)\n"
	"  --name NAME        full name\n"
	"  --scheme SCHEME    employee_tier1 | employee_tier2 | resident\n"
	"  --region CODE      insuring region (default: the settings' region)\n"
	"  --employer CODE    a registered employer\n"
	"\n"
	"Example:\n"
	"  yibao person add --ssn 600000001 --id-number 440305197803150013 \\\n"
	"        --name 李建国 --scheme employee_tier1 --employer E440300001\n";

static int person_add(yb_cli *cli, int argc, char **argv)
{
	yb_person_new in = { 0 };
	const cli_opt opts[] = {
		{ "ssn", CLI_OPT_STR, &in.ssn, true },
		{ "id-number", CLI_OPT_STR, &in.id_number, true },
		{ "name", CLI_OPT_STR, &in.name, true },
		{ "scheme", CLI_OPT_STR, &in.scheme, true },
		{ "region", CLI_OPT_STR, &in.region, false },
		{ "employer", CLI_OPT_STR, &in.employer_code, false },
		{ NULL, 0, NULL, false },
	};
	yb_person p;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, opts, add_help, 0, 0,
				 NULL)) != CLI_GO)
		return rc;
	if (yb_person_register(&cli->ctx, &in, &p, &err) < 0)
		return cli_fail(cli, &err);
	return show_person(cli, p.ssn);
}

static const char show_help[] =
	"usage: yibao person show SSN|ID_NUMBER\n"
	"\n"
	"Show a person: identity, scheme, status, personal account balance and\n"
	"newest card.  An 18-character key is looked up as an ID number.\n"
	"\n"
	"Examples:\n"
	"  yibao person show 600000001\n"
	"  yibao --json person show 440305197803150013\n";

static int person_show(yb_cli *cli, int argc, char **argv)
{
	char **pos;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, NULL, show_help, 1, 1,
				 &pos)) != CLI_GO)
		return rc;
	return show_person(cli, pos[0]);
}

typedef int (*status_fn)(yb_ctx *ctx, const char *ssn, yb_person *out,
			 yb_err *err);

/* suspend and resume: one SSN in, the changed person out. */
static int person_status(yb_cli *cli, int argc, char **argv,
			 const char *help, status_fn fn)
{
	yb_person p;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, NULL, help, 1, 1,
				 &pos)) != CLI_GO)
		return rc;
	if (fn(&cli->ctx, pos[0], &p, &err) < 0)
		return cli_fail(cli, &err);
	return show_person(cli, p.ssn);
}

static int person_suspend(yb_cli *cli, int argc, char **argv)
{
	return person_status(cli, argc, argv,
		"usage: yibao person suspend SSN\n"
		"\n"
		"Mark a person's contributions as interrupted (status suspended,\n"
		"SPEC P3).  A suspended person cannot be bound as a relative.\n"
		"\n"
		"Example:\n"
		"  yibao person suspend 600000002\n",
		yb_person_suspend);
}

static int person_resume(yb_cli *cli, int argc, char **argv)
{
	return person_status(cli, argc, argv,
		"usage: yibao person resume SSN\n"
		"\n"
		"Make a suspended person active again (SPEC P3).\n"
		"\n"
		"Example:\n"
		"  yibao person resume 600000002\n",
		yb_person_resume);
}

static const char terminate_help[] =
	"usage: yibao person terminate SSN --reason REASON\n"
	"\n"
	"End a person's insurance (SPEC P4), in one transaction: the valid card\n"
	"is cancelled (C6), every binding in which he is either party ends (F8),\n"
	"the personal account is closed and its balance moved to the\n"
	"closed-account liability.\n"
	"\n"
	"Options:\n"
	"  --reason REASON   emigrated | transferred_out | deceased\n"
	"\n"
	"Example:\n"
	"  yibao person terminate 600000004 --reason deceased\n";

static int person_terminate(yb_cli *cli, int argc, char **argv)
{
	const char *reason = NULL;
	const cli_opt opts[] = {
		{ "reason", CLI_OPT_STR, &reason, true },
		{ NULL, 0, NULL, false },
	};
	yb_person p;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, opts, terminate_help, 1, 1,
				 &pos)) != CLI_GO)
		return rc;
	if (yb_person_terminate(&cli->ctx, pos[0], reason, &p, &err) < 0)
		return cli_fail(cli, &err);
	return show_person(cli, p.ssn);
}

/*
 * The first line of stdin, without echo when it is a terminal (so a
 * password typed at the prompt does not stay on the screen).
 */
static int read_password(char *buf, size_t size)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);
	int rc = -1;

	if (tty) {
		fputs("password: ", stderr);
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		} else {
			tty = false;
		}
	}
	if (fgets(buf, (int)size, stdin)) {
		buf[strcspn(buf, "\r\n")] = '\0';
		rc = 0;
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	return rc;
}

static const char password_help[] =
	"usage: yibao person password SSN [--password PASSWORD]\n"
	"\n"
	"Set a person's web portal password (stored as Argon2id, SPEC X2); at\n"
	"least 8 characters.  Without --password it is read from the first line\n"
	"of standard input (not echoed on a terminal), which keeps it out of\n"
	"the shell history.\n"
	"\n"
	"Examples:\n"
	"  yibao person password 600000001\n"
	"  echo 'correct horse' | yibao person password 600000001\n";

static int person_password(yb_cli *cli, int argc, char **argv)
{
	const char *given = NULL;
	const cli_opt opts[] = {
		{ "password", CLI_OPT_STR, &given, false },
		{ NULL, 0, NULL, false },
	};
	char typed[512];
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, password_help, 1, 1,
			    &pos)) != CLI_GO)
		return rc;
	if (!given) {
		if (read_password(typed, sizeof typed) < 0)
			return cli_usage(cli, "no password on standard input");
		given = typed;
	}
	if ((rc = cli_open(cli)) != CLI_GO)
		return rc;
	if (yb_person_set_password(&cli->ctx, pos[0], given, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, json_pack("{s:s, s:b}", "ssn", pos[0], "password_set", 1));
}

static const cli_cmd person_cmds[] = {
	{ "add", person_add, "register an insured person" },
	{ "show", person_show, "show a person by SSN or ID number" },
	{ "suspend", person_suspend, "contributions interrupted" },
	{ "resume", person_resume, "active again" },
	{ "terminate", person_terminate, "emigrated, transferred out or deceased" },
	{ "password", person_password, "set the web portal password" },
	{ NULL, NULL, NULL },
};

int cmd_person(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, person_cmds,
		"usage: yibao person <subcommand> ...\n"
		"\n"
		"The register of insured persons (SPEC P1-P4).\n");
}

/* --- employer ---------------------------------------------------------------- */

static const char emp_add_help[] =
	"usage: yibao employer add --code CODE --name NAME\n"
	"\n"
	"Register an employer; contributions and employer card applications\n"
	"name it by its code.\n"
	"\n"
	"Example:\n"
	"  yibao employer add --code E440300001 --name '深圳示范科技有限公司'\n";

static int employer_add(yb_cli *cli, int argc, char **argv)
{
	const char *code = NULL, *name = NULL;
	const cli_opt opts[] = {
		{ "code", CLI_OPT_STR, &code, true },
		{ "name", CLI_OPT_STR, &name, true },
		{ NULL, 0, NULL, false },
	};
	yb_employer e;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, opts, emp_add_help, 0, 0,
				 NULL)) != CLI_GO)
		return rc;
	if (yb_employer_register(&cli->ctx, code, name, &e, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_employer(&e));
}

static const char emp_show_help[] =
	"usage: yibao employer show CODE\n"
	"\n"
	"Show a registered employer.\n"
	"\n"
	"Example:\n"
	"  yibao employer show E440300001\n";

static int employer_show(yb_cli *cli, int argc, char **argv)
{
	yb_employer e;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, NULL, emp_show_help, 1, 1,
				 &pos)) != CLI_GO)
		return rc;
	if (yb_employer_get(&cli->ctx, pos[0], &e, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_employer(&e));
}

static const cli_cmd employer_cmds[] = {
	{ "add", employer_add, "register an employer" },
	{ "show", employer_show, "show an employer" },
	{ NULL, NULL, NULL },
};

int cmd_employer(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, employer_cmds,
		"usage: yibao employer <add|show> ...\n"
		"\n"
		"Employers: they pay contributions and apply for cards in batches.\n");
}
