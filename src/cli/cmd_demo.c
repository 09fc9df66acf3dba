/*
 * cmd_demo.c — `yibao demo seed`: the demonstration data behind
 * `make run`.
 *
 * A family of four in Shenzhen (father and mother insured as employees,
 * tier 1, with funded personal accounts; their child and the father's
 * mother as residents, without accounts), an employer, a hospital and a
 * pharmacy, activated cards for everyone, portal passwords and one API
 * key per kind of caller.  Everything goes through the same service calls
 * an operator would make, so the demo database is an ordinary one.
 *
 * Idempotent: a marker in the store's metadata says the seed completed;
 * until then every step tolerates what an interrupted earlier run already
 * made (duplicates are skipped), so running it again finishes the job.
 * API keys are random and shown once, so they are written (mode 0600) to
 * the credentials file beside the database for the demo script to show.
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/idnum.h"
#include "service/auth.h"
#include "service/card.h"
#include "service/health.h"
#include "service/ledger.h"
#include "service/person.h"
#include "service/settle.h"

#ifndef YB_DATA_DIR
#define YB_DATA_DIR "data"
#endif

#define DEMO_EMPLOYER  "E440300001"
#define DEMO_HOSPITAL  "H440300001"
#define DEMO_PHARMACY  "P440300001"
#define DEMO_MONTHS    10

typedef struct demo_person {
	const char *ssn;
	const char *id17;                /* the check character is computed */
	const char *name;
	const char *scheme;
	const char *employer;
	const char *family_role;
	int64_t base_fen;                /* monthly contribution base, 0 = none */
	/* records (R3, R4): the month (counted back from this one) her
	 * employer did not pay, 0 = none: a gap and arrears to show */
	int unpaid;
} demo_person;

static const demo_person family[] = {
	{ "600000001", "44030519780315001", "李建国", "employee_tier1",
	  DEMO_EMPLOYER, "father", 1200000, 0 },
	{ "600000002", "44030519800722002", "王秀英", "employee_tier1",
	  DEMO_EMPLOYER, "mother", 800000, 3 },
	{ "600000003", "44030520120901003", "李小明", "resident", NULL,
	  "child", 0, 0 },
	{ "600000004", "44030519500210004", "张桂兰", "resident", NULL,
	  "grandmother (father's mother)", 0, 0 },
};

static const struct {
	const char *code, *name, *type;
} institutions[] = {
	{ DEMO_HOSPITAL, "深圳市示范人民医院", "hospital" },
	{ DEMO_PHARMACY, "示范大药房", "pharmacy" },
};

static const struct {
	const char *role, *institution, *employer, *label;
} keys[] = {
	{ "institution", DEMO_HOSPITAL, NULL, "demo hospital HIS" },
	{ "institution", DEMO_PHARMACY, NULL, "demo pharmacy POS" },
	{ "terminal", NULL, NULL, "demo self-service terminal" },
	{ "hospital_office", NULL, NULL, "demo hospital insurance office" },
	{ "agency_window", NULL, NULL, "demo agency window" },
	{ "employer", NULL, DEMO_EMPLOYER, "demo employer HR" },
	{ "admin", NULL, NULL, "demo administrator" },
};

/* An error an interrupted earlier run explains: the thing exists. */
static bool already_there(const yb_err *err)
{
	return err->kind == YB_ECONFLICT;
}

/* Register one family member, fund his account, give him a live card. */
static int seed_person(yb_cli *cli, const demo_person *d, char *id_number,
		       const char *password, yb_err *err)
{
	yb_person_new in = {
		.ssn = d->ssn, .id_number = id_number, .name = d->name,
		.scheme = d->scheme, .employer_code = d->employer,
	};
	yb_card_apply_req apply = { .ssn = d->ssn, .route = "center" };
	yb_card_application app;
	yb_person_view v;
	yb_person p;
	yb_card card = { 0 };
	int y, m, day;

	snprintf(id_number, YB_IDNUM_SZ, "%s%c", d->id17,
		 yb_idnum_check_char(d->id17));
	if (yb_person_register(&cli->ctx, &in, &p, err) < 0 &&
	    !already_there(err))
		return -1;

	/* The last DEMO_MONTHS months before this one: 6% employer, 2%
	 * personal, 3.5% of the base credited to the personal account. */
	yb_date_to_ymd(yb_ctx_today(&cli->ctx), &y, &m, &day);
	for (int i = DEMO_MONTHS; d->base_fen && i >= 1; i--) {
		int mm = m - i, yy = y;
		char period[32];
		while (mm < 1) {
			mm += 12;
			yy--;
		}
		if (i == d->unpaid)
			continue;
		snprintf(period, sizeof period, "%04d-%02d", yy, mm);
		yb_contribution_new c = {
			.ssn = d->ssn, .period = period,
			.employer_code = d->employer,
			.base_fen = d->base_fen,
			.employer_fen = d->base_fen * 6 / 100,
			.personal_fen = d->base_fen * 2 / 100,
			.account_credit_fen = d->base_fen * 35 / 1000,
		};
		yb_contribution out;
		if (yb_contribution_post(&cli->ctx, &c, &out, err) < 0 &&
		    !already_there(err))
			return -1;
	}

	if (yb_card_apply(&cli->ctx, &apply, &app, &card, err) < 0) {
		if (!already_there(err))
			return -1;
		if (yb_person_get(&cli->ctx, d->ssn, &v, err) < 0)
			return -1;
		card = v.card;
	}
	if (!card.activated &&
	    yb_card_activate(&cli->ctx, card.card_no, &card, err) < 0)
		return -1;
	return yb_person_set_password(&cli->ctx, d->ssn, password, err);
}

