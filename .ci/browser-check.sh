#!/usr/bin/env bash
# Browser check: Debian's chromium, headless, driven over the DevTools protocol by
# Tests/Browser/check.py, loads the dashboard's views, /docs and a page on another origin
# against the real server (debug build, as `swift run carewatch` gives), and checks what they
# show against the API, their requests, console, first render time, 360 px layout, keyboard
# search, and CORS end to end. Screenshots and report.json go to $BROWSER_CHECK_OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/lib.sh

apt_install chromium:chromium python3:python3 pip3:python3-pip
# Text needs a font; chromium's recommended fonts are not installed without recommends.
if ! dpkg -s fonts-dejavu-core >/dev/null 2>&1; then
    log "apt-get install fonts-dejavu-core"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-dejavu-core >/dev/null
fi
if ! python3 -c 'import websocket, yaml' 2>/dev/null; then
    log "pip install websocket-client pyyaml"
    python3 -m pip install --quiet --disable-pip-version-check websocket-client pyyaml 2>/dev/null \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages websocket-client pyyaml
fi

log "building the carewatch binary (debug, as swift run does)"
swift build --product carewatch >/dev/null
binary="$(swift build --show-bin-path)/carewatch"
out=${BROWSER_CHECK_OUT:-$(mktemp -d /tmp/carewatch-browser.XXXXXX)}
log "$(chromium --version 2>/dev/null | head -1); screenshots and report in $out"
python3 Tests/Browser/check.py --binary "$binary" --out "$out"
