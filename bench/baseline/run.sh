#!/usr/bin/env bash
# run.sh — the PL/pgSQL baseline: the same settlement as yibao's, as one
# database function (schema.sql) driven by pgbench, on a throwaway,
# durable PostgreSQL 15 (fsync on, synchronous_commit on).
#
#   scripts/with-pg bench/baseline/run.sh [--persons N] [--duration SECS]
#                                         [--clients C] [--jobs J] [--out DIR]
#
# Defaults: 1,000,000 persons, 20 s, 8 clients, 2 threads, results in a
# temporary directory.  --clients takes a list ("1 8 64"): one load each,
# on the same data, one RESULT line each.  Prints pgbench's report, latency percentiles from
# its per-transaction log, a check that the books still balance, and one
# line "RESULT tps=... p50_ms=... p99_ms=... p999_ms=..." for bench/run.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
persons=1000000 duration=20 clients=8 jobs=2 out=""

die() { echo "baseline: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --persons) persons="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done
[ -n "${PGHOST:-}" ] || die "run me under scripts/with-pg (PGHOST is not set)"
if [ -z "$out" ]; then
  out="$(mktemp -d /tmp/yb-baseline.XXXXXX)"
fi
mkdir -p "$out"
nhouse=$(( (persons + 9) / 10 ))

psql -q -d postgres -c 'CREATE DATABASE baseline' >/dev/null
t0=$(date +%s.%N)
psql -q -X -d baseline -f "$here/schema.sql" >/dev/null
psql -q -X -d baseline -v nhouse="$nhouse" -f "$here/data.sql" >/dev/null
psql -q -X -d baseline -c CHECKPOINT  # the load's dirty buffers written before any run
t1=$(date +%s.%N)
echo "baseline: $((nhouse * 10)) persons loaded in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"

pct() { # pct P: the P-th percentile in ms
  awk -v p="$1" '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan"; exit }
    i = int(NR * p / 100); if (i < 1) i = 1; if (i > NR) i = NR
    printf "%.3f", v[i] / 1000 }' "$out/latency_us.txt"
}

# One load per client count, on the same data (pgha: --clients "1 8 64").
results=()
for c in $clients; do
  j=$jobs; [ "$j" -le "$c" ] || j=$c
  # pgbench writes its per-transaction log in the current directory.
  ( cd "$out" && pgbench -n -M prepared -c "$c" -j "$j" -T "$duration" \
      -f "$here/settle.pgbench" -D nhouse="$nhouse" -D run="r$c$(date +%s)" \
      -l --log-prefix=pgbench baseline ) | tee "$out/pgbench-$c.txt"
  # Latency percentiles over every transaction (field 3: microseconds).
  cat "$out"/pgbench.* 2>/dev/null | awk '{print $3}' | sort -n > "$out/latency_us.txt"
  rm -f "$out"/pgbench.[0-9]*
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out/pgbench-$c.txt" | tail -1)
  failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out/pgbench-$c.txt")
  results+=("RESULT tps=${tps:-0} clients=$c failed=${failed:-0} p50_ms=$(pct 50) p99_ms=$(pct 99) p999_ms=$(pct 99.9)")
done
# System accounts: their balance is the sum of their entries.
books=$(psql -X -At -d baseline -c "SELECT (SELECT sum(balance_fen) FROM accounts WHERE kind NOT IN ('fund_pool', 'contribution_income', 'patient_cash')) + (SELECT coalesce(sum(e.amount_fen), 0) FROM ledger_entries e JOIN accounts a ON a.id = e.account_id WHERE a.kind IN ('fund_pool', 'contribution_income', 'patient_cash')) || ' ' || (SELECT sum(amount_fen) FROM ledger_entries) || ' ' || (SELECT count(*) FROM accounts WHERE kind = 'personal' AND balance_fen < 0) || ' ' || (SELECT count(*) FROM settlements)")
read -r sum_bal sum_ent negative nsettled <<<"$books"
echo "baseline: books: sum of balances $sum_bal, sum of entries $sum_ent, negative personal accounts $negative, settlements $nsettled"
echo "baseline: shares by payer: $(psql -X -At -d baseline -c "SELECT string_agg(relationship || ' ' || n, ', ') FROM (SELECT relationship, count(*) AS n FROM settlement_shares GROUP BY 1 ORDER BY 1) s")"
[ "$sum_bal" = 0 ] && [ "$sum_ent" = 0 ] && [ "$negative" = 0 ] \
  || { echo "baseline: THE BOOKS DO NOT BALANCE" >&2; exit 1; }
for r in "${results[@]}"; do echo "$r settlements=$nsettled"; done
