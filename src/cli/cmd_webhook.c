/*
 * cmd_webhook.c — `yibao webhook ...`: the agency's webhooks that receive
 * every notification of E3 (add, list, remove), and their deliveries
 * (list, retry a dead one).  The server's sender posts them; this only
 * manages the rows.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/notify.h"
#include "service/notify.h"

static const char add_help[] =
	"usage: yibao webhook add --url URL [--secret SECRET] [--label TEXT]\n"
	"\n"
	"Post every new notification (E3) to URL, signed with HMAC-SHA256\n"
	"under SECRET (16 to 128 printable characters; without --secret a\n"
	"random one is made and shown once).  Several webhooks may be active.\n"
	"Headers and body: docs/NOTIFICATIONS.md.\n"
	"\n"
	"Example:\n"
	"  yibao webhook add --url https://sms.agency.example/yibao --label 'SMS gateway'\n";

static int hook_add(yb_cli *cli, int argc, char **argv)
{
	const char *url = NULL, *secret = NULL, *label = NULL;
	const cli_opt opts[] = {
		{ "url", CLI_OPT_STR, &url, true },
		{ "secret", CLI_OPT_STR, &secret, false },
		{ "label", CLI_OPT_STR, &label, false },
		{ NULL, 0, NULL, false },
	};
	unsigned char raw[24];
	char made[2 * sizeof raw + 1];
	yb_webhook w;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, opts, add_help, 0, 0,
				 NULL)) != CLI_GO)
		return rc;
	if (!secret) {
		randombytes_buf(raw, sizeof raw);
		sodium_bin2hex(made, sizeof made, raw, sizeof raw);
		secret = made;
	}
	if (yb_webhook_add(&cli->ctx, url, secret, label, &w, &err) < 0)
		return cli_fail(cli, &err);
	if ((rc = cli_emit(cli, yb_json_webhook(&w, true))) != CLI_OK)
		return rc;
	cli_note(cli, "(give the secret to the receiver; it is not shown again)\n");
	return CLI_OK;
}

static const char list_help[] =
	"usage: yibao webhook list [--limit N] [--before ID]\n"
	"\n"
	"The active webhooks, newest first.\n";

static int hook_list(yb_cli *cli, int argc, char **argv)
{
	const char *limit_s = NULL, *before_s = NULL;
	const cli_opt opts[] = {
		{ "limit", CLI_OPT_STR, &limit_s, false },
		{ "before", CLI_OPT_STR, &before_s, false },
		{ NULL, 0, NULL, false },
	};
	yb_webhook *hooks = NULL;
	yb_id before;
	int limit, n = 0, rc;
	yb_err err;

	if ((rc = cli_parse(cli, argc, argv, opts, list_help, 0, 0,
			    NULL)) != CLI_GO)
		return rc;
	if ((rc = cli_page(cli, limit_s, before_s, &limit, &before)) != CLI_GO ||
	    (rc = cli_open(cli)) != CLI_GO)
		return rc;
	if (yb_webhooks_list(&cli->ctx, before, limit, &hooks, &n, &err) < 0) {
		free(hooks);
		return cli_fail(cli, &err);
	}
	rc = cli_emit(cli, CLI_RENDER_LIST(hooks, n, yb_json_webhook_item));
	free(hooks);
	return rc;
}

/* The one positional id of `remove` and `retry`. */
static int id_arg(yb_cli *cli, int argc, char **argv, const char *help,
		  yb_id *id)
{
	char **pos = NULL;
	int64_t v;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, NULL, help, 1, 1, &pos)) !=
	    CLI_GO)
		return rc;
	if ((rc = cli_int(cli, "ID", pos[0], 1, INT64_MAX, &v)) != CLI_GO)
		return rc;
	*id = v;
	return CLI_GO;
}

static const char remove_help[] =
	"usage: yibao webhook remove ID\n"
	"\n"
	"Stop posting to webhook ID; its undelivered deliveries stay listed.\n";

static int hook_remove(yb_cli *cli, int argc, char **argv)
{
	yb_id id;
	yb_err err;
	int rc;

	if ((rc = id_arg(cli, argc, argv, remove_help, &id)) != CLI_GO)
		return rc;
	if (yb_webhook_remove(&cli->ctx, id, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, json_pack("{s:I, s:b}", "webhook_id", (json_int_t)id,
				"removed", 1));
}

static const char deliveries_help[] =
	"usage: yibao webhook deliveries [--state pending|delivered|dead]\n"
	"                                [--limit N] [--before ID]\n"
	"\n"
	"Deliveries of notifications to webhooks, newest first.  A dead one\n"
	"ran out of attempts (setting webhook_max_attempts): `retry` it once\n"
	"the receiver is repaired.\n"
	"\n"
	"Example:\n"
	"  yibao webhook deliveries --state dead\n";

static int hook_deliveries(yb_cli *cli, int argc, char **argv)
{
	const char *state = NULL, *limit_s = NULL, *before_s = NULL;
	const cli_opt opts[] = {
		{ "state", CLI_OPT_STR, &state, false },
		{ "limit", CLI_OPT_STR, &limit_s, false },
		{ "before", CLI_OPT_STR, &before_s, false },
		{ NULL, 0, NULL, false },
	};
	yb_delivery *ds = NULL;
	yb_id before;
	int limit, n = 0, rc;
	yb_err err;

	if ((rc = cli_parse(cli, argc, argv, opts, deliveries_help, 0, 0,
			    NULL)) != CLI_GO)
		return rc;
	if ((rc = cli_page(cli, limit_s, before_s, &limit, &before)) != CLI_GO ||
	    (rc = cli_open(cli)) != CLI_GO)
		return rc;
	if (yb_deliveries_list(&cli->ctx, state, before, limit, &ds, &n,
			       &err) < 0) {
		free(ds);
		return cli_fail(cli, &err);
	}
	rc = cli_emit(cli, CLI_RENDER_LIST(ds, n, yb_json_delivery_item));
	free(ds);
	return rc;
}

static const char retry_help[] =
	"usage: yibao webhook retry DELIVERY_ID\n"
	"\n"
	"A dead delivery back to pending, due now, with its attempts counted\n"
	"anew (the same delivery id, so the receiver still deduplicates).\n";

static int hook_retry(yb_cli *cli, int argc, char **argv)
{
	yb_delivery d;
	yb_id id;
	yb_err err;
	int rc;

	if ((rc = id_arg(cli, argc, argv, retry_help, &id)) != CLI_GO)
		return rc;
	if (yb_delivery_retry(&cli->ctx, id, &d, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_delivery(&d));
}

static const cli_cmd webhook_cmds[] = {
	{ "add", hook_add, "post every notification to a URL, signed" },
	{ "list", hook_list, "the active webhooks" },
	{ "remove", hook_remove, "stop posting to a webhook" },
	{ "deliveries", hook_deliveries, "deliveries (--state dead: the dead ones)" },
	{ "retry", hook_retry, "retry a dead delivery" },
	{ NULL, NULL, NULL },
};

int cmd_webhook(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, webhook_cmds,
		"usage: yibao webhook <add|list|remove|deliveries|retry> ...\n"
		"\n"
		"The agency's webhooks: every notification of a relative's use of\n"
		"an authorizer's account (E3) is posted to each, signed, at least\n"
		"once (docs/NOTIFICATIONS.md).\n");
}
