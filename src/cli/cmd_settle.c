/*
 * cmd_settle.c — `yibao institution`, `yibao settle`, `yibao offline` and
 * `yibao reconcile`: designated institutions and what they do at the
 * point of care (SPEC S1–S7).
 *
 * Settling, revoking, offline records and reconciliation act as the
 * institution named by --institution (role institution, channel api), just
 * as its own system would through the API: the same rules, the same
 * idempotency (S4) and the same "own institution only" checks.  It is the
 * agency's tool for trying a case or replaying a hospital's request.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"
#include "service/settle.h"

/* --- institution ------------------------------------------------------------ */

static const char inst_add_help[] =
	"usage: yibao institution add --code CODE --name NAME --type TYPE\n"
	"\n"
	"Register a designated institution (SPEC S1); only they settle.  Give it\n"
	"an API key with 'yibao key create --role institution --institution CODE'.\n"
	"\n"
	"Options:\n"
	"  --type TYPE   hospital | clinic | pharmacy\n"
	"\n"
	"Example:\n"
	"  yibao institution add --code H440300001 --name 深圳市示范人民医院 --type hospital\n";

static int institution_add(yb_cli *cli, int argc, char **argv)
{
	const char *code = NULL, *name = NULL, *type = NULL;
	const cli_opt opts[] = {
		{ "code", CLI_OPT_STR, &code, true },
		{ "name", CLI_OPT_STR, &name, true },
		{ "type", CLI_OPT_STR, &type, true },
		{ NULL, 0, NULL, false },
	};
	yb_institution inst;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, opts, inst_add_help, 0, 0,
				 NULL)) != CLI_GO)
		return rc;
	if (yb_institution_register(&cli->ctx, code, name, type, &inst, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_institution(&inst));
}

static const char inst_show_help[] =
	"usage: yibao institution show CODE\n"
	"\n"
	"Show a designated institution.\n"
	"\n"
	"Example:\n"
	"  yibao institution show H440300001\n";

static int institution_show(yb_cli *cli, int argc, char **argv)
{
	yb_institution inst;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, NULL, inst_show_help, 1, 1,
				 &pos)) != CLI_GO)
		return rc;
	if (yb_institution_get(&cli->ctx, pos[0], &inst, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_institution(&inst));
}

static const cli_cmd institution_cmds[] = {
	{ "add", institution_add, "register a hospital, clinic or pharmacy" },
	{ "show", institution_show, "show an institution" },
	{ NULL, NULL, NULL },
};

int cmd_institution(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, institution_cmds,
		"usage: yibao institution <add|show> ...\n"
		"\n"
		"Designated medical institutions and pharmacies (SPEC S1).\n");
}

/* --- the bill, as settle and offline record both take it ----------------- */

typedef struct bill_opts {
	const char *institution, *txn, *card, *ecert, *id_number, *visit;
	const char *total, *total_fen, *fund, *fund_fen;
	const char *cred_type, *cred_value;
	int64_t total_v, fund_v;
} bill_opts;

#define BILL_OPTS(b) \
	{ "institution", CLI_OPT_STR, &(b).institution, true }, \
	{ "txn", CLI_OPT_STR, &(b).txn, true }, \
	{ "card", CLI_OPT_STR, &(b).card, false }, \
	{ "ecert", CLI_OPT_STR, &(b).ecert, false }, \
	{ "id-number", CLI_OPT_STR, &(b).id_number, false }, \
	{ "visit", CLI_OPT_STR, &(b).visit, true }, \
	{ "total", CLI_OPT_STR, &(b).total, false }, \
	{ "total-fen", CLI_OPT_STR, &(b).total_fen, false }, \
	{ "fund", CLI_OPT_STR, &(b).fund, false }, \
	{ "fund-fen", CLI_OPT_STR, &(b).fund_fen, false }

/* Check the bill's options and act as its institution. */
static int bill_check(yb_cli *cli, bill_opts *b)
{
	int n = !!b->card + !!b->ecert + !!b->id_number;
	int rc;

	if ((rc = cli_money(cli, "total", b->total, b->total_fen, true,
			    &b->total_v)) != CLI_GO ||
	    (rc = cli_money(cli, "fund", b->fund, b->fund_fen, false,
			    &b->fund_v)) != CLI_GO)
		return rc;
	if (n != 1)
		return cli_usage(cli,
			"give the patient's credential: one of --card, --ecert, --id-number");
	b->cred_type = b->card ? "card" : b->ecert ? "ecert" : "id_number";
	b->cred_value = b->card ? b->card : b->ecert ? b->ecert : b->id_number;
	if ((rc = cli_open(cli)) != CLI_GO)
		return rc;
	cli_act_as_institution(cli, b->institution);
	return CLI_GO;
}

