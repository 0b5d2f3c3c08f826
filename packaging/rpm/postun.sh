# llmproxy %postun: logs in /var/log/llmproxy and the llmproxy user are kept on erase.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
if [ "$1" -eq 0 ]; then
    rm -rf /run/llmproxy
fi
exit 0
