// Provider bodies in, provider objects out.
#include "worker/admin/provider_json.h"

#include <re2/re2.h>

#include "common/config/model_pattern.h"
#include "common/config/upstream_url.h"
#include "common/config/validate.h"
#include "worker/admin/admin_output.h"

namespace llmproxy::worker::admin {
namespace {

std::optional<std::string> readModelMapping(JsonBody& body, JsonBody::Element v) {
  auto members = body.members(v, "model_mapping");
  if (!members) return std::nullopt;
  common::JsonWriter out;
  out.beginObject();
  for (auto& [pattern, target_value] : *members) {
    const std::string param = "model_mapping." + pattern;
    if (pattern.empty()) {
      body.fail("model_mapping", "'model_mapping' patterns must not be empty");
      return std::nullopt;
    }
    auto target = body.string(target_value, param, kMaxNameSize, false);
    if (!target) return std::nullopt;
    if (common::classifyModelPattern(pattern) == common::ModelPatternKind::Regex) {
      RE2::Options options;
      options.set_log_errors(false);
      RE2 regex(pattern, options);
      if (!regex.ok()) {
        body.fail(param, "'" + param + "' is not a valid regular expression: " + regex.error());
        return std::nullopt;
      }
    }
    out.field(pattern, *target);
  }
  out.endObject();
  return out.take();
}

}  // namespace

const std::string_view kProviderColumns =
    "id, provider_key, provider_type, api_base, "
    "CASE WHEN api_key = '' THEN '' WHEN length(api_key) < 12 THEN '****' "
    "ELSE '****' || right(api_key, 4) END, "
    "api_version, model_mapping::text, array_to_json(models)::text, weight, verify_ssl, "
    "max_concurrent, is_enabled, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

std::string_view providerTypeName(common::ProviderType type) {
  switch (type) {
    case common::ProviderType::OpenAI: return "openai";
    case common::ProviderType::OpenAICompatible: return "openai-compatible";
    case common::ProviderType::Azure: return "azure";
    case common::ProviderType::Anthropic: return "anthropic";
  }
  return "openai";
}

std::optional<ProviderFields> readProviderBody(std::string_view text, bool create,
                                               FieldError& error) {
  JsonBody body;
  ProviderFields f;
  auto done = [&]() -> std::optional<ProviderFields> {
    if (body.ok()) return f;
    error = body.error();
    return std::nullopt;
  };
  if (!body.parse(text,
                  {"provider_key", "provider_type", "api_base", "api_key", "api_version",
                   "model_mapping", "models", "weight", "verify_ssl", "max_concurrent",
                   "is_enabled"},
                  {"id", "created_at", "updated_at", "source"}))
    return done();

  if (auto v = body.get("provider_key")) {
    f.provider_key = body.string(*v, "provider_key", 128, false);
    if (f.provider_key && !common::isValidProviderId(*f.provider_key))
      body.fail("provider_key",
                "'provider_key' may use only letters, digits, '.', '_' and '-' (at most 128)");
  } else if (create) {
    body.fail("provider_key", "'provider_key' is required");
  }
  if (auto v = body.get("provider_type"); v && body.ok()) {
    f.provider_type = body.string(*v, "provider_type", 64);
    if (f.provider_type) {
      const std::string& t = *f.provider_type;
      if (t == "anthropic")
        body.fail("provider_type",
                  "provider type 'anthropic' is not supported yet; use an OpenAI-compatible "
                  "endpoint");
      else if (t != "openai" && t != "openai-compatible" && t != "azure")
        body.fail("provider_type",
                  "'provider_type' must be one of openai, openai-compatible, azure");
    }
  }
  if (auto v = body.get("api_base"); v && body.ok()) {
    f.api_base = body.string(*v, "api_base", kMaxNameSize, false);
    if (f.api_base) {
      if (auto url = common::parseUpstreamUrl(*f.api_base); !url)
        body.fail("api_base", "'api_base' is not a usable URL: " + url.error());
    }
  } else if (create && body.ok()) {
    body.fail("api_base", "'api_base' is required");
  }
  if (auto v = body.get("api_key"); v && body.ok()) {
    f.api_key = body.string(*v, "api_key", kMaxSecretSize);
    if (f.api_key && f.api_key->starts_with("****"))
      body.fail("api_key",
                "'api_key' looks like the masked value the API shows; send the real key or "
                "leave the field out to keep the stored one");
  }
  if (auto v = body.get("api_version"); v && body.ok())
    f.api_version = body.string(*v, "api_version", 256);
  if (auto v = body.get("model_mapping"); v && body.ok()) f.model_mapping = readModelMapping(body, *v);
  if (auto v = body.get("models"); v && body.ok()) {
    if (auto list = body.stringList(*v, "models", kMaxNameSize)) f.models = stringListJson(*list);
  }
  if (auto v = body.get("weight"); v && body.ok()) f.weight = body.integer(*v, "weight", 1, 1000);
  if (auto v = body.get("verify_ssl"); v && body.ok()) f.verify_ssl = body.boolean(*v, "verify_ssl");
  if (auto v = body.get("max_concurrent"); v && body.ok())
    f.max_concurrent = body.integer(*v, "max_concurrent", 0, 1'000'000);
  if (auto v = body.get("is_enabled"); v && body.ok()) f.is_enabled = body.boolean(*v, "is_enabled");

  if (body.ok() && f.provider_type == "azure" && create && f.api_version.value_or("").empty())
    body.fail("api_version", "'api_version' is required for provider_type 'azure'");
  if (body.ok() && !create && body.size() == 0) body.fail("", "the body sets no field");
  return done();
}

void writeProviderRow(common::JsonWriter& w, const common::pg::QueryResult& r, int row) {
  w.beginObject();
  w.field("id", rowInt(r, row, 0));
  w.field("provider_key", r.value(row, 1));
  w.field("provider_type", r.value(row, 2));
  w.field("api_base", r.value(row, 3));
  w.field("api_key", r.value(row, 4));
  w.field("api_version", r.value(row, 5));
  w.key("model_mapping").raw(r.value(row, 6));
  w.key("models").raw(r.value(row, 7));
  w.field("weight", rowInt(r, row, 8));
  w.field("verify_ssl", rowBool(r, row, 9));
  w.field("max_concurrent", rowInt(r, row, 10));
  w.field("is_enabled", rowBool(r, row, 11));
  writeRowTail(w, r, row, 12);
  w.endObject();
}

void writeFileProvider(common::JsonWriter& w, const common::ProviderConfig& p) {
  w.beginObject();
  w.key("id").null();
  w.field("provider_key", p.id);
  w.field("provider_type", providerTypeName(p.type));
  w.field("api_base", p.api_base);
  w.field("api_key", maskSecret(p.api_key));
  w.field("api_version", p.api_version);
  w.key("model_mapping").beginObject();
  for (const auto& m : p.model_mapping) w.field(m.pattern, m.target);
  w.endObject();
  writeStringList(w, "models", p.models);
  w.field("weight", static_cast<int64_t>(p.weight));
  w.field("verify_ssl", p.verify_ssl);
  w.field("max_concurrent", static_cast<int64_t>(p.max_concurrent));
  w.field("is_enabled", p.enabled);
  writeFileTail(w);
  w.endObject();
}

}  // namespace llmproxy::worker::admin
