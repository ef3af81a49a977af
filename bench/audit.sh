#!/bin/sh
# bench/audit.sh - `blackbar audit` on a JSON Lines log with a truth file
# (gencorpus or shared/bench/gen_corpus.py --kind jsonl --truth): -j 1 and
# -j 2 alternating in one run, on the log and on its gzip; MB/s of
# uncompressed input, the -j 2 / -j 1 ratio, peak RSS, and the findings
# matched against the truth. PASS/FAIL per target, exit 1 if one fails,
# 2 on misuse.
#
# usage: bench/audit.sh [LOG [TRUTH]]
#   LOG      the log, plain or gzip (the other form is made next to the
#            generated corpus, in bench/out, once); default: generated with
#            bench/gencorpus --kind jsonl, $BENCH_AUDIT_SIZE
#   TRUTH    default: LOG without .gz and its last extension, plus
#            .truth.jsonl (gencorpus' and gen_corpus.py's naming)
#   BLACKBAR          the binary (default ./blackbar, else blackbar in PATH)
#   BENCH_AUDIT_SIZE  size of the generated log (default 2GB = 2*10^9 bytes)
#   BENCH_AUDIT_RUNS  timed runs of each -j per input (default 3; median)
#   BENCH_AUDIT_GZ    no: skip the gzip input; or the path of LOG's gzip
#   BENCH_BINDIR      where maxrss (and gencorpus) are, as for run.sh
set -eu

usage() {
    echo "usage: bench/audit.sh [LOG [TRUTH]]" >&2
    exit 2
}

die() {
    echo "audit.sh: $*" >&2
    exit 2
}

if [ $# -gt 2 ]; then
    usage
fi
here=$(cd "$(dirname "$0")" && pwd)
log=${1:-}
truth=${2:-}
runs=${BENCH_AUDIT_RUNS:-3}
size=${BENCH_AUDIT_SIZE:-2GB}
gzopt=${BENCH_AUDIT_GZ:-}
bin=${BLACKBAR:-}
if [ -z "$bin" ]; then
    if [ -x ./blackbar ]; then
        bin=./blackbar
    else
        bin=blackbar
    fi
fi
case $runs in
'' | *[!0-9]* | 0) die "BENCH_AUDIT_RUNS must be a positive integer" ;;
esac
if ! command -v "$bin" >/dev/null 2>&1; then
    die "$bin: not an executable (set BLACKBAR)"
fi
"$bin" audit --help >/dev/null 2>&1 ||
    die "$bin has no audit command"
export LC_ALL=C

# tool NAME SOURCE... - a bench program, as bench/run.sh finds or builds it.
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
    if [ ! -x "$out" ]; then
        mkdir -p "$here/out/bin"
        echo "building $out" >&2
        (cd "$here" && "${CC:-cc}" -std=c11 -O2 -o "$out" "$@") ||
            die "cannot build $name"
    fi
    echo "$out"
}

maxrss=$(tool maxrss maxrss.c)

# Without LOG: a gencorpus log, generated once into bench/out.
if [ -z "$log" ]; then
    gencorpus=$(tool gencorpus gencorpus.c gen.c items.c)
    log=$here/out/audit-jsonl-$size.jsonl
    truth=$here/out/audit-jsonl-$size.truth.jsonl
    if [ ! -s "$log" ] || [ ! -s "$truth" ]; then
        echo "generating $log (seed 1, kind jsonl, size $size)" >&2
        mkdir -p "$here/out"
        "$gencorpus" --size "$size" --seed 1 --kind jsonl \
            --truth "$truth.tmp" >"$log.tmp" || die "gencorpus failed"
        mv "$truth.tmp" "$truth"
        mv "$log.tmp" "$log"
    fi
fi
[ -r "$log" ] || die "$log: cannot read"
if [ -z "$truth" ]; then
    t=${log%.gz}
    case ${t##*/} in
    *.*) t=${t%.*} ;;
    esac
    truth=$t.truth.jsonl
fi
[ -r "$truth" ] || die "$truth: cannot read (pass the truth file as TRUTH)"

# is_gzip FILE - true when FILE starts with the gzip magic bytes.
is_gzip() {
    [ "$(head -c 2 "$1" | od -An -tx1 | tr -d ' \n')" = 1f8b ]
}

