/*
 * pcache.c — SQLite's own page cache (pcache1), with one thing kept from
 * costing every commit a walk over the whole cache.
 *
 * Why: at the end of every write transaction SQLite truncates the page
 * cache to the database's size (pager_end_transaction →
 * sqlite3PcacheTruncate → pcache1Truncate).  pcache1 only scans the
 * hash slots between the new size and the highest key it has held
 * (iMaxKey) when that distance is shorter than its hash table, and
 * walks the whole table — every slot, every cached page — otherwise.
 * And every b-tree balance that puts sibling pages in ascending order
 * moves a page through the pending-byte page (1 GiB / page size + 1,
 * page 262,145 at 4 KiB: balance_nonroot's pgnoTemp), which sets
 * iMaxKey there until the next truncate.  So in a database smaller than
 * a gigabyte, nearly every commit that split a page walked all 8,192
 * pages of the writer's 32 MiB cache, each a cache miss: measured at
 * 1,000,000 persons, 6.5–8.5% of the writer's samples sat on that one
 * loop (docs/BENCHMARKS.md, sq4), and a larger cache only made the walk
 * longer — why 256 MiB measured slower than 32.
 *
 * What this does: it wraps pcache1 (the methods SQLite had before,
 * SQLITE_CONFIG_GETPCACHE2) and keeps its own upper bound on the keys a
 * cache may hold, not counting pages parked on the pending-byte page.
 * A truncate that cannot drop anything by that bound is not passed on.
 * Every other call is pcache1's, unchanged.  The bound is never lower
 * than a key in the cache, so every truncate that has pages to drop
 * still drops them (then pcache1 walks, as before: a rolled-back
 * transaction that grew the file, which is rare).
 */
#include "store/sqlite/sqlite_int.h"

#include <stdlib.h>

static sqlite3_pcache_methods2 sq_pc_orig;

typedef struct {
	sqlite3_pcache *orig;
	unsigned hi;       /* no key above this, parked pages aside */
	unsigned pending;  /* the pending-byte page for this page size */
	int parked;        /* pages keyed on it now (a balance in progress) */
} sq_pcache;

static int pc_init(void *arg)
{
	(void)arg;
	return sq_pc_orig.xInit ? sq_pc_orig.xInit(sq_pc_orig.pArg)
				: SQLITE_OK;
}

static void pc_shutdown(void *arg)
{
	(void)arg;
	if (sq_pc_orig.xShutdown)
		sq_pc_orig.xShutdown(sq_pc_orig.pArg);
}

static sqlite3_pcache *pc_create(int sz_page, int sz_extra, int purgeable)
{
	sq_pcache *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->orig = sq_pc_orig.xCreate(sz_page, sz_extra, purgeable);
	if (!c->orig) {
		free(c);
		return NULL;
	}
	/* SQLite's PENDING_BYTE (0x40000000), which no page ever holds
	 * data at; balance_nonroot's temporary key is this page. */
	c->pending = sz_page > 0 ? 0x40000000u / (unsigned)sz_page + 1 : 0;
	return (sqlite3_pcache *)c;
}

static void pc_cachesize(sqlite3_pcache *p, int n)
{
	sq_pc_orig.xCachesize(((sq_pcache *)p)->orig, n);
}

static int pc_pagecount(sqlite3_pcache *p)
{
	return sq_pc_orig.xPagecount(((sq_pcache *)p)->orig);
}

static sqlite3_pcache_page *pc_fetch(sqlite3_pcache *p, unsigned key,
				     int create)
{
	sq_pcache *c = (sq_pcache *)p;
	sqlite3_pcache_page *pg = sq_pc_orig.xFetch(c->orig, key, create);

	if (pg && key > c->hi)
		c->hi = key;
	return pg;
}

static void pc_unpin(sqlite3_pcache *p, sqlite3_pcache_page *pg, int discard)
{
	sq_pc_orig.xUnpin(((sq_pcache *)p)->orig, pg, discard);
}

static void pc_rekey(sqlite3_pcache *p, sqlite3_pcache_page *pg,
		     unsigned old_key, unsigned new_key)
{
	sq_pcache *c = (sq_pcache *)p;

	sq_pc_orig.xRekey(c->orig, pg, old_key, new_key);
	if (old_key == c->pending && c->parked > 0)
		c->parked--;
	if (new_key == c->pending)
		c->parked++;
	else if (new_key > c->hi)
		c->hi = new_key;
}

static void pc_truncate(sqlite3_pcache *p, unsigned limit)
{
	sq_pcache *c = (sq_pcache *)p;
	unsigned hi = c->parked > 0 && c->pending > c->hi ? c->pending : c->hi;

	if (limit > hi)
		return;          /* nothing at or above limit: nothing to drop */
	sq_pc_orig.xTruncate(c->orig, limit);
	if (limit <= c->pending)
		c->parked = 0;
	c->hi = limit > 0 ? limit - 1 : 0;
}

static void pc_destroy(sqlite3_pcache *p)
{
	sq_pcache *c = (sq_pcache *)p;

	sq_pc_orig.xDestroy(c->orig);
	free(c);
}

static void pc_shrink(sqlite3_pcache *p)
{
	sq_pc_orig.xShrink(((sq_pcache *)p)->orig);
}

static const sqlite3_pcache_methods2 sq_pc_methods = {
	.iVersion = 1,
	.xInit = pc_init, .xShutdown = pc_shutdown,
	.xCreate = pc_create, .xCachesize = pc_cachesize,
	.xPagecount = pc_pagecount, .xFetch = pc_fetch,
	.xUnpin = pc_unpin, .xRekey = pc_rekey,
	.xTruncate = pc_truncate, .xDestroy = pc_destroy,
	.xShrink = pc_shrink,
};

const sqlite3_pcache_methods2 *sq_pcache_methods(void)
{
	return sq_pc_orig.xCreate ? &sq_pc_methods : NULL;
}

int sq_pcache_install(void)
{
	int rc = sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &sq_pc_orig);

	/* SQLITE_MISUSE once SQLite is initialized: pcache1 stays, as it
	 * was, and nothing is lost but the time. */
	if (rc != SQLITE_OK || sq_pc_orig.iVersion < 1 || !sq_pc_orig.xCreate) {
		sq_pc_orig.xCreate = NULL;
		return rc != SQLITE_OK ? rc : SQLITE_ERROR;
	}
	rc = sqlite3_config(SQLITE_CONFIG_PCACHE2, &sq_pc_methods);
	if (rc != SQLITE_OK)
		sq_pc_orig.xCreate = NULL;
	return rc;
}
