#!/bin/sh
# Runs the official-SDK end-to-end tests (every tests/e2e/*.test.mjs, one after the other; fails
# if any fails). Installs the npm packages into the build tree on first use, and again when the
# list below changes. Skips (exit 0 with a message) when Node.js or npm is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
proxy=$1; mock=$2; work=$3
# Major versions pinned: the SDKs' wire behaviour is what the tests check.
packages="openai@4 @anthropic-ai/sdk@1 ai@6 @ai-sdk/anthropic@3 @ai-sdk/openai@3 zod@3"
if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null 2>&1 || true
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "SKIPPED: node/npm not installed (apt install nodejs npm)"; exit 0
fi
mkdir -p "$work"
if [ "$(cat "$work/.packages" 2>/dev/null)" != "$packages" ]; then
  (cd "$work" && { [ -f package.json ] || echo '{"private":true,"type":"module"}' > package.json; } &&
   # shellcheck disable=SC2086 # one word per package
   npm install --silent --no-audit --no-fund $packages >/dev/null)
  echo "$packages" > "$work/.packages"
fi
cp "$here"/*.mjs "$work/"
failed=""
for test in "$here"/*.test.mjs; do
  name=$(basename "$test")
  node "$work/$name" "$proxy" "$mock" || failed="$failed $name"
done
if [ -n "$failed" ]; then echo "e2e FAILED:$failed"; exit 1; fi
echo "e2e: every SDK test passed"
