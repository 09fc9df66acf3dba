#!/usr/bin/env bash
# nhsa_migration.sh — migration 6 on records the gateway kept before it
# (both engines): fee lines become batch records (a line's settlement_id
# its batch's), a kept message becomes its facts, a newline and its reply
# as sent, and the two indexes are remade as partial ones.  The database
# is made current, the old records are put back as the earlier code wrote
# them, the version is set back to 5 (what migration 7, records' proofs,
# made is dropped with it), and the next open migrates.
source "$(dirname "$0")/lib.sh" "$@"

ok init
reply='{"infcode":0,"a":"x\ny 引号\"q\""}'
fee1='{"psn_no":"7","chrg_bchno":"B1","amount_fen":150,"settlement_id":0}'
fee2='{"psn_no":"7","chrg_bchno":"B1","amount_fen":50,"settlement_id":0}'
fee3='{"psn_no":"7","chrg_bchno":"B2","amount_fen":70,"settlement_id":9}'
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
sql "DROP TABLE proofs"            # migration 7 (records), made again
sql "DROP INDEX persons_employer"
if [ "$ENGINE" = pg ]; then
	sql "DELETE FROM schema_version WHERE version >= 6"
else
	sql "PRAGMA user_version = 5"
fi

ok ledger check          # the first open after it migrates
batch() { sql "SELECT val FROM nhsa_records WHERE kind = 'feeb' AND key = 'M|$1'"; }
check "batch B1 sum" "$("$PYTHON" -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["sum"], d["lines"], d["setl"])' "$(batch B1)")" "200 2 0"
check "batch B2 settled" "$("$PYTHON" -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["sum"], d["lines"], d["setl"])' "$(batch B2)")" "70 1 9"
val=$(sql "SELECT val FROM nhsa_records WHERE kind = 'msg' AND key = 'H1|M1'")
check "message facts" "$("$PYTHON" -c 'import json,sys; d=json.loads(sys.argv[1].split("\n",1)[0]); print(d["state"], d["msgid"], "response" in d)' "$val")" "done M1 False"
check "message reply as sent" "$("$PYTHON" -c 'import sys; print(sys.argv[1].split("\n",1)[1] == sys.argv[2])' "$val" "$reply")" "True"
# the operator reads it back through the service, reply and all
ok --json nhsa message --institution H1 --msgid M1
check "message via the CLI" "$(j 'd["response"]')" "$reply"
finish
