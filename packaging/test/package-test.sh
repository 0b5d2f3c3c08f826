#!/bin/bash
# The package test (`make package-test`): builds the .deb and the .rpm, checks their contents,
# dependencies and lintian, then installs the .deb on this machine and runs it as systemd
# would: config test, foreground start as the llmproxy user, reload by SIGHUP and by
# `llmproxy -s reload`, log rotation, graceful stop, reinstall over an edited conffile,
# remove and purge.
#
# usage: packaging/test/package-test.sh [BUILD_DIR]     (default: build-package)
#   PACKAGE_TEST_NO_BUILD=1   reuse the packages already in BUILD_DIR/packages
#   PACKAGE_TEST_NO_INSTALL=1 only the checks that change nothing on this machine
#
# Needs root for the install part (CI runs as root); without root that part is skipped.
# Installs what it needs from Debian: dpkg-dev, rpm, lintian, mandoc, curl, logrotate.
# Ends with "N passed, N failed, N skipped"; exits 1 when anything failed.
set -uo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-package}
case $build in /*) ;; *) build=$PWD/$build ;; esac   # apt-get wants a path, not a name
pkgdir=$build/packages

passed=0
failed=0
skipped=0
pass() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
skip() { skipped=$((skipped + 1)); echo "skip - $*"; }
check() {  # check "description" command...
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
    echo
    echo "package-test: $passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ]
    exit $?
}

tmp=$(mktemp -d /tmp/llmproxy-package-test.XXXXXX)
chmod 0755 "$tmp"
master_pid=""
runner_pid=""
notify_pid=""
cleanup() {
    # Only processes this script started, by pid.
    [ -n "$master_pid" ] && kill -TERM "$master_pid" 2>/dev/null
    [ -n "$runner_pid" ] && kill -TERM "$runner_pid" 2>/dev/null
    [ -n "$notify_pid" ] && kill -TERM "$notify_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

is_root=0
[ "$(id -u)" -eq 0 ] && is_root=1

# ---- tools ----------------------------------------------------------------------------------
need=""
for pair in dpkg-shlibdeps:dpkg-dev rpmbuild:rpm lintian:lintian mandoc:mandoc curl:curl \
            logrotate:logrotate readelf:binutils; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need="$need ${pair#*:}"
done
if [ -n "$need" ]; then
    if [ "$is_root" -eq 1 ]; then
        echo "package-test: installing$need"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq $need >/dev/null 2>&1 ||
            { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $need >/dev/null; } ||
            echo "package-test: could not install$need" >&2
    else
        echo "package-test: missing$need (apt-get install$need)" >&2
    fi
fi

# ---- build ----------------------------------------------------------------------------------
if [ -z "${PACKAGE_TEST_NO_BUILD:-}" ]; then
    echo "package-test: building packages in $build"
    if ! "$src/packaging/build-packages.sh" "$build" >"$tmp/build.log" 2>&1; then
        tail -40 "$tmp/build.log"
        fail "build the packages (packaging/build-packages.sh)"
        finish
    fi
fi
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
deb=$pkgdir/llmproxy_${version}_${arch}.deb
rpm=$pkgdir/llmproxy-${version}.$(uname -m).rpm
check "the .deb is named llmproxy_<version>_<arch>.deb ($(basename "$deb"))" test -f "$deb"
check "the .rpm is named llmproxy-<version>.<arch>.rpm ($(basename "$rpm"))" test -f "$rpm"
[ -f "$deb" ] || finish

# ---- .deb contents --------------------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./#/#; s#/$##' > "$tmp/deb.files"
dpkg-deb -c "$deb" > "$tmp/deb.list"
for f in /usr/sbin/llmproxy /etc/llmproxy/llmproxy.conf /etc/default/llmproxy \
         /etc/logrotate.d/llmproxy /lib/systemd/system/llmproxy.service \
         /usr/share/man/man8/llmproxy.8.gz /usr/share/man/man5/llmproxy.conf.5.gz \
         /usr/share/llmproxy/migrations /usr/share/llmproxy/grafana/llmproxy.json \
         /usr/share/llmproxy/ui/index.html /usr/share/llmproxy/ui/app.js \
         /usr/share/llmproxy/ui/app.css /usr/share/doc/llmproxy/copyright; do
    check "deb contains $f" grep -qx "$f" "$tmp/deb.files"
done
for f in "$src"/migrations/*.sql; do
    check "deb contains the migration $(basename "$f")" \
        grep -qx "/usr/share/llmproxy/migrations/$(basename "$f")" "$tmp/deb.files"
done
check "deb: files are owned by root:root" \
    sh -c "! awk '{print \$2}' '$tmp/deb.list' | grep -vx 'root/root'"
check "deb: /usr/sbin/llmproxy is 0755" grep -q '^-rwxr-xr-x .* ./usr/sbin/llmproxy$' "$tmp/deb.list"

dpkg-deb -I "$deb" > "$tmp/deb.info"
dpkg-deb -f "$deb" Depends > "$tmp/deb.depends"
dpkg-deb -e "$deb" "$tmp/control"
echo "package-test: Depends: $(cat "$tmp/deb.depends")"
check "deb: conffiles are the three /etc files" \
    diff <(sort "$tmp/control/conffiles") \
         <(printf '%s\n' /etc/default/llmproxy /etc/llmproxy/llmproxy.conf /etc/logrotate.d/llmproxy)
for script in postinst prerm postrm; do
    check "deb: $script is there and executable" test -x "$tmp/control/$script"
    check "deb: $script passes sh -n" sh -n "$tmp/control/$script"
done
for script in "$src"/packaging/rpm/*.sh; do
    check "rpm scriptlet $(basename "$script") passes sh -n" sh -n "$script"
done
# A graceful stop must be able to run its course before systemd kills what is left.
stop_sec=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s\{0,1\}$/\1/p' "$src/packaging/llmproxy.service")
shutdown=$(sed -n 's/^shutdown_timeout = "\([0-9]*\)s"$/\1/p' "$src/packaging/llmproxy.conf")
check "unit TimeoutStopSec (${stop_sec:-?}s) is above the packaged shutdown_timeout (${shutdown:-30}s)" \
    test "${stop_sec:-0}" -gt "${shutdown:-30}"
check "deb: Depends has adduser (postinst)" grep -q 'adduser' "$tmp/deb.depends"
# Every shared library the binary needs must come from a package in Depends.
mkdir -p "$tmp/deb-root"
dpkg-deb -x "$deb" "$tmp/deb-root"
depends_has() {  # depends_has NAME...: is one of the names a package in Depends?
    sed 's/([^)]*)//g; s/|/,/g' "$tmp/deb.depends" | tr ',' '\n' | awk '{print $1}' |
        grep -qxF -f <(printf '%s\n' "$@")
}
libs=$(readelf -d "$tmp/deb-root/usr/sbin/llmproxy" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p')
for lib in $libs; do
    path=$(ldd "$tmp/deb-root/usr/sbin/llmproxy" | awk -v l="$lib" '$1 == l {print $3}')
    owner=""
    for p in "$path" "${path#/usr}" "/usr$path"; do
        [ -n "$p" ] || continue
        owner=$(dpkg -S "$p" 2>/dev/null | head -1 | sed 's/[:,].*//') && [ -n "$owner" ] && break
    done
    # The owner or a virtual package it provides (libspdlog1.10 provides libspdlog1.10-fmt9).
    names="$owner $(dpkg-query -W -f='${Provides}' "$owner" 2>/dev/null | sed 's/([^)]*)//g; s/,/ /g')"
    if [ -z "$owner" ]; then
        fail "deb: no installed package provides $lib ($path)"
    elif depends_has $names; then
        pass "deb: $lib comes from $owner, which Depends lists"
    else
        fail "deb: $lib comes from $owner, which Depends does not list"
    fi
