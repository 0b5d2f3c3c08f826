// Walks the toml++ tree into a Config. toml++ throws only from parse(); everything else here
// reports problems as ConfigErrors and goes on, so one pass finds them all.
#include "common/config/load_toml.h"


#include <toml++/toml.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <map>

#include "common/config/expand_env.h"
#include "common/config/listen_address.h"
#include "common/config/model_pattern.h"
#include "common/config/redis_url.h"
#include "common/config/schema.h"
#include "common/config/units.h"
#include "common/config/upstream_url.h"
#include "common/crypto/sha256.h"

namespace llmproxy::common {

namespace {

// server.responses_item_store's bound: far above any node's need, below what mmap refuses.
constexpr uint64_t kMaxItemStore = uint64_t{64} << 30;

SourcePos posOf(const toml::source_region& region) {
  return SourcePos{region.begin.line, region.begin.column};
}

// Optimal string alignment distance (Levenshtein plus transpositions): "listne" -> "listen" is 1.
size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string suggestion(std::string_view key, const std::vector<std::string_view>& known) {
  std::string_view best;
  size_t best_distance = 3;
  for (std::string_view name : known) {
    size_t distance = editDistance(key, name);
    if (distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  return best.empty() ? "" : "; did you mean \"" + std::string(best) + "\"?";
}

std::string quotedList(std::initializer_list<std::string_view> choices) {
  std::string out;
  size_t i = 0;
  for (std::string_view choice : choices) {
    if (i > 0) out += (i + 1 == choices.size()) ? " or " : ", ";
    out += "\"" + std::string(choice) + "\"";
    ++i;
  }
  return out;
}

// Where each (model, provider) price was first written, across the file and its includes.
using PriceOrigins = std::map<std::pair<std::string, std::string>, std::string>;

class TomlReader {
 public:
  TomlReader(const std::string& file, const EnvLookup& env, ConfigPositions& positions,
             ConfigErrors& errors, PriceOrigins& price_origins)
      : file_(file),
        env_(env),
        positions_(positions),
        errors_(errors),
        price_origins_(price_origins) {}

  void read(const toml::table& root, Config& config);
  // An included file: [[price]] tables only.
  void readIncluded(const toml::table& root, Config& config);

 private:
  // One known key of a table: its name and what to do with its value. `name` is the dotted
  // name used in messages ("server.workers"), `path` the position key ("provider[1].weight").
  struct Field {
    std::string_view key;
    std::function<void(const toml::node& node, const std::string& name, const std::string& path)>
        read;
  };

  void readFields(const toml::table& table, std::string_view section, std::string_view name,
                  const std::string& path, std::initializer_list<Field> fields);
  void readServer(const toml::table& table, ServerConfig& server);
  void readLog(const toml::table& table, LogConfig& log);
  void readDatabase(const toml::table& table, DatabaseConfig& database);
  void readProvider(const toml::table& table, const std::string& path, ProviderConfig& provider);
  void readKey(const toml::table& table, const std::string& path, KeyConfig& key);
  void readPrices(const toml::node& node, Config& config);
  void readPrice(const toml::table& table, const std::string& path, std::vector<PriceConfig>& out);
  void readIncludes(const toml::node& node, Config& config);
  void readModelMapping(const toml::node& node, const std::string& name, const std::string& path,
                        std::vector<ModelMapping>& mapping);
  void readExpiry(const toml::node& node, const std::string& name, int64_t& out);
  void readCache(const toml::table& table, CacheConfig& cache);
  void readTracing(const toml::table& table, TracingConfig& tracing);
  void readLangfuse(const toml::table& table, LangfuseConfig& langfuse);
  void readFallbacks(const toml::table& table, std::vector<ModelFallback>& out);
  void readRateLimit(const toml::node& node, const std::string& name, const std::string& path,
                     RateLimit& limit);
  void readModelLimits(const toml::node& node, const std::string& name, const std::string& path,
                       std::vector<ModelLimit>& out);

  void error(const toml::source_region& where, std::string message) {
    errors_.push_back(ConfigError{file_, where.begin.line, where.begin.column, std::move(message)});
  }
  void error(const toml::node& node, std::string message) {
    error(node.source(), std::move(message));
  }

  // Value readers: each reports a wrong type or value at the node and returns nullopt.
  std::optional<std::string> string(const toml::node& node, const std::string& name);
  std::optional<bool> boolean(const toml::node& node, const std::string& name);
  std::optional<int64_t> integer(const toml::node& node, const std::string& name, int64_t min,
                                 int64_t max);
  // The schema's readers: the value's type checked here, its bounds and message the schema's.
  std::optional<int64_t> integer(const toml::node& node, const std::string& name,
                                 const schema::Field& field);
  std::optional<double> number(const toml::node& node, const std::string& name,
                               const schema::Field& field);
  std::optional<std::string> text(const toml::node& node, const std::string& name,
                                  const schema::Field& field);
  // Reports a schema check's message at the node; the value when it passed.
  template <typename T>
  std::optional<T> checked(const toml::node& node, const std::string& name,
                           schema::Checked<T> value) {
    if (value) return std::move(*value);
    error(node, name + ": " + value.error());
    return std::nullopt;
  }
  std::optional<Millis> duration(const toml::node& node, const std::string& name);
  std::optional<Millis> duration(const toml::node& node, const std::string& name,
                                 const schema::Field& field);
  std::optional<uint64_t> size(const toml::node& node, const std::string& name, uint64_t min,
                               std::string_view min_text);
  std::optional<std::string> choice(const toml::node& node, const std::string& name,
                                    std::initializer_list<std::string_view> choices);
  std::optional<std::vector<std::string>> stringList(const toml::node& node,
                                                     const std::string& name);
  std::optional<std::vector<ListenAddress>> listenList(const toml::node& node,
                                                       const std::string& name,
                                                       const std::string& path, bool allow_empty);

  template <typename T>
  void assign(std::optional<T> value, T& out) {
    if (value) out = std::move(*value);
  }

  const std::string& file_;
  const EnvLookup& env_;
  ConfigPositions& positions_;
  ConfigErrors& errors_;
  PriceOrigins& price_origins_;
};

void TomlReader::readFields(const toml::table& table, std::string_view section,
                            std::string_view name, const std::string& path,
                            std::initializer_list<Field> fields) {
  for (auto&& [key, node] : table) {
    const Field* field = nullptr;
    for (const Field& candidate : fields) {
      if (candidate.key == key.str()) field = &candidate;
    }
    if (field == nullptr) {
      std::vector<std::string_view> known;
      for (const Field& candidate : fields) known.push_back(candidate.key);
      error(key.source(), "unknown key \"" + std::string(key.str()) + "\" in " +
                              std::string(section) + suggestion(key.str(), known));
      continue;
    }
    std::string field_path = path + "." + std::string(key.str());
    positions_.set(field_path, posOf(node.source()));
    field->read(node, std::string(name) + "." + std::string(key.str()), field_path);
  }
}

// ---- value readers -------------------------------------------------------------------------

std::optional<std::string> TomlReader::string(const toml::node& node, const std::string& name) {
  const auto* value = node.as_string();
  if (value == nullptr) {
    error(node, name + ": expected a string");
    return std::nullopt;
  }
  auto expanded = expandEnv(value->get(), env_);
  if (!expanded) {
    error(node, name + ": " + expanded.error());
    return std::nullopt;
  }
  return std::move(*expanded);
}

std::optional<bool> TomlReader::boolean(const toml::node& node, const std::string& name) {
  const auto* value = node.as_boolean();
  if (value == nullptr) {
    error(node, name + ": expected true or false");
    return std::nullopt;
  }
  return value->get();
}

std::optional<int64_t> TomlReader::integer(const toml::node& node, const std::string& name,
                                           int64_t min, int64_t max) {
  const schema::Field field{"", "", "", schema::Kind::Integer, min, max, ""};
  return integer(node, name, field);
}


std::optional<int64_t> TomlReader::integer(const toml::node& node, const std::string& name,
                                           const schema::Field& field) {
  const auto* value = node.as_integer();
  if (value == nullptr) {
    error(node, name + ": " + schema::expected(schema::Kind::Integer));
    return std::nullopt;
  }
  return checked(node, name, schema::integer(field, value->get()));
}

std::optional<double> TomlReader::number(const toml::node& node, const std::string& name,
                                         const schema::Field& field) {
  std::optional<double> value;
  if (const auto* i = node.as_integer()) value = static_cast<double>(i->get());
  if (const auto* f = node.as_floating_point()) value = f->get();
  if (!value) {
    error(node, name + ": " + schema::expected(schema::Kind::Number));
    return std::nullopt;
  }
  return checked(node, name, schema::number(field, *value));
}

std::optional<std::string> TomlReader::text(const toml::node& node, const std::string& name,
                                            const schema::Field& field) {
  auto value = string(node, name);
  if (!value) return std::nullopt;
  return checked(node, name, schema::text(field, *value));
}

std::optional<Millis> TomlReader::duration(const toml::node& node, const std::string& name) {
  // Server-wide durations: greater than 0, no upper bound.
  static constexpr schema::Field kAnyDuration{"", "", "", schema::Kind::Duration, 1, 0, ""};
  return duration(node, name, kAnyDuration);
}

std::optional<Millis> TomlReader::duration(const toml::node& node, const std::string& name,
                                           const schema::Field& field) {
  if (const auto* number = node.as_integer())
    return checked(node, name, schema::durationSeconds(field, number->get()));
  if (!node.is_string()) {
    error(node, name + ": " + schema::expected(schema::Kind::Duration));
    return std::nullopt;
  }
  auto text = string(node, name);
  if (!text) return std::nullopt;
  return checked(node, name, schema::durationText(field, *text));
}

std::optional<uint64_t> TomlReader::size(const toml::node& node, const std::string& name,
                                         uint64_t min, std::string_view min_text) {
  std::optional<uint64_t> out;
  if (const auto* number = node.as_integer()) {
    if (number->get() < 0) {
      error(node, name + ": size must not be negative");
      return std::nullopt;
    }
    out = static_cast<uint64_t>(number->get());
  } else if (node.is_string()) {
    auto text = string(node, name);
    if (!text) return std::nullopt;
    auto parsed = parseSize(*text);
    if (!parsed) {
      error(node, name + ": bad size \"" + *text + "\": " + parsed.error());
      return std::nullopt;
    }
    out = *parsed;
  } else {
    error(node, name + ": expected a size such as \"16m\" or \"512k\" (an integer means bytes)");
    return std::nullopt;
  }
  if (*out < min) {
    error(node, name + ": must be at least " + std::string(min_text));
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> TomlReader::choice(const toml::node& node, const std::string& name,
                                              std::initializer_list<std::string_view> choices) {
  if (!node.is_string()) {
    error(node, name + ": expected " + quotedList(choices));
    return std::nullopt;
  }
  auto text = string(node, name);
  if (!text) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *text) == choices.end()) {
    error(node, name + ": expected " + quotedList(choices) + " (got \"" + *text + "\")");
    return std::nullopt;
  }
  return text;
}

std::optional<std::vector<std::string>> TomlReader::stringList(const toml::node& node,
                                                               const std::string& name) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    error(node, name + ": expected an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const toml::node& element : *array) {
    auto text = string(element, name);
    if (text && text->empty()) {
      error(element, name + ": entries must not be empty");
      text.reset();
    }
    if (!text) {
      ok = false;
      continue;
    }
    out.push_back(std::move(*text));
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<ListenAddress>> TomlReader::listenList(const toml::node& node,
                                                                 const std::string& name,
                                                                 const std::string& path,
                                                                 bool allow_empty) {
  std::vector<const toml::node*> elements;
  if (node.is_string()) {
    if (allow_empty && node.as_string()->get().empty()) return std::vector<ListenAddress>{};
    elements.push_back(&node);
  } else if (const toml::array* array = node.as_array()) {
    for (const toml::node& element : *array) elements.push_back(&element);
  } else {
    error(node, name + ": expected a string or an array of strings");
    positions_.markBad(path);
    return std::nullopt;
  }
  std::vector<ListenAddress> out;
  bool ok = true;
  for (const toml::node* element : elements) {
    std::string element_path = path + "[" + std::to_string(out.size()) + "]";
    auto text = string(*element, name);
    if (!text) {
      ok = false;
      continue;
    }
    auto address = parseListenAddress(*text);
    if (!address) {
      error(*element, name + ": bad listen address \"" + *text + "\": " + address.error());
      ok = false;
      continue;
    }
    positions_.set(element_path, posOf(element->source()));
    out.push_back(std::move(*address));
  }
  if (!ok) {
    positions_.markBad(path);
    return std::nullopt;
  }
  return out;
}

// ---- sections ------------------------------------------------------------------------------

void TomlReader::readServer(const toml::table& table, ServerConfig& s) {
  auto dur = [this](Millis& out) {
    return [this, &out](const toml::node& n, const std::string& name, const std::string&) {
      assign(duration(n, name), out);
    };
  };
  auto str = [this](std::string& out) {
    return [this, &out](const toml::node& n, const std::string& name, const std::string&) {
      assign(string(n, name), out);
    };
  };
  auto u32 = [this](uint32_t& out, int64_t min, int64_t max) {
    return
        [this, &out, min, max](const toml::node& n, const std::string& name, const std::string&) {
          if (auto v = integer(n, name, min, max)) out = static_cast<uint32_t>(*v);
        };
  };
  readFields(table, "[server]", "server", "server",
             {
                 {"listen",
                  [&](const toml::node& n, const std::string& name, const std::string& path) {
                    assign(listenList(n, name, path, false), s.listen);
                  }},
                 {"admin_listen",
                  [&](const toml::node& n, const std::string& name, const std::string& path) {
                    assign(listenList(n, name, path, true), s.admin_listen);
                  }},
                 {"workers",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    if (n.is_integer()) {
                      if (auto v = integer(n, name, 1, 256)) s.workers = static_cast<uint32_t>(*v);
                      return;
                    }
                    auto text = n.is_string() ? expandEnv(n.as_string()->get(), env_)
                                              : std::expected<std::string, std::string>{};
                    if (!n.is_string() || !text || *text != "auto") {
                      error(n, name + ": expected \"auto\" or an integer");
                      return;
                    }
                    s.workers = 0;
                  }},
                 {"admin_key", str(s.admin_key)},
                 {"max_body_size",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    assign(size(n, name, 1, "1 byte"), s.max_body_size);
                  }},
                 {"max_header_size",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    assign(size(n, name, 1024, "1k"), s.max_header_size);
                  }},
                 {"responses_item_store",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    auto bytes = size(n, name, 0, "0");
                    if (bytes && *bytes > kMaxItemStore) {
                      error(n, name + ": must be at most 64g");
                      return;
                    }
                    assign(std::move(bytes), s.responses_item_store);
                  }},
                 {"max_connections", u32(s.max_connections, 1, 10'000'000)},
                 {"keepalive_requests", u32(s.keepalive_requests, 1, 4'294'967'295)},
                 {"header_timeout", dur(s.header_timeout)},
                 {"body_timeout", dur(s.body_timeout)},
                 {"keepalive_timeout", dur(s.keepalive_timeout)},
                 {"send_timeout", dur(s.send_timeout)},
                 {"connect_timeout", dur(s.connect_timeout)},
                 {"request_timeout", dur(s.request_timeout)},
                 {"ttft_timeout", dur(s.ttft_timeout)},
                 {"stream_idle_timeout", dur(s.stream_idle_timeout)},
                 {"shutdown_timeout", dur(s.shutdown_timeout)},
                 {"provider_prefix", str(s.provider_prefix)},
                 {"allow_unauthenticated",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    assign(boolean(n, name), s.allow_unauthenticated);
                  }},
                 {"max_attempts", u32(s.max_attempts, 1, 10)},
                 {"budget_estimate_tokens", u32(s.budget_estimate_tokens, 0, 10'000'000)},
                 {"pid_file", str(s.pid_file)},
                 {"admin_ui_root",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    auto text = string(n, name);
                    if (text && !text->empty() && text->front() != '/') {
                      // Relative to the file, so `make run` finds the source tree's UI
                      // whatever the working directory.
                      const size_t slash = file_.rfind('/');
                      if (slash != std::string::npos) *text = file_.substr(0, slash + 1) + *text;
                    }
                    assign(std::move(text), s.admin_ui_root);
                  }},
                 {"user", str(s.user)},
                 {"group", str(s.group)},
                 {"unix_socket_mode",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    auto text = string(n, name);
                    if (!text) return;
                    auto mode = parseFileMode(*text);
                    if (!mode) {
                      error(n, name + ": expected an octal mode such as \"0660\" (got \"" +
                                   *text + "\")");
                      return;
                    }
                    s.unix_socket_mode = *mode;
                  }},
             });
}

