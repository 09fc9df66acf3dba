#!/usr/bin/env bash
# exit_codes.sh — the command line's contract with scripts: exit 0 done,
# 1 refused by a rule, 2 usage error; --help on every command; errors as
# "error: <code>: <message>" on stderr and as JSON with --json (X4); the
# global options and their environment variables; the yibaod alias.
source "$(dirname "$0")/lib.sh" "$@"

# --- help everywhere, exit 0 --------------------------------------------------
helps=(
	"init" "person add" "person show" "person suspend" "person resume"
	"person terminate" "person password" "employer add" "employer show"
	"import persons" "contribution post" "card apply" "card ready"
	"card issue" "card activate" "card loss" "card return" "card show"
	"ecert" "calendar load" "calendar show" "bind add" "bind end"
	"bind list" "institution add" "institution show" "settle"
	"settle revoke" "settle show" "offline record" "offline resettle"
	"offline show" "reconcile" "inquire" "ledger check" "audit verify"
	"audit list" "key create" "serve" "demo seed" "backup"
)
for h in "${helps[@]}"; do
	# shellcheck disable=SC2086
	if run 0 $h --help; then
		case "$OUT" in
		*usage:*Example*) echo "ok: $h --help" ;;
		*) echo "FAIL: $h --help lacks usage or examples"; FAILS=$((FAILS + 1)) ;;
		esac
	fi
done
for fam in person employer import contribution card calendar bind institution offline ledger audit key demo; do
	run 0 "$fam" --help
	run 2 "$fam"
done
ok --help
check "top-level help lists the commands" "$(grep -c '^  settle ' <<<"$OUT")" "1"
ok help

# --- usage errors, exit 2 ------------------------------------------------------------
run 2
run 2 nosuchcommand
check_err "unknown command" "unknown command"
run 2 --bogus init
run 2 person frobnicate
check_err "unknown subcommand" "unknown subcommand"
run 2 person show
check_err "missing argument" "missing argument"
run 2 person show 1 2
run 2 person add --ssn 600000001
check_err "a required option is named" "--id-number is required"
run 2 person add --ssn
check_err "an option without its value" "needs a value"
run 2 card issue not-a-number
run 2 audit list --limit 0
run 2 contribution post --ssn 600000001 --period 2026-09 --employer E1 --base abc \
	--employer-part 1 --personal-part 1 --account-credit 1
check_err "amounts are yuan (U1)" "amount in yuan"
run 2 contribution post --ssn 600000001 --period 2026-09 --employer E1 --base 1 --base-fen 100 \
	--employer-part 1 --personal-part 1 --account-credit 1
check_err "yuan or fen, not both" "not both"
run 2 serve --threads many
run 2 serve --writer-cpu first
run 2 serve --writer-cpu 4096
check_err "--writer-cpu is a CPU number" "from 0 to 1023"
run 2 serve --max-batch 0
check_err "--max-batch is at least one request" "from 1 to 4096"
run 2 reconcile yesterday --institution H1
run 2 import persons "$TMP/no-such-file.csv"
run 2 --json person show
check "a usage error in JSON" "$(j 'd["error"]["code"]')" "usage"

# --- refusals, exit 1 (X4) -------------------------------------------------------------
ok init
run 2 serve --listen 127.0.0.1:0 --writer-cpu 1023
check_err "a CPU the server may not run on is refused" "not one this process may use"
# An argument that begins with '-' goes after -- (a paasid could, before
# they were drawn never to); an unknown short option is named itself.
run 2 nhsa revoke -abc
check_err "an unknown short option is named by its letter" "unknown option '-a'"
run 1 nhsa revoke -- -abc
check_err "after --, '-abc' is a paasid" "paasid -abc"
ok institution add --code HDASH --name 横杠医院 --type hospital
dash=0
for _ in $(seq 1 128); do
	ok --json nhsa credential --institution HDASH
	case "$(j 'd["paasid"]')" in -*) dash=$((dash + 1)) ;; esac
