#!/bin/sh
# `make ui-test`: the admin web UI in headless Chromium (tests/ui/ui.test.mjs). Builds the UI
# (installing the pinned npm packages, puppeteer-core among them), installs Debian's chromium
# when missing (root), and runs the test. Screenshots land in WORKDIR/screenshots.
#
# usage: tests/ui/run.sh LLMPROXY MOCK WORKDIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
proxy=$1; mock=$2; work=$3
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; } || true
  chromium=$(command -v chromium || true)
fi
[ -n "$chromium" ] || { echo "ui-test: chromium is not installed (apt-get install chromium)"; exit 1; }
"$repo/ui/build.sh" --required
rm -rf "$work"; mkdir -p "$work"
CHROMIUM=$chromium node "$here/ui.test.mjs" "$proxy" "$mock" "$work"