void TomlReader::readLog(const toml::table& table, LogConfig& log) {
  auto path_value = [this](std::string& out) {
    return [this, &out](const toml::node& n, const std::string& name, const std::string&) {
      auto text = string(n, name);
      if (text && text->empty()) {
        error(n, name + ": must not be empty");
        return;
      }
      assign(std::move(text), out);
    };
  };
  readFields(
      table, "[log]", "log", "log",
      {
          {"error_log", path_value(log.error_log)},
          {"access_log", path_value(log.access_log)},
          {"level",
           [&](const toml::node& n, const std::string& name, const std::string&) {
             assign(choice(n, name, {"trace", "debug", "info", "warn", "error", "critical", "off"}),
                    log.level);
           }},
          {"access_format",
           [&](const toml::node& n, const std::string& name, const std::string&) {
             assign(choice(n, name, {"text", "json"}), log.access_format);
           }},
      });
}

void TomlReader::readDatabase(const toml::table& table, DatabaseConfig& db) {
  auto dur = [this](Millis& out) {
    return [this, &out](const toml::node& n, const std::string& name, const std::string&) {
      assign(duration(n, name), out);
    };
  };
  auto u32 = [this](uint32_t& out, int64_t min, int64_t max) {
    return
        [this, &out, min, max](const toml::node& n, const std::string& name, const std::string&) {
          if (auto v = integer(n, name, min, max)) out = static_cast<uint32_t>(*v);
        };
  };
  readFields(table, "[database]", "database", "database",
             {
                 // A libpq URI or key=value string: libpq itself judges it when connecting.
                 {"url",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    assign(string(n, name), db.url);
                  }},
                 {"connect_timeout", dur(db.connect_timeout)},
                 {"query_timeout", dur(db.query_timeout)},
                 {"usage_log",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    assign(boolean(n, name), db.usage_log);
                  }},
                 {"usage_batch_size", u32(db.usage_batch_size, 1, 10'000)},
                 {"usage_flush_interval", dur(db.usage_flush_interval)},
                 {"usage_buffer", u32(db.usage_buffer, 1, 10'000'000)},
             });
}

