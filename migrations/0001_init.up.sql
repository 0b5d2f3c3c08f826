-- llmproxy schema 1: providers and client credentials (the configuration PostgreSQL may hold),
-- the config_version singleton every change bumps and announces on the llmproxy_config
-- channel, and the usage log workers append to.

CREATE TABLE config_version (
    id         boolean     PRIMARY KEY DEFAULT true CHECK (id),
    version    bigint      NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO config_version DEFAULT VALUES;

CREATE TABLE providers (
    id             serial      PRIMARY KEY,
    provider_key   text        NOT NULL UNIQUE
                               CHECK (provider_key ~ '^[A-Za-z0-9._-]{1,128}$'),
    provider_type  text        NOT NULL DEFAULT 'openai'
                               CHECK (provider_type IN ('openai', 'openai-compatible', 'azure', 'anthropic')),
    api_base       text        NOT NULL,
    api_key        text        NOT NULL DEFAULT '',
    api_version    text        NOT NULL DEFAULT '',
    model_mapping  jsonb       NOT NULL DEFAULT '{}'::jsonb
                               CHECK (jsonb_typeof(model_mapping) = 'object'),
    models         text[]      NOT NULL DEFAULT '{}',
    weight         integer     NOT NULL DEFAULT 1 CHECK (weight BETWEEN 0 AND 1000000),
    verify_ssl     boolean     NOT NULL DEFAULT true,
    max_concurrent integer     NOT NULL DEFAULT 0 CHECK (max_concurrent >= 0),
    is_enabled     boolean     NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE credentials (
    id                   serial           PRIMARY KEY,
    key_hash             text             NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    name                 text             NOT NULL,
    allowed_models       text[]           NOT NULL DEFAULT '{}',
    rate_limit_rps       double precision NOT NULL DEFAULT 0 CHECK (rate_limit_rps >= 0),
    rate_limit_burst     double precision NOT NULL DEFAULT 0 CHECK (rate_limit_burst >= 0),
    tokens_per_minute    bigint           NOT NULL DEFAULT 0 CHECK (tokens_per_minute >= 0),
    max_requests         bigint           NOT NULL DEFAULT 0 CHECK (max_requests >= 0),
    rate_limit_per_model jsonb            NOT NULL DEFAULT '{}'::jsonb
                                          CHECK (jsonb_typeof(rate_limit_per_model) = 'object'),
    cache                boolean          NOT NULL DEFAULT false,
    cache_namespace      text             NOT NULL DEFAULT '',
    expires_at           timestamptz,
    is_enabled           boolean          NOT NULL DEFAULT true,
    created_at           timestamptz      NOT NULL DEFAULT now(),
    updated_at           timestamptz      NOT NULL DEFAULT now()
);

-- One bump and one notification per statement that changes providers or credentials; the
-- payload is the new version. Listeners reload everything, so the payload is informative only.
CREATE FUNCTION llmproxy_bump_config_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
BEGIN
    UPDATE config_version SET version = version + 1, updated_at = now() RETURNING version INTO v;
    PERFORM pg_notify('llmproxy_config', v::text);
    RETURN NULL;
END;
$$;

CREATE FUNCTION llmproxy_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER providers_config_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON providers
    FOR EACH STATEMENT EXECUTE FUNCTION llmproxy_bump_config_version();
CREATE TRIGGER credentials_config_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON credentials
    FOR EACH STATEMENT EXECUTE FUNCTION llmproxy_bump_config_version();
CREATE TRIGGER providers_updated_at BEFORE UPDATE ON providers
    FOR EACH ROW EXECUTE FUNCTION llmproxy_touch_updated_at();
CREATE TRIGGER credentials_updated_at BEFORE UPDATE ON credentials
    FOR EACH ROW EXECUTE FUNCTION llmproxy_touch_updated_at();

-- One row per proxied request, written in batches by the workers. credential_id is not a
-- foreign key: rows outlive deleted credentials, and keys from the file have no id (NULL).
CREATE TABLE usage_log (
    id                bigserial   PRIMARY KEY,
    created_at        timestamptz NOT NULL DEFAULT now(),
    request_id        text        NOT NULL,
    credential_id     integer,
    credential_name   text        NOT NULL DEFAULT '',
    endpoint          text        NOT NULL DEFAULT '',
    model             text        NOT NULL DEFAULT '',
    provider          text        NOT NULL DEFAULT '',
    status            integer     NOT NULL,
    stream            boolean     NOT NULL DEFAULT false,
    prompt_tokens     bigint      NOT NULL DEFAULT 0,
    completion_tokens bigint      NOT NULL DEFAULT 0,
    latency_ms        double precision NOT NULL DEFAULT 0,
    ttft_ms           double precision
);
CREATE INDEX usage_log_created_at ON usage_log (created_at);
CREATE INDEX usage_log_credential_created_at ON usage_log (credential_id, created_at);
