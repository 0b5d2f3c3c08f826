# llmproxy %pre: the system user must exist before %attr in the file list is applied.
getent group llmproxy >/dev/null || groupadd -r llmproxy
getent passwd llmproxy >/dev/null || \
    useradd -r -g llmproxy -d /nonexistent -M -s /sbin/nologin \
        -c "llmproxy LLM API gateway" llmproxy
exit 0