void TomlReader::readModelMapping(const toml::node& node, const std::string& name,
                                  const std::string& path, std::vector<ModelMapping>& mapping) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    error(node, name + ": expected a table of \"pattern\" = \"target\"");
    return;
  }
  for (auto&& [key, value] : *table) {
    std::string pattern(key.str());
    positions_.set(path + "." + pattern, posOf(key.source()));
    auto target = string(value, name + ".\"" + pattern + "\"");
    if (!target) continue;
    mapping.push_back(ModelMapping{std::move(pattern), std::move(*target)});
  }
  sortModelMapping(mapping);
}

void TomlReader::readProvider(const toml::table& table, const std::string& path,
                              ProviderConfig& p) {
  auto str = [this](std::string& out, const schema::Field& field) {
    return [this, &out, &field](const toml::node& n, const std::string& name, const std::string&) {
      assign(text(n, name, field), out);
    };
  };
  auto flag = [this](bool& out) {
    return [this, &out](const toml::node& n, const std::string& name, const std::string&) {
      assign(boolean(n, name), out);
    };
  };
  readFields(
      table, "[[provider]]", "provider", path,
      {
          {"id",
           [&](const toml::node& n, const std::string& name, const std::string& field_path) {
             auto text = string(n, name);
             if (text) text = checked(n, name, schema::providerId(*text));
             if (!text) positions_.markBad(field_path);
             assign(std::move(text), p.id);
           }},
          {"type",
           [&](const toml::node& n, const std::string& name, const std::string& field_path) {
             std::optional<std::string> text;
             if (n.is_string()) {
               text = string(n, name);
             } else {
               error(n, name + ": " + schema::expected(schema::Kind::ProviderType));
             }
             auto type = text ? checked(n, name, schema::providerType(*text)) : std::nullopt;
             if (!type) {
               positions_.markBad(field_path);
               return;
             }
             p.type = *type;
           }},
          {"api_base",
           [&](const toml::node& n, const std::string& name, const std::string& field_path) {
             auto text = string(n, name);
             if (!text) {
               positions_.markBad(field_path);
               return;
             }
             p.api_base = *text;
             auto url = parseUpstreamUrl(*text);
             if (!url) {
               error(n, name + ": " + url.error());
               positions_.markBad(field_path);
               return;
             }
             p.url = std::move(*url);
           }},
          {"api_key", str(p.api_key, schema::provider::kApiKey)},
          {"api_version", str(p.api_version, schema::provider::kApiVersion)},
          {"weight",
           [&](const toml::node& n, const std::string& name, const std::string&) {
             if (auto v = integer(n, name, schema::provider::kWeight))
               p.weight = static_cast<uint32_t>(*v);
           }},
          {"enabled", flag(p.enabled)},
          {"verify_ssl", flag(p.verify_ssl)},
          {"forward_organization_headers", flag(p.forward_organization_headers)},
          {"responses",
           [&](const toml::node& n, const std::string& name, const std::string&) {
             if (auto on = boolean(n, name)) p.responses = *on ? 1 : 0;
           }},
          {"ca_file", str(p.ca_file, schema::provider::kCaFile)},
          {"models", [&](const toml::node& n, const std::string& name,
                         const std::string&) { assign(stringList(n, name), p.models); }},
          {"model_mapping",
           [&](const toml::node& n, const std::string& name, const std::string& field_path) {
             readModelMapping(n, name, field_path, p.model_mapping);
           }},
          {"max_concurrent",
           [&](const toml::node& n, const std::string& name, const std::string&) {
             if (auto v = integer(n, name, schema::provider::kMaxConcurrent))
               p.max_concurrent = static_cast<uint32_t>(*v);
           }},
          {"queue_timeout",
           [&](const toml::node& n, const std::string& name, const std::string&) {
             assign(duration(n, name, schema::provider::kQueueTimeout), p.queue_timeout);
           }},
          {"max_fails",
           [&](const toml::node& n, const std::string& name, const std::string&) {
             if (auto v = integer(n, name, schema::provider::kMaxFails))
               p.max_fails = static_cast<uint32_t>(*v);
           }},
          {"fail_timeout",
           [&](const toml::node& n, const std::string& name, const std::string&) {
             assign(duration(n, name, schema::provider::kFailTimeout), p.fail_timeout);
           }},
          {"health_check_interval",
           [&](const toml::node& n, const std::string& name, const std::string&) {
             assign(duration(n, name, schema::provider::kHealthCheckInterval),
                    p.health_check_interval);
           }},
      });
}

