#!/usr/bin/env bash
# proxy.sh - blackbar proxy with curl against stand-in APIs on 127.0.0.1
# (tests/tools/bbupstream): what the upstream receives is scrubbed and
# the client gets the values back; request and response blocks answer in
# the provider's shape and are audited with the request id the client
# saw; routing (prefixes, --pass, refused paths), --config, retries, an
# upstream that is down or stalls, the concurrency limit, 1,000
# malformed requests, a client gone mid-stream, /metrics, /healthz and a
# graceful SIGTERM. The SDKs' view is tests/proxy-sdk.sh.

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
builddir=${builddir:-$srcdir}
BLACKBAR=${BLACKBAR:-$builddir/blackbar}
BBUPSTREAM=${BBUPSTREAM:-$builddir/tests/tools/bbupstream}
BBPROVIDER=${BBPROVIDER:-$builddir/tests/tools/bbprovider}

if ! command -v curl > /dev/null; then
    echo "SKIP: curl is not installed"
    exit 77
fi
work=$(mktemp -d)
fail=0
proxies=()
. "$here/upstream.sh"
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

check() { # NAME COND...
    local name=$1
    shift
    if "$@"; then
        echo "ok   $name"
    else
        echo "FAIL $name"
        fail=1
    fi
}

# proxy NAME ARGS...: start one; sets purl (its base URL) and ppid.
proxy() {
    local name=$1
    shift
    rm -f "$work/$name.port"
    "$BLACKBAR" proxy --listen 127.0.0.1:0 --port-file "$work/$name.port" \
        "$@" 2> "$work/$name.err" &
    ppid=$!
    pids+=($ppid)
    proxies+=($ppid)
    for _ in $(seq 300); do
        [ -s "$work/$name.port" ] && break
        sleep 0.05
    done
    if [ ! -s "$work/$name.port" ]; then
        echo "FAIL proxy $name did not start:"
        cat "$work/$name.err"
        exit 1
    fi
    purl=http://127.0.0.1:$(cat "$work/$name.port")
}

# post URL BODY [CURL ARGS...]: headers to $work/h, body to $work/b,
# status on stdout.
post() {
    local url=$1 body=$2
    shift 2
    curl -sS -o "$work/b" -D "$work/h" -w '%{http_code}' \
        -H 'Content-Type: application/json' --data-binary "$body" "$@" \
        "$url"
}
header() { tr -d '\r' < "$work/h" | sed -n "s/^$1: //Ip" | head -1; }
has() { grep -q -- "$1" "$2"; }
hasnt() { ! grep -q -- "$1" "$2"; }

head -c 32 /dev/urandom | od -An -tx1 | tr -d " \n" > "$work/key"
chmod 600 "$work/key"
cat > "$work/block.json" <<'EOF'
{ "pack": "test-block", "version": 1, "description": "a codename",
  "rules": [ { "id": "codename", "type": "CODENAME",
    "description": "the project's codename may not leave",
    "pattern": "\\bNIGHTJAR-[0-9]{2}\\b", "keywords": ["nightjar-"],
    "max_len": 11, "action": "block", "severity": "high",
    "examples": { "match": ["about NIGHTJAR-07 today"],
                  "nomatch": ["NIGHTJAR-7"] } } ] }
EOF
email=jane.doe@example.com
chat='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Mail '$email' please"}]}'

# ---------------------------------------------------------------- basics
start chat x
chat_log=$log
chat_up=${url%/x}
start chat-sse x
sse_up=${url%/x}
proxy main --upstream "$chat_up" \
    --upstream "/sse=$sse_up" --rules "$work/block.json" \
    --pass 'GET /v1/models' --audit "$work/audit.log" \
    --audit-key-file "$work/key"
main=$purl

code=$(post "$main/v1/chat/completions" "$chat" -H 'Authorization: Bearer sk-live-123')
check "chat: 200" [ "$code" = 200 ]
check "chat: the upstream got a placeholder" has '<EMAIL_1>' "$chat_log"
check "chat: the upstream never got the value" hasnt "$email" "$chat_log"
check "chat: the client got the value back" has "write to $email today" "$work/b"
check "chat: the upstream's request id is passed on" \
    [ "$(header x-request-id)" = req_bbupstream_1 ]
check "the credential is not logged" hasnt sk-live-123 "$work/main.err"