# The two inputs: $plain (uncompressed) and $gz (its gzip), one of them
# LOG; the other is made once into bench/out, or taken from
# BENCH_AUDIT_GZ, or "$LOG.gz" when that is newer than LOG.
mkdir -p "$here/out"
base=$(basename "${log%.gz}")
if is_gzip "$log"; then
    gz=$log
    plain=$here/out/$base
    if [ ! -s "$plain" ] || [ "$gz" -nt "$plain" ]; then
        echo "decompressing $gz into $plain" >&2
        gzip -dc "$gz" >"$plain.tmp" || die "gzip -d failed"
        mv "$plain.tmp" "$plain"
    fi
else
    plain=$log
    case $gzopt in
    no) gz= ;;
    ?*) gz=$gzopt ;;
    *)
        gz=$log.gz
        if [ ! -s "$gz" ] || [ "$log" -nt "$gz" ]; then
            gz=$here/out/$base.gz
        fi
        if [ ! -s "$gz" ] || [ "$log" -nt "$gz" ]; then
            z=gzip
            if command -v pigz >/dev/null 2>&1; then
                z=pigz
            fi
            echo "compressing $log into $gz ($z -6)" >&2
            "$z" -6 -c "$log" >"$gz.tmp" || die "$z failed"
            mv "$gz.tmp" "$gz"
        fi
        ;;
    esac
fi
if [ -n "$gz" ]; then
    [ -r "$gz" ] || die "$gz: cannot read"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/blackbar-auditbench.XXXXXX")
if [ -n "${BENCH_AUDIT_KEEP:-}" ]; then
    echo "keeping $tmp" >&2
else
    trap 'rm -rf "$tmp"' EXIT
fi
trap 'exit 130' INT TERM

bytes=$(wc -c <"$plain" | tr -d ' ')
[ "$bytes" -gt 0 ] || die "$plain: empty"

# ---------------------------------------------------------------- runs
# run INPUT J TAG - one timed run of audit -j J on INPUT under maxrss; its
# findings and JSON report are left in $tmp/TAG.findings and TAG.json,
# "wall kb" is appended to $tmp/t-TAG. Status 1 (findings) is expected.
run() {
    rc=0
    "$maxrss" "$bin" audit -q -j "$2" --report json -o "$tmp/$3.json" \
        --findings "$tmp/$3.findings" "$1" 2>"$tmp/$3.err" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "audit.sh: audit -j $2 $1 exited with status $rc:" >&2
        grep -v '^maxrss_kb=' "$tmp/$3.err" | head -n 5 >&2
        exit 1
    fi
    awk -F'[= ]' '/^maxrss_kb=/ { print $4 + 0, $2 + 0 }' "$tmp/$3.err" \
        >>"$tmp/t-$3"
}

