/*
 * combine.c — a settlement's deferred writes as one statement (issue
 * 16, pg7).  In a lazy batch (stmt.c pg_defer) the ledger write, the
 * settlement with its shares and the first notification of a
 * settlement are three statements nobody waits for; PostgreSQL pays
 * each one's executor start-up, locks of its relations and indexes,
 * portal and snapshot.  Written as the data-modifying CTEs of one
 * statement, in the same order, they insert the same rows (their ids
 * drawn ahead, ids.c) and keep every check: the ledger write's guard
 * (a row not moved divides by zero), the settlement's unique txn, the
 * CHECKs and foreign keys (checked at the statement's end, when all of
 * its CTEs have run).  A failure of any part fails the whole statement,
 * which spoils the batch as a failed part did: its replay runs each
 * write alone and synchronously (the statements of their files).
 *
 * The joined texts are made once from the parts' texts: the CTEs one
 * after the other, each part's parameters numbered after the ones
 * before ($n + the parameters before it), the ledger's check last.
 * The parts name their CTEs apart (t u s b e; si sh; n f).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_int.h"

/* The ledger write and the settlement; and with the first note. */
static pg_stmt st_ls = { "deferred_ledger_settlement", NULL, NULL };
static pg_stmt st_lsn = { "deferred_ledger_settlement_note", NULL, NULL };
/* parameters of each part (the highest $n of its text) */
static int n_ledger, n_settlement, n_note;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int max_param(const char *sql)
{
	int max = 0;

	for (const char *c = sql; (c = strchr(c, '$')) != NULL; c++) {
		int v = atoi(c + 1);
		if (v > max)
			max = v;
	}
	return max;
}

/* Append `sql` to dst (size cap, used *len) with each $n as $(n+off). */
static void append_shifted(char *dst, size_t cap, size_t *len,
			   const char *sql, int off)
{
	for (const char *c = sql; *c && *len + 8 < cap; c++) {
		if (*c == '$' && c[1] >= '0' && c[1] <= '9') {
			int v = atoi(c + 1);

			while (c[1] >= '0' && c[1] <= '9')
				c++;
			*len += (size_t)snprintf(dst + *len, cap - *len, "$%d",
						 v + off);
			continue;
		}
		dst[(*len)++] = *c;
	}
	dst[*len] = '\0';
}

static char *join(bool note)
{
	size_t cap = strlen(pg_sql_ledger_deferred_ctes) +
		     strlen(pg_sql_settlement_deferred_ctes) +
		     strlen(pg_sql_note_ctes) +
		     strlen(pg_sql_ledger_deferred_check) + 1024;
	size_t len = 0;
	char *sql = malloc(cap);

	if (!sql)
		return NULL;
	append_shifted(sql, cap, &len, "WITH ", 0);
	append_shifted(sql, cap, &len, pg_sql_ledger_deferred_ctes, 0);
	append_shifted(sql, cap, &len, ", ", 0);
	append_shifted(sql, cap, &len, pg_sql_settlement_deferred_ctes,
		       n_ledger);
	if (note) {
		append_shifted(sql, cap, &len, ", ", 0);
		append_shifted(sql, cap, &len, pg_sql_note_ctes,
			       n_ledger + n_settlement);
	}
	append_shifted(sql, cap, &len, " ", 0);
	append_shifted(sql, cap, &len, pg_sql_ledger_deferred_check, 0);
	return sql;
}

static void build(void)
{
	n_ledger = max_param(pg_st_ledger_write_deferred.sql);
	n_settlement = max_param(pg_st_settlement_insert_deferred.sql);
	n_note = max_param(pg_st_note_insert.sql);
	st_ls.sql = join(false);
	st_lsn.sql = join(true);
}

const pg_stmt *pg_combine(const pg_stmt *held, int nheld,
			  const pg_stmt *next, int nnext)
{
	const pg_stmt *out = NULL;

	pthread_once(&once, build);
	if (held == &pg_st_ledger_write_deferred &&
	    next == &pg_st_settlement_insert_deferred &&
	    nheld == n_ledger && nnext == n_settlement)
		out = &st_ls;
	else if (held == &st_ls && next == &pg_st_note_insert &&
		 nheld == n_ledger + n_settlement && nnext == n_note)
		out = &st_lsn;
	return out && out->sql ? out : NULL;
}

bool pg_combine_starts(const pg_stmt *s)
{
	return s == &pg_st_ledger_write_deferred || s == &st_ls;
}
