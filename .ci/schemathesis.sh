#!/usr/bin/env bash
# Contract fuzz: starts the real server (temp data dir, high port on 127.0.0.1, an API key so
# writes are exercised too) and lets schemathesis check it against openapi.yaml, including
# that every request the document calls invalid is refused (negative_data_rejection; its
# settings are in .ci/schemathesis.toml). Bounded in examples per operation and in wall
# time. Any failed check fails CI. The server is always
# stopped, by its own PID, and must exit 0 on SIGTERM (graceful drain).
# GET /v1/changes/stream is left out: an event stream lasts as long as its client listens,
# which a request-and-response fuzzer cannot read to the end (ChangeStreamTests check it
# over real sockets).
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/lib.sh

MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-20}
TIME_LIMIT=${SCHEMATHESIS_TIME_LIMIT:-900}
CHECKS=not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance,negative_data_rejection

apt_install curl:curl
pip_install schemathesis:schemathesis

log "building the carewatch binary (debug, as swift test does)"
swift build --product carewatch >/dev/null
binary="$(swift build --show-bin-path)/carewatch"

workdir=$(mktemp -d /tmp/carewatch-fuzz.XXXXXX)
port=$(free_port)
key="ci-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
server_pid=""
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap stop_server EXIT

log "starting $binary on 127.0.0.1:$port (data in $workdir/data)"
# The key goes in through the server's environment only, so it is not in ps output.
CAREWATCH_API_KEYS="$key" "$binary" serve --host 127.0.0.1 --port "$port" --data-dir "$workdir/data" --drain-timeout 5 \
    --access-log false >"$workdir/server.log" 2>&1 &
server_pid=$!
if ! wait_for_http "http://127.0.0.1:$port/readyz" 120; then
    tail -50 "$workdir/server.log"
    die "the server did not become ready on port $port"
fi
log "server ready (pid $server_pid)"

status=0
# Run from the scratch directory: schemathesis and hypothesis keep their state (.hypothesis,
# .schemathesis) in the working directory, which must not be the repository.
spec="$PWD/openapi.yaml"
config="$PWD/.ci/schemathesis.toml"
cd "$workdir"
timeout --signal=INT --kill-after=30 "$TIME_LIMIT" \
    schemathesis --config-file "$config" run "$spec" \
        --url "http://127.0.0.1:$port" \
        --checks "$CHECKS" \
        --max-examples "$MAX_EXAMPLES" \
        --workers 1 \
        --seed "${SCHEMATHESIS_SEED:-20261123}" \
        --request-timeout 10 \
        --suppress-health-check all \
        --header "Authorization: Bearer $key" \
        --exclude-path /v1/changes/stream \
        --report junit --report-dir "${SCHEMATHESIS_REPORT_DIR:-$workdir/report}" \
    || status=$?

log "stopping the server with SIGTERM"
kill -TERM "$server_pid"
stop_deadline=$((SECONDS + 15))
while kill -0 "$server_pid" 2>/dev/null && [ "$SECONDS" -lt "$stop_deadline" ]; do sleep 0.2; done
if kill -0 "$server_pid" 2>/dev/null; then
    die "the server did not exit within 15 s of SIGTERM"
fi
exit_code=0
wait "$server_pid" || exit_code=$?
server_pid=""
[ "$exit_code" = 0 ] || { tail -30 "$workdir/server.log"; die "the server exited with $exit_code after SIGTERM"; }

if [ "$status" = 124 ]; then die "schemathesis ran over its time limit of ${TIME_LIMIT}s"; fi
if [ "$status" != 0 ]; then
    tail -30 "$workdir/server.log"
    die "schemathesis found the server out of contract (exit $status)"
fi
log "contract fuzz passed"
