ALTER TABLE usage_log
    DROP COLUMN trace_id;
