#!/usr/bin/env bash
# Runs the whole test suite. Many tests run the real HAProxy (`haproxy -c`
# on every rendered fixture, and a live HAProxy in the end-to-end tests), so
# this installs Debian's haproxy package first when it is missing and we
# are root; otherwise those tests fail and say how to install it.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v haproxy >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing haproxy from the distribution's packages" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
    else
        echo "haproxy is not installed; the tests that need it will fail" >&2
    fi
fi

# Snapshots are compared, never written, when the suite runs here.
export INSTA_UPDATE=no
exec cargo test --workspace --locked "$@"
