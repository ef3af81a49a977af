#!/usr/bin/env bash
# chunking.sh - chunking invariance (DESIGN section 2, invariant 3): every
# file under tests/fixtures/ goes through $BBCHUNK with the built-in packs
# fed whole, 1 byte at a time, in random pieces (two seeds) and in
# 4096-byte pieces; all five outputs must be byte-identical. Prints one
# line per file and exits 1 on any difference.

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
builddir=${builddir:-$srcdir}
BBCHUNK=${BBCHUNK:-$builddir/tests/tools/bbchunk}
work=$builddir/tests/out/chunking
modes="whole 1 random:1 random:2 4096"

rm -rf "$work"
mkdir -p "$work"
passed=0
failed=0
n=0
while IFS= read -r f; do
    n=$((n + 1))
    why=
    for m in $modes; do
        if ! "$BBCHUNK" "$m" < "$f" > "$work/$n.$m" 2> "$work/$n.$m.err"
        then
            why="$why bbchunk $m failed: $(head -c 200 "$work/$n.$m.err");"
        elif [ "$m" != whole ] && ! cmp -s "$work/$n.whole" "$work/$n.$m"
        then
            why="$why $m differs from whole;"
        fi
    done
    rel=${f#"$srcdir"/}
    if [ -z "$why" ]; then
        echo "ok $rel"
        passed=$((passed + 1))
    else
        echo "FAIL $rel:$why"
        failed=$((failed + 1))
    fi
done < <(find "$srcdir/tests/fixtures" -type f | LC_ALL=C sort)

if [ "$n" -eq 0 ]; then
    echo "chunking.sh: no fixtures in $srcdir/tests/fixtures" >&2
    exit 1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