#define BILL_HELP_OPTIONS \
	"  --institution CODE   the settling institution (acts as it)\n" \
	"  --txn ID             the institution's own transaction id\n" \
	"  --card NO | --ecert TOKEN | --id-number ID\n" \
	"                       the patient's credential (his own: SPEC C4)\n" \
	"  --visit TYPE         outpatient | pharmacy | inpatient\n" \
	"  --total YUAN         the bill (or --total-fen)\n" \
	"  --fund YUAN          the pooled-fund part the institution computed\n" \
	"                       (or --fund-fen; default 0)\n"

/* --- settle ------------------------------------------------------------------- */

static const char settle_help[] =
	"usage: yibao settle --institution CODE --txn ID (--card NO | --ecert TOKEN |\n"
	"                    --id-number ID) --visit TYPE --total YUAN [--fund YUAN]\n"
	"                    [--preview]\n"
	"       yibao settle revoke SETTLEMENT_ID --institution CODE\n"
	"       yibao settle show SETTLEMENT_ID [--institution CODE]\n"
	"\n"
	"Settle a bill at a designated institution, acting as it (SPEC S2-S4).\n"
	"The part not paid by the fund is paid from the patient's own personal\n"
	"account, then - when his own balance is zero or he has none, for an\n"
	"outpatient or pharmacy visit - from the accounts of the relatives who\n"
	"authorized him, richest first, then in cash (S3).  The answer lists each\n"
	"account's share.  The same --txn settles once; a repeat returns the\n"
	"first result (S4).  --preview computes without moving money (NHSA 2206).\n"
	"\n"
	"Options:\n"
	BILL_HELP_OPTIONS
	"  --preview            compute only; nothing is kept\n"
	"\n"
	"Examples:\n"
	"  yibao settle --institution H440300001 --txn H-20261122-0001 \\\n"
	"        --card YB0000000003 --visit outpatient --total 300.00 --fund 0\n"
	"  yibao settle revoke 1 --institution H440300001\n";

static int settle_bill(yb_cli *cli, int argc, char **argv)
{
	bill_opts b = { 0 };
	bool preview = false;
	const cli_opt opts[] = {
		BILL_OPTS(b),
		{ "preview", CLI_OPT_FLAG, &preview, false },
		{ NULL, 0, NULL, false },
	};
	yb_settle_req req;
	yb_settlement s;
	bool repeat = false;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, settle_help, 0, 0,
			    NULL)) != CLI_GO ||
	    (rc = bill_check(cli, &b)) != CLI_GO)
		return rc;
	req = (yb_settle_req){
		.txn_id = b.txn, .cred_type = b.cred_type,
		.cred_value = b.cred_value, .visit_type = b.visit,
		.total_fen = b.total_v, .fund_pay_fen = b.fund_v,
	};
	if (yb_settle(&cli->ctx, &req, preview, &s, &repeat, &err) < 0)
		return cli_fail(cli, &err);
	json_t *o = yb_json_settlement(&s);
	if (repeat)
		o = yb_json_set(o, "repeat", json_true());
	return cli_emit(cli, o);
}

/* revoke and show: a settlement id and the acting institution. */
static int settlement_op(yb_cli *cli, int argc, char **argv, const char *help,
			 bool need_inst,
			 int (*fn)(yb_ctx *, yb_id, yb_settlement *, yb_err *))
{
	const char *inst = NULL;
	const cli_opt opts[] = {
		{ "institution", CLI_OPT_STR, &inst, need_inst },
		{ NULL, 0, NULL, false },
	};
	yb_settlement s;
	int64_t id;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, help, 1, 1,
			    &pos)) != CLI_GO ||
	    (rc = cli_int(cli, "SETTLEMENT_ID", pos[0], 1, INT64_MAX,
			  &id)) != CLI_GO ||
	    (rc = cli_open(cli)) != CLI_GO)
		return rc;
	if (inst)
		cli_act_as_institution(cli, inst);
	if (fn(&cli->ctx, id, &s, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_settlement(&s));
}

static int settle_revoke(yb_cli *cli, int argc, char **argv)
{
	return settlement_op(cli, argc, argv,
		"usage: yibao settle revoke SETTLEMENT_ID --institution CODE\n"
		"\n"
		"Revoke a settlement, as the institution that made it (SPEC S5): each\n"
		"share goes back to the account it came from.  Revoking twice is\n"
		"harmless.\n"
		"\n"
		"Example:\n"
		"  yibao settle revoke 1 --institution H440300001\n",
		true, yb_revoke);
}

