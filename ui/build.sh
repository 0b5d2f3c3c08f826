#!/bin/sh
# Builds the admin web UI into ui/dist (committed, so `make run` and packaging work without
# Node.js). Installs the pinned npm packages (package-lock.json) into ui/node_modules first
# when they are missing or the lockfile changed.
#
# usage: ui/build.sh            skip with a message when node/npm are missing or npm fails
#        ui/build.sh --required fail instead (the package build), installing nodejs and npm
#                               with apt-get first when root
set -eu
here=$(cd "$(dirname "$0")" && pwd)
required=${1:-}
if [ "$required" = --required ] && ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
   command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null 2>&1 || true
fi
skip() {
  if [ "$required" = --required ]; then echo "ui/build.sh: $1" >&2; exit 1; fi
  echo "ui: $1; keeping the committed ui/dist"
  exit 0
}
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || skip "node/npm not installed"
cd "$here"
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.lock-copy; then
  npm ci --silent --no-audit --no-fund >/dev/null 2>&1 || skip "npm ci failed (offline?)"
  cp package-lock.json node_modules/.lock-copy
fi
node build.mjs
