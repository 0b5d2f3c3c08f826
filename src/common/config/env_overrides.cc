// Environment overrides.
#include "common/config/env_overrides.h"


#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "common/config/listen_address.h"
#include "common/config/redis_url.h"

namespace llmproxy::common {

namespace {

std::optional<std::string> lookup(const EnvLookup& env, std::string_view name) {
  if (!env) return std::nullopt;
  auto value = env(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

void envError(ConfigErrors& errors, std::string_view name, std::string_view value,
              std::string_view expected) {
  errors.push_back(
      ConfigError{"env", 0, 0,
                  std::string(name) + "=\"" + std::string(value) + "\": " + std::string(expected)});
}

std::optional<Millis> seconds(const EnvLookup& env, std::string_view name, ConfigErrors& errors) {
  auto value = lookup(env, name);
  if (!value) return std::nullopt;
  int64_t secs = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), secs);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 1000;
  if (ec != std::errc{} || end != value->data() + value->size() || secs <= 0 || secs > kMax) {
    envError(errors, name, *value, "expected a whole number of seconds greater than 0");
    return std::nullopt;
  }
  return Millis{secs * 1000};
}

void overrideListen(Config& config, const EnvLookup& env, ConfigErrors& errors,
                    ConfigPositions* positions) {
  auto host = lookup(env, "HOST");
  auto port = lookup(env, "PORT");
  if (!host && !port) return;

  std::vector<ListenAddress>& listen = config.server.listen;
  bool have_tcp = !listen.empty() && listen.front().kind == ListenAddress::Kind::Tcp;
  if (!listen.empty() && !have_tcp && (!host || !port)) {
    errors.push_back(ConfigError{
        "env", 0, 0,
        std::string(host ? "HOST" : "PORT") + " is set but the first listen address is \"" +
            listen.front().text + "\": set both HOST and PORT to replace it"});
    return;
  }
  if (listen.empty() && !port) {
    errors.push_back(
        ConfigError{"env", 0, 0, "HOST is set but server.listen is empty: set PORT as well"});
    return;
  }

  // Whichever of HOST and PORT is unset keeps the file's part.
  std::string host_text;
  if (host) {
    host_text = *host;
    if (host_text.find(':') != std::string::npos && !host_text.starts_with('[')) {
      host_text = "[" + host_text + "]";
    }
  } else if (have_tcp) {
    const std::string& file_host = listen.front().host;
    host_text = file_host.find(':') != std::string::npos ? "[" + file_host + "]" : file_host;
  }
  std::string port_text = port ? *port : std::to_string(listen.front().port);
  if (port) {
    auto parsed = parseListenAddress("*:" + port_text);
    if (!parsed) {
      envError(errors, "PORT", *port, parsed.error());
      return;
    }
  }
  auto parsed = parseListenAddress(host_text + ":" + port_text);
  if (!parsed) {
    envError(errors, "HOST", host ? *host : host_text, parsed.error());
    return;
  }
  if (listen.empty()) {
    listen.push_back(*parsed);
  } else {
    listen.front() = *parsed;
  }
  if (positions) positions->erase("server.listen[0]");
}

// OTEL_EXPORTER_OTLP_HEADERS: "name=value,name2=value2", values percent-encoded (the
// OpenTelemetry SDKs' format).
std::optional<std::vector<HttpHeader>> parseOtlpHeaders(std::string_view text) {
  std::vector<HttpHeader> out;
  auto decode = [](std::string_view v) -> std::optional<std::string> {
    std::string d;
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] != '%') {
        d += v[i];
        continue;
      }
      unsigned value = 0;
      if (i + 2 >= v.size()) return std::nullopt;
      auto [end, ec] = std::from_chars(v.data() + i + 1, v.data() + i + 3, value, 16);
      if (ec != std::errc{} || end != v.data() + i + 3) return std::nullopt;
      d += static_cast<char>(value);
      i += 2;
    }
    return d;
  };
  auto trim = [](std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
  };
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (trim(item).empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    auto name = decode(trim(item.substr(0, eq)));
    auto value = decode(trim(item.substr(eq + 1)));
    if (!name || !value || name->empty()) return std::nullopt;
    out.push_back({std::move(*name), std::move(*value)});
  }
  return out;
}

