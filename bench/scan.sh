#!/bin/sh
# bench/scan.sh - wall time of `blackbar scan --no-git` on a real
# third-party tree (the node_modules of a pinned npm install of typescript
# and eslint, bench/scan/tree), side by side with secretlint and its
# recommended preset (bench/scan/secretlint) on the same files, in one run.
# Prints the medians, the ratio, the files each tool read and blackbar's
# findings per rule; PASS/FAIL per target, exit 1 if one fails, 2 on misuse
# or a broken setup, 77 when node or npm is missing.
#
# usage: bench/scan.sh BLACKBAR
#   BENCH_SCAN_RUNS   timed repetitions (default 9); each runs blackbar with
#                     the default -j, blackbar -j 1 and secretlint, in one
#                     of three orders in turn, after one untimed run of each
#   BENCH_SCAN_DIR    where the two installs go (default bench/out/scan)
#   NPM               the npm command (default npm)
set -eu

usage() {
    echo "usage: bench/scan.sh BLACKBAR" >&2
    exit 2
}

die() {
    echo "scan.sh: $*" >&2
    exit 2
}

if [ $# -ne 1 ]; then
    usage
fi
here=$(cd "$(dirname "$0")" && pwd)
case $1 in
/*) bin=$1 ;;
*) bin=$(pwd)/$1 ;;
esac
runs=${BENCH_SCAN_RUNS:-9}
out=${BENCH_SCAN_DIR:-$here/out/scan}
npm=${NPM:-npm}

case $runs in
'' | *[!0-9]* | 0) die "BENCH_SCAN_RUNS must be a positive integer" ;;
esac
[ -x "$bin" ] || die "$bin: not an executable"
for tool in node "$npm"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "scan.sh: $tool is not installed; skipped" >&2
        exit 77
    fi
done

# install SIDE - `npm ci` of bench/scan/SIDE into $out/SIDE, unless the
# lock file there is already the pinned one. --ignore-scripts: nothing of
# the tree runs; it is only read.
install() {
    src=$here/scan/$1
    dst=$out/$1
    if [ -f "$dst/node_modules/.package-lock.json" ] &&
        cmp -s "$src/package-lock.json" "$dst/package-lock.json"; then
        return
    fi
    echo "installing $1 (npm ci) into $dst" >&2
    rm -rf "$dst"
    mkdir -p "$dst"
    cp "$src/package.json" "$src/package-lock.json" "$dst/"
    (cd "$dst" && "$npm" ci --ignore-scripts --no-audit --no-fund \
        --loglevel=error >&2) || die "npm ci failed in $dst"
}

install tree
install secretlint
tree=$out/tree
sl=$out/secretlint/node_modules/.bin/secretlint
[ -x "$sl" ] || die "$sl: not installed"
cp "$here/scan/secretlint/.secretlintrc.json" "$out/secretlint/"
cp "$here/scan/secretlint/.secretlintignore" "$tree/"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/blackbar-scanbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# The tree: regular files only (neither tool follows the symlinks of
# node_modules/.bin).
files=$(cd "$tree" && find node_modules -type f | wc -l | tr -d ' ')
bytes=$(cd "$tree" && find node_modules -type f -printf '%s\n' |
    awk '{ s += $1 } END { print s + 0 }')
links=$(cd "$tree" && find node_modules -type l | wc -l | tr -d ' ')
[ "$files" -gt 0 ] || die "$tree/node_modules: no files"

now() {
    date +%s.%N
}

# run NAME - one timed run of one side, in the tree's directory; its wall
# time is appended to $tmp/t-NAME, its report left in $tmp/NAME.json.
# Exit status 1 (findings) is expected; anything above is a failure.
run() {
    rc=0
    t0=$(now)
    case $1 in
    bb-jN)
        (cd "$tree" && "$bin" scan --no-git -f json -o "$tmp/$1.json" \
            node_modules 2>"$tmp/$1.err") || rc=$?
        ;;
    bb-j1)
        (cd "$tree" && "$bin" scan --no-git -j 1 -f json \
            -o "$tmp/$1.json" node_modules 2>"$tmp/$1.err") || rc=$?
        ;;
    sl)
        (cd "$tree" && "$sl" --secretlintrc "$out/secretlint/.secretlintrc.json" \
            --no-gitignore --format json --output "$tmp/$1.json" \
            'node_modules/**/*' >/dev/null 2>"$tmp/$1.err") || rc=$?
        ;;
    esac
    t1=$(now)
    if [ "$rc" -gt 1 ]; then
        echo "scan.sh: $1 exited with status $rc:" >&2
        head -n 5 "$tmp/$1.err" >&2
        exit 2
    fi
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }' \
        >>"$tmp/t-$1"
}

