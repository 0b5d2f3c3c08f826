// Provider bodies in, provider objects out.
#include "worker/admin/provider_json.h"

#include "common/config/scalars.h"
#include "common/config/schema.h"
#include "common/config/units.h"
#include "common/config/upstream_url.h"
#include "worker/admin/admin_output.h"

namespace llmproxy::worker::admin {
namespace {

namespace field = common::schema::provider;

std::optional<std::string> readModelMapping(JsonBody& body, JsonBody::Element v) {
  auto members = body.members(v, field::kModelMapping.member);
  if (!members) return std::nullopt;
  common::JsonWriter out;
  out.beginObject();
  for (auto& [pattern, target_value] : *members) {
    const std::string param = std::string(field::kModelMapping.member) + "." + pattern;
    auto target = body.string(target_value, param, kMaxNameSize);
    if (!target) return std::nullopt;
    if (const std::string why = common::schema::modelMappingProblem(pattern, *target); !why.empty()) {
      body.failValue(param, why);
      return std::nullopt;
    }
    out.field(pattern, *target);
  }
  out.endObject();
  return out.take();
}

// A duration member, written as in llmproxy.conf ("10s"); stored as its canonical text.
std::optional<std::string> readDuration(JsonBody& body, const common::schema::Field& f) {
  const std::string member(f.member);
  auto v = body.get(member);
  if (!v || !body.ok()) return std::nullopt;
  auto written = body.string(*v, member, 64);
  if (!written) return std::nullopt;
  auto value = body.checked(member, common::schema::durationText(f, *written));
  if (!value) return std::nullopt;
  return common::formatDuration(*value);
}

}  // namespace

// The api_key column goes through the same mask rule as maskSecret, in SQL.
const std::string kProviderColumns =
    "id, provider_key, provider_type, api_base, " + common::maskSecretSql("api_key") +
    ", api_version, model_mapping::text, array_to_json(models)::text, weight, verify_ssl, "
    "max_concurrent, is_enabled, to_jsonb(providers) ->> 'responses', "
    "to_jsonb(providers) ->> 'max_fails', to_jsonb(providers) ->> 'fail_timeout', "
    "to_jsonb(providers) ->> 'health_check_interval', "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

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
                   "is_enabled", "responses", "max_fails", "fail_timeout",
                   "health_check_interval"},
                  {"id", "created_at", "updated_at", "source"}))
    return done();

  if (auto v = body.get("provider_key")) {
    if (auto key = body.string(*v, "provider_key", kMaxNameSize))
      f.provider_key = body.checked("provider_key", common::schema::providerId(*key));
  } else if (create) {
    body.fail("provider_key", "'provider_key' is required");
  }
  if (auto v = body.get("provider_type"); v && body.ok()) {
    if (auto written = body.string(*v, "provider_type", 64)) {
      if (auto type = body.checked("provider_type", common::schema::providerType(*written)))
        f.provider_type = std::string(common::schema::providerTypeName(*type));
    }
  }
  if (auto v = body.get("api_base"); v && body.ok()) {
    f.api_base = body.text(*v, "api_base", field::kApiBase);
    if (f.api_base) {
      if (auto url = common::parseUpstreamUrl(*f.api_base); !url)
        body.failValue("api_base", url.error());
    }
  } else if (create && body.ok()) {
    body.fail("api_base", "'api_base' is required");
  }
  if (auto v = body.get("api_key"); v && body.ok()) {
    f.api_key = body.text(*v, "api_key", field::kApiKey);
    if (f.api_key && common::looksMasked(*f.api_key))
      body.fail("api_key",
                "'api_key' looks like the masked value the API shows; send the real key or "
                "leave the field out to keep the stored one");
  }
  if (auto v = body.get("api_version"); v && body.ok())
    f.api_version = body.text(*v, "api_version", field::kApiVersion);
  if (auto v = body.get("model_mapping"); v && body.ok()) f.model_mapping = readModelMapping(body, *v);
  if (auto v = body.get("models"); v && body.ok()) {
    if (auto list = body.stringList(*v, "models", kMaxNameSize)) f.models = stringListJson(*list);
  }
  if (auto v = body.get("weight"); v && body.ok())
    f.weight = body.integer(*v, "weight", field::kWeight);
  if (auto v = body.get("verify_ssl"); v && body.ok()) f.verify_ssl = body.boolean(*v, "verify_ssl");
  if (auto v = body.get("max_concurrent"); v && body.ok())
    f.max_concurrent = body.integer(*v, "max_concurrent", field::kMaxConcurrent);
  if (auto v = body.get("is_enabled"); v && body.ok()) f.is_enabled = body.boolean(*v, "is_enabled");
  if (auto v = body.get("responses"); v && body.ok()) {
    if (v->is_null()) {
      f.responses.emplace(std::nullopt);
    } else if (auto on = body.boolean(*v, "responses")) {
      f.responses.emplace(*on);
    }
  }
  if (auto v = body.get("max_fails"); v && body.ok())
    f.max_fails = body.integer(*v, "max_fails", field::kMaxFails);
  f.fail_timeout = readDuration(body, field::kFailTimeout);
  f.health_check_interval = readDuration(body, field::kHealthCheckInterval);

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
  if (r.isNull(row, 12))
    w.key("responses").null();
  else
    w.field("responses", r.value(row, 12) == "true");  // jsonb text: true / false
  // NULL (a database without migration 0004): the defaults, which the master applies too.
  const common::ProviderConfig defaults;
  w.field("max_fails", r.isNull(row, 13) ? int64_t{defaults.max_fails} : rowInt(r, row, 13));
  w.field("fail_timeout", r.isNull(row, 14) ? common::formatDuration(defaults.fail_timeout)
                                            : std::string(r.value(row, 14)));
  w.field("health_check_interval",
          r.isNull(row, 15) ? common::formatDuration(defaults.health_check_interval)
                            : std::string(r.value(row, 15)));
  writeRowTail(w, r, row, 16);
  w.endObject();
}

void writeFileProvider(common::JsonWriter& w, const common::ProviderConfig& p) {
  w.beginObject();
  w.key("id").null();
  w.field("provider_key", p.id);
  w.field("provider_type", common::schema::providerTypeName(p.type));
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
  if (p.responses < 0)
    w.key("responses").null();
  else
    w.field("responses", p.responses == 1);
  w.field("max_fails", static_cast<int64_t>(p.max_fails));
  w.field("fail_timeout", common::formatDuration(p.fail_timeout));
  w.field("health_check_interval", common::formatDuration(p.health_check_interval));
  writeFileTail(w);
  w.endObject();
}

}  // namespace llmproxy::worker::admin
