# upstream.sh - sourced by the tests that talk to the stand-in API
# (tests/tools/bbupstream) on 127.0.0.1: start MODE PATH starts one in
# MODE and sets url (http://127.0.0.1:PORT/PATH) and log (the bodies it
# received); every one started is killed when the test exits.
pids=()
trap 'kill "${pids[@]}" 2>/dev/null' EXIT

start() {
    local dir=$work/$1
    mkdir -p "$dir"
    "$BBUPSTREAM" "$1" "$dir/port" "$dir/log" &
    pids+=($!)
    for _ in $(seq 50); do
        [ -s "$dir/port" ] && break
        sleep 0.1
    done
    url=http://127.0.0.1:$(cat "$dir/port")/$2
    log=$dir/log
}
