#!/usr/bin/env bash
# Zero compiler warnings: a clean debug build of every target, tests included, in a scratch
# directory of its own (an incremental build would hide the warnings of files it skips).
# Fails, listing them, if the compiler prints any warning.
#   .ci/warnings.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/lib.sh

scratch=.build-warnings
rm -rf "$scratch"
output=$(mktemp)
trap 'rm -rf "$output" "$scratch"' EXIT
if ! swift build --build-tests --scratch-path "$scratch" >"$output" 2>&1; then
    cat "$output"
    die "swift build --build-tests failed"
fi
# The same warning is printed once per compiler job that sees the file: count distinct ones.
warnings=$(grep -E '^[^ ].*: warning: ' "$output" | sort -u || true)
if [ -n "$warnings" ]; then
    printf '%s\n' "$warnings"
    die "$(printf '%s\n' "$warnings" | wc -l) distinct compiler warning(s)"
fi
log "clean build: no compiler warnings"
