// parseSeedConfig: yaml-cpp tree -> SeedConfig, with aliases, env expansion and positions.
#include "master/import/seed_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <map>
#include <set>
#include <string_view>

#include "common/config/expand_env.h"
#include "common/config/scalars.h"
#include "common/config/schema.h"
#include "common/config/upstream_url.h"
#include "common/crypto/sha256.h"

namespace llmproxy::master::import {

namespace {

bool isOneOf(std::string_view key, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), key) != names.end();
}

class SeedReader {
 public:
  SeedReader(const std::string& file, const common::EnvLookup& env) : file_(file), env_(env) {}

  void readRoot(const YAML::Node& root, SeedConfig& out);
  std::vector<std::string>& errors() { return errors_; }
  std::vector<std::string>& warnings() { return warnings_; }

 private:
  std::string at(const YAML::Mark& mark) const {
    return file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }
  std::string at(const YAML::Node& node) const { return at(node.Mark()); }
  void error(const YAML::Mark& mark, const std::string& message) {
    errors_.push_back(at(mark) + ": " + message);
  }
  void error(const YAML::Node& node, const std::string& message) { error(node.Mark(), message); }
  void ignored(const YAML::Node& key, const std::string& where) {
    warnings_.push_back(at(key) + ": ignored unknown key \"" + key.Scalar() + "\" in " + where);
  }
  // A field the seeds document that has no place in the database: the operator learns where
  // it went (llmproxy.conf, or nowhere) instead of reading "unknown".
  void notStored(const YAML::Node& key) {
    const std::string name = key.Scalar();
    std::string where = "llmproxy has no such setting";
    if (name == "server") where = "set listen in llmproxy.conf";
    if (name == "request_timeout_secs") where = "set request_timeout in llmproxy.conf";
    if (name == "ttft_timeout_secs") where = "set ttft_timeout in llmproxy.conf";
    if (name == "provider_suffix") where = "set provider_prefix in llmproxy.conf";
    if (name == "description") where = "credentials have no description column";
    warnings_.push_back(at(key) + ": \"" + name + "\" is not imported: " + where);
  }

  // Stores a read value, or marks the entry bad when the reader failed (it said why).
  template <typename T>
  static void take(std::optional<T> value, T& out, bool& ok) {
    if (value) {
      out = std::move(*value);
    } else {
      ok = false;
    }
  }
  bool isMap(const YAML::Node& node, const std::string& message, bool& ok) {
    if (node.IsMap()) return true;
    error(node, message);
    ok = false;
    return false;
  }

  // Value readers: report a wrong type or value at the node and return nullopt. Bounds and
  // messages are the config schema's.
  std::optional<std::string> string(const YAML::Node& node, const std::string& name);
  std::optional<std::string> text(const YAML::Node& node, const std::string& name,
                                  const common::schema::Field& field);
  std::optional<int64_t> integer(const YAML::Node& node, const std::string& name,
                                 const common::schema::Field& field);
  std::optional<double> number(const YAML::Node& node, const std::string& name,
                               const common::schema::Field& field);
  template <typename T>
  std::optional<T> checked(const YAML::Node& node, const std::string& name,
                           common::schema::Checked<T> value) {
    if (value) return std::move(*value);
    error(node, name + ": " + value.error());
    return std::nullopt;
  }
  std::optional<bool> boolean(const YAML::Node& node, const std::string& name);
  std::optional<std::vector<std::string>> stringList(const YAML::Node& node,
                                                     const std::string& name);

  void readProvider(const YAML::Node& node, const std::optional<std::string>& map_key,
                    SeedProvider& p, bool& own_verify_ssl, bool& ok);
  void readModelMapping(const YAML::Node& node, SeedProvider& p, bool& ok);
  std::optional<std::string> mappingTarget(const YAML::Node& node);
  void readKey(const YAML::Node& node, SeedKey& k, bool& ok);
  void readRateLimit(const YAML::Node& node, SeedKey& k, bool& ok);

  // Visits a list, or a map whose keys name the entries.
  void eachEntry(const YAML::Node& node, const std::string& name,
                 const std::function<void(const YAML::Node&, const std::optional<std::string>&)>&
                     visit);

  const std::string& file_;
  const common::EnvLookup& env_;
  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
};

std::optional<std::string> SeedReader::string(const YAML::Node& node, const std::string& name) {
  if (!node.IsScalar()) {
    error(node, name + ": expected a string");
    return std::nullopt;
  }
  auto expanded = common::expandEnv(node.Scalar(), env_);
  if (!expanded) {
    error(node, name + ": " + expanded.error());
    return std::nullopt;
  }
  return std::move(*expanded);
}