# median TAG - median wall time of TAG's runs, in seconds.
median() {
    sort -n "$tmp/t-$1" |
        awk '{ a[NR] = $1 } END {
            if (NR % 2) { print a[(NR + 1) / 2] }
            else { printf "%.4f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 } }'
}

# peak TAG - highest peak RSS of TAG's runs, in KiB.
peak() {
    awk '$2 > m { m = $2 } END { print m + 0 }' "$tmp/t-$1"
}

echo "blackbar audit, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
echo "binary   $bin ($("$bin" --version 2>/dev/null | head -n 1))"
echo "log      $plain ($bytes bytes, $(wc -l <"$plain" | tr -d ' ') lines)"
if [ -n "$gz" ]; then
    echo "gzip     $gz ($(wc -c <"$gz" | tr -d ' ') bytes)"
fi
echo "truth    $truth ($(wc -l <"$truth" | tr -d ' ') items and decoys)"
echo "runs     audit -q -j N --report json --findings F LOG: $runs of" \
    "-j 1 and -j 2 per input, alternating, after one untimed -j 2;" \
    "median wall time"
echo

inputs="plain"
if [ -n "$gz" ]; then
    inputs="plain gz"
fi
for in in $inputs; do
    if [ "$in" = plain ]; then
        f=$plain
    else
        f=$gz
    fi
    run "$f" 2 "$in-warm"
    i=0
    while [ "$i" -lt "$runs" ]; do
        if [ $((i % 2)) -eq 0 ]; then
            run "$f" 1 "$in-j1"
            run "$f" 2 "$in-j2"
        else
            run "$f" 2 "$in-j2"
            run "$f" 1 "$in-j1"
        fi
        i=$((i + 1))
    done
done

# report_bytes TAG - the uncompressed bytes the report counted.
report_bytes() {
    tr -d ' \n' <"$tmp/$1.json" |
        sed -n 's/.*"totals":{[^}]*"bytes":\([0-9]*\).*/\1/p'
}

printf '%-10s %9s %9s %9s %9s %8s %10s\n' input "-j 1 s" "-j 1 MB/s" \
    "-j 2 s" "-j 2 MB/s" "ratio" "peak RSS"
for in in $inputs; do
    m1=$(median "$in-j1")
    m2=$(median "$in-j2")
    kb=$(peak "$in-j1")
    kb2=$(peak "$in-j2")
    if [ "$kb2" -gt "$kb" ]; then
        kb=$kb2
    fi
    awk -v l="$in" -v a="$m1" -v b="$m2" -v n="$bytes" -v kb="$kb" 'BEGIN {
        if (a <= 0) a = 1e-6
        if (b <= 0) b = 1e-6
        printf "%-10s %9.3f %9.1f %9.3f %9.1f %7.2fx %7.1f MB\n", l, a,
            n / a / 1e6, b, n / b / 1e6, a / b, kb / 1024 }'
    echo "$in $m1 $m2 $kb $(report_bytes "$in-j1") $(report_bytes "$in-j2")" \
        >>"$tmp/figures"
done
echo "(MB/s: 10^6 bytes of uncompressed input per second; ratio: -j 1" \
    "time / -j 2 time; peak RSS: the highest of all runs, MiB)"
for in in $inputs; do
    echo "runs $in (s): -j 1 $(awk '{ printf "%s ", $1 }' "$tmp/t-$in-j1")|" \
        "-j 2 $(awk '{ printf "%s ", $1 }' "$tmp/t-$in-j2")"
done
echo

# JSON helpers for the awk programs below (bytes: LC_ALL=C). field(T, NAME)
# is the raw text of member NAME of the one-line object T (a string's
# content still escaped); unesc() undoes JSON string escapes.
awklib='
function unesc(s,    out, i, c, h, lo) {
    out = ""
    while ((i = index(s, "\\")) > 0) {
        out = out substr(s, 1, i - 1)
        c = substr(s, i + 1, 1)
        if (c == "u") {
            h = hex(substr(s, i + 2, 4))
            s = substr(s, i + 6)
            if (h >= 55296 && h < 56320 && substr(s, 1, 2) == "\\u") {
                lo = hex(substr(s, 3, 4))
                if (lo >= 56320 && lo < 57344) {
                    h = 65536 + (h - 55296) * 1024 + (lo - 56320)
                    s = substr(s, 7)
                }
            }
            out = out utf8(h)
            continue
        }
        if (c == "n") c = "\n"
        else if (c == "t") c = "\t"
        else if (c == "r") c = "\r"
        else if (c == "b") c = "\b"
        else if (c == "f") c = "\f"
        out = out c
        s = substr(s, i + 2)
    }
    return out s
}
function hex(s,    v, i) {
    v = 0
    for (i = 1; i <= 4; i++) {
        v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
    }
    return v
}
function utf8(c) {
    if (c < 128) return sprintf("%c", c)
    if (c < 2048) return sprintf("%c%c", 192 + int(c / 64), 128 + c % 64)
    if (c < 65536) return sprintf("%c%c%c", 224 + int(c / 4096),
        128 + int(c / 64) % 64, 128 + c % 64)
    return sprintf("%c%c%c%c", 240 + int(c / 262144),
        128 + int(c / 4096) % 64, 128 + int(c / 64) % 64, 128 + c % 64)
}
function field(t, name,    v) {
    if (!match(t, "\"" name "\": *")) return ""
    v = substr(t, RSTART + RLENGTH)
    if (substr(v, 1, 1) == "\"") {
        match(v, /^"([^"\\]|\\.)*"/)
        return substr(v, 2, RLENGTH - 2)
    }
    match(v, /^[-0-9a-z.]+/)
    return substr(v, 1, RLENGTH)
}
'

