// The model index: exact names precomputed into tier lists, patterns compiled and sorted.
#include "worker/routing/model_matcher.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <tuple>

namespace llmproxy::worker {

using common::ModelPatternKind;

struct ModelMatcher::Pattern {
  uint32_t provider = 0;
  uint32_t weight = 1;
  ModelPatternKind kind = ModelPatternKind::Glob;
  bool from_mapping = false;
  std::string text;
  std::string target;  // empty: the provider serves the requested name as-is
  std::string prefix;  // every match starts with it: a cheap reject before the real match
  std::unique_ptr<re2::RE2> regex;

  bool matches(std::string_view model) const {
    if (!model.starts_with(prefix)) return false;
    if (kind == ModelPatternKind::Glob) return common::globMatch(text, model);
    return re2::RE2::FullMatch(model, *regex);
  }
};

namespace {

size_t utf8Length(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// True when `regex` has an alternation outside every group: then no prefix is required.
bool hasTopLevelAlternation(std::string_view regex) {
  int depth = 0;
  bool in_class = false;
  for (size_t i = 0; i < regex.size(); ++i) {
    const char c = regex[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth <= 0) {
      return true;
    }
  }
  return false;
}

std::string regexLiteralPrefix(std::string_view regex) {
  if (hasTopLevelAlternation(regex)) return {};
  std::string out;
  size_t i = regex.starts_with('^') ? 1 : 0;
  while (i < regex.size()) {
    const char c = regex[i];
    size_t begin = i;
    size_t next = 0;
    if (c == '\\') {
      // An escaped punctuation character is a literal; \d, \w, \pN ... are classes.
      if (i + 1 >= regex.size() || !std::ispunct(static_cast<unsigned char>(regex[i + 1]))) break;
      begin = i + 1;
      next = i + 2;
    } else if (std::strchr(".^$*+?()[]{}|", c) != nullptr) {
      break;
    } else {
      next = std::min(regex.size(), i + utf8Length(static_cast<unsigned char>(c)));
    }
    if (next < regex.size() && std::strchr("*?{", regex[next]) != nullptr) break;  // optional
    out.append(regex.substr(begin, next - begin));
    if (next < regex.size() && regex[next] == '+') break;  // required once, then unknown
    i = next;
  }
  return out;
}

uint64_t tierKey(std::span<const Candidate> candidates) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (const Candidate& c : candidates) {
    for (int shift = 0; shift < 32; shift += 8) {
      hash ^= (c.provider >> shift) & 0xFF;
      hash *= 0x100000001b3ull;
    }
  }
  return hash;
}

void finishTier(Tier& tier) {
  std::sort(tier.candidates.begin(), tier.candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.provider < b.provider; });
  tier.key = tierKey(tier.candidates);
}

bool contains(const std::vector<Tier>& tiers, uint32_t provider) {
  for (const Tier& tier : tiers)
    for (const Candidate& c : tier.candidates)
      if (c.provider == provider) return true;
  return false;
}

}  // namespace

std::string patternLiteralPrefix(std::string_view pattern, ModelPatternKind kind) {
  switch (kind) {
    case ModelPatternKind::Exact:
      return std::string(pattern);
    case ModelPatternKind::Glob:
      return std::string(pattern.substr(0, pattern.find_first_of("*?")));
    case ModelPatternKind::Regex:
      return regexLiteralPrefix(pattern);
  }
  return {};
}

ModelMatcher::ModelMatcher() = default;
ModelMatcher::ModelMatcher(ModelMatcher&&) noexcept = default;
ModelMatcher& ModelMatcher::operator=(ModelMatcher&&) noexcept = default;
ModelMatcher::~ModelMatcher() = default;

