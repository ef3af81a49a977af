#!/usr/bin/env bash
# send.sh - blackbar send against a stand-in API on 127.0.0.1
# (tests/tools/bbupstream chat modes, which echo the request's first
# placeholder): the API never sees the values; the answer has them back,
# whole and streamed (a placeholder split over two deltas too); a harmful
# stream ends in one error event after the deltas before it (exit 1); a
# 500 then 200 is retried; an API that is down is an error (exit 2).

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
builddir=${builddir:-$srcdir}
BLACKBAR=${BLACKBAR:-$builddir/blackbar}
BBUPSTREAM=${BBUPSTREAM:-$builddir/tests/tools/bbupstream}
work=$builddir/tests/out/send
export TEST_API_KEY=sk-test-0123456789

rm -rf "$work"
mkdir -p "$work"
failed=0
body='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Write to jane.doe@example.com about card 4111 1111 1111 1111"}]}'

# shellcheck source=tests/upstream.sh
. "$here/upstream.sh"

# check NAME WANT-EXIT WANT-GREP: send $body, grep the answer
check() {
    local out rc
    out=$(printf '%s' "$body" | "$BLACKBAR" send --bearer-env TEST_API_KEY \
        "$url" 2> "$work/$1.err")
    rc=$?
    if [ "$rc" -ne "$2" ] || ! grep -qF -- "$3" <<<"$out"; then
        echo "FAIL $1: exit $rc (want $2); answer: $out; stderr:" \
            "$(cat "$work/$1.err")"
        failed=$((failed + 1))
    elif grep -q -e jane -e 4111 "$log"; then
        echo "FAIL $1: the API saw a value: $(cat "$log")"
        failed=$((failed + 1))
    else
        echo "ok $1"
    fi
}

start chat v1/chat/completions
check whole 0 '"content":"I will write to jane.doe@example.com today."'
start chat-sse v1/chat/completions
check stream 0 '"content":"jane.doe@example.com today."'
start chat-harm v1/chat/completions
check harmful 1 '"code":"content_blocked"'
out=$(printf '%s' "$body" | "$BLACKBAR" send "$url" 2>/dev/null)
if [ "$(grep -c '^data: ' <<<"$out")" = 3 ] &&
    grep -q '"content":"I will write to "' <<<"$out"; then
    echo "ok harmful: the deltas before it, then one error event"
else
    echo "FAIL harmful stream: $out"
    failed=$((failed + 1))
fi
audit=$work/audit.jsonl
printf '%s' "$body" | BLACKBAR_AUDIT_KEY=send-test-key-0123456789 \
    "$BLACKBAR" send --audit "$audit" "$url" > /dev/null 2>&1
if grep '"event":"block"' "$audit" | grep -q '"request_id":"req_bbupstream_1"' &&
    grep -q '"event":"redact","source":"send","counts":{"email":1,"credit-card":1}' "$audit" &&
    ! grep -q -e jane -e 4111 "$audit" &&
    BLACKBAR_AUDIT_KEY=send-test-key-0123456789 "$BLACKBAR" log verify \
        "$audit" | grep -q 'ok 2 records'; then
    echo "ok audit: the redactions, the block with the API's request id"
else
    echo "FAIL audit: $(cat "$audit")"
    failed=$((failed + 1))
fi
start chat-500then200 v1/chat/completions
check retried 0 '"content":"I will write to jane.doe@example.com today."'
n=$(grep -c '' "$log")
[ "$n" = 2 ] && echo "ok 500 then 200: 2 requests" ||
    { echo "FAIL 500 then 200: $n requests"; failed=$((failed + 1)); }

# a request refused by a block rule never leaves (the stand-in's log
# stays as it was)
n=$(grep -c '' "$log")
out=$(printf '%s' '{"messages":[{"role":"user","content":"PROJECT-NIGHTJAR"}]}' |
    BLACKBAR_AUDIT_KEY=send-test-key-0123456789 "$BLACKBAR" send \
    --audit "$work/block.jsonl" \
    -r "$srcdir/tests/fixtures/proxy/block.json" "$url" 2>/dev/null)
rc=$?
if [ $rc = 1 ] && [ "$(grep -c '' "$log")" = "$n" ] &&
    grep -qF '"message":"The request was blocked by blackbar (rule: project-codename)."' <<<"$out" &&
    grep -q '"event":"block","direction":"request","source":"send","rule":"project-codename"' "$work/block.jsonl" &&
    ! grep -q NIGHTJAR "$work/block.jsonl"; then
    echo "ok request block: exit 1, nothing sent, audited"
else
    echo "FAIL request block: exit $rc: $out; $(cat "$work/block.jsonl")"
    failed=$((failed + 1))
fi

url=http://127.0.0.1:9/v1/chat/completions
log=/dev/null
check down 2 '' 2>/dev/null
grep -q "Couldn't connect" "$work/down.err" && echo "ok down: named" ||
    { echo "FAIL down: $(cat "$work/down.err")"; failed=$((failed + 1)); }
printf 'not json jane.doe@example.com' | "$BLACKBAR" send "$url" \
    > "$work/bad.out" 2> "$work/bad.err"
if [ $? -eq 2 ] && grep -q 'nothing was sent' "$work/bad.err"; then
    echo "ok a body that is not JSON is not sent"
else
    echo "FAIL bad body: $(cat "$work/bad.err")"
    failed=$((failed + 1))
fi

[ "$failed" -eq 0 ]
