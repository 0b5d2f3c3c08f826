#!/bin/sh
# The man pages render without warnings: `mandoc -T lint` (warnings and worse) and groff
# through `man --warnings` at 80 columns. Exits 77 (skipped) when neither tool is installed.
#
# usage: man_lint_test.sh [SOURCE_DIR]
set -u

src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
pages="$src/man/llmproxy.8 $src/man/llmproxy.conf.5"
status=0
ran=0

if command -v mandoc >/dev/null 2>&1; then
    ran=1
    for page in $pages; do
        if ! out=$(mandoc -T lint -W warning "$page" 2>&1) || [ -n "$out" ]; then
            echo "FAIL: mandoc -T lint $page:"
            echo "$out"
            status=1
        fi
    done
else
    echo "man_lint: mandoc not installed (apt-get install mandoc), mandoc lint skipped"
fi

if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
    ran=1
    for page in $pages; do
        out=$(LC_ALL=C.UTF-8 MANWIDTH=80 MAN_KEEP_FORMATTING= man --warnings -l "$page" 2>&1 >/dev/null)
        if [ -n "$out" ]; then
            echo "FAIL: man --warnings -l $page:"
            echo "$out"
            status=1
        fi
    done
else
    echo "man_lint: man or groff not installed, groff check skipped"
fi

if [ "$ran" -eq 0 ]; then
    exit 77
fi
[ "$status" -eq 0 ] && echo "man_lint: man pages are clean"
exit "$status"
