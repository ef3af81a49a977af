#!/bin/sh
# bench/proxy.sh - what `blackbar proxy` adds to the latency of a model
# API call, measured side by side against calling a fast stand-in
# (tests/tools/bbupstream) directly, on 127.0.0.1 only. Part 1: wrk, 64
# keep-alive connections POSTing a 4 KB chat request (with an e-mail
# address and a phone number to scrub); part 2: a stream of 10,000 small
# deltas, time to first byte and total, fetched with curl. Prints PASS or
# FAIL per target and exits 1 if any fails, 2 on misuse or a broken setup,
# 77 when wrk or curl is missing. Everything it starts it stops.
#
# usage: bench/proxy.sh BLACKBAR BBUPSTREAM [DURATION]
#   DURATION            seconds of load on each side (default 60), run as
#                       direct, proxy, proxy, direct (two halves each)
#   BENCH_STREAM_RUNS   stream fetches on each side (default 5)
#   BENCH_SERIAL        seconds of one-connection load on each side, for
#                       the proxy's own cost without queueing (default 5;
#                       0: skip); reported, not judged
#   BENCH_PACE_MS       each connection waits this long after an answer
#                       before its next request (default 20: 64
#                       connections send at most 3,200 requests/s, well
#                       under what the proxy can serve on 2 cores), so
#                       the judged latencies are what the proxy adds to a
#                       request, not queueing behind a saturated CPU; the
#                       saturated (closed-loop, no wait) figures are
#                       reported as well, not judged
#   BENCH_SATURATED     seconds of closed-loop load on each side (default
#                       10; 0: skip)
set -eu

usage() {
    echo "usage: bench/proxy.sh BLACKBAR BBUPSTREAM [DURATION]" >&2
    exit 2
}

die() {
    echo "proxy.sh: $*" >&2
    exit 2
}

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    usage
fi
bin=$1
up=$2
duration=${3:-60}
stream_runs=${BENCH_STREAM_RUNS:-5}
serial=${BENCH_SERIAL:-5}
pace=${BENCH_PACE_MS:-20}
saturated=${BENCH_SATURATED:-10}

for v in "$duration" "$stream_runs" "$serial" "$pace" "$saturated"; do
    case $v in
    '' | *[!0-9]*) die "DURATION and the BENCH_ variables are whole" \
        "numbers" ;;
    esac