done
check "deb: the binary is stripped" \
    sh -c "! readelf -S '$tmp/deb-root/usr/sbin/llmproxy' | grep -q '\.debug_info'"

# ---- lintian --------------------------------------------------------------------------------
if command -v lintian >/dev/null 2>&1; then
    lintian --fail-on error --display-level '>=warning' "$deb" > "$tmp/lintian.out" 2>&1
    lintian_rc=$?
    grep -v 'running with root privileges' "$tmp/lintian.out" | sed 's/^/    /'
    check "lintian reports no error" test "$lintian_rc" -eq 0
else
    skip "lintian not installed"
fi

# ---- .rpm -----------------------------------------------------------------------------------
if [ -f "$rpm" ] && command -v rpm >/dev/null 2>&1; then
    rpm -qlp "$rpm" 2>/dev/null > "$tmp/rpm.files"
    for f in /usr/sbin/llmproxy /etc/llmproxy/llmproxy.conf /etc/default/llmproxy \
             /etc/logrotate.d/llmproxy /usr/lib/systemd/system/llmproxy.service \
             /usr/share/man/man8/llmproxy.8.gz /usr/share/man/man5/llmproxy.conf.5.gz \
             /usr/share/llmproxy/migrations /usr/share/llmproxy/grafana/llmproxy.json \
             /usr/share/llmproxy/ui/index.html /usr/share/llmproxy/ui/app.js \
             /usr/share/llmproxy/ui/app.css; do
        check "rpm contains $f" grep -qx "$f" "$tmp/rpm.files"
    done
    for f in "$src"/migrations/*.sql; do
        check "rpm contains the migration $(basename "$f")" \
            grep -qx "/usr/share/llmproxy/migrations/$(basename "$f")" "$tmp/rpm.files"
    done
    for d in /usr/sbin /usr/lib/systemd/system /etc/logrotate.d /etc/default /usr/share/man/man8 /lib; do
        check "rpm does not claim the system directory $d" sh -c "! grep -qx '$d' '$tmp/rpm.files'"
    done
    check "rpm: no Debian changelog or copyright" sh -c "! grep -q 'changelog.gz\|/copyright$' '$tmp/rpm.files'"
    rpm -qpc "$rpm" 2>/dev/null | sort > "$tmp/rpm.config"
    check "rpm: %config files are the three /etc files" \
        diff "$tmp/rpm.config" <(printf '%s\n' /etc/default/llmproxy /etc/llmproxy/llmproxy.conf /etc/logrotate.d/llmproxy)
    rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]' "$rpm" \
        2>/dev/null > "$tmp/rpm.attrs"
    check "rpm: llmproxy.conf is noreplace, 0640 root:llmproxy" \
        grep -q 'n.* -rw-r----- root:llmproxy /etc/llmproxy/llmproxy.conf$' "$tmp/rpm.attrs"
    check "rpm: /etc/default/llmproxy is 0600 root:root" \
        grep -q ' -rw------- root:root /etc/default/llmproxy$' "$tmp/rpm.attrs"
    rpm -qpR "$rpm" 2>/dev/null > "$tmp/rpm.requires"
    for lib in $libs; do
        check "rpm requires $lib" grep -q "^$lib()" "$tmp/rpm.requires"
    done
    check "rpm requires shadow-utils (for %pre) and systemd" \
        sh -c "grep -qx shadow-utils '$tmp/rpm.requires' && grep -qx systemd '$tmp/rpm.requires'"
    rpm -qp --scripts "$rpm" 2>/dev/null > "$tmp/rpm.scripts"
    check "rpm: %pre creates the llmproxy user" grep -q 'useradd -r -g llmproxy' "$tmp/rpm.scripts"
    check "rpm: %post enables, %preun stops the unit" \
        sh -c "grep -q 'systemctl enable llmproxy.service' '$tmp/rpm.scripts' && grep -q 'disable --now llmproxy.service' '$tmp/rpm.scripts'"
else
    skip "rpm checks (no .rpm or no rpm tool)"
fi

if [ -n "${PACKAGE_TEST_NO_INSTALL:-}" ]; then
    skip "install test (PACKAGE_TEST_NO_INSTALL is set)"
    finish
fi
if [ "$is_root" -ne 1 ]; then
    skip "install test (needs root)"
    finish
fi

# ---- install --------------------------------------------------------------------------------
export DEBIAN_FRONTEND=noninteractive
snapshot() {  # every path with "llmproxy" in it that a package could leave behind
    find /etc /usr /lib /var /run /opt -xdev -path '*llmproxy*' \
        -not -path '/var/cache/apt/*' -not -path '/var/cache/man/*' -not -path "$build/*" -not -path "$tmp/*" \
        -not -path '/tmp/*' 2>/dev/null | sort
}
if dpkg-query -W -f='${db:Status-Abbrev}' llmproxy 2>/dev/null | grep -q '^[ir]'; then
    echo "package-test: purging the llmproxy package installed before this test"
    apt-get purge -y -qq llmproxy >/dev/null 2>&1 || dpkg --purge llmproxy >/dev/null 2>&1
fi
snapshot > "$tmp/before.paths"

if apt-get install -y -qq "$deb" > "$tmp/install.log" 2>&1 </dev/null; then
    pass "apt-get install the .deb"
else
    cat "$tmp/install.log"
    fail "apt-get install the .deb"
    finish
fi
check "the llmproxy system user exists, without a login shell" \
    sh -c 'getent passwd llmproxy | grep -q ":/usr/sbin/nologin$"'
check "/var/log/llmproxy exists, owned by llmproxy, 0750" \
    sh -c '[ "$(stat -c %U:%a /var/log/llmproxy)" = llmproxy:750 ]'
check "/etc/llmproxy/llmproxy.conf is 0640 root:llmproxy" \
    sh -c '[ "$(stat -c %U:%G:%a /etc/llmproxy/llmproxy.conf)" = root:llmproxy:640 ]'
check "/etc/default/llmproxy is 0600 root:root" \
    sh -c '[ "$(stat -c %U:%G:%a /etc/default/llmproxy)" = root:root:600 ]'
check "the unit is enabled" test -L /etc/systemd/system/multi-user.target.wants/llmproxy.service
user_procs() {  # pids of processes running as the llmproxy user
    local d
    for d in /proc/[0-9]*; do
        [ "$(stat -c %U "$d" 2>/dev/null)" = llmproxy ] && echo "${d#/proc/}"
    done
}
check "the service was not started by the install" test -z "$(user_procs)"
check "man -w finds llmproxy(8) and llmproxy.conf(5)" \
    sh -c 'man -w 8 llmproxy >/dev/null 2>&1 && man -w 5 llmproxy.conf >/dev/null 2>&1'
check "llmproxy -V" sh -c "/usr/sbin/llmproxy -V 2>&1 | grep -q '$version'"

# ---- config test ----------------------------------------------------------------------------
conf=/etc/llmproxy/llmproxy.conf
out=$(/usr/sbin/llmproxy -t -c "$conf" 2>&1)
check "llmproxy -t passes on the installed config" test $? -eq 0
check "llmproxy -t says the test is successful" grep -q "configuration file $conf test is successful" <<<"$out"
out=$(runuser -u llmproxy -- /usr/sbin/llmproxy -t -q -c "$conf" 2>&1)
rc=$?
check "llmproxy -t -q passes as the llmproxy user (ExecStartPre) and prints nothing" \
    test "$rc" -eq 0 -a -z "$out"
# The first literal block of EXAMPLES, whatever prose comes before it.
zcat /usr/share/man/man5/llmproxy.conf.5.gz | sed -n '/^\.Sh EXAMPLES/,/^\.Ed/p' \
    | sed -n '/^\.Bd/,/^\.Ed/p' | sed '1d;$d' > "$tmp/example.conf"
check "the example in llmproxy.conf(5) passes llmproxy -t" \
    env ADMIN_KEY=x OPENAI_API_KEY=x AZURE_OPENAI_API_KEY=x TEAM_A_KEY=x \
    /usr/sbin/llmproxy -t -q -c "$tmp/example.conf"
printf '[server]\nlisten = ["127.0.0.1:1"]\nlisnet = 1\n' > "$tmp/broken.conf"
out=$(/usr/sbin/llmproxy -t -c "$tmp/broken.conf" 2>&1)
rc=$?
check "llmproxy -t exits 1 on a broken file and names file:line:col" \
    sh -c "[ $rc -eq 1 ] && printf '%s' \"\$1\" | grep -q '$tmp/broken.conf:3:1'" _ "$out"

# ---- systemd-analyze verify -----------------------------------------------------------------
if command -v systemd-analyze >/dev/null 2>&1; then
    out=$(systemd-analyze verify /lib/systemd/system/llmproxy.service 2>&1)
    rc=$?
    if grep -qiE 'not been booted with systemd|failed to connect to bus|failed to initialize manager' <<<"$out"; then
        skip "systemd-analyze verify cannot run here: $(head -1 <<<"$out")"
    else
        [ -n "$out" ] && sed 's/^/    /' <<<"$out"
        check "systemd-analyze verify llmproxy.service is clean" test "$rc" -eq 0 -a -z "$out"
    fi
else
    skip "systemd-analyze not installed"
fi

# ---- run it as the unit would ---------------------------------------------------------------
free_port() {
    local p
    for p in $(seq "$1" $(($1 + 200))); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
    done
}
api_port=$(free_port 28500)
run_conf=$conf
admin_port=18001
if (exec 3<>/dev/tcp/127.0.0.1/18001) 2>/dev/null; then
    # The packaged admin port is taken on this machine: a copy with another admin port.
    admin_port=$(free_port 28800)
    run_conf=$tmp/llmproxy.conf
    sed "s/^admin_listen = .*/admin_listen = \"127.0.0.1:$admin_port\"/" "$conf" > "$run_conf"
    chmod 0644 "$run_conf"
    echo "package-test: 127.0.0.1:18001 is in use here; running on a copy with admin port $admin_port"
