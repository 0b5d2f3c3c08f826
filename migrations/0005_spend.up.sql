-- Prices per million tokens (USD), read with the providers and credentials and hot-reloaded
-- the same way, and the cost of each proxied request in the usage log.
CREATE TABLE prices (
    id                    serial        PRIMARY KEY,
    model                 text          NOT NULL CHECK (model <> ''),
    provider              text          NOT NULL DEFAULT ''
                                        CHECK (provider ~ '^([A-Za-z0-9._-]{1,128})?$'),
    input_per_mtok        numeric(18,6) NOT NULL DEFAULT 0 CHECK (input_per_mtok >= 0),
    output_per_mtok       numeric(18,6) NOT NULL DEFAULT 0 CHECK (output_per_mtok >= 0),
    -- NULL: the input price.
    cached_input_per_mtok numeric(18,6) CHECK (cached_input_per_mtok >= 0),
    cache_write_per_mtok  numeric(18,6) CHECK (cache_write_per_mtok >= 0),
    created_at            timestamptz   NOT NULL DEFAULT now(),
    updated_at            timestamptz   NOT NULL DEFAULT now(),
    UNIQUE (model, provider)
);

CREATE TRIGGER prices_config_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON prices
    FOR EACH STATEMENT EXECUTE FUNCTION llmproxy_bump_config_version();
CREATE TRIGGER prices_updated_at BEFORE UPDATE ON prices
    FOR EACH ROW EXECUTE FUNCTION llmproxy_touch_updated_at();

-- USD at the configured price when the request was made; NULL when no provider answered or
-- no price applied.
ALTER TABLE usage_log ADD COLUMN cost_usd numeric(18,6);

-- Budgets per key: USD per period (0 = none), the warning threshold, and the period
-- ("" = never resets, "30d", "1mo"; see docs/configuration.md).
ALTER TABLE credentials
    ADD COLUMN max_budget      numeric(18,6) NOT NULL DEFAULT 0 CHECK (max_budget >= 0),
    ADD COLUMN soft_budget     numeric(18,6) NOT NULL DEFAULT 0 CHECK (soft_budget >= 0),
    ADD COLUMN budget_duration text          NOT NULL DEFAULT '';

-- What each key spent in each budget period, added to in the same statement that writes a
-- batch of usage_log rows, and read when a node starts (a restart keeps spend). key_hash
-- identifies file keys and database keys alike (SHA-256 hex); period_end is NULL for a period
-- that never ends; budget_duration is the key's then (seconds, or -months).
CREATE TABLE key_spend (
    key_hash        text          NOT NULL,
    period_start    timestamptz   NOT NULL,
    period_end      timestamptz,
    budget_duration bigint        NOT NULL DEFAULT 0,
    key_name        text          NOT NULL DEFAULT '',
    spent_usd       numeric(20,6) NOT NULL DEFAULT 0,
    updated_at      timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (key_hash, period_start)
);