code=$(post "$main/sse/v1/chat/completions" "$chat")
check "stream (prefix upstream): 200" [ "$code" = 200 ]
check "stream: event stream" has 'text/event-stream' "$work/h"
check "stream: placeholder split over two deltas restored" \
    [ "$(sed -n 's/.*"content":"\([^"]*\)".*/\1/p' "$work/b" | tr -d '\n')" \
      = "I will write to $email today." ]
check "stream: ends with [DONE]" has 'data: \[DONE\]' "$work/b"

# ---------------------------------------------------------------- blocks
n0=$(wc -l < "$chat_log")
code=$(post "$main/v1/chat/completions" \
    '{"model":"m","messages":[{"role":"user","content":"ship NIGHTJAR-07"}]}')
rid=$(header x-request-id)
check "request block: 400" [ "$code" = 400 ]
check "request block: x-should-retry false" [ "$(header x-should-retry)" = false ]
check "request block: OpenAI error shape" \
    has '"error":{"message":"The request was blocked by blackbar (rule: codename)."' "$work/b"
check "request block: nothing reached the upstream" [ "$(wc -l < "$chat_log")" = "$n0" ]
code=$(post "$main/v1/messages" \
    '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"NIGHTJAR-07"}]}')
rid2=$(header request-id)
check "request block (Anthropic): its error shape" \
    has '^{"type":"error","error":{"type":"invalid_request_error"' "$work/b"

start chat-harm x
harm_up=${url%/x}
proxy harm --upstream "$harm_up" --audit "$work/audit.log" \
    --audit-key-file "$work/key"
code=$(post "$purl/v1/chat/completions" "$chat")
check "response block mid-stream: the error event ends it" \
    has '^data: {"error":{"message":"The response was blocked by blackbar (category: violence)."' "$work/b"
check "response block: the delta before it was passed" has 'I will write to ' "$work/b"
check "response block: the threat was not" hasnt 'kill you' "$work/b"
check "response block: no [DONE]" hasnt '\[DONE\]' "$work/b"

"$BLACKBAR" log verify --audit-key-file "$work/key" "$work/audit.log" \
    > "$work/verify" 2>&1
check "audit log verifies" [ $? = 0 ]
check "audit: the request block with the id the client saw" \
    grep -q "\"event\":\"block\".*\"request_id\":\"$rid\"" "$work/audit.log"
check "audit: the Anthropic block too" \
    grep -q "\"request_id\":\"$rid2\"" "$work/audit.log"
check "audit: the response block with the upstream's id" \
    grep -q '"event":"block".*"direction":"response".*"request_id":"req_bbupstream_1"' \
    "$work/audit.log"
check "audit: no raw value" hasnt "$email" "$work/audit.log"
check "audit: no codename" hasnt 'NIGHTJAR-07' "$work/audit.log"

# ---------------------------------------------------------------- routes
code=$(post "$main/v1/files" '{}')
check "unknown path: 404 in OpenAI's shape" [ "$code" = 404 ]
check "unknown path: says why" has 'does not forward POST /v1/files' "$work/b"
code=$(curl -sS -o "$work/b" -w '%{http_code}' "$main/v1/models")
check "--pass GET /v1/models: the upstream's answer" [ "$code" = 200 ]
code=$(post "$main/v1beta/models/gemini-2.0-flash:generateContent" '{"contents":1' )
check "Gemini route: bad JSON is 400 in Google's shape" \
    has '"status":"INVALID_ARGUMENT"' "$work/b"
code=$(post "$main/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21" "$chat")
check "Azure route, query kept: 200" [ "$code" = 200 ]

echo '{"listen":"127.0.0.1:0","upstream":"'"$harm_up"'","retries":0,"bogus":1}' \
    > "$work/bad.json"
"$BLACKBAR" proxy --config "$work/bad.json" 2> "$work/err"
check "--config: an unknown key is an error (exit 2)" [ $? = 2 ]
check "--config: names it" has 'unknown key "bogus"' "$work/err"
echo '{"listen":"127.0.0.1:0","upstream":["'"${url%/x}"'"],"retries":0}' \
    > "$work/conf.json"
proxy conf --config "$work/conf.json"
check "--config: serves" [ "$(curl -s "$purl/healthz")" = '{"status":"ok"}' ]
proxy conf2 --config "$work/conf.json" --upstream "$chat_up"
code=$(post "$purl/v1/chat/completions" "$chat")
check "--config: a flag's upstream wins over the file's" \
    has 'write to jane.doe@example.com today' "$work/b"
code=$(curl -sS -o /dev/null -w '%{http_code}' --data-binary "$chat" \
    -H 'Content-Type: application/jsonl' "$main/v1/chat/completions")
check "Content-Type application/jsonl: 415" [ "$code" = 415 ]
code=$(post "$main/v1beta/models/g:generateContent?key=AIzaQUERYKEY0123" \
    '{"contents":[{"parts":[{"text":"NIGHTJAR-08"}]}]}')
check "a query's key never reaches the audit log" hasnt AIzaQUERYKEY "$work/audit.log"
check "the route is logged without it" \
    has '"route":"/v1beta/models/g:generateContent"' "$work/audit.log"

# ---------------------------------------------------------------- turns
# previous_response_id continues the vault and numbering of that answer
mkdir -p "$work/prov"
"$BBPROVIDER" "$work/prov/port" "$work/prov/log" &
pids+=($!)
for _ in $(seq 50); do
    [ -s "$work/prov/port" ] && break
    sleep 0.1
done
proxy turns --upstream "http://127.0.0.1:$(cat "$work/prov/port")"
turn() { # BODY: the answer's id on stdout
    post "$purl/v1/responses" "$1" > /dev/null
    grep -o '"id":"resp_[^"]*"' "$work/b" | head -1 | cut -d'"' -f4
}
id1=$(turn '{"model":"m","input":"write to a.one@example.com"}')
id2=$(turn '{"model":"m","stream":true,"previous_response_id":"'"$id1"'","input":"and b.two@example.com, a.one@example.com"}')
check "turn 2 (stream) continues turn 1's numbering" \
    grep -q '"input":"and <EMAIL_2>, <EMAIL_1>"' "$work/prov/log"
check "turn 2: the values are back" has 'b.two@example.com' "$work/b"
turn '{"model":"m","previous_response_id":"'"$id2"'","input":"c.three@example.com"}' > /dev/null
check "turn 3 continues turn 2 (a streamed answer's id)" \
    grep -q '"input":"<EMAIL_3>"' "$work/prov/log"
check "turn 3: the value is back" has 'Noted: c.three@example.com.' "$work/b"
turn '{"model":"m","previous_response_id":"'"$id1"'","input":"e.five@example.com, a.one@example.com"}' > /dev/null
check "a fork from turn 1 shares the numbering" \
    grep -q '"input":"<EMAIL_4>, <EMAIL_1>"' "$work/prov/log"
check "a fork: the values are back" \
    has 'Noted: e.five@example.com and a.one@example.com.' "$work/b"
turn '{"model":"m","input":"d.four@example.com"}' > /dev/null
check "a new conversation numbers from 1" \
    grep -q '"input":"<EMAIL_1>"' "$work/prov/log"
turn '{"model":"m","conversation":"conv_1","input":"f.six@example.com"}' > /dev/null
turn '{"model":"m","conversation":{"id":"conv_1"},"input":"g.seven@example.com"}' > /dev/null
check "a named conversation continues its numbering" \
    grep -q '"input":"<EMAIL_2>"' "$work/prov/log"

# ---------------------------------------------------------------- upstream
start chat-500then200 x
proxy retry --upstream "${url%/x}"
code=$(post "$purl/v1/chat/completions" "$chat")
check "500 then 200: one success" [ "$code" = 200 ]
check "500 then 200: counted as a retry" \
    grep -q '^blackbar_proxy_upstream_retries_total 1$' \
    <(curl -s "$purl/metrics")

start 429 x
proxy r429 --upstream "${url%/x}" --retries 0
code=$(post "$purl/v1/chat/completions" "$chat")
check "an upstream 429 is passed on" [ "$code" = 429 ]
check "with no x-should-retry of blackbar's own" [ -z "$(header x-should-retry)" ]

proxy down --upstream http://127.0.0.1:1 --retries 1
code=$(post "$purl/v1/messages" '{"model":"m","max_tokens":5,"messages":[]}')
check "upstream down: 502" [ "$code" = 502 ]
check "upstream down: Anthropic's shape" has '"type":"api_error"' "$work/b"
check "upstream down: x-should-retry true" [ "$(header x-should-retry)" = true ]

start chat-cut x
proxy cut --upstream "${url%/x}"
code=$(post "$purl/v1/chat/completions" '{"stream":true,"messages":[]}')
check "upstream cut mid-stream: the events before it are passed" \
    [ "$(grep -c '"chat.completion.chunk"' "$work/b")" = 50 ]
check "upstream cut mid-stream: then one error event (502 type)" \
    grep -q '"type":"api_error","param":null,"code":"upstream_unavailable"}}$' \
    <(grep '^data: ' "$work/b" | tail -1)
check "upstream cut mid-stream: counted" \
    grep -q '^blackbar_proxy_upstream_errors_total{kind="connect"} 1$' \
    <(curl -s "$purl/metrics")

start stall x
proxy stall --upstream "${url%/x}" --timeout 3 --concurrency 1 \
    --queue-timeout 1
curl -sS -o "$work/b2" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "$chat" "$purl/v1/chat/completions" > "$work/code2" &
sleep 0.3
code=$(post "$purl/v1/chat/completions" "$chat")
check "concurrency 1: the second waits, then 503" [ "$code" = 503 ]
wait $!
check "stall: 504 after --timeout" [ "$(cat "$work/code2")" = 504 ]
check "stall: in OpenAI's shape" has '"code":"upstream_timeout"' "$work/b2"

# ---------------------------------------------------------------- faults
big=$work/big
head -c 100000000 /dev/zero | tr '\0' 'a' > "$big"
hdr=$(head -c 100000 /dev/zero | tr '\0' 'x')
bad=0
for i in $(seq 1000); do
    case $((i % 5)) in
    0) want=400; code=$(post "$main/v1/chat/completions" '{"messages":[') ;;
    1) want=415; code=$(curl -sS -o /dev/null -w '%{http_code}' \
        -H 'Content-Type: text/plain' -d "$chat" "$main/v1/chat/completions") ;;
    2) want=431; code=$(post "$main/v1/chat/completions" "$chat" -H "X-Big: $hdr") ;;
    3) want=400; code=$(post "$main/v1/responses" "$(printf '{"input":"a\001"}')") ;;
    4) if [ $((i % 100)) = 4 ]; then
           want=413; code=$(curl -sS -o /dev/null -w '%{http_code}' \
               -H 'Content-Type: application/json' --data-binary @"$big" \
               "$main/v1/chat/completions")
       else
           want=400; code=$(post "$main/v1/messages" '"just a string"x')
       fi ;;
    esac
    if [ "$code" != "$want" ]; then
        [ $bad -lt 5 ] && echo "  malformed #$i: $code, want $want"
        bad=$((bad + 1))
    fi