static int settle_show(yb_cli *cli, int argc, char **argv)
{
	return settlement_op(cli, argc, argv,
		"usage: yibao settle show SETTLEMENT_ID [--institution CODE]\n"
		"\n"
		"Show a settlement with its shares.  With --institution, as that\n"
		"institution (which sees only its own).\n"
		"\n"
		"Example:\n"
		"  yibao settle show 1\n",
		false, yb_settlement_get);
}

static const cli_cmd settle_cmds[] = {
	{ "revoke", settle_revoke, "revoke a settlement" },
	{ "show", settle_show, "show a settlement" },
	{ NULL, NULL, NULL },
};

int cmd_settle(yb_cli *cli, int argc, char **argv)
{
	if (argc >= 2 && argv[1][0] != '-')
		return cli_dispatch(cli, argc, argv, settle_cmds, settle_help);
	return settle_bill(cli, argc, argv);
}

/* --- offline ------------------------------------------------------------------- */

static const char record_help[] =
	"usage: yibao offline record --institution CODE --txn ID (--card NO | ...)\n"
	"                            --visit TYPE --total YUAN [--fund YUAN]\n"
	"                            --occurred-at RFC3339\n"
	"\n"
	"Record a visit the patient paid in cash while the institution's\n"
	"equipment had failed (SPEC S6).  Re-settle it with 'offline resettle'\n"
	"at the same institution within the window (setting, 30 days).\n"
	"\n"
	"Options:\n"
	BILL_HELP_OPTIONS
	"  --occurred-at TIME   when the visit took place, e.g. 2026-11-20T09:30:00+08:00\n"
	"\n"
	"Example:\n"
	"  yibao offline record --institution H440300001 --txn H-OFF-0001 \\\n"
	"        --card YB0000000003 --visit outpatient --total 120.00 \\\n"
	"        --occurred-at 2026-11-20T09:30:00+08:00\n";

static int offline_record(yb_cli *cli, int argc, char **argv)
{
	bill_opts b = { 0 };
	const char *when = NULL;
	const cli_opt opts[] = {
		BILL_OPTS(b),
		{ "occurred-at", CLI_OPT_STR, &when, true },
		{ NULL, 0, NULL, false },
	};
	yb_offline_req req;
	yb_offline off;
	yb_time at;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, record_help, 0, 0,
			    NULL)) != CLI_GO)
		return rc;
	if (!yb_time_parse(when, &at))
		return cli_usage(cli, "--occurred-at must be an RFC 3339 time");
	if ((rc = bill_check(cli, &b)) != CLI_GO)
		return rc;
	req = (yb_offline_req){
		.txn_id = b.txn, .cred_type = b.cred_type,
		.cred_value = b.cred_value, .visit_type = b.visit,
		.total_fen = b.total_v, .fund_pay_fen = b.fund_v,
		.occurred_at = at,
	};
	if (yb_offline_record(&cli->ctx, &req, &off, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_offline(&off));
}

/* The offline id and acting institution of resettle and show. */
static int offline_args(yb_cli *cli, int argc, char **argv, const char *help,
			bool need_inst, yb_id *id)
{
	const char *inst = NULL;
	const cli_opt opts[] = {
		{ "institution", CLI_OPT_STR, &inst, need_inst },
		{ NULL, 0, NULL, false },
	};
	char **pos;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, help, 1, 1,
			    &pos)) != CLI_GO ||
	    (rc = cli_int(cli, "OFFLINE_ID", pos[0], 1, INT64_MAX, id)) != CLI_GO ||
	    (rc = cli_open(cli)) != CLI_GO)
		return rc;
	if (inst)
		cli_act_as_institution(cli, inst);
	return CLI_GO;
}

static const char resettle_help[] =
	"usage: yibao offline resettle OFFLINE_ID --institution CODE\n"
	"\n"
	"Re-settle an offline record after the repair (SPEC S6): only at the\n"
	"institution that recorded it, within the window, once.  The personal-\n"
	"account part is paid as if online now; the answer says how much cash\n"
	"to refund to the patient.\n"
	"\n"
	"Example:\n"
	"  yibao offline resettle 1 --institution H440300001\n";

static int offline_resettle(yb_cli *cli, int argc, char **argv)
{
	yb_offline off;
	yb_settlement s;
	yb_id id;
	yb_err err;
	int rc;

	if ((rc = offline_args(cli, argc, argv, resettle_help, true,
			       &id)) != CLI_GO)
		return rc;
	if (yb_offline_resettle(&cli->ctx, id, &off, &s, &err) < 0)
		return cli_fail(cli, &err);
	/* The answer of the API: the record, the re-settlement's parts and
	 * shares, and the refund. */
	return cli_emit(cli, yb_json_resettlement(&off, &s));
}

