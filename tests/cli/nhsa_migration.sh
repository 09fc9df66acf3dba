#!/usr/bin/env bash
# nhsa_migration.sh — migrations 6, 9 and 13 on records the gateway kept
# before them (both engines).  6: fee lines become batch records (a line's
# settlement_id its batch's), a kept message becomes its facts, a newline
# and its reply as sent, and the two indexes are remade as partial ones.
# 9: visits, batches, yearly totals and settlement records move from JSON
# records to their typed tables.  13: kept messages and nonces move to
# their own tables, nhsa_msgs and nhsa_nonces.  The database is made
# current, the old records are put back as the earlier code wrote them,
# the version is set back to 5 (what migrations 7, records' proofs, 8,
# family's scans and premium columns, 9, 10, the gateway's files, and 13
# made is dropped with it, and the index 13 dropped is made again), and
# the next open migrates.  Then 15 (SQLite): the nonces in the order of
# their time, in a rowid table with no index.
source "$(dirname "$0")/lib.sh" "$@"

ok init
reply='{"infcode":0,"a":"x\ny 引号\"q\""}'
fee1='{"psn_no":"7","chrg_bchno":"B1","amount_fen":150,"settlement_id":0}'
fee2='{"psn_no":"7","chrg_bchno":"B1","amount_fen":50,"settlement_id":0}'
fee3='{"psn_no":"7","chrg_bchno":"B2","amount_fen":70,"settlement_id":9}'
visit='{"psn_no":"7","person_id":3,"insutype":"310","med_type":"11","ipt_otp_no":"O1","cert_type":"02","cert_no":"X","begntime":"2026-01-02 03:04:05","dise_codg":"","state":"registered","at":5,"ipt_count":1,"final_setl":0}'
cum='{"dedc":100,"fund":200,"medfee":300,"count":2}'
setl='{"mdtrt_id":"M","chrg_bchno":"B2","insutype":"310","med_type":"11","cert_type":"02","msgid":"M1","medfee":70,"inscp":70,"fulamt":0,"dedc":10,"fund":20,"ratio_bp":8000,"acct":30,"mulaid":5,"cash":10,"balc":99,"at":6,"revoked":true,"revoked_at":7,"person_id":3,"req_hash":"abc"}'
msg=$("$PYTHON" -c 'import json,sys; print(json.dumps({"institution":"H1","msgid":"M1","state":"done","infcode":0,"response":sys.argv[1]}, ensure_ascii=False))' "$reply")

sql() {
	if [ "$ENGINE" = pg ]; then
		psql -X -q -A -t -v ON_ERROR_STOP=1 -d "${YIBAO_DB#pg:}" -c "$1"
	else
		sqlite3 "$YIBAO_DB" "$1"
	fi
}
q() { printf "'%s'" "${1//\'/\'\'}"; }

for r in "fee|M|F1|$fee1" "fee|M|F2|$fee2" "fee|M|F3|$fee3"; do
	IFS='|' read -r kind grp sn val <<<"$r"
	sql "INSERT INTO nhsa_records (kind, key, grp, inst, at, val) VALUES ('$kind', '$grp|$sn', '$grp', 'H1', 1, $(q "$val"))"
done
sql "INSERT INTO nhsa_records (kind, key, grp, inst, at, val) VALUES ('msg', 'H1|M1', 'H1', 'H1', 2, $(q "$msg"))"
sql "INSERT INTO nhsa_records (kind, key, grp, inst, at, val) VALUES ('visit', 'M', '', 'H1', 5, $(q "$visit"))"
sql "INSERT INTO nhsa_records (kind, key, grp, inst, at, val) VALUES ('cum', '3|2026|310|0', '', 'H1', 5, $(q "$cum"))"
sql "INSERT INTO nhsa_records (kind, key, grp, inst, at, val) VALUES ('setl', '9', 'H1|2026-01-02', 'H1', 6, $(q "$setl"))"
sql "INSERT INTO nhsa_records (kind, key, grp, inst, at, val) VALUES ('nonce', 'P1|N1', '', '', 7, '{}')"
sql "DROP TABLE nhsa_msgs"         # migration 13 (nhsa msgs), made again
sql "DROP TABLE nhsa_nonces"
if [ "$ENGINE" = pg ]; then          # and the index it dropped, as 1 made it
	sql "CREATE INDEX nhsa_records_at ON nhsa_records (kind, at)"
else
	sql "CREATE INDEX nhsa_records_at ON nhsa_records(kind, at)"
