// Row validation and the file + database merge.
#include "master/db_merge.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <string_view>

#include "common/config/validate.h"

namespace llmproxy::master {
namespace {

// The column a validation message is about ("provider.weight: ..." -> "weight").
std::string fieldOf(std::string_view message, std::string_view prefix,
                    std::initializer_list<std::pair<std::string_view, std::string_view>> known) {
  for (const auto& [needle, column] : known)
    if (message.find(needle) != std::string_view::npos) return std::string(column);
  if (message.starts_with(prefix)) {
    message.remove_prefix(prefix.size());
    return std::string(message.substr(0, message.find_first_of(": ")));
  }
  return "row";
}

common::ConfigErrors validateAlone(const common::Config& file, common::ProviderConfig provider) {
  common::Config one;
  one.server = file.server;
  one.redis = file.redis;
  one.database.url = "database";  // keys may come from elsewhere: no "no [[key]]" error
  one.providers.push_back(std::move(provider));
  common::ConfigErrors errors;
  common::validateConfig(one, "database", nullptr, errors);
  return errors;
}

common::ConfigErrors validateAlone(const common::Config& file, common::KeyConfig key) {
  common::Config one;
  one.server = file.server;
  one.redis = file.redis;
  one.database.url = "database";
  one.keys.push_back(std::move(key));
  common::ConfigErrors errors;
  common::validateConfig(one, "database", nullptr, errors);
  return errors;
}

std::string joinMessages(const common::ConfigErrors& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    out += e.message;
  }
  return out;
}

}  // namespace

void dropInvalidRows(DbRows& rows, const common::Config& file) {
  std::vector<common::ProviderConfig> providers;
  for (auto& p : rows.providers) {
    auto errors = validateAlone(file, p);
    if (errors.empty()) {
      providers.push_back(std::move(p));
      continue;
    }
    rows.skipped.push_back(RowProblem{
        "providers", p.db_id, p.id,
        fieldOf(errors.front().message, "provider.",
                {{"api_base", "api_base"},
                 {"provider.id", "provider_key"},
                 {"duplicate provider id", "provider_key"}}),
        joinMessages(errors)});
  }
  rows.providers = std::move(providers);

  // A name is one credential's: a row whose name a file [[key]] or an earlier row already
  // has is skipped (a row with a file key's digest replaces that key, name included).
  std::map<std::string, std::string, std::less<>> names;  // name -> who has it
  for (const auto& k : file.keys) names.emplace(k.name, "a [[key]] of the file");
  std::vector<common::KeyConfig> keys;
  for (auto& k : rows.keys) {
    auto errors = validateAlone(file, k);
    if (errors.empty()) {
      const bool replaces_file_key =
          std::any_of(file.keys.begin(), file.keys.end(), [&](const common::KeyConfig& f) {
            return f.name == k.name && f.key_sha256 == k.key_sha256;
          });
      auto [it, inserted] = names.emplace(k.name, "credentials id=" + std::to_string(k.db_id));
      if (!inserted && !replaces_file_key) {
        rows.skipped.push_back(RowProblem{"credentials", k.db_id, k.name, "name",
                                          "duplicate name: " + it->second + " has it"});
        continue;
      }
      keys.push_back(std::move(k));
      continue;
    }
    rows.skipped.push_back(RowProblem{
        "credentials", k.db_id, k.name,
        fieldOf(errors.front().message, "key.",
                {{"\"name\"", "name"},
                 {"key.rate_limit.burst", "rate_limit_burst"},
                 {"key.rate_limit", "rate_limit_rps"}}),
        joinMessages(errors)});
  }
  rows.keys = std::move(keys);
}

common::Config mergeDbRows(const common::Config& file, const DbRows& rows) {
  common::Config out = file;
  out.source = file.source + " + database";

  std::map<std::string, size_t, std::less<>> provider_at;  // copies: out.providers grows
  for (size_t i = 0; i < out.providers.size(); ++i) provider_at.emplace(out.providers[i].id, i);
  for (const auto& p : rows.providers) {
    if (auto it = provider_at.find(p.id); it != provider_at.end()) {
      out.providers[it->second] = p;
    } else {
      out.providers.push_back(p);
    }
  }

  std::map<common::Sha256, size_t> key_at;
  for (size_t i = 0; i < out.keys.size(); ++i) key_at.emplace(out.keys[i].key_sha256, i);
  for (const auto& k : rows.keys) {
    if (auto it = key_at.find(k.key_sha256); it != key_at.end()) {
      out.keys[it->second] = k;
    } else {
      out.keys.push_back(k);
    }
  }

  // The table's UNIQUE (model, provider) keeps rows apart; a row replaces the file's twin.
  std::map<std::pair<std::string, std::string>, size_t> price_at;
  for (size_t i = 0; i < out.prices.size(); ++i)
    price_at.emplace(std::pair(out.prices[i].model, out.prices[i].provider), i);
  for (const auto& p : rows.prices) {
    if (auto it = price_at.find(std::pair(p.model, p.provider)); it != price_at.end()) {
      out.prices[it->second] = p;
    } else {
      out.prices.push_back(p);
    }
  }
  return out;
}

}  // namespace llmproxy::master
