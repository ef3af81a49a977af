#!/usr/bin/env bash
# audit.sh - the audit log (docs/AUDIT-FORMAT.md): 4 processes x 5000
# records appended at once verify as one chain; one edited byte, a
# deleted line and two swapped lines are each found at the right line; a
# writer killed mid-run and a torn last line leave a log that verifies up
# to the last whole record, and the next writer recovers it; no inserted
# value is in the log; the log is created 0600; a wrong key fails.

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
builddir=${builddir:-$srcdir}
BLACKBAR=${BLACKBAR:-$builddir/blackbar}
BBAUDIT=${BBAUDIT:-$builddir/tests/tools/bbaudit}
work=$builddir/tests/out/audit
export BLACKBAR_AUDIT_KEY=audit-test-key-0123456789
unset BLACKBAR_AUDIT_KEY_FILE

rm -rf "$work"
mkdir -p "$work"
failed=0
fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
}
ok() {
    echo "ok $*"
}
# verify LOG WANT-EXIT WANT-TEXT: blackbar log verify prints WANT-TEXT
verify() {
    local out rc
    out=$("$BLACKBAR" log verify "$1" 2>&1)
    rc=$?
    if [ "$rc" -ne "$2" ] || ! grep -qF -- "$3" <<<"$out"; then
        fail "$1: exit $rc, want $2; got: $out; want: $3"
        return 1
    fi
    ok "$(basename "$1"): $3"
}

log=$work/shared.log
for p in 1 2 3 4; do
    "$BBAUDIT" "$log" 5000 "p$p" &
done
wait
verify "$log" 0 "ok 20000 records"
perm=$(stat -c %a "$log")
[ "$perm" = 600 ] && ok "log mode 600" || fail "log mode $perm, want 600"
if grep -q 4111111111111111 "$log"; then
    fail "a value is in the log"
else
    ok "no value in the log"
fi

# one byte edited in line 1234 (a digit of its offset)
awk 'NR == 1234 { sub(/"offset":/, "\"offset\":9") } { print }' "$log" \
    > "$work/edited.log"
verify "$work/edited.log" 1 "edited.log:1234: hash does not match"
sed 777d "$log" > "$work/deleted.log"
verify "$work/deleted.log" 1 "deleted.log:777: prev is not the hash"
awk 'NR == 100 { keep = $0; next } NR == 101 { print; print keep; next }
     { print }' "$log" > "$work/swapped.log"
verify "$work/swapped.log" 1 "swapped.log:100: prev is not the hash"
BLACKBAR_AUDIT_KEY=another-key-0123456789 verify "$log" 1 \
    "shared.log:1: hash does not match"

# a writer killed mid-run, and a torn last line
log=$work/killed.log
"$BBAUDIT" "$log" 1000000 k &
pid=$!
sleep 0.3
kill -9 "$pid"
wait "$pid" 2>/dev/null
n=$(grep -c '' "$log")
if [ "$(tail -c 1 "$log" | od -An -c | tr -d ' ')" = '\n' ]; then
    verify "$log" 0 "ok $n records"
else
    # the kill tore the last record: reported, and the rest verifies
    verify "$log" 0 "killed.log:$n: a torn last record"
    verify "$log" 0 "ok $((n - 1)) records"
    head -c -"$(tail -n 1 "$log" | wc -c)" "$log" > "$log.whole"
    mv "$log.whole" "$log"
    n=$((n - 1))
fi
head -c -40 "$log" > "$work/torn.log"
verify "$work/torn.log" 0 "torn.log:$n: a torn last record"
verify "$work/torn.log" 0 "ok $((n - 1)) records"
"$BBAUDIT" "$work/torn.log" 2 after
verify "$work/torn.log" 0 "ok $((n + 2)) records"
if grep -q '"event":"recover"' "$work/torn.log"; then
    ok "the next writer recorded the cut"
else
    fail "no recover record"
fi

# scrub --audit: counts per rule, no value
log=$work/scrub.log
printf 'mail jane.doe@example.com card 4111 1111 1111 1111\n' |
    "$BLACKBAR" scrub --audit "$log" > /dev/null ||
    fail "scrub --audit failed"
if grep -q '"counts":{"email":1,"credit-card":1}' "$log" &&
    ! grep -q -e jane -e '4111 1111' "$log"; then
    ok "scrub --audit: counts, no values"
else
    fail "scrub --audit wrote: $(cat "$log")"
fi
verify "$log" 0 "ok 1 records"

# moderate --audit: a block in full (rule, category, where, fingerprint,
# an excerpt of scrubbed words around it), never the values or the match
log=$work/moderate.log
printf 'Hi jane.doe@example.com, listen: I will kill you at 4111 1111 1111 1111 noon.\n' |
    "$BLACKBAR" moderate --audit "$log" > /dev/null
if grep -q '"event":"block"' "$log" && grep -q '"rule":"violence-threat"' "$log" &&
    grep -q '"fp":"hmac-sha256:' "$log" &&
    grep -q 'chars withheld' "$log" &&
    ! grep -q -e jane -e 4111 -e 'kill you' "$log"; then
    ok "moderate --audit: the block, no values"
else
    fail "moderate --audit wrote: $(cat "$log")"
fi
# (the block, then the redactions: the address and the card)
grep -q '"event":"redact","source":"moderate","counts":{"email":1,"credit-card":1}' "$log" ||
    fail "moderate --audit: no redaction counts: $(cat "$log")"
verify "$log" 0 "ok 2 records"

[ "$failed" -eq 0 ]
