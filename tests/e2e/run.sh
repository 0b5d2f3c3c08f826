#!/bin/sh
# Runs the official-SDK end-to-end tests. Installs the `openai` npm package into the build tree
# on first use. Skips (exit 0 with a message) when Node.js or npm is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
proxy=$1; mock=$2; work=$3
if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null 2>&1 || true
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "SKIPPED: node/npm not installed (apt install nodejs npm)"; exit 0
fi
mkdir -p "$work"
if [ ! -d "$work/node_modules/openai" ]; then
  (cd "$work" && [ -f package.json ] || echo '{"private":true,"type":"module"}' > package.json
   npm install --silent --no-audit --no-fund openai@4 >/dev/null)
fi
cp "$here/openai_sdk.test.mjs" "$work/"
exec node "$work/openai_sdk.test.mjs" "$proxy" "$mock"
