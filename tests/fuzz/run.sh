#!/bin/sh
# tests/fuzz/run.sh - build the libFuzzer targets with clang (ASan and
# UBSan) and run each for FUZZ_TIME seconds (default 60) from its seed
# corpus. Used by `make fuzz`; crashes leave their input in
# tests/fuzz/out/ and make it fail.
#   tests/fuzz/run.sh SRCDIR BUILDDIR   (FUZZ_TARGETS: "json sse")
set -eu
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
time=${FUZZ_TIME:-60}
cc=${FUZZ_CC:-clang}
out=$build/tests/fuzz/out
mkdir -p "$out"

# The library: every src/*.c but the CLI's (main.c, cli*.c, cmd_*.c,
# proxy*.c, scan*.c), and the generated built-in packs.
lib=
for f in "$src"/src/*.c; do
    case $(basename "$f") in
    main.c | cli*.c | cmd_*.c | proxy*.c | scan*.c | builtin_rules.c) ;;
    *) lib="$lib $f" ;;
    esac
done
builtin=$build/src/builtin_rules.c
[ -f "$builtin" ] || builtin=$src/src/builtin_rules.c

for t in ${FUZZ_TARGETS:-json sse}; do
    echo "=== fuzz_$t: building"
    # shellcheck disable=SC2086 # $lib is a list of paths
    "$cc" -g -O1 -std=c11 -D_GNU_SOURCE -pthread \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        -I"$src/src" -I"$build/src" $lib "$builtin" \
        -DFUZZ_$(echo "$t" | tr a-z A-Z) \
        "$src/tests/fuzz/fuzz.c" -o "$out/fuzz_$t" \
        $(pkg-config --cflags --libs libpcre2-8 libcjson libcrypto libcurl) -lm
    mkdir -p "$out/corpus-$t"
    cp "$src/tests/fuzz/seed-$t"/* "$out/corpus-$t/"
    echo "=== fuzz_$t: $time s"
    (cd "$out" && ./"fuzz_$t" -max_total_time="$time" -max_len=4096 \
        -timeout=10 -rss_limit_mb=2048 "corpus-$t")
done
