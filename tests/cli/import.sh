#!/usr/bin/env bash
# import.sh — `yibao import persons` (SPEC P5): a file with bad rows gets a
# per-row report ("line N: code: message") and exit 1 while the good rows
# are in and the bad ones are not (nothing half-imported); a clean file
# exits 0; and a 10,000-row file from bench/gen_persons imports whole, with
# the books and the audit chain intact afterwards (A3, X3).
source "$(dirname "$0")/lib.sh" "$@"

ok init
ok employer add --code E1 --name 甲公司

# --- a small file with one bad row of each kind --------------------------
# Columns in another order than usual, quoting, CRLF on one line.
{
	echo 'name,scheme,ssn,id_number,employer_code'
	echo "李建国,employee_tier1,600000001,$(idnum 44030519780315001),E1"
	echo "王秀英,employee_tier1,600000002,440305198007220020,E1"
	echo "\"欧阳, 娜\",resident,600000003,$(idnum 44030520120901003),"
	echo "张桂兰,resident,600000001,$(idnum 44030519500210004),"
	echo "赵六,tier9,600000005,$(idnum 44030519900101005),"
	echo "钱七,employee_tier1,600000006,$(idnum 44030519900101006),NOSUCH"
	printf '孙八,resident,600000007,%s,\r\n' "$(idnum 44030519900101007)"
	echo ",resident,600000008,$(idnum 44030519900101008),"
	echo "周九,resident,600000009"
} >"$TMP/small.csv"
# The mother's check character is deliberately wrong (0 instead of X).

run 1 --json import persons "$TMP/small.csv" --report "$TMP/report.txt"
check "rows read (P5)" "$(j 'd["rows"]')" "9"
check "good rows imported (P5)" "$(j 'd["imported"]')" "3"
check "bad rows rejected (P5)" "$(j 'd["rejected"]')" "6"
check "one report line per rejected row" "$(wc -l <"$TMP/report.txt")" "6"
check "report names the line and the code" "$(grep -c '^line 3: person.invalid_id_number: ' "$TMP/report.txt")" "1"
check "a repeated SSN is rejected on its line" "$(grep -c '^line 5: person.duplicate: ' "$TMP/report.txt")" "1"
check "an unknown scheme" "$(grep -c '^line 6: person.invalid_scheme: ' "$TMP/report.txt")" "1"
check "an unknown employer" "$(grep -c '^line 7: employer.not_found: ' "$TMP/report.txt")" "1"
check "a short row" "$(grep -c '^line 10: ' "$TMP/report.txt")" "1"
ok --json person show 600000003
check "a quoted name with a comma" "$(j 'd["name"]')" "欧阳, 娜"
ok --json person show 600000007
check "a CRLF line" "$(j 'd["name"]')" "孙八"
ok --json person show 600000001
check "the tier-1 row has its account (P2)" "$(j 'd["account"]["balance_fen"]')" "0"
run 1 person show 600000006
check_err "a rejected row left nothing behind (P5)" "person.not_found"

# The report on stderr without --report.
run 1 import persons "$TMP/small.csv"
check "all rows rejected the second time" "$(grep -c '^line [0-9]*: ' <<<"$ERR")" "9"

# --- a whole file that is not a persons file -------------------------------
printf 'foo,bar\n1,2\n' >"$TMP/wrong.csv"
run 1 import persons "$TMP/wrong.csv"
check_err "a file without the columns is refused" "import.invalid_file"

# --- from standard input, clean: exit 0 ----------------------------------------
printf 'ssn,id_number,name,scheme\n600000011,%s,吴十一,resident\n' \
	"$(idnum 44030519900101011)" >"$TMP/one.csv"
OUT=$("$YIBAO" --json import persons - <"$TMP/one.csv")
check "'-' reads standard input; clean exit 0" "$?" "0"
check "one imported" "$(j 'd["imported"]')" "1"

# --- gen_persons: valid, unique, reproducible -----------------------------------
if [ -n "$GEN_PERSONS" ]; then
	"$GEN_PERSONS" 10000 --seed 11 >"$TMP/gen.csv"
	check "gen_persons writes N rows and a header" "$(wc -l <"$TMP/gen.csv")" "10001"
	check "the same seed, the same file" "$("$GEN_PERSONS" 10000 --seed 11 | cmp - "$TMP/gen.csv" && echo same)" "same"
	check "every row valid and unique (U2, U3)" "$("$PYTHON" -c '
import csv, sys
w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
ok = all(r["id_number"][17] == "10X98765432"[sum(int(c) * k for c, k in zip(r["id_number"], w)) % 11] for r in rows)
ok = ok and len({r["ssn"] for r in rows}) == len(rows) == len({r["id_number"] for r in rows})
tier1 = sum(r["scheme"] == "employee_tier1" for r in rows) / len(rows)
print(ok and 0.65 < tier1 < 0.75)
' "$TMP/gen.csv")" "True"

	# --- the 10,000-row smoke test (P5, A3, X3) ---
	start=$(date +%s.%N)
	run 0 --json import persons "$TMP/gen.csv"
	check "10,000 rows imported" "$(j 'd["imported"]')" "10000"
	echo "info: 10,000 rows in $("$PYTHON" -c "print(round($(date +%s.%N) - $start, 2))") s"
	ok --json ledger check
	check "the books balance after the import (A3)" "$(j 'd["ok"]')" "true"
	ok --json audit verify
	check "the audit chain verifies after the import (X3)" "$(j 'd["ok"]')" "true"

	# --- spoiled rows are reported one by one ---
	"$GEN_PERSONS" 1000 --seed 12 --bad-every 10 >"$TMP/bad.csv" 2>/dev/null
	run 1 --json import persons "$TMP/bad.csv" --report "$TMP/bad-report.txt"
	check "every 10th row rejected" "$(j 'str(d["imported"]) + " " + str(d["rejected"])')" "900 100"
	check "and reported" "$(wc -l <"$TMP/bad-report.txt")" "100"
fi

finish