# ---------------------------------------------------------------- truth
# Findings carry no values and no offsets, so an inserted item is matched
# to a finding by (line, path, type) and, where it can be, by the masked
# form: the truth gives each item's byte offset, which becomes its line
# and the JSON path of the string value it sits in; its value, decoded,
# gives the masked form blackbar prints for it (scan_mask: up to 4 bytes
# at each end, a quarter of the value at most, bytes outside ! to ~ as ?).
#
# expected: one row per truth item, in line order:
#   line TAB E TAB path TAB type TAB decoy(0/1) TAB masked
# path is "?" when the item is not inside one string value of a JSON
# line (then any path of the line matches) and "" for a line that is not
# JSON (scanned as text, as audit reports it).
awk -v truth="$truth" -v decoyraw="$tmp/decoyraw" "$awklib"'
function mask(v,    n, k, a, b) {
    n = length(v)
    k = int(n / 8)
    if (k > 4) k = 4
    a = substr(v, 1, k)
    b = substr(v, n - k + 1, k)
    gsub(/[^!-~]/, "?", a)
    gsub(/[^!-~]/, "?", b)
    return a (k > 0 ? "****\342\200\246" : "****") b
}
function valpath() {
    if (d == 0) return ""
    if (kind[d] == "a") return pbase[d] "[" idx[d] "]"
    return pbase[d] == "" ? key[d] : pbase[d] "." key[d]
}
# The spans and paths of the string values of the line s: ns of them in
# ss[] (first byte), se[] (last byte), sp[]; 0 when s is not JSON.
function strings(s,    p, n, c, r) {
    ns = 0
    d = 0
    n = length(s)
    p = 1
    while (p <= n) {
        c = substr(s, p, 1)
        if (c == " " || c == "\t" || c == "\r") {
            p++
        } else if (c == "{" || c == "[") {
            r = valpath()
            d++
            kind[d] = c == "{" ? "o" : "a"
            pbase[d] = r
            idx[d] = 0
            wantkey[d] = 1
            p++
        } else if (c == "}" || c == "]") {
            if (d == 0) return 0
            d--
            p++
        } else if (c == ",") {
            if (d == 0) return 0
            if (kind[d] == "a") idx[d]++
            else wantkey[d] = 1
            p++
        } else if (c == ":") {
            if (d == 0 || kind[d] != "o") return 0
            wantkey[d] = 0
            p++
        } else if (c == "\"") {
            if (!match(substr(s, p), /^"([^"\\]|\\.)*"/)) return 0
            if (d > 0 && kind[d] == "o" && wantkey[d]) {
                key[d] = substr(s, p + 1, RLENGTH - 2)
            } else {
                ns++
                ss[ns] = p + 1
                se[ns] = p + RLENGTH - 2
                sp[ns] = valpath()
            }
            p += RLENGTH
        } else {
            if (!match(substr(s, p, 64), /^[-+.0-9A-Za-z]+/)) return 0
            p += RLENGTH
        }
    }
    return d == 0 && n > 0
}
function next_item(    t) {
    if ((getline t < truth) <= 0) {
        have = 0
        return
    }
    have = 1
    ioff = field(t, "off") + 0
    ilen = field(t, "len") + 0
    itype = field(t, "type")
    idecoy = field(t, "decoy") == "true" ? 1 : 0
    iraw = unesc(field(t, "value"))
    imask = mask(unesc(unesc(field(t, "value"))))
}
BEGIN {
    next_item()
    pos = 0
}
{
    end = pos + length($0) + 1
    parsed = -1
    while (have && ioff < end) {
        if (parsed < 0) parsed = strings($0)
        rel = ioff - pos + 1
        path = parsed ? "?" : ""
        for (i = 1; parsed && i <= ns; i++) {
            if (ss[i] <= rel && rel + ilen - 1 <= se[i]) {
                path = sp[i]
                break
            }
        }
        printf "%d\tE\t%s\t%s\t%d\t%s\n", NR, path, itype, idecoy, imask
        if (idecoy)
            printf "%d\t%s\t%s\n", NR, itype, iraw > decoyraw
        next_item()
    }
    pos = end
}
END {
    if (have) {
        print "audit.sh: truth item at offset " ioff " is past the log" \
            > "/dev/stderr"
        exit 2
    }
}' "$plain" >"$tmp/expected" || die "cannot read the truth against the log"