# median NAME - of the timed runs, in seconds.
median() {
    sort -n "$tmp/t-$1" |
        awk '{ a[NR] = $1 } END {
            if (NR % 2) { print a[(NR + 1) / 2] }
            else { printf "%.4f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 } }'
}

echo "blackbar scan against secretlint, $(date -u +%Y-%m-%dT%H:%MZ)," \
    "$(nproc) CPUs"
echo "tree     $tree/node_modules: $files files," \
    "$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB" \
    "($links symlinks, not followed)"
echo "         $(cd "$tree" && node -p 'const p = require("./package.json");
    const l = require("./node_modules/.package-lock.json");
    Object.entries(p.dependencies).map(([k, v]) => k + "@" + v).join(", ") +
    " and their dependencies: " + Object.keys(l.packages).length +
    " packages"')"
echo "blackbar $1 scan --no-git -f json node_modules (default -j, and -j 1)"
echo "         $("$bin" --version 2>/dev/null | head -n 1)"
echo "secretlint $(cd "$out/secretlint" && node -p \
    'require("./node_modules/secretlint/package.json").version') with" \
    "@secretlint/secretlint-rule-preset-recommend $(cd "$out/secretlint" &&
        node -p 'require("./node_modules/@secretlint/secretlint-rule-preset-recommend/package.json").version'):"
echo "         secretlint --no-gitignore --format json 'node_modules/**/*'" \
    "(.secretlintignore: !**/node_modules/**)"
echo "runs     1 untimed, then $runs of each side, in rotating order;" \
    "median wall time"
echo

for side in bb-jN bb-j1 sl; do
    run "$side"
    rm -f "$tmp/t-$side"
done
i=0
while [ "$i" -lt "$runs" ]; do
    case $((i % 3)) in
    0) order="bb-jN bb-j1 sl" ;;
    1) order="sl bb-jN bb-j1" ;;
    *) order="bb-j1 sl bb-jN" ;;
    esac
    for side in $order; do
        run "$side"
    done
    i=$((i + 1))
done

m_jn=$(median bb-jN)
m_j1=$(median bb-j1)
m_sl=$(median sl)

# What each read and found, from its JSON report (the last run's).
node - "$tmp/bb-jN.json" "$tmp/bb-j1.json" "$tmp/sl.json" \
    >"$tmp/counts" <<'EOF'
const fs = require("fs");
const [jn, j1, sl] = process.argv.slice(2).map(
    (f) => JSON.parse(fs.readFileSync(f, "utf8")));
const same = JSON.stringify(jn.findings) === JSON.stringify(j1.findings);
const slFindings = sl.reduce((n, r) => n + r.messages.length, 0);
console.log(`counts ${jn.summary.files} ${jn.findings.length} ${sl.length} ` +
    `${slFindings} ${same ? "yes" : "no"}`);
const s = jn.summary;
console.log(`skipped ${s.skipped_binary} ${s.skipped_large} ` +
    `${s.skipped_symlink} ${s.unreadable}`);
