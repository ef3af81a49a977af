#!/bin/sh
# bench/run.sh - throughput, peak RSS and recall of `blackbar scrub` on a
# gencorpus corpus, against `cat | cat` as the pipe reference. Prints one
# PASS/FAIL line per target and exits 1 if any target fails, 2 on misuse.
#
# usage: bench/run.sh BLACKBAR_BIN [CORPUS TRUTH]
#   BENCH_JSONL, BENCH_JSONL_TRUTH  a JSONL corpus and its truth file
#                 (default: generated, kind jsonl) for the JSONL figures
#   BENCH_SIZE    corpus size when none is given (default 100M)
#   BENCH_RUNS    timed runs, best wall time wins (default 3)
#   BENCH_BINDIR  where gencorpus, recall and maxrss are (default: ./bench,
#                 then this script's directory, else built into bench/out)
set -eu

usage() {
    echo "usage: bench/run.sh BLACKBAR_BIN [CORPUS TRUTH]" >&2
    exit 2
}

die() {
    echo "run.sh: $*" >&2
    exit 2
}

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
    usage
fi
bin=$1
corpus=${2:-}
truth=${3:-}
size=${BENCH_SIZE:-100M}
runs=${BENCH_RUNS:-3}
here=$(cd "$(dirname "$0")" && pwd)

case $runs in
'' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive integer" ;;
esac
if [ -n "$corpus" ] && [ -z "$truth" ]; then
    usage
fi
if [ -z "$corpus" ] && [ -n "$truth" ]; then
    usage
fi
if [ ! -x "$bin" ] && ! command -v "$bin" >/dev/null 2>&1; then
    die "$bin: not an executable"
fi

# tool NAME SOURCE... - path of a bench program; built with ${CC:-cc} into
# bench/out/bin when no prebuilt one is found (or the sources are newer).
tool() {
    name=$1
    shift
    for dir in ${BENCH_BINDIR:+"$BENCH_BINDIR"} ./bench "$here"; do
        if [ -x "$dir/$name" ] && [ -f "$dir/$name" ]; then
            echo "$dir/$name"
            return
        fi
    done
    out=$here/out/bin/$name
    stale=no
    [ -x "$out" ] || stale=yes
    for src in "$@"; do
        if [ -n "$(find "$here/$src" -newer "$out" 2>/dev/null)" ]; then
            stale=yes
        fi
    done
    if [ "$stale" = yes ]; then
        mkdir -p "$here/out/bin"
        echo "building $out" >&2
        libs=
        if [ "$name" = recall ]; then
            libs=$(pkg-config --cflags --libs libcjson) ||
                die "pkg-config cannot find libcjson"
        fi
        # shellcheck disable=SC2086 # pkg-config output is a word list
        (cd "$here" && "${CC:-cc}" -std=c11 -O2 -o "$out" "$@" $libs) ||
            die "cannot build $name"
    fi
    echo "$out"
}

gencorpus=$(tool gencorpus gencorpus.c gen.c items.c)
recall=$(tool recall recall.c)
maxrss=$(tool maxrss maxrss.c)

if [ -z "$corpus" ]; then
    corpus=$here/out/corpus-mixed-$size.txt
    truth=$here/out/corpus-mixed-$size.truth.jsonl
    if [ ! -s "$corpus" ] || [ ! -s "$truth" ]; then
        echo "generating $corpus (seed 1, kind mixed, size $size)" >&2
        mkdir -p "$here/out"
        "$gencorpus" --size "$size" --seed 1 --kind mixed \
            --truth "$truth.tmp" >"$corpus.tmp" || die "gencorpus failed"
        mv "$truth.tmp" "$truth"
        mv "$corpus.tmp" "$corpus"
    fi
fi
[ -r "$corpus" ] || die "$corpus: cannot read"
[ -r "$truth" ] || die "$truth: cannot read"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/blackbar-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

bytes=$(wc -c <"$corpus" | tr -d ' ')
[ "$bytes" -gt 0 ] || die "$corpus: empty"

now() {
    date +%s.%N
}

# min A B - the smaller of two decimal numbers; B may be empty.
min() {
    awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }'
}

echo "corpus  $corpus ($bytes bytes)"
echo "truth   $truth"
echo "runs    $runs (best wall time)"
echo

# (a) the pipe reference: what a filter that only copies would cost.
best_cat=
i=0
while [ "$i" -lt "$runs" ]; do
    t0=$(now)
    # shellcheck disable=SC2002 # the two-process pipe is the reference
    cat "$corpus" | cat >"$tmp/cat.out"
    t1=$(now)
    best_cat=$(min "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
        "$best_cat")
    i=$((i + 1))
done
rm -f "$tmp/cat.out"

# (b) blackbar scrub under maxrss; the output of the last run is checked.
best_bb=
max_kb=0
scrub_rc=0
i=0
while [ "$i" -lt "$runs" ]; do
    "$maxrss" "$bin" scrub <"$corpus" >"$tmp/scrub.out" \
        2>"$tmp/scrub.err" || scrub_rc=$?
    if [ "$scrub_rc" -gt 1 ]; then
        break
    fi
    read -r kb wall <<EOF
