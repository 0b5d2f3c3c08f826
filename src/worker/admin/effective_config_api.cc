// The running configuration as masked JSON.
#include "worker/admin/effective_config_api.h"

#include "common/crypto/sha256.h"
#include "common/config/scalars.h"
#include "common/config/schema.h"
#include "common/json/json_writer.h"
#include "worker/runtime_config.h"

namespace llmproxy::worker::admin {
namespace {

const char* sourceOf(int64_t db_id) { return db_id != 0 ? "database" : "file"; }

void writeListen(common::JsonWriter& w, std::string_view name,
                 const std::vector<common::ListenAddress>& list) {
  w.key(name).beginArray();
  for (const auto& a : list) w.value(a.text);
  w.endArray();
}

void writeStrings(common::JsonWriter& w, std::string_view name,
                  const std::vector<std::string>& list) {
  w.key(name).beginArray();
  for (const auto& s : list) w.value(s);
  w.endArray();
}

int64_t ms(common::Millis d) { return static_cast<int64_t>(d.count()); }

void writeServer(common::JsonWriter& w, const common::ServerConfig& s) {
  w.key("server").beginObject();
  writeListen(w, "listen", s.listen);
  writeListen(w, "admin_listen", s.admin_listen);
  w.field("workers", static_cast<uint64_t>(s.workers));
  w.field("admin_key", common::maskSecret(s.admin_key));
  w.field("max_body_size", s.max_body_size);
  w.field("max_header_size", s.max_header_size);
  w.field("max_connections", static_cast<uint64_t>(s.max_connections));
  w.field("keepalive_requests", static_cast<uint64_t>(s.keepalive_requests));
  w.field("header_timeout_ms", ms(s.header_timeout));
  w.field("body_timeout_ms", ms(s.body_timeout));
  w.field("keepalive_timeout_ms", ms(s.keepalive_timeout));
  w.field("send_timeout_ms", ms(s.send_timeout));
  w.field("connect_timeout_ms", ms(s.connect_timeout));
  w.field("request_timeout_ms", ms(s.request_timeout));
  w.field("ttft_timeout_ms", ms(s.ttft_timeout));
  w.field("stream_idle_timeout_ms", ms(s.stream_idle_timeout));
  w.field("shutdown_timeout_ms", ms(s.shutdown_timeout));
  w.field("provider_prefix", s.provider_prefix);
  w.field("allow_unauthenticated", s.allow_unauthenticated);
  w.field("max_attempts", static_cast<uint64_t>(s.max_attempts));
  w.field("pid_file", s.pid_file);
  w.field("admin_ui_root", s.admin_ui_root);
  w.endObject();
}

void writeProvider(common::JsonWriter& w, const common::ProviderConfig& p) {
  w.beginObject();
  w.field("provider_key", p.id);
  w.field("source", sourceOf(p.db_id));
  if (p.db_id != 0) w.field("id", p.db_id);
  w.field("provider_type", common::schema::providerTypeName(p.type));
  w.field("api_base", p.api_base);
  w.field("api_key", common::maskSecret(p.api_key));
  w.field("api_version", p.api_version);
  writeStrings(w, "models", p.models);
  w.key("model_mapping").beginObject();
  for (const auto& m : p.model_mapping) w.field(m.pattern, m.target);
  w.endObject();
  w.field("weight", static_cast<uint64_t>(p.weight));
  w.field("is_enabled", p.enabled);
  w.field("verify_ssl", p.verify_ssl);
  w.field("ca_file", p.ca_file);
  w.field("max_concurrent", static_cast<uint64_t>(p.max_concurrent));
  w.field("queue_timeout_ms", ms(p.queue_timeout));
  w.endObject();
}

void writeKey(common::JsonWriter& w, const common::KeyConfig& k) {
  w.beginObject();
  w.field("name", k.name);
  w.field("source", sourceOf(k.db_id));
  if (k.db_id != 0) w.field("id", k.db_id);
  w.field("key_sha256_prefix", common::toHex(k.key_sha256).substr(0, 8));
  writeStrings(w, "allowed_models", k.allowed_models);
  w.field("is_enabled", k.enabled);
  w.key("expires_at");
  if (k.expires_at == 0)
    w.null();
  else
    w.value(common::formatRfc3339(k.expires_at));
  w.key("rate_limit").beginObject();
  w.field("requests_per_second", k.rate_limit.requests_per_second);
  w.field("burst", k.rate_limit.burst);
  w.endObject();
  w.field("tokens_per_minute", k.tokens_per_minute);
  w.field("max_requests", k.max_requests);
  w.field("cache", k.cache);
  w.endObject();
}

}  // namespace

std::string maskUrlPassword(std::string_view url) {
  std::string out(url);
  const size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const size_t auth_end = out.find('@', scheme + 3);
    const size_t host_end = out.find('/', scheme + 3);
    if (auth_end != std::string::npos && (host_end == std::string::npos || auth_end < host_end)) {
      const size_t colon = out.find(':', scheme + 3);
      if (colon != std::string::npos && colon < auth_end)
        out.replace(colon + 1, auth_end - colon - 1, "****");
    }
  }
  // key=value conninfo (or URL query) passwords.
  for (size_t at = out.find("password="); at != std::string::npos;
       at = out.find("password=", at + 1)) {
    const size_t begin = at + 9;
    size_t end = out.find_first_of(" &", begin);
    if (end == std::string::npos) end = out.size();
    out.replace(begin, end - begin, "****");
  }
  return out;
}

Outcome effectiveConfig(LocalCall& call) {
  const RuntimeConfig& c = *call.config;
  common::JsonWriter w;
  w.beginObject();
  w.field("config_version", call.services.config_view.generation());
  w.field("source", c.source);
  writeServer(w, c.server);
  w.key("log").beginObject();
  w.field("error_log", c.log.error_log);
  w.field("access_log", c.log.access_log);
  w.field("level", c.log.level);
  w.field("access_format", c.log.access_format);
  w.endObject();
  w.key("database").beginObject();
  w.field("url", maskUrlPassword(c.database.url));
  w.field("connect_timeout_ms", ms(c.database.connect_timeout));
  w.field("query_timeout_ms", ms(c.database.query_timeout));
  w.field("usage_log", c.database.usage_log);
  w.endObject();
  w.key("redis").beginObject();
  w.field("url", maskUrlPassword(c.redis.url));
  w.field("on_failure", c.redis.on_failure);
  w.field("timeout_ms", ms(c.redis.timeout));
  w.field("key_prefix", c.redis.key_prefix);
  w.endObject();
  w.key("cache").beginObject();
  w.field("default_ttl_ms", ms(c.cache.default_ttl));
  w.field("max_ttl_ms", ms(c.cache.max_ttl));
  w.field("max_entry_size", c.cache.max_entry_size);
  w.field("memory_entries", static_cast<uint64_t>(c.cache.memory_entries));
  w.field("memory_size", c.cache.memory_size);
  w.endObject();
  w.key("providers").beginArray();
  for (const auto& p : c.providers) writeProvider(w, p);
  w.endArray();
  w.key("keys").beginArray();
  for (const auto& k : c.keys) writeKey(w, k);
  w.endArray();
  w.endObject();
  return call.respond(Response::json(200, w.take()));
}

}  // namespace llmproxy::worker::admin
