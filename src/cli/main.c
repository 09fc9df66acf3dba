/*
 * main.c — `yibao`, the command line of the medical-insurance agency, and
 * `yibaod`, the same program started as the server.
 *
 *   yibao [--db URL] [--config FILE] [--json] <command> [args]
 *
 * Global options come first (and are also accepted after any command);
 * the command is looked up in the table below, one cmd_<verb>() per
 * command family, one file per family (cmd_person.c, cmd_card.c, ...).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const cli_cmd commands[] = {
	{ "init",         cmd_init,         "create or migrate the database, load the shipped calendars" },
	{ "person",       cmd_person,       "register and manage insured persons" },
	{ "employer",     cmd_employer,     "register employers" },
	{ "import",       cmd_import,       "bulk registration of persons from CSV" },
	{ "contribution", cmd_contribution, "post a contribution record" },
	{ "card",         cmd_card,         "social security card applications and life cycle" },
	{ "ecert",        cmd_ecert,        "issue an electronic medical-insurance credential" },
	{ "calendar",     cmd_calendar,     "the working-day calendar" },
	{ "bind",         cmd_bind,         "family mutual aid bindings (agency window)" },
	{ "institution",  cmd_institution,  "designated hospitals, clinics and pharmacies" },
	{ "settle",       cmd_settle,       "settle a bill as an institution; revoke" },
	{ "offline",      cmd_offline,      "visits paid in cash during equipment failure" },
	{ "reconcile",    cmd_reconcile,    "daily totals of an institution" },
	{ "inquire",      cmd_inquire,      "a person's records (operator view)" },
	{ "statement",    cmd_statement,    "a person's or employer's records of a period, CSV or PDF" },
	{ "proof",        cmd_proof,        "proofs of insurance: issue, verify, revoke" },
	{ "gaps",         cmd_gaps,         "a person's months without a contribution" },
	{ "arrears",      cmd_arrears,      "employers' unpaid months per employee" },
	{ "ledger",       cmd_ledger,       "check the books" },
	{ "audit",        cmd_audit,        "verify and list the audit chain" },
	{ "key",          cmd_key,          "API keys for operators, terminals, institutions" },
	{ "nhsa",         cmd_nhsa,         "national-interface gateway: credentials, messages" },
	{ "webhook",      cmd_webhook,      "webhooks told of every use of an account; deliveries" },
	{ "serve",        cmd_serve,        "run the HTTP API and web portal" },
	{ "routes",       cmd_routes,       "print the HTTP API's route table" },
	{ "demo",         cmd_demo,         "load the demonstration data" },
	{ "backup",       cmd_backup,       "online backup of a SQLite database" },
	{ "restore",      cmd_restore,      "replace a SQLite database from a backup" },
	{ "migrate",      cmd_migrate,      "copy a SQLite database into PostgreSQL" },
	{ NULL, NULL, NULL },
};

static const char main_help[] =
	"usage: yibao [--db URL] [--config FILE] [--json] <command> [args]\n"
	"\n"
	"The command line of the yibao medical-insurance service.\n"
	"\n"
	"Global options:\n"
	"  --db URL        database: a SQLite path, sqlite:PATH, or postgresql://...\n"
	"                  (default $YIBAO_DB, else ./var/yibao.db)\n"
	"  --config FILE   settings file (default $YIBAO_CONFIG, else built-in defaults)\n"
	"  --json          print answers as JSON for scripts\n"
	"  --help          this help; '<command> --help' for a command's\n"
	"  --version       version and the features of this build\n"
	"\n"
	"Exit status: 0 done, 1 refused by a rule, 2 usage error.\n"
	"\n"
	"Commands:\n";

static void print_main_help(FILE *f)
{
	fputs(main_help, f);
	for (const cli_cmd *c = commands; c->name; c++)
		fprintf(f, "  %-13s %s\n", c->name, c->summary);
	fputs("\nExamples:\n"
	      "  yibao init\n"
	      "  yibao person add --ssn 600000001 --id-number 440305197803150013 \\\n"
	      "        --name 李建国 --scheme employee_tier1\n"
	      "  yibao --json person show 600000001\n"
	      "  yibao serve --listen 127.0.0.1:8080 --web web\n", f);
}

#ifndef YB_VERSION
#define YB_VERSION "unknown"
#endif

/* The version and what this build can do (scripts/run-demo asks). */
static void print_version(void)
{
	printf("yibao %s\n", YB_VERSION);
#ifdef YB_HAVE_HTTP
	puts("features: cli http");
#else
	puts("features: cli");
#endif
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int main(int argc, char **argv)
{
	enum { O_DB = 1000, O_CONFIG, O_JSON, O_HELP, O_VERSION };
	static const struct option globals[] = {
		{ "db", required_argument, NULL, O_DB },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, O_HELP },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	yb_cli cli;
	int c, rc;

	memset(&cli, 0, sizeof cli);
	cli.db_url = getenv("YIBAO_DB");
	if (!cli.db_url || !*cli.db_url)
		cli.db_url = "var/yibao.db";
	cli.ctx.actor = yb_actor_cli();

	/* `yibaod ARGS` is `yibao serve ARGS`. */
	if (ends_with(argv[0], "yibaod")) {
		snprintf(cli.cmd, sizeof cli.cmd, "serve");
		argv[0] = "serve";
		rc = cmd_serve(&cli, argc, argv);
		goto out;
	}

	/* "+": stop at the command; its own options are its parser's. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", globals, NULL)) != -1) {
		switch (c) {
		case O_DB:
			cli.db_url = optarg;
			break;
		case O_CONFIG:
			cli.config_path = optarg;
			break;
		case O_JSON:
			cli.json = true;
			break;
		case O_HELP:
		case 'h':
			print_main_help(stdout);
			return CLI_OK;
		case O_VERSION:
			print_version();
			return CLI_OK;
		default:
			fprintf(stderr, "error: usage: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			print_main_help(stderr);
			return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		print_main_help(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[optind], "help") == 0) {
		print_main_help(stdout);
		return CLI_OK;
	}
	for (const cli_cmd *cmd = commands; cmd->name; cmd++) {
		if (strcmp(cmd->name, argv[optind]) == 0) {
			snprintf(cli.cmd, sizeof cli.cmd, "%s", cmd->name);
			rc = cmd->fn(&cli, argc - optind, argv + optind);
			goto out;
		}
	}
	fprintf(stderr, "error: usage: unknown command '%s' (see 'yibao --help')\n",
		argv[optind]);
	return CLI_USAGE;
out:
	yb_store_close(cli.store);
	if (fflush(stdout) != 0 && rc == CLI_OK)
		rc = CLI_REFUSED;
	return rc;
}