std::optional<std::string> SeedReader::text(const YAML::Node& node, const std::string& name,
                                            const common::schema::Field& field) {
  auto value = string(node, name);
  if (!value) return std::nullopt;
  return checked(node, name, common::schema::text(field, *value));
}

std::optional<int64_t> SeedReader::integer(const YAML::Node& node, const std::string& name,
                                           const common::schema::Field& field) {
  if (!node.IsScalar()) {
    error(node, name + ": " + common::schema::expected(common::schema::Kind::Integer));
    return std::nullopt;
  }
  auto value = string(node, name);
  if (!value) return std::nullopt;
  return checked(node, name, common::schema::integerText(field, *value));
}

std::optional<double> SeedReader::number(const YAML::Node& node, const std::string& name,
                                         const common::schema::Field& field) {
  if (!node.IsScalar()) {
    error(node, name + ": " + common::schema::expected(common::schema::Kind::Number));
    return std::nullopt;
  }
  auto value = string(node, name);
  if (!value) return std::nullopt;
  return checked(node, name, common::schema::numberText(field, *value));
}

std::optional<bool> SeedReader::boolean(const YAML::Node& node, const std::string& name) {
  std::optional<std::string> text;
  if (node.IsScalar()) text = string(node, name);
  if (node.IsScalar() && !text) return std::nullopt;
  if (text) {
    std::string lower = *text;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (isOneOf(lower, {"true", "yes", "on"})) return true;
    if (isOneOf(lower, {"false", "no", "off"})) return false;
  }
  error(node, name + ": " + common::schema::expected(common::schema::Kind::Bool));
  return std::nullopt;
}

std::optional<std::vector<std::string>> SeedReader::stringList(const YAML::Node& node,
                                                               const std::string& name) {
  if (node.IsNull()) return std::vector<std::string>{};
  if (!node.IsSequence()) {
    error(node, name + ": " + common::schema::expected(common::schema::Kind::StringList));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool good = true;
  for (const YAML::Node& item : node) {
    auto text = string(item, name);
    if (!text) {
      good = false;
    } else if (text->empty()) {
      error(item, name + ": entries must not be empty");
      good = false;
    } else {
      out.push_back(std::move(*text));
    }
  }
  if (!good) return std::nullopt;
  return out;
}

void SeedReader::eachEntry(
    const YAML::Node& node, const std::string& name,
    const std::function<void(const YAML::Node&, const std::optional<std::string>&)>& visit) {
  if (node.IsNull()) return;
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) visit(item, std::nullopt);
  } else if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (auto key = string(it->first, name)) visit(it->second, *key);
    }
  } else {
    error(node, name + ": expected a list (or a map by name)");
  }
}

void SeedReader::readRoot(const YAML::Node& root, SeedConfig& out) {
  if (root.IsNull()) {
    errors_.push_back(file_ + ": empty file: expected providers and/or master_keys");
    return;
  }
  if (!root.IsMap()) {
    error(root, "expected a map with providers and/or master_keys at the top level");
    return;
  }
  // The top-level verify_ssl is the default of every provider that does not set its own; it
  // may come before or after the providers.
  std::optional<bool> default_verify_ssl;
  std::vector<bool> own_verify_ssl;
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string key = it->first.Scalar();
    const YAML::Node value = it->second;
    if (key == "providers") {
      eachEntry(value, "providers", [&](const YAML::Node& n, const std::optional<std::string>& k) {
        bool ok = true;
        bool own = false;
        SeedProvider p;
        readProvider(n, k, p, own, ok);
        if (ok) {
          out.providers.push_back(std::move(p));
          own_verify_ssl.push_back(own);
        }
      });
    } else if (key == "verify_ssl") {
      default_verify_ssl = boolean(value, "verify_ssl");
    } else if (isOneOf(key, {"server", "request_timeout_secs", "ttft_timeout_secs",
                             "provider_suffix", "min_tokens_limit", "max_tokens_limit"})) {
      notStored(it->first);
    } else if (isOneOf(key, {"master_keys", "keys", "credentials"})) {
      eachEntry(value, key, [&](const YAML::Node& n, const std::optional<std::string>& k) {
        bool ok = true;
        SeedKey seed;
        if (k) seed.name = *k;
        readKey(n, seed, ok);
        if (ok) out.keys.push_back(std::move(seed));
      });
    } else {
      ignored(it->first, "the top level");
    }
  }
  if (default_verify_ssl) {
    for (size_t i = 0; i < out.providers.size(); ++i) {
      if (!own_verify_ssl[i]) out.providers[i].verify_ssl = *default_verify_ssl;
    }
  }
}

