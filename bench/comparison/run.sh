#!/usr/bin/env bash
# The comparison endpoint against a single council GET, on one server in one run (issue 9's
# bar: the compare call for one council, 4 measures over 9 years, at least half the requests
# per second of a single council GET). carewatch serves its embedded data.
#
#   bench/comparison/run.sh [DURATION_SECONDS] [CONNECTIONS]   wrk, council / compare / council / compare
#   INSTRUCTIONS=1 bench/comparison/run.sh [REQUESTS]           CPU instructions per request (valgrind
#                                                             callgrind), which repeat run to run on a
#                                                             loaded machine where req/s do not
#
# The same two URLs can be run beside the peers with the shared kit: compare's `council`
# endpoint on carewatch (--target-council E08000028) and wrk on COMPARE_URL below.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
COUNCIL_PATH=/v1/councils/E08000028
COMPARE_PATH='/v1/councils/E08000028/compare?measures=agency_rate,vacancy_rate,turnover_rate,caseload'

swift build -c release --product carewatch >/dev/null
BIN="$(swift build -c release --show-bin-path)/carewatch"
WORK="$(mktemp -d /tmp/carewatch-comparison-bench.XXXXXX)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
SERVER=""
stop() {
    if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; fi
    SERVER=""
}
trap 'stop; rm -rf "$WORK"' EXIT
start() {   # $@ = command prefix (e.g. valgrind ...)
    "$@" "$BIN" serve --host 127.0.0.1 --port "$PORT" --data-dir "$WORK/data" --access-log false >>"$WORK/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 600); do
        curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && return 0
        sleep 0.5
    done
    tail -20 "$WORK/server.log"; echo "the server did not become ready" >&2; exit 1
}

if [ "${INSTRUCTIONS:-0}" != "1" ]; then
    DURATION="${1:-10}"
    CONNECTIONS="${2:-64}"
    start
    echo "== wrk: 1 thread, $CONNECTIONS keep-alive connections, ${DURATION}s each, alternating (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    declare -A total
    for round in 1 2; do
        for name in council compare; do
            path=$COUNCIL_PATH; [ "$name" = compare ] && path=$COMPARE_PATH
            wrk -t1 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$PORT$path" >/dev/null
            rps=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$PORT$path" | awk '/Requests\/sec/ {print $2}')
            printf '%-8s round %d: %10.0f req/s\n' "$name" "$round" "$rps"
            total[$name]=$(python3 -c "print(${total[$name]:-0} + $rps)")
        done
    done
    python3 -c "print('compare / council req/s: %.2f (bar: >= 0.50)' % (${total[compare]} / ${total[council]}))"
    exit 0
fi

# Instructions: the server runs under callgrind; counters are zeroed before and dumped after
# each batch of REQUESTS sequential keep-alive requests, so start-up is not counted.
REQUESTS="${1:-2000}"
command -v callgrind_control >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }
start   # seed the data directory and snapshot it outside valgrind
stop
start valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.%p" --dump-instr=no
# /docs is rendered in the background as the server starts; waiting for it keeps that work
# out of the first batch.
curl -sf "http://127.0.0.1:$PORT/docs" >/dev/null
batch() {   # $1 = label: council, compare-cached, or compare-uncached
    curl -sf "http://127.0.0.1:$PORT$COUNCIL_PATH" >/dev/null
    callgrind_control -z "$SERVER" >/dev/null
    python3 - "$PORT" "$REQUESTS" "$1" "$COUNCIL_PATH" "$COMPARE_PATH" "$CODES" <<'PY'
import http.client, itertools, sys
port, count, label, council, compare, codes = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6].split()
# Uncached: the same four measures in another order, or another council, is another cache
# key with the same work, so every request computes a full comparison.
orders = [",".join(order) for order in itertools.permutations(["agency_rate", "vacancy_rate", "turnover_rate", "caseload"])]
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
for i in range(count):
    if label == "council":
        path = council
    elif label == "compare-cached":
        path = compare
    else:
        path = "/v1/councils/%s/compare?measures=%s" % (codes[i % len(codes)], orders[(i // len(codes)) % len(orders)])
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    assert response.status == 200, (path, response.status)
PY
    callgrind_control -d "$1" "$SERVER" >/dev/null
    local file ir
    file=$(ls -t "$WORK"/callgrind.* | head -1)
    ir=$(awk '/^summary:|^totals:/ {print $2; exit}' "$file")
    printf '%-18s %12.0f instructions per request\n' "$1" "$(python3 -c "print($ir / $REQUESTS)")"
    echo "$ir" > "$WORK/ir-$1"
}
CODES=$(curl -sf "http://127.0.0.1:$PORT/v1/councils?limit=500&format=csv" | tail -n +2 | cut -d, -f1 | tr '\r\n' '  ')
curl -sf "http://127.0.0.1:$PORT$COMPARE_PATH" >/dev/null   # the first compare fills the cache
batch council
batch compare-cached
batch compare-uncached
python3 -c "print('compare (cached) / council instructions per request: %.2f' % ($(cat "$WORK/ir-compare-cached") / $(cat "$WORK/ir-council")))"