/* The family, each with his login in `logins`. */
static int seed_family(yb_cli *cli, const char *password, json_t *logins,
		       yb_err *err)
{
	for (size_t i = 0; i < sizeof family / sizeof family[0]; i++) {
		char idn[YB_IDNUM_SZ];
		if (seed_person(cli, &family[i], idn, password, err) < 0)
			return -1;
		json_array_append_new(logins, json_pack("{s:s, s:s, s:s, s:s, s:s}",
			"family", family[i].family_role,
			"name", family[i].name,
			"ssn", family[i].ssn,
			"id_number", idn,
			"password", password));
	}
	return 0;
}

static int seed_institutions(yb_cli *cli, yb_err *err)
{
	for (size_t i = 0; i < sizeof institutions / sizeof institutions[0]; i++) {
		yb_institution inst;
		if (yb_institution_register(&cli->ctx, institutions[i].code,
					    institutions[i].name,
					    institutions[i].type, &inst,
					    err) < 0 && !already_there(err))
			return -1;
	}
	return 0;
}

/* A new key per kind of caller, each shown once: into `keyl`. */
static int seed_keys(yb_cli *cli, json_t *keyl, yb_err *err)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		char key[YB_TOKEN_SZ];
		yb_api_key k;
		if (yb_apikey_create(&cli->ctx, keys[i].role, keys[i].institution,
				     keys[i].employer, keys[i].label, key, &k,
				     err) < 0)
			return -1;
		json_array_append_new(keyl, json_pack("{s:s, s:s, s:o, s:o, s:s}",
			"role", keys[i].role, "label", keys[i].label,
			"institution_code", yb_jstr_or_null(keys[i].institution),
			"employer_code", yb_jstr_or_null(keys[i].employer),
			"key", key));
	}
	return 0;
}

/* Where the credentials go: --credentials, else beside a SQLite
 * database, else var/. */
static void credentials_path(yb_cli *cli, const char *given, char *buf,
			     size_t size)
{
	const char *db = cli_sqlite_path(cli->db_url);
	const char *slash = db ? strrchr(db, '/') : NULL;

	if (given)
		snprintf(buf, size, "%s", given);
	else if (!db)
		snprintf(buf, size, "var/demo-credentials.json");
	else if (!slash)
		snprintf(buf, size, "demo-credentials.json");
	else
		snprintf(buf, size, "%.*s/demo-credentials.json",
			 (int)(slash - db), db);
}

static int write_credentials(const char *path, json_t *doc, yb_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FILE *f;

	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return yb_errf(err, "usage", "cannot write %s: %s", path,
			       strerror(errno));
	}
	json_dumpf(doc, f, JSON_INDENT(2));
	fputc('\n', f);
	if (fclose(f) != 0)
		return yb_errf(err, "usage", "cannot write %s: %s", path,
			       strerror(errno));
	return 0;
}