// [fallbacks]: "model" = ["fallback", ...], at most kMaxFallbacks each.
void TomlReader::readFallbacks(const toml::table& table, std::vector<ModelFallback>& out) {
  constexpr size_t kMaxFallbacks = 8;
  for (auto&& [key, node] : table) {
    const std::string model(key.str());
    const std::string name = "fallbacks." + model;
    positions_.set(name, posOf(node.source()));
    auto list = stringList(node, name);
    if (!list) continue;
    std::string problem;
    if (model.empty()) problem = "the model name must not be empty";
    if (problem.empty() && (list->empty() || list->size() > kMaxFallbacks))
      problem = "expected 1 to " + std::to_string(kMaxFallbacks) + " model names";
    for (size_t i = 0; problem.empty() && i < list->size(); ++i) {
      const std::string& m = (*list)[i];
      if (m.empty()) {
        problem = "a model name must not be empty";
      } else if (m == model) {
        problem = "a model cannot fall back to itself";
      } else if (std::find(list->begin(), list->begin() + static_cast<ptrdiff_t>(i), m) !=
                 list->begin() + static_cast<ptrdiff_t>(i)) {
        problem = "\"" + m + "\" is listed twice";
      }
    }
    if (!problem.empty()) {
      error(node, name + ": " + problem);
      continue;
    }
    out.push_back({model, std::move(*list)});
  }
}

