// The configuration model: one immutable value built from llmproxy.conf (and later the
// database), validated once, published to workers through shared memory as a blob.
// Every field is resolved (env expanded, durations and sizes converted) at load time.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace llmproxy::common {

using Millis = std::chrono::milliseconds;

// A place the proxy listens on: "host:port", "[v6]:port", "*:port" or "unix:/path".
struct ListenAddress {
  enum class Kind : uint8_t { Tcp, Unix };
  Kind kind = Kind::Tcp;
  std::string host;   // numeric address, "" for any (Tcp only)
  uint16_t port = 0;  // Tcp only
  std::string path;   // Unix only
  std::string text;   // as written in the file, for logs and error messages
  bool operator==(const ListenAddress&) const = default;
};

struct ServerConfig {
  std::vector<ListenAddress> listen;      // API listeners
  std::vector<ListenAddress> admin_listen;  // empty = admin listener disabled
  uint32_t workers = 0;                   // 0 = "auto" (one per CPU), resolved by the master
  std::string admin_key;                  // empty = admin API answers 401 to everyone
  uint64_t max_body_size = 16u << 20;
  uint64_t max_header_size = 32u << 10;
  uint64_t responses_item_store = 16u << 20;  // bytes of streamed Responses items per node; 0 = off
  uint32_t max_connections = 16384;       // per worker
  uint32_t keepalive_requests = 10000;
  Millis header_timeout{10'000};          // client: whole request head must arrive in this
  Millis body_timeout{60'000};            // client: between two reads of the body
  Millis keepalive_timeout{75'000};       // client: idle keep-alive connection
  Millis send_timeout{60'000};            // client: between two successful writes
  Millis connect_timeout{10'000};         // upstream
  Millis request_timeout{300'000};        // upstream: whole exchange
  Millis ttft_timeout{60'000};            // upstream: until the first body byte
  Millis stream_idle_timeout{120'000};    // upstream: between two body chunks
  Millis shutdown_timeout{30'000};        // graceful stop: in-flight exchanges get this long
  std::string provider_prefix;            // "Proxy/" strips "Proxy/gpt-4" to "gpt-4"
  bool allow_unauthenticated = false;     // no [[key]] at all is an error unless this is set
  uint32_t max_attempts = 3;              // upstream attempts per request, failover included
  // Output tokens a budgeted request is assumed to use when it names no max_tokens (its
  // reservation against the key's budget until the real cost is known).
  uint32_t budget_estimate_tokens = 4096;
  std::string pid_file = "/run/llmproxy/llmproxy.pid";
  // The admin web UI's built files, served on the admin listener under /ui/; "" = no UI. A
  // relative path is taken from the config file's directory (resolved at load).
  std::string admin_ui_root = "/usr/share/llmproxy/ui";
  std::string user;                       // workers run as this user when the master is root
  std::string group;                      // "" = the user's primary group
  uint32_t unix_socket_mode = 0660;       // permission bits of unix-socket listeners
  bool operator==(const ServerConfig&) const = default;
};

struct LogConfig {
  std::string error_log = "stderr";   // path or "stderr"
  std::string access_log = "off";     // path, "stdout" or "off"
  std::string level = "info";         // trace debug info warn error critical off
  std::string access_format = "text"; // text | json
  bool operator==(const LogConfig&) const = default;
};

struct DatabaseConfig {
  std::string url;  // empty = no database
  Millis connect_timeout{5'000};       // one connection attempt (master and workers)
  Millis query_timeout{5'000};         // one statement; the connection is reset after it
  bool usage_log = true;               // workers append one usage_log row per request
  uint32_t usage_batch_size = 200;     // rows per INSERT
  Millis usage_flush_interval{1'000};  // a partial batch waits at most this long
  uint32_t usage_buffer = 10'000;      // rows kept per worker while PostgreSQL is away; more are dropped
  bool operator==(const DatabaseConfig&) const = default;
};

struct RedisConfig {
  std::string url;                 // empty = no Redis
  std::string on_failure = "local";  // local | deny
  Millis timeout{5};
  std::string key_prefix = "llmproxy:";  // every Redis key starts with this
  bool operator==(const RedisConfig&) const = default;
};

// The response cache (opt-in per key or per request). Stored in Redis when [redis] is set,
// otherwise in a per-worker LRU.
struct CacheConfig {
  Millis default_ttl{300'000};         // when a key has cache = true and the request names no max-age
  Millis max_ttl{86'400'000};          // a request's max-age is capped at this
  uint64_t max_entry_size = 1u << 20;  // larger answers are not cached
  uint32_t memory_entries = 1024;      // per-worker LRU capacity (no Redis); 0 = no memory cache
  uint64_t memory_size = 64u << 20;    // per-worker LRU bytes (keys + answers), no Redis
  bool operator==(const CacheConfig&) const = default;
};

// One HTTP header an exporter sends with every request (OTLP headers: often a secret).
struct HttpHeader {
  std::string name;
  std::string value;  // may be a secret: never logged, never exported
  bool operator==(const HttpHeader&) const = default;
};

// [tracing]: the W3C trace context (always), the export of spans over OTLP/HTTP (JSON) when
// otlp_endpoint is set, and the delivery settings both exporters (OTLP, Langfuse) share.
struct TracingConfig {
  std::string otlp_endpoint;               // base URL; spans go to <base>/v1/traces; "" = off
  std::vector<HttpHeader> otlp_headers;    // sent with every export (API keys: secrets)
  std::string service_name = "llmproxy";   // resource attribute service.name
  double sample_ratio = 1.0;               // share of new traces exported (parent-based)
  uint32_t batch_size = 256;               // requests per export call
  Millis flush_interval{5'000};            // a batch leaves at most this long after its first
  uint32_t queue_size = 2'048;             // requests waiting per worker and exporter; beyond: dropped
  Millis export_timeout{10'000};           // one export call (connect to answer)
  bool operator==(const TracingConfig&) const = default;
};

// [langfuse]: one trace and one generation per proxied request, through Langfuse's public
// ingestion API. On when both keys are set.
struct LangfuseConfig {
  std::string host = "https://cloud.langfuse.com";
  std::string public_key;
  std::string secret_key;                  // secret: never logged, never exported
  double sample_rate = 1.0;                // share of requests sent
  bool capture_content = false;            // send the prompt and the completion
  uint64_t max_content_size = 4'096;       // bytes of each, when captured
  std::vector<std::string> redact;         // RE2 patterns replaced by [REDACTED] in captures
  bool operator==(const LangfuseConfig&) const = default;
};

// An upstream base URL split at load time.
struct UpstreamUrl {
  bool tls = true;
  std::string host;
  uint16_t port = 443;
  std::string base_path;  // without a trailing slash, e.g. "/v1"
  bool operator==(const UpstreamUrl&) const = default;
};

enum class ProviderType : uint8_t { OpenAI, OpenAICompatible, Azure, Anthropic };

struct ModelMapping {
  std::string pattern;  // exact name, glob with '*', or anchored regex (see docs/configuration)
  std::string target;   // the provider's model name
  bool operator==(const ModelMapping&) const = default;
};

struct ProviderConfig {
  std::string id;
  ProviderType type = ProviderType::OpenAI;
  std::string api_base;      // as written
  UpstreamUrl url;           // parsed api_base
  std::string api_key;       // secret: never logged, never returned by the admin API
  std::string api_version;   // azure only
  uint32_t weight = 1;
  bool enabled = true;
  bool verify_ssl = true;
  bool forward_organization_headers = false;  // client's OpenAI-Organization/-Project go upstream
  // Takes OpenAI Responses requests as they are: 1 yes, 0 no, -1 by type (only "openai").
  int8_t responses = -1;
  std::string ca_file;       // empty = system CA bundle
  std::vector<std::string> models;       // served as-is
  std::vector<ModelMapping> model_mapping;  // sorted by the documented priority at load
  uint32_t max_concurrent = 0;  // requests in flight to this provider per node, 0 = unlimited
  Millis queue_timeout{1'000};  // how long a request waits for a free slot before 429
  // Health (nginx's names): max_fails failures within fail_timeout take the provider out for
  // fail_timeout (0 = failures never do); then one request, or one active check when
  // health_check_interval > 0, probes it.
  uint32_t max_fails = 3;
  Millis fail_timeout{10'000};
  Millis health_check_interval{0};  // 0 = no active checks
  int64_t db_id = 0;            // providers.id when the row came from PostgreSQL, 0 = file
  bool operator==(const ProviderConfig&) const = default;
};

struct RateLimit {
  double requests_per_second = 0;  // 0 = unlimited
  double burst = 0;
  bool operator==(const RateLimit&) const = default;
};

// rate_limit_per_model: overrides a key's limits for the models a pattern matches.
struct ModelLimit {
  std::string model;        // exact name or glob with '*'
  RateLimit rate_limit;
  uint64_t tokens_per_minute = 0;
  bool operator==(const ModelLimit&) const = default;
};

using Sha256 = std::array<uint8_t, 32>;

struct KeyConfig {
  std::string name;
  Sha256 key_sha256{};                // the client key is never kept in plain text
  std::vector<std::string> allowed_models;  // empty = all; entries may use '*'
  bool enabled = true;
  int64_t expires_at = 0;             // unix seconds, 0 = never
  RateLimit rate_limit;
  uint64_t tokens_per_minute = 0;     // 0 = unlimited
  uint64_t max_requests = 0;          // 0 = unlimited
  std::vector<ModelLimit> model_limits;  // rate_limit_per_model, first match wins
  int64_t max_budget = 0;             // micro-dollars per budget period; 0 = no budget
  int64_t soft_budget = 0;            // micro-dollars; past it answers carry a warning; 0 = none
  int64_t budget_duration = 0;        // budget_period.h: 0 never resets, > 0 s, < 0 months
  bool cache = false;                 // answers may be served from the response cache
  std::string cache_namespace;        // keys sharing a namespace share cached answers; "" = own
  int64_t db_id = 0;                  // credentials.id when the row came from PostgreSQL, 0 = file
  bool operator==(const KeyConfig&) const = default;
};

// [fallbacks]: when every provider of `model` failed before the first byte, these models are
// tried in order (each through its own providers, across protocols).
struct ModelFallback {
  std::string model;
  std::vector<std::string> fallbacks;
  bool operator==(const ModelFallback&) const = default;
};

// A price per million tokens for the models `model` matches (the name the provider is asked
// for), in micro-dollars: USD 2.50 is 2'500'000. Integers, so costs add up exactly.
struct PriceConfig {
  std::string model;         // exact name, glob or regex (model_pattern.h), as model_mapping
  std::string provider;      // provider id; "" = any provider
  int64_t input = 0;         // per million uncached input tokens
  int64_t output = 0;        // per million output tokens (reasoning included)
  int64_t cached_input = -1; // per million input tokens read from the provider's cache; -1 = input
  int64_t cache_write = -1;  // per million input tokens written to the cache; -1 = input
  int64_t db_id = 0;         // prices.id when the row came from PostgreSQL, 0 = file
  bool operator==(const PriceConfig&) const = default;
};

struct Config {
  std::string source;  // "file /etc/llmproxy/llmproxy.conf", later "+ database"
  ServerConfig server;
  LogConfig log;
  DatabaseConfig database;
  RedisConfig redis;
  CacheConfig cache;
  TracingConfig tracing;
  LangfuseConfig langfuse;
  std::vector<ProviderConfig> providers;
  std::vector<KeyConfig> keys;
  std::vector<ModelFallback> fallbacks;  // in file order; one entry per model
  std::vector<PriceConfig> prices;  // in file order; the lookup order is price_table.h's
  bool operator==(const Config&) const = default;
};

}  // namespace llmproxy::common
