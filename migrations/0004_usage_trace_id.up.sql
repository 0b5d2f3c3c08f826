-- The W3C trace id of each proxied request (32 hex digits), the same as in the access log and
-- the exported spans, so a usage row leads to its trace ('' for rows written before).
ALTER TABLE usage_log
    ADD COLUMN trace_id text NOT NULL DEFAULT '';
