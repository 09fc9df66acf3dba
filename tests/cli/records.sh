#!/usr/bin/env bash
# records.sh — records and proofs on the command line (SPEC R1–R4), on
# the engine asked for: a statement written as CSV (with its BOM) and as
# PDF (read back with pdftotext); gaps; a proof issued, verified (exit 0),
# a changed code not (exit 1), revoked; employer arrears for one employer
# and for all, as JSON and CSV; and the refusals with their codes.
source "$(dirname "$0")/lib.sh" "$@"

# Months relative to this one, in Asia/Shanghai as the service counts.
month() { TZ=Asia/Shanghai date -d "$(TZ=Asia/Shanghai date +%Y-%m-15) $1 month" +%Y-%m; }
NOW=$(month 0)
CLOSED=$(month -1)

ok init
ok employer add --code E001 --name "深圳湾科技有限公司"
ok person add --ssn 700000001 --id-number "$(idnum 44030519800101001)" --name 陈大文 --scheme employee_tier1 --employer E001
ok person add --ssn 700000002 --id-number "$(idnum 44030519820315002)" --name 林美玲 --scheme employee_tier1 --employer E001
for k in -12 -11 -10 -9 -8 -7 -5 -4 -3 -2 -1; do      # 700000001 misses -6
	ok contribution post --ssn 700000001 --period "$(month $k)" --employer E001 \
		--base 10000.00 --employer-part 600.00 --personal-part 200.00 --account-credit 250.00
done
for k in -12 -11 -10 -9 -8 -7 -6 -5 -4; do           # 700000002: none since -3
	ok contribution post --ssn 700000002 --period "$(month $k)" --employer E001 \
		--base 8000.00 --employer-part 480.00 --personal-part 160.00 --account-credit 100.00
done

# R1: a statement as CSV on stdout, as PDF into a file
ok statement contributions 700000001 --from "$(month -12)" --to "$CLOSED"
check "CSV begins with the UTF-8 BOM" "$(head -c 3 <<<"$OUT" | od -An -tx1 | tr -d ' ')" "efbbbf"
check "a header and eleven months" "$(grep -c . <<<"$OUT")" "12"
ok statement ledger 700000001 --format pdf --out "$TMP/ledger.pdf"
check "the note names the file" "$(grep -c "wrote $TMP/ledger.pdf" <<<"$OUT")" "1"
TEXT=$(pdftotext -layout "$TMP/ledger.pdf" -)
check "the PDF is the account statement" "$(head -1 <<<"$TEXT" | grep -c '个人账户明细')" "1"
check "with its closing balance" "$(grep -cE '期末余额\s*2,750\.00' <<<"$TEXT")" "1"
run 2 statement ledger 700000001 --format xlsx
run 1 statement contributions 700000001 --from 2026-13 --to 2026-12
check_err "a month that is not one" "period.invalid"
run 1 statement contributions 700000001 --from 1926-01 --to 2025-12
check_err "a century is too long" "period.too_long"
run 1 statement employer E404
check_err "no such employer" "employer.not_found"
ok statement employer E001 --from "$(month -12)" --to "$CLOSED"
check "the employer's statement holds both" "$(grep -c '^20..-..,70000000[12],' <<<"$OUT")" "20"

# R3: gaps
ok --json gaps 700000001
check "first month" "$(j 'd["first_month"]')" "$(month -12)"
check "one gap" "$(j '[(g["from"], g["months"]) for g in d["gaps"]]')" "[[\"$(month -6)\", 1]]"
check "continuity up to now" "$(j 'd["continuity_months"]')" "5"

# R2: a proof, verified; a changed code, not; revoked
ok --json proof issue 700000001 --out "$TMP/proof.pdf"
check "the PDF is written" "$(test -s "$TMP/proof.pdf" && echo yes)" "$(j '"yes" if d["file"] else ""')"
ok --json proof list 700000001
CODE=$(j 'd["items"][0]["code"]')
check "a code of 26 characters" "${#CODE}" "26"
check "the PDF carries the code" "$(pdftotext "$TMP/proof.pdf" - | grep -q "$CODE" && echo yes)" "yes"
ok --json proof verify "$CODE"
check "genuine" "$(j 'd["genuine"]')" "true"
check "what it stated, masked" "$(j 'd["stated"]["name"]')" "陈*"
CHANGED=${CODE:0:5}$([ "${CODE:5:1}" = A ] && echo B || echo A)${CODE:6}
run 1 --json proof verify "$CHANGED"
check "a changed code is unknown" "$(j 'd["verdict"]')" "unknown"
run 2 proof revoke "$CODE"
ok --json proof revoke "$CODE" --reason "issued in error"
check "revoked" "$(j 'd["verdict"]')" "revoked"
run 1 proof revoke "$CODE" --reason again
check_err "revoked once" "proof.already_revoked"
run 1 --json proof verify "$CODE"
check "a revoked proof is not genuine" "$(j 'd["verdict"]')" "revoked"

# R4: arrears
ok --json arrears --employer E001 --from "$(month -6)" --to "$CLOSED"
check "two employees, both in arrears" "$(j '[d["employees"], d["employees_in_arrears"], d["missing_months"]]')" "[2, 2, 4]"
check "700000002 misses the last three" "$(j '[(i["ssn"], i["missing"][0]["from"]) for i in d["items"] if i["missing_months"] == 3]')" \
	"[[\"700000002\", \"$(month -3)\"]]"
ok --json arrears --from "$(month -6)" --to "$CLOSED"
check "the employer listed" "$(j '[(i["employer_code"], i["missing_months"]) for i in d["items"]]')" '[["E001", 4]]'
ok arrears --format csv --from "$(month -6)" --to "$CLOSED"
check "CSV of the list" "$(grep -c "^E001,深圳湾科技有限公司,$(month -6),$CLOSED,2,2,4" <<<"$OUT")" "1"
run 1 arrears --sort salary
check_err "a bad sort key" "record.invalid_sort"
run 2 arrears --format pdf

finish
