# lib.sh — what the CLI test scripts share: a throwaway database, a way to
# run the real `yibao` binary and check its exit code, and JSON field
# extraction with python3 (jq is not installed).
#
# Usage in a test:  source "$(dirname "$0")/lib.sh" "$@"
#   ok  ARGS...         run yibao, expect exit 0      (stdout in $OUT)
#   run N ARGS...       run yibao, expect exit N      (stderr in $ERR)
#   j 'EXPR'            evaluate EXPR over d = json.loads($OUT)
#   check DESC GOT WANT compare two strings
#   finish              exit 1 if anything failed

set -uo pipefail

YIBAO=$(realpath "${1:?usage: test.sh /path/to/yibao [/path/to/gen_persons]}")
GEN_PERSONS=${2:+$(realpath "$2")}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# YB_TEST_ENGINE=pg (under scripts/with-pg): a database of its own on
# the throwaway server, dropped at the end; otherwise a SQLite file.
ENGINE=${YB_TEST_ENGINE:-sqlite}
if [ "$ENGINE" = pg ]; then
	: "${YB_TEST_PG:?a pg run needs the server of scripts/with-pg (YB_TEST_PG)}"
	PGDB="yb_cli_$$_$RANDOM"
	psql -X -q -d "$YB_TEST_PG" -c "CREATE DATABASE $PGDB" >/dev/null || exit 1
	trap 'psql -X -q -d "$YB_TEST_PG" -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
	export YIBAO_DB="pg:$YB_TEST_PG dbname=$PGDB"
else
	export YIBAO_DB="$TMP/yibao.db"
fi
unset YIBAO_CONFIG
# The interpreter itself, resolved once: a version manager's python3 shim
# can take seconds per start, and the tests start it for every check.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
OUT=""
ERR=""
FAILS=0
STEPS=0

run() {
	local want=$1 rc
	shift
	OUT=$("$YIBAO" "$@" 2>"$TMP/stderr")
	rc=$?
	ERR=$(cat "$TMP/stderr")
	STEPS=$((STEPS + 1))
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL: yibao $* -> exit $rc, want $want"
		echo "  stdout: $OUT" | head -20
		echo "  stderr: $ERR" | head -5
		FAILS=$((FAILS + 1))
		return 1
	fi
	return 0
}

ok() {
	run 0 "$@"
}

# j 'd["shares"][0]["amount_fen"]' — strings print bare, the rest as JSON.
j() {
	"$PYTHON" -c '
import json, sys
try:
    d = json.loads(sys.stdin.read())
    v = eval(sys.argv[1])
except Exception as e:
    print("<%s: %s>" % (type(e).__name__, e))
    sys.exit(0)
print(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
' "$1" <<<"$OUT"
}

check() {
	STEPS=$((STEPS + 1))
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: got '$2', want '$3'"
		FAILS=$((FAILS + 1))
	else
		echo "ok: $1"
	fi
}

# The stderr of the last run contains TEXT.
check_err() {
	STEPS=$((STEPS + 1))
	case "$ERR" in
	*"$2"*) echo "ok: $1" ;;
	*) echo "FAIL: $1: stderr '$ERR' lacks '$2'"; FAILS=$((FAILS + 1)) ;;
	esac
}

# An ID number with its ISO 7064 MOD 11-2 check character (SPEC U2).
idnum() {
	"$PYTHON" -c '
import sys
s = sys.argv[1]
w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
print(s + "10X98765432"[sum(int(c) * k for c, k in zip(s, w)) % 11])
' "$1"
}

finish() {
	if [ "$FAILS" -gt 0 ]; then
		echo "$FAILS of $STEPS checks failed"
		exit 1
	fi
	echo "all $STEPS checks passed"
	exit 0
}
