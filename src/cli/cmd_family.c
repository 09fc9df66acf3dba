/*
 * cmd_family.c — the rest of the family policy on the command line:
 * `yibao bind cap` (SPEC E2, a binding's monthly cap), as the agency's
 * admin acting at the authorizer's request.
 */
#include "cli/cli.h"

#include <string.h>

#include "service/famcap.h"

static const char cap_help[] =
	"usage: yibao bind cap BINDING_ID (FEN | none)\n"
	"\n"
	"Set, change or remove the monthly cap of a binding (SPEC E2): at most\n"
	"FEN may be paid from the authorizer's account for this relative in a\n"
	"calendar month (Asia/Shanghai); the rest of a bill goes to the next\n"
	"authorizer, then to cash.  'none' removes the cap.  Audited.\n"
	"\n"
	"Examples:\n"
	"  yibao bind cap 3 20000     # ¥200.00 a month\n"
	"  yibao bind cap 3 none\n";

int cmd_bind_cap(yb_cli *cli, int argc, char **argv)
{
	bool has_cap;
	int64_t id, cap = 0;
	yb_binding b;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, NULL, cap_help, 2, 2,
				 &pos)) != CLI_GO ||
	    (rc = cli_int(cli, "BINDING_ID", pos[0], 1, INT64_MAX, &id)) != CLI_GO)
		return rc;
	has_cap = strcmp(pos[1], "none") != 0;
	if (has_cap &&
	    (rc = cli_int(cli, "FEN", pos[1], 0, INT64_MAX, &cap)) != CLI_GO)
		return rc;
	if (yb_binding_cap_set(&cli->ctx, id, has_cap, cap, &b, &err) < 0)
		return cli_fail(cli, &err);
	cli_emit(cli, cli_render_binding(&b));
	return CLI_OK;
}
