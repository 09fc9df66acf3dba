#!/usr/bin/env bash
# run_demo.sh — scripts/run-demo (`make run`) on a throwaway database, in
# its command-line form (YIBAO_DEMO_CLI=1: no server is started): init,
# demo seed, logins shown, and the family story played through — binding
# (F1), settlement by relatives (S3), revocation (S5), offline
# re-settlement (S6), reconciliation (S7), family usage (F7) — ending with
# balanced books and a verified audit chain (A3, X3).
source "$(dirname "$0")/lib.sh" "$@"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(YIBAO_DEMO_CLI=1 "$REPO/scripts/run-demo" "$YIBAO" "$TMP/demo/yibao.db" 2>&1)
check "run-demo exits 0" "$?" "0"
check "the demo logins are shown" "$(grep -c 'yibao-demo' <<<"$OUT")" "4"
check "the child's bill is paid by the father (S3)" "$(grep -c '^  600000001  *child  *¥300.00' <<<"$OUT")" "2"
check "revoked (S5)" "$(grep -c '^state  *revoked' <<<"$OUT")" "1"
check "re-settled with a refund (S6)" "$(grep -c '^refund to patient  ¥45.00' <<<"$OUT")" "1"
check "books and chain verified (A3, X3)" "$(grep -c '^ok  *yes' <<<"$OUT")" "2"
check "the demo database is left as seeded" "$(test -f "$TMP/demo/demo-credentials.json" && echo yes)" "yes"

finish