done
[ "$duration" -ge 2 ] || die "DURATION must be at least 2 (seconds)"
[ "$stream_runs" -ge 1 ] || die "BENCH_STREAM_RUNS must be at least 1"
[ -x "$bin" ] || die "$bin: not an executable"
[ -x "$up" ] || die "$up: not an executable"
for tool in wrk curl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "proxy.sh: $tool is not installed (Debian: apt-get install" \
            "$tool); skipped" >&2
        exit 77
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/blackbar-proxybench.XXXXXX")
pids=
# shellcheck disable=SC2317 # run by the trap
cleanup() {
    for pid in $pids; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in $pids; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_port FILE - the port a server wrote to FILE (10 s at most).
wait_port() {
    i=0
    while [ ! -s "$1" ] && [ "$i" -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ -s "$1" ] || die "no port in $1 after 10 s"
    head -n 1 "$1"
}

# standin MODE - start bbupstream in MODE (its port in up-MODE.port).
standin() {
    "$up" "$1" "$tmp/up-$1.port" "$tmp/up-$1.log" &
    pids="$pids $!"
}

# proxy NAME PORT - start the proxy in front of 127.0.0.1:PORT (its port
# in proxy-NAME.port).
proxy() {
    "$bin" proxy --listen 127.0.0.1:0 --port-file "$tmp/proxy-$1.port" \
        --upstream "http://127.0.0.1:$2" --drain-timeout 2 \
        2>"$tmp/proxy-$1.err" &
    pids="$pids $!"
}

# The request: a support chat of 4096 bytes (with its newline) whose last
# message holds an e-mail address and a UK mobile number.
awk 'NR > 1 { printf " " } { printf "%s", $0 } END { print "" }' \
    >"$tmp/body.json" <<'EOF'
{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are the
customer support assistant of Brightwave Logistics, a freight and parcel
company that ships across Europe and North America. Answer in a friendly,
concise tone. Never promise delivery dates that the tracking system does not
confirm, never quote prices that are not on the public rate card, and always
offer to escalate to a human agent when the customer is upset or the issue
involves damaged goods, customs holds or billing disputes. When you
summarise a case, list the shipment reference, the current status, what the
customer asked for and the next step, each on its own line. If the customer
gives contact details, use them only for this case and do not repeat them
back in full. Keep answers under two hundred words unless the customer asks
for more detail, and end every answer with the case summary described above,
so that the human agent who picks the case up later can see at a glance what
has been agreed so far, which promises were made and which questions are
still open. Do not speculate about the cause of a delay before the hub has
confirmed it, and do not share internal depot phone lines, staff names or
the routing of other customers' freight. Reply in the language the customer
writes in, and use plain words."},{"role":"user","content":"Hello, I am
writing about a pallet that was supposed to arrive at our warehouse on
Tuesday morning. The tracking page has said \"in transit, delayed at hub\"
for three days now and nobody at the depot answers the phone. We run a small
bakery supply business and this pallet holds the flour and packaging we need
for the weekend orders, so every day of delay costs us real money. The
shipment reference is on the invoice we received last week, and the sender
is our usual mill in the north. Can you tell me where the pallet actually
is, and whether it can still be delivered before Friday noon? If it cannot,
I would like to know what compensation options exist under your standard
terms, because the booking was made with the guaranteed next-day service and
we paid the premium for it."},{"role":"assistant","content":"I am sorry
about the delay, and I understand how much the weekend orders depend on this
delivery. I can see that the pallet was scanned at the regional hub on
Monday evening and has not been loaded onto an outbound vehicle since then.
That usually means either a capacity problem on the route to your area or a
documentation issue that needs a manual check. I have flagged the shipment
for the hub team so that it is looked at first thing in the morning. To
arrange a priority delivery and, if it comes to that, a claim under the
guaranteed service terms, I will need a way for the dispatch coordinator to
reach you directly during the day, and the name of the person who will sign
for the pallet at the warehouse door."},{"role":"user","content":"Thank you,
that is helpful. The person signing for it will be me, Maria Lopez, and the
best way to reach me is by email at maria.lopez@harbourbakes-supply.co.uk or
on my mobile, 07911 123456, any time between seven in the morning and six in
the evening. Please ask the driver to use the side entrance on Mill Lane,
because the front yard is blocked by a skip until the end of the month and
the forklift can only reach the loading bay from that side. If the pallet
cannot make it before Friday noon, I would rather have it on Saturday
morning than on Monday, and I would like the claim for the premium service
fee to be opened today so it is not forgotten. Could you also confirm in
writing which parts of the order are on that pallet, since the invoice lists
two consignments and I am not sure whether the packaging was shipped
separately from the flour or together with it on the same booking? Finally,
please make sure the dispatch team knows that our warehouse is closed on
Sunday and that nobody will be there to receive anything that day, so a
Sunday attempt would only lead to another failed delivery and more delay for
us."}],"temperature":0.2,"max_tokens":400,"user":"support-portal-eu"}
EOF
printf '%s\n' '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":' \
    '"user","content":"Tell me a long story about a fox."}]}' |
    tr -d '\n' >"$tmp/stream.json"

# wrk's script: POST the body; at the end, the counts and the latency
# quantiles (microseconds) on a grid fine enough to merge runs.
cat >"$tmp/post.lua" <<EOF
local f = assert(io.open("$tmp/body.json", "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("bbsum %d %d %d %d %d %d %d\n",
        summary.requests, summary.duration, e.connect, e.read, e.write,
        e.status, e.timeout))
    for i = 1, 999 do
        io.write(string.format("bbq %.3f %d\n", i / 10,
            latency:percentile(i / 10)))
    end
    for i = 1, 99 do
        io.write(string.format("bbq %.3f %d\n", 99.9 + i / 1000,
            latency:percentile(99.9 + i / 1000)))
    end
    io.write(string.format("bbq 100 %d\n", latency.max))
end
EOF
# the same without a wait: the closed loop
cp "$tmp/post.lua" "$tmp/post-max.lua"
if [ "$pace" -gt 0 ]; then
    printf 'function delay()\n    return %d\nend\n' "$pace" >>"$tmp/post.lua"
fi

# load NAME URL SECONDS CONNS [SCRIPT] - one wrk run (paced, unless
# SCRIPT is post-max); its output in wrk-NAME.out.
load() {
    t=$((($4 + 1) / 2))
    t=$((t > 2 ? 2 : t))
    if ! wrk -t"$t" -c"$4" -d"$3"s --latency -s "$tmp/${5:-post}.lua" "$2" \
        >"$tmp/wrk-$1.out" 2>&1; then
        cat "$tmp/wrk-$1.out" >&2
        die "wrk failed on $2"
    fi
    grep -q '^bbsum ' "$tmp/wrk-$1.out" || die "wrk printed no summary"
}

# merge FILE... - the runs of one side as one: requests, seconds,
# errors (non-2xx, socket) and p50, p99 in ms. A quantile of the whole
# is the smallest latency at which the runs' quantile tables, weighted by
# their requests, reach it: exact to 0.1 percentile (0.001 above p99.9).
merge() {
    awk '
    FNR == 1 { f++ }
    $1 == "bbsum" {
        n[f] = $2; req += $2; us += $3
        sock += $4 + $5 + $6 + $8; status += $7
    }
    $1 == "bbq" { k[f]++; p[f, k[f]] = $2; v[f, k[f]] = $3 }
    function quantile(q,    best, g, i, j, x, c) {
        best = -1
        for (i = 1; i <= f; i++) {
            for (j = 1; j <= k[i]; j++) {
                x = v[i, j]
                if (best >= 0 && x >= best) {
                    continue
                }
                c = 0
                for (g = 1; g <= f; g++) {
                    c += n[g] * below(g, x)
                }
                if (c >= q * req) {
                    best = x
                }
            }
        }
        return best
    }
    # the share of run g at or under x
    function below(g, x,    j, s) {
        s = 0
        for (j = 1; j <= k[g] && v[g, j] <= x; j++) {
            s = p[g, j] / 100
        }
        return s
    }
    END {
        printf "%d %.3f %d %d %.3f %.3f\n", req, us / 1e6, status, sock,
            quantile(0.50) / 1000, quantile(0.99) / 1000
    }' "$@"
}

# segment NAME FILE - one line of a run, for the log of the runs.
segment() {
    merge "$2" | awk -v name="$1" '{
        printf "  %-10s %7.1f s %9d requests %9.1f req/s  p50 %7.3f ms" \
            "  p99 %7.3f ms  errors %d\n", name, $2, $1, $1 / $2, $5, $6,
            $3 + $4 }'
}

standin fast
up_port=$(wait_port "$tmp/up-fast.port")
proxy load "$up_port"
px_port=$(wait_port "$tmp/proxy-load.port")
direct=http://127.0.0.1:$up_port/v1/chat/completions
via=http://127.0.0.1:$px_port/v1/chat/completions

# Both answer 200, with the same bytes.
for url in "$direct" "$via"; do
    code=$(curl -s -o "$tmp/check.out" -w '%{http_code}' --max-time 10 \
        -H 'Content-Type: application/json' --data-binary @"$tmp/body.json" \
        "$url") || die "$url: no answer"
    [ "$code" = 200 ] || die "$url: status $code"
    mv "$tmp/check.out" "$tmp/check-$code-$(printf '%s' "$url" | cksum |
        cut -d ' ' -f 1)"