common::Result<ModelMatcher> ModelMatcher::build(
    std::span<const common::ProviderConfig> providers) {
  ModelMatcher matcher;
  // Exact names: name -> provider -> mapped target ("" = as-is). std::map keeps it sorted.
  std::map<std::string, std::map<uint32_t, std::string>, std::less<>> exact;

  for (uint32_t index = 0; index < providers.size(); ++index) {
    const common::ProviderConfig& provider = providers[index];
    if (!provider.enabled) continue;
    const uint32_t weight = std::max<uint32_t>(provider.weight, 1);

    auto add = [&](const std::string& text, const std::string& target,
                   bool from_mapping) -> common::Result<void> {
      const ModelPatternKind kind = common::classifyModelPattern(text);
      if (kind == ModelPatternKind::Exact) {
        auto& served = exact[text];
        auto [it, inserted] = served.try_emplace(index, target);
        // A mapping beats a plain `models` entry for the same name; the first mapping wins.
        if (!inserted && from_mapping && it->second.empty()) it->second = target;
        return {};
      }
      auto pattern = std::make_unique<Pattern>();
      pattern->provider = index;
      pattern->weight = weight;
      pattern->kind = kind;
      pattern->from_mapping = from_mapping;
      pattern->text = text;
      pattern->target = target;
      pattern->prefix = patternLiteralPrefix(text, kind);
      if (kind == ModelPatternKind::Regex) {
        re2::RE2::Options options;
        options.set_log_errors(false);
        pattern->regex = std::make_unique<re2::RE2>(text, options);
        if (!pattern->regex->ok()) {
          return common::fail(common::ErrorKind::Internal, "provider \"" + provider.id +
                                                               "\": bad model regex \"" + text +
                                                               "\": " + pattern->regex->error());
        }
      }
      matcher.patterns_.push_back(std::move(pattern));
      return {};
    };

    for (const std::string& model : provider.models) {
      if (auto r = add(model, std::string(), false); !r) return std::unexpected(r.error());
    }
    for (const common::ModelMapping& mapping : provider.model_mapping) {
      if (auto r = add(mapping.pattern, mapping.target, true); !r) {
        return std::unexpected(r.error());
      }
    }
  }

  // Most specific first; the rest of the key only makes the order total and input-independent.
  std::sort(matcher.patterns_.begin(), matcher.patterns_.end(), [](const auto& a, const auto& b) {
    return std::tuple(b->prefix.size(), b->from_mapping, b->text.size(), std::string_view(a->text),
                      a->provider) < std::tuple(a->prefix.size(), a->from_mapping, a->text.size(),
                                                std::string_view(b->text), b->provider);
  });

  // Exact names: the whole answer (exact tier, then the pattern tiers) is computed here once.
  for (auto& [name, served] : exact) {
    auto [node, inserted] = matcher.exact_.try_emplace(name);
    const std::string& key = node->first;  // node-based map: the key's address is stable
    std::vector<Tier>& tiers = node->second;
    Tier& first = tiers.emplace_back();
    for (const auto& [provider, target] : served) {
      std::string_view view = key;
      if (!target.empty()) view = matcher.targets_.emplace_back(target);
      first.candidates.push_back(
          Candidate{provider, std::max<uint32_t>(providers[provider].weight, 1), view});
    }
    finishTier(first);
    matcher.scanPatterns(key, tiers);
    matcher.exact_names_.push_back(name);
  }
  return matcher;
}

void ModelMatcher::scanPatterns(std::string_view model, std::vector<Tier>& out) const {
  const size_t first_new = out.size();
  size_t tier_prefix = 0;
  for (const auto& pattern : patterns_) {
    if (contains(out, pattern->provider) || !pattern->matches(model)) continue;
    if (out.size() == first_new || pattern->prefix.size() != tier_prefix) {
      out.emplace_back();
      tier_prefix = pattern->prefix.size();
    }
    std::string_view target = pattern->target.empty() ? model : std::string_view(pattern->target);
    out.back().candidates.push_back(Candidate{pattern->provider, pattern->weight, target});
  }
  for (size_t i = first_new; i < out.size(); ++i) finishTier(out[i]);
}

std::span<const Tier> ModelMatcher::match(std::string_view model,
                                          std::vector<Tier>& scratch) const {
  if (auto it = exact_.find(model); it != exact_.end()) return it->second;
  scratch.clear();
  scanPatterns(model, scratch);
  return scratch;
}

std::vector<Tier> ModelMatcher::match(std::string_view model) const {
  std::vector<Tier> scratch;
  std::span<const Tier> tiers = match(model, scratch);
  if (tiers.data() == scratch.data()) return scratch;
  return {tiers.begin(), tiers.end()};
}

}  // namespace llmproxy::worker
