#!/usr/bin/env bash
# Builds the request-parser fuzzer (libFuzzer + AddressSanitizer when available) from the engine
# sources and runs it for SECONDS (default 60). Corpus and crash artifacts stay in this folder
# (gitignored). Exit status is libFuzzer's: non-zero when it found a crash, leak or timeout.
set -euo pipefail
SECONDS_TO_RUN="${1:-60}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="${FUZZ_BUILD_DIR:-$ROOT/.build-fuzz}"
mkdir -p "$BUILD" "$HERE/corpus" "$HERE/artifacts"

# Seed corpus: a few valid and hostile requests.
seed() { printf '%b' "$2" > "$HERE/corpus/seed-$1"; }
seed get 'GET /a/b?x=1&y=%41 HTTP/1.1\r\nHost: h\r\n\r\n'
seed post 'POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc'
seed chunked 'POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;e=v\r\nhello\r\n0\r\nT: x\r\n\r\n'
seed pipeline 'GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'
seed absolute 'GET http://example.com/x?q HTTP/1.1\r\nHost: example.com\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nz'
seed smuggle 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'

SOURCES=$(find "$ROOT/Sources/HTTPEngine" -name '*.swift' | sort)
HEX_SOURCES=$(find "$ROOT/Sources/HexEncoding" -name '*.swift' | sort)
BIN="$BUILD/parser-fuzz"
echo "building $BIN"
# The engine imports HexEncoding (built first, as its own module) and epoll through a module
# map of its own (Sources/CEngineSystem).
build() {   # $1: sanitizers
    swiftc -O -g -sanitize="$1" -parse-as-library -wmo -module-name HexEncoding -emit-module \
        -emit-module-path "$BUILD/HexEncoding.swiftmodule" -c $HEX_SOURCES -o "$BUILD/HexEncoding.o" &&
    swiftc -O -g -sanitize="$1" -parse-as-library -module-name HTTPEngine \
        -I "$BUILD" -I "$ROOT/Sources/CEngineSystem" \
        $SOURCES "$HERE/ParserFuzzEntry.swift" "$BUILD/HexEncoding.o" -o "$BIN"
}
if ! build fuzzer,address 2> "$BUILD/build-asan.log"; then
    echo "address sanitizer build failed (see $BUILD/build-asan.log); building with -sanitize=fuzzer only"
    build fuzzer
fi

cd "$HERE"
exec "$BIN" corpus -artifact_prefix=artifacts/ -max_total_time="$SECONDS_TO_RUN" \
    -rss_limit_mb=2048 -timeout=10 -max_len=4096 -print_final_stats=1
