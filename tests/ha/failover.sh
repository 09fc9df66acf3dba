#!/usr/bin/env bash
# failover.sh — five failover rounds (tests/ha/meson.build): round k kills
# the primary once 10 + 40 (k - 1) settlements have been acknowledged,
# each round on a fresh primary + synchronous standby.
set -euo pipefail
root="${YB_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
for k in 1 2 3 4 5; do
  echo "== failover round $k: kill after $((10 + 40 * (k - 1))) acknowledged settlements"
  YB_TEST_ENGINE=pg YB_KILL_AFTER=$((10 + 40 * (k - 1))) \
    "$root/scripts/with-pg-ha" node --test "$root/tests/ha/failover.test.mjs"
done
