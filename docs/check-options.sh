#!/bin/sh
# docs/check-options.sh - each command's page documents exactly the long
# options that `blackbar CMD --help` lists (STYLE section 8: an option is
# described once, in its command's page, and listed in its help table).
#
# The commands are those under "Commands:" in `blackbar --help`; each
# needs docs/blackbar-CMD.1.md. A page's options are the long options on
# the term lines of the definitions in its OPTIONS section.
#
# make check runs it with BLACKBAR (the built binary) and srcdir set.
# Exit 0 when every page agrees, 1 when one does not, 99 on a setup error.

BLACKBAR=${BLACKBAR:-./blackbar}
srcdir=${srcdir:-.}

if [ ! -x "$BLACKBAR" ]; then
    echo "check-options: $BLACKBAR: not an executable (set BLACKBAR)" >&2
    exit 99
fi

# Long options on the term lines of the OPTIONS section of page $1.
doc_options() {
    awk '
        /^# / { on = ($0 == "# OPTIONS"); next }
        !on { next }
        /^:   / {
            s = prev
            while (match(s, /--[A-Za-z0-9][A-Za-z0-9-]*/)) {
                print substr(s, RSTART, RLENGTH)
                s = substr(s, RSTART + RLENGTH)
            }
        }
        { prev = $0 }
    ' "$1"
}

# Long options in the option table of `blackbar $1 --help`: the first
# long option on each line that starts with an option.
help_options() {
    "$BLACKBAR" "$1" --help | awk '
        /^ +-/ && match($0, /--[A-Za-z0-9][A-Za-z0-9-]*/) {
            print substr($0, RSTART, RLENGTH)
        }
    '
}

# Lines "doc OPT" / "help OPT" for options only in list $1 / list $2, and
# "twice OPT" for options listed twice in $1.
compare() {
    printf '%s\n%s\n%s\n' "$1" "---" "$2" | awk '
        $0 == "---" { second = 1; next }
        $0 == "" { next }
        second { h[$0] = 1; next }
        ($0 in d) { print "twice " $0 }
        { d[$0] = 1 }
        END {
            for (k in d) if (!(k in h)) print "doc " k
            for (k in h) if (!(k in d)) print "help " k
        }
    ' | sort
}

cmds=$("$BLACKBAR" --help | awk '
    /^Commands:/ { on = 1; next }
    on && /^$/ { exit }
    on && /^  [a-z]/ { print $1 }
')
if [ -z "$cmds" ]; then
    echo "check-options: no commands in \`$BLACKBAR --help'" >&2
    exit 99
fi

passed=0
failed=0
for cmd in $cmds; do
    page=docs/blackbar-$cmd.1.md
    problems=
    if [ ! -f "$srcdir/$page" ]; then
        problems="  no page $page"
    elif ! help=$(help_options "$cmd") || [ -z "$help" ]; then
        problems="  \`blackbar $cmd --help' failed or lists no options"
    else
        doc=$(doc_options "$srcdir/$page")
        problems=$(compare "$doc" "$help" | awk -v p="$page" -v c="$cmd" '
            $1 == "doc" { print "  " $2 ": in " p ", not in blackbar " c \
                " --help" }
            $1 == "help" { print "  " $2 ": in blackbar " c " --help, " \
                "not in the OPTIONS of " p }
            $1 == "twice" { print "  " $2 ": described twice in " p }
        ')
    fi
    if [ -z "$problems" ]; then
        echo "PASS $cmd: $(echo "$help" | wc -l | tr -d ' ') options"
        passed=$((passed + 1))
    else
        echo "FAIL $cmd:"
        echo "$problems"
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
