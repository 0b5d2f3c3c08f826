// Model info: the running config's providers and mappings, priced and filtered per key.
#include "worker/handlers/model_info.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/model_pattern.h"
#include "common/config/schema.h"
#include "common/json/json_writer.h"
#include "worker/auth/key_matcher.h"
#include "worker/http/query_string.h"
#include "worker/usage/price_table.h"

namespace llmproxy::worker::handlers {
namespace {

constexpr int64_t kDefaultPageSize = 100;
constexpr int64_t kMaxPageSize = 1000;

struct Deployment {
  std::string_view model_name;  // what clients ask for (a name or a pattern)
  std::string_view target;      // what the provider is asked for
  uint32_t provider = 0;
};

// LiteLLM's provider prefix for a provider type.
std::string_view litellmProvider(common::ProviderType type) {
  switch (type) {
    case common::ProviderType::OpenAI: return "openai";
    case common::ProviderType::OpenAICompatible: return "openai";
    case common::ProviderType::Azure: return "azure";
    case common::ProviderType::Anthropic: return "anthropic";
  }
  return "openai";
}

std::string_view modeOf(std::string_view model) {
  return model.find("embed") != std::string_view::npos ? "embedding" : "chat";
}

// USD per token from micro-dollars per million tokens (-1 = the input price).
double perToken(int64_t micros_per_mtok, int64_t input) {
  return static_cast<double>(micros_per_mtok < 0 ? input : micros_per_mtok) / 1e12;
}

std::vector<Deployment> deployments(const LocalCall& call) {
  std::vector<Deployment> out;
  const auto& providers = call.config->providers;
  for (uint32_t i = 0; i < providers.size(); ++i) {
    const common::ProviderConfig& p = providers[i];
    if (!p.enabled) continue;
    auto add = [&](std::string_view name, std::string_view target) {
      if (call.client_key && !KeyMatcher::allowedModel(*call.client_key, name)) return;
      out.push_back({name, target, i});
    };
    for (const common::ModelMapping& m : p.model_mapping) add(m.pattern, m.target);
    for (const std::string& model : p.models) add(model, model);
  }
  return out;
}

void writeDeployment(common::JsonWriter& w, const LocalCall& call, const Deployment& d) {
  const common::ProviderConfig& p = call.config->providers[d.provider];
  const bool pattern =
      common::classifyModelPattern(d.model_name) != common::ModelPatternKind::Exact;
  const common::PriceConfig* price =
      pattern ? nullptr : call.config->price_table->find(d.provider, d.target);
  w.beginObject().field("model_name", d.model_name);
  w.key("litellm_params").beginObject();
  w.field("model", std::string(litellmProvider(p.type)) + "/" + std::string(d.target));
  w.field("api_base", p.api_base);
  if (!p.api_version.empty()) w.field("api_version", p.api_version);
  w.field("weight", static_cast<int64_t>(p.weight));
  w.endObject();
  w.key("model_info").beginObject();
  w.field("id", p.id + "/" + std::string(d.model_name));
  w.field("mode", modeOf(d.target));
  w.field("litellm_provider", litellmProvider(p.type));
  if (price) {
    w.field("input_cost_per_token", perToken(price->input, price->input));
    w.field("output_cost_per_token", perToken(price->output, price->input));
    w.field("cache_read_input_token_cost", perToken(price->cached_input, price->input));
    w.field("cache_creation_input_token_cost", perToken(price->cache_write, price->input));
  } else {
    w.key("input_cost_per_token").null();
    w.key("output_cost_per_token").null();
  }
  w.field("provider", p.id);
  w.field("provider_type", common::schema::providerTypeName(p.type));
  w.field("mapped_model", d.target);
  w.field("weight", static_cast<int64_t>(p.weight));
  w.field("is_pattern", pattern);
  w.field("priced", price != nullptr);
  w.field("db_model", p.db_id != 0);
  w.endObject();
  w.endObject();
}

std::optional<int64_t> positive(std::string_view s) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < 1) return std::nullopt;
  return v;
}

}  // namespace

Outcome modelInfo(LocalCall& call) {
  const auto params = parseQueryString(call.request.target);
  if (!params)
    return call.respondError(
        {common::ErrorKind::BadRequest, "The query string has a malformed %-escape.", 0});
  bool paged = call.request.path().starts_with("/model/");
  int64_t page = 1;
  int64_t size = kDefaultPageSize;
  for (const auto& [name, value] : *params) {
    if (name != "page" && name != "size") continue;  // LiteLLM's other filters: not applied
    const auto n = positive(value);
    if (!n || (name == "size" && *n > kMaxPageSize))
      return call.respondError({common::ErrorKind::BadRequest,
                                "'" + name + "' must be a whole number from 1" +
                                    (name == "size" ? " to 1000" : ""),
                                0},
                               name);
    (name == "page" ? page : size) = *n;
    paged = true;
  }
  const std::vector<Deployment> all = deployments(call);
  const int64_t total = static_cast<int64_t>(all.size());
  // (page - 1) * size cannot overflow: a page past the end is cut before multiplying.
  int64_t first = 0;
  if (paged) first = page - 1 > total / size ? total : std::min(total, (page - 1) * size);
  const int64_t last = paged ? std::min(total, first + size) : total;
  common::JsonWriter w;
  w.beginObject().key("data").beginArray();
  for (int64_t i = first; i < last; ++i) writeDeployment(w, call, all[static_cast<size_t>(i)]);
  w.endArray();
  if (paged) {
    w.field("total_count", total)
        .field("current_page", page)
        .field("size", size)
        .field("total_pages", (total + size - 1) / size);
  }
  w.endObject();
  return call.respond(Response::json(200, w.take()));
}

}  // namespace llmproxy::worker::handlers
