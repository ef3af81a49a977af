#!/usr/bin/env bash
# sdk.sh - the official SDKs (tests/sdk/package.json: openai, current
# major and 4.x, and @anthropic-ai/sdk, pinned) read the streams that
# blackbar moderate cut at a block and raise an API error after the
# deltas before it (tests/sdk/stream-error.mjs). Skipped (exit 77) when
# node or tests/sdk/node_modules is missing: .ci/run installs them with
# `npm ci` in tests/sdk.

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$(dirname "$here")}
builddir=${builddir:-$srcdir}
BLACKBAR=${BLACKBAR:-$builddir/blackbar}

if ! command -v node > /dev/null || [ ! -d "$srcdir/tests/sdk/node_modules" ]
then
    echo "SKIP: node or tests/sdk/node_modules missing (cd tests/sdk && npm ci)"
    exit 77
fi
node "$srcdir/tests/sdk/stream-error.mjs" "$BLACKBAR" \
    "$srcdir/tests/fixtures/sse" 2>&1 | grep -v -e deprecated -e migrate
exit "${PIPESTATUS[0]}"
