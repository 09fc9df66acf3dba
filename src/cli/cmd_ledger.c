/*
 * cmd_ledger.c — `yibao contribution`, `yibao ledger` and `yibao audit`:
 * money coming in (SPEC A4) and the checks an auditor runs on the books
 * (A1–A3) and on the audit chain (X3).
 */
#include "cli/cli.h"

#include <stdlib.h>

#include "service/ledger.h"

static const char post_help[] =
	"usage: yibao contribution post --ssn SSN --period YYYY-MM --employer CODE\n"
	"                               --base YUAN --employer-part YUAN\n"
	"                               --personal-part YUAN --account-credit YUAN\n"
	"\n"
	"Record a contribution and credit the personal account (SPEC A4), as one\n"
	"balanced ledger transaction (A1).  Posting the same (person, period,\n"
	"employer) twice is refused with contribution.duplicate.\n"
	"\n"
	"Amounts are in yuan (1234.50); each also has a --NAME-fen form taking\n"
	"whole fen (--base-fen 823400).\n"
	"\n"
	"Options:\n"
	"  --ssn SSN                the insured person\n"
	"  --period YYYY-MM         the month paid for\n"
	"  --employer CODE          a registered employer\n"
	"  --base YUAN              contribution base\n"
	"  --employer-part YUAN     paid by the employer\n"
	"  --personal-part YUAN     paid by the employee\n"
	"  --account-credit YUAN    credited to the personal account\n"
	"\n"
	"Example:\n"
	"  yibao contribution post --ssn 600000001 --period 2026-10 --employer E440300001 \\\n"
	"        --base 12000 --employer-part 720 --personal-part 240 --account-credit 420\n";

static int contribution_post(yb_cli *cli, int argc, char **argv)
{
	yb_contribution_new in = { 0 };
	const char *y[4] = { 0 }, *f[4] = { 0 };
	const cli_opt opts[] = {
		{ "ssn", CLI_OPT_STR, &in.ssn, true },
		{ "period", CLI_OPT_STR, &in.period, true },
		{ "employer", CLI_OPT_STR, &in.employer_code, true },
		{ "base", CLI_OPT_STR, &y[0], false },
		{ "base-fen", CLI_OPT_STR, &f[0], false },
		{ "employer-part", CLI_OPT_STR, &y[1], false },
		{ "employer-part-fen", CLI_OPT_STR, &f[1], false },
		{ "personal-part", CLI_OPT_STR, &y[2], false },
		{ "personal-part-fen", CLI_OPT_STR, &f[2], false },
		{ "account-credit", CLI_OPT_STR, &y[3], false },
		{ "account-credit-fen", CLI_OPT_STR, &f[3], false },
		{ NULL, 0, NULL, false },
	};
	yb_contribution c;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, post_help, 0, 0,
			    NULL)) != CLI_GO ||
	    (rc = cli_money(cli, "base", y[0], f[0], true, &in.base_fen)) != CLI_GO ||
	    (rc = cli_money(cli, "employer-part", y[1], f[1], true,
			    &in.employer_fen)) != CLI_GO ||
	    (rc = cli_money(cli, "personal-part", y[2], f[2], true,
			    &in.personal_fen)) != CLI_GO ||
	    (rc = cli_money(cli, "account-credit", y[3], f[3], true,
			    &in.account_credit_fen)) != CLI_GO ||
	    (rc = cli_open(cli)) != CLI_GO)
		return rc;
	if (yb_contribution_post(&cli->ctx, &in, &c, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_contribution(&c));
}

static const cli_cmd contribution_cmds[] = {
	{ "post", contribution_post, "record a contribution, credit the account" },
	{ NULL, NULL, NULL },
};

int cmd_contribution(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, contribution_cmds,
		"usage: yibao contribution post ...\n"
		"\n"
		"Contribution (payment) records (SPEC A4).\n");
}

/* --- ledger ---------------------------------------------------------------- */

static const char check_help[] =
	"usage: yibao ledger check\n"
	"\n"
	"Check the books: every transaction's entries sum to zero (SPEC A1), the\n"
	"balances of all accounts sum to zero (A3), each balance equals the sum\n"
	"of its entries, no personal account is below zero (A2), and no entry,\n"
	"settlement, share or notification points at a row that is not there.\n"
	"Exit status 1 if any check fails.\n"
	"\n"
	"Example:\n"
	"  yibao ledger check\n";