void SeedReader::readProvider(const YAML::Node& node, const std::optional<std::string>& map_key,
                              SeedProvider& p, bool& own_verify_ssl, bool& ok) {
  if (!isMap(node, "providers: each provider must be a map", ok)) return;
  auto set = [&ok](auto value, auto& out) { take(std::move(value), out, ok); };
  bool has_key = false;
  bool has_base = false;
  YAML::Mark key_mark = node.Mark();
  std::string key_name = "provider.name";  // as written (name, provider_key or id), for messages
  YAML::Mark base_mark = node.Mark();
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.Scalar();
    const YAML::Node v = it->second;
    const std::string name = "provider." + key;
    if (isOneOf(key, {"name", "provider_key", "id"})) {
      if (has_key) {
        error(it->first, "provider: give one of name, provider_key and id");
        ok = false;
      }
      has_key = true;
      key_mark = v.Mark();
      key_name = name;
      set(string(v, name), p.key);
    } else if (isOneOf(key, {"type", "provider_type"})) {
      auto written = string(v, name);
      auto type = written ? checked(v, name, common::schema::providerType(*written)) : std::nullopt;
      set(type ? std::optional<std::string>(common::schema::providerTypeName(*type)) : std::nullopt,
          p.type);
    } else if (isOneOf(key, {"api_base", "base_url"})) {
      has_base = true;
      base_mark = v.Mark();
      set(string(v, name), p.api_base);
    } else if (key == "api_key") {
      set(text(v, name, common::schema::provider::kApiKey), p.api_key);
    } else if (key == "api_version") {
      set(text(v, name, common::schema::provider::kApiVersion), p.api_version);
    } else if (key == "weight") {
      set(integer(v, name, common::schema::provider::kWeight), p.weight);
    } else if (key == "models") {
      set(stringList(v, name), p.models);
    } else if (key == "model_mapping") {
      readModelMapping(v, p, ok);
    } else if (isOneOf(key, {"enabled", "is_enabled"})) {
      set(boolean(v, name), p.enabled);
    } else if (key == "verify_ssl") {
      own_verify_ssl = true;
      set(boolean(v, name), p.verify_ssl);
    } else if (key == "provider_params") {
      notStored(it->first);
    } else {
      ignored(it->first, "a provider");
    }
  }
  if (!has_key && map_key) {
    p.key = *map_key;
    has_key = true;
  }
  if (!has_key) {
    error(node, "provider: name (or provider_key, id) is required");
    ok = false;
  } else if (auto id = common::schema::providerId(p.key); !id && ok) {
    error(key_mark, key_name + ": " + id.error());
    ok = false;
  }
  if (!has_base) {
    error(node, "provider: api_base (or base_url) is required");
    ok = false;
  } else if (ok) {
    if (auto url = common::parseUpstreamUrl(p.api_base); !url) {
      error(base_mark, "provider.api_base: " + url.error());
      ok = false;
    }
  }
}

void SeedReader::readModelMapping(const YAML::Node& node, SeedProvider& p, bool& ok) {
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    error(node, "provider.model_mapping: expected a map of model name (or pattern) to model");
    ok = false;
    return;
  }
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    auto pattern = string(it->first, "provider.model_mapping");
    auto target = mappingTarget(it->second);
    if (!pattern || !target) {
      ok = false;
      continue;
    }
    if (const std::string why = common::schema::modelMappingProblem(*pattern, *target);
        !why.empty()) {
      error(it->first, "provider.model_mapping: " + why);
      ok = false;
      continue;
    }
    if (!seen.insert(*pattern).second) {
      error(it->first, "provider.model_mapping: \"" + *pattern + "\" is mapped twice");
      ok = false;
      continue;
    }
    p.model_mapping.emplace_back(std::move(*pattern), std::move(*target));
  }
}

std::optional<std::string> SeedReader::mappingTarget(const YAML::Node& node) {
  if (!node.IsMap()) return string(node, "provider.model_mapping");
  // The later seeds' extended entry: { mapped_model: ..., max_tokens: ..., costs ... }. Only
  // the target is routing; the metadata has no column.
  std::optional<std::string> target;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it->first.Scalar() == "mapped_model") {
      target = string(it->second, "provider.model_mapping.mapped_model");
      if (!target) return std::nullopt;
    } else {
      notStored(it->first);
    }
  }
  if (!target) error(node, "provider.model_mapping: an entry given as a map needs mapped_model");
  return target;
}

