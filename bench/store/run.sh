#!/bin/bash
# Durable-write throughput (carewatch store vs SQLite WAL + synchronous=FULL, same disk,
# same workload) and 1M-row start-up (needs hyperfine: apt-get install hyperfine).
# Usage: bench/store/run.sh [WORKDIR] [SECONDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${1:-/tmp/carewatch-store-bench}"
seconds="${2:-5}"
swift build -c release --package-path "$here" --scratch-path "$work/.build" 2>&1 | tail -1
bench="$work/.build/release/StoreBench"
mkdir -p "$work"
for clients in 1 8 64; do
  rm -rf "$work/cw" "$work"/sq.db*
  "$bench" writes "$work/cw" "$clients" "$seconds"
  python3 "$here/sqlite_writes.py" "$work/sq.db" "$clients" "$seconds"
done
rm -rf "$work/big"
# With the 100,000 history entries a running store keeps by default.
python3 "$here/make_synthetic.py" "$work/big" 1000000 100000
snapshot=$(ls "$work"/big/snapshot-*.json)
# Start-up alone (Store.open; no writes, no snapshot) beside Python reading the same file.
hyperfine --warmup 1 --runs 7 "$bench load $work/big" "python3 $here/json_load.py $snapshot"
for run in 1 2 3; do /usr/bin/time -v "$bench" load "$work/big" 2>&1 | grep -E 'carewatch|Maximum resident'; done
# Then a query, one durable write and a full snapshot on that state.
/usr/bin/time -v "$bench" open "$work/big" 2>&1 | grep -E 'carewatch|Maximum resident'
rm -rf "$work/cw" "$work"/sq.db* "$work/big"
