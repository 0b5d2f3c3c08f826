// LiteLLM's YAML -> llmproxy.conf text, with every unmapped setting listed by line.
#include "master/import/litellm_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>

namespace llmproxy::master::import {
namespace {

// What a LiteLLM provider prefix becomes.
struct Service {
  std::string_view prefix;
  std::string_view type;      // llmproxy provider type
  std::string_view base;      // well-known base URL; "" = api_base is required
  std::string_view key_env;   // LiteLLM's default key variable; "" = no key
  bool append_v1 = false;     // a given api_base gets "/v1" (Ollama, text-embeddings-inference)
};

constexpr Service kServices[] = {
    {"openai", "openai", "https://api.openai.com/v1", "OPENAI_API_KEY"},
    {"text-completion-openai", "openai", "https://api.openai.com/v1", "OPENAI_API_KEY"},
    {"azure", "azure", "", "AZURE_API_KEY"},
    {"anthropic", "anthropic", "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY"},
    {"groq", "openai-compatible", "https://api.groq.com/openai/v1", "GROQ_API_KEY"},
    {"openrouter", "openai-compatible", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"},
    {"cerebras", "openai-compatible", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY"},
    {"together_ai", "openai-compatible", "https://api.together.xyz/v1", "TOGETHERAI_API_KEY"},
    {"deepseek", "openai-compatible", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"},
    {"mistral", "openai-compatible", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"},
    {"gemini", "openai-compatible", "https://generativelanguage.googleapis.com/v1beta/openai",
     "GEMINI_API_KEY"},
    {"voyage", "openai-compatible", "https://api.voyageai.com/v1", "VOYAGE_API_KEY"},
    {"fireworks_ai", "openai-compatible", "https://api.fireworks.ai/inference/v1",
     "FIREWORKS_AI_API_KEY"},
    {"xai", "openai-compatible", "https://api.x.ai/v1", "XAI_API_KEY"},
    {"perplexity", "openai-compatible", "https://api.perplexity.ai", "PERPLEXITYAI_API_KEY"},
    {"hosted_vllm", "openai-compatible", "", ""},
    {"vllm", "openai-compatible", "", ""},
    {"openai_like", "openai-compatible", "", ""},
    {"lm_studio", "openai-compatible", "", ""},
    {"ollama", "openai-compatible", "http://localhost:11434/v1", "", true},
    {"ollama_chat", "openai-compatible", "http://localhost:11434/v1", "", true},
    {"huggingface", "openai-compatible", "", "", true},  // text-embeddings-inference
};

const Service* serviceOf(std::string_view prefix) {
  for (const Service& s : kServices)
    if (s.prefix == prefix) return &s;
  return nullptr;
}

// "os.environ/NAME" -> "${NAME}"; anything else as written.
std::string envRef(const std::string& value) {
  constexpr std::string_view kEnv = "os.environ/";
  if (value.starts_with(kEnv)) return "${" + value.substr(kEnv.size()) + "}";
  return value;
}

// A TOML basic string.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// USD per token -> per million tokens, six decimals, without trailing zeros.
std::string perMtok(double per_token) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", std::round(per_token * 1e12) / 1e6);
  std::string s = buf;
  while (s.ends_with('0')) s.pop_back();
  if (s.ends_with('.')) s.pop_back();
  return s;
}

struct Group {
  std::string id;
  std::string type;
  std::string base;
  std::string key;
  std::string version;
  int64_t weight = 1;
  std::vector<std::pair<std::string, std::string>> mapping;  // model_name -> provider model
};

struct Price {
  std::string model;
  std::string provider;
  std::optional<double> input, output, cached, write;  // per token
};

class Importer {
 public:
  explicit Importer(const std::string& file) : file_(file) {}

  std::expected<LitellmImport, std::vector<std::string>> run(const std::string& text);

 private:
  std::string at(const YAML::Node& n) const {
    return file_ + ":" + std::to_string(n.Mark().line + 1);
  }
  void unmapped(const YAML::Node& n, const std::string& what) {
    out_.unmapped.push_back(at(n) + ": " + what);
  }
  std::optional<std::string> scalar(const YAML::Node& n) const {
    if (!n || !n.IsScalar()) return std::nullopt;
    return n.as<std::string>();
  }
  std::optional<double> number(const YAML::Node& n) const {
    if (!n || !n.IsScalar()) return std::nullopt;
    try {
      return n.as<double>();
    } catch (const YAML::Exception&) {
      return std::nullopt;
    }
  }

  void readModel(const YAML::Node& entry);
  void readSettings(const YAML::Node& root);
  std::string render() const;

  const std::string& file_;
  LitellmImport out_;
  std::vector<Group> groups_;
  std::vector<Price> prices_;
  std::map<std::string, int> ids_used_;
  // [server], [database], [redis], [cache] lines and the master key.
  std::vector<std::string> server_, database_, redis_, cache_;
  std::optional<std::string> master_key_;
  bool cache_on_ = false;
  std::optional<int64_t> max_fails_;     // every provider's, from allowed_fails
  std::optional<int64_t> fail_timeout_;  // seconds, from cooldown_time
  std::vector<std::pair<std::string, std::vector<std::string>>> fallbacks_;
};

void Importer::readModel(const YAML::Node& entry) {
  if (!entry.IsMap()) {
    unmapped(entry, "model_list entry is not a mapping");
    return;
  }
  const auto name = scalar(entry["model_name"]);
  const YAML::Node params = entry["litellm_params"];
  if (!name || !params || !params.IsMap()) {
    unmapped(entry, "model_list entry without model_name or litellm_params");
    return;
  }
  const auto model = scalar(params["model"]);
  if (!model) {
    unmapped(params, "model '" + *name + "': litellm_params has no model");
    return;
  }
  std::string prefix = "openai";
  std::string target = *model;
  if (const size_t slash = model->find('/'); slash != std::string::npos) {
    prefix = model->substr(0, slash);
    target = model->substr(slash + 1);
  }
  if (auto custom = scalar(params["custom_llm_provider"])) prefix = *custom;
  const Service* service = serviceOf(prefix);
  if (!service) {
    unmapped(params["model"], "model '" + *name + "' (" + *model + "): provider '" + prefix +
                                  "' has no llmproxy equivalent; not imported");
    return;
  }
  Group g;
  g.type = std::string(service->type);
  const auto api_base = scalar(params["api_base"]);
  if (api_base) {
    g.base = envRef(*api_base);
    while (g.base.ends_with('/')) g.base.pop_back();
    if (service->append_v1 && !g.base.ends_with("/v1")) g.base += "/v1";
    // "openai/..." with a base of its own is an OpenAI-compatible server.
    if (g.type == "openai" && g.base != service->base) g.type = "openai-compatible";
  } else if (!service->base.empty()) {
    g.base = std::string(service->base);
  } else {
    unmapped(params, "model '" + *name + "' (" + *model + "): needs an api_base; not imported");
    return;
  }
  if (auto key = scalar(params["api_key"]))
    g.key = envRef(*key);
  else if (!service->key_env.empty())
    g.key = "${" + std::string(service->key_env) + "}";
  if (auto version = scalar(params["api_version"])) g.version = envRef(*version);
  if (g.type == "azure" && g.version.empty()) g.version = "2024-10-21";
  if (auto weight = number(params["weight"])) {
    g.weight = std::clamp<int64_t>(static_cast<int64_t>(std::llround(*weight)), 1, 1000);
    if (static_cast<double>(g.weight) != *weight)
      unmapped(params["weight"], "model '" + *name + "': weight " +
                                     scalar(params["weight"]).value_or("") + " rounded to " +
                                     std::to_string(g.weight) + " (1..1000)");
  }
  static const std::set<std::string_view> kKnown = {
      "model", "api_key", "api_base", "api_version", "weight", "custom_llm_provider"};
  for (const auto& kv : params) {
    const std::string key = kv.first.as<std::string>();
    if (kKnown.contains(key)) continue;
    if (key == "rpm" || key == "tpm")
      unmapped(kv.first, "model '" + *name + "': " + key +
                             " is per deployment in LiteLLM; llmproxy limits per key "
                             "(rate_limit, tokens_per_minute) and per provider (max_concurrent)");
    else
      unmapped(kv.first, "model '" + *name + "': litellm_params." + key + " not imported");
  }

  // The deployment's provider: an existing group with the same connection, else a new one.
  Group* into = nullptr;
  for (Group& have : groups_)
    if (std::tie(have.type, have.base, have.key, have.version, have.weight) ==
        std::tie(g.type, g.base, g.key, g.version, g.weight))
      into = &have;
  if (!into) {
    std::string id = prefix;
    std::replace(id.begin(), id.end(), '_', '-');
    const int n = ++ids_used_[id];
    if (n > 1) id += "-" + std::to_string(n);
    g.id = id;
    groups_.push_back(std::move(g));
    into = &groups_.back();
  }
  for (const auto& [pattern, mapped] : into->mapping) {
    if (pattern != *name) continue;
    if (mapped != target)
      unmapped(entry, "model '" + *name + "': a second deployment on provider '" + into->id +
                          "' (" + target + ") cannot be told apart from " + mapped +
                          "; not imported");
    return;
  }
  into->mapping.emplace_back(*name, target);
  ++out_.models;

  const YAML::Node info = entry["model_info"];
  if (info && info.IsMap()) {
    Price p{target, into->id, number(info["input_cost_per_token"]),
            number(info["output_cost_per_token"]), number(info["cache_read_input_token_cost"]),
            number(info["cache_creation_input_token_cost"])};
    if (p.input || p.output) {
      const bool seen = std::any_of(prices_.begin(), prices_.end(), [&](const Price& q) {
        return q.model == p.model && q.provider == p.provider;
      });
      if (!seen) prices_.push_back(std::move(p));
    }
  }
}

void Importer::readSettings(const YAML::Node& root) {
  int64_t retries = -1;
  auto readRetries = [&](const YAML::Node& n) {
    if (auto v = number(n)) retries = std::max<int64_t>(retries, std::llround(*v));
  };
  auto readTimeout = [&](const YAML::Node& n) {
    if (auto v = number(n))
      server_.push_back("request_timeout = " +
                        quoted(std::to_string(std::max<int64_t>(1, std::llround(*v))) + "s"));
  };
  // LiteLLM cools a deployment down when its failures in a minute exceed allowed_fails, for
  // cooldown_time seconds; llmproxy takes a provider out after max_fails failures within
  // fail_timeout, for fail_timeout. The nearest mapping: max_fails = allowed_fails + 1 and
  // fail_timeout = cooldown_time (a window as long as the cool-down, not a minute).
  auto readAllowedFails = [&](const YAML::Node& n) {
    if (auto v = number(n)) max_fails_ = std::clamp<int64_t>(std::llround(*v) + 1, 1, 1000);
  };
  auto readCooldown = [&](const YAML::Node& n) {
    if (auto v = number(n)) fail_timeout_ = std::clamp<int64_t>(std::llround(*v), 1, 3600);
  };
  // fallbacks: [{"model": ["other", ...]}, ...] -> [fallbacks] "model" = ["other", ...].
  auto readFallbacks = [&](const YAML::Node& n, const std::string& where) {
    if (!n.IsSequence()) return unmapped(n, where + ": not a list; not imported");
    for (const auto& item : n) {
      if (!item.IsMap()) {
        unmapped(item, where + ": an entry that is not a map; not imported");
        continue;
      }
      for (const auto& kv : item) {
        std::vector<std::string> to;
        if (kv.second.IsSequence())
          for (const auto& m : kv.second)
            if (auto name = scalar(m)) to.push_back(*name);
        const std::string from = kv.first.as<std::string>();
        const bool repeated =
            std::set<std::string>(to.begin(), to.end()).size() != to.size() ||
            std::find(to.begin(), to.end(), from) != to.end();
        if (to.empty() || to.size() > 8 || from.empty() || repeated)
          unmapped(kv.first, where + " for '" + from +
                                 "': 1 to 8 distinct model names other than itself expected");
        else
          fallbacks_.emplace_back(from, std::move(to));
      }
    }
  };
  // allowed_fails, cooldown_time and fallbacks: in litellm_settings or router_settings alike.
  auto readHealthSetting = [&](const std::string& key, const YAML::Node& n,
                               const std::string& section) {
    if (key == "allowed_fails")
      readAllowedFails(n);
    else if (key == "cooldown_time")
      readCooldown(n);
    else if (key == "fallbacks")
      readFallbacks(n, section + ".fallbacks");
    else
      return false;
    return true;
  };
  auto redisFrom = [&](const YAML::Node& host, const YAML::Node& port,
                       const YAML::Node& password) {
    auto h = scalar(host);
    if (!h) return;
    std::string url = "redis://";
    if (auto pw = scalar(password)) url += ":" + envRef(*pw) + "@";
    url += envRef(*h) + ":" + scalar(port).value_or("6379");
    if (redis_.empty()) redis_.push_back("url = " + quoted(url));
  };

  if (const YAML::Node s = root["litellm_settings"]; s && s.IsMap()) {
    for (const auto& kv : s) {
      const std::string key = kv.first.as<std::string>();
      if (key == "num_retries") {
        readRetries(kv.second);
      } else if (key == "request_timeout") {
        readTimeout(kv.second);
      } else if (key == "cache") {
        cache_on_ = kv.second.IsScalar() && kv.second.as<std::string>() == "true";
      } else if (key == "cache_params" && kv.second.IsMap()) {
        const YAML::Node c = kv.second;
        const std::string type = scalar(c["type"]).value_or("local");
        if (type == "redis")
          redisFrom(c["host"], c["port"], c["password"]);
        else if (type != "local")
          unmapped(c["type"], "cache type '" + type + "' not imported (llmproxy caches in Redis "
                                                     "or in each worker's memory)");
        if (auto ttl = number(c["ttl"]))
          cache_.push_back("default_ttl = " + quoted(std::to_string(std::llround(*ttl)) + "s"));
        for (const auto& p : c) {
          const std::string pk = p.first.as<std::string>();
          if (pk != "type" && pk != "host" && pk != "port" && pk != "password" && pk != "ttl")
            unmapped(p.first, "litellm_settings.cache_params." + pk + " not imported");
        }
      } else if (readHealthSetting(key, kv.second, "litellm_settings")) {
      } else {
        unmapped(kv.first, "litellm_settings." + key + " not imported");
      }
    }
  }
  if (const YAML::Node s = root["router_settings"]; s && s.IsMap()) {
    for (const auto& kv : s) {
      const std::string key = kv.first.as<std::string>();
      if (key == "num_retries") {
        readRetries(kv.second);
      } else if (key == "timeout") {
        readTimeout(kv.second);
      } else if (key == "redis_host") {
        redisFrom(kv.second, s["redis_port"], s["redis_password"]);
      } else if (key == "redis_port" || key == "redis_password") {
      } else if (readHealthSetting(key, kv.second, "router_settings")) {
      } else if (key == "routing_strategy" && scalar(kv.second) == "simple-shuffle") {
        // Weighted random: llmproxy's smooth weighted round-robin keeps the weights.
      } else {
        unmapped(kv.first, "router_settings." + key + " not imported");
      }
    }
  }
  if (retries >= 0)
    server_.push_back("max_attempts = " +
                      std::to_string(std::clamp<int64_t>(retries + 1, 1, 10)));
  if (const YAML::Node s = root["general_settings"]; s && s.IsMap()) {
    for (const auto& kv : s) {
      const std::string key = kv.first.as<std::string>();
      if (key == "master_key" && scalar(kv.second)) {
        master_key_ = envRef(*scalar(kv.second));
      } else if (key == "database_url" && scalar(kv.second)) {
        database_.push_back("url = " + quoted(envRef(*scalar(kv.second))));
      } else {
        unmapped(kv.first, "general_settings." + key + " not imported");
      }
    }
  }
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (key != "model_list" && key != "litellm_settings" && key != "router_settings" &&
        key != "general_settings")
      unmapped(kv.first, key + " not imported");
  }
}

std::string Importer::render() const {
  std::string s = "# llmproxy.conf from " + file_ +
                  " (llmproxy import-config --from litellm). Check it, then: llmproxy -t -c "
                  "THIS_FILE\n\n[server]\nlisten = [\"0.0.0.0:4000\"]\n"
                  "admin_listen = \"127.0.0.1:4001\"\n";
  if (master_key_)
    s += "admin_key = " + quoted(*master_key_) + "\n";
  else
    s += "allow_unauthenticated = true   # the LiteLLM config had no master_key\n";
  for (const std::string& line : server_) s += line + "\n";
  if (!database_.empty()) s += "\n[database]\n" + database_.front() + "\n";
  if (!redis_.empty()) s += "\n[redis]\n" + redis_.front() + "\n";
  if (!cache_.empty()) s += "\n[cache]\n" + cache_.front() + "\n";
  for (const Group& g : groups_) {
    s += "\n[[provider]]\nid = " + quoted(g.id) + "\ntype = " + quoted(g.type) +
         "\napi_base = " + quoted(g.base) + "\napi_key = " + quoted(g.key) + "\n";
    if (!g.version.empty()) s += "api_version = " + quoted(g.version) + "\n";
    if (g.weight != 1) s += "weight = " + std::to_string(g.weight) + "\n";
    if (max_fails_) s += "max_fails = " + std::to_string(*max_fails_) + "\n";
    if (fail_timeout_) s += "fail_timeout = " + quoted(std::to_string(*fail_timeout_) + "s") + "\n";
    s += "model_mapping = {";
    for (size_t i = 0; i < g.mapping.size(); ++i)
      s += (i ? ", " : " ") + quoted(g.mapping[i].first) + " = " + quoted(g.mapping[i].second);
    s += " }\n";
  }
  if (master_key_) {
    // LiteLLM's master key also calls the API; it keeps working as a client key.
    s += "\n[[key]]\nname = \"litellm-master-key\"\nkey = " + quoted(*master_key_) + "\n";
    if (cache_on_) s += "cache = true\n";
  }
  for (const Price& p : prices_) {
    s += "\n[[price]]\nmodel = " + quoted(p.model) + "\nprovider = " + quoted(p.provider) + "\n";
    if (p.input) s += "input_per_mtok = " + perMtok(*p.input) + "\n";
    if (p.output) s += "output_per_mtok = " + perMtok(*p.output) + "\n";
    if (p.cached) s += "cached_input_per_mtok = " + perMtok(*p.cached) + "\n";
    if (p.write) s += "cache_write_per_mtok = " + perMtok(*p.write) + "\n";
  }
  if (!fallbacks_.empty()) {
    s += "\n[fallbacks]\n";
    for (const auto& [from, to] : fallbacks_) {
      s += quoted(from) + " = [";
      for (size_t i = 0; i < to.size(); ++i) s += (i ? ", " : "") + quoted(to[i]);
      s += "]\n";
    }
  }
  if (!out_.unmapped.empty()) {
    s += "\n# Not imported (see the import's messages):\n";
    for (const std::string& u : out_.unmapped) s += "#   " + u + "\n";
  }
  return s;
}

std::expected<LitellmImport, std::vector<std::string>> Importer::run(const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return std::unexpected(std::vector<std::string>{
        file_ + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
        ": " + e.msg});
  }
  if (!root.IsMap() || !root["model_list"] || !root["model_list"].IsSequence())
    return std::unexpected(std::vector<std::string>{file_ + ": no model_list: not a LiteLLM "
                                                            "proxy configuration"});
  try {
    for (const YAML::Node& entry : root["model_list"]) readModel(entry);
    readSettings(root);
  } catch (const YAML::Exception& e) {
    return std::unexpected(std::vector<std::string>{
        file_ + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg});
  }
  std::stable_sort(out_.unmapped.begin(), out_.unmapped.end(),
                   [](const std::string& a, const std::string& b) {
                     auto line = [](const std::string& s) {
                       const size_t colon = s.find(':');
                       return std::atoi(s.c_str() + colon + 1);
                     };
                     return line(a) < line(b);
                   });
  out_.providers = groups_.size();
  out_.prices = prices_.size();
  out_.conf = render();
  return std::move(out_);
}

}  // namespace

std::expected<LitellmImport, std::vector<std::string>> importLitellmConfig(
    const std::string& text, const std::string& file) {
  return Importer(file).run(text);
}

}  // namespace llmproxy::master::import