void SeedReader::readRateLimit(const YAML::Node& node, SeedKey& k, bool& ok) {
  if (node.IsNull()) return;
  std::optional<double> burst;
  namespace field = common::schema::key;
  if (node.IsScalar()) {
    auto rps = number(node, "key.rate_limit", field::kRequestsPerSecond);
    if (!rps) {
      ok = false;
      return;
    }
    k.rps = *rps;
  } else if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (isOneOf(key, {"requests_per_second", "rps"})) {
        auto rps = number(it->second, "key.rate_limit." + key, field::kRequestsPerSecond);
        if (!rps) ok = false;
        if (rps) k.rps = *rps;
      } else if (isOneOf(key, {"burst", "burst_size"})) {
        burst = number(it->second, "key.rate_limit." + key, field::kBurst);
        if (!burst) ok = false;
      } else {
        ignored(it->first, "a rate_limit");
      }
    }
  } else {
    error(node, "key.rate_limit: expected a number (requests per second) or "
                "{ requests_per_second: N, burst: N }");
    ok = false;
    return;
  }
  k.burst = common::schema::defaultBurst(k.rps, burst.value_or(0));
}

void SeedReader::readKey(const YAML::Node& node, SeedKey& k, bool& ok) {
  if (!isMap(node, "master_keys: each key must be a map", ok)) return;
  auto set = [&ok](auto value, auto& out) { take(std::move(value), out, ok); };
  namespace field = common::schema::key;
  bool has_key = false;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.Scalar();
    const YAML::Node v = it->second;
    const std::string name = "key." + key;
    if (isOneOf(key, {"key", "api_key", "credential_key", "key_hash", "key_sha256"})) {
      if (has_key) {
        error(it->first, "key: give one of key and key_hash");
        ok = false;
        continue;
      }
      has_key = true;
      auto text = string(v, name);
      if (!text) {
        ok = false;
      } else if (key == "key_hash" || key == "key_sha256") {
        auto digest = common::sha256FromHex(*text);
        if (!digest) {
          error(v, name + ": " + common::schema::expected(common::schema::Kind::Sha256));
          ok = false;
        } else {
          k.key_hash = common::toHex(*digest);
        }
      } else if (text->empty()) {
        error(v, name + ": must not be empty");
        ok = false;
      } else {
        k.key_hash = common::toHex(common::sha256(*text));
      }
    } else if (key == "name") {
      auto text_value = string(v, name);  // "" keeps the default name
      if (text_value && !text_value->empty())
        text_value = checked(v, name, common::schema::text(field::kName, *text_value));
      set(std::move(text_value), k.name);
    } else if (isOneOf(key, {"allowed_models", "models"})) {
      set(stringList(v, name), k.allowed_models);
    } else if (key == "rate_limit") {
      readRateLimit(v, k, ok);
    } else if (key == "tokens_per_minute") {
      set(integer(v, name, field::kTokensPerMinute), k.tokens_per_minute);
    } else if (key == "max_requests") {
      set(integer(v, name, field::kMaxRequests), k.max_requests);
    } else if (key == "expires_at") {
      if (v.IsNull()) continue;
      auto written = string(v, name);
      auto at = written ? checked(v, name, common::schema::expiresAt(*written)) : std::nullopt;
      // The canonical UTC text: PostgreSQL never guesses a zone for what it stores.
      if (!at) ok = false;
      if (at) k.expires_at = common::formatRfc3339(*at);
    } else if (isOneOf(key, {"enabled", "is_enabled"})) {
      set(boolean(v, name), k.enabled);
    } else if (key == "description") {
      notStored(it->first);
    } else {
      ignored(it->first, "a key");
    }
  }
  if (!has_key) {
    error(node, "key: key (the plain client key) or key_hash is required");
    ok = false;
  }
  if (ok && k.name.empty()) k.name = "imported-" + k.key_hash.substr(0, 8);
}

}  // namespace

std::expected<SeedConfig, std::vector<std::string>> parseSeedConfig(const std::string& text,
                                                                    const std::string& file,
                                                                    const common::EnvLookup& env) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return std::unexpected(std::vector<std::string>{
        file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
        ": " + e.msg});
  }
  SeedConfig out;
  SeedReader reader(file, env);
  try {
    reader.readRoot(root, out);
  } catch (const YAML::Exception& e) {
    reader.errors().push_back(file + ": " + e.what());
  }
  // Duplicates would make one upsert statement touch a row twice.
  std::map<std::string, int> provider_count;
  for (const auto& p : out.providers) {
    if (++provider_count[p.key] == 2) {
      reader.errors().push_back(file + ": provider \"" + p.key + "\" is defined twice");
    }
  }
  std::map<std::string, int> key_count;
  for (const auto& k : out.keys) {
    if (++key_count[k.key_hash] == 2) {
      reader.errors().push_back(file + ": key \"" + k.name +
                                "\": the same client key is defined twice");
    }
  }
  if (!reader.errors().empty()) return std::unexpected(std::move(reader.errors()));
  out.warnings = std::move(reader.warnings());
  return out;
}

}  // namespace llmproxy::master::import
