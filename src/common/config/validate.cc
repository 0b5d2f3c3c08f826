// Whole-config validation.
#include "common/config/validate.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>

#include "common/config/model_pattern.h"
#include "common/config/schema.h"
#include "common/config/upstream_url.h"

#include <re2/re2.h>

namespace llmproxy::common {

namespace {

// Reports errors at the positions recorded for dotted paths.
class Reporter {
 public:
  Reporter(const std::string& file, const ConfigPositions* positions, ConfigErrors& errors)
      : file_(file), positions_(positions), errors_(errors) {}

  void error(std::string_view path, std::string message) {
    if (positions_ && positions_->isBad(path)) return;
    SourcePos pos = at(path);
    errors_.push_back(ConfigError{file_, pos.line, pos.column, std::move(message)});
  }

  void errorAt(SourcePos pos, std::string message) {
    errors_.push_back(ConfigError{file_, pos.line, pos.column, std::move(message)});
  }

  bool isBad(std::string_view path) const { return positions_ && positions_->isBad(path); }

  // The position of `path`, else the top of the file (when loading from a file at all).
  SourcePos atOrTop(std::string_view path) const {
    SourcePos pos = at(path);
    return pos.line == 0 && positions_ ? SourcePos{1, 1} : pos;
  }

  SourcePos at(std::string_view path) const {
    return positions_ ? positions_->find(path) : SourcePos{};
  }

  // "line 12" or "" when unknown: to point at the first of two duplicates.
  std::string lineNote(std::string_view path) const {
    SourcePos pos = at(path);
    return pos.line ? " (first at line " + std::to_string(pos.line) + ")" : "";
  }