done
[ "$(cat "$tmp"/check-200-* | sort | uniq | wc -l)" -eq 1 ] ||
    die "the proxy's answer differs from the stand-in's"

half=$((duration / 2))
rest=$((duration - half))
echo "blackbar proxy latency, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
echo "request  POST /v1/chat/completions, $(wc -c <"$tmp/body.json" |
    tr -d ' ') bytes, 2 values to scrub; stand-in: bbupstream fast"
echo "load     wrk -t2 -c64 --latency, each connection waiting ${pace} ms" \
    "after each answer, ${duration} s per side, as direct" \
    "${half} s, proxy ${rest} s, proxy ${half} s, direct ${rest} s" \
    "(2 s of each first, not counted)"
echo

load warm-direct "$direct" 2 64
load warm-proxy "$via" 2 64
load direct-1 "$direct" "$half" 64
load proxy-1 "$via" "$rest" 64
load proxy-2 "$via" "$half" 64
load direct-2 "$direct" "$rest" 64
echo "runs:"
for r in direct-1 proxy-1 proxy-2 direct-2; do
    segment "$r" "$tmp/wrk-$r.out"
done
echo

merge "$tmp/wrk-direct-1.out" "$tmp/wrk-direct-2.out" >"$tmp/direct"
merge "$tmp/wrk-proxy-1.out" "$tmp/wrk-proxy-2.out" >"$tmp/proxy"
read -r _ _ d_st d_sock d_p50 d_p99 <"$tmp/direct"
read -r _ _ p_st p_sock p_p50 p_p99 <"$tmp/proxy"
printf '%-16s %10s %10s %9s %9s %9s %9s\n' "" requests "req/s" "p50 ms" \
    "p99 ms" 4xx/5xx socket
