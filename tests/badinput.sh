#!/usr/bin/env bash
# badinput.sh - inputs a filter meets in the wild, generated on the fly
# under $builddir/tests/out/badinput (never committed, removed on
# success):
#
#   - a 100 MB single line with secrets and e-mail addresses inserted at
#     the start, the middle and the end, two of them straddling the 64 KiB
#     stream chunk and the 256 KiB read boundaries: exit 0, output equal
#     to the expected text (each value replaced by its placeholder), none
#     of the values left, and peak RSS < 32 MB (bench/maxrss; not under
#     sanitizers)
#   - 1 MB of random bytes without letters, digits or "<" (which starts
#     placeholder escaping): passes unchanged
#   - 2 MB runs of adversarial units ("a@", "1-", "curl " ...): exit 0,
#     unchanged
#   - stdout closed early (EPIPE): exit 0, quiet; stdout /dev/full: exit 2
#   - a directory, a missing file and an unreadable file as FILE: exit 2,
#     the path on stderr
#
# Prints one line per check, then "N passed, N failed"; exits 1 on any
# failure.

set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
builddir=${builddir:-$srcdir}
BLACKBAR=${BLACKBAR:-$builddir/blackbar}
work=$builddir/tests/out/badinput
rss_limit_kb=$((32 * 1024))

unset BLACKBAR_RULES BLACKBAR_KEY
rm -rf "$work"
mkdir -p "$work"
passed=0
failed=0

ok() {
    echo "ok $1"
    passed=$((passed + 1))
}

fail() {
    echo "FAIL $1"
    failed=$((failed + 1))
}

# ---------------------------------------------------------- 100 MB line

# Values inserted into the line and what they become.
aws_in='AKIAZ3MHALXPQ5TBGR2N'
aws_out='<AWS_ACCESS_KEY_1>'
mail_in='jane.doe@corp.example'
mail_out='<EMAIL_1>'
ssn_in='SSN: 512-34-6789'
ssn_out='SSN: <US_SSN_1>'
card_in='card 4111 1111 1111 1111'
card_out='card <CREDIT_CARD_1>'
gh_in='GITHUB_TOKEN=ghp_4kQm9TzW2xB7vL1nR5sY8cD3fH6jK0pA2eGi'
gh_out='GITHUB_TOKEN=<GITHUB_TOKEN_1>'
big=$((100 * 1024 * 1024))

# Filler up to input offset $1 (ending with a space), from offset $at.
fill_to() {
    local n=$(($1 - at))

    yes 'lorem ipsum dolor sit amet' | tr '\n' ' ' | head -c $((n - 1))
    printf ' '
    at=$1
}

