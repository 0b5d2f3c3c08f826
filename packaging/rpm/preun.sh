# llmproxy %preun: $1 is 0 on erase, 1 or more on upgrade (then the new %post restarts it).
if [ "$1" -eq 0 ]; then
    systemctl --no-reload disable --now llmproxy.service >/dev/null 2>&1 || :
fi
exit 0
