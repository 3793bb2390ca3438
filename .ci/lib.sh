# Shared helpers for the CI scripts (sourced, not run).
# Tools are installed on first use so that .ci/run works on a fresh Debian machine without
# a prompt (CI has no stdin) and does nothing on a machine that already has them.

log() { printf '[ci %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { printf '[ci %s] FAILED: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; exit 1; }
step() { printf '\n==== %s ====\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

apt_updated=0
apt_install() {          # installs only the packages whose command is missing
    local missing=()
    local pair
    for pair in "$@"; do  # "command:package"
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    log "apt-get install ${missing[*]}"
    if [ "$apt_updated" = 0 ]; then
        as_root apt-get update -qq >/dev/null
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pip_install() {          # "module:package" pairs; installs only what python cannot import / run
    local missing=()
    local pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    apt_install python3:python3 pip3:python3-pip
    log "pip install ${missing[*]}"
    python3 -m pip install --quiet --disable-pip-version-check "${missing[@]}" 2>/dev/null \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "${missing[@]}"
    hash -r
}

# podman as containers.md says it works here: runc (crun fails on cgroups) and no default
# ulimits (setrlimit is not permitted).
ensure_container_tools() {
    apt_install podman:podman runc:runc debootstrap:debootstrap curl:curl
    if [ -z "${CONTAINERS_CONF:-}" ]; then
        export CONTAINERS_CONF=/tmp/carewatch-containers.conf
        printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n' > "$CONTAINERS_CONF"
    fi
}

free_port() {            # a free high TCP port on 127.0.0.1
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_for_http() {        # $1 = url, $2 = seconds; succeeds once the url answers 200
    local deadline=$((SECONDS + $2))
    while [ "$SECONDS" -lt "$deadline" ]; do
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null)" = 200 ] && return 0
        sleep 0.5
    done
    return 1
}
