# shellcheck shell=bash
# audit-lib.sh - sourced by tests/audit-cmd.sh: finds the binary
# (TESTS_ENVIRONMENT's BLACKBAR), makes a temp dir removed on exit, check
# helpers, JSON read back with node, and a JSON Lines log of model traffic
# whose values are built from random characters at run time, with the
# truth of what it holds (which line, path, rule, type and day).

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
builddir=${builddir:-$srcdir}
BLACKBAR=${BLACKBAR:-$builddir/blackbar}
# The reports are read back as JSON with node (CI installs it for the
# SDK tests); without it there is nothing to check them with.
if ! command -v node > /dev/null; then
    echo "SKIP: node is not installed"
    exit 77
fi
case $BLACKBAR in
/*) ;;
*) BLACKBAR=$(cd "$(dirname "$BLACKBAR")" && pwd)/$(basename "$BLACKBAR") ;;
esac
work=$(mktemp -d)
trap 'cd /; chmod -R u+rwX "$work" 2>/dev/null
      [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
export LC_ALL=C TZ=UTC
unset BLACKBAR_SCAN_KEY BLACKBAR_RULES
failed=0

ok() {
    echo "ok   $*"
}
fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
}
# check NAME COMMAND...: ok when COMMAND succeeds
check() {
    local name=$1
    shift
    if "$@"; then
        ok "$name"
    else
        fail "$name"
    fi
}
# same NAME GOT WANT: ok when the strings are equal
same() {
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        fail "$1: got '$2', want '$3'"
    fi
}
# au ARGS...: blackbar audit ARGS; stdout in $out, stderr in $err, exit
# in rc
out=$work/out
err=$work/err
au() {
    "$BLACKBAR" audit "$@" > "$out" 2> "$err"
    rc=$?
}
# expect NAME WANT-EXIT ARGS...: au ARGS, ok when it exits WANT-EXIT
expect() {
    local name=$1 want=$2
    shift 2
    au "$@"
    if [ "$rc" = "$want" ]; then
        ok "$name: exit $rc"
        return 0
    fi
    fail "$name: exit $rc, want $want (audit $*)"
    sed 's/^/    stdout: /' "$out" | head -20
    sed 's/^/    stderr: /' "$err" | head -20
    return 1
}
# js FILE EXPR: EXPR evaluated with r = the JSON in FILE (L = its lines
# parsed, for JSON Lines); a string printed as is, anything else as JSON
js() {
    node -e 'const fs = require("fs");
        const t = fs.readFileSync(process.argv[1], "utf8");
        let r, L;
        try { r = JSON.parse(t); } catch (e) { r = null; }
        try { L = t.split("\n").filter((l) => l !== "")
                   .map((l) => JSON.parse(l)); } catch (e) { L = null; }
        const v = eval(process.argv[2]);
        console.log(typeof v === "string" ? v : JSON.stringify(v));' \
        "$1" "$2"
}
# has FILE FIXED-STRING / lacks FILE FIXED-STRING
has() {
    grep -qF -- "$2" "$1"
}
lacks() {
    ! grep -qF -- "$2" "$1"
}
# leaks FILE...: the inserted values found in FILEs, one a line (none:
# empty)
leaks() {
    printf '%s\n' "${values[@]}" | grep -F -o -f - "$@" | sort -u
}
# rnd SET N: N random characters from the tr SET
rnd() {
    tr -dc "$1" < /dev/urandom | head -c "$2"
}
# pick SET N: N random characters from the tr SET in R (from a pool read
# once a set: a process for each value would take seconds)
declare -A pool pos
pick() {
    local p=${pool[$1]-}
    if [ $((${pos[$1]:-0} + $2)) -gt ${#p} ]; then
        pool[$1]=$(rnd "$1" 8192)
        pos[$1]=0
    fi
    R=${pool[$1]:${pos[$1]}:$2}
    pos[$1]=$((${pos[$1]} + $2))
}
# card: a random 16-digit Visa number that passes Luhn, in V
card() {
    local k c sum=0
    pick 0-9 14
    V=4$R
    for ((k = 0; k < 15; k++)); do
        c=${V:14-k:1}
        if ((k % 2 == 0)); then
            c=$((c * 2))
            ((c > 9)) && c=$((c - 9))
        fi
        sum=$((sum + c))
    done
    V+=$(((10 - sum % 10) % 10))
}
# email, akid, ghp: a random address, AWS key id, GitHub token, in V
email() {
    pick a-z 23
    V=${R:0:8}.${R:8:6}@${R:14:9}.com
}
akid() {
    pick 'A-Z2-7' 16
    V=AKIA$R
}
ghp() {
    pick 'A-Za-z0-9' 36
    V=ghp_$R
}

# The log: records 1-300 of OpenAI-style traffic on three days (an ISO
# time with an offset, epoch seconds, epoch milliseconds near midnight
# UTC), a line of plain text after records 50, 150 and 250, and a last
# record without a time. Record 100 holds 5 values, records 61-63 the
# same address. Sets: values (every inserted value), truth (FILE, one
# finding a line: "line path rule", in input order), the counts below.
day1=2026-11-28
day2=2026-11-29
day3=2026-11-30
t1='"2026-11-28T23:30:00-05:00"'
t2=$(date -u -d '2026-11-29 12:00:00' +%s)
t3=$(date -u -d '2026-11-30 23:59:59' +%s)123
email
rep=$V
values=("$rep")
declare -A by_day by_type by_path
total=0
with=0
nline=0
# add LINE PATH RULE TYPE DAY VALUE: note one inserted value
add() {
    printf '%s %s %s\n' "$1" "$2" "$3" >> "$truth"
    values+=("$6")
    total=$((total + 1))
    by_type[$4]=$((${by_type[$4]:-0} + 1))
    # by_path's keys: indexes as [*]; "" (no key in bash) as @text
    local p=${2:-@text}
    p=${p//\[0\]/[*]}
    p=${p//\[1\]/[*]}
    by_path[$p]=$((${by_path[$p]:-0} + 1))
    if [ -n "$5" ]; then
        by_day[$5 $4]=$((${by_day[$5 $4]:-0} + 1))
    fi
}
# in_user KIND TEXT / in_reply KIND TEXT: a new value (email, card,
# akid, ghp) after TEXT in the user's message (u) or the reply (a)
in_user() {
    "$1"
    u+="$2 $V"
    case $1 in
    email) add $nline 'input[1].content' email EMAIL "$d" "$V" ;;
    card) add $nline 'input[1].content' credit-card CREDIT_CARD "$d" "$V" ;;
    esac
}
in_reply() {
    "$1"
    a+="$2 $V"
    case $1 in
    akid)
        add $nline 'output[0].content' aws-access-key-id AWS_ACCESS_KEY \
            "$d" "$V"
        ;;
    ghp) add $nline 'output[0].content' github-token GITHUB_TOKEN "$d" "$V" ;;
    esac
}
# record I: print record I, note its values
record() {
    local i=$1 d ts u a n=$total
    nline=$((nline + 1))
    case $((i % 3)) in
    0) d=$day1 ts=$t1 ;;
    1) d=$day2 ts=$t2 ;;
    *) d=$day3 ts=$t3 ;;
    esac
    u="question $i: what is the weather like"
    a="answer $i: sunny"
    if [ "$i" = 100 ]; then
        in_user email ' and'
        in_user email ' and'
        in_user card ' and'
        in_reply akid ' key'
        in_reply ghp ' token'
    else
        if [ "$i" -ge 61 ] && [ "$i" -le 63 ]; then
            u+=", mail $rep"
            add $nline 'input[1].content' email EMAIL "$d" "$rep"
        elif ((i % 4 == 0)); then
            in_user email ', mail'
        fi
        ((i % 7 == 0)) && in_user card ', pay with'
        ((i % 10 == 3)) && in_reply akid ', use'
        ((i % 15 == 2)) && in_reply ghp ', clone with'
    fi
    [ "$total" -gt "$n" ] && with=$((with + 1))
    printf '{"id":"req-%d","timestamp":%s,"model":"gpt-4o",' "$i" "$ts"
    printf '"input":[{"role":"system","content":"You are helpful."},'
    printf '{"role":"user","content":"%s"}],' "$u"
    printf '"output":[{"role":"assistant","content":"%s"}]}\n' "$a"
}
# textline: a line of a plain text log with an address
textline() {
    email
    nline=$((nline + 1))
    add $nline '' email EMAIL '' "$V"
    with=$((with + 1))
    printf '2026-11-28 12:00:01 INFO mail sent to %s\n' "$V"
}
# make_log FILE: write the log to FILE, its truth to FILE.truth
make_log() {
    local i
    truth=$1.truth
    : > "$truth"
    {
        for ((i = 1; i <= 300; i++)); do
            record "$i"
            case $i in
            50 | 150 | 250) textline ;;
            esac
        done
        email
        nline=$((nline + 1))
        add $nline 'input[0].content' email EMAIL '' "$V"
        with=$((with + 1))
        printf '{"id":"req-x","input":[{"role":"user","content":"%s"}]}\n' \
            "mail $V"
    } > "$1"
}
# json_counts ARRAY: the counts of an associative array as sorted JSON
json_counts() {
    local -n a=$1
    local k s=''
    while IFS= read -r k; do
        s+=${s:+,}"\"${k#@text}\":${a[$k]}"
    done < <(printf '%s\n' "${!a[@]}" | sort)
    printf '{%s}' "$s"
}
# json_days: by_day as sorted JSON {"DAY":{"TYPE":N,...},...}
json_days() {
    local d k s='' t
    for d in $(printf '%s\n' "${!by_day[@]}" | cut -d' ' -f1 | sort -u); do
        t=''
        while IFS= read -r k; do
            t+=${t:+,}"\"${k#* }\":${by_day[$k]}"
        done < <(printf '%s\n' "${!by_day[@]}" | grep "^$d " | sort)
        s+=${s:+,}"\"$d\":{$t}"
    done
    printf '{%s}' "$s"
}
