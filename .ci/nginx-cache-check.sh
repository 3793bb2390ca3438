#!/usr/bin/env bash
# Reads scale out through a standard cache: starts the real carewatch binary, and Debian's
# nginx in front of it with exactly the proxy_cache configuration the README shows (the
# ```nginx block of "Behind a shared cache"), and checks, through nginx:
#   1. a second read of a URL is a cache hit;
#   2. a read after max-age is revalidated with carewatch, which answers 304 (its access log);
#   3. a write goes through, and becomes visible within max-age of its answer (plus the
#      second nginx may round its expiry up by: it keeps whole seconds);
#   4. a read with an API key is neither served from nor kept in the cache;
#   5. the change stream passes through unbuffered.
# Only the README's port and cache path are replaced (a free port, a temp directory).
# Both processes are stopped by their own PIDs.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/lib.sh

MAX_AGE=5   # carewatch's Cache-Control max-age (CacheableResponse.maxAge)

apt_install curl:curl nginx:nginx python3:python3

log "building the carewatch binary (debug, as swift test does)"
swift build --product carewatch >/dev/null
binary="$(swift build --show-bin-path)/carewatch"

work=$(mktemp -d /tmp/carewatch-nginx.XXXXXX)
carewatch_pid=""
nginx_pid=""
cleanup() {
    [ -n "$nginx_pid" ] && kill -TERM "$nginx_pid" 2>/dev/null || true
    [ -n "$carewatch_pid" ] && kill -TERM "$carewatch_pid" 2>/dev/null || true
    [ -n "$nginx_pid" ] && wait "$nginx_pid" 2>/dev/null || true
    [ -n "$carewatch_pid" ] && wait "$carewatch_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

backend_port=$(free_port)
front_port=$(free_port)
key="ci-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

log "starting carewatch on 127.0.0.1:$backend_port"
CAREWATCH_API_KEYS="$key" "$binary" serve --host 127.0.0.1 --port "$backend_port" --data-dir "$work/data" \
    >"$work/access.log" 2>"$work/server.log" &
carewatch_pid=$!
wait_for_http "http://127.0.0.1:$backend_port/readyz" 120 || { tail -20 "$work/server.log"; die "carewatch did not become ready"; }

# The README's block, as a reader would paste it into nginx's http { } block.
awk '/^## Behind a shared cache/ { section = 1 } section && /^```nginx$/ { inside = 1; next } inside && /^```$/ { exit } inside { print }' \
    README.md > "$work/carewatch.conf"
grep -q "proxy_cache carewatch;" "$work/carewatch.conf" || die "no nginx block found in README.md"
sed -i -e "s#http://127.0.0.1:8080#http://127.0.0.1:$backend_port#g" \
       -e "s#listen 80;#listen 127.0.0.1:$front_port;#" \
       -e "s#/var/cache/nginx/carewatch#$work/cache#" "$work/carewatch.conf"
mkdir -p "$work/cache" "$work/nginx"
cat > "$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 256; }
http {
    access_log $work/nginx/access.log;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    include $work/carewatch.conf;
}
EOF
# As root nginx's workers run as nobody: let them use the scratch directory.
chmod -R a+rwx "$work"
nginx -t -c "$work/nginx.conf" -p "$work/nginx" >/dev/null 2>"$work/nginx-test.log" || { cat "$work/nginx-test.log"; die "nginx refused the README's configuration"; }
log "starting nginx on 127.0.0.1:$front_port in front of it"
nginx -c "$work/nginx.conf" -p "$work/nginx" -g 'daemon off;' &
nginx_pid=$!
wait_for_http "http://127.0.0.1:$front_port/healthz" 30 || { cat "$work/nginx/error.log"; die "nginx did not answer"; }

front="http://127.0.0.1:$front_port"
cache_status() { curl -s -o /dev/null -D - "$@" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-cache-status" { print $2 }'; }
caseload() { curl -s "$front/v1/councils/sandwell/workforce/2024" | python3 -c 'import json, sys; print(json.load(sys.stdin)["caseload"])'; }
backend_status_count() {   # $1 = path, $2 = status: how many such answers carewatch's access log holds
    python3 - "$work/access.log" "$1" "$2" <<'PY'
import json, sys
count = 0
for line in open(sys.argv[1]):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    if entry.get("path") == sys.argv[2] and entry.get("status") == int(sys.argv[3]):
        count += 1
print(count)
PY
}

failures=0
check() { if [ "$1" = "$2" ]; then log "ok: $3 ($1)"; else log "NOT OK: $3: got '$1', expected '$2'"; failures=$((failures + 1)); fi; }

# 1. A second read is a hit.
url="$front/v1/councils/sandwell"
check "$(cache_status "$url")" MISS "first read fills the cache"
check "$(cache_status "$url")" HIT "second read is served by the cache"
check "$(backend_status_count /v1/councils/sandwell 200)" 1 "carewatch answered the first read only"

# 2. After max-age nginx revalidates with If-None-Match; carewatch answers 304.
sleep $((MAX_AGE + 1))
check "$(cache_status "$url")" REVALIDATED "a read after max-age is revalidated"
check "$(backend_status_count /v1/councils/sandwell 304)" 1 "carewatch answered the revalidation 304"
check "$(cache_status "$url")" HIT "and the entry is fresh again"

# 3. A write goes through and is visible within max-age of its answer.
before=$(caseload)
check "$(cache_status "$front/v1/councils/sandwell/workforce/2024")" HIT "the row is in the cache"
new=$(python3 -c "print(round(float('$before') + 1.5, 1))")
written=$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$front/v1/councils/sandwell/workforce/2024" \
    -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d "{\"employed_fte\":200,\"caseload\":$new}")
check "$written" 200 "the write went through nginx"
answered=$(date +%s.%N)
seen=""
while :; do
    now=$(date +%s.%N)
    elapsed=$(python3 -c "print(round($now - $answered, 2))")
    if [ "$(caseload)" = "$new" ]; then seen=$elapsed; break; fi
    if python3 -c "import sys; sys.exit(0 if $elapsed > $MAX_AGE + 2 else 1)"; then break; fi
    sleep 0.2
done
# nginx keeps a cached answer's expiry in whole seconds (its clock, ngx_time(), ticks once a
# second), so an entry stored just before the write may live up to a second past max-age;
# the loop above looks every ~0.3 s. A write seen later than that was held by the cache.
if [ -n "$seen" ] && python3 -c "import sys; sys.exit(0 if $seen <= $MAX_AGE + 1.5 else 1)"; then
    log "ok: the write was visible through the cache after ${seen} s (max-age ${MAX_AGE} s)"
else
    log "NOT OK: the write was not visible within max-age (seen: '${seen:-never}')"
    failures=$((failures + 1))
fi

# 4. Nothing asked with a key is served from or kept in the cache.
check "$(cache_status -H "Authorization: Bearer $key" "$url")" BYPASS "a read with a key bypasses the cache"
check "$(curl -s -o /dev/null -D - -H "Authorization: Bearer $key" "$url" | tr -d '\r' | awk -F': ' 'tolower($1) == "cache-control" { print $2 }')" \
      "private, no-cache" "and carewatch marks it private"

# 5. The change stream passes through as events arrive.
events=$(curl -sN --max-time 3 -H 'Last-Event-ID: 16537' "$front/v1/changes/stream" || true)
check "$(printf '%s\n' "$events" | grep -c '^event: change')" 1 "the stream passes through nginx (the write's change)"

if [ "$failures" -gt 0 ]; then
    tail -20 "$work/nginx/error.log" || true
    die "$failures nginx cache check(s) failed"
fi
log "nginx cache check passed"
