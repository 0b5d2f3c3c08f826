#!/bin/sh
# The admin web UI's files are installed to share/llmproxy/ui as built (what the .deb and .rpm
# carry: cpack runs the same install rules; `make package-test` checks the packages
# themselves).
#
# usage: ui_files_test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1; src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
DESTDIR=$tmp cmake --install "$build" --prefix /usr >/dev/null
failed=0
for f in index.html app.js app.css favicon.svg; do
  if ! cmp -s "$src/ui/dist/$f" "$tmp/usr/share/llmproxy/ui/$f"; then
    echo "not installed as built: /usr/share/llmproxy/ui/$f"; failed=1
  fi
done
grep -q 'src="app.js"' "$tmp/usr/share/llmproxy/ui/index.html" || { echo "index.html does not load app.js"; failed=1; }
if grep -qi '<script>\|<script [^>]*>[^<]' "$tmp/usr/share/llmproxy/ui/index.html"; then
  echo "index.html has inline script (the CSP forbids it)"; failed=1
fi
if grep -qE 'https?://[^" ]*(cdn|unpkg|jsdelivr|googleapis)' "$tmp"/usr/share/llmproxy/ui/*; then
  echo "the UI loads something from a CDN"; failed=1
fi
[ $failed = 0 ] && echo "ui files installed: ok"
exit $failed
