/*
 * opt.c — argument parsing, error reporting and opening the database for
 * the `yibao` command.
 *
 * Every command parses with cli_parse(), a small declarative layer over
 * getopt_long: a command lists its options as {name, kind, destination}
 * and gets its positional arguments back.  This keeps each cmd_*.c to
 * "which options, which service call, which output", and makes --help,
 * --json, --db and --config work the same after every command.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/money.h"

#define CLI_MAX_OPTS 48

/* {"error": {"code", "message"}} on stdout (--json).  Out of memory
 * for even that, the code alone, written without allocating. */
static void print_error_json(const yb_err *err)
{
	const char *code = err->code ? err->code : "internal";
	json_t *o = json_pack("{s:{s:s, s:s}}", "error", "code", code,
			      "message", err->message);

	if (o)
		json_dumpf(o, stdout, JSON_INDENT(2));
	else
		printf("{\"error\": {\"code\": \"%s\"}}", code);
	fputc('\n', stdout);
	json_decref(o);
}

int cli_usage(yb_cli *cli, const char *fmt, ...)
{
	char msg[YB_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "error: usage: %s\n", msg);
	fprintf(stderr, "(see 'yibao %s --help')\n", cli->cmd[0] ? cli->cmd : "");
	if (cli->json) {
		yb_err err;
		yb_errf(&err, "usage", "%s", msg);
		print_error_json(&err);
	}
	return CLI_USAGE;
}

int cli_fail(yb_cli *cli, const yb_err *err)
{
	const char *code = err->code ? err->code : "internal";

	fprintf(stderr, "error: %s: %s\n", code, err->message);
	if (cli->json)
		print_error_json(err);
	return strcmp(code, "usage") == 0 ? CLI_USAGE : CLI_REFUSED;
}

int cli_parse(yb_cli *cli, int argc, char **argv, const cli_opt *opts,
	      const char *help, int min_pos, int max_pos, char ***pos)
{
	/* Option values past the command's own: the global options. */
	enum { G_HELP = 'h', G_JSON = 1000, G_DB, G_CONFIG, G_BASE = 2000 };
	struct option lo[CLI_MAX_OPTS + 5];
	int n = 0, c;

	for (; opts && opts[n].name; n++) {
		if (n == CLI_MAX_OPTS)
			return cli_usage(cli, "too many options declared");
		lo[n] = (struct option){
			.name = opts[n].name,
			.has_arg = opts[n].kind == CLI_OPT_FLAG ? no_argument
							       : required_argument,
			.flag = NULL,
			.val = G_BASE + n,
		};
	}
	lo[n++] = (struct option){ "help", no_argument, NULL, G_HELP };
	lo[n++] = (struct option){ "json", no_argument, NULL, G_JSON };
	lo[n++] = (struct option){ "db", required_argument, NULL, G_DB };
	lo[n++] = (struct option){ "config", required_argument, NULL, G_CONFIG };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };

	/* optind = 0 makes glibc's getopt start afresh for each command. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (c == G_HELP) {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c == G_JSON) {
			cli->json = true;
		} else if (c == G_DB) {
			cli->db_url = optarg;
		} else if (c == G_CONFIG) {
			cli->config_path = optarg;
		} else if (c == ':') {
			return cli_usage(cli, "option '%s' needs a value",
					 argv[optind - 1]);
		} else if (c == '?' && optopt) {
			/* A short one: getopt may still be inside argv's
			 * word, so name the letter, not the word before. */
			return cli_usage(cli, "unknown option '-%c' (an "
					 "argument that begins with '-' goes "
					 "after --)", optopt);
		} else if (c == '?') {
			return cli_usage(cli, "unknown option '%s' (an "
					 "argument that begins with '-' goes "
					 "after --)", argv[optind - 1]);
		} else {
			const cli_opt *o = &opts[c - G_BASE];
			if (o->kind == CLI_OPT_STR) {
				*(const char **)o->dest = optarg;
			} else if (o->kind == CLI_OPT_FLAG) {
				*(bool *)o->dest = true;
			} else {
				cli_list *l = o->dest;
				if (l->n == CLI_LIST_MAX)
					return cli_usage(cli,
						"at most %d --%s options",
						CLI_LIST_MAX, o->name);
				l->v[l->n++] = optarg;
			}
		}
	}
	for (int i = 0; opts && opts[i].name; i++) {
		/* Only string options are ever required; flags and lists are
		 * optional by nature. */
		const char *const *v = opts[i].dest;
		if (opts[i].required && opts[i].kind == CLI_OPT_STR &&
		    (!*v || !**v))
			return cli_usage(cli, "--%s is required", opts[i].name);
	}
	int np = argc - optind;
	if (np < min_pos)
		return cli_usage(cli, "missing argument");
	if (np > max_pos)
		return cli_usage(cli, "unexpected argument '%s'",
				 argv[optind + max_pos]);
	if (pos)
		*pos = argv + optind;
	return CLI_GO;
}

int cli_parse_open(yb_cli *cli, int argc, char **argv, const cli_opt *opts,
		   const char *help, int min_pos, int max_pos, char ***pos)
{
	int rc = cli_parse(cli, argc, argv, opts, help, min_pos, max_pos, pos);

	return rc == CLI_GO ? cli_open(cli) : rc;
}

