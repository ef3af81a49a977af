#!/bin/sh
# quickstart.sh - on a fresh Debian 12: install the build dependencies,
# build blackbar, and scrub examples/sample.txt with the built-in rules.
set -eu
cd "$(dirname "$0")"
DEPS="build-essential autoconf automake libtool pkg-config \
libpcre2-dev libcjson-dev libssl-dev libcurl4-openssl-dev libmicrohttpd-dev check libisal-dev"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=
else
    SUDO=sudo
fi
missing=
for p in $DEPS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    $SUDO apt-get update
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $missing
fi
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure
make -j"$(nproc)"
echo "--- examples/sample.txt scrubbed with the built-in rules:"
./blackbar scrub examples/sample.txt
