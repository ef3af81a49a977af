#!/usr/bin/env bash
# run-cases.sh - run the CLI cases tests/cases/*.t (or the .t files given
# as arguments) against $BLACKBAR and print one line per case, then
# "N passed, N failed"; exit 1 if any case failed.
#
# A case file is a list of sections, each a line "%section" followed by
# its content: the lines up to the next section line. Lines before the
# first section that are empty or start with '#' are comments.
#
#   %name         one line: the case's name
#   %args         one line, split by the shell (quote accordingly) and run
#                 as $BLACKBAR $args, in the tests/ directory (so paths
#                 such as fixtures/x.json work)
#   %stdin        the input, every line with its newline (absent: empty)
#   %stdin-file   instead of %stdin: a path relative to tests/
#   %stdout       the exact output; one trailing newline is stripped from
#                 both this section and the actual output before they are
#                 compared (absent: stdout is not checked)
#   %stdout-file  instead of %stdout: a path relative to tests/ whose
#                 bytes must equal the output exactly (binary output)
#   %stdout-contains  each non-empty line must occur in stdout
#   %stderr       each non-empty line must occur in stderr (absent: stderr
#                 is not checked)
#   %exit         the expected exit code (absent: 0)
#
# Streaming check (STYLE section 7): when args start with "scrub" and the
# expected exit is 0, the same input also goes through $BBCHUNK 1 and
# $BBCHUNK random:7 with the same rule options (--no-default-rules,
# --rules/-r FILE, -o/--operator OP; --stats is ignored, it only writes
# to stderr), and the output must be byte-identical to blackbar's. The
# check is skipped when the case uses any other option, a rules
# directory, or more than one input file.
#
# Cases run with BLACKBAR_KEY=test (bbchunk's key, so hash outputs agree
# and are stable) and without BLACKBAR_RULES. Work files go to
# $builddir/tests/out/cases/.

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
builddir=${builddir:-$srcdir}
BLACKBAR=${BLACKBAR:-$builddir/blackbar}
BBCHUNK=${BBCHUNK:-$builddir/tests/tools/bbchunk}
tests=$srcdir/tests
work=$builddir/tests/out/cases

export BLACKBAR_KEY=test
unset BLACKBAR_RULES
export LC_ALL=C

limit=()
if command -v timeout >/dev/null 2>&1; then
    limit=(timeout 60)
fi

# Split case file $1 into one file per section under directory $2.
split_case() {
    awk -v dir="$2" '
        BEGIN {
            n = split("name args stdin stdin-file stdout stdout-file " \
                      "stdout-contains stderr exit", k, " ")
            for (i = 1; i <= n; i++) {
                known[k[i]] = 1
            }
        }
        /^%[a-z-]+$/ {
            sec = substr($0, 2)
            if (!(sec in known)) {
                print "unknown section %" sec > "/dev/stderr"
                exit 3
            }
            if (sec in seen) {
                print "section %" sec " given twice" > "/dev/stderr"
                exit 3
            }
            seen[sec] = 1
            f = dir "/" sec
            printf "" > f
            next
        }
        {
            if (f == "") {
                if ($0 == "" || $0 ~ /^#/) {
                    next
                }
                print "text before the first section" > "/dev/stderr"
                exit 3
            }
            print > f
        }' "$1"
}

# Remove one trailing newline from file $1, if it ends with one.
strip_nl() {
    if [ -s "$1" ] && [ "$(tail -c 1 "$1" | wc -l)" -eq 1 ]; then
        truncate -s -1 "$1"
    fi
}

# First line of section file $1, or $2 when the section is absent.
line_of() {
    if [ -f "$1" ]; then
        head -n 1 "$1"
    else
        printf '%s' "$2"
    fi
}

# Every non-empty line of file $1 must occur in file $2; prints misses.
contains_all() {
    local line
    local miss=0

    while IFS= read -r line || [ -n "$line" ]; do
        if [ -n "$line" ] && ! grep -qF -- "$line" "$2"; then
            printf '    missing: %s\n' "$line"
            miss=1
        fi
    done < "$1"
    return $miss
}

