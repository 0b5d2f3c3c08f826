#!/bin/sh
# The Grafana dashboard is valid JSON and queries only metrics that DESIGN.md section 7 names
# (plus their histogram series). Exits 77 (skipped) without python3 or jq to parse JSON.
#
# usage: dashboard_test.sh [SOURCE_DIR]
set -u

src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
dashboard=$src/packaging/grafana/llmproxy.json
known="llm_proxy_requests_total llm_proxy_request_duration_seconds llm_proxy_active_requests
llm_proxy_tokens_total llm_proxy_provider_health llm_proxy_provider_latency_seconds
llm_proxy_ttft_seconds llm_proxy_tokens_per_second"

if command -v jq >/dev/null 2>&1; then
    jq -e '.panels | length > 0' "$dashboard" >/dev/null || { echo "FAIL: $dashboard is not a dashboard"; exit 1; }
elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["panels"]' "$dashboard" ||
        { echo "FAIL: $dashboard is not valid JSON"; exit 1; }
else
    echo "dashboard: neither jq nor python3 installed, skipped"
    exit 77
fi

status=0
for metric in $(grep -o 'llm_proxy_[a-z_]*' "$dashboard" | sort -u); do
    base=$(printf '%s' "$metric" | sed 's/_\(bucket\|sum\|count\)$//')
    if ! printf '%s\n' $known | grep -qx "$base"; then
        echo "FAIL: $dashboard queries $metric, which DESIGN.md section 7 does not name"
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "dashboard: valid, $(grep -o 'llm_proxy_[a-z_]*' "$dashboard" | sort -u | wc -l) metric series, all known"
exit "$status"