# rows FINDINGS - "line TAB F TAB path TAB type TAB - TAB masked" per
# finding, for the merge with the expected rows.
rows() {
    awk "$awklib"'
NF > 0 {
    printf "%d\tF\t%s\t%s\t-\t%s\n", field($0, "line"),
        unesc(field($0, "path")), field($0, "type"),
        unesc(field($0, "masked"))
}' "$1"
}

# match FINDINGS - the findings against the expected rows, line by line:
# first each inserted item takes a finding of its path, of a type its
# kind maps to and with its masked form; then, still unmatched, any
# finding of its path and of such a type (a rule that matched a little
# more or less of the value). A decoy is "flagged" when a finding left
# on its path has its masked form, "possible" when one of its look-alike
# type is left there. What remains matched nothing inserted: template
# text (the generator's private IPs, the system prompts) or a false
# positive. Prints the tables, then "ALL items detected flagged possible".
match_findings() {
    rows "$1" >"$tmp/frows"
    sort -s -t "$(printf '\t')" -k1,1n "$tmp/expected" "$tmp/frows" |
        awk -F '\t' -v decoyfile="$tmp/decoys" '
function allow(t, list,    a, n, i) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) ok[t SUBSEP a[i]] = 1
}
BEGIN {
    allow("email", "EMAIL")
    allow("phone", "PHONE")
    allow("card", "CREDIT_CARD")
    allow("ssn", "US_SSN")
    allow("iban", "IBAN")
    allow("ipv4", "IP_ADDRESS")
    allow("ipv6", "IP_ADDRESS")
    allow("mac", "MAC_ADDRESS")
    allow("aws_key", "AWS_ACCESS_KEY")
    allow("github_token", "GITHUB_TOKEN")
    allow("openai_key", "OPENAI_API_KEY")
    allow("slack_token", "SLACK_TOKEN")
    allow("stripe_key", "STRIPE_KEY")
    allow("jwt", "JWT")
    allow("private_key", "PRIVATE_KEY CRYPTO_PRIVATE_KEY")
    allow("password", "PASSWORD SECRET URL_CREDENTIALS")
    allow("decoy_card", "CREDIT_CARD")
    allow("decoy_ssn", "US_SSN")
    allow("decoy_iban", "IBAN")
    allow("decoy_aws_example", "AWS_ACCESS_KEY")
    allow("decoy_version", "IP_ADDRESS")
    cur = -1
}
function on(i, j) {
    return !used[j] && (ip[i] == "?" || ip[i] == fp[j])
}
function weight(i, j) {
    if (id[i] || !(ip[i] == "?" || ip[i] == fp[j]) || !((it[i], ft[j]) in ok))
        return 0
    return im[i] == fm[j] ? 1001 : 1000
}
# Real items and findings are both in the order of their place in the
# line, so they are aligned as sequences: the matching that keeps that
# order with the most items matched (then the most by masked form).
function align(    a, b, w, best, ch) {
    for (a = 0; a <= ni; a++) S[a, 0] = 0
    for (b = 0; b <= nf; b++) S[0, b] = 0
    for (a = 1; a <= ni; a++) {
        for (b = 1; b <= nf; b++) {
            best = S[a - 1, b]
            ch = 1
            if (S[a, b - 1] > best) {
                best = S[a, b - 1]
                ch = 2
            }
            w = weight(a, b)
            if (w > 0 && S[a - 1, b - 1] + w > best) {
                best = S[a - 1, b - 1] + w
                ch = 3
            }
            S[a, b] = best
            C[a, b] = ch
        }
    }
    a = ni
    b = nf
    while (a > 0 && b > 0) {
        if (C[a, b] == 3) {
            asg[a] = b
            used[b] = 1
            a--
            b--
        } else if (C[a, b] == 1) {
            a--
        } else {
            b--
        }
    }
    delete S
    delete C
}
# lo[i], hi[i]: the findings of the matched real items around item i;
# a finding that can be item i lies strictly between them.
function windows(    i, last) {
    last = 0
    for (i = 1; i <= ni; i++) {
        lo[i] = last
        if (asg[i]) last = asg[i]
    }
    last = nf + 1
    for (i = ni; i >= 1; i--) {
        hi[i] = last
        if (asg[i]) last = asg[i]
    }
}
function group(    i, j) {
    for (i = 1; i <= ni; i++) {
        asg[i] = 0
        if (!id[i]) items[it[i]]++
        else decoys[it[i]]++
    }
    for (j = 1; j <= nf; j++) used[j] = 0
    align()
    windows()
    for (i = 1; i <= ni; i++) {
        if (asg[i]) {
            detected[it[i]]++
            if (im[i] == fm[asg[i]]) exact[it[i]]++
            continue
        }
        for (j = lo[i] + 1; !id[i] && j < hi[i]; j++) {
            if (on(i, j) && im[i] == fm[j]) {
                used[j] = 1
                other[it[i]]++
                break
            }
        }
    }
    for (i = 1; i <= ni; i++) {
        if (!id[i]) continue
        done = 0
        for (j = lo[i] + 1; !done && j < hi[i]; j++) {
            if (on(i, j) && im[i] == fm[j]) {
                used[j] = done = 1
                flagged[it[i]]++
                print cur, "flagged", it[i], im[i], ft[j] > decoyfile
            }
        }
        for (j = lo[i] + 1; !done && j < hi[i]; j++) {
            if (on(i, j) && ((it[i], ft[j]) in ok)) {
                used[j] = done = 1
                possible[it[i]]++
                print cur, "possible", it[i], im[i], fm[j] > decoyfile
            }
        }
    }
    for (j = 1; j <= nf; j++) {
        if (!used[j]) unmatched[ft[j]]++
    }
    ni = nf = 0
}
$1 != cur {
    group()
    cur = $1
}
$2 == "E" {
    ni++
    ip[ni] = $3
    it[ni] = $4
    id[ni] = $5
    im[ni] = $6
    next
}
{
    nf++
    fp[nf] = $3
    ft[nf] = $4
    fm[nf] = $6
    findings++
}
END {
    group()
    printf "%-22s %8s %9s %8s %8s %8s\n", "item type", "items",
        "detected", "by mask", "other", "recall"
    for (t in items) {
        printf "%-22s %8d %9d %8d %8d %7.2f%%\n", t, items[t],
            detected[t], exact[t], other[t],
            100 * detected[t] / items[t] | "sort"
        n += items[t]
        d += detected[t]
        x += exact[t]
        o += other[t]
    }
    close("sort")
    printf "%-22s %8d %9d %8d %8d %7.2f%%\n", "ALL", n, d, x, o,
        100 * d / (n ? n : 1)
    printf "%-22s %8s %9s %8s\n", "decoy type", "items", "flagged",
        "possible"
    for (t in decoys) {
        printf "%-22s %8d %9d %8d\n", t, decoys[t], flagged[t],
            possible[t] | "sort"
        fl += flagged[t]
        po += possible[t]
    }
    close("sort")
    printf "findings  %d; with no inserted item:", findings
    for (t in unmatched) {
        printf " %s %d", t, unmatched[t]
        u += unmatched[t]
    }
    printf " (%d)\n", u
    printf "TOTAL %d %d %d %d\n", n, d, fl, po
}'
}