for side in direct proxy; do
    read -r req s st sock p50 p99 <"$tmp/$side"
    awk -v side="$side" -v req="$req" -v s="$s" -v st="$st" -v sock="$sock" \
        -v p50="$p50" -v p99="$p99" 'BEGIN {
        printf "%-16s %10d %10.1f %9.3f %9.3f %9d %9d\n", side, req,
            req / s, p50, p99, st, sock }'
done
awk -v a50="$d_p50" -v a99="$d_p99" -v b50="$p_p50" -v b99="$p_p99" 'BEGIN {
    printf "%-16s %10s %10s %+9.3f %+9.3f\n", "proxy - direct", "", "",
        b50 - a50, b99 - a99 }'

# What the proxy saw: every request scrubbed (two values each)?
curl -s --max-time 10 "http://127.0.0.1:$px_port/metrics" \
    >"$tmp/metrics" || true
awk '/^blackbar_proxy_requests_total/ { r += $NF
        if ($0 !~ /code="200"/) { bad += $NF } }
     /^blackbar_proxy_redactions_total/ { red += $NF }
     /^blackbar_proxy_upstream_errors_total/ { ue += $NF }
     END { printf "proxy /metrics (warm-up included): %d requests " \
         "(%d not 200), %d values redacted, %d upstream errors\n",
         r, bad, red, ue }' "$tmp/metrics"
if grep -v -e 'proxy: listening on' "$tmp/proxy-load.err" |
    grep -q .; then
    echo "proxy stderr (first lines):"
    grep -v -e 'proxy: listening on' "$tmp/proxy-load.err" | head -n 5 |
        sed 's/^/  /'
fi
echo

# Informational: the closed loop (no wait), where latency is queueing
# behind the CPU: throughput.
if [ "$saturated" -gt 0 ]; then
    load sat-direct "$direct" "$saturated" 64 post-max
    load sat-proxy "$via" "$saturated" 64 post-max
    echo "64 connections, no wait (${saturated} s each; not judged):"
    segment direct "$tmp/wrk-sat-direct.out"
    segment proxy "$tmp/wrk-sat-proxy.out"
    echo
fi

# Informational: one connection, no queueing: the proxy's own cost.
if [ "$serial" -gt 0 ]; then
    load serial-direct "$direct" "$serial" 1 post-max
    load serial-proxy "$via" "$serial" 1 post-max
    echo "one connection (${serial} s each; not judged):"
    segment direct "$tmp/wrk-serial-direct.out"
    segment proxy "$tmp/wrk-serial-proxy.out"
    echo
fi

# Part 2: the stream, direct and through a proxy in turn.
standin chat-10k
s_port=$(wait_port "$tmp/up-chat-10k.port")
proxy stream "$s_port"
ps_port=$(wait_port "$tmp/proxy-stream.port")
s_direct=http://127.0.0.1:$s_port/v1/chat/completions
s_via=http://127.0.0.1:$ps_port/v1/chat/completions

