#!/usr/bin/env bash
# Instructions per request, counted by callgrind: a figure that repeats run to run on a shared,
# noisy machine, unlike req/s. The release server runs under valgrind; after a warm-up the
# counters are zeroed, exactly N requests are sent (fixed_requests.py, 8 keep-alive
# connections) and the counters dumped, so start-up and warm-up are not counted. Every
# thread's instructions count (event loops, Dispatch, the log flusher).
#
#   bench/engine/instructions.sh SERVER ENDPOINT [N]
#     SERVER:   carewatch (its embedded data, access log on as in the README's compare run)
#               or engine (bench/engine/EngineBenchServer on the shared kit's fixture)
#     ENDPOINT: healthz | council | list50 | put | put_distinct
#               (put sends the same row every time, a no-op write after the first;
#               put_distinct a different caseload each time, a journaled, fsynced write)
#     N:        requests counted (default 20000)
#
# Build first: swift build -c release --product carewatch --product EngineBenchServer
set -euo pipefail
SERVER="${1:?carewatch or engine}"
ENDPOINT="${2:?healthz, council, list50, put or put_distinct}"
N="${3:-20000}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${BIN:-$(cd "$ROOT" && swift build -c release --show-bin-path)}"   # or another build to compare
SHARED="${SHARED_BENCH:-$ROOT/../shared/bench}"
[ -d "$SHARED" ] || SHARED=/work/shared/bench
WORK="$(mktemp -d)"
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

case "$SERVER" in
    carewatch) COUNCIL=E08000028
               READY=readyz   # healthz answers while the data still loads
               CMD=("$BIN/carewatch" --host 127.0.0.1 --port "$PORT" --data-dir "$WORK/data" --api-keys bench-key) ;;
    engine)    COUNCIL=E06900001
               READY=healthz
               export FIXTURE="$SHARED/fixture/councils.json"
               CMD=("$BIN/EngineBenchServer" "$PORT") ;;
    *) echo "unknown server $SERVER" >&2; exit 2 ;;
esac
EXTRA=()
case "$ENDPOINT" in
    healthz) TARGET=/healthz ;;
    council) TARGET=/v1/councils/$COUNCIL ;;
    list50)  TARGET="/v1/councils?limit=50" ;;
    put)     TARGET=/v1/councils/$COUNCIL/workforce/2024
             # The shared kit's PUT row (the contract's example).
             printf '{"council":"%s","year":2024,"employed_fte":213.6,"agency_fte":96.0,"agency_rate":31.0,"vacancy_fte":75.0,"vacancy_rate":26.0,"leavers_fte":40.2,"turnover_rate":18.8,"caseload":17.9,"absence_rate":3.1,"asye_share":null}' "$COUNCIL" > "$WORK/row.json"
             EXTRA=(--method PUT --body "$WORK/row.json" --header "Authorization: Bearer bench-key" --header "Content-Type: application/json") ;;
    put_distinct)
             TARGET=/v1/councils/$COUNCIL/workforce/2024
             # The same row as put_distinct.lua: a different caseload every request.
             printf '{"council":"%s","year":2024,"employed_fte":213.6,"agency_fte":96.0,"agency_rate":31.0,"vacancy_fte":75.0,"vacancy_rate":26.0,"leavers_fte":40.2,"turnover_rate":18.8,"caseload":{n},"absence_rate":3.1,"asye_share":null}' "$COUNCIL" > "$WORK/row.json"
             EXTRA=(--method PUT --body "$WORK/row.json" --vary --header "Authorization: Bearer bench-key" --header "Content-Type: application/json") ;;
    *) echo "unknown endpoint $ENDPOINT" >&2; exit 2 ;;
esac

valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "${CMD[@]}" > "$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$PORT/$READY" > /dev/null 2>&1 && break
    sleep 0.2
done
python3 "$ROOT/bench/engine/fixed_requests.py" "$PORT" "$TARGET" 2000 8 "${EXTRA[@]}"    # warm-up
callgrind_control -z "$PID" > /dev/null
python3 "$ROOT/bench/engine/fixed_requests.py" "$PORT" "$TARGET" "$N" 8 "${EXTRA[@]}"
callgrind_control -d "$PID" > /dev/null
kill -TERM "$PID"; wait "$PID" 2>/dev/null || true
# The dump requested above (cg.out.1; the final one at exit holds the shutdown only).
TOTAL=$(awk '/^summary:/ { s += $2 } END { printf "%.0f", s }' "$WORK"/cg.out.1)
echo "$SERVER $ENDPOINT: $TOTAL instructions for $N requests = $((TOTAL / N)) per request"
if [ -n "${KEEP:-}" ]; then cp "$WORK"/cg.out* "$KEEP"/; fi
