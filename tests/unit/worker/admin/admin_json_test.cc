// Admin API body checks, ids, masks, times and generated keys.
#include <gtest/gtest.h>

#include <set>

#include "worker/admin/admin_json.h"
#include "worker/admin/credential_json.h"
#include "worker/admin/provider_json.h"

namespace llmproxy::worker::admin {
namespace {

FieldError bodyError(std::string_view text, std::initializer_list<std::string_view> fields,
                     std::initializer_list<std::string_view> read_only = {}) {
  JsonBody body;
  EXPECT_FALSE(body.parse(text, fields, read_only)) << text;
  return body.ok() ? FieldError{"<ok>", ""} : body.error();
}

TEST(AdminJsonBody, RefusesWhatIsNotOneCleanObject) {
  EXPECT_EQ(bodyError("", {"a"}).param, "");
  EXPECT_EQ(bodyError("[1]", {"a"}).message, "the request body must be a JSON object");
  EXPECT_EQ(bodyError("{\"a\":", {"a"}).param, "");
  EXPECT_EQ(bodyError("{\"b\":1}", {"a"}).param, "b");
  EXPECT_EQ(bodyError("{\"id\":1}", {"a"}, {"id"}).message, "'id' is read-only");
  EXPECT_EQ(bodyError("{\"a\":1,\"a\":2}", {"a"}).param, "a");
  const std::string deep = "{\"a\":" + std::string(40, '[') + std::string(40, ']') + "}";
  EXPECT_NE(bodyError(deep, {"a"}).message.find("nested deeper"), std::string::npos);
  JsonBody empty;
  EXPECT_TRUE(empty.parse(" \n", {"a"}, {}, true));
  EXPECT_EQ(empty.size(), 0u);
}

TEST(AdminJsonBody, TypedReadersCheckTypeAndBounds) {
  JsonBody body;
  ASSERT_TRUE(body.parse(R"({"s":"a\u0000b","i":5,"d":2.5,"u":18446744073709551615,"b":true,
                            "l":["x",""],"long":"abcdef"})",
                         {"s", "i", "d", "u", "b", "l", "long"}));
  EXPECT_FALSE(body.string(*body.get("s"), "s", 100));
  EXPECT_EQ(body.error().message, "s: must not contain NUL characters");
  auto check = [](auto fn, const char* param) {
    JsonBody b;
    EXPECT_TRUE(b.parse(R"({"i":5,"d":2.5,"u":18446744073709551615,"l":["x",""],"long":"abcdef"})",
                        {"i", "d", "u", "l", "long"}));
    EXPECT_FALSE(fn(b)) << param;
    EXPECT_EQ(b.error().param, param);
  };
  check([](JsonBody& b) { return b.integer(*b.get("i"), "i", 6, 9).has_value(); }, "i");
  check([](JsonBody& b) { return b.integer(*b.get("d"), "d", 0, 9).has_value(); }, "d");
  check([](JsonBody& b) { return b.integer(*b.get("u"), "u", 0, 9).has_value(); }, "u");
  check([](JsonBody& b) { return b.number(*b.get("d"), "d", 3, 9).has_value(); }, "d");
  check([](JsonBody& b) { return b.boolean(*b.get("i"), "i").has_value(); }, "i");
  check([](JsonBody& b) { return b.stringList(*b.get("l"), "l", 10).has_value(); }, "l");
  check([](JsonBody& b) { return b.string(*b.get("long"), "long", 5).has_value(); }, "long");
  JsonBody ok;
  ASSERT_TRUE(ok.parse(R"({"i":5,"d":2.5,"b":false})", {"i", "d", "b"}));
  EXPECT_EQ(ok.integer(*ok.get("i"), "i", 0, 9), 5);
  EXPECT_EQ(ok.number(*ok.get("i"), "i", 0, 9), 5.0);
  EXPECT_EQ(ok.number(*ok.get("d"), "d", 0, 9), 2.5);
  EXPECT_EQ(ok.boolean(*ok.get("b"), "b"), false);
  EXPECT_TRUE(ok.ok());
}

TEST(AdminIds, OnlyPlainPositiveInt32s) {
  EXPECT_EQ(numericId("1"), 1);
  EXPECT_EQ(numericId("2147483647"), 2147483647);
  for (const char* bad : {"", "0", "01", "-1", "+1", "2147483648", "99999999999", "1e3", "1 ", "x"})
    EXPECT_FALSE(numericId(bad)) << bad;
}