# fetch URL OUT - time to first byte and total time, in seconds.
fetch() {
    curl -s -o "$2" -w '%{time_starttransfer} %{time_total}\n' \
        --max-time 60 -H 'Content-Type: application/json' \
        --data-binary @"$tmp/stream.json" "$1" ||
        die "$1: the stream failed"
}

i=0
same=yes
while [ "$i" -lt "$stream_runs" ]; do
    fetch "$s_direct" "$tmp/s-direct.out" >>"$tmp/t-direct"
    fetch "$s_via" "$tmp/s-proxy.out" >>"$tmp/t-proxy"
    cmp -s "$tmp/s-direct.out" "$tmp/s-proxy.out" || same=no
    i=$((i + 1))
done
events=$(grep -c '^data: {' "$tmp/s-proxy.out" || true)
done_ev=$(grep -c '^data: \[DONE\]$' "$tmp/s-proxy.out" || true)

# median COLUMN FILE - in ms.
median() {
    awk -v c="$1" '{ print $c * 1000 }' "$2" | sort -n |
        awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

st_d=$(median 1 "$tmp/t-direct")
st_p=$(median 1 "$tmp/t-proxy")
tt_d=$(median 2 "$tmp/t-direct")
tt_p=$(median 2 "$tmp/t-proxy")
echo "stream   10,000 chat.completion.chunk events (bbupstream chat-10k)," \
    "$(wc -c <"$tmp/s-direct.out" | tr -d ' ') bytes; median of" \
    "$stream_runs curl fetches each, in turn"
printf '%-16s %10s %10s\n' "" "TTFB ms" "total ms"
printf '%-16s %10.3f %10.3f\n' direct "$st_d" "$tt_d"
printf '%-16s %10.3f %10.3f\n' proxy "$st_p" "$tt_p"
awk -v a="$st_d" -v b="$st_p" -v c="$tt_d" -v d="$tt_p" 'BEGIN {
    printf "%-16s %+10.3f %+10.3f\n", "proxy - direct", b - a, d - c }'
if grep -v -e 'proxy: listening on' "$tmp/proxy-stream.err" |
    grep -q .; then
    echo "proxy stderr (first lines):"
    grep -v -e 'proxy: listening on' "$tmp/proxy-stream.err" | head -n 5 |
        sed 's/^/  /'
fi
echo

{
    awk -v a="$d_p50" -v b="$p_p50" 'BEGIN {
        printf "%s  p50 added %.3f ms <= 1 ms\n",
            (b - a <= 1 ? "PASS" : "FAIL"), b - a }'
    awk -v a="$d_p99" -v b="$p_p99" 'BEGIN {
        printf "%s  p99 added %.3f ms <= 5 ms\n",
            (b - a <= 5 ? "PASS" : "FAIL"), b - a }'
    e=$((p_st + p_sock))
    if [ "$e" -eq 0 ]; then
        echo "PASS  proxy errors 0 in $duration s"
    else
        echo "FAIL  proxy errors $e in $duration s ($p_st non-2xx," \
            "$p_sock socket)"
    fi
    e=$((d_st + d_sock))
    if [ "$e" -ne 0 ]; then
        echo "FAIL  direct errors $e: the stand-in or the machine is the" \
            "limit"
    fi
    awk -v a="$st_d" -v b="$st_p" 'BEGIN {
        printf "%s  stream TTFB added %.3f ms <= 5 ms\n",
            (b - a <= 5 ? "PASS" : "FAIL"), b - a }'
    if [ "$events" -eq 10000 ] && [ "$done_ev" -eq 1 ] && [ "$same" = yes ]
    then
        echo "PASS  stream through the proxy: 10000 events and [DONE]," \
            "byte-identical to direct"
    else
        echo "FAIL  stream through the proxy: $events events, $done_ev" \
            "[DONE], identical to direct: $same"
    fi
} | tee "$tmp/verdict"

if grep -q '^FAIL' "$tmp/verdict"; then
    exit 1
fi
exit 0