fi
sql "DROP TABLE nhsa_files"        # migration 10 (nhsa files), made again
sql "DROP TABLE nhsa_visits"       # migration 9 (nhsa), made again
sql "DROP TABLE nhsa_batches"
sql "DROP TABLE nhsa_cums"
sql "DROP TABLE nhsa_setls"
sql "DROP TABLE proofs"            # migration 7 (records), made again
sql "DROP INDEX persons_employer"
sql "DROP TABLE materials"         # migration 8 (family), made again
sql "DROP INDEX settlement_cap_cuts_payer"
for c in relationship channel materials_json operator_id; do
	sql "ALTER TABLE premium_payments DROP COLUMN $c"
done
if [ "$ENGINE" = pg ]; then
	sql "DELETE FROM schema_version WHERE version >= 6"
else
	sql "PRAGMA user_version = 5"
fi

ok ledger check          # the first open after it migrates
batch() { sql "SELECT sum_fen, lines, setl FROM nhsa_batches WHERE mdtrt_id = 'M' AND chrg_bchno = '$1'"; }
check "batch B1 sum" "$(batch B1)" "200|2|0"
check "batch B2 settled" "$(batch B2)" "70|1|9"
check "visit" "$(sql "SELECT inst, psn_no, person_id, insutype, med_type, ipt_otp_no, cert_type, cert_no, begntime, state, at, ipt_count, final_setl FROM nhsa_visits WHERE mdtrt_id = 'M'")" "H1|7|3|310|11|O1|02|X|2026-01-02 03:04:05|registered|5|1|0"
check "yearly totals" "$(sql "SELECT dedc_fen, fund_fen, medfee_fen, count FROM nhsa_cums WHERE key = '3|2026|310|0'")" "100|200|300|2"
check "settlement record" "$(sql "SELECT inst, day, mdtrt_id, chrg_bchno, msgid, medfee_fen, inscp_fen, dedc_fen, fund_fen, ratio_bp, acct_fen, mulaid_fen, cash_fen, balc_fen, at, revoked, revoked_at, person_id, req_hash FROM nhsa_setls WHERE id = 9")" "H1|2026-01-02|M|B2|M1|70|70|10|20|8000|30|5|10|99|6|1|7|3|abc"
check "moved, not copied" "$(sql "SELECT count(*) FROM nhsa_records WHERE kind IN ('visit', 'feeb', 'cum', 'setl')")" "0"
check "messages moved (13)" "$(sql "SELECT count(*) FROM nhsa_records WHERE kind = 'msg'")" "0"
check "nonces moved (13)" "$(sql "SELECT count(*) FROM nhsa_records WHERE kind = 'nonce'")|$(sql "SELECT key, at FROM nhsa_nonces")" "0|P1|N1|7"
check "message kept (13)" "$(sql "SELECT kind, key, inst, at FROM nhsa_msgs")" "msg|H1|M1|H1|2"
val=$(sql "SELECT val FROM nhsa_msgs WHERE kind = 'msg' AND key = 'H1|M1'")
check "message facts" "$("$PYTHON" -c 'import json,sys; d=json.loads(sys.argv[1].split("\n",1)[0]); print(d["state"], d["msgid"], "response" in d)' "$val")" "done M1 False"
check "message reply as sent" "$("$PYTHON" -c 'import sys; print(sys.argv[1].split("\n",1)[1] == sys.argv[2])' "$val" "$reply")" "True"
# the operator reads it back through the service, reply and all
ok --json nhsa message --institution H1 --msgid M1
check "message via the CLI" "$(j 'd["response"]')" "$reply"

# 15 (SQLite): the nonces of 13's table, keyed by nonce with an index of
# their time, go to a rowid table in the order of their time, no index
# (store/sqlite/nhsa_nonce.c reads it into memory).
if [ "$ENGINE" = sqlite ]; then
	sql "DROP TABLE nhsa_nonces"
	sql "CREATE TABLE nhsa_nonces (key TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID"
	sql "CREATE INDEX nhsa_nonces_at ON nhsa_nonces(at)"
	sql "INSERT INTO nhsa_nonces VALUES ('P1|Z', 8), ('P1|A', 9), ('P1|M', 7)"
	sql "PRAGMA user_version = 14"
	ok ledger check
	check "nonces in the order of their time (15)" "$(sql "SELECT group_concat(key || ':' || at, ' ') FROM (SELECT key, at FROM nhsa_nonces ORDER BY rowid)")" "P1|M:7 P1|Z:8 P1|A:9"
	check "no index on the nonces (15)" "$(sql "SELECT count(*) FROM sqlite_master WHERE tbl_name = 'nhsa_nonces' AND type = 'index'")" "0"
	check "version 17 after 15" "$(sql 'PRAGMA user_version')" "17"
fi
# 16 (PostgreSQL): the accounts' pages keep room for their updates.
if [ "$ENGINE" = pg ]; then
	check "accounts fillfactor (16)" "$(sql "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'accounts'")" "fillfactor=80"
fi
finish
