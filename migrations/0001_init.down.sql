DROP TABLE IF EXISTS usage_log;
DROP TABLE IF EXISTS credentials;
DROP TABLE IF EXISTS providers;
DROP FUNCTION IF EXISTS llmproxy_touch_updated_at();
DROP FUNCTION IF EXISTS llmproxy_bump_config_version();
DROP TABLE IF EXISTS config_version;