# Value $1 (input) or $2 (expected output), then a space.
value() {
    if [ "$mode" = in ]; then
        printf '%s ' "$1"
    else
        printf '%s ' "$2"
    fi
    at=$((at + ${#1} + 1))
}

# The 100 MB line ($1 = in: the input, out: the expected output).
gen_line() {
    mode=$1
    at=0
    value "$mail_in" "$mail_out"
    fill_to $((65536 - 7))
    value "$aws_in" "$aws_out"            # across the first 64 KiB chunk
    fill_to $((262144 - 9))
    value "$mail_in" "$mail_out"          # across the first 256 KiB read
    fill_to $((big / 2))
    value "$ssn_in" "$ssn_out"
    value "$card_in" "$card_out"
    value "$gh_in" "$gh_out"
    fill_to $((big - 3 * 65536 - 5))
    value "$aws_in" "$aws_out"            # across a chunk near the end
    fill_to $((big - 100))
    value "$mail_in" "$mail_out"
    fill_to "$big"
    printf '\n'
}

# Peak RSS through the project's own bench/maxrss (built for make check;
# it prints "maxrss_kb=N wall_s=F" on stderr). Under ASan the shadow
# memory makes the figure meaningless, so the limit is not checked.
timer=()
if [ -n "${MAXRSS:-}" ] && [ -x "$MAXRSS" ] && [ -z "${BB_SANITIZERS:-}" ]
then
    timer=("$MAXRSS")
fi
gen_line in | ${timer[@]+"${timer[@]}"} "$BLACKBAR" scrub \
    > "$work/big.out" 2> "$work/big.err"
rc=${PIPESTATUS[1]}
sed -n 's/^maxrss_kb=\([0-9]*\).*/\1/p' "$work/big.err" > "$work/rss"
if [ "$rc" -eq 0 ]; then
    ok "100 MB line: exit 0"
else
    fail "100 MB line: exit $rc: $(head -c 300 "$work/big.err")"
fi
size=$(wc -c < "$work/big.out")
want=$(gen_line out | wc -c)
if [ "$size" -eq "$want" ]; then
    ok "100 MB line: output is $size bytes"
else
    fail "100 MB line: output is $size bytes, want $want"
fi
if gen_line out | cmp -s - "$work/big.out"; then
    ok "100 MB line: output as expected"
else
    fail "100 MB line: output differs: $(gen_line out |
        cmp - "$work/big.out" 2>&1 | head -n 1)"
fi
left=
for v in "$aws_in" "$mail_in" "512-34-6789" "4111 1111 1111 1111" \
    "ghp_4kQm9TzW2xB7vL1nR5sY8cD3fH6jK0pA2eGi"; do
    if grep -qF -- "$v" "$work/big.out"; then
        left="$left $v"
    fi
done
if [ -z "$left" ]; then
    ok "100 MB line: no inserted value left"
else
    fail "100 MB line: values left in the output:$left"
fi
if [ ${#timer[@]} -eq 0 ]; then
    echo "# skip peak RSS check: no bench/maxrss, or a sanitizer build"
elif [ "$(cat "$work/rss" 2>/dev/null || echo x)" -lt "$rss_limit_kb" ] \
    2>/dev/null; then
    ok "100 MB line: peak RSS $(cat "$work/rss") KB < $rss_limit_kb KB"
else
    fail "100 MB line: peak RSS $(cat "$work/rss" 2>/dev/null) KB, limit \
$rss_limit_kb KB"
fi
rm -f "$work/big.out"

# -------------------------------------------------------- binary input

head -c 4000000 /dev/urandom | tr -d 'A-Za-z0-9<' | head -c 1048576 \
    > "$work/random.bin"
if "$BLACKBAR" scrub "$work/random.bin" > "$work/random.out" \
    2> "$work/random.err"; then
    if cmp -s "$work/random.bin" "$work/random.out"; then
        ok "random bytes: unchanged"
    else
        fail "random bytes: output differs: $(cmp "$work/random.bin" \
            "$work/random.out" 2>&1 | head -n 1)"
    fi
else
    fail "random bytes: exit $?: $(head -c 300 "$work/random.err")"
fi

# ------------------------------------------- 100 MB JSON string value

# One JSON document whose "content" is a 100 MB string (escapes in it,
# an e-mail address in the middle): it streams through in bounded
# memory, the value is replaced, and the output is still that JSON.
{
    printf '{"model":"m","n":12345678901234567890,"content":"'
    yes 'lorem \n ipsum \u00e9 dolor ' | head -n 1700000 | tr -d '\n'
    printf ' jane.doe@corp.example '
    yes 'sit \t amet \"x\" ' | head -n 2600000 | tr -d '\n'
    printf '"}'
} > "$work/bigjson.json"
${timer[@]+"${timer[@]}"} "$BLACKBAR" scrub --format json "$work/bigjson.json" \
    > "$work/bigjson.out" 2> "$work/bigjson.err"
rc=$?
if [ "$rc" -eq 0 ] && ! grep -q 'jane.doe@corp.example' "$work/bigjson.out" &&
    grep -q ' <EMAIL_1> ' "$work/bigjson.out" &&
    [ "$(head -c 48 "$work/bigjson.out")" = \
      '{"model":"m","n":12345678901234567890,"content":' ] &&
    [ "$(tail -c 2 "$work/bigjson.out")" = '"}' ] &&
    [ "$(wc -c < "$work/bigjson.out")" -eq \
      $(( $(wc -c < "$work/bigjson.json") - 21 + 9 )) ]; then
    ok "100 MB JSON string: value replaced, the rest byte for byte"
else
    fail "100 MB JSON string: exit $rc: $(head -c 300 "$work/bigjson.err")"
fi
kb=$(sed -n 's/^maxrss_kb=\([0-9]*\).*/\1/p' "$work/bigjson.err")
if [ "${#timer[@]}" -eq 0 ]; then
    echo "# skip JSON peak RSS check: no bench/maxrss, or a sanitizer build"
elif [ -n "$kb" ] && [ "$kb" -lt "$rss_limit_kb" ]; then
    ok "100 MB JSON string: peak RSS $kb KB < $rss_limit_kb KB"
else
    fail "100 MB JSON string: peak RSS ${kb:-?} KB, limit $rss_limit_kb KB"
fi
rm -f "$work/bigjson.json" "$work/bigjson.out"

# --------------------------------------------------- vault and restore

# scrub --vault writes a private vault; restore puts every value back
# byte for byte; a vault path that is a symlink is refused.
printf 'to jane.doe@corp.example <EMAIL_1> <\\x\ncard 4111 1111 1111 1111\n' \
    > "$work/rt.txt"
rm -f "$work/rt.vault"
if "$BLACKBAR" scrub --vault "$work/rt.vault" "$work/rt.txt" \
        > "$work/rt.scrubbed" 2> "$work/rt.err" &&
    ! grep -q 'jane.doe' "$work/rt.scrubbed" &&
    "$BLACKBAR" restore --vault "$work/rt.vault" "$work/rt.scrubbed" \
        > "$work/rt.back" 2>> "$work/rt.err" &&
    cmp -s "$work/rt.txt" "$work/rt.back"; then
    ok "scrub --vault then restore: the input comes back byte for byte"
else
    fail "vault round trip: $(head -c 300 "$work/rt.err")"
fi
mode=$(stat -c %a "$work/rt.vault" 2>/dev/null || echo "?")
if [ "$mode" = 600 ]; then
    ok "vault file mode 600"
else
    fail "vault file mode $mode, want 600"
fi
ln -sf "$work/rt.txt" "$work/rt.link"
if "$BLACKBAR" scrub --vault "$work/rt.link" "$work/rt.txt" \
        > /dev/null 2> "$work/rt.err"; then
    fail "vault through a symlink: accepted"
elif cmp -s "$work/rt.txt" "$work/rt.back"; then
    ok "vault through a symlink: refused, target untouched"
else
    fail "vault through a symlink: target changed"
fi

# -------------------------------------------------- adversarial runs

for unit in 'a@' '0' '1-' 'a.' 'curl ' '::' '<A_' 'AKIA' 'eyJ' '+1 '; do
    yes -- "$unit" | tr -d '\n' | head -c 2000000 > "$work/unit.txt"
    if "$BLACKBAR" scrub "$work/unit.txt" > "$work/unit.out" \
        2> "$work/unit.err"; then
        if cmp -s "$work/unit.txt" "$work/unit.out"; then
            ok "2 MB of \"$unit\": unchanged"
        else
            fail "2 MB of \"$unit\": output differs"
        fi
    else
        fail "2 MB of \"$unit\": exit $?: $(head -c 300 "$work/unit.err")"
    fi
done

# ------------------------------------------------------ broken output

# A reader that goes away (EPIPE) ends the run quietly with 0; a full
# disk is an error (2).
yes 'mail jane.doe@corp.example lorem ipsum' | head -c 5000000 \
    > "$work/pipe.txt"
"$BLACKBAR" scrub "$work/pipe.txt" 2> "$work/pipe.err" | head -c 10 \
    > /dev/null
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 0 ] && [ ! -s "$work/pipe.err" ]; then
    ok "reader goes away: exit 0, quiet"
else
    fail "reader goes away: exit $rc: $(head -c 300 "$work/pipe.err")"
fi
if [ -w /dev/full ]; then
    rc=0
    "$BLACKBAR" scrub "$work/pipe.txt" > /dev/full 2> "$work/full.err" ||
        rc=$?
    if [ "$rc" -eq 2 ] && [ -s "$work/full.err" ]; then
        ok "full disk: exit 2 with a message"
    else
        fail "full disk: exit $rc: $(head -c 300 "$work/full.err")"
    fi
fi

# ------------------------------------------------- files that fail

# $1: what, $2: path; expects exit 2 and the path on stderr.
bad_file() {
    local rc=0

    "$BLACKBAR" scrub "$2" > "$work/bad.out" 2> "$work/bad.err" || rc=$?
    if [ "$rc" -eq 2 ] && grep -qF -- "$2" "$work/bad.err" &&
        [ ! -s "$work/bad.out" ]; then
        ok "$1: exit 2, path named"
    else
        fail "$1: exit $rc, stderr: $(head -c 300 "$work/bad.err")"
    fi
}

mkdir -p "$work/a-directory"
bad_file "directory" "$work/a-directory"
bad_file "missing file" "$work/no-such-file"
if [ "$(id -u)" -ne 0 ]; then
    printf 'secret\n' > "$work/unreadable"
    chmod 000 "$work/unreadable"
    bad_file "unreadable file" "$work/unreadable"
    chmod 600 "$work/unreadable"
else
    echo "# skip unreadable-file check: running as root"
fi
if [ -r /proc/self/mem ]; then
    # Opens, but reading at offset 0 fails (EIO).
    bad_file "file that cannot be read" /proc/self/mem
fi

echo "$passed passed, $failed failed"
if [ "$failed" -eq 0 ]; then
    rm -rf "$work"
    exit 0
fi
exit 1
