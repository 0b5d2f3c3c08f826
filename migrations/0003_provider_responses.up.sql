-- Whether OpenAI Responses requests pass through unchanged to the provider (its `responses`
-- setting in llmproxy.conf): NULL takes the default by type (true for "openai", else false).
ALTER TABLE providers
    ADD COLUMN responses boolean;