static int ledger_check(yb_cli *cli, int argc, char **argv)
{
	yb_ledger_report r;
	bool ok;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, NULL, check_help, 0, 0,
				 NULL)) != CLI_GO)
		return rc;
	if (yb_ledger_check(&cli->ctx, &r, &ok, &err) < 0)
		return cli_fail(cli, &err);
	rc = cli_emit(cli, json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"ok", ok,
		"accounts", (json_int_t)r.accounts,
		"transactions", (json_int_t)r.transactions,
		"entries", (json_int_t)r.entries,
		"sum_balances_fen", (json_int_t)r.sum_balances_fen,
		"sum_entries_fen", (json_int_t)r.sum_entries_fen,
		"unbalanced_transactions", (json_int_t)r.unbalanced_transactions,
		"mismatched_accounts", (json_int_t)r.mismatched_accounts,
		"negative_personal", (json_int_t)r.negative_personal,
		"dangling_refs", (json_int_t)r.dangling_refs));
	if (rc != CLI_OK)
		return rc;
	if (!ok)
		fputs("error: ledger.unbalanced: the books do not balance\n",
		      stderr);
	return ok ? CLI_OK : CLI_REFUSED;
}

static const cli_cmd ledger_cmds[] = {
	{ "check", ledger_check, "check that the books balance" },
	{ NULL, NULL, NULL },
};

int cmd_ledger(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, ledger_cmds,
		"usage: yibao ledger check\n"
		"\n"
		"The double-entry ledger (SPEC A1-A3).\n");
}

/* --- audit ------------------------------------------------------------------- */

static const char verify_help[] =
	"usage: yibao audit verify\n"
	"\n"
	"Walk the audit chain from the first record and recompute every hash\n"
	"(SPEC X3).  Exit status 1 if a record was altered, removed or inserted.\n"
	"\n"
	"Example:\n"
	"  yibao audit verify\n";

static int audit_verify(yb_cli *cli, int argc, char **argv)
{
	yb_audit_report r;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, NULL, verify_help, 0, 0,
				 NULL)) != CLI_GO)
		return rc;
	if (yb_audit_verify(&cli->ctx, &r, &err) < 0)
		return cli_fail(cli, &err);
	json_t *o = json_pack("{s:b, s:I}", "ok", r.ok,
			      "records", (json_int_t)r.records);
	if (!r.ok) {
		json_object_set_new(o, "first_bad_seq",
				    json_integer(r.first_bad_seq));
		json_object_set_new(o, "problem", json_string(r.problem));
		fprintf(stderr, "error: store.corrupt: audit chain broken at record %lld: %s\n",
			(long long)r.first_bad_seq, r.problem);
	}
	if ((rc = cli_emit(cli, o)) != CLI_OK)
		return rc;
	return r.ok ? CLI_OK : CLI_REFUSED;
}

static const char list_help[] =
	"usage: yibao audit list [--limit N] [--before SEQ]\n"
	"\n"
	"The audit records, newest first (who, role, channel, action, target,\n"
	"result, time; SPEC X3).\n"
	"\n"
	"Options:\n"
	"  --limit N      at most N records (default 20, at most 500)\n"
	"  --before SEQ   only records older than SEQ (paging)\n"
	"\n"
	"Example:\n"
	"  yibao audit list --limit 5\n";

static int audit_list(yb_cli *cli, int argc, char **argv)
{
	const char *limit_s = NULL, *before_s = NULL;
	const cli_opt opts[] = {
		{ "limit", CLI_OPT_STR, &limit_s, false },
		{ "before", CLI_OPT_STR, &before_s, false },
		{ NULL, 0, NULL, false },
	};
	int limit;
	yb_id before;
	yb_audit_record *recs = NULL;
	int n = 0;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, list_help, 0, 0,
			    NULL)) != CLI_GO)
		return rc;
	if ((rc = cli_page(cli, limit_s, before_s, &limit, &before)) != CLI_GO ||
	    (rc = cli_open(cli)) != CLI_GO)
		return rc;
	if (yb_audit_list(&cli->ctx, before, limit, &recs, &n, &err) < 0) {
		free(recs);
		return cli_fail(cli, &err);
	}
	rc = cli_emit(cli, CLI_RENDER_LIST(recs, n, yb_json_audit_item));
	free(recs);
	return rc;
}

static const cli_cmd audit_cmds[] = {
	{ "verify", audit_verify, "verify the hash chain" },
	{ "list", audit_list, "list audit records, newest first" },
	{ NULL, NULL, NULL },
};

int cmd_audit(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, audit_cmds,
		"usage: yibao audit <verify|list> ...\n"
		"\n"
		"The hash-chained audit log of every state change (SPEC X3).\n");
}
