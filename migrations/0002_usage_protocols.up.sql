-- The protocols of each proxied request: what the client spoke (openai, anthropic, responses)
-- and what the provider that answered was spoken to in ('' when no provider was asked).
ALTER TABLE usage_log
    ADD COLUMN client_protocol   text NOT NULL DEFAULT '',
    ADD COLUMN provider_protocol text NOT NULL DEFAULT '';