 private:
  const std::string& file_;
  const ConfigPositions* positions_;
  ConfigErrors& errors_;
};

std::string indexed(std::string_view base, size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

void validateServer(const Config& config, Reporter& report) {
  const ServerConfig& server = config.server;
  if (server.listen.empty() && !report.isBad("server.listen")) {
    report.errorAt(report.atOrTop("server"),
                   "server.listen: at least one listen address is required");
  }
  // Every address, API and admin, must be distinct: the master binds each once per worker.
  std::vector<std::pair<const ListenAddress*, std::string>> seen;
  auto check = [&](const std::vector<ListenAddress>& list, std::string_view base) {
    for (size_t i = 0; i < list.size(); ++i) {
      std::string path = indexed(base, i);
      for (const auto& [other, other_path] : seen) {
        bool same = other->kind == list[i].kind &&
                    (list[i].kind == ListenAddress::Kind::Unix
                         ? other->path == list[i].path
                         : other->host == list[i].host && other->port == list[i].port);
        if (same) {
          report.error(path, std::string(base) + ": duplicate listen address \"" + list[i].text +
                                 "\"" + report.lineNote(other_path));
          break;
        }
      }
      seen.emplace_back(&list[i], path);
    }
  };
  check(server.listen, "server.listen");
  check(server.admin_listen, "server.admin_listen");

  // Durations come out of the loader > 0; a Config built another way is held to the same rule.
  const std::pair<Millis, std::string_view> durations[] = {
      {server.header_timeout, "header_timeout"},
      {server.body_timeout, "body_timeout"},
      {server.keepalive_timeout, "keepalive_timeout"},
      {server.send_timeout, "send_timeout"},
      {server.connect_timeout, "connect_timeout"},
      {server.request_timeout, "request_timeout"},
      {server.ttft_timeout, "ttft_timeout"},
      {server.stream_idle_timeout, "stream_idle_timeout"},
      {server.shutdown_timeout, "shutdown_timeout"}};
  for (const auto& [value, name] : durations) {
    if (value.count() <= 0) {
      report.error("server." + std::string(name),
                   "server." + std::string(name) + ": must be greater than 0");
    }
  }
  if (config.redis.timeout.count() <= 0) {
    report.error("redis.timeout", "redis.timeout: must be greater than 0");
  }
}

// An Azure api_base is the resource endpoint: the proxy appends /openai/deployments/<model>/...
// itself. One that already holds that path (an old example showed it) would send every request
// to .../openai/deployments/X/openai/deployments/X/... and get 404s: say what to write instead.
// "" when the api_base is fine.
std::string azureApiBaseProblem(const UpstreamUrl& url) {
  std::string path = url.base_path;
  for (char& c : path) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t cut = path.find("/openai/deployments");
  if (cut == std::string::npos && path.ends_with("/openai")) cut = path.size() - 7;
  if (cut == std::string::npos) return "";
  std::string deployment;
  if (const size_t at = path.find("/openai/deployments/"); at != std::string::npos) {
    const std::string_view rest = std::string_view(url.base_path).substr(at + 20);
    deployment = rest.substr(0, rest.find('/'));
  }
  std::string message = "provider.api_base: for type \"azure\", api_base is the resource endpoint "
                        "without any /openai path: write api_base = \"";
  message += url.tls ? "https://" : "http://";
  message += hostHeader(url) + url.base_path.substr(0, cut) + "\"";
  message += deployment.empty()
                 ? " and name the deployment as the model (in models, or as a model_mapping "
                   "target)"
                 : " and name the deployment as the model (models = [\"" + deployment +
                       "\"], or \"" + deployment + "\" as a model_mapping target)";
  message += "; llmproxy adds /openai/deployments/<deployment>/... itself";
  return message;
}

void validateProviders(const Config& config, Reporter& report) {
  std::map<std::string, std::string, std::less<>> ids;  // id -> path of its first use
  for (size_t i = 0; i < config.providers.size(); ++i) {
    const ProviderConfig& provider = config.providers[i];
    std::string path = indexed("provider", i);
    if (provider.id.empty()) {
      report.error(path + ".id", "provider: missing required key \"id\"");
    } else if (auto id = schema::providerId(provider.id); !id) {
      report.error(path + ".id", "provider.id: " + id.error());
    } else if (auto [it, inserted] = ids.emplace(provider.id, path + ".id"); !inserted) {
      report.error(path + ".id",
                   "duplicate provider id \"" + provider.id + "\"" + report.lineNote(it->second));
    }
    if (provider.type == ProviderType::Azure && provider.api_version.empty()) {
      report.error(path + ".api_version", "provider.api_version: required for type \"azure\"");
    }
    if (provider.type == ProviderType::Azure) {
      if (std::string problem = azureApiBaseProblem(provider.url); !problem.empty())
        report.error(path + ".api_base", std::move(problem));
    }
    if (auto weight = schema::integer(schema::provider::kWeight, int64_t{provider.weight}); !weight)
      report.error(path + ".weight", "provider.weight: " + weight.error());
    if (provider.url.host.empty()) {
      report.error(path + ".api_base", "provider: missing required key \"api_base\"");
    }
    if (!provider.ca_file.empty() && access(provider.ca_file.c_str(), R_OK) != 0) {
      report.error(path + ".ca_file", "provider.ca_file \"" + provider.ca_file +
                                          "\": cannot read: " + std::strerror(errno));
    }
    for (const ModelMapping& entry : provider.model_mapping) {
      const std::string why = schema::modelMappingProblem(entry.pattern, entry.target);
      if (!why.empty())
        report.error(path + ".model_mapping." + entry.pattern, "provider.model_mapping: " + why);
    }
  }
}

void validateCache(const Config& config, Reporter& report) {
  const CacheConfig& cache = config.cache;
  // Point at the first of the two fields the file actually sets (else at [cache]).
  auto written = [&](std::string_view path) {
    const SourcePos a = report.at(path), b = report.at("cache");
    return a.line != b.line || a.column != b.column;
  };
  if (cache.default_ttl > cache.max_ttl && !report.isBad("cache.default_ttl")) {
    report.error(written("cache.default_ttl") ? "cache.default_ttl" : "cache.max_ttl",
                 "cache.default_ttl: must not be longer than cache.max_ttl (" +
                     std::to_string(cache.max_ttl.count()) + "ms)");
  }
  if (cache.max_entry_size > cache.memory_size && cache.memory_entries > 0 &&
      config.redis.url.empty() && !report.isBad("cache.max_entry_size")) {
    report.error(written("cache.max_entry_size") ? "cache.max_entry_size" : "cache.memory_size",
                 "cache.max_entry_size: must not be larger than cache.memory_size");
  }
}

void validateKeys(const Config& config, const ConfigPositions* positions, Reporter& report) {
  if (config.keys.empty() && !config.server.allow_unauthenticated && config.database.url.empty()) {
    report.errorAt(report.atOrTop("server"),
                   "no [[key]] configured: add one or set server.allow_unauthenticated = true");
  }
  std::map<Sha256, size_t> hashes;  // digest -> index of its first key
  // Names are what operators, logs and usage records know a key by: two keys with one name
  // could not be told apart there.
  std::map<std::string, size_t, std::less<>> names;  // name -> index of its first key
  for (size_t i = 0; i < config.keys.size(); ++i) {
    const KeyConfig& key = config.keys[i];
    std::string path = indexed("key", i);
    if (key.name.empty()) {
      report.error(path + ".name", "key: missing required key \"name\"");
    } else if (auto [it, inserted] = names.emplace(key.name, i); !inserted) {
      report.error(path + ".name", "duplicate key name \"" + key.name + "\"" +
                                       report.lineNote(indexed("key", it->second)));
    }
    if (positions && positions->isBad(path + ".key")) continue;
    if (auto [it, inserted] = hashes.emplace(key.key_sha256, i); !inserted) {
      report.error(path + ".key", "duplicate key: [[key]] \"" + key.name +
                                      "\" has the same key as \"" + config.keys[it->second].name +
                                      "\"" + report.lineNote(indexed("key", it->second)));
    }
    if (auto rps = schema::number(schema::key::kRequestsPerSecond,
                                  key.rate_limit.requests_per_second);
        !rps) {
      report.error(path + ".rate_limit", "key.rate_limit.requests_per_second: " + rps.error());
    } else if (auto burst = schema::number(schema::key::kBurst, key.rate_limit.burst); !burst) {
      report.error(path + ".rate_limit", "key.rate_limit.burst: " + burst.error());
    }
  }
}

// A header name is an HTTP token; a value has no line break (it would split the request).
bool validHeader(const HttpHeader& h) {
  if (h.name.empty()) return false;
  for (char c : h.name)
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos)
      return false;
  return h.value.find_first_of("\r\n") == std::string::npos;
}

void validateTracing(const Config& config, Reporter& report) {
  const TracingConfig& t = config.tracing;
  if (!t.otlp_endpoint.empty() && !report.isBad("tracing.otlp_endpoint")) {
    if (auto url = parseUpstreamUrl(t.otlp_endpoint); !url)
      report.error("tracing.otlp_endpoint", "tracing.otlp_endpoint: " + url.error());
  }
  for (const HttpHeader& h : t.otlp_headers) {
    if (!validHeader(h)) {
      report.error("tracing.otlp_headers",
                   "tracing.otlp_headers: \"" + h.name +
                       "\" is not a valid header (a token name, a value without line breaks)");
      break;
    }
  }
  const LangfuseConfig& l = config.langfuse;
  if (l.public_key.empty() != l.secret_key.empty()) {
    report.error(l.public_key.empty() ? "langfuse.secret_key" : "langfuse.public_key",
                 "langfuse: set both public_key and secret_key (LANGFUSE_PUBLIC_KEY, "
                 "LANGFUSE_SECRET_KEY), or neither");
  }
  if (!l.public_key.empty() && !report.isBad("langfuse.host")) {
    if (auto url = parseUpstreamUrl(l.host); !url)
      report.error("langfuse.host", "langfuse.host: " + url.error());
  }
  for (const std::string& pattern : l.redact) {
    RE2 re(pattern, RE2::Quiet);
    if (!re.ok()) {
      report.error("langfuse.redact",
                   "langfuse.redact: \"" + pattern + "\" is not a valid RE2 pattern: " + re.error());
      break;
    }
  }
}

}  // namespace

bool isValidProviderId(std::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

void validateConfig(const Config& config, const std::string& file, const ConfigPositions* positions,
                    ConfigErrors& errors) {
  Reporter report(file, positions, errors);
  validateServer(config, report);
  validateProviders(config, report);
  validateCache(config, report);
  validateTracing(config, report);
  validateKeys(config, positions, report);
}

}  // namespace llmproxy::common
