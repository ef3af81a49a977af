#!/usr/bin/env bash
# proxy-sdk.sh - the official SDKs (tests/sdk: openai 7.x and 4.x with
# AzureOpenAI, @anthropic-ai/sdk, @google/genai) talk to blackbar proxy in
# front of a stand-in provider (tests/tools/bbprovider), with
# tests/sdk/proxy.mjs: the stand-in sees placeholders only and the SDKs
# get the values back, whole and streamed; a blocked request is a 400 that
# never reaches the stand-in; a harmful stream ends in an API error after
# the deltas before it; a 500 is retried by the proxy; a dead upstream is
# a 502 in each provider's shape. Then every blocked call has exactly one
# block record in the audit log, under the request id its SDK saw, and
# the log verifies. First, the SDKs read the stand-in directly (--direct),
# so that a broken stand-in is told apart from a broken proxy. Skipped
# (exit 77) when node or tests/sdk/node_modules is missing.

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
builddir=${builddir:-$srcdir}
BLACKBAR=${BLACKBAR:-$builddir/blackbar}
BBPROVIDER=${BBPROVIDER:-$builddir/tests/tools/bbprovider}
work=$builddir/tests/out/proxy-sdk
sdk=$srcdir/tests/sdk

# The proxy's command line, in one place: proxy PORTFILE UPSTREAM.
# (exec: started with &, its pid is blackbar's, which the trap stops)
proxy() {
    exec "$BLACKBAR" proxy --listen 127.0.0.1:0 --port-file "$1" \
        --upstream "$2" --rules "$srcdir/tests/fixtures/proxy/block.json" \
        --audit "$work/audit.log" --audit-key-file "$work/key"
}

if ! command -v node > /dev/null || [ ! -d "$sdk/node_modules" ]; then
    echo "SKIP: node or tests/sdk/node_modules missing (cd tests/sdk && npm ci)"
    exit 77
fi

rm -rf "$work"
mkdir -p "$work"
failed=0
pids=()
stop_all() {
    local p
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null
    done
}
trap stop_all EXIT

fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
}

# wait_port NAME PORTFILE PID: until PORTFILE has the port; 1 if the
# process died or 10 s went by.
wait_port() {
    for _ in $(seq 100); do
        [ -s "$2" ] && return 0
        kill -0 "$3" 2>/dev/null || break
        sleep 0.1
    done
    fail "$1: no port in $2: $(cat "$work/$1.err" 2>/dev/null)"
    return 1
}

# provider NAME: start a stand-in; sets url and log.
provider() {
    mkdir -p "$work/$1"
    "$BBPROVIDER" "$work/$1/port" "$work/$1/log" 2> "$work/$1.err" &
    pids+=($!)
    wait_port "$1" "$work/$1/port" $! || return 1
    url=http://127.0.0.1:$(cat "$work/$1/port")
    log=$work/$1/log
}

# start_proxy NAME UPSTREAM: start blackbar proxy; sets purl.
start_proxy() {
    proxy "$work/$1.port" "$2" 2> "$work/$1.err" &
    pids+=($!)
    wait_port "$1" "$work/$1.port" $! || return 1
    purl=http://127.0.0.1:$(cat "$work/$1.port")
}

# check NAME BASE STANDIN LOG CHECK [--direct]: one check of proxy.mjs.
check() {
    local name=$1
    shift
    node "$sdk/proxy.mjs" "$@" > "$work/$name.out" 2> "$work/$name.err"
    local rc=$?
    grep -v '^BLOCKED-REQUEST-ID ' "$work/$name.out"
    if [ "$rc" -ne 0 ]; then
        fail "$name: proxy.mjs exit $rc; stderr: $(cat "$work/$name.err")"
    fi
}

# The key: 32 random bytes, as hex, this user's only (AUDIT-FORMAT.md).
(umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$work/key")

provider direct || exit 1
check direct-happy "$url" "$url" "$log" happy --direct
check direct-standin "$url" "$url" "$log" standin --direct

provider standin || exit 1
if start_proxy proxy "$url"; then
    check happy "$purl" "$url" "$log" happy
    check block-request "$purl" "$url" "$log" block-request
    check block-stream "$purl" "$url" "$log" block-stream
    check retry "$purl" "$url" "$log" retry
fi
if start_proxy proxy-down http://127.0.0.1:1; then
    check down "$purl" "$url" "$log" down
fi

values=(-e jane -e '555 0134' -e ghp_)
if grep -q "${values[@]}" "$log"; then
    fail "the stand-in saw a value: $(grep "${values[@]}" "$log")"
fi

# The audit log: one block record per blocked call, under its request id.
audit=$work/audit.log
ids=$(cat "$work/block-request.out" "$work/block-stream.out" 2>/dev/null |
    sed -n 's/^BLOCKED-REQUEST-ID //p')
nids=$(grep -c . <<<"$ids")
nblocks=$(grep -c '"event":"block"' "$audit" 2>/dev/null)
if [ "$nids" -eq 0 ] || [ "${nblocks:-0}" != "$nids" ]; then
    fail "audit: ${nblocks:-0} block records for $nids blocked calls"
else
    echo "ok audit: $nblocks block records for $nids blocked calls"
fi
for id in $ids; do
    n=$(grep '"event":"block"' "$audit" | grep -cF "\"request_id\":\"$id\"")
    [ "$n" = 1 ] || fail "audit: $n block records with request_id $id"
done
if grep -q "${values[@]}" -e NIGHTJAR "$audit" 2>/dev/null; then
    fail "audit: a value is in the log"
fi
if out=$("$BLACKBAR" log verify --audit-key-file "$work/key" "$audit" 2>&1)
then
    echo "ok audit: log verify: $out"
else
    fail "audit: log verify: $out"
fi

[ "$failed" -eq 0 ]
