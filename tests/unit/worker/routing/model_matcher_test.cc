// ModelMatcher: exact beats patterns, longer literal prefix first, ties grouped, disabled out.
#include "worker/routing/model_matcher.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace llmproxy::worker {
namespace {

using common::ModelMapping;
using common::ModelPatternKind;
using common::ProviderConfig;

ProviderConfig provider(std::string id, std::vector<std::string> models,
                        std::vector<ModelMapping> mapping = {}, uint32_t weight = 1) {
  ProviderConfig p;
  p.id = std::move(id);
  p.models = std::move(models);
  p.model_mapping = std::move(mapping);
  p.weight = weight;
  return p;
}

// A tier as "provider:target" strings, for readable expectations.
using Flat = std::vector<std::vector<std::string>>;

Flat flatten(std::span<const Tier> tiers, const std::vector<ProviderConfig>& providers) {
  Flat out;
  for (const Tier& tier : tiers) {
    auto& row = out.emplace_back();
    for (const Candidate& c : tier.candidates)
      row.push_back(providers[c.provider].id + ":" + std::string(c.target));
  }
  return out;
}

ModelMatcher build(const std::vector<ProviderConfig>& providers) {
  auto matcher = ModelMatcher::build(providers);
  EXPECT_TRUE(matcher.has_value()) << (matcher ? "" : matcher.error().detail);
  return std::move(*matcher);
}

TEST(PatternLiteralPrefix, GlobAndRegex) {
  EXPECT_EQ(patternLiteralPrefix("gpt-4o", ModelPatternKind::Exact), "gpt-4o");
  EXPECT_EQ(patternLiteralPrefix("gpt-4*", ModelPatternKind::Glob), "gpt-4");
  EXPECT_EQ(patternLiteralPrefix("gpt-?o*", ModelPatternKind::Glob), "gpt-");
  EXPECT_EQ(patternLiteralPrefix("*-mini", ModelPatternKind::Glob), "");
  EXPECT_EQ(patternLiteralPrefix("claude-opus-4-5-.*", ModelPatternKind::Regex),
            "claude-opus-4-5-");
  EXPECT_EQ(patternLiteralPrefix("^gpt-4(o|-turbo)", ModelPatternKind::Regex), "gpt-4");
  EXPECT_EQ(patternLiteralPrefix(R"(gpt-4\.1.*)", ModelPatternKind::Regex), "gpt-4.1");
  EXPECT_EQ(patternLiteralPrefix(R"(gpt-4o?\d)", ModelPatternKind::Regex), "gpt-4");  // o optional
  EXPECT_EQ(patternLiteralPrefix(R"(gpt-4o+\d)", ModelPatternKind::Regex), "gpt-4o");
  EXPECT_EQ(patternLiteralPrefix(R"(ab{2}c)", ModelPatternKind::Regex), "a");
  EXPECT_EQ(patternLiteralPrefix(R"(gpt-4|claude.*)", ModelPatternKind::Regex), "");
  EXPECT_EQ(patternLiteralPrefix(R"([|]x.*)", ModelPatternKind::Regex), "");
  EXPECT_EQ(patternLiteralPrefix(R"(a\|b.*)", ModelPatternKind::Regex), "a|b");
  EXPECT_EQ(patternLiteralPrefix(R"(ab\d+)", ModelPatternKind::Regex), "ab");
  EXPECT_EQ(patternLiteralPrefix("(?i)gpt.*", ModelPatternKind::Regex), "");
  EXPECT_EQ(patternLiteralPrefix("caf\xC3\xA9?x+", ModelPatternKind::Regex), "caf");
}

TEST(ModelMatcher, ExactNamesFromModelsAndMapping) {
  std::vector<ProviderConfig> ps = {
      provider("a", {"gpt-4o", "gpt-4o-mini"}),
      provider("b", {"gpt-4o"}, {{"gpt-4", "gpt-4-turbo"}}),
  };
  ModelMatcher m = build(ps);
  EXPECT_EQ(flatten(m.match("gpt-4o"), ps), (Flat{{"a:gpt-4o", "b:gpt-4o"}}));
  EXPECT_EQ(flatten(m.match("gpt-4"), ps), (Flat{{"b:gpt-4-turbo"}}));
  EXPECT_EQ(flatten(m.match("gpt-4o-mini"), ps), (Flat{{"a:gpt-4o-mini"}}));
  EXPECT_TRUE(m.match("gpt-5").empty());
  EXPECT_TRUE(m.match("").empty());
  EXPECT_TRUE(m.match("GPT-4O").empty());  // names are case-sensitive
}

TEST(ModelMatcher, MappingBeatsModelsForTheSameName) {
  std::vector<ProviderConfig> ps = {provider("a", {"gpt-4"}, {{"gpt-4", "gpt-4-0613"}})};
  ModelMatcher m = build(ps);
  EXPECT_EQ(flatten(m.match("gpt-4"), ps), (Flat{{"a:gpt-4-0613"}}));
}

TEST(ModelMatcher, DotsDoNotMakeARegex) {
  std::vector<ProviderConfig> ps = {provider("a", {"gpt-3.5-turbo"}),
                                    provider("b", {}, {{"gpt-3.5.*", "b-35"}})};
  ModelMatcher m = build(ps);
  EXPECT_EQ(flatten(m.match("gpt-3.5-turbo"), ps), (Flat{{"a:gpt-3.5-turbo"}, {"b:b-35"}}));
  // '.' in an exact name is a plain dot (only the regex matches here).
  EXPECT_EQ(flatten(m.match("gpt-3x5-turbo"), ps), (Flat{{"b:b-35"}}));
  EXPECT_EQ(m.exactModels(), (std::vector<std::string>{"gpt-3.5-turbo"}));
}

TEST(ModelMatcher, ExactBeatsPatternsWhichBecomeFailoverTiers) {
  std::vector<ProviderConfig> ps = {
      provider("exact", {"gpt-4o"}),
      provider("glob", {}, {{"gpt-*", "glob-model"}}),
      provider("regex", {}, {{"gpt-4.*", "regex-model"}}),
      provider("anything", {}, {{"*", "fallback"}}),
  };
  ModelMatcher m = build(ps);
  EXPECT_EQ(
      flatten(m.match("gpt-4o"), ps),
      (Flat{{"exact:gpt-4o"}, {"regex:regex-model"}, {"glob:glob-model"}, {"anything:fallback"}}));
  EXPECT_EQ(flatten(m.match("gpt-4-turbo"), ps),
            (Flat{{"regex:regex-model"}, {"glob:glob-model"}, {"anything:fallback"}}));
  EXPECT_EQ(flatten(m.match("gpt-3"), ps), (Flat{{"glob:glob-model"}, {"anything:fallback"}}));
  EXPECT_EQ(flatten(m.match("llama"), ps), (Flat{{"anything:fallback"}}));
}

TEST(ModelMatcher, EqualPrefixesTieAcrossProvidersAndKinds) {
  std::vector<ProviderConfig> ps = {
      provider("p0", {}, {{"claude-.*", "c0"}}, 3),
      provider("p1", {"claude-*"}, {}, 1),  // a pattern in `models`: served as-is
      provider("p2", {}, {{"claude-?-opus", "c2"}}),
  };
  ModelMatcher m = build(ps);
  std::vector<Tier> scratch;
  auto tiers = m.match("claude-3-opus", scratch);
  EXPECT_EQ(flatten(tiers, ps), (Flat{{"p0:c0", "p1:claude-3-opus", "p2:c2"}}));
  ASSERT_EQ(tiers.size(), 1u);
  EXPECT_EQ(tiers[0].candidates[0].weight, 3u);
  EXPECT_EQ(tiers[0].candidates[1].weight, 1u);
  EXPECT_EQ(flatten(m.match("claude-haiku"), ps), (Flat{{"p0:c0", "p1:claude-haiku"}}));
}

TEST(ModelMatcher, AProviderAppearsOnceWithItsMostSpecificMapping) {
  std::vector<ProviderConfig> ps = {
      provider("a", {"*"}, {{"gpt-4*", "a-gpt4"}, {"gpt-*", "a-gpt"}}),
      provider("b", {}, {{"gpt-*", "b-gpt"}}),
  };
  ModelMatcher m = build(ps);
  EXPECT_EQ(flatten(m.match("gpt-4o"), ps), (Flat{{"a:a-gpt4"}, {"b:b-gpt"}}));
  EXPECT_EQ(flatten(m.match("gpt-3"), ps), (Flat{{"a:a-gpt", "b:b-gpt"}}));
  EXPECT_EQ(flatten(m.match("x"), ps), (Flat{{"a:x"}}));
}

TEST(ModelMatcher, TieInsideOneProviderIsDecidedWithoutDeclarationOrder) {
  // Same prefix length: mapping beats models, then the longer pattern, then bytewise order.
  auto check = [](std::vector<ModelMapping> mapping) {
    std::vector<ProviderConfig> ps = {provider("a", {"m-*"}, std::move(mapping))};
    ModelMatcher m = build(ps);
    return flatten(m.match("m-x-y"), ps);
  };
  Flat expected = {{"a:long"}};
  EXPECT_EQ(check({{"m-*", "short"}, {"m-*-y", "long"}}), expected);
  EXPECT_EQ(check({{"m-*-y", "long"}, {"m-*", "short"}}), expected);
  EXPECT_EQ(check({{"m-?-y", "q"}, {"m-*-y", "s"}}), (Flat{{"a:s"}}));  // '*' < '?'
  EXPECT_EQ(check({{"m-*-y", "s"}, {"m-?-y", "q"}}), (Flat{{"a:s"}}));
}

TEST(ModelMatcher, RegexIsAnchored) {
  std::vector<ProviderConfig> ps = {provider("a", {}, {{"gpt-4(o|-turbo)", "x"}})};
  ModelMatcher m = build(ps);
  EXPECT_EQ(m.match("gpt-4o").size(), 1u);
  EXPECT_EQ(m.match("gpt-4-turbo").size(), 1u);
  EXPECT_TRUE(m.match("gpt-4o-mini").empty());
  EXPECT_TRUE(m.match("xgpt-4o").empty());
}

TEST(ModelMatcher, GlobQuestionMark) {
  std::vector<ProviderConfig> ps = {provider("a", {}, {{"o?-mini", "x"}})};
  ModelMatcher m = build(ps);
  EXPECT_EQ(m.match("o1-mini").size(), 1u);
  EXPECT_EQ(m.match("o3-mini").size(), 1u);
  EXPECT_TRUE(m.match("o-mini").empty());
  EXPECT_TRUE(m.match("o10-mini").empty());
}

TEST(ModelMatcher, DisabledProvidersAreLeftOut) {
  std::vector<ProviderConfig> ps = {provider("off", {"m", "only-off"}, {{"m-*", "x"}}),
                                    provider("on", {"m"})};
  ps[0].enabled = false;
  ModelMatcher m = build(ps);
  EXPECT_EQ(flatten(m.match("m"), ps), (Flat{{"on:m"}}));
  EXPECT_TRUE(m.match("m-1").empty());
  EXPECT_TRUE(m.match("only-off").empty());
  EXPECT_EQ(m.exactModels(), (std::vector<std::string>{"m"}));
}

TEST(ModelMatcher, ExactModelsSortedUniqueWithoutPatterns) {
  std::vector<ProviderConfig> ps = {
      provider("a", {"zeta", "alpha", "gpt-*"}, {{"beta", "b"}, {"re.*", "r"}}),
      provider("b", {"alpha", "gamma"}),
  };
  ModelMatcher m = build(ps);
  EXPECT_EQ(m.exactModels(), (std::vector<std::string>{"alpha", "beta", "gamma", "zeta"}));
}

TEST(ModelMatcher, TierKeysDependOnTheProviderSetOnly) {
  std::vector<ProviderConfig> ps = {provider("a", {"x", "y"}), provider("b", {"x", "y", "z"})};
  ModelMatcher m = build(ps);
  auto x = m.match("x");
  auto y = m.match("y");
  auto z = m.match("z");
  EXPECT_EQ(x[0].key, y[0].key);
  EXPECT_NE(x[0].key, z[0].key);
}

TEST(ModelMatcher, ExactLookupViewsPrecomputedTiers) {
  std::vector<ProviderConfig> ps = {provider("a", {"x"}), provider("b", {}, {{"*", "any"}})};
  ModelMatcher m = build(ps);
  std::vector<Tier> scratch;
  auto first = m.match("x", scratch);
  auto second = m.match("x", scratch);
  EXPECT_EQ(first.data(), second.data());  // no work per request: the same storage
  EXPECT_TRUE(scratch.empty());
  auto pattern = m.match("other", scratch);
  EXPECT_EQ(pattern.data(), scratch.data());
  EXPECT_EQ(flatten(pattern, ps), (Flat{{"b:any"}}));
}

TEST(ModelMatcher, MovedMatcherKeepsValidTargets) {
  std::vector<ProviderConfig> ps = {provider("a", {"short"}, {{"m", "t"}, {"g*", "u"}})};
  ModelMatcher m = build(ps);
  ModelMatcher moved = std::move(m);
  EXPECT_EQ(flatten(moved.match("m"), ps), (Flat{{"a:t"}}));
  EXPECT_EQ(flatten(moved.match("short"), ps), (Flat{{"a:short"}}));
  EXPECT_EQ(flatten(moved.match("gg"), ps), (Flat{{"a:u"}}));
}

TEST(ModelMatcher, BadRegexFailsTheBuild) {
  std::vector<ProviderConfig> ps = {provider("bad", {}, {{"gpt-(4", "x"}})};
  auto m = ModelMatcher::build(ps);
  ASSERT_FALSE(m.has_value());
  EXPECT_NE(m.error().detail.find("bad"), std::string::npos);
  EXPECT_NE(m.error().detail.find("gpt-(4"), std::string::npos);
}

TEST(ModelMatcher, NoProviders) {
  std::vector<ProviderConfig> ps;
  ModelMatcher m = build(ps);
  EXPECT_TRUE(m.match("x").empty());
  EXPECT_TRUE(m.exactModels().empty());
}

}  // namespace
}  // namespace llmproxy::worker
