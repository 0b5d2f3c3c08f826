// The config schema's checks (bounds, text forms, provider type and id, expiry, burst default)
// and the rule that every field in its tables is documented.
#include "common/config/schema.h"

#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <sstream>

namespace llmproxy::common::schema {
namespace {

TEST(Schema, IntegerBounds) {
  EXPECT_EQ(integer(provider::kWeight, int64_t{1}), 1);
  EXPECT_EQ(integer(provider::kWeight, int64_t{1000}), 1000);
  EXPECT_EQ(integer(provider::kWeight, int64_t{0}).error(), "must be between 1 and 1000 (got 0)");
  EXPECT_EQ(integer(provider::kWeight, int64_t{1001}).error(),
            "must be between 1 and 1000 (got 1001)");
  EXPECT_EQ(unsignedInteger(key::kMaxRequests, std::numeric_limits<uint64_t>::max()).error(),
            "must be between 0 and 9223372036854775807 (got 18446744073709551615)");
  EXPECT_EQ(unsignedInteger(key::kMaxRequests, uint64_t{7}), 7);
}

TEST(Schema, IntegerText) {
  EXPECT_EQ(integerText(provider::kWeight, "7"), 7);
  EXPECT_EQ(integerText(provider::kWeight, "-3").error(), "must be between 1 and 1000 (got -3)");
  for (const char* bad : {"", "-", " 7", "7 ", "+7", "1e3", "7.0", "0x10", "seven"})
    EXPECT_EQ(integerText(provider::kWeight, bad).error(), "expected an integer") << bad;
  EXPECT_EQ(integerText(key::kTokensPerMinute, "99999999999999999999").error(),
            "must be between 0 and 9223372036854775807 (got 99999999999999999999)");
}

TEST(Schema, NumberBoundsAndText) {
  EXPECT_EQ(number(key::kBurst, 0.0), 0.0);
  EXPECT_EQ(number(key::kBurst, 1e9), 1e9);
  EXPECT_EQ(number(key::kBurst, -1).error(), "must be between 0 and 1000000000 (got -1)");
  EXPECT_EQ(number(key::kBurst, 1e9 + 1).error(),
            "must be between 0 and 1000000000 (got 1000000001)");
  EXPECT_EQ(number(key::kBurst, std::numeric_limits<double>::infinity()).error(),
            "expected a number");
  EXPECT_EQ(number(key::kBurst, std::numeric_limits<double>::quiet_NaN()).error(),
            "expected a number");
  EXPECT_EQ(numberText(key::kBurst, "2.5"), 2.5);
  EXPECT_EQ(numberText(key::kBurst, "-0.5").error(), "must be between 0 and 1000000000 (got -0.5)");
  for (const char* bad : {"", "NaN", "Infinity", "fast", "1,5", " 1"})
    EXPECT_EQ(numberText(key::kBurst, bad).error(), "expected a number") << bad;
}

TEST(Schema, TextBounds) {
  EXPECT_EQ(text(key::kName, "n"), "n");
  EXPECT_EQ(text(key::kName, "").error(), "must not be empty");
  EXPECT_EQ(text(key::kCacheNamespace, ""), "");
  EXPECT_EQ(text(key::kCacheNamespace, std::string(128, 'x')), std::string(128, 'x'));
  EXPECT_EQ(text(key::kCacheNamespace, std::string(129, 'x')).error(),
            "must be at most 128 bytes");
  EXPECT_EQ(text(key::kName, std::string_view("a\0b", 3)).error(),
            "must not contain NUL characters");
}

TEST(Schema, Durations) {
  const Field& f = provider::kQueueTimeout;
  EXPECT_EQ(durationText(f, "250ms"), Millis{250});
  EXPECT_EQ(durationText(f, "60s"), Millis{60'000});
  EXPECT_EQ(durationText(f, "60001ms").error(), "must be at most 60s");
  EXPECT_EQ(durationText(f, "0s").error(), "must be greater than 0");
  EXPECT_EQ(durationText(f, "30x").error(),
            "bad duration \"30x\": unknown unit \"x\" (use ms, s, m or h)");
  EXPECT_EQ(durationText(f, "-1s").error(), "bad duration \"-1s\": duration must not be negative");
  EXPECT_EQ(durationSeconds(f, 1), Millis{1000});
  EXPECT_EQ(durationSeconds(f, -1).error(), "duration must not be negative");
  EXPECT_EQ(durationSeconds(f, std::numeric_limits<int64_t>::max()).error(),
            "duration is too large");
}

TEST(Schema, ProviderTypeNamesRoundTrip) {
  for (ProviderType t : {ProviderType::OpenAI, ProviderType::OpenAICompatible, ProviderType::Azure,
                         ProviderType::Anthropic})
    EXPECT_EQ(providerType(providerTypeName(t)), t);
  EXPECT_EQ(providerType("OpenAI").error(),
            "expected \"openai\", \"openai-compatible\", \"azure\" or \"anthropic\" (got "
            "\"OpenAI\")");
}

TEST(Schema, ProviderIds) {
  EXPECT_EQ(providerId("openai-main_2.eu"), "openai-main_2.eu");
  EXPECT_EQ(providerId(std::string(128, 'a')), std::string(128, 'a'));
  EXPECT_EQ(providerId(std::string(129, 'a')).error(), "must be at most 128 characters");
  EXPECT_EQ(providerId("").error(), "must not be empty");
  EXPECT_EQ(providerId("a/b").error(), "use only letters, digits, '.', '_' and '-' (got \"a/b\")");
}

TEST(Schema, Expiry) {
  EXPECT_EQ(expiresAt("1970-01-01T00:00:01Z"), 1);
  EXPECT_EQ(expiresAt("2030-01-02T03:04:05.999Z"), 1893553445) << "rounded down to the second";
  EXPECT_EQ(expiresAt("1970-01-01T00:00:00Z").error(), "must be a valid date after 1970-01-01");
  EXPECT_EQ(expiresAt("1970-01-01T00:00:00.5Z").error(), "must be a valid date after 1970-01-01");
  EXPECT_EQ(expiresAt("next year").error(),
            "expected an RFC 3339 date-time such as \"2026-01-31T00:00:00Z\"");
  EXPECT_EQ(expiresAtSeconds(86400), 86400);
  EXPECT_FALSE(expiresAtSeconds(0));
}

TEST(Schema, BurstDefault) {
  EXPECT_EQ(defaultBurst(0, 0), 0);
  EXPECT_EQ(defaultBurst(0.5, 0), 1) << "at least one request";
  EXPECT_EQ(defaultBurst(10, 0), 10) << "one second's worth";
  EXPECT_EQ(defaultBurst(10, 3), 3) << "a written burst stays";
  RateLimit limit{4, 0};
  applyDefaultBurst(limit);
  EXPECT_EQ(limit.burst, 4);
}

TEST(Schema, ModelMappingEntries) {
  EXPECT_EQ(modelMappingProblem("gpt-4", "t"), "");
  EXPECT_EQ(modelMappingProblem("gpt-*", "t"), "");
  EXPECT_EQ(modelMappingProblem("o[13]-mini", "t"), "");
  EXPECT_EQ(modelMappingProblem("", "t"), "patterns and targets must not be empty");
  EXPECT_EQ(modelMappingProblem("gpt-4", ""), "patterns and targets must not be empty");
  EXPECT_EQ(modelMappingProblem("x[", "t"), "bad regex \"x[\": missing ]: [");
}

std::string readDoc(const char* relative) {
  std::ifstream in(std::string(LLMPROXY_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The table row of `name` in a Markdown table ("| `name` | ..."), or "".
std::string docRow(const std::string& doc, std::string_view name) {
  const std::string head = "| `" + std::string(name.substr(0, name.find('.'))) + "` |";
  const size_t at = doc.find(head);
  if (at == std::string::npos) return "";
  return doc.substr(at, doc.find('\n', at) - at);
}

// Adding a field is a change to the tables plus its docs: this fails until the docs have it.
TEST(Schema, EveryFieldIsDocumented) {
  const std::string conf = readDoc("docs/configuration.md");
  const std::string admin = readDoc("docs/admin-api.md");
  ASSERT_FALSE(conf.empty());
  ASSERT_FALSE(admin.empty());
  auto check = [&](const Field& f) {
    const std::string row = docRow(conf, f.name);
    EXPECT_FALSE(row.empty()) << f.name << " is not in docs/configuration.md";
    if (!f.member.empty()) {
      EXPECT_FALSE(docRow(admin, f.member).empty()) << f.member << " is not in docs/admin-api.md";
    }
    // Integer bounds are written "min..max" in the file's docs (unbounded ones as ">= 0").
    if (f.kind == Kind::Integer && f.max < kMaxCount) {
      EXPECT_NE(row.find(std::to_string(f.min) + ".." + std::to_string(f.max)), std::string::npos)
          << row;
    }
  };
  for (const Field* f : provider::kAll) check(*f);
  for (const Field* f : key::kAll) check(*f);
  for (const Field* f : price::kAll) check(*f);
}

}  // namespace
}  // namespace llmproxy::common::schema