done
check "1000 malformed requests: each its 4xx" [ $bad = 0 ]
code=$(post "$main/v1/chat/completions" "$chat")
check "and the proxy still serves" [ "$code" = 200 ]

# a client that goes away mid-stream (the stand-in sends an event each
# 5 ms): the proxy stops the upstream transfer and counts a 499
proxy slow --upstream "http://127.0.0.1:$(cat "$work/prov/port")"
stream='{"model":"m","stream":true,"messages":[{"role":"user","content":"'
for i in $(seq 40); do
    stream="$stream u$i@example.com"
done
stream="$stream\"}]}"
for _ in $(seq 10); do
    curl -sN -H 'Content-Type: application/json' --data-binary "$stream" \
        "$purl/v1/chat/completions" 2>/dev/null | head -c 10 > /dev/null
done
gone() {
    curl -s "$purl/metrics" |
        grep -q '^blackbar_proxy_requests_total{route="chat",code="499"} 10$'
}
for _ in $(seq 100); do # (slow under valgrind)
    gone && break
    sleep 0.1
done
check "clients gone mid-stream: counted as 499" gone
check "clients gone mid-stream: still serving" \
    [ "$(post "$purl/v1/chat/completions" "$chat")" = 200 ]

# SIGTERM while a stream is in flight: it finishes, then the proxy exits
curl -sN -H 'Content-Type: application/json' --data-binary "$stream" \
    "$purl/v1/chat/completions" > "$work/inflight" 2>/dev/null &
