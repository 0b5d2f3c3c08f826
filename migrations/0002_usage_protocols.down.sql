ALTER TABLE usage_log
    DROP COLUMN client_protocol,
    DROP COLUMN provider_protocol;
