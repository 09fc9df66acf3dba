/*
 * cmd_init.c — `yibao init`, `yibao calendar` and `yibao backup`: making
 * the database ready and keeping the data it needs besides the register
 * (the working-day calendar, SPEC C3b) and its copies.
 */
#include "cli/cli.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "service/card.h"

#ifndef YB_DATA_DIR
#define YB_DATA_DIR "data"
#endif

/* Parse one calendar file into *y. */
static int read_calendar(const char *path, yb_calendar_year *y, yb_err *err)
{
	char *text = NULL;
	int rc = -1;

	if (cli_read_file(path, &text, err) < 0)
		goto out;
	if (yb_calendar_parse_year(text, y, err) < 0) {
		/* Say which file: the parser names only the line. */
		char msg[YB_ERR_MSG_MAX];
		snprintf(msg, sizeof msg, "%s", err->message);
		yb_errf(err, err->code, "%s: %s", path, msg);
		goto out;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

int cli_load_calendars(yb_cli *cli, const char *dir, json_t *loaded,
		       yb_err *err)
{
	char pattern[4096];
	glob_t g;
	int rc = -1;

	snprintf(pattern, sizeof pattern, "%s/calendar-*.txt", dir);
	memset(&g, 0, sizeof g);
	if (glob(pattern, 0, NULL, &g) != 0) {
		rc = 0;                 /* no calendar files: nothing to load */
		goto out;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		yb_calendar_year y, have;
		int found;
		if (read_calendar(g.gl_pathv[i], &y, err) < 0)
			goto out;
		/* A year already loaded may carry the agency's own edits. */
		found = yb_calendar_get(&cli->ctx, y.year, &have, err);
		if (found < 0)
			goto out;
		if (found)
			continue;
		if (yb_calendar_put(&cli->ctx, &y, err) < 0)
			goto out;
		json_array_append_new(loaded, json_integer(y.year));
	}
	rc = 0;
out:
	globfree(&g);
	return rc;
}

static const char init_help[] =
	"usage: yibao init [--data-dir DIR]\n"
	"\n"
	"Create the database, or migrate it to the current schema, and load\n"
	"every working-day calendar DIR/calendar-YYYY.txt whose year is not\n"
	"loaded yet (SPEC C3b).  Idempotent: running it again changes nothing.\n"
	"\n"
	"Options:\n"
	"  --data-dir DIR  where the shipped calendars are (default: the\n"
	"                  source tree's data/, " YB_DATA_DIR ")\n"
	"\n"
	"Examples:\n"
	"  yibao init\n"
	"  yibao --db /srv/yibao/yibao.db init --data-dir /usr/share/yibao\n";

int cmd_init(yb_cli *cli, int argc, char **argv)
{
	const char *data_dir = NULL;
	const cli_opt opts[] = {
		{ "data-dir", CLI_OPT_STR, &data_dir, false },
		{ NULL, 0, NULL, false },
	};
	struct stat sb;
	json_t *loaded = NULL;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, init_help, 0, 0,
			    NULL)) != CLI_GO)
		return rc;
	if (data_dir && stat(data_dir, &sb) < 0)
		return cli_usage(cli, "no directory %s", data_dir);
	if ((rc = cli_open(cli)) != CLI_GO)
		return rc;
	loaded = json_array();
	if (cli_load_calendars(cli, data_dir ? data_dir : YB_DATA_DIR, loaded,
			       &err) < 0) {
		json_decref(loaded);
		return cli_fail(cli, &err);
	}
	return cli_emit(cli, json_pack("{s:s, s:s, s:o}", "database", cli->db_url,
				"engine", cli->store->ops->name,
				"calendars_loaded", loaded));
}

/* --- calendar ------------------------------------------------------------ */

static const char cal_load_help[] =
	"usage: yibao calendar load FILE\n"
	"\n"
	"Load (or replace) one year of the working-day calendar from a file of\n"
	"lines 'year YYYY', 'holiday YYYY-MM-DD' and 'workday YYYY-MM-DD'\n"
	"(adjusted working weekends).  SPEC C3b.\n"
	"\n"
	"Example:\n"
	"  yibao calendar load data/calendar-2026.txt\n";

static int cal_load(yb_cli *cli, int argc, char **argv)
{
	yb_calendar_year y;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, NULL, cal_load_help, 1, 1,
				 &pos)) != CLI_GO)
		return rc;
	if (read_calendar(pos[0], &y, &err) < 0 ||
	    yb_calendar_put(&cli->ctx, &y, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_calendar(&y));
}

static const char cal_show_help[] =
	"usage: yibao calendar show YEAR\n"
	"\n"
	"Show a loaded year: its public holidays and adjusted working days.\n"
	"Refused with calendar.year_not_loaded for a year not loaded.\n"
	"\n"
	"Example:\n"
	"  yibao calendar show 2026\n";

