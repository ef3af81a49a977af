#!/usr/bin/env bash
# benign.sh - the false-block rate of blackbar moderate on 2000 benign
# assistant answers (tests/tools/bbanswers: technical, medical, legal and
# fiction answers full of "kill the process", "suicide risk screening",
# "murder charges"): printed, and it must stay under 2%.

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
builddir=${builddir:-$srcdir}
BLACKBAR=${BLACKBAR:-$builddir/blackbar}
BBANSWERS=${BBANSWERS:-$builddir/tests/tools/bbanswers}
work=$builddir/tests/out/benign
n=2000

rm -rf "$work"
mkdir -p "$work/answers"
"$BBANSWERS" "$work/answers" "$n" 1 || exit 1
"$BLACKBAR" moderate "$work/answers"/* > "$work/out" 2> "$work/err"
rc=$?
if [ "$rc" -gt 1 ]; then
    echo "FAIL blackbar moderate exited $rc: $(head -c 300 "$work/err")"
    exit 1
fi
blocked=$(grep -c '^\[blackbar: response blocked' "$work/out")
echo "benign answers: $n, blocked: $blocked" \
    "($(awk -v b="$blocked" -v n="$n" 'BEGIN { printf "%.2f", 100 * b / n }')%)"
[ "$blocked" -lt $((n / 50)) ]