done
check "no paasid begins with '-' (128 drawn; 2 expected without the rule)" "$dash" "0"
run 1 person show 999999999
check "errors on stderr as 'error: code: message' (X4)" "${ERR%%:*}: $(cut -d: -f2 <<<"$ERR" | tr -d ' ')" "error: person.not_found"
run 1 --json person show 999999999
check "the error object on stdout with --json (X4)" "$(j 'd["error"]["code"]')" "person.not_found"
run 1 person add --ssn 12 --id-number "$(idnum 44030519780315001)" --name 甲 --scheme resident
check_err "a malformed SSN (U3)" "person.invalid_ssn"
run 1 person add --ssn 600000001 --id-number "$(idnum 44030519780315001)" --name 甲 --scheme tier9
check_err "an unknown scheme (P2)" "person.invalid_scheme"
run 1 card show NOSUCHCARD
check_err "an unknown card" "card.not_found"
run 1 key create --role institution
check_err "an institution key needs its institution (X1)" "request.missing_field"

# --- human output: money as yuan (U1) ---------------------------------------------
ok employer add --code E1 --name 甲公司
ok person add --ssn 600000001 --id-number "$(idnum 44030519780315001)" --name 李建国 --scheme employee_tier1
ok contribution post --ssn 600000001 --period 2026-09 --employer E1 --base 30000 \
	--employer-part 1800 --personal-part 600 --account-credit 1234.50
ok person show 600000001
check "balance shown as yuan" "$(grep -c '¥1,234.50' <<<"$OUT")" "1"
ok --json person show 600000001
check "balance in JSON as fen (U1)" "$(j 'd["account"]["balance_fen"]')" "123450"
ok person show 600000001 --json
check "--json after the command too" "$(j 'd["ssn"]')" "600000001"

# --- settings: --config and YIBAO_CONFIG -----------------------------------------------
printf 'region = 440100\n' >"$TMP/gz.conf"
ok --config "$TMP/gz.conf" --json person add --ssn 600000002 --id-number "$(idnum 44010519800722002)" --name 王秀英 --scheme resident
check "--config sets the region (U4)" "$(j 'd["region"]')" "440100"
YIBAO_CONFIG="$TMP/gz.conf" run 0 --json person add --ssn 600000003 --id-number "$(idnum 44010520120901003)" --name 李小明 --scheme resident
check "YIBAO_CONFIG is read" "$(j 'd["region"]')" "440100"
printf 'no_such_key = 1\n' >"$TMP/bad.conf"
run 1 --config "$TMP/bad.conf" person show 600000001
check_err "a bad settings file is refused" "settings.invalid"
run 2 --config "$TMP/missing.conf" person show 600000001

# --- database location: --db, YIBAO_DB, ./var/yibao.db ------------------------------
ok --db "$TMP/other.db" init
check "--db makes that database" "$(test -f "$TMP/other.db" && echo yes)" "yes"
mkdir "$TMP/cwd"
(cd "$TMP/cwd" && env -u YIBAO_DB "$YIBAO" init >/dev/null 2>&1)
check "the default is ./var/yibao.db, var/ made" "$(test -f "$TMP/cwd/var/yibao.db" && echo yes)" "yes"

# --- password from standard input (X2) --------------------------------------------------------
OUT=$(echo 'correct horse battery' | "$YIBAO" person password 600000001 2>&1)
check "password read from stdin" "$?" "0"
OUT=$(echo 'short' | "$YIBAO" person password 600000001 2>&1)
check "a short password is refused (X2)" "$?" "1"
ok person password 600000001 --password 'another long one'

# --- yibaod is yibao serve ------------------------------------------------------------------
ln -s "$YIBAO" "$TMP/yibaod"
OUT=$("$TMP/yibaod" --help)
check "yibaod --help is the serve help" "$(grep -c 'usage: yibao serve' <<<"$OUT")" "1"

finish