static int offline_show(yb_cli *cli, int argc, char **argv)
{
	yb_offline off;
	yb_id id;
	yb_err err;
	int rc;

	if ((rc = offline_args(cli, argc, argv,
		"usage: yibao offline show OFFLINE_ID [--institution CODE]\n"
		"\n"
		"Show an offline record and, once re-settled, its refund.\n"
		"\n"
		"Example:\n"
		"  yibao offline show 1\n", false, &id)) != CLI_GO)
		return rc;
	if (yb_offline_get(&cli->ctx, id, &off, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_offline(&off));
}

static const cli_cmd offline_cmds[] = {
	{ "record", offline_record, "record a visit paid in cash" },
	{ "resettle", offline_resettle, "re-settle it after the repair" },
	{ "show", offline_show, "show an offline record" },
	{ NULL, NULL, NULL },
};

int cmd_offline(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, offline_cmds,
		"usage: yibao offline <record|resettle|show> ...\n"
		"\n"
		"Visits paid in cash during an equipment failure, and their\n"
		"re-settlement (SPEC S6).\n");
}

/* --- reconcile --------------------------------------------------------------- */

static const char recon_help[] =
	"usage: yibao reconcile DATE --institution CODE [--theirs COUNT,TOTAL,FUND,ACCOUNT,CASH]\n"
	"\n"
	"An institution's totals for a local date (SPEC S7): count, total,\n"
	"fund, accounts and cash of the settlements still standing, and the\n"
	"number revoked.  With --theirs, compare with the institution's own\n"
	"totals (amounts in yuan): the answer is match or the differences, and\n"
	"the exit status is 1 when they differ.  DATE is YYYY-MM-DD or 'today'.\n"
	"\n"
	"Examples:\n"
	"  yibao reconcile today --institution H440300001\n"
	"  yibao reconcile 2026-11-22 --institution H440300001 --theirs 3,900.00,0,600.00,300.00\n";

/* "COUNT,TOTAL,FUND,ACCOUNT,CASH" with money in yuan. */
static int parse_theirs(yb_cli *cli, const char *s, yb_recon_totals *t)
{
	char buf[256];
	char *parts[5];
	int n = 0;
	int64_t count;
	int rc;

	snprintf(buf, sizeof buf, "%s", s);
	for (char *p = buf, *tok; n < 5 && (tok = strsep(&p, ",")); )
		parts[n++] = tok;
	if (n != 5 || strchr(s, ',') == NULL)
		return cli_usage(cli, "--theirs must be COUNT,TOTAL,FUND,ACCOUNT,CASH");
	if ((rc = cli_int(cli, "--theirs count", parts[0], 0, INT64_MAX,
			  &count)) != CLI_GO)
		return rc;
	t->count = count;
	int64_t *money[4] = { &t->total_fen, &t->fund_pay_fen,
			      &t->account_pay_fen, &t->cash_pay_fen };
	for (int i = 0; i < 4; i++)
		if (!yb_money_parse_yuan(parts[i + 1], money[i]))
			return cli_usage(cli, "--theirs: '%s' is not an amount in yuan",
					 parts[i + 1]);
	return CLI_GO;
}

int cmd_reconcile(yb_cli *cli, int argc, char **argv)
{
	const char *inst = NULL, *theirs_s = NULL;
	const cli_opt opts[] = {
		{ "institution", CLI_OPT_STR, &inst, true },
		{ "theirs", CLI_OPT_STR, &theirs_s, false },
		{ NULL, 0, NULL, false },
	};
	yb_recon_totals ours, theirs = { 0 };
	yb_recon_diff diffs[8];
	int ndiffs = 0;
	yb_date date;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, recon_help, 1, 1,
			    &pos)) != CLI_GO)
		return rc;
	if (theirs_s && (rc = parse_theirs(cli, theirs_s, &theirs)) != CLI_GO)
		return rc;
	if ((rc = cli_open(cli)) != CLI_GO)
		return rc;
	if (strcmp(pos[0], "today") == 0)
		date = yb_ctx_today(&cli->ctx);
	else if (!yb_date_parse(pos[0], &date))
		return cli_usage(cli, "DATE must be YYYY-MM-DD or 'today'");
	cli_act_as_institution(cli, inst);
	if (!theirs_s) {
		if (yb_recon_get(&cli->ctx, date, &ours, &err) < 0)
			return cli_fail(cli, &err);
		return cli_emit(cli, yb_json_recon(&ours));
	}
	theirs.date = date;
	if (yb_recon_compare(&cli->ctx, date, &theirs, &ours, diffs, &ndiffs,
			     &err) < 0)
		return cli_fail(cli, &err);
	if ((rc = cli_emit(cli, yb_json_recon_compare(&ours, diffs,
						      ndiffs))) != CLI_OK)
		return rc;
	return ndiffs == 0 ? CLI_OK : CLI_REFUSED;
}