void TomlReader::readCache(const toml::table& table, CacheConfig& c) {
  auto dur = [this](Millis& out) {
    return [this, &out](const toml::node& n, const std::string& name, const std::string&) {
      assign(duration(n, name), out);
    };
  };
  readFields(table, "[cache]", "cache", "cache",
             {
                 {"default_ttl", dur(c.default_ttl)},
                 {"max_ttl", dur(c.max_ttl)},
                 {"max_entry_size",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    auto v = size(n, name, 1, "1 byte");
                    if (v && *v > (64u << 20)) {
                      error(n, name + ": must be at most 64m");
                      return;
                    }
                    assign(std::move(v), c.max_entry_size);
                  }},
                 {"memory_entries",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    if (auto v = integer(n, name, 0, 1'000'000))
                      c.memory_entries = static_cast<uint32_t>(*v);
                  }},
                 {"memory_size",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    assign(size(n, name, 1024, "1k"), c.memory_size);
                  }},
             });
}

void TomlReader::readTracing(const toml::table& table, TracingConfig& t) {
  static constexpr schema::Field kRatio{"", "", "", schema::Kind::Number, 0, 1, ""};
  readFields(
      table, "[tracing]", "tracing", "tracing",
      {
          {"otlp_endpoint", [&](const toml::node& n, const std::string& name,
                                const std::string&) { assign(string(n, name), t.otlp_endpoint); }},
          {"otlp_headers",
           [&](const toml::node& n, const std::string& name, const std::string&) {
             const toml::table* headers = n.as_table();
             if (headers == nullptr) {
               error(n, name + ": expected a table of header names and values, e.g. "
                               "{ \"x-api-key\" = \"${KEY}\" }");
               return;
             }
             std::vector<HttpHeader> out;
             for (auto&& [key, value] : *headers) {
               auto text = string(value, name + "." + std::string(key.str()));
               if (text) out.push_back({std::string(key.str()), std::move(*text)});
             }
             t.otlp_headers = std::move(out);
           }},
          {"service_name", [&](const toml::node& n, const std::string& name,
                               const std::string&) { assign(string(n, name), t.service_name); }},
          {"sample_ratio", [&](const toml::node& n, const std::string& name,
                               const std::string&) { assign(number(n, name, kRatio), t.sample_ratio); }},
          {"batch_size",
           [&](const toml::node& n, const std::string& name, const std::string&) {
             if (auto v = integer(n, name, 1, 10'000)) t.batch_size = static_cast<uint32_t>(*v);
           }},
          {"flush_interval", [&](const toml::node& n, const std::string& name,
                                 const std::string&) { assign(duration(n, name), t.flush_interval); }},
          {"queue_size",
           [&](const toml::node& n, const std::string& name, const std::string&) {
             if (auto v = integer(n, name, 1, 1'000'000)) t.queue_size = static_cast<uint32_t>(*v);
           }},
          {"export_timeout", [&](const toml::node& n, const std::string& name,
                                 const std::string&) { assign(duration(n, name), t.export_timeout); }},
      });
}

void TomlReader::readLangfuse(const toml::table& table, LangfuseConfig& l) {
  static constexpr schema::Field kRate{"", "", "", schema::Kind::Number, 0, 1, ""};
  auto str = [this](std::string& out) {
    return [this, &out](const toml::node& n, const std::string& name, const std::string&) {
      assign(string(n, name), out);
    };
  };
  readFields(table, "[langfuse]", "langfuse", "langfuse",
             {
                 {"host", str(l.host)},
                 {"public_key", str(l.public_key)},
                 {"secret_key", str(l.secret_key)},
                 {"sample_rate", [&](const toml::node& n, const std::string& name,
                                     const std::string&) { assign(number(n, name, kRate), l.sample_rate); }},
                 {"capture_content", [&](const toml::node& n, const std::string& name,
                                         const std::string&) { assign(boolean(n, name), l.capture_content); }},
                 {"max_content_size",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    auto v = size(n, name, 1, "1 byte");
                    if (v && *v > (1u << 20)) {
                      error(n, name + ": must be at most 1m");
                      return;
                    }
                    assign(std::move(v), l.max_content_size);
                  }},
                 {"redact",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    assign(stringList(n, name), l.redact);
                  }},
             });
}

