#!/usr/bin/env bash
# Engine-only benchmark: release-builds EngineBenchServer (target `EngineBenchServer`, sources in
# bench/engine/EngineBenchServer), serves the bench kit's small fixed JSON (/healthz) with
# keep-alive and drives it with wrk. Then, optionally, the side-by-side comparison with the
# peers from the shared kit.
#
#   bench/engine/run.sh [DURATION_SECONDS] [CONNECTIONS]      wrk only (default 10 s, 64 connections)
#   COMPARE=1 bench/engine/run.sh                              also run shared/bench/compare
#
# The comparison command it runs (from the repository root) is:
#   ../shared/bench/compare --only hummingbird,target --endpoints healthz --duration 10 \
#       --target '.build/release/EngineBenchServer $PORT' --target-name engine
# (drop --endpoints to also run council, list50 and put; the bench server serves them from $FIXTURE).
set -euo pipefail
DURATION="${1:-10}"
CONNECTIONS="${2:-64}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SHARED="${SHARED_BENCH:-$ROOT/../shared/bench}"
[ -d "$SHARED" ] || SHARED=/work/shared/bench
cd "$ROOT"

swift build -c release --product EngineBenchServer
BIN="$(swift build -c release --show-bin-path)/EngineBenchServer"

PORT="${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
FIXTURE="$SHARED/fixture/councils.json" "$BIN" "$PORT" &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.1
done
curl -si "http://127.0.0.1:$PORT/healthz"; echo
echo "== wrk: 1 thread, $CONNECTIONS keep-alive connections, ${DURATION}s, GET /healthz"
wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/healthz"
kill -TERM $SERVER; wait $SERVER 2>/dev/null || true
trap - EXIT

if [ "${COMPARE:-0}" = "1" ]; then
    "$SHARED/compare" --only hummingbird,target --endpoints "${ENDPOINTS:-healthz}" --duration "$DURATION" \
        --target "$BIN"' $PORT' --target-name engine
fi
