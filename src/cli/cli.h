/*
 * cli.h — what the files of the `yibao` command share: the invocation
 * state, the option parser, the output helpers and the table of commands.
 *
 * The command line is a thin edge over the service library (as git's
 * builtin/): each `cmd_<verb>()` parses its arguments, calls one service
 * function, renders the answer as text or JSON and picks the exit code.
 * Only this layer prints or chooses exit codes; the library below never
 * does.
 *
 * Exit codes: 0 done, 1 refused (any yb_err from the services except
 * "usage"), 2 usage error (bad arguments).
 */
#ifndef YB_CLI_H
#define YB_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "core/err.h"
#include "core/model.h"
#include "core/settings.h"
#include "render/json.h"
#include "service/ctx.h"
#include "store/store.h"

enum {
	CLI_OK = 0,
	CLI_REFUSED = 1,
	CLI_USAGE = 2,
	/* Not an exit code: cli_parse() says "go on with the command". */
	CLI_GO = -1,
};

/* One invocation: the global options and what is opened lazily. */
typedef struct yb_cli {
	const char *db_url;              /* --db, $YIBAO_DB, ./var/yibao.db */
	const char *config_path;         /* --config, $YIBAO_CONFIG, or NULL */
	bool json;                       /* --json: JSON on stdout */
	bool settings_loaded;
	yb_settings settings;
	yb_store *store;                 /* opened by cli_open() */
	yb_ctx ctx;                      /* actor yb_actor_cli() by default */
	char cmd[64];                    /* "person add", for messages */
} yb_cli;

/* --- commands ------------------------------------------------------------ */

typedef int (*cli_fn)(yb_cli *cli, int argc, char **argv);

typedef struct cli_cmd {
	const char *name;
	cli_fn fn;
	const char *summary;             /* one line, for the family's help */
} cli_cmd;

/*
 * A family of subcommands (`person add|show|...`): argv[0] is the family,
 * argv[1] the subcommand.  `--help` (or no subcommand) prints `help` and
 * the table's summaries.
 */
int cli_dispatch(yb_cli *cli, int argc, char **argv, const cli_cmd *table,
		 const char *help);

int cmd_init(yb_cli *cli, int argc, char **argv);
int cmd_backup(yb_cli *cli, int argc, char **argv);
int cmd_restore(yb_cli *cli, int argc, char **argv);
int cmd_migrate(yb_cli *cli, int argc, char **argv);
int cmd_calendar(yb_cli *cli, int argc, char **argv);
int cmd_person(yb_cli *cli, int argc, char **argv);
int cmd_employer(yb_cli *cli, int argc, char **argv);
int cmd_import(yb_cli *cli, int argc, char **argv);
int cmd_contribution(yb_cli *cli, int argc, char **argv);
int cmd_ledger(yb_cli *cli, int argc, char **argv);
int cmd_audit(yb_cli *cli, int argc, char **argv);
int cmd_card(yb_cli *cli, int argc, char **argv);
int cmd_ecert(yb_cli *cli, int argc, char **argv);
int cmd_key(yb_cli *cli, int argc, char **argv);
int cmd_nhsa(yb_cli *cli, int argc, char **argv);   /* nhsa gateway */
int cmd_serve(yb_cli *cli, int argc, char **argv);
int cmd_routes(yb_cli *cli, int argc, char **argv);
int cmd_demo(yb_cli *cli, int argc, char **argv);
int cmd_bind(yb_cli *cli, int argc, char **argv);
/* family: `bind cap` (cmd_family.c, E2) */
int cmd_bind_cap(yb_cli *cli, int argc, char **argv);
int cmd_institution(yb_cli *cli, int argc, char **argv);
int cmd_settle(yb_cli *cli, int argc, char **argv);
int cmd_offline(yb_cli *cli, int argc, char **argv);
int cmd_reconcile(yb_cli *cli, int argc, char **argv);
int cmd_inquire(yb_cli *cli, int argc, char **argv);
int cmd_webhook(yb_cli *cli, int argc, char **argv);   /* notify (E3) */
/* records and proofs (R1–R4, cmd_records.c) */
int cmd_statement(yb_cli *cli, int argc, char **argv);
int cmd_proof(yb_cli *cli, int argc, char **argv);
int cmd_gaps(yb_cli *cli, int argc, char **argv);
int cmd_arrears(yb_cli *cli, int argc, char **argv);

/* What an operator channel needs beside the authorizer's identity. */
typedef struct cli_desk {
	char ssn[YB_SSN_SZ];
	char id_number[YB_IDNUM_SZ];
	const char *channel;
	const char *authorizer_card;
	const char *relative_card;
	const char *relative_id_card;
} cli_desk;

/*
 * cmd_bind.c: fill `req` for an operator channel (who->channel): act in
 * that channel's role, with its materials all presented (F5).  The
 * authorizer is "SSN" or "SSN:ID"; the ID number, when left out, is taken
 * from the register (the operator has the ID card in hand).  Opens the
 * store.  CLI_GO, or an exit code.
 */
struct yb_bind_req;
int cli_desk_request(yb_cli *cli, const char *authorizer, cli_desk *who,
		     struct yb_bind_req *req);
/* family: `premium` (cmd_premium.c, E1) */
int cmd_premium(yb_cli *cli, int argc, char **argv);