void TomlReader::readExpiry(const toml::node& node, const std::string& name, int64_t& out) {
  using namespace std::chrono;
  std::optional<int64_t> seconds;
  auto civil = [](const toml::date& date) -> std::optional<int64_t> {
    year_month_day ymd{year{date.year}, month{date.month}, day{date.day}};
    if (!ymd.ok()) return std::nullopt;
    return int64_t{sys_days{ymd}.time_since_epoch().count()} * 86400;
  };
  if (const auto* value = node.as_date_time()) {
    // NOTE: a local date-time (no offset) is taken as UTC, as documented.
    const toml::date_time& dt = value->get();
    if (auto days = civil(dt.date)) {
      seconds = *days + dt.time.hour * 3600 + dt.time.minute * 60 + dt.time.second -
                (dt.offset ? dt.offset->minutes * 60 : 0);
    }
  } else if (const auto* date = node.as_date()) {
    seconds = civil(date->get());
  } else if (const auto* number = node.as_integer()) {
    seconds = number->get();
  } else if (node.is_string()) {
    auto text = string(node, name);
    if (!text) return;
    assign(checked(node, name, schema::expiresAt(*text)), out);
    return;
  } else {
    error(node, name + ": " + schema::expected(schema::Kind::Timestamp));
    return;
  }
  // A TOML date that does not exist (2030-02-30) is refused as "not after 1970" too.
  assign(checked(node, name, schema::expiresAtSeconds(seconds.value_or(0))), out);
}

void TomlReader::readRateLimit(const toml::node& node, const std::string& name,
                               const std::string& path, RateLimit& limit) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    error(node, name + ": expected a table { requests_per_second = N, burst = N }");
    return;
  }
  auto rate = [this](double& out, const schema::Field& field) {
    return [this, &out, &field](const toml::node& n, const std::string& field_name,
                                const std::string&) { assign(number(n, field_name, field), out); };
  };
  readFields(*table, name, name, path,
             {
                 {"requests_per_second",
                  rate(limit.requests_per_second, schema::key::kRequestsPerSecond)},
                 {"burst", rate(limit.burst, schema::key::kBurst)},
             });
  schema::applyDefaultBurst(limit);
}

void TomlReader::readModelLimits(const toml::node& node, const std::string& name,
                                 const std::string& path, std::vector<ModelLimit>& out) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    error(node, name + ": expected a table { \"model-pattern\" = { requests_per_second = N, "
                       "burst = N, tokens_per_minute = N } }");
    return;
  }
  // toml++ keeps a table's keys sorted; the rule is "first match in file order".
  std::vector<std::pair<const toml::key*, const toml::node*>> entries;
  for (auto&& [key, value] : *table) entries.emplace_back(&key, &value);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const auto& pa = a.first->source().begin;
    const auto& pb = b.first->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  for (const auto& [key, value] : entries) {
    const std::string pattern(key->str());
    const std::string entry_name = name + "." + pattern;
    if (pattern.empty()) {
      error(key->source(), name + ": a model pattern must not be empty");
      continue;
    }
    const toml::table* limits = value->as_table();
    if (limits == nullptr) {
      error(*value, entry_name + ": expected { requests_per_second = N, burst = N, "
                                 "tokens_per_minute = N }");
      continue;
    }
    ModelLimit ml;
    ml.model = pattern;
    bool any = false;
    auto rate = [&](double& target, const schema::Field& field) {
      return [&](const toml::node& n, const std::string& field_name, const std::string&) {
        if (auto v = number(n, field_name, field)) {
          target = *v;
          any = true;
        }
      };
    };
    readFields(*limits, entry_name, entry_name, path + "." + pattern,
               {
                   {"requests_per_second",
                    rate(ml.rate_limit.requests_per_second, schema::key::kRequestsPerSecond)},
                   {"burst", rate(ml.rate_limit.burst, schema::key::kBurst)},
                   {"tokens_per_minute",
                    [&](const toml::node& n, const std::string& field_name, const std::string&) {
                      if (auto v = integer(n, field_name, schema::key::kTokensPerMinute)) {
                        ml.tokens_per_minute = static_cast<uint64_t>(*v);
                        any = true;
                      }
                    }},
               });
    if (!any) {
      error(*value, entry_name + ": set requests_per_second or tokens_per_minute");
      continue;
    }
    schema::applyDefaultBurst(ml.rate_limit);
    out.push_back(std::move(ml));
  }
}