void overrideTracing(Config& config, const EnvLookup& env, ConfigErrors& errors,
                     ConfigPositions* positions) {
  auto set = [&](std::string_view name, std::string& out, const char* path) {
    if (auto value = lookup(env, name)) {
      out = *value;
      if (positions) positions->erase(path);
    }
  };
  set("OTEL_EXPORTER_OTLP_ENDPOINT", config.tracing.otlp_endpoint, "tracing.otlp_endpoint");
  // The traces-only variable is a full URL (ending in /v1/traces) and wins over the base.
  set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", config.tracing.otlp_endpoint, "tracing.otlp_endpoint");
  set("OTEL_SERVICE_NAME", config.tracing.service_name, "tracing.service_name");
  if (auto value = lookup(env, "OTEL_EXPORTER_OTLP_HEADERS")) {
    if (auto headers = parseOtlpHeaders(*value)) {
      config.tracing.otlp_headers = std::move(*headers);
      if (positions) positions->erase("tracing.otlp_headers");
    } else {
      // NOTE: the value is not repeated: it holds API keys.
      errors.push_back(ConfigError{"env", 0, 0,
                                   "OTEL_EXPORTER_OTLP_HEADERS: expected name=value pairs "
                                   "separated by commas (values percent-encoded)"});
    }
  }
  set("LANGFUSE_PUBLIC_KEY", config.langfuse.public_key, "langfuse.public_key");
  set("LANGFUSE_SECRET_KEY", config.langfuse.secret_key, "langfuse.secret_key");
  set("LANGFUSE_HOST", config.langfuse.host, "langfuse.host");
}

}  // namespace

void applyEnvOverrides(Config& config, const EnvLookup& env, ConfigErrors& errors,
                       ConfigPositions* positions) {
  overrideListen(config, env, errors, positions);
  overrideTracing(config, env, errors, positions);

  if (auto value = lookup(env, "ADMIN_KEY")) config.server.admin_key = *value;
  if (auto value = lookup(env, "DB_URL")) config.database.url = *value;
  if (auto value = lookup(env, "REDIS_URL")) {
    if (auto ep = parseRedisUrl(*value); !ep) {
      errors.push_back(ConfigError{"env", 0, 0, "REDIS_URL: " + ep.error()});
    } else {
      config.redis.url = *value;
      if (positions) positions->erase("redis.url");
    }
  }
  if (auto value = lookup(env, "PROVIDER_SUFFIX")) config.server.provider_prefix = *value;

  if (auto value = lookup(env, "VERIFY_SSL")) {
    std::string lowered = *value;
    std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::optional<bool> verify;
    if (lowered == "true" || lowered == "1") verify = true;
    if (lowered == "false" || lowered == "0") verify = false;
    if (!verify) {
      envError(errors, "VERIFY_SSL", *value, "expected true, false, 1 or 0");
    } else {
      for (size_t i = 0; i < config.providers.size(); ++i) {
        config.providers[i].verify_ssl = *verify;
        if (positions) positions->erase("provider[" + std::to_string(i) + "].verify_ssl");
      }
    }
  }
  if (auto value = seconds(env, "REQUEST_TIMEOUT_SECS", errors)) {
    config.server.request_timeout = *value;
    if (positions) positions->erase("server.request_timeout");
  }
  if (auto value = seconds(env, "TTFT_TIMEOUT_SECS", errors)) {
    config.server.ttft_timeout = *value;
    if (positions) positions->erase("server.ttft_timeout");
  }
}

}  // namespace llmproxy::common
