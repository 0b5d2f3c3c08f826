-- Provider health that operators can tune (nginx's names): max_fails failures within
-- fail_timeout take a provider out for fail_timeout; health_check_interval > 0 turns on active
-- health checks. Durations are written as in llmproxy.conf ("10s", "500ms", "0s").
ALTER TABLE providers
    ADD COLUMN max_fails             integer NOT NULL DEFAULT 3 CHECK (max_fails BETWEEN 0 AND 1000),
    ADD COLUMN fail_timeout          text    NOT NULL DEFAULT '10s',
    ADD COLUMN health_check_interval text    NOT NULL DEFAULT '0s';