const byRule = new Map();
for (const f of jn.findings) {
    const k = `${f.rule} ${f.type} ${f.severity}`;
    const e = byRule.get(k) || { n: 0, files: new Set() };
    e.n++;
    e.files.add(f.path);
    byRule.set(k, e);
}
for (const [k, e] of [...byRule].sort((a, b) => b[1].n - a[1].n ||
        (a[0] < b[0] ? -1 : 1))) {
    console.log(`rule ${k} ${e.n} ${e.files.size}`);
}
const slByRule = new Map();
for (const r of sl) {
    for (const m of r.messages) {
        slByRule.set(m.ruleId, (slByRule.get(m.ruleId) || 0) + 1);
    }
}
for (const [k, n] of slByRule) {
    console.log(`slrule ${k} ${n}`);
}
EOF
read -r _ bb_files bb_found sl_files sl_found same <<EOF
$(grep '^counts ' "$tmp/counts")
EOF
read -r _ sk_bin sk_large sk_link unread <<EOF
$(grep '^skipped ' "$tmp/counts")
EOF

# line LABEL SECONDS FILES FINDINGS
line() {
    awk -v l="$1" -v t="$2" -v f="$3" -v n="$4" -v b="$bytes" 'BEGIN {
        printf "%-22s %10.3f %8.1f %12d %10d\n", l, t,
            (t > 0 ? b / t / 1e6 : 0), f, n }'
}

printf '%-22s %10s %8s %12s %10s\n' "" "median s" "MB/s" "files read" \
    findings
line "blackbar -j $(nproc)" "$m_jn" "$bb_files" "$bb_found"
line "blackbar -j 1" "$m_j1" "$bb_files" "$bb_found"
line secretlint "$m_sl" "$sl_files" "$sl_found"
awk -v a="$m_sl" -v b="$m_jn" -v c="$m_j1" 'BEGIN {
    printf "%-22s %10.1fx\n", "secretlint / -j N", a / b
    printf "%-22s %10.1fx\n", "secretlint / -j 1", a / c }'
echo "blackbar skipped: binary $sk_bin, too large $sk_large, symlink" \
    "$sk_link; unreadable $unread"
echo "runs (s): -j N $(tr '\n' ' ' <"$tmp/t-bb-jN")| -j 1" \
    "$(tr '\n' ' ' <"$tmp/t-bb-j1")| secretlint $(tr '\n' ' ' <"$tmp/t-sl")"
echo

echo "blackbar findings per rule (files):"
awk '/^rule / { printf "  %-34s %-18s %-8s %6d  (%d files)\n",
    $2, $3, $4, $5, $6 }' "$tmp/counts"
if grep -q '^slrule ' "$tmp/counts"; then
    echo "secretlint findings per rule:"
    awk '/^slrule / { printf "  %-60s %6d\n", $2, $3 }' "$tmp/counts"
fi
echo

{
    awk -v a="$m_sl" -v b="$m_jn" 'BEGIN {
        r = (b > 0) ? a / b : 0
        printf "%s  secretlint / blackbar %.1fx >= 10x\n",
            (r >= 10 ? "PASS" : "FAIL"), r }'
    if [ "$bb_files" -eq "$sl_files" ] &&
        [ $((bb_files + sk_bin + sk_large + unread)) -eq "$files" ]; then
        echo "PASS  the same $files files: blackbar read $bb_files" \
            "(+ $sk_bin binary), secretlint $sl_files"
    else
        echo "FAIL  files: tree $files, blackbar $bb_files (+ $sk_bin" \
            "binary, $sk_large too large, $unread unreadable)," \
            "secretlint $sl_files"
    fi
    if [ "$same" = yes ]; then
        echo "PASS  -j 1 and -j $(nproc) report the same findings"
    else
        echo "FAIL  -j 1 and -j $(nproc) report different findings"
    fi
} | tee "$tmp/verdict"

if grep -q '^FAIL' "$tmp/verdict"; then
    exit 1
fi
exit 0