fi
install -d -o llmproxy -g llmproxy -m 0755 /run/llmproxy   # RuntimeDirectory= in the unit

notify_log=$tmp/notify.log
if command -v python3 >/dev/null 2>&1; then
    python3 - "$tmp/notify.sock" "$notify_log" <<'PY' &
import os, socket, sys
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o777)
with open(log, "a", buffering=1) as f:
    while True:
        f.write(s.recv(4096).decode(errors="replace").replace("\n", " ") + "\n")
PY
    notify_pid=$!
    for _ in $(seq 50); do [ -S "$tmp/notify.sock" ] && break; sleep 0.1; done
fi

# As systemd runs ExecStart: user llmproxy, foreground, env overrides from /etc/default.
runuser -u llmproxy -- env PORT="$api_port" ${notify_pid:+NOTIFY_SOCKET="$tmp/notify.sock"} \
    /usr/sbin/llmproxy -g -c "$run_conf" > "$tmp/foreground.out" 2>&1 &
runner_pid=$!
health() { curl -s --max-time 2 "http://127.0.0.1:$api_port/health"; }
config_version() { health | sed -n 's/.*"config_version" *: *\([0-9]*\).*/\1/p'; }
wait_up() {  # up=1 once /health answers, up=0 if the runner exits first or 10 s pass
    up=0
    for _ in $(seq 100); do
        if [ -n "$(config_version)" ]; then up=1; return; fi
        kill -0 "$runner_pid" 2>/dev/null || return
        sleep 0.1
    done
}
wait_up
if [ "$up" -eq 1 ]; then
    pass "the installed binary serves GET /health on the installed config (port $api_port)"
