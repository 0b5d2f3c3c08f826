#!/bin/sh
# Fails when a configuration directive is missing from llmproxy.conf(5), or when the
# man page documents a directive the code does not have.
#
# Directives are collected, each with its section, from
#   - src/common/config/config.h: the fields of the structs that map to sections
#     (ServerConfig -> [server], ..., KeyConfig and RateLimit -> [[key]], PriceConfig ->
#     [[price]]);
#   - conf/llmproxy.conf and packaging/llmproxy.conf: every `name =` line, commented
#     out or not, below a section header, and the bare keys of inline tables.
# The man page documents a directive as an ".It Cm name" line below ".Ss [section]".
#
# usage: man_directives_test.sh [SOURCE_DIR]
# The files can be replaced for a self-check: CONFIG_H=... MAN_PAGE=... CONF_FILES="a b".
set -eu

src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
config_h=${CONFIG_H:-$src/src/common/config/config.h}
man_page=${MAN_PAGE:-$src/man/llmproxy.conf.5}
conf_files=${CONF_FILES:-"$src/conf/llmproxy.conf $src/packaging/llmproxy.conf"}

# Fields of config.h that are not directives: values derived at load time.
# db_id says which row a value came from; model_limits is read from rate_limit_per_model;
# a price's input/output/cached_input/cache_write are its *_per_mtok directives in micro-dollars.
derived="provider.url provider.db_id key.db_id key.model_limits price.db_id price.input
price.output price.cached_input price.cache_write"
# Directives that config.h keeps under another field: `key` is stored as key_sha256,
# rate_limit_per_model as model_limits, the prices per million tokens as micro-dollars.
input_only="key.key key.rate_limit_per_model price.input_per_mtok price.output_per_mtok
price.cached_input_per_mtok price.cache_write_per_mtok"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in "$config_h" "$man_page"; do
    if [ ! -r "$f" ]; then
        echo "man_directives: cannot read $f" >&2
        exit 1
    fi
done

# section.name<TAB>origin, one per line.
awk -v derived="$derived" '
    BEGIN {
        map["ServerConfig"] = "server"; map["LogConfig"] = "log"
        map["DatabaseConfig"] = "database"; map["RedisConfig"] = "redis"; map["CacheConfig"] = "cache"
        map["TracingConfig"] = "tracing"; map["LangfuseConfig"] = "langfuse"
        map["ProviderConfig"] = "provider"; map["KeyConfig"] = "key"; map["RateLimit"] = "key"
        map["PriceConfig"] = "price"
        n = split(derived, d, /[ \n]+/); for (i = 1; i <= n; i++) skip[d[i]] = 1
    }
    /^struct [A-Za-z]+ *\{/ { section = map[$2]; next }
    /^\};/ { section = ""; next }
    section != "" {
        line = $0
        gsub(/"[^"]*"/, "\"\"", line)  # a default such as "https://..." is not a comment
        sub(/\/\/.*/, "", line)
        if (line !~ /;[ \t]*$/ || line ~ /operator|using |enum |\(/) next
        sub(/[ \t]*;[ \t]*$/, "", line)
        sub(/[ \t]*=.*$/, "", line)
        sub(/\{.*$/, "", line)
        n = split(line, w, /[ \t]+/)
        name = w[n]
        if (name !~ /^[a-z_][a-z0-9_]*$/) next
        if ((section "." name) in skip) next
        printf "%s.%s\t%s:%d\n", section, name, FILENAME, FNR
    }
' "$config_h" > "$tmp/code"
for directive in $input_only; do
    printf '%s\t%s\n' "$directive" "$0 (input_only)" >> "$tmp/code"
done

if [ ! -s "$tmp/code" ]; then
    echo "man_directives: found no directive in $config_h (has its layout changed?)" >&2
    exit 1
fi

: > "$tmp/conf"
for conf in $conf_files; do
    if [ ! -r "$conf" ]; then
        echo "man_directives: note: $conf does not exist yet, skipped"
        continue
    fi
    awk '
        /^[ \t]*#?[ \t]*\[\[?[a-z]+\]\]?[ \t]*(#.*)?$/ {
            s = $0; sub(/^[ \t]*#?[ \t]*\[+/, "", s); sub(/\].*$/, "", s); section = s; next
        }
        section == "" { next }
        /^[ \t]*#?[ \t]*[a-z_][a-z0-9_]*[ \t]*=/ {
            line = $0
            sub(/^[ \t]*#?[ \t]*/, "", line)
            name = line; sub(/[ \t]*=.*$/, "", name)
            printf "%s.%s\t%s:%d\n", section, name, FILENAME, FNR
            # Bare keys of an inline table: rate_limit = { requests_per_second = 1, burst = 2 }
            if (match(line, /\{.*\}/)) {
                inner = substr(line, RSTART + 1, RLENGTH - 2)
                n = split(inner, parts, ",")
                for (i = 1; i <= n; i++) {
                    if (parts[i] ~ /^[ \t]*[a-z_][a-z0-9_]*[ \t]*=/) {
                        k = parts[i]; sub(/^[ \t]*/, "", k); sub(/[ \t]*=.*$/, "", k)
                        printf "%s.%s\t%s:%d\n", section, k, FILENAME, FNR
                    }
                }
            }
        }
    ' "$conf" >> "$tmp/conf"
done

awk '
    /^\.Ss / {
        section = ""
        if (match($0, /\[+[a-z]+\]+/)) {
            s = substr($0, RSTART, RLENGTH); gsub(/[][]/, "", s); section = s
        }
        next
    }
    /^\.Sh / { section = ""; next }
    section != "" && /^\.It Cm [a-z_]+/ { print section "." $3 }
' "$man_page" | sort -u > "$tmp/man"

status=0
checked=0
while IFS="$(printf '\t')" read -r directive origin; do
    checked=$((checked + 1))
    if ! grep -qx "$directive" "$tmp/man"; then
        section=${directive%%.*}
        name=${directive#*.}
        echo "FAIL: directive \"$name\" of [$section] ($origin) is not documented in $man_page" \
             "(add an \".It Cm $name\" entry below \".Ss [$section]\" or \".Ss [[$section]]\")"
        status=1
    fi
done < "$tmp/code"
while IFS="$(printf '\t')" read -r directive origin; do
    checked=$((checked + 1))
    if ! grep -qx "$directive" "$tmp/man"; then
        echo "FAIL: \"$directive\" ($origin) is not documented in $man_page"
        status=1
    fi
    if ! cut -f1 "$tmp/code" | grep -qx "$directive"; then
        echo "FAIL: \"$directive\" ($origin) is not a field of $config_h (typo, or a renamed directive?)"
        status=1
    fi
done < "$tmp/conf"
while read -r directive; do
    if ! cut -f1 "$tmp/code" | grep -qx "$directive"; then
        echo "FAIL: $man_page documents \"$directive\", which $config_h does not have"
        status=1
    fi
done < "$tmp/man"

documented=$(wc -l < "$tmp/man")
if [ "$status" -eq 0 ]; then
    echo "man_directives: $documented directives documented; $checked references from config.h and the example configs checked"
fi
exit "$status"
