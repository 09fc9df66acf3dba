/*
 * cmd_family.c — the rest of the family policy on the command line:
 * `yibao bind cap` (SPEC E2, a binding's monthly cap), as the agency's
 * admin acting at the authorizer's request; `yibao premium pay` (E1, a
 * relative's resident premium from the authorizer's account), as the
 * agency's window with the F5 materials presented, like `bind add`.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "core/enums.h"
#include "service/binding.h"
#include "service/famcap.h"
#include "service/premium.h"

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
	if (yb_binding_cap_set(&cli->ctx, id, has_cap, cap, NULL, &b, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_binding(CLI_VIEWER, &b));
}

/* ---- E1: premiums for relatives ------------------------------------------ */

static const char pay_help[] =
	"usage: yibao premium pay --authorizer SSN[:ID_NUMBER]\n"
	"                         --relative SSN[:ID_NUMBER:RELATIONSHIP]\n"
	"                         --year YYYY [--request-id ID]\n"
	"\n"
	"Pay a relative's resident-scheme individual contribution for a year\n"
	"from the authorizer's personal account (SPEC E1): the year's amount\n"
	"(setting resident_premiums), once per relative and year, in the\n"
	"payment window (premium_open_month .. premium_close_month), from the\n"
	"balance above the share floor.  The relative must be in this region's\n"
	"resident scheme.  The command acts as the agency's window with the F5\n"
	"materials presented (ID cards, originals and copies of both persons'\n"
	"social security cards): an active binding proves the relationship;\n"
	"without one, give the relative's ID number and the relationship.\n"
	"\n"
	"--request-id makes a repeat safe (the same id answers the first\n"
	"payment; default: cli-<relative>-<year>).  Exit 0 paid (or repeated),\n"
	"1 refused (the code says why), 2 usage.\n"
	"\n"
	"Examples:\n"
	"  yibao premium pay --authorizer 700000001 --relative 700000004 --year 2026\n"
	"  yibao premium pay --authorizer 700000001 \\\n"
	"        --relative 700000004:440305195002100041:parent --year 2027\n";

/* "SSN[:ID_NUMBER:RELATIONSHIP]" into the request (pointing into buf). */
static int relative_arg(yb_cli *cli, const char *arg, char *buf, size_t size,
			yb_premium_req *req)
{
	char *id, *rel;

	if (strlen(arg) >= size)
		return cli_usage(cli, "--relative '%s' is too long", arg);
	snprintf(buf, size, "%s", arg);
	req->relative_ssn = buf;
	id = strchr(buf, ':');
	if (!id)
		return CLI_GO;
	*id++ = '\0';
	rel = strchr(id, ':');
	if (!rel || strchr(rel + 1, ':'))
		return cli_usage(cli, "--relative '%s' is not "
				 "SSN[:ID_NUMBER:RELATIONSHIP]", arg);
	*rel++ = '\0';
	req->relative_id_number = id;
	req->relationship = rel;
	return CLI_GO;
}

static int premium_pay(yb_cli *cli, int argc, char **argv)
{
	const char *authorizer = NULL, *relative = NULL, *year_s = NULL,
		   *request_id = NULL;
	const cli_opt opts[] = {
		{ "authorizer", CLI_OPT_STR, &authorizer, true },
		{ "relative", CLI_OPT_STR, &relative, true },
		{ "year", CLI_OPT_STR, &year_s, true },
		{ "request-id", CLI_OPT_STR, &request_id, false },
		{ NULL, 0, NULL, false },
	};
	char relbuf[256], idbuf[YB_REQUEST_ID_SZ];
	cli_desk desk = { .channel = "agency_window" };
	yb_premium_req req = { 0 };
	yb_premium p;
	bool repeat = false;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, pay_help, 0, 0,
			    NULL)) != CLI_GO ||
	    (rc = cli_int(cli, "--year", year_s, 2000, 2099,
			  &req.year)) != CLI_GO ||
	    (rc = relative_arg(cli, relative, relbuf, sizeof relbuf,
			       &req)) != CLI_GO ||
	    (rc = cli_desk_request(cli, authorizer, &desk,
				   &req.desk)) != CLI_GO)
		return rc;
	if (!request_id) {
		snprintf(idbuf, sizeof idbuf, "cli-%s-%d", req.relative_ssn,
			 (int)req.year);
		request_id = idbuf;
	}
	req.client_request_id = request_id;
	if (yb_premium_pay(&cli->ctx, &req, &p, &repeat, &err) < 0)
		return cli_fail(cli, &err);
	if (repeat)
		cli_note(cli, "(already paid by this request id: the same payment)\n");
	return cli_emit(cli, yb_json_premium(CLI_VIEWER, &p));
}

static const char years_help[] =
	"usage: yibao premium years\n"
	"\n"
	"The years the settings hold a resident premium for: the amount and\n"
	"the local dates between which it may be paid (SPEC E1).\n";

static int premium_years(yb_cli *cli, int argc, char **argv)
{
	yb_premium_year *y = NULL;
	json_t *items;
	int n = 0, rc;
	yb_err err;

	if ((rc = cli_parse_open(cli, argc, argv, NULL, years_help, 0, 0,
				 NULL)) != CLI_GO)
		return rc;
	if (yb_premium_years(&cli->ctx, &y, &n, &err) < 0)
		return cli_fail(cli, &err);
	items = yb_json_premium_years(y, n);
	free(y);
	return cli_emit(cli, items);
}

static const cli_cmd premium_cmds[] = {
	{ "pay", premium_pay, "pay a relative's resident premium (window)" },
	{ "years", premium_years, "each year's premium and payment window" },
	{ NULL, NULL, NULL },
};

int cmd_premium(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, premium_cmds,
		"usage: yibao premium <pay|years> ...\n"
		"\n"
		"Family mutual aid (SPEC E1): an authorizer pays a close relative's\n"
		"resident-scheme premium from his personal account.\n");
}