# nofile FINDINGS - the findings without their "file" member (the gzip
# input is reported under its own name).
nofile() {
    sed 's/"file": *"\([^"\\]\|\\.\)*", *//' "$1"
}

echo "findings of -j 2 on $plain against the truth:"
match_findings "$tmp/plain-j2.findings" >"$tmp/match"
grep -v '^TOTAL ' "$tmp/match"
read -r _ n_items n_det n_flag n_poss <<EOF
$(grep '^TOTAL ' "$tmp/match")
EOF
# Decoys, exactly: a scrubbed copy (--redact-to, the same rules on the
# same values) must still hold each decoy, byte for byte, on its line.
# The masked-form check above can only bound this: a decoy and a finding
# of the same type on one line may share a masked form.
echo "decoys in a scrubbed copy of $plain (audit -j 2 --redact-to):"
mkdir "$tmp/copy"
"$bin" audit -q -j 2 --report json -o /dev/null --redact-to "$tmp/copy" \
    "$plain" || [ $? -eq 1 ] || die "audit --redact-to failed"
sort -s -t "$(printf '\t')" -k1,1n "$tmp/decoyraw" >"$tmp/decoysorted"
awk -F '\t' -v list="$tmp/decoysorted" -v keep="$tmp/touched" '
function next_decoy(    t, a) {
    if ((getline t < list) <= 0) {
        dl = 0
        return
    }
    split(t, a, "\t")
    dl = a[1] + 0
    dt = a[2]
    dv = substr(t, length(a[1]) + length(a[2]) + 3)
}
BEGIN { next_decoy() }
{
    while (dl == NR) {
        n[dt]++
        if (index($0, dv) == 0) {
            touched[dt]++
            bad++
            print NR "\t" dt > keep
        }
        next_decoy()
    }
}
END {
    printf "%-22s %8s %9s\n", "decoy type", "items", "touched"
    for (t in n) printf "%-22s %8d %9d\n", t, n[t], touched[t] + 0
    print "DECOYS", bad + 0
}' "$tmp/copy/$(basename "$plain")" >"$tmp/decoycheck"
grep -v '^DECOYS ' "$tmp/decoycheck"
n_touched=$(awk '/^DECOYS / { print $2 }' "$tmp/decoycheck")
echo

