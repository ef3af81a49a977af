#!/usr/bin/env bash
# valgrind.sh - run the CLI cases and the unit suites under valgrind
# (memcheck: no invalid access, no uninitialised use, no leak). Slow, so
# not part of make check; .ci/run calls it after the main build.
#   tests/valgrind.sh BUILDDIR
set -eu
build=$(cd "${1:-.}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
out=$build/tests/out
mkdir -p "$out"
vg=(valgrind -q --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite,indirect,possible
    --show-leak-kinds=definite,indirect,possible)

# Every run of blackbar logs valgrind's errors to a file of its own, so
# that a test that ignores an exit status (a pipe) still cannot hide one.
vgl=$out/vg-logs
rm -rf "$vgl"
mkdir -p "$vgl"
cat > "$out/vg-blackbar" <<WRAP
#!/bin/sh
exec ${vg[*]} --log-file="$vgl/%p.log" "$build/blackbar" "\$@"
WRAP
chmod +x "$out/vg-blackbar"

status=0
BLACKBAR=$out/vg-blackbar BBCHUNK=$build/tests/tools/bbchunk \
    srcdir=$src builddir=$build bash "$src/tests/run-cases.sh" ||
    status=1
for t in check_core check_rules check_redact check_validate check_stream \
    check_tokens check_json check_restore check_sse check_channels check_moderate; do
    if srcdir=$src CK_FORK=no "${vg[@]}" "$build/tests/unit/$t" > "$out/vg-$t.log" 2>&1
    then
        echo "ok valgrind $t"
    else
        echo "FAIL valgrind $t (see $out/vg-$t.log)"
        status=1
    fi
done
# the round trips of the structured fixtures, through bbchunk
cat > "$out/vg-bbchunk" <<WRAP
#!/bin/sh
exec ${vg[*]} "$build/tests/tools/bbchunk" "\$@"
WRAP
chmod +x "$out/vg-bbchunk"
BBCHUNK=$out/vg-bbchunk srcdir=$src builddir=$build \
    bash "$src/tests/roundtrip.sh" > "$out/vg-roundtrip.log" 2>&1 &&
    echo "ok valgrind roundtrip" ||
    { echo "FAIL valgrind roundtrip (see $out/vg-roundtrip.log)"; status=1; }
# the commands that talk to a stand-in API, the audit log's, scan's
for t in send remote audit proxy scan scan-git audit-cmd audit-html; do
    if BLACKBAR=$out/vg-blackbar BLACKBAR_EXE=$build/blackbar \
        BBUPSTREAM=$build/tests/tools/bbupstream \
        BBAUDIT=$build/tests/tools/bbaudit srcdir=$src builddir=$build \
        bash "$src/tests/$t.sh" > "$out/vg-$t.log" 2>&1; then
        echo "ok valgrind $t.sh"
    else
        echo "FAIL valgrind $t.sh (see $out/vg-$t.log)"
        status=1
    fi
done
for f in "$vgl"/*.log; do
    if [ -s "$f" ]; then
        echo "FAIL valgrind found errors:"
        cat "$f"
        status=1
    fi
done
exit $status