else
    fail "the installed binary serves GET /health on the installed config (port $api_port)"
    sed 's/^/    /' "$tmp/foreground.out" | head -20
    tail -20 /var/log/llmproxy/error.log 2>/dev/null | sed 's/^/    /'
fi
master_pid=$(cat /run/llmproxy/llmproxy.pid 2>/dev/null)
check "the pid file /run/llmproxy/llmproxy.pid names a running master" \
    sh -c "[ -n '$master_pid' ] && grep -q 'llmproxy: master' /proc/$master_pid/cmdline 2>/dev/null"
check "the master runs as llmproxy" \
    sh -c "[ \"\$(stat -c %U /proc/$master_pid 2>/dev/null)\" = llmproxy ]"
check "the error log /var/log/llmproxy/error.log is written" test -s /var/log/llmproxy/error.log
if [ -n "$notify_pid" ]; then
    for _ in $(seq 30); do grep -q 'READY=1' "$notify_log" 2>/dev/null && break; sleep 0.1; done
    check "sd_notify READY=1 reached NOTIFY_SOCKET" grep -q 'READY=1' "$notify_log"
else
    skip "sd_notify check (no python3 for the socket)"
fi
if [ "$up" -eq 1 ]; then
    v0=$(config_version)
    kill -HUP "$master_pid"     # what ExecReload does
    v1=$v0
    for _ in $(seq 50); do v1=$(config_version); [ "${v1:-0}" -gt "$v0" ] && break; sleep 0.1; done
    check "SIGHUP reloads: /health config_version $v0 -> ${v1:-?}" test "${v1:-0}" -gt "$v0"
    /usr/sbin/llmproxy -s reload -c "$run_conf" > "$tmp/s-reload.out" 2>&1
    check "llmproxy -s reload exits 0" test $? -eq 0
    v2=$v1
    for _ in $(seq 50); do v2=$(config_version); [ "${v2:-0}" -gt "$v1" ] && break; sleep 0.1; done
    check "llmproxy -s reload reloads: config_version $v1 -> ${v2:-?}" test "${v2:-0}" -gt "$v1"
    if [ -n "$notify_pid" ]; then
        check "sd_notify RELOADING=1 around the reload" grep -q 'RELOADING=1' "$notify_log"
    fi
    # logrotate with the installed policy: the postrotate reopen must make llmproxy write
    # to the new file.
    if command -v logrotate >/dev/null 2>&1; then
        logrotate -f -s "$tmp/logrotate.state" /etc/logrotate.d/llmproxy > "$tmp/logrotate.out" 2>&1
        check "logrotate -f /etc/logrotate.d/llmproxy succeeds" test $? -eq 0
        sed 's/^/    /' "$tmp/logrotate.out"
        check "logrotate moved error.log to error.log.1" test -s /var/log/llmproxy/error.log.1
        kill -HUP "$master_pid"    # logs a line, into the reopened file
        for _ in $(seq 30); do [ -s /var/log/llmproxy/error.log ] && break; sleep 0.1; done
        check "after the rotation llmproxy writes to the new error.log (SIGUSR1 reopen)" \
            test -s /var/log/llmproxy/error.log
    else
        skip "logrotate not installed"
    fi