same_gz=yes
if [ -n "$gz" ]; then
    nofile "$tmp/plain-j2.findings" >"$tmp/plain-nofile"
    nofile "$tmp/gz-j2.findings" >"$tmp/gz-nofile"
    if ! cmp -s "$tmp/plain-nofile" "$tmp/gz-nofile"; then
        same_gz=no
        echo
        echo "findings of -j 2 on $gz against the truth (they differ):"
        match_findings "$tmp/gz-j2.findings" >"$tmp/gzmatch"
        grep -v '^TOTAL ' "$tmp/gzmatch"
    fi
fi
echo

{
    while read -r in m1 m2 kb b1 b2; do
        awk -v l="$in" -v a="$m1" -v b="$m2" -v kb="$kb" 'BEGIN {
            r = (b > 0) ? a / b : 0
            printf "%s  %s: -j 2 / -j 1 speed %.2fx >= 1.7x\n",
                (r >= 1.7 ? "PASS" : "FAIL"), l, r
            printf "%s  %s: peak RSS %.1f MB < 256 MB\n",
                (kb < 256 * 1024 ? "PASS" : "FAIL"), l, kb / 1024 }'
        if [ "$b1" = "$bytes" ] && [ "$b2" = "$bytes" ]; then
            echo "PASS  $in: the report counts the $bytes uncompressed bytes"
        else
            echo "FAIL  $in: the report counts $b1 (-j 1) and $b2 (-j 2)" \
                "bytes, not $bytes"
        fi
        if cmp -s "$tmp/$in-j1.findings" "$tmp/$in-j2.findings"; then
            echo "PASS  $in: -j 1 and -j 2 write the same findings"
        else
            echo "FAIL  $in: -j 1 and -j 2 write different findings"
        fi
    done <"$tmp/figures"
    if [ -n "$gz" ]; then
        if [ "$same_gz" = yes ]; then
            echo "PASS  gzip and plain input give the same findings"
        else
            echo "FAIL  gzip and plain input give different findings"
        fi
    fi
    awk -v n="$n_items" -v d="$n_det" -v f="$n_flag" -v p="$n_poss" \
        -v x="$n_touched" 'BEGIN {
        r = (n > 0) ? d / n : 0
        printf "%s  recall %.4f >= 0.99 (%d of %d inserted items)\n",
            (n > 0 && r >= 0.99 ? "PASS" : "FAIL"), r, d, n
        printf "%s  decoys untouched: %d changed in the scrubbed copy " \
            "(by masked form: %d flagged, %d possible)\n",
            (x == 0 ? "PASS" : "FAIL"), x, f, p }'
} | tee "$tmp/verdict"

if grep -q '^FAIL' "$tmp/verdict"; then
    exit 1
fi
exit 0
