#!/usr/bin/env bash
# remote.sh - blackbar moderate --remote against a stand-in endpoint
# (tests/tools/bbupstream, 127.0.0.1, OpenAI's answer shape): pass, block
# by the endpoint's flag and by a threshold, timeout (closed: blocked and
# audited; open: passed and audited), 500 then 200 (retried), 429 (retries
# spent), garbage (fail closed), and the text the endpoint received held
# placeholders, never the values.

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
builddir=${builddir:-$srcdir}
BLACKBAR=${BLACKBAR:-$builddir/blackbar}
BBUPSTREAM=${BBUPSTREAM:-$builddir/tests/tools/bbupstream}
work=$builddir/tests/out/remote
export BLACKBAR_AUDIT_KEY=remote-test-key-0123456789
export OPENAI_API_KEY=sk-test-not-a-real-key

rm -rf "$work"
mkdir -p "$work"
failed=0

# start MODE: a stand-in in MODE; sets url and log
# shellcheck source=tests/upstream.sh
. "$here/upstream.sh"

# check NAME WANT-EXIT WANT-STDOUT-GREP INPUT ARGS...
check() {
    local name=$1 want=$2 grep_for=$3 input=$4
    shift 4
    local out rc
    out=$(printf '%s\n' "$input" | "$BLACKBAR" moderate --remote "$url" \
        "$@" 2> "$work/$name.err")
    rc=$?
    if [ "$rc" -ne "$want" ] || ! grep -qF -- "$grep_for" <<<"$out"; then
        echo "FAIL $name: exit $rc (want $want), output: $out;" \
            "stderr: $(cat "$work/$name.err")"
        failed=$((failed + 1))
    else
        echo "ok $name"
    fi
}

start ok v1/moderations
check pass 0 "mail <EMAIL_1>" "We should fight for it, mail jane.doe@example.com"
check flagged 1 "category violence" "Then detonate it near jane.doe@example.com"
check threshold 1 "category violence" "We should fight for it" \
    --remote-threshold violence=0.25
check threshold-high 0 "detonate" "Then detonate it" \
    --remote-threshold violence=0.95
if grep -q jane "$log" || ! grep -q '<EMAIL_1>' "$log" ||
    ! grep -q '"model":"omni-moderation-latest"' "$log"; then
    echo "FAIL the endpoint saw a value, or no placeholder: $(cat "$log")"
    failed=$((failed + 1))
else
    echo "ok the endpoint saw placeholders, not values"
fi

start stall v1/moderations
audit=$work/stall-audit.jsonl
check timeout-closed 1 "moderation unavailable" "hello" \
    --remote-timeout 0.5 --remote-retries 0 --audit "$audit"
check timeout-open 0 "hello" "hello" \
    --remote-timeout 0.5 --remote-retries 0 --remote-fail open \
    --audit "$audit"
if grep '"event":"block"' "$audit" | grep -q '"rule":"remote-moderation"' &&
    grep '"event":"error"' "$audit" | grep -q '"rule":"remote-moderation"' &&
    "$BLACKBAR" log verify "$audit" | grep -q 'ok 2 records'; then
    echo "ok timeouts audited (closed: block, open: error)"
else
    echo "FAIL timeout audit: $(cat "$audit")"
    failed=$((failed + 1))
fi

start 500then200 v1/moderations
check retry 0 "hello" "hello" --remote-retries 2
n=$(grep -c '' "$log")
[ "$n" = 2 ] && echo "ok 500 then 200: 2 requests" ||
    { echo "FAIL 500 then 200: $n requests"; failed=$((failed + 1)); }

start 429 v1/moderations
check rate-limited 1 "moderation unavailable" "hello" --remote-retries 2
n=$(grep -c '' "$log")
[ "$n" = 3 ] && echo "ok 429: 3 tries" ||
    { echo "FAIL 429: $n requests, want 3"; failed=$((failed + 1)); }

start garbage v1/moderations
check garbage 1 "moderation unavailable" "hello" --remote-retries 0
grep -q "not a moderation result" "$work/garbage.err" &&
    echo "ok garbage named" ||
    { echo "FAIL garbage: $(cat "$work/garbage.err")"; failed=$((failed + 1)); }

[ "$failed" -eq 0 ]