void TomlReader::readKey(const toml::table& table, const std::string& path, KeyConfig& k) {
  auto count = [this](uint64_t& out, const schema::Field& field) {
    return [this, &out, &field](const toml::node& n, const std::string& name, const std::string&) {
      if (auto v = integer(n, name, field)) out = static_cast<uint64_t>(*v);
    };
  };
  auto usd = [this](int64_t& out, const schema::Field& field) {
    return [this, &out, &field](const toml::node& n, const std::string& name, const std::string&) {
      auto value = number(n, name, field);
      if (value) assign(checked(n, name, schema::budgetMicros(field, *value)), out);
    };
  };
  bool has_key = false;
  bool key_ok = false;
  readFields(table, "[[key]]", "key", path,
             {
                 {"name",
                  [&](const toml::node& n, const std::string& name, const std::string& field_path) {
                    auto value = text(n, name, schema::key::kName);
                    if (!value) positions_.markBad(field_path);
                    assign(std::move(value), k.name);
                  }},
                 {"key",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    if (has_key) {
                      error(n, "key: give either key or key_sha256, not both");
                      key_ok = false;
                      return;
                    }
                    has_key = true;
                    const auto plain = text(n, name, schema::key::kKey);
                    if (!plain) return;
                    k.key_sha256 = sha256(*plain);
                    key_ok = true;
                  }},
                 {"key_sha256",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    positions_.set(path + ".key", posOf(n.source()));
                    if (has_key) {
                      error(n, "key: give either key or key_sha256, not both");
                      key_ok = false;
                      return;
                    }
                    has_key = true;
                    auto hex = string(n, name);
                    if (!hex) return;
                    auto digest = sha256FromHex(*hex);
                    if (!digest) {
                      error(n, name + ": " + schema::expected(schema::Kind::Sha256));
                      return;
                    }
                    k.key_sha256 = *digest;
                    key_ok = true;
                  }},
                 {"allowed_models",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    assign(stringList(n, name), k.allowed_models);
                  }},
                 {"enabled", [&](const toml::node& n, const std::string& name,
                                 const std::string&) { assign(boolean(n, name), k.enabled); }},
                 {"expires_at", [&](const toml::node& n, const std::string& name,
                                    const std::string&) { readExpiry(n, name, k.expires_at); }},
                 {"rate_limit",
                  [&](const toml::node& n, const std::string& name, const std::string& field_path) {
                    readRateLimit(n, name, field_path, k.rate_limit);
                  }},
                 {"tokens_per_minute", count(k.tokens_per_minute, schema::key::kTokensPerMinute)},
                 {"max_requests", count(k.max_requests, schema::key::kMaxRequests)},
                 {"rate_limit_per_model",
                  [&](const toml::node& n, const std::string& name, const std::string& field_path) {
                    readModelLimits(n, name, field_path, k.model_limits);
                  }},
                 {"max_budget", usd(k.max_budget, schema::key::kMaxBudget)},
                 {"soft_budget", usd(k.soft_budget, schema::key::kSoftBudget)},
                 {"budget_duration",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    auto value = text(n, name, schema::key::kBudgetDuration);
                    if (!value) return;
                    assign(checked(n, name, schema::budgetDuration(*value)), k.budget_duration);
                  }},
                 {"cache", [&](const toml::node& n, const std::string& name,
                               const std::string&) { assign(boolean(n, name), k.cache); }},
                 {"cache_namespace",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    assign(text(n, name, schema::key::kCacheNamespace), k.cache_namespace);
                  }},
             });
  if (!has_key) {
    error(table.source(), "key: one of key or key_sha256 is required");
  }
  if (!key_ok) positions_.markBad(path + ".key");
}

void TomlReader::readPrice(const toml::table& table, const std::string& path,
                           std::vector<PriceConfig>& out) {
  PriceConfig p;
  bool ok = true;
  bool has_model = false;
  auto micros = [&](int64_t& target, const schema::Field& field) {
    return [this, &ok, &target, &field](const toml::node& n, const std::string& name,
                                        const std::string&) {
      auto usd = number(n, name, field);
      if (!usd) {
        ok = false;
        return;
      }
      if (auto v = checked(n, name, schema::priceMicros(field, *usd))) target = *v;
    };
  };
  readFields(table, "[[price]]", "price", path,
             {
                 {"model",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    has_model = true;
                    auto value = text(n, name, schema::price::kModel);
                    if (!value) {
                      ok = false;
                      return;
                    }
                    if (std::string problem = schema::pricePatternProblem(*value);
                        !problem.empty()) {
                      error(n, name + ": " + problem);
                      ok = false;
                      return;
                    }
                    p.model = std::move(*value);
                  }},
                 {"provider",
                  [&](const toml::node& n, const std::string& name, const std::string&) {
                    auto value = string(n, name);
                    if (!value) {
                      ok = false;
                      return;
                    }
                    if (value->empty()) return;
                    auto id = checked(n, name, schema::providerId(*value));
                    if (!id) ok = false;
                    assign(std::move(id), p.provider);
                  }},
                 {"input_per_mtok", micros(p.input, schema::price::kInput)},
                 {"output_per_mtok", micros(p.output, schema::price::kOutput)},
                 {"cached_input_per_mtok", micros(p.cached_input, schema::price::kCachedInput)},
                 {"cache_write_per_mtok", micros(p.cache_write, schema::price::kCacheWrite)},
             });
  if (!has_model) {
    error(table.source(), "price.model: is required");
    return;
  }
  if (!ok) return;
  const std::string here = file_ + ":" + std::to_string(table.source().begin.line);
  auto [at, fresh] = price_origins_.try_emplace({p.model, p.provider}, here);
  if (!fresh) {
    error(table.source(), "price: model \"" + p.model + "\"" +
                              (p.provider.empty() ? "" : " provider \"" + p.provider + "\"") +
                              " is priced twice (first at " + at->second + ")");
    return;
  }
  out.push_back(std::move(p));
}

