#!/usr/bin/env bash
# Repeated A/B runs on a busy machine: alternates a server and carewatch on one endpoint, ROUNDS
# times, 5 s of `wrk -t1 -c64` each after 1 s of warm-up, and prints req/s, p50, p99 and the
# server's CPU per request (utime+stime from /proc around the run). One `compare` run on a
# shared machine says little about p99; the spread of several alternating runs says more.
#
#   bench/engine/alternate.sh OTHER ENDPOINT [ROUNDS]
#     OTHER:    a peer binary's name in shared/bench/peers (hummingbird-peer, vapor-peer), or the
#               path of another carewatch binary (a build of main, say)
#     ENDPOINT: healthz | council | list50
#
# carewatch is .build/release/carewatch (build it first) on its embedded data (council
# E08000028); peers serve the kit's fixture (council E06900001).
set -euo pipefail
OTHER="${1:?other server}"
ENDPOINT="${2:?healthz, council or list50}"
ROUNDS="${3:-3}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SHARED="${SHARED_BENCH:-$ROOT/../shared/bench}"
[ -d "$SHARED" ] || SHARED=/work/shared/bench
CAREWATCH="$ROOT/.build/release/carewatch"

path_for() {   # server-kind → request path
    case "$ENDPOINT" in
        healthz) echo /healthz ;;
        council) [ "$1" = carewatch ] && echo /v1/councils/E08000028 || echo /v1/councils/E06900001 ;;
        list50)  echo "/v1/councils?limit=50" ;;
    esac
}

run() {   # label kind command...
    local label=$1 kind=$2; shift 2
    local work port pid ready path
    work=$(mktemp -d)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    ready=healthz
    [ "$kind" = carewatch ] && ready=readyz
    PORT=$port FIXTURE="$SHARED/fixture/councils.json" DATA_DIR="$work/data" \
        "$@" > "$work/log" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/$ready" > /dev/null 2>&1 && break; sleep 0.1; done
    path=$(path_for "$kind")
    wrk -t1 -c64 -d1s "http://127.0.0.1:$port$path" > /dev/null
    local t0 t1 out n
    t0=$(awk '{print $14+$15}' /proc/$pid/stat)
    out=$(wrk -t1 -c64 -d5s --latency "http://127.0.0.1:$port$path")
    t1=$(awk '{print $14+$15}' /proc/$pid/stat)
    n=$(echo "$out" | awk '/requests in/ {print $1}')
    printf '%-12s %-8s req/s %9s  p50 %8s  p99 %8s  CPU us/req %5s  load %s\n' "$label" "$ENDPOINT" \
        "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" "$(echo "$out" | awk '$1=="50%" {print $2}')" \
        "$(echo "$out" | awk '$1=="99%" {print $2}')" \
        "$(python3 -c "print(round(($t1-$t0)/$(getconf CLK_TCK)*1e6/$n,1))")" "$(cut -d' ' -f1 /proc/loadavg)"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$work"
}

for _ in $(seq 1 "$ROUNDS"); do
    if [ -x "$OTHER" ]; then
        run "$(basename "$(dirname "$(dirname "$(dirname "$OTHER")")")")" carewatch \
            bash -c '"$0" --host 127.0.0.1 --port "$PORT" --data-dir "$DATA_DIR"' "$OTHER"
    else
        run "$OTHER" peer bash -c '"$0"' "$SHARED/peers/.build/release/$OTHER"
    fi
    run carewatch carewatch bash -c '"$0" --host 127.0.0.1 --port "$PORT" --data-dir "$DATA_DIR"' "$CAREWATCH"
done
