// Which providers serve a requested model, grouped into tiers of equal specificity, and the
// model name each of them expects. Built once per config; read-only afterwards.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/base/result.h"
#include "common/config/config.h"
#include "common/config/model_pattern.h"

namespace llmproxy::worker {

// One provider able to serve the request.
struct Candidate {
  uint32_t provider = 0;    // index into the provider list the matcher was built from
  uint32_t weight = 1;      // the provider's weight (>= 1), for the balancer
  std::string_view target;  // model name to send upstream; views the matcher's storage, or the
                            // requested name itself (pattern in `models`, served as-is)
  bool operator==(const Candidate&) const = default;
};

// Providers that tie on specificity, in config order. The balancer chooses among them.
struct Tier {
  std::vector<Candidate> candidates;
  // FNV-1a over the provider indices: the same set of providers gives the same key whatever
  // the model, so a worker can keep one balancer state per key (nginx's upstream block).
  uint64_t key = 0;
};

// How a `models` entry or a `model_mapping` key is read: common::classifyModelPattern
// (common/config/model_pattern.h), the one rule shared with config validation. Regex when it
// holds one of ^ $ + ( ) [ ] { } | \ or ".*" / ".?" (RE2 syntax, anchored: full match); glob
// when it holds '*' or '?' otherwise ('*' any run, '?' one byte); exact otherwise. A lone '.'
// does not make a regex, so "gpt-3.5-turbo" stays an exact name (listed by /v1/models).

// The bytes every match of `pattern` must start with: "gpt-4" for "gpt-4*", "gpt-4(o|-turbo)"
// or "gpt-4\.1.*" ("gpt-4.1"). For regexes it is conservative: it stops at the first
// metacharacter, drops a literal that an optional quantifier (* ? {) applies to, and is empty
// when the pattern has a top-level '|'. The specificity of a pattern is this length.
std::string patternLiteralPrefix(std::string_view pattern, common::ModelPatternKind kind);

// The model index of one config snapshot. Owned by the snapshot (immutable, shared by all
// exchanges that pinned it); not copyable because candidates view its storage; movable.
//
// Specificity, most specific first (DESIGN.md §3, stage 5):
//   1. exact: the name is in a provider's `models` or is an exact `model_mapping` key;
//   2. patterns, by literal-prefix length, longest first; equal lengths tie in one tier
//      whatever the kinds (glob or regex).
// Each provider appears once, in its most specific tier. Inside one provider, the mapping
// used is the most specific match; `model_mapping` beats `models` at equal specificity, then
// the longer pattern, then the bytewise-smaller pattern. This rule depends on nothing
// declared in order, so file and database sources (JSONB loses key order) agree.
// Disabled providers are left out at build time.
//
// Cost per request: exact names are one hash lookup that returns a tier list precomputed at
// build (no allocation, no pattern scan, pattern tiers included). Other names scan the
// compiled patterns once (O(P) matches, P = number of pattern entries; globs are linear in
// practice, RE2 is linear-time) and build the tiers in the caller's scratch vector.
class ModelMatcher {
 public:
  // Compiles every pattern; a bad regex fails with the provider id and RE2's message.
  static common::Result<ModelMatcher> build(std::span<const common::ProviderConfig> providers);

  ModelMatcher(ModelMatcher&&) noexcept;
  ModelMatcher& operator=(ModelMatcher&&) noexcept;
  ModelMatcher(const ModelMatcher&) = delete;
  ModelMatcher& operator=(const ModelMatcher&) = delete;
  ~ModelMatcher();

  // Tiers for `model` (prefix already stripped), most specific first; empty = not served.
  // The span views either this matcher's storage (exact names; `scratch` untouched) or
  // `scratch` (patterns; cleared, then filled, its capacity reused across requests). It is
  // valid while both live and `scratch` is not modified. Targets may view `model`.
  std::span<const Tier> match(std::string_view model, std::vector<Tier>& scratch) const;

  // The same, copied (tests, admin tools).
  std::vector<Tier> match(std::string_view model) const;

  // Whether `model` is an exact name of the config (a `models` entry or an exact
  // `model_mapping` key of an enabled provider): a name that may label a metric.
  bool knowsExactly(std::string_view model) const { return exact_.find(model) != exact_.end(); }

  // Every exact name served by an enabled provider, sorted, unique (GET /v1/models).
  const std::vector<std::string>& exactModels() const { return exact_names_; }

 private:
  struct Pattern;
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  ModelMatcher();
  // Appends the pattern tiers for `model`, leaving out providers already in `out`.
  void scanPatterns(std::string_view model, std::vector<Tier>& out) const;

  std::vector<std::unique_ptr<Pattern>> patterns_;  // sorted: most specific first
  std::deque<std::string> targets_;                 // mapped names of exact entries (stable)
  std::unordered_map<std::string, std::vector<Tier>, StringHash, std::equal_to<>> exact_;
  std::vector<std::string> exact_names_;
};

}  // namespace llmproxy::worker
