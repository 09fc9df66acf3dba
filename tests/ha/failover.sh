#!/usr/bin/env bash
# failover.sh K — failover round K of 5 (tests/ha/meson.build declares
# one test per round, so they may run side by side and a failure names
# its round): kill the primary once 10 + 40 (K - 1) settlements have
# been acknowledged, on a fresh primary + synchronous standby.
set -euo pipefail
root="${YB_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
k="${1:?usage: failover.sh ROUND (1-5)}"
echo "== failover round $k: kill after $((10 + 40 * (k - 1))) acknowledged settlements"
YB_TEST_ENGINE=pg YB_KILL_AFTER=$((10 + 40 * (k - 1))) \
  exec "$root/scripts/with-pg-ha" node --test "$root/tests/ha/failover.test.mjs"