void TomlReader::readPrices(const toml::node& node, Config& config) {
  const toml::array* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    error(node, "price: expected [[price]] tables");
    return;
  }
  for (const toml::node& element : *array) {
    const std::string path = "price[" + std::to_string(config.prices.size()) + "]";
    readPrice(*element.as_table(), path, config.prices);
  }
}

void TomlReader::readIncludes(const toml::node& node, Config& config) {
  std::vector<const toml::node*> names;
  if (const toml::array* array = node.as_array()) {
    for (const toml::node& element : *array) names.push_back(&element);
  } else {
    names.push_back(&node);
  }
  const size_t slash = file_.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : file_.substr(0, slash + 1);
  for (const toml::node* name_node : names) {
    auto name = string(*name_node, "include");
    if (!name) continue;
    if (name->empty()) {
      error(*name_node, "include: a file name must not be empty");
      continue;
    }
    const std::string path = name->front() == '/' ? *name : dir + *name;
    toml::table included;
    try {
      included = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      const std::string description(e.description());
      if (e.source().begin.line == 0) {
        error(*name_node, "include: cannot read \"" + path + "\": " + description);
      } else {
        errors_.push_back(ConfigError{path, e.source().begin.line, e.source().begin.column,
                                      description});
      }
      continue;
    }
    TomlReader(path, env_, positions_, errors_, price_origins_).readIncluded(included, config);
  }
}

void TomlReader::readIncluded(const toml::table& root, Config& config) {
  for (auto&& [key, node] : root) {
    if (key.str() != "price") {
      error(key.source(), "an included file may hold only [[price]] tables (got \"" +
                              std::string(key.str()) + "\")");
      continue;
    }
    readPrices(node, config);
  }
}

void TomlReader::read(const toml::table& root, Config& config) {
  static const std::vector<std::string_view> kSections = {
      "server",  "log",      "database", "redis", "cache",    "tracing",
      "langfuse", "provider", "key",     "price", "fallbacks"};
  // Tables are visited in key order; errors are sorted by position at the end.
  for (auto&& [key, node] : root) {
    std::string_view section = key.str();
    if (section == "include") {
      readIncludes(node, config);
      continue;
    }
    if (section == "price") {
      readPrices(node, config);
      continue;
    }
    bool wants_array = section == "provider" || section == "key";
    bool known = std::find(kSections.begin(), kSections.end(), section) != kSections.end();
    if (!known && !node.is_table() && !node.is_array_of_tables()) {
      error(key.source(), "unknown key \"" + std::string(section) +
                              "\" at the top level (keys belong under a [section])");
      continue;
    }
    if (!known) {
      error(key.source(),
            "unknown section \"" + std::string(section) + "\"" + suggestion(section, kSections));
      continue;
    }
    if (wants_array) {
      const toml::array* array = node.as_array();
      if (array == nullptr || !array->is_array_of_tables()) {
        error(node, std::string(section) + ": expected [[" + std::string(section) + "]] tables");
        continue;
      }
      for (const toml::node& element : *array) {
        const toml::table& table = *element.as_table();
        if (section == "provider") {
          std::string path = "provider[" + std::to_string(config.providers.size()) + "]";
          positions_.set(path, posOf(table.source()));
          readProvider(table, path, config.providers.emplace_back());
        } else {
          std::string path = "key[" + std::to_string(config.keys.size()) + "]";
          positions_.set(path, posOf(table.source()));
          readKey(table, path, config.keys.emplace_back());
        }
      }
      continue;
    }
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      error(node, std::string(section) + ": expected a [" + std::string(section) + "] table");
      positions_.markBad(std::string(section));
      continue;
    }
    positions_.set(std::string(section), posOf(table->source()));
    if (section == "server") {
      readServer(*table, config.server);
    } else if (section == "log") {
      readLog(*table, config.log);
    } else if (section == "database") {
      readDatabase(*table, config.database);
    } else if (section == "cache") {
      readCache(*table, config.cache);
    } else if (section == "tracing") {
      readTracing(*table, config.tracing);
    } else if (section == "langfuse") {
      readLangfuse(*table, config.langfuse);
    } else if (section == "fallbacks") {
      readFallbacks(*table, config.fallbacks);
    } else if (section == "redis") {
      RedisConfig& redis = config.redis;
      readFields(
          *table, "[redis]", "redis", "redis",
          {
              {"url",
               [&](const toml::node& n, const std::string& name, const std::string&) {
                 auto url = string(n, name);
                 if (url && !url->empty()) {
                   if (auto ep = parseRedisUrl(*url); !ep) {
                     error(n, name + ": " + ep.error());
                     return;
                   }
                 }
                 assign(std::move(url), redis.url);
               }},
              {"key_prefix",
               [&](const toml::node& n, const std::string& name, const std::string&) {
                 assign(string(n, name), redis.key_prefix);
               }},
              {"on_failure",
               [&](const toml::node& n, const std::string& name, const std::string&) {
                 assign(choice(n, name, {"local", "deny"}), redis.on_failure);
               }},
              {"timeout", [&](const toml::node& n, const std::string& name,
                              const std::string&) { assign(duration(n, name), redis.timeout); }},
          });
    }
  }
}

}  // namespace

bool loadTomlConfig(std::string_view text, const std::string& file, const EnvLookup& env,
                    Config& config, ConfigPositions& positions, ConfigErrors& errors) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    errors.push_back(ConfigError{file, e.source().begin.line, e.source().begin.column,
                                 std::string(e.description())});
    return false;
  }
  PriceOrigins price_origins;
  TomlReader(file, env, positions, errors, price_origins).read(root, config);
  return true;
}

}  // namespace llmproxy::common
