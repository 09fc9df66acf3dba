/*
 * testdb_pg.c — the PostgreSQL branch of testdb (testdb.h): each test
 * store is a database of its own on the throwaway server that
 * scripts/with-pg starts, so tests are isolated from each other and may
 * run in parallel.
 *
 * YB_TEST_PG is the server's conninfo (a maintenance database such as
 * "postgres"); a test database is created there as
 * yb_test_<pid>_<counter>_<random>, a copy of a template this program
 * migrated once, opened through yb_store_open, and on free dropped WITH
 * (FORCE), which also ends any second connection a concurrency test left
 * open.  Without YB_TEST_PG the program aborts with a message saying how
 * to run it: a pg run never falls back to SQLite.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "testdb.h"

yb_store *yb_test_pg_new(char *url_out);
void yb_test_pg_free(yb_store *st);
void yb_test_pg_exec(const char *url, const char *sql);

#if !__has_include(<libpq-fe.h>)
/* Built without libpq (meson -Dpostgresql=disabled): no pg suites are
 * registered, so reaching this is a mistake worth a clear message. */
yb_store *yb_test_pg_new(char *url_out)
{
	(void)url_out;
	fprintf(stderr, "testdb_pg: built without PostgreSQL support\n");
	abort();
}

void yb_test_pg_free(yb_store *st)
{
	yb_store_close(st);
}

void yb_test_pg_exec(const char *url, const char *sql)
{
	(void)url;
	(void)sql;
	fprintf(stderr, "testdb_pg: built without PostgreSQL support\n");
	abort();
}
#else
#include <libpq-fe.h>

#define URL_SZ  512
#define NAME_SZ 64

/* The databases made here, to drop when their store is freed. */
struct pg_testdb {
	yb_store *st;
	char name[NAME_SZ];
	struct pg_testdb *next;
};

static struct pg_testdb *dbs;
static unsigned counter;
static char template_name[NAME_SZ];
static pthread_mutex_t dbs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t template_lock = PTHREAD_MUTEX_INITIALIZER;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "testdb_pg: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

static const char *server_conninfo(void)
{
	const char *c = getenv("YB_TEST_PG");

	if (!c || !*c)
		die("YB_TEST_PG is not set; run the pg suites inside "
		    "scripts/with-pg, e.g. scripts/with-pg meson test -C build "
		    "--suite pg", NULL);
	return c;
}

/*
 * The server's conninfo with dbname replaced, as "key='value' ..."
 * (quoted, so any value survives).  YB_TEST_PG may be key=value pairs or
 * a postgresql:// URI: PQconninfoParse reads both.
 */
static void conninfo_with_db(const char *dbname, char *out, size_t size)
{
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(server_conninfo(), &msg);
	size_t len = 0;

	if (!opts)
		die("YB_TEST_PG is not a valid conninfo", msg);
	out[0] = '\0';
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		const char *v = strcmp(o->keyword, "dbname") == 0 ? dbname : o->val;

		if (!v)
			continue;
		len += (size_t)snprintf(out + len, len < size ? size - len : 0,
					"%s%s='", len ? " " : "", o->keyword);
		for (const char *c = v; *c && len + 3 < size; c++) {
			if (*c == '\'' || *c == '\\')
				out[len++] = '\\';
			out[len++] = *c;
		}
		if (len + 2 >= size)
			die("conninfo too long", server_conninfo());
		out[len++] = '\'';
		out[len] = '\0';
	}
	PQconninfoFree(opts);
}

/* Run one statement on the server's maintenance database. */
static void admin(const char *sql)
{
	PGconn *c = PQconnectdb(server_conninfo());
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK)
		die("cannot connect to YB_TEST_PG", PQerrorMessage(c));
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		die(sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

/* A fresh database name of letters and numbers only, safe to put in the
 * SQL text of CREATE / DROP DATABASE (which take no parameters). */
static void db_name(const char *prefix, char *out, size_t size)
{
	unsigned rnd = 0;
	unsigned n;

	if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		die("getrandom failed", NULL);
	pthread_mutex_lock(&dbs_lock);
	n = ++counter;
	pthread_mutex_unlock(&dbs_lock);
	snprintf(out, size, "%s_%ld_%u_%08x", prefix, (long)getpid(), n, rnd);
}

/* Open database `name` as a store; url_out (may be NULL) gets its URL. */
static yb_store *open_db(const char *name, char *url_out)
{
	char conninfo[URL_SZ], url[URL_SZ];
	yb_store *st = NULL;
	yb_err err;

	conninfo_with_db(name, conninfo, sizeof conninfo);
	if (snprintf(url, sizeof url, "pg:%s", conninfo) >= (int)sizeof url)
		die("conninfo too long", conninfo);
	yb_err_clear(&err);
	if (yb_store_open(url, &st, &err) < 0)
		die("cannot open the test database", err.message);
	if (url_out)
		snprintf(url_out, URL_SZ, "%s", url);
	return st;
}

static void drop_db(const char *name)
{
	char sql[128];

	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)",
		 name);
	admin(sql);
}

static void drop_template(void)
{
	drop_db(template_name);
}

/*
 * Migrating a new database costs more than copying one, so each test
 * program migrates one template database once and copies it for every
 * test.  A copy needs the template to have no connection: the store that
 * migrated it is closed at once, and nothing else ever opens it.  Called
 * with template_lock held.
 */
static const char *template_db(void)
{
	char sql[128];

	if (template_name[0])
		return template_name;
	db_name("yb_tpl", template_name, sizeof template_name);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", template_name);
	admin(sql);
	yb_store_close(open_db(template_name, NULL));
	atexit(drop_template);
	return template_name;
}

yb_store *yb_test_pg_new(char *url_out)
{
	struct pg_testdb *d = calloc(1, sizeof *d);
	char sql[160];

	if (!d)
		die("out of memory", NULL);
	db_name("yb_test", d->name, sizeof d->name);
	pthread_mutex_lock(&template_lock);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %s", d->name,
		 template_db());
	admin(sql);
	pthread_mutex_unlock(&template_lock);
	d->st = open_db(d->name, url_out);

	pthread_mutex_lock(&dbs_lock);
	d->next = dbs;
	dbs = d;
	pthread_mutex_unlock(&dbs_lock);
	return d->st;
}

void yb_test_pg_free(yb_store *st)
{
	struct pg_testdb **p, *d = NULL;

	if (!st)
		return;
	pthread_mutex_lock(&dbs_lock);
	for (p = &dbs; *p; p = &(*p)->next) {
		if ((*p)->st == st) {
			d = *p;
			*p = d->next;
			break;
		}
	}
	pthread_mutex_unlock(&dbs_lock);
	yb_store_close(st);
	if (!d)
		return;         /* a second connection the test opened itself */
	drop_db(d->name);
	free(d);
}

void yb_test_pg_exec(const char *url, const char *sql)
{
	PGconn *c = PQconnectdb(url + 3);      /* after "pg:" */
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK)
		die("cannot connect", PQerrorMessage(c));
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		die("raw exec", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}
#endif