$(awk -F'[= ]' '/^maxrss_kb=/ { kb = $2; s = $4 }
    END { print kb + 0, s + 0 }' "$tmp/scrub.err")
EOF
    best_bb=$(min "$wall" "$best_bb")
    if [ "$kb" -gt "$max_kb" ]; then
        max_kb=$kb
    fi
    i=$((i + 1))
done
if grep -v '^maxrss_kb=' "$tmp/scrub.err" >"$tmp/scrub.msg" &&
    [ -s "$tmp/scrub.msg" ]; then
    echo "blackbar stderr (first lines):"
    head -n 5 "$tmp/scrub.msg" | sed 's/^/  /'
    echo
fi
if [ "$scrub_rc" -gt 1 ]; then
    echo "FAIL  $bin scrub exited with status $scrub_rc"
    exit 1
fi

awk -v n="$bytes" -v c="$best_cat" -v b="$best_bb" -v kb="$max_kb" 'BEGIN {
    if (c <= 0) c = 1e-6
    if (b <= 0) b = 1e-6
    printf "%-18s %8.1f MB/s  (%.3f s)\n", "cat | cat", n / c / 1e6, c
    printf "%-18s %8.1f MB/s  (%.3f s)\n", "blackbar scrub", n / b / 1e6, b
    printf "%-18s %8.3f\n", "ratio", c / b
    printf "%-18s %8.1f MB  (%d KiB)\n", "peak RSS", kb / 1024, kb
}'
echo

# (c) recall of the redacted output against the truth file.
"$recall" --truth "$truth" --redacted "$tmp/scrub.out" >"$tmp/recall" ||
    die "recall failed"
cat "$tmp/recall"
echo

# (d) the targets.
{
    awk -v c="$best_cat" -v b="$best_bb" -v kb="$max_kb" 'BEGIN {
        r = (b > 0) ? c / b : 0
        printf "%s  throughput ratio %.3f >= 0.15\n",
            (r >= 0.15 ? "PASS" : "FAIL"), r
        printf "%s  peak RSS %.1f MB < 32 MB\n",
            (kb < 32 * 1024 ? "PASS" : "FAIL"), kb / 1024
    }'
    awk '/^item / { sect = "item"; next }
         /^ALL / { sect = ""; next }
         /^decoy / { sect = "decoy"; next }
         sect == "item" {
             n = $(NF - 2); d = $(NF - 1)
             printf "%s  recall %s %.4f >= 0.99\n",
                 (100 * d >= 99 * n ? "PASS" : "FAIL"), $1, d / n
         }
         sect == "decoy" {
             n = $(NF - 2); d = $(NF - 1)
             printf "%s  decoy %s removed %.1f%% <= 1%%\n",
                 (100 * d <= n ? "PASS" : "FAIL"), $1, 100 * d / n
         }' "$tmp/recall"
} | tee "$tmp/verdict"

# (e) JSON Lines: the same bytes scrubbed as text and as JSONL (string
# values decoded, scrubbed one by one, re-encoded), best of $runs each.
jcorpus=${BENCH_JSONL:-}
jtruth=${BENCH_JSONL_TRUTH:-}
if [ -z "$jcorpus" ]; then
    jcorpus=$here/out/corpus-jsonl-$size.jsonl
    jtruth=$here/out/corpus-jsonl-$size.truth.jsonl
    if [ ! -s "$jcorpus" ] || [ ! -s "$jtruth" ]; then
        echo "generating $jcorpus (seed 1, kind jsonl, size $size)" >&2
        "$gencorpus" --size "$size" --seed 1 --kind jsonl \
            --truth "$jtruth.tmp" >"$jcorpus.tmp" || die "gencorpus failed"
        mv "$jtruth.tmp" "$jtruth"
        mv "$jcorpus.tmp" "$jcorpus"
    fi
fi
[ -r "$jcorpus" ] || die "$jcorpus: cannot read"
[ -r "$jtruth" ] || die "$jtruth: cannot read"

# best FORMAT - best wall time of scrub --format FORMAT on the JSONL
# corpus (its output left in $tmp/json-FORMAT.out).
best() {
    b=
    k=0
    while [ "$k" -lt "$runs" ]; do
        "$maxrss" "$bin" scrub --format "$1" <"$jcorpus" \
            >"$tmp/json-$1.out" 2>"$tmp/json.err" ||
            die "scrub --format $1 failed: $(head -n 2 "$tmp/json.err")"
        w=$(awk -F'[= ]' '/^maxrss_kb=/ { print $4 + 0 }' "$tmp/json.err")
        b=$(min "$w" "$b")
        k=$((k + 1))
    done
    echo "$b"
}

echo
echo "jsonl   $jcorpus ($(wc -c <"$jcorpus" | tr -d ' ') bytes)"
t_text=$(best text)
t_json=$(best jsonl)
jbytes=$(wc -c <"$jcorpus" | tr -d ' ')
awk -v n="$jbytes" -v t="$t_text" -v j="$t_json" 'BEGIN {
    if (t <= 0) t = 1e-6
    if (j <= 0) j = 1e-6
    printf "%-18s %8.1f MB/s  (%.3f s)\n", "scrub as text", n / t / 1e6, t
    printf "%-18s %8.1f MB/s  (%.3f s)\n", "scrub as jsonl", n / j / 1e6, j
    printf "%-18s %8.3f\n", "jsonl / text", t / j
}'
"$recall" --truth "$jtruth" --redacted "$tmp/json-jsonl.out" \
    >"$tmp/jrecall" || die "recall failed"
grep -E '^(item|ALL)' "$tmp/jrecall"
{
    awk -v t="$t_text" -v j="$t_json" 'BEGIN {
        r = (j > 0) ? t / j : 0
        printf "%s  jsonl throughput %.3f of text >= 0.7\n",
            (r >= 0.7 ? "PASS" : "FAIL"), r
    }'
    awk '/^ALL / { n = $(NF - 2); d = $(NF - 1)
             printf "%s  jsonl recall %.4f >= 0.99\n",
                 (100 * d >= 99 * n ? "PASS" : "FAIL"), d / n }' \
        "$tmp/jrecall"
} | tee -a "$tmp/verdict"

if grep -q '^FAIL' "$tmp/verdict"; then
    exit 1
fi
exit 0