static const char seed_help[] =
	"usage: yibao demo seed [--data-dir DIR] [--credentials FILE] [--password PW]\n"
	"\n"
	"Load the demonstration data (idempotent: nothing happens once seeded):\n"
	"the working-day calendars found in DIR, an employer, a family of four\n"
	"(father and mother employee_tier1 with funded accounts, a child and a\n"
	"grandmother as residents), activated cards, a hospital and a pharmacy,\n"
	"portal passwords and an API key for each institution, terminal,\n"
	"hospital_office, agency_window, employer and admin.\n"
	"\n"
	"The logins and keys are printed and written to FILE (default\n"
	"demo-credentials.json beside the database, mode 0600).\n"
	"\n"
	"Options:\n"
	"  --data-dir DIR      calendars (default " YB_DATA_DIR ")\n"
	"  --credentials FILE  where to write the logins and keys\n"
	"  --password PW       the family's portal password (default yibao-demo)\n"
	"\n"
	"Example:\n"
	"  yibao --db var/yibao.db demo seed\n";

static int demo_seed(yb_cli *cli, int argc, char **argv)
{
	const char *data_dir = YB_DATA_DIR, *cred_file = NULL,
		   *password = "yibao-demo";
	const cli_opt opts[] = {
		{ "data-dir", CLI_OPT_STR, &data_dir, false },
		{ "credentials", CLI_OPT_STR, &cred_file, false },
		{ "password", CLI_OPT_STR, &password, false },
		{ NULL, 0, NULL, false },
	};
	char path[4096];
	json_t *doc = NULL, *cals, *logins, *keyl;
	bool seeded = false;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, opts, seed_help, 0, 0,
				 NULL)) != CLI_GO)
		return rc;
	credentials_path(cli, cred_file, path, sizeof path);
	if (yb_demo_seeded(&cli->ctx, &seeded, &err) < 0)
		return cli_fail(cli, &err);
	if (seeded) {
		return cli_emit(cli, json_pack("{s:b, s:s, s:s}", "seeded", 0,
			"message", "the demo data is already loaded",
			"credentials_file", path));
	}

	cals = json_array();
	logins = json_array();
	keyl = json_array();
	doc = json_pack("{s:b, s:o, s:o, s:o, s:s}", "seeded", 1,
			"calendars_loaded", cals, "logins", logins, "keys", keyl,
			"portal_password_note", "log in with the SSN or the ID number");
	if (cli_load_calendars(cli, data_dir, cals, &err) < 0)
		goto fail;
	yb_employer emp;
	if (yb_employer_register(&cli->ctx, DEMO_EMPLOYER, "深圳示范科技有限公司",
				 &emp, &err) < 0 && !already_there(&err))
		goto fail;
	if (seed_family(cli, password, logins, &err) < 0 ||
	    seed_institutions(cli, &err) < 0 ||
	    seed_keys(cli, keyl, &err) < 0)
		goto fail;
	if (write_credentials(path, doc, &err) < 0 ||
	    yb_demo_mark_seeded(&cli->ctx, &err) < 0)
		goto fail;
	json_object_set_new(doc, "credentials_file", json_string(path));
	return cli_emit(cli, doc);
fail:
	json_decref(doc);
	return cli_fail(cli, &err);
}

static const char show_help[] =
	"usage: yibao demo show [--credentials FILE]\n"
	"\n"
	"Print the demo logins and API keys that 'demo seed' wrote (default\n"
	"demo-credentials.json beside the database).\n"
	"\n"
	"Example:\n"
	"  yibao --db var/yibao.db demo show\n";

static int demo_show(yb_cli *cli, int argc, char **argv)
{
	const char *cred_file = NULL;
	const cli_opt opts[] = {
		{ "credentials", CLI_OPT_STR, &cred_file, false },
		{ NULL, 0, NULL, false },
	};
	char path[4096];
	json_error_t jerr;
	json_t *doc;
	yb_err err;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, show_help, 0, 0,
			    NULL)) != CLI_GO)
		return rc;
	credentials_path(cli, cred_file, path, sizeof path);
	doc = json_load_file(path, 0, &jerr);
	if (!doc) {
		yb_errf(&err, "usage", "cannot read %s: %s (run 'yibao demo seed')",
			path, jerr.text);
		return cli_fail(cli, &err);
	}
	/* Only what a visitor needs: who can log in, with which key. */
	rc = cli_emit(cli, json_pack("{s:O, s:O}",
				"logins", json_object_get(doc, "logins"),
				"keys", json_object_get(doc, "keys")));
	json_decref(doc);
	return rc;
}

static const cli_cmd demo_cmds[] = {
	{ "seed", demo_seed, "load the demonstration data (idempotent)" },
	{ "show", demo_show, "print the demo logins and keys" },
	{ NULL, NULL, NULL },
};

int cmd_demo(yb_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, argc, argv, demo_cmds,
		"usage: yibao demo <seed|show>\n"
		"\n"
		"Demonstration data for trying the portal and the API (make run).\n");
}
