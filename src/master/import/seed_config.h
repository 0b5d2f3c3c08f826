// The seed-style YAML configuration of the older Go/Rust llm-proxy projects, read into plain
// rows ready for PostgreSQL. Tolerant of the aliases those projects used, strict about types:
// every problem is reported as "file:line:col: message" (yaml-cpp's marks), all in one pass.
// ${VAR} / ${VAR:-default} are expanded in every scalar as in llmproxy.conf. Plain client keys
// are reduced to their SHA-256 here; no message ever repeats a key or a value from the
// environment.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/config/load.h"

namespace llmproxy::master::import {

struct SeedProvider {
  std::string key;            // provider_key (name | provider_key | id)
  std::string type = "openai";  // provider_type | type: openai, openai-compatible, azure, anthropic
  std::string api_base;       // api_base | base_url
  std::string api_key;
  std::string api_version;    // azure
  int64_t weight = 1;
  std::vector<std::string> models;
  std::vector<std::pair<std::string, std::string>> model_mapping;  // pattern -> target, in order
  bool enabled = true;        // enabled | is_enabled
  bool verify_ssl = true;     // its own verify_ssl, else the top-level one, else true
};

struct SeedKey {
  std::string key_hash;       // lower-case hex SHA-256 (of key | credential_key, or key_hash)
  std::string name;           // defaults to "imported-" + the first 8 hex digits of the hash
  std::vector<std::string> allowed_models;  // allowed_models | models
  double rps = 0;             // rate_limit: N | {requests_per_second | rps, burst | burst_size}
  double burst = 0;
  int64_t tokens_per_minute = 0;
  int64_t max_requests = 0;
  std::optional<std::string> expires_at;  // RFC 3339 / ISO 8601 text, checked, for timestamptz
  bool enabled = true;
};

struct SeedConfig {
  std::vector<SeedProvider> providers;
  std::vector<SeedKey> keys;
  std::vector<std::string> warnings;  // ignored unknown keys, "file:line:col: ..."
};

// Parses `text` (named `file` in messages). Errors: every problem found, in file order.
std::expected<SeedConfig, std::vector<std::string>> parseSeedConfig(const std::string& text,
                                                                    const std::string& file,
                                                                    const common::EnvLookup& env);

}  // namespace llmproxy::master::import