fi
if [ -n "$master_pid" ] && kill -0 "$master_pid" 2>/dev/null; then
    children=$(awk -v p="$master_pid" '$4 == p {print $1}' /proc/[0-9]*/stat 2>/dev/null)
    /usr/sbin/llmproxy -s quit -p /run/llmproxy/llmproxy.pid
    check "llmproxy -s quit exits 0" test $? -eq 0
    gone=0
    for _ in $(seq 400); do
        if ! kill -0 "$master_pid" 2>/dev/null; then gone=1; break; fi
        sleep 0.1
    done
    check "graceful stop: the master exits" test "$gone" -eq 1
    alive=""
    for c in $children; do kill -0 "$c" 2>/dev/null && alive="$alive $c"; done
    check "graceful stop: no worker is left" test -z "$alive"
    check "graceful stop: the pid file is removed" test ! -e /run/llmproxy/llmproxy.pid
    if [ -n "$notify_pid" ]; then
        check "sd_notify STOPPING=1 on stop" grep -q 'STOPPING=1' "$notify_log"
    fi
    [ "$gone" -eq 1 ] && master_pid=""
fi
wait "$runner_pid" 2>/dev/null
runner_pid=""
check "the shipped user = \"llmproxy\" is silent when the master is llmproxy already" \
    sh -c "! grep -q 'server.user and server.group are ignored' /var/log/llmproxy/error.log"