// The RFC 3339 rule itself is the shared one (scalars_test.cc); the admin API stores the
// checked instant as canonical UTC text and shows keys masked by the shared rule.
TEST(AdminFormats, ExpiryIsCheckedAndStoredAsUtcAndKeysAreMasked) {
  FieldError e;
  auto offset = readCredentialBody(R"({"expires_at":"2026-01-02 03:04:05.5+02:00"})", false, e);
  ASSERT_TRUE(offset) << e.message;
  EXPECT_EQ(offset->expires_at, "2026-01-02T01:04:05Z");
  for (const char* bad : {"2026-12-31", "2026-12-31T23:59:59", "tomorrow", "2026-02-30T00:00:00Z",
                          "2026-12-31T23:59:59+0200", "1969-12-31T23:59:59Z"}) {
    EXPECT_FALSE(readCredentialBody(std::string(R"({"expires_at":")") + bad + "\"}", false, e))
        << bad;
    EXPECT_EQ(e.param, "expires_at") << bad;
  }
  EXPECT_EQ(maskSecret(""), "");
  EXPECT_EQ(maskSecret("short-key"), "****");
  EXPECT_EQ(maskSecret("sk-0123456789abcd"), "****abcd");
}

TEST(AdminKeys, GeneratedKeysAreLongUrlSafeAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto key = generateClientKey();
    ASSERT_TRUE(key);
    ASSERT_TRUE(key->starts_with("sk-llmp-"));
    EXPECT_EQ(key->size(), 8u + 43u);  // 256 bits in base64url, no padding
    for (char c : key->substr(8))
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << *key;
    seen.insert(*key);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(AdminProviderBody, AppliesTheLoadersRules) {
  FieldError e;
  EXPECT_FALSE(readProviderBody(R"({"provider_key":"p","api_base":"http://a","provider_type":"azure"})", true, e));
  EXPECT_EQ(e.param, "api_version");
  EXPECT_FALSE(readProviderBody(R"({"provider_key":"p","api_base":"http://a","model_mapping":{"x[":"y"}})", true, e));
  EXPECT_EQ(e.param, "model_mapping.x[");
  EXPECT_FALSE(readProviderBody(R"({"api_key":"****abcd"})", false, e));
  EXPECT_EQ(e.param, "api_key");
  EXPECT_FALSE(readProviderBody("{}", false, e));
  EXPECT_EQ(e.message, "the body sets no field");
  auto f = readProviderBody(
      R"({"provider_key":"p","api_base":"https://h/v1","model_mapping":{"gpt-*":"m","a.*":"b"},"models":["x"]})",
      true, e);
  ASSERT_TRUE(f) << e.message;
  EXPECT_EQ(f->model_mapping, R"({"gpt-*":"m","a.*":"b"})");
  EXPECT_EQ(f->models, R"(["x"])");
  EXPECT_FALSE(f->weight);
  // PUT: a partial body is fine, nothing is required.
  auto partial = readProviderBody(R"({"weight":7})", false, e);
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->weight, 7);
  EXPECT_FALSE(partial->provider_key);
}

TEST(AdminCredentialBody, ExpiryNullRotationAndLimits) {
  FieldError e;
  auto never = readCredentialBody(R"({"expires_at":null})", false, e);
  ASSERT_TRUE(never);
  EXPECT_TRUE(never->expires_at_set);
  EXPECT_FALSE(never->expires_at);
  auto untouched = readCredentialBody(R"({"cache":true})", false, e);
  ASSERT_TRUE(untouched);
  EXPECT_FALSE(untouched->expires_at_set);
  EXPECT_FALSE(readCredentialBody(R"({"name":"n","regenerate_key":true})", true, e));
  EXPECT_EQ(e.param, "regenerate_key");
  auto rotate = readCredentialBody(R"({"regenerate_key":true})", false, e);
  ASSERT_TRUE(rotate);
  EXPECT_TRUE(rotate->regenerate_key);
  auto per_model = readCredentialBody(
      R"({"name":"n","rate_limit_per_model":{"gpt-*":{"burst":2,"tokens_per_minute":9}}})", true, e);
  ASSERT_TRUE(per_model) << e.message;
  EXPECT_EQ(per_model->rate_limit_per_model, R"({"gpt-*":{"burst":2,"tokens_per_minute":9}})");
  EXPECT_FALSE(readCredentialBody(
      R"({"name":"n","rate_limit_per_model":{"m":{"tokens_per_minute":1.5}}})", true, e));
  EXPECT_EQ(e.param, "rate_limit_per_model.m.tokens_per_minute");
}

}  // namespace
}  // namespace llmproxy::worker::admin
