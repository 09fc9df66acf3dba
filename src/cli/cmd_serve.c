/*
 * cmd_serve.c — `yibao serve` (and `yibaod`): run the HTTP API and the
 * web portal until SIGTERM or SIGINT.  The server itself is src/http/;
 * this edge only turns options into yb_http_options.
 *
 * A build without the HTTP library (YB_HAVE_HTTP unset) still has the
 * command, so scripts get a clear refusal instead of "unknown command".
 */
#include "cli/cli.h"

#include <string.h>
#include <sys/stat.h>

#ifdef YB_HAVE_HTTP
#include "http/routes.h"
#include "http/server.h"
#endif

#ifndef YB_WEB_DIR
#define YB_WEB_DIR "web"
#endif

static const char serve_help[] =
	"usage: yibao serve [--listen ADDR] [--web DIR] [--tls-cert FILE --tls-key FILE]\n"
	"                   [--threads N] [--log-level LEVEL] [--group-commit MODE]\n"
	"                   [--writer-cpu N] [--writers N] [--max-batch N]\n"
	"                   [--read-db URL]\n"
	"       yibaod [same options]\n"
	"\n"
	"Serve the HTTP API (/api/v1/...) and the web portal until SIGTERM or\n"
	"SIGINT; in-flight requests are finished first.\n"
	"\n"
	"Options:\n"
	"  --listen ADDR      address and port (default 127.0.0.1:8080)\n"
	"  --web DIR          static files of the portal (default: the source\n"
	"                     tree's web/ when present)\n"
	"  --tls-cert FILE    PEM certificate; with --tls-key, serve HTTPS\n"
	"  --tls-key FILE     PEM private key\n"
	"  --threads N        worker threads (default: one per CPU; on\n"
	"                     PostgreSQL 4 per CPU, 16 with group commit off)\n"
	"  --log-level LEVEL  error | warn | info | debug (default info)\n"
	"  --group-commit MODE  auto | on | off: batch concurrent writes into\n"
	"                     one durable commit (default auto: on)\n"
	"  --writer-cpu N     run the group-commit writer alone on CPU N and\n"
	"                     every other thread of the server elsewhere\n"
	"                     (default: not pinned)\n"
	"  --writers N        PostgreSQL, group commit on: N writers, each its\n"
	"                     own connection, taking turns at the batches\n"
	"                     (default one per CPU; SQLite has one)\n"
	"  --max-batch N      group commit: at most N requests share one\n"
	"                     commit (default: PostgreSQL 16, SQLite 256)\n"
	"  --read-db URL      PostgreSQL: serve person views, statements, family\n"
	"                     usage and reconciliation from this standby (a\n"
	"                     little stale: docs/POSTGRESQL.md); writes and\n"
	"                     every other read stay on --db\n"
	"\n"
	"Examples:\n"
	"  yibao --db var/yibao.db serve --listen 127.0.0.1:8080 --web web\n"
	"  yibaod --db postgresql://yibao@db/yibao --listen 0.0.0.0:443 \\\n"
	"         --tls-cert /etc/yibao/cert.pem --tls-key /etc/yibao/key.pem\n";

