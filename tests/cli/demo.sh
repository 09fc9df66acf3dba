#!/usr/bin/env bash
# demo.sh — `yibao demo seed` (what `make run` loads) and `yibao key
# create`: the seed is complete, usable and idempotent, its secrets are
# written where only the owner reads them, and the keys it prints are
# real keys (X2).
source "$(dirname "$0")/lib.sh" "$@"

ok init
ok --json demo seed
check "seeded" "$(j 'd["seeded"]')" "true"
check "a family of four" "$(j 'len(d["logins"])')" "4"
check "a key per kind of caller (X1)" "$(j 'sorted(k["role"] for k in d["keys"])')" \
	'["admin", "agency_window", "employer", "hospital_office", "institution", "institution", "terminal"]'
CRED=$(j 'd["credentials_file"]')
check "credentials beside the database" "$CRED" "$TMP/demo-credentials.json"
check "credentials readable by the owner only" "$(stat -c %a "$CRED")" "600"
check "the file holds the keys printed" "$("$PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["keys"]))' "$CRED")" "7"
FATHER=$(j 'd["logins"][0]["ssn"]')
CHILD=$(j 'd["logins"][2]["ssn"]')

ok --json demo seed
check "a second seed changes nothing" "$(j 'd["seeded"]')" "false"

ok --json person show "$FATHER"
check "the father's account is funded (A4)" "$(j 'd["account"]["balance_fen"] > 0')" "true"
check "his card is issued and activated (C1)" "$(j 'd["card"]["state"] + " " + str(d["card"]["activated"])')" "issued True"
ok --json person show "$CHILD"
C_CARD=$(j 'd["card"]["card_no"]')
check "the child, a resident, has no account (P2)" "$(j 'd["account"]')" "null"

# The demo hospital settles for the child once the father binds him.
ok bind add --authorizer "$FATHER" --relative "$CHILD:$(j 'd["id_number"]'):child"
ok --json settle --institution H440300001 --txn DEMO-1 --card "$C_CARD" --visit outpatient --total 88.00
check "the father's account pays for the child (S3)" "$(j 'd["shares"][0]["payer_ssn"]')" "$FATHER"

ok --json key create --role terminal --label 'kiosk 7'
check "key create --json gives the key (X2)" "$(j 'len(d["key"]) >= 32 and d["role"] == "terminal"')" "true"
ok key create --role employer --employer E440300001
check "the key is printed once for people" "$(grep -c 'shown only this once' <<<"$OUT")" "1"

ok --json ledger check
check "the demo books balance (A3)" "$(j 'd["ok"]')" "true"
ok --json audit verify
check "the demo audit chain verifies (X3)" "$(j 'd["ok"]')" "true"

finish