# Started by hand as root on the installed config: the workers drop to its user = "llmproxy".
env PORT="$api_port" /usr/sbin/llmproxy -g -c "$run_conf" -p "$tmp/root.pid" \
    > "$tmp/root.out" 2>&1 &
runner_pid=$!
wait_up
check "started as root, the installed config serves GET /health" test "$up" -eq 1
root_master=$(cat "$tmp/root.pid" 2>/dev/null)
workers=$(awk -v p="${root_master:-none}" '$4 == p {print $1}' /proc/[0-9]*/stat 2>/dev/null)
# (Undumpable workers' /proc entries belong to root: read the uid from their status.)
uid_of() { awk '/^Uid:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
root_ok=0
if [ -n "$root_master" ] && [ "$(uid_of "$root_master")" = 0 ] && [ -n "$workers" ]; then
    root_ok=1
    for w in $workers; do [ "$(uid_of "$w")" = "$(id -u llmproxy)" ] || root_ok=0; done
fi
check "started as root, the master stays root and its workers run as llmproxy" \
    test "$root_ok" -eq 1
if [ -n "$root_master" ]; then
    /usr/sbin/llmproxy -s quit -p "$tmp/root.pid" >/dev/null 2>&1
fi
wait "$runner_pid" 2>/dev/null
runner_pid=""

# ---- reinstall over an edited conffile ------------------------------------------------------
echo "# local edit by package-test" >> "$conf"
if dpkg -i "$deb" > "$tmp/reinstall.log" 2>&1 </dev/null; then
    pass "reinstall the .deb over an edited conffile (no prompt)"
else
    sed 's/^/    /' "$tmp/reinstall.log"
    fail "reinstall the .deb over an edited conffile (no prompt)"
fi
check "the edited conffile is kept" grep -q '^# local edit by package-test$' "$conf"
check "the conffile keeps 0640 root:llmproxy" \
    sh -c '[ "$(stat -c %U:%G:%a /etc/llmproxy/llmproxy.conf)" = root:llmproxy:640 ]'

# ---- remove, then purge ---------------------------------------------------------------------
apt-get remove -y -qq llmproxy > "$tmp/remove.log" 2>&1 </dev/null
check "apt-get remove" test $? -eq 0
check "remove: the binary is gone" test ! -e /usr/sbin/llmproxy
check "remove: the conffile stays" test -f "$conf"
check "remove: dpkg keeps the package in config-files state" \
    sh -c "dpkg-query -W -f='\${db:Status-Abbrev}' llmproxy | grep -q '^rc'"
apt-get purge -y -qq llmproxy > "$tmp/purge.log" 2>&1 </dev/null
check "apt-get purge" test $? -eq 0
snapshot > "$tmp/after.paths"
left=$(comm -13 "$tmp/before.paths" "$tmp/after.paths")
[ -n "$left" ] && sed 's/^/    left: /' <<<"$left"
check "purge leaves no llmproxy file behind (the llmproxy user stays, by policy)" test -z "$left"
check "purge removes the dpkg-statoverride entries" sh -c '! dpkg-statoverride --list | grep -q llmproxy'
check "purge removes /var/log/llmproxy" test ! -e /var/log/llmproxy

finish
