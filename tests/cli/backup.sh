#!/usr/bin/env bash
# backup.sh — SQLite online backup and restore, and `yibao migrate` of a
# SQLite database into PostgreSQL (when the run has the throwaway server
# of scripts/with-pg): the copies hold the same persons and balances, and
# their books (A3) and audit chains (X3) check out.
source "$(dirname "$0")/lib.sh" "$@"

ok init
ok demo seed
ok --json person show 600000001
balance=$(j 'd["account"]["balance_fen"]')

# Online backup, then restore into a new file.
ok backup "$TMP/backup.db"
ok --db "$TMP/restored.db" restore "$TMP/backup.db"
ok --db "$TMP/restored.db" --json person show 600000001
check "restored balance" "$(j 'd["account"]["balance_fen"]')" "$balance"
ok --db "$TMP/restored.db" ledger check
ok --db "$TMP/restored.db" audit verify
run 2 --db "$TMP/restored.db" restore "$TMP/no-such-backup.db"

# Migrate into PostgreSQL: a fresh database on the throwaway server.
if [ -n "${YB_TEST_PG:-}" ]; then
	PGDB="yb_migrate_$$_$RANDOM"
	psql -X -q -d "$YB_TEST_PG" -c "CREATE DATABASE $PGDB" >/dev/null || exit 1
	PGURL="pg:$YB_TEST_PG dbname=$PGDB"
	ok migrate --to "$PGURL"
	ok --db "$PGURL" --json person show 600000001
	check "migrated balance" "$(j 'd["account"]["balance_fen"]')" "$balance"
	ok --db "$PGURL" ledger check
	ok --db "$PGURL" audit verify
	run 2 migrate --to "$TMP/not-postgres.db"
	psql -X -q -d "$YB_TEST_PG" -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null
else
	echo "FAIL: no YB_TEST_PG: run under scripts/with-pg (make test does)"
	FAILS=$((FAILS + 1))
fi
finish