int cli_dispatch(yb_cli *cli, int argc, char **argv, const cli_cmd *table,
		 const char *help)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		FILE *f = argc < 2 ? stderr : stdout;
		fputs(help, f);
		fputs("\nSubcommands:\n", f);
		for (const cli_cmd *c = table; c->name; c++)
			fprintf(f, "  %-12s %s\n", c->name, c->summary);
		fprintf(f, "\nRun 'yibao %s <subcommand> --help' for details.\n",
			cli->cmd);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	for (const cli_cmd *c = table; c->name; c++) {
		if (strcmp(c->name, argv[1]) == 0) {
			size_t len = strlen(cli->cmd);
			snprintf(cli->cmd + len, sizeof cli->cmd - len, " %s",
				 c->name);
			return c->fn(cli, argc - 1, argv + 1);
		}
	}
	return cli_usage(cli, "unknown subcommand '%s'", argv[1]);
}

int cli_int(yb_cli *cli, const char *name, const char *s, int64_t min,
	    int64_t max, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return cli_usage(cli, "%s must be a whole number from %lld to %lld",
				 name, (long long)min, (long long)max);
	*out = v;
	return CLI_GO;
}

int cli_page(yb_cli *cli, const char *limit_s, const char *before_s,
	     int *limit, yb_id *before)
{
	int64_t v = 0;
	int rc;

	*limit = 20;
	*before = 0;
	if (limit_s) {
		if ((rc = cli_int(cli, "--limit", limit_s, 1, 500, &v)) != CLI_GO)
			return rc;
		*limit = (int)v;
	}
	if (before_s) {
		if ((rc = cli_int(cli, "--before", before_s, 1, INT64_MAX,
				  &v)) != CLI_GO)
			return rc;
		*before = v;
	}
	return CLI_GO;
}

int cli_money(yb_cli *cli, const char *name, const char *yuan,
	      const char *fen, bool required, int64_t *out)
{
	char fen_name[64];

	snprintf(fen_name, sizeof fen_name, "--%s-fen", name);
	*out = 0;
	if (yuan && fen)
		return cli_usage(cli, "give --%s or %s, not both", name,
				 fen_name);
	if (yuan) {
		if (!yb_money_parse_yuan(yuan, out))
			return cli_usage(cli,
				"--%s must be an amount in yuan like 1234.50",
				name);
		return CLI_GO;
	}
	if (fen)
		return cli_int(cli, fen_name, fen, -YB_MONEY_MAX, YB_MONEY_MAX,
			       out);
	if (required)
		return cli_usage(cli, "--%s (yuan) or %s is required", name,
				 fen_name);
	return CLI_GO;
}

int cli_read_file(const char *path, char **out, yb_err *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = -1;

	if (!f)
		return yb_errf(err, "usage", "cannot read %s: %s", path,
			       strerror(errno));
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			char *nb = realloc(buf, cap);
			if (!nb) {
				yb_errf(err, "out_of_memory", "reading %s", path);
				goto out;
			}
			buf = nb;
		}
		size_t got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		yb_errf(err, "usage", "cannot read %s: %s", path,
			strerror(errno));
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (f != stdin)
		fclose(f);
	return rc;
}

int cli_settings(yb_cli *cli)
{
	const char *path = cli->config_path ? cli->config_path
					    : getenv("YIBAO_CONFIG");
	char *text = NULL;
	yb_err err;
	int rc = CLI_GO;

	if (cli->settings_loaded)
		return CLI_GO;
	yb_settings_defaults(&cli->settings);
	if (path && *path) {
		if (cli_read_file(path, &text, &err) < 0 ||
		    yb_settings_parse(&cli->settings, text, &err) < 0) {
			rc = cli_fail(cli, &err);
			goto out;
		}
	}
	cli->settings_loaded = true;
out:
	free(text);
	return rc;
}

const char *cli_sqlite_path(const char *url)
{
	if (strncmp(url, "postgresql://", 13) == 0 ||
	    strncmp(url, "postgres://", 11) == 0 || strncmp(url, "pg:", 3) == 0)
		return NULL;
	if (strncmp(url, "sqlite:", 7) == 0)
		url += 7;
	else if (strncmp(url, "file:", 5) == 0)
		url += 5;
	if (strcmp(url, ":memory:") == 0)
		return NULL;
	return url;
}

int cli_prepare_db_dir(yb_cli *cli)
{
	const char *path = cli_sqlite_path(cli->db_url);
	char dir[4096];
	char *slash;

	if (!path)
		return CLI_GO;
	if (strlen(path) >= sizeof dir)
		return cli_usage(cli, "database path too long");
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return CLI_GO;
	*slash = '\0';
	/* mkdir -p: each prefix in turn; existing ones are fine. */
	for (char *p = dir + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char keep = *p;
			*p = '\0';
			if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
				fprintf(stderr, "error: usage: cannot make %s: %s\n",
					dir, strerror(errno));
				return CLI_USAGE;
			}
			*p = keep;
			if (!keep)
				break;
		}
	}
	return CLI_GO;
}

int cli_open(yb_cli *cli)
{
	yb_err err;
	int rc;

	if (cli->store)
		return CLI_GO;
	if ((rc = cli_settings(cli)) != CLI_GO)
		return rc;
	if ((rc = cli_prepare_db_dir(cli)) != CLI_GO)
		return rc;
	if (yb_store_open(cli->db_url, &cli->store, &err) < 0)
		return cli_fail(cli, &err);
	cli->ctx.store = cli->store;
	cli->ctx.settings = &cli->settings;
	cli->ctx.clock = yb_clock_system();
	return CLI_GO;
}

void cli_act_as_institution(yb_cli *cli, const char *code)
{
	yb_actor *a = &cli->ctx.actor;

	memset(a, 0, sizeof *a);
	a->role = YB_ROLE_INSTITUTION;
	a->channel = YB_CHAN_API;
	snprintf(a->id, sizeof a->id, "cli:institution:%s", code);
	snprintf(a->institution_code, sizeof a->institution_code, "%s", code);
}
