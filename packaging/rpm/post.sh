# llmproxy %post: $1 is 1 on install, 2 or more on upgrade.
install -d -m 0750 -o llmproxy -g llmproxy /var/log/llmproxy
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
if [ "$1" -eq 1 ]; then
    # Enabled, not started: the shipped config has no provider yet.
    systemctl enable llmproxy.service >/dev/null 2>&1 || :
elif [ -d /run/systemd/system ]; then
    systemctl try-restart llmproxy.service >/dev/null 2>&1 || :
fi
exit 0