/* A person's bindings both ways (bind list, inquire ... bindings). */
int cli_show_bindings(yb_cli *cli, const char *ssn);

/* --- options --------------------------------------------------------------- */

typedef enum { CLI_OPT_STR, CLI_OPT_FLAG, CLI_OPT_LIST } cli_opt_kind;

#define CLI_LIST_MAX 16

/* A repeatable option (`--relative A --relative B`). */
typedef struct cli_list {
	int n;
	const char *v[CLI_LIST_MAX];
} cli_list;

typedef struct cli_opt {
	const char *name;                /* long name without "--" */
	cli_opt_kind kind;
	void *dest;                      /* const char ** | bool * | cli_list * */
	bool required;                   /* a usage error when left out */
} cli_opt;

/*
 * Parse a command's arguments (argv[0] is the command's own name).  Long
 * options only, in any order with the positional arguments; every command
 * also takes --help, --json, --db and --config.  The positional arguments
 * (between min_pos and max_pos of them) are left in *pos, pointing into
 * argv; `pos` may be NULL when max_pos is 0.  Returns CLI_GO to go on, or
 * the exit code to return at once (CLI_OK after printing --help,
 * CLI_USAGE after reporting a bad or missing argument).  `opts` may be
 * NULL, or ends with a zeroed entry.
 */
int cli_parse(yb_cli *cli, int argc, char **argv, const cli_opt *opts,
	      const char *help, int min_pos, int max_pos, char ***pos);

/* cli_parse(), then cli_open(): what most commands begin with. */
int cli_parse_open(yb_cli *cli, int argc, char **argv, const cli_opt *opts,
		   const char *help, int min_pos, int max_pos, char ***pos);

/* Report a usage error on stderr and return CLI_USAGE. */
int cli_usage(yb_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Report a refusal ("error: <code>: <message>" on stderr, and the error
 * object on stdout with --json) and return its exit code: CLI_USAGE for
 * the code "usage", CLI_REFUSED for any other.
 */
int cli_fail(yb_cli *cli, const yb_err *err);

/*
 * An amount given either in yuan (`--total 300.00`) or in fen
 * (`--total-fen 30000`): at most one of the two; `required` when neither
 * may be left out (else *out = 0).  Returns CLI_GO or CLI_USAGE.
 */
int cli_money(yb_cli *cli, const char *name, const char *yuan,
	      const char *fen, bool required, int64_t *out);

/* A whole number in [min, max] for option `name`: CLI_GO or CLI_USAGE. */
int cli_int(yb_cli *cli, const char *name, const char *s, int64_t min,
	    int64_t max, int64_t *out);

/* --limit (default 20, 1..500) and --before (a cursor id; 0 = newest). */
int cli_page(yb_cli *cli, const char *limit_s, const char *before_s,
	     int *limit, yb_id *before);

/* --- opening the database ---------------------------------------------- */

/* Load the settings (once): defaults, then --config / $YIBAO_CONFIG. */
int cli_settings(yb_cli *cli);

/* The file path of a SQLite database URL, NULL for PostgreSQL/memory. */
const char *cli_sqlite_path(const char *url);

/*
 * Make the directory of a SQLite database path if it is missing (the
 * default ./var/yibao.db must work in a fresh checkout).
 */
int cli_prepare_db_dir(yb_cli *cli);

/* Open the store (migrating it) and set up cli->ctx: CLI_GO or 1/2. */
int cli_open(yb_cli *cli);

/* Act as a designated institution (settlement commands, channel api). */
void cli_act_as_institution(yb_cli *cli, const char *code);

/*
 * Load every DIR/calendar-*.txt whose year is not loaded yet (init, demo
 * seed); the years loaded are appended to `loaded`.  A missing directory
 * or no files is not an error.
 */
int cli_load_calendars(yb_cli *cli, const char *dir, json_t *loaded,
		       yb_err *err);

/* Read a whole file ("-" = stdin) into a NUL-terminated malloc'd buffer. */
int cli_read_file(const char *path, char **out, yb_err *err);

/* --- output ------------------------------------------------------------------ */

/*
 * Print an answer and release it: with --json as indented JSON, otherwise
 * as aligned "field  value" lines (arrays of objects as tables; fields
 * ending in _fen shown as yuan, "¥1,234.50").  Takes the reference.
 * Returns CLI_OK, or, when obj is NULL (rendering ran out of memory),
 * reports out_of_memory as any refusal and returns CLI_REFUSED.
 */
int cli_emit(yb_cli *cli, json_t *obj);

/* Print a line of plain text, unless --json (which prints nothing). */
void cli_note(yb_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "¥1,234.50" (and "-¥3.07") into buf (≥ 40 bytes). */
char *cli_yuan(int64_t fen, char *buf, size_t size);

/* --- rendering records as JSON ------------------------------------------- */

/*
 * Records are rendered by the one renderer every edge uses
 * (render/json.h), so `--json` answers the API's objects and the tables
 * show the same fields.  The reader is the agency's operator at the
 * machine itself, who sees every name and ID number in full (Q3 masks
 * them for others; names the API masks for every reader stay masked).
 */
#define CLI_VIEWER (&yb_viewer_operator)

/* {"items": [...]} of n records with a yb_json_item_fn. */
#define CLI_RENDER_LIST(items, n, fn) \
	yb_json_items(CLI_VIEWER, (items), sizeof *(items), (n), (fn))

#endif
