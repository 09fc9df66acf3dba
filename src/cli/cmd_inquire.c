/*
 * cmd_inquire.c — `yibao inquire SSN WHAT`: a person's records as an
 * operator at the agency sees them (SPEC Q1, F7), newest first.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "service/inquiry.h"

static const char inquire_help[] =
	"usage: yibao inquire SSN WHAT [--limit N] [--before ID]\n"
	"\n"
	"A person's records, newest first (operator view; SPEC Q1):\n"
	"  contributions   contribution records (A4)\n"
	"  ledger          the personal account's entries with running balance\n"
	"  settlements     his settlements with each account's share\n"
	"  bindings        bindings both ways, active and ended\n"
	"  family-usage    what relatives spent from his account: who, when,\n"
	"                  where, how much (F7)\n"
	"\n"
	"Options:\n"
	"  --limit N      at most N records (default 20, at most 500)\n"
	"  --before ID    only records older than ID (paging)\n"
	"\n"
	"Examples:\n"
	"  yibao inquire 600000001 family-usage\n"
	"  yibao --json inquire 600000001 ledger --limit 100\n";

/* Each list has its own record type; one macro keeps the four alike. */
#define INQUIRE_LIST(type, fn, render) do {                               \
		type *items_ = NULL;                                      \
		int n_ = 0;                                               \
		if (fn(&cli->ctx, ssn, before, limit, &items_, &n_, &err) < 0) { \
			free(items_);                                     \
			return cli_fail(cli, &err);                       \
		}                                                         \
		rc = cli_emit(cli, CLI_RENDER_LIST(items_, n_, render));  \
		free(items_);                                             \
		return rc;                                                \
	} while (0)

int cmd_inquire(yb_cli *cli, int argc, char **argv)
{
	const char *limit_s = NULL, *before_s = NULL;
	const cli_opt opts[] = {
		{ "limit", CLI_OPT_STR, &limit_s, false },
		{ "before", CLI_OPT_STR, &before_s, false },
		{ NULL, 0, NULL, false },
	};
	const char *ssn, *what;
	int limit;
	yb_id before;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, inquire_help, 2, 2,
			    &pos)) != CLI_GO ||
	    (rc = cli_page(cli, limit_s, before_s, &limit, &before)) != CLI_GO)
		return rc;
	ssn = pos[0];
	what = pos[1];
	if (strcmp(what, "contributions") && strcmp(what, "ledger") &&
	    strcmp(what, "settlements") && strcmp(what, "bindings") &&
	    strcmp(what, "family-usage"))
		return cli_usage(cli, "unknown record kind '%s'", what);
	if ((rc = cli_open(cli)) != CLI_GO)
		return rc;
	if (strcmp(what, "contributions") == 0)
		INQUIRE_LIST(yb_contribution, yb_person_contributions,
			     yb_json_contribution_item);
	if (strcmp(what, "ledger") == 0)
		INQUIRE_LIST(yb_ledger_line, yb_person_ledger,
			     yb_json_ledger_line_item);
	if (strcmp(what, "settlements") == 0)
		INQUIRE_LIST(yb_settlement, yb_person_settlements,
			     yb_json_settlement_item);
	if (strcmp(what, "family-usage") == 0)
		INQUIRE_LIST(yb_usage, yb_person_family_usage,
			     yb_json_usage_item);
	return cli_show_bindings(cli, ssn);
}
