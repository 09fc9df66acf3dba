/*
 * store.c — opening a store from its URL (store.h): picks the engine by
 * the URL's scheme and hands the rest to its constructor.
 *
 *   sqlite:PATH, sqlite://PATH   → yb_sqlite_open(PATH)
 *   file:...                     → yb_sqlite_open, whole URI (SQLite parses
 *                                  file: URIs and their ?parameters itself)
 *   postgresql://..., postgres://... → yb_pg_open(whole URL: libpq takes it)
 *   pg:CONNINFO                  → yb_pg_open(CONNINFO)
 *   anything else                → a path, yb_sqlite_open(it)
 */
#include "store/store.h"

#include <string.h>

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int open_pg(const char *conninfo, yb_store **out, yb_err *err)
{
#ifdef YB_HAVE_PG
	return yb_pg_open(conninfo, out, err);
#else
	(void)conninfo;
	(void)out;
	return yb_errf(err, "store.error",
		       "PostgreSQL support is not built into this program "
		       "(rebuild with -Dpostgresql=enabled)");
#endif
}

static bool is_pg_url(const char *url)
{
	return has_prefix(url, "postgresql://") ||
	       has_prefix(url, "postgres://") || has_prefix(url, "pg:");
}

const char *yb_store_engine_of(const char *url)
{
	return url && is_pg_url(url) ? "postgresql" : "sqlite";
}

int yb_store_open(const char *url, yb_store **out, yb_err *err)
{
	*out = NULL;
	if (!url || !*url)
		return yb_errf(err, "store.error", "no database URL given");
	if (is_pg_url(url))
		return open_pg(has_prefix(url, "pg:") ? url + strlen("pg:") : url,
			       out, err);
	if (has_prefix(url, "sqlite://"))
		return yb_sqlite_open(url + strlen("sqlite://"), out, err);
	if (has_prefix(url, "sqlite:"))
		return yb_sqlite_open(url + strlen("sqlite:"), out, err);
	return yb_sqlite_open(url, out, err);
}

void yb_store_close(yb_store *st)
{
	if (st)
		st->ops->close(st);
}

int yb_store_migrate_to_pg(const char *sqlite_path, const char *pg_url,
			   yb_err *err)
{
	yb_store *src = NULL, *dst = NULL;
	int rc = -1;

	if (strcmp(yb_store_engine_of(pg_url), "postgresql") != 0)
		return yb_errf(err, "usage",
			       "the target must be a PostgreSQL URL "
			       "(postgresql://... or pg:CONNINFO)");
	/* Opening the SQLite file brings its schema to this program's
	 * version, which the copy requires of both sides. */
	if (yb_sqlite_open(sqlite_path, &src, err) < 0)
		goto out;
	yb_store_close(src);
	src = NULL;
	if (yb_store_open(pg_url, &dst, err) < 0)
		goto out;
#ifdef YB_HAVE_PG
	rc = yb_pg_copy_from_sqlite(dst, sqlite_path, err);
#else
	rc = yb_errf(err, "store.error",
		     "PostgreSQL support is not built into this program");
#endif
out:
	yb_store_close(dst);
	return rc;
}
