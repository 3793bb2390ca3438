#!/usr/bin/env bash
# Runs a command (from the repository root) with everything beside the repository hidden, so
# that it cannot pass by reading files outside the clone (../shared, a sibling checkout, a
# developer's home): in a private mount namespace an empty tmpfs covers the clone's parent
# directory and the clone alone is mounted back on top of it. Needs root (or unshare rights);
# set CAREWATCH_CI_NO_ISOLATION=1 to run the command unisolated on a machine without them.
#   .ci/isolated.sh swift test
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/lib.sh

if [ "${CAREWATCH_CI_NO_ISOLATION:-}" = 1 ]; then
    log "CAREWATCH_CI_NO_ISOLATION=1: running '$*' WITHOUT hiding what is outside the repository"
    exec "$@"
fi

clone=$(pwd -P)
parent=$(dirname "$clone")
[ "$parent" != / ] || die "the repository sits directly under /; cannot hide its parent"
# Where the clone is parked while its parent is covered: outside that parent.
hold=""
for base in /run /var/tmp /dev/shm /mnt; do
    case "$base/" in "$parent"/*) continue ;; esac
    [ -d "$base" ] && hold=$(mktemp -d "$base/carewatch-isolation.XXXXXX" 2>/dev/null) && break
done
[ -n "$hold" ] || die "no directory outside $parent to park the clone in"

trap 'rmdir "$hold" 2>/dev/null || true' EXIT
log "running '$*' with $parent hidden except $clone"
unshare --mount --propagation private bash -euo pipefail -c '
    clone=$1 parent=$2 hold=$3
    shift 3
    mount --bind "$clone" "$hold"
    mount -t tmpfs -o mode=0755 carewatch-isolation "$parent"
    mkdir -p "$clone"
    mount --bind "$hold" "$clone"
    cd "$clone"
    if [ -e "$parent/shared" ] || [ "$(ls -A "$parent" | wc -l)" != 1 ]; then
        echo "isolation failed: $parent still shows $(ls -A "$parent")" >&2
        exit 1
    fi
    exec "$@"
' isolate "$clone" "$parent" "$hold" "$@"