# Set chunk_opts and chunk_in for "scrub ARGS..."; return 1 to skip.
chunk_setup() {
    local files=()

    chunk_opts=()
    chunk_in=
    chunk_why=
    shift
    while [ $# -gt 0 ]; do
        case $1 in
        --no-default-rules) chunk_opts+=(--no-default-rules) ;;
        --rules | -r) chunk_opts+=(--rules "${2-}"); shift ;;
        --rules=*) chunk_opts+=(--rules "${1#--rules=}") ;;
        -r?*) chunk_opts+=(--rules "${1#-r}") ;;
        -o | --operator) chunk_opts+=(-o "${2-}"); shift ;;
        --operator=*) chunk_opts+=(-o "${1#--operator=}") ;;
        -o?*) chunk_opts+=(-o "${1#-o}") ;;
        --stats) ;;
        --) shift; files+=("$@"); break ;;
        -) files+=(-) ;;
        -*) chunk_why="uses $1"; return 1 ;;
        *) files+=("$1") ;;
        esac
        shift
    done
    local i
    local p
    for ((i = 0; i < ${#chunk_opts[@]}; i++)); do
        p=${chunk_opts[$((i + 1))]-}
        case $p in
        /*) ;;
        *) p=$tests/$p ;;
        esac
        if [ "${chunk_opts[$i]}" = --rules ] && [ -d "$p" ]; then
            chunk_why="rules directory"
            return 1
        fi
    done
    if [ ${#files[@]} -gt 1 ]; then
        chunk_why="several inputs"
        return 1
    fi
    if [ ${#files[@]} -eq 1 ] && [ "${files[0]}" != - ]; then
        chunk_in=${files[0]}
    fi
    return 0
}

passed=0
failed=0
names=" "

if [ $# -gt 0 ]; then
    cases=("$@")
else
    cases=("$tests"/cases/*.t)
fi
if [ ! -e "${cases[0]}" ]; then
    echo "run-cases.sh: no cases found in $tests/cases" >&2
    exit 1
fi
for t in "${cases[@]}"; do
    base=$(basename "$t" .t)
    w=$work/$base
    rm -rf "$w"
    mkdir -p "$w/sec"
    why=()
    if ! split_case "$t" "$w/sec" 2> "$w/parse"; then
        why+=("bad case file: $(cat "$w/parse")")
    fi
    name=$(line_of "$w/sec/name" "$base")
    args=$(line_of "$w/sec/args" "")
    want_rc=$(line_of "$w/sec/exit" 0 | tr -d ' \t')
    case $names in
    *" $name "*) why+=("duplicate case name") ;;
    esac
    names="$names$name "
    if [ -f "$w/sec/stdin-file" ]; then
        input=$tests/$(line_of "$w/sec/stdin-file" "")
    elif [ -f "$w/sec/stdin" ]; then
        input=$w/sec/stdin
    else
        input=/dev/null
    fi

    (
        cd "$tests" || exit 99
        eval "set -- $args"
        ${limit[@]+"${limit[@]}"} "$BLACKBAR" "$@" < "$input" \
            > "$w/stdout" 2> "$w/stderr"
    )
    rc=$?
    if [ "$rc" != "$want_rc" ]; then
        why+=("exit $rc, want $want_rc")
    fi
    if [ -f "$w/sec/stdout" ]; then
        cp "$w/sec/stdout" "$w/want"
        cp "$w/stdout" "$w/got"
        strip_nl "$w/want"
        strip_nl "$w/got"
        if ! cmp -s "$w/want" "$w/got"; then
            why+=("stdout differs:
$(diff "$w/want" "$w/got" | head -n 20 | sed 's/^/    /')")
        fi
    fi
    if [ -f "$w/sec/stdout-file" ]; then
        f=$tests/$(line_of "$w/sec/stdout-file" "")
        if ! cmp "$f" "$w/stdout" > "$w/cmp" 2>&1; then
            why+=("stdout differs from $f: $(cat "$w/cmp")")
        fi
    fi
    if [ -f "$w/sec/stdout-contains" ]; then
        if ! contains_all "$w/sec/stdout-contains" "$w/stdout" \
            > "$w/miss"; then
            why+=("stdout lacks:
$(cat "$w/miss")")
        fi
    fi
    if [ -f "$w/sec/stderr" ]; then
        if ! contains_all "$w/sec/stderr" "$w/stderr" > "$w/miss"; then
            why+=("stderr lacks:
$(cat "$w/miss")
    stderr was: $(head -c 400 "$w/stderr")")
        fi
    fi

    note=
    eval "set -- $args"
    if [ "${1-}" = scrub ] && [ "$want_rc" = 0 ]; then
        if chunk_setup "$@"; then
            cin=$input
            if [ -n "$chunk_in" ]; then
                cin=$tests/$chunk_in
            fi
            for mode in 1 random:7; do
                (
                    cd "$tests" || exit 99
                    ${limit[@]+"${limit[@]}"} "$BBCHUNK" "$mode" \
                        ${chunk_opts[@]+"${chunk_opts[@]}"} < "$cin" \
                        > "$w/chunk-$mode" 2> "$w/chunk-$mode.err"
                )
                crc=$?
                if [ $crc -ne 0 ]; then
                    why+=("bbchunk $mode: exit $crc: $(cat \
                        "$w/chunk-$mode.err")")
                elif ! cmp -s "$w/stdout" "$w/chunk-$mode"; then
                    why+=("bbchunk $mode output differs from blackbar's")
                fi
            done
        else
            note=" (chunk check skipped: $chunk_why)"
        fi
    fi

    if [ ${#why[@]} -eq 0 ]; then
        echo "ok $name$note"
        passed=$((passed + 1))
    else
        echo "FAIL $name ($t)"
        for r in "${why[@]}"; do
            echo "  $r"
        done
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