int cmd_serve(yb_cli *cli, int argc, char **argv)
{
	const char *listen = "127.0.0.1:8080", *web = NULL, *cert = NULL,
		   *key = NULL, *threads_s = NULL, *level = "info",
		   *group_commit = "auto", *writer_cpu_s = NULL,
		   *read_db = NULL, *writers_s = NULL,
		   *max_batch_s = NULL;
	const cli_opt opts[] = {
		{ "listen", CLI_OPT_STR, &listen, false },
		{ "web", CLI_OPT_STR, &web, false },
		{ "tls-cert", CLI_OPT_STR, &cert, false },
		{ "tls-key", CLI_OPT_STR, &key, false },
		{ "threads", CLI_OPT_STR, &threads_s, false },
		{ "log-level", CLI_OPT_STR, &level, false },
		{ "group-commit", CLI_OPT_STR, &group_commit, false },
		{ "writer-cpu", CLI_OPT_STR, &writer_cpu_s, false },
		{ "read-db", CLI_OPT_STR, &read_db, false },
		{ "writers", CLI_OPT_STR, &writers_s, false },
		{ "max-batch", CLI_OPT_STR, &max_batch_s, false },
		{ NULL, 0, NULL, false },
	};
	int64_t threads = 0, writer_cpu = 0, writers = 0, max_batch = 0;
	struct stat sb;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, serve_help, 0, 0,
			    NULL)) != CLI_GO)
		return rc;
	if (threads_s && (rc = cli_int(cli, "--threads", threads_s, 1, 1024,
				       &threads)) != CLI_GO)
		return rc;
	if (writer_cpu_s &&
	    (rc = cli_int(cli, "--writer-cpu", writer_cpu_s, 0, 1023,
			  &writer_cpu)) != CLI_GO)
		return rc;
	if (writers_s && (rc = cli_int(cli, "--writers", writers_s, 1, 64,
				       &writers)) != CLI_GO)
		return rc;
	if (max_batch_s &&
	    (rc = cli_int(cli, "--max-batch", max_batch_s, 1, 4096,
			  &max_batch)) != CLI_GO)
		return rc;
	if (strcmp(group_commit, "auto") != 0 && strcmp(group_commit, "on") != 0 &&
	    strcmp(group_commit, "off") != 0)
		return cli_usage(cli, "--group-commit takes auto, on or off");
	if (read_db &&
	    (strcmp(yb_store_engine_of(read_db), "postgresql") != 0 ||
	     strcmp(yb_store_engine_of(cli->db_url), "postgresql") != 0))
		return cli_usage(cli, "--read-db takes a PostgreSQL standby of "
				 "a PostgreSQL --db");
	if (!cert != !key)
		return cli_usage(cli, "--tls-cert and --tls-key go together");
	if (web && (stat(web, &sb) < 0 || !S_ISDIR(sb.st_mode)))
		return cli_usage(cli, "no directory %s", web);
	if (!web && stat(YB_WEB_DIR, &sb) == 0 && S_ISDIR(sb.st_mode))
		web = YB_WEB_DIR;
	if ((rc = cli_settings(cli)) != CLI_GO ||
	    (rc = cli_prepare_db_dir(cli)) != CLI_GO)
		return rc;
#ifdef YB_HAVE_HTTP
	yb_http_options o = {
		.listen = listen,
		.db_url = cli->db_url,
		.read_db_url = read_db,
		.settings = &cli->settings,
		.web_root = web,
		.tls_cert = cert,
		.tls_key = key,
		.threads = (int)threads,
		.log_level = level,
		.group_commit = group_commit,
		.pin_writer = writer_cpu_s != NULL,
		.writer_cpu = (int)writer_cpu,
		.writers = (int)writers,
		.max_batch = (int)max_batch,
	};
	yb_err err;

	if (yb_http_serve(&o, &err) < 0)
		return cli_fail(cli, &err);
	return CLI_OK;
#else
	yb_err err;
	yb_errf(&err, "internal",
		"this yibao was built without the HTTP server (src/http)");
	return cli_fail(cli, &err);
#endif
}

static const char routes_help[] =
	"usage: yibao routes\n"
	"\n"
	"Print the HTTP API's route table, one route a line: method, path,\n"
	"the roles allowed and a summary, separated by tabs.  The OpenAPI\n"
	"document (docs/openapi.yaml) is tested against this list.\n";

int cmd_routes(yb_cli *cli, int argc, char **argv)
{
	int rc;

	if ((rc = cli_parse(cli, argc, argv, NULL, routes_help, 0, 0,
			    NULL)) != CLI_GO)
		return rc;
#ifdef YB_HAVE_HTTP
	yb_http_routes_print(stdout);
	return CLI_OK;
#else
	yb_err err;
	yb_errf(&err, "internal",
		"this yibao was built without the HTTP server (src/http)");
	return cli_fail(cli, &err);
#endif
}