static int cal_show(yb_cli *cli, int argc, char **argv)
{
	yb_calendar_year y;
	int64_t year;
	char **pos;
	yb_err err;
	int rc, found;

	if ((rc = cli_parse(cli, argc, argv, NULL, cal_show_help, 1, 1,
			    &pos)) != CLI_GO)
		return rc;
	if ((rc = cli_int(cli, "YEAR", pos[0], 1800, 9999, &year)) != CLI_GO)
		return rc;
	if ((rc = cli_open(cli)) != CLI_GO)
		return rc;
	found = yb_calendar_get(&cli->ctx, (int)year, &y, &err);
	if (found < 0)
		return cli_fail(cli, &err);
	if (!found) {
		yb_errf(&err, "calendar.year_not_loaded",
			"the calendar of %d is not loaded", (int)year);
		return cli_fail(cli, &err);
	}
	return cli_emit(cli, yb_json_calendar(&y));
}

static const cli_cmd calendar_cmds[] = {
	{ "load", cal_load, "load or replace a year from a file" },
	{ "show", cal_show, "show a loaded year" },
	{ NULL, NULL, NULL },
};

int cmd_calendar(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, calendar_cmds,
		"usage: yibao calendar <load|show> ...\n"
		"\n"
		"The working-day calendar (Monday-Friday, minus public holidays,\n"
		"plus adjusted working weekends) that promises service-point cards.\n");
}

/* --- backup ---------------------------------------------------------------- */

static const char backup_help[] =
	"usage: yibao backup DEST\n"
	"\n"
	"Copy the SQLite database to the file DEST while it is in use (SQLite\n"
	"online backup: readers and writers go on meanwhile).  For PostgreSQL\n"
	"use pg_dump.\n"
	"\n"
	"Example:\n"
	"  yibao --db var/yibao.db backup /backup/yibao-$(date +%F).db\n";

int cmd_backup(yb_cli *cli, int argc, char **argv)
{
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, NULL, backup_help, 1, 1,
				 &pos)) != CLI_GO)
		return rc;
	if (yb_sqlite_backup(cli->store, pos[0], &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, json_pack("{s:s, s:s}", "database", cli->db_url,
				"backup", pos[0]));
}

/* The file behind a SQLite store URL ("sqlite:PATH", "sqlite://PATH" or a
 * plain path). */
static const char *sqlite_path_of(const char *url)
{
	if (strncmp(url, "sqlite://", 9) == 0)
		return url + 9;
	if (strncmp(url, "sqlite:", 7) == 0)
		return url + 7;
	return url;
}

static const char restore_help[] =
	"usage: yibao restore BACKUP\n"
	"\n"
	"Replace the SQLite database (--db) with the contents of the backup file\n"
	"BACKUP, made by `yibao backup`.  Stop the server first; afterwards\n"
	"`yibao ledger check` and `yibao audit verify` confirm the result.\n"
	"\n"
	"Example:\n"
	"  yibao --db var/yibao.db restore /backup/yibao-2026-11-21.db\n";

int cmd_restore(yb_cli *cli, int argc, char **argv)
{
	char **pos;
	yb_store *backup = NULL;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, NULL, restore_help, 1, 1,
			    &pos)) != CLI_GO)
		return rc;
	if (strcmp(yb_store_engine_of(cli->db_url), "sqlite") != 0)
		return cli_usage(cli, "restore is for SQLite; for PostgreSQL "
				 "use pg_restore (docs/POSTGRESQL.md)");
	if (access(pos[0], R_OK) != 0)
		return cli_usage(cli, "cannot read %s", pos[0]);
	/* The backup API copies whole pages through SQLite, so the target's
	 * WAL and locks are handled as for any writer. */
	if (yb_sqlite_open(pos[0], &backup, &err) < 0 ||
	    yb_sqlite_backup(backup, sqlite_path_of(cli->db_url), &err) < 0) {
		yb_store_close(backup);
		return cli_fail(cli, &err);
	}
	yb_store_close(backup);
	return cli_emit(cli, json_pack("{s:s, s:s}", "database", cli->db_url,
				"restored_from", pos[0]));
}

static const char migrate_help[] =
	"usage: yibao migrate --to POSTGRESQL_URL\n"
	"\n"
	"Copy the whole SQLite database (--db) into an empty PostgreSQL\n"
	"database, in one transaction: all rows or none.  Ids are kept.  Then\n"
	"run the server with --db POSTGRESQL_URL.\n"
	"\n"
	"Example:\n"
	"  yibao --db var/yibao.db migrate --to postgresql://yibao@db/yibao\n";

int cmd_migrate(yb_cli *cli, int argc, char **argv)
{
	const char *to = NULL;
	const cli_opt opts[] = {
		{ "to", CLI_OPT_STR, &to, true },
		{ NULL, 0, NULL, false },
	};
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, migrate_help, 0, 0,
			    NULL)) != CLI_GO)
		return rc;
	if (strcmp(yb_store_engine_of(cli->db_url), "sqlite") != 0)
		return cli_usage(cli, "--db must name the SQLite database to copy");
	if (yb_store_migrate_to_pg(sqlite_path_of(cli->db_url), to, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, json_pack("{s:s, s:s}", "from", cli->db_url, "to", to));
}
