/*
 * testdb.c — a fresh store per test (testdb.h).
 *
 * SQLite: a new file from mkstemp in $TMPDIR (or /tmp), opened as
 * "sqlite:PATH"; freeing closes it and removes the file with its -wal and
 * -shm companions.  PostgreSQL: delegated to testdb_pg.c, which makes and
 * drops a database on the throwaway server.
 *
 * Failures abort the test program: a test without its database has
 * nothing meaningful to report.
 */
#include "testdb.h"

#include "core/hash.h"

#include <sqlite3.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* From testdb_pg.c.  yb_test_pg_new: a new migrated store on a fresh
 * database; url_out (size ≥ 512, never NULL here) receives its URL; aborts
 * on failure.  yb_test_pg_free: closes the store and drops its database. */
yb_store *yb_test_pg_new(char *url_out);
void yb_test_pg_free(yb_store *st);
void yb_test_pg_exec(const char *url, const char *sql);

#define URL_SZ 512

/* The SQLite files made here, to remove when their store is freed. */
struct testdb_file {
	yb_store *st;
	char path[URL_SZ - 16];
	struct testdb_file *next;
};

static struct testdb_file *files;
static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "testdb: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

const char *yb_test_engine(void)
{
	const char *e = getenv("YB_TEST_ENGINE");

	if (!e || !*e || strcmp(e, "sqlite") == 0)
		return "sqlite";
	if (strcmp(e, "pg") == 0)
		return "pg";
	die("YB_TEST_ENGINE must be sqlite or pg, not", e);
	return NULL;
}

static yb_store *sqlite_new(char *url_out)
{
	const char *dir = getenv("TMPDIR");
	struct testdb_file *f = calloc(1, sizeof *f);
	char url[URL_SZ];
	yb_err err;
	int fd;

	if (!f)
		die("out of memory", NULL);
	if (!dir || !*dir)
		dir = "/tmp";
	if (snprintf(f->path, sizeof f->path, "%s/yb-test-XXXXXX.db", dir) >=
	    (int)sizeof f->path)
		die("TMPDIR is too long", dir);
	fd = mkstemps(f->path, 3);
	if (fd < 0)
		die("cannot make a temporary database file in", dir);
	close(fd);
	/* The empty file mkstemps left is a valid, empty SQLite database. */
	snprintf(url, sizeof url, "sqlite:%s", f->path);
	yb_err_clear(&err);
	if (yb_store_open(url, &f->st, &err) < 0)
		die("cannot open the test database", err.message);
	if (url_out)
		snprintf(url_out, URL_SZ, "%s", url);
	pthread_mutex_lock(&files_lock);
	f->next = files;
	files = f;
	pthread_mutex_unlock(&files_lock);
	return f->st;
}

yb_store *yb_test_store_new(char *url_out)
{
	char url[URL_SZ];

	if (strcmp(yb_test_engine(), "pg") == 0) {
		yb_store *st = yb_test_pg_new(url);

		if (url_out)
			snprintf(url_out, URL_SZ, "%s", url);
		return st;
	}
	return sqlite_new(url_out);
}

static void remove_files(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char name[URL_SZ + 16];

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
		unlink(name);
	}
}

void yb_test_store_free(yb_store *st)
{
	struct testdb_file **p, *f = NULL;

	if (!st)
		return;
	pthread_mutex_lock(&files_lock);
	for (p = &files; *p; p = &(*p)->next) {
		if ((*p)->st == st) {
			f = *p;
			*p = f->next;
			break;
		}
	}
	pthread_mutex_unlock(&files_lock);
	if (!f) {
		/* Not a file of ours: a PostgreSQL store, or a store the
		 * test opened itself, which only needs closing. */
		if (strcmp(yb_test_engine(), "pg") == 0)
			yb_test_pg_free(st);
		else
			yb_store_close(st);
		return;
	}
	yb_store_close(st);
	remove_files(f->path);
	free(f);
}

void yb_test_raw_exec(const char *url, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	if (strncmp(url, "pg:", 3) == 0) {
		yb_test_pg_exec(url, sql);
		return;
	}
	if (strncmp(url, "sqlite:", 7) == 0)
		url += 7;
	if (sqlite3_open(url, &db) != SQLITE_OK)
		die("cannot open", url);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		die("raw exec", msg);
	sqlite3_close(db);
}

int yb_test_audit_append(yb_store *st, const char *action, yb_id seq,
			 yb_err *e)
{
	yb_audit_record head, rec;
	int found = st->ops->audit_head(st, &head, e);

	if (found < 0)
		return -1;
	memset(&rec, 0, sizeof rec);
	rec.seq = seq > 0 ? seq : found ? head.seq + 1 : 1;
	rec.chain = found ? head.chain : 0;
	rec.at = 1700000000;
	snprintf(rec.actor, sizeof rec.actor, "test");
	rec.role = YB_ROLE_INSTITUTION;
	rec.channel = YB_CHAN_API;
	snprintf(rec.action, sizeof rec.action, "%s", action);
	snprintf(rec.target, sizeof rec.target, "test");
	snprintf(rec.result, sizeof rec.result, "ok");
	snprintf(rec.prev_hash, sizeof rec.prev_hash, "%s",
		 found ? head.hash : "");
	yb_audit_hash(&rec);
	return st->ops->audit_insert(st, &rec, e) < 0 ? -1 : 0;
}
