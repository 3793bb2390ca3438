#!/usr/bin/env bash
# Builds the Dockerfile unchanged with podman (registry-less: the base images are local
# stand-ins from .ci/base-images.sh) and checks what a container user relies on:
#   serves the embedded data; runs as non-root; its health check passes; data written to the
#   volume survives a new container; `podman stop` (SIGTERM) ends it cleanly and quickly.
# Cleans up its containers and volume whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/lib.sh

IMAGE=${CAREWATCH_IMAGE:-localhost/carewatch:ci}
STOP_LIMIT=10   # seconds; the image's drain timeout is 10 s and an idle server must beat it

ensure_container_tools
podman() { command podman --runtime runc "$@"; }

step "base images"
.ci/base-images.sh

step "podman build"
started=$SECONDS
# --format docker keeps HEALTHCHECK (the OCI image format has no field for it).
podman build --pull=never --format docker --quiet -t "$IMAGE" . >/dev/null \
    || die "podman build failed (rerun: podman --runtime runc build --pull=never --format docker -t $IMAGE .)"
log "built $IMAGE in $((SECONDS - started)) s"

tag=$$
name="carewatch-ci-$tag"
volume="carewatch-ci-data-$tag"
port=$(free_port)
key="ci-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
base="http://127.0.0.1:$port"
logdir=$(mktemp -d /tmp/carewatch-container.XXXXXX)
remove_containers() {
    podman rm -f -t 0 "$name" "$name-2" >/dev/null 2>&1 || true
    podman volume rm -f "$volume" >/dev/null 2>&1 || true
}
trap 'remove_containers; rm -rf "$logdir"' EXIT
remove_containers

failures=0
check() {                # $1 = description, rest = command; records a failure and carries on
    local what=$1
    shift
    if "$@"; then log "ok: $what"; else log "FAIL: $what"; failures=$((failures + 1)); fi
}

step "image configuration"
config=$(podman image inspect "$IMAGE" --format '{{.Config.User}}|{{json .Config.ExposedPorts}}|{{json .Config.Volumes}}|{{.Config.StopSignal}}|{{json .Config.Healthcheck}}')
log "user|ports|volumes|stopsignal|healthcheck = $config"
check "image user is not root" test "$(cut -d'|' -f1 <<<"$config" | cut -d: -f1)" != root
check "image user is set" test -n "$(cut -d'|' -f1 <<<"$config")"
check "exposes 8080" grep -q '8080/tcp' <<<"$config"
check "declares the /data volume" grep -q '"/data"' <<<"$config"
check "stop signal is SIGTERM" grep -q '|SIGTERM|' <<<"$config"
check "has a health check running 'carewatch healthcheck'" grep -q 'carewatch.*healthcheck' <<<"$config"
libs=$(podman run --rm --network=none --entrypoint ldd "$IMAGE" /usr/local/bin/carewatch 2>/dev/null || true)
log "the binary links: $(awk '{print $1}' <<<"$libs" | tr '\n' ' ')"
check "every shared library the binary needs is in the image" bash -c '! grep -q "not found" <<<"$1"' _ "$libs"

run_container() {        # $1 = container name
    podman run -d --name "$1" --network=host \
        -e CAREWATCH_PORT="$port" -e CAREWATCH_API_KEYS="$key" \
        -v "$volume:/data" "$IMAGE" >/dev/null 2>"$logdir/run-$1.err" \
        || { cat "$logdir/run-$1.err"; die "podman run failed"; }
    # (Without systemd, podman logs that it cannot schedule the periodic health check, here
    # and on stop/rm; 'podman healthcheck run' below runs it directly, so that noise is hidden.)
}

step "first container: serve, user, health, write"
run_container "$name"
if ! wait_for_http "$base/readyz" 120; then
    podman logs --tail 50 "$name" || true
    die "the container did not become ready on port $port"
fi
check "GET /v1/councils/E08000028 answers 200 with Sandwell" \
    bash -c 'curl -sf "$1/v1/councils/E08000028" | grep -q "\"name\":\"Sandwell\""' _ "$base"
uid=$(podman exec "$name" id -u)
check "the server process runs as a non-root user (uid $uid)" test "$uid" != 0
check "podman healthcheck run passes" podman healthcheck run "$name"
check "carewatch healthcheck inside the container exits 0" podman exec "$name" carewatch healthcheck
row='{"council":"E08000028","year":2016,"employed_fte":213.6,"agency_fte":96.0,"agency_rate":31.0,"vacancy_fte":75.0,"vacancy_rate":26.0,"leavers_fte":40.2,"turnover_rate":18.8,"caseload":17.9,"absence_rate":3.1,"asye_share":null}'
put_status=$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$base/v1/councils/E08000028/workforce/2016" \
    -H "Authorization: Bearer $key" -H 'Content-Type: application/json' --data "$row")
check "PUT a workforce row with the API key answers 200/201 (got $put_status)" grep -qE '^20[01]$' <<<"$put_status"

step "podman stop: SIGTERM, graceful drain"
stop_started=$(date +%s.%N)
podman stop -t "$STOP_LIMIT" "$name" >/dev/null 2>&1
stop_seconds=$(python3 -c "import sys; print(round($(date +%s.%N) - $stop_started, 2))")
exit_code=$(podman inspect "$name" --format '{{.State.ExitCode}}')
check "the container exited with 0 after SIGTERM (got $exit_code)" test "$exit_code" = 0
check "it stopped within ${STOP_LIMIT}s (took ${stop_seconds}s)" python3 -c "import sys; sys.exit(0 if $stop_seconds < $STOP_LIMIT else 1)"
[ "$exit_code" = 0 ] || podman logs --tail 30 "$name" || true

step "second container on the same volume: the write survived"
podman rm -f "$name" >/dev/null 2>&1
run_container "$name-2"
if ! wait_for_http "$base/readyz" 120; then
    podman logs --tail 50 "$name-2" || true
    die "the second container did not become ready"
fi
check "GET the row written before the restart" \
    bash -c 'curl -sf "$1/v1/councils/E08000028/workforce/2016" | grep -q "\"employed_fte\":213.6"' _ "$base"
podman stop -t "$STOP_LIMIT" "$name-2" >/dev/null 2>&1

[ "$failures" = 0 ] || die "$failures container check(s) failed"
log "container checks passed"