cpid=$!
sleep 0.15
kill -TERM "$ppid"
wait "$ppid"
check "SIGTERM: exit 0" [ $? = 0 ]
wait "$cpid"
check "SIGTERM: the stream in flight finished" has '\[DONE\]' "$work/inflight"
check "SIGTERM: with the values back" has 'u32@example.com' "$work/inflight"
check "SIGTERM: says so" has 'stopping (signal 15): 1 requests in flight' \
    "$work/slow.err"
curl -s -o /dev/null "$purl/healthz"
check "SIGTERM: then no new connections" [ $? != 0 ]

# ---------------------------------------------------------------- metrics
curl -s "$main/metrics" > "$work/metrics"
check "/metrics: requests by route and code" \
    has '^blackbar_proxy_requests_total{route="chat",code="200"}' "$work/metrics"
check "/metrics: request blocks" \
    has '^blackbar_proxy_blocks_total{direction="request"} 3$' "$work/metrics"
check "/metrics: redactions by rule" \
    has '^blackbar_proxy_redactions_total{rule="email",type="EMAIL"}' "$work/metrics"
check "/metrics: latency histogram" \
    has '^blackbar_proxy_request_duration_seconds_bucket{route="chat",le="+Inf"}' \
    "$work/metrics"

# every proxy stops cleanly, with no sanitizer or valgrind report
bad=0
for p in "${proxies[@]}"; do
    kill -TERM "$p" 2>/dev/null
    wait "$p"
    [ $? = 0 ] || bad=$((bad + 1))
done
check "every proxy exits 0 on SIGTERM" [ $bad = 0 ]
clean() { ! grep -l -e Sanitizer -e 'runtime error' "$work"/*.err; }
check "no sanitizer report" clean

exit $fail
