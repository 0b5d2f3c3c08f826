// Admin resource API (/admin/v1/providers, /credentials, /auth/validate, provider probes):
// against a real PostgreSQL (PgServer + migrations) and, for file-managed configurations,
// without one.
#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "common/crypto/sha256.h"
#include "pg_proxy_fixture.h"
#include "support/json_at.h"

namespace llmproxy::testing {
namespace {

constexpr const char* kProviderSecret = "sk-provider-secret-0123456789-WXYZ";

// A string value at a JSON pointer, unquoted; "<absent>" when there is none.
std::string str(const std::string& body, const std::string& pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view s;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS ||
      doc.at_pointer(pointer).get_string().get(s) != simdjson::SUCCESS)
    return "<absent>";
  return std::string(s);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

HttpResponse call(uint16_t port, std::string_view method, const std::string& path,
                  std::string_view body = {}, Headers headers = adminAuth()) {
  HttpClient c("127.0.0.1", port);
  headers.emplace_back("Connection", "close");
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return c.request(method, path, headers, body, std::chrono::milliseconds(20000));
}

// --- with PostgreSQL ---------------------------------------------------------------------------

class AdminApiDb : public PgProxyTest {
 protected:
  void SetUp() override {
    PgProxyTest::SetUp();
    if (HasFatalFailure()) return;
    startProxy(openConfig(ports_, 2, "",
                          database() + mockProvider("file-provider", "\"mock-model\"",
                                                    "api_key = \"" + std::string(kProviderSecret) +
                                                        "\"\n")));
  }
  HttpResponse admin(std::string_view method, const std::string& path, std::string_view body = {}) {
    return call(ports_.admin, method, path, body);
  }
  std::string createProvider(const std::string& key) {
    auto r = admin("POST", "/admin/v1/providers",
                   "{\"provider_key\":\"" + key + "\",\"api_base\":\"" + mock_.baseUrl() +
                       "/v1\",\"api_key\":\"" + kProviderSecret + "\"}");
    EXPECT_EQ(r.status, 201) << r.body;
    return jsonAt(r.body, "/id");
  }
};

TEST_F(AdminApiDb, ProviderCrudRoundTrip) {
  auto created = admin("POST", "/admin/v1/providers",
                       "{\"provider_key\":\"openai-main\",\"provider_type\":\"openai\","
                       "\"api_base\":\"https://api.openai.com/v1\",\"api_key\":\"" +
                           std::string(kProviderSecret) +
                           "\",\"model_mapping\":{\"gpt-4\":\"gpt-4-turbo\",\"claude-.*\":\"c\","
                           "\"gemini-*\":\"g\"},\"models\":[\"gpt-4o\",\"gpt-4o-mini\"],"
                           "\"weight\":3,\"verify_ssl\":false,\"max_concurrent\":7,"
                           "\"max_fails\":5,\"fail_timeout\":\"30000ms\","
                           "\"health_check_interval\":\"15s\"}");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(jsonAt(created.body, "/id"), "1");
  EXPECT_EQ(str(created.body, "/provider_key"), "openai-main");
  EXPECT_EQ(str(created.body, "/api_key"), "****WXYZ");
  EXPECT_EQ(jsonAt(created.body, "/models"), "[\"gpt-4o\",\"gpt-4o-mini\"]");
  EXPECT_EQ(str(created.body, "/model_mapping/gpt-4"), "gpt-4-turbo");
  EXPECT_EQ(jsonAt(created.body, "/weight"), "3");
  EXPECT_EQ(jsonAt(created.body, "/verify_ssl"), "false");
  EXPECT_EQ(jsonAt(created.body, "/max_concurrent"), "7");
  EXPECT_EQ(jsonAt(created.body, "/max_fails"), "5");
  EXPECT_EQ(str(created.body, "/fail_timeout"), "30s");  // stored in its shortest form
  EXPECT_EQ(str(created.body, "/health_check_interval"), "15s");
  EXPECT_EQ(jsonAt(created.body, "/is_enabled"), "true");
  EXPECT_EQ(str(created.body, "/source"), "database");
  EXPECT_EQ(str(created.body, "/created_at").size(), 20u) << created.body;  // ...T..:..:..Z
  // Stored as given: the real key, the models as text[], the mapping as jsonb.
  EXPECT_EQ(pg_.scalar("SELECT api_key FROM providers WHERE id = 1"), kProviderSecret);
  EXPECT_EQ(pg_.scalar("SELECT array_length(models, 1) FROM providers WHERE id = 1"), "2");

  for (const char* path : {"/admin/v1/providers/1", "/admin/v1/providers/openai-main"}) {
    auto one = admin("GET", path);
    EXPECT_EQ(one.status, 200) << path << one.body;
    EXPECT_EQ(str(one.body, "/provider_key"), "openai-main");
    EXPECT_EQ(str(one.body, "/api_key"), "****WXYZ");
  }
  auto list = admin("GET", "/admin/v1/providers");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(str(list.body, "/object"), "list");
  EXPECT_EQ(str(list.body, "/data/0/provider_key"), "openai-main");
  EXPECT_EQ(str(list.body, "/data/1/provider_key"), "file-provider");  // the file's, after
  EXPECT_EQ(jsonAt(list.body, "/data/1/id"), "null");
  EXPECT_EQ(str(list.body, "/data/1/source"), "file");

  // PUT changes only the fields given.
  auto updated = admin("PUT", "/admin/v1/providers/openai-main",
                       "{\"weight\":5,\"is_enabled\":false,\"models\":[\"o1\"]}");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(jsonAt(updated.body, "/weight"), "5");
  EXPECT_EQ(jsonAt(updated.body, "/is_enabled"), "false");
  EXPECT_EQ(jsonAt(updated.body, "/models"), "[\"o1\"]");
  EXPECT_EQ(str(updated.body, "/api_base"), "https://api.openai.com/v1");
  EXPECT_EQ(str(updated.body, "/api_key"), "****WXYZ");
  EXPECT_EQ(pg_.scalar("SELECT api_key FROM providers WHERE id = 1"), kProviderSecret);
  auto renamed = admin("PUT", "/admin/v1/providers/1", "{\"provider_key\":\"renamed\"}");
  EXPECT_EQ(str(renamed.body, "/provider_key"), "renamed");

  auto deleted = admin("DELETE", "/admin/v1/providers/renamed");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(jsonAt(deleted.body, "/deleted"), "true");
  EXPECT_EQ(admin("GET", "/admin/v1/providers/1").status, 404);
  EXPECT_EQ(admin("DELETE", "/admin/v1/providers/1").status, 404);
  EXPECT_EQ(pg_.scalar("SELECT count(*) FROM providers"), "0");
}

TEST_F(AdminApiDb, CredentialCrudRoundTripWithGeneratedKey) {
  auto created = admin("POST", "/admin/v1/credentials",
                       "{\"name\":\"team-a\",\"allowed_models\":[\"gpt-4o\",\"gpt-*\"],"
                       "\"rate_limit\":{\"requests_per_second\":2.5,\"burst\":10},"
                       "\"tokens_per_minute\":1000,\"max_requests\":50,"
                       "\"rate_limit_per_model\":{\"gpt-4o\":{\"requests_per_second\":1}},"
                       "\"cache\":true,\"cache_namespace\":\"shared\","
                       "\"expires_at\":\"2030-01-02T03:04:05Z\"}");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string key = str(created.body, "/key");
  ASSERT_TRUE(key.starts_with("sk-llmp-")) << created.body;
  EXPECT_GE(key.size(), 8u + 43u);
  const std::string hash = common::toHex(common::sha256(key));
  EXPECT_EQ(pg_.scalar("SELECT key_hash FROM credentials WHERE id = 1"), hash);
  EXPECT_EQ(str(created.body, "/key_sha256_prefix"), hash.substr(0, 8));
  EXPECT_EQ(jsonAt(created.body, "/rate_limit/requests_per_second"), "2.5");
  EXPECT_EQ(jsonAt(created.body, "/rate_limit/burst"), "10");
  EXPECT_EQ(jsonAt(created.body, "/allowed_models"), "[\"gpt-4o\",\"gpt-*\"]");
  EXPECT_EQ(jsonAt(created.body, "/rate_limit_per_model/gpt-4o/requests_per_second"), "1");
  EXPECT_EQ(str(created.body, "/expires_at"), "2030-01-02T03:04:05Z");
  EXPECT_EQ(jsonAt(created.body, "/cache"), "true");

  // The key is shown once: never on reads.
  auto one = admin("GET", "/admin/v1/credentials/1");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(str(one.body, "/name"), "team-a");
  EXPECT_EQ(one.body.find(key), std::string::npos);
  EXPECT_EQ(one.body.find(hash), std::string::npos);  // the full digest neither
  auto list = admin("GET", "/admin/v1/credentials");
  EXPECT_EQ(str(list.body, "/data/0/name"), "team-a");
  EXPECT_EQ(list.body.find(key), std::string::npos);

  auto updated = admin("PUT", "/admin/v1/credentials/1",
                       "{\"is_enabled\":false,\"expires_at\":null,\"rate_limit\":{\"burst\":3}}");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(jsonAt(updated.body, "/is_enabled"), "false");
  EXPECT_EQ(jsonAt(updated.body, "/expires_at"), "null");
  EXPECT_EQ(jsonAt(updated.body, "/rate_limit/burst"), "3");
  EXPECT_EQ(jsonAt(updated.body, "/rate_limit/requests_per_second"), "2.5");
  EXPECT_EQ(str(updated.body, "/key"), "<absent>");

  auto rotated = admin("PUT", "/admin/v1/credentials/1", "{\"regenerate_key\":true}");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string new_key = str(rotated.body, "/key");
  EXPECT_TRUE(new_key.starts_with("sk-llmp-"));
  EXPECT_NE(new_key, key);
  EXPECT_EQ(pg_.scalar("SELECT key_hash FROM credentials WHERE id = 1"),
            common::toHex(common::sha256(new_key)));

  auto deleted = admin("DELETE", "/admin/v1/credentials/1");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(str(deleted.body, "/name"), "team-a");
  EXPECT_EQ(admin("GET", "/admin/v1/credentials/1").status, 404);
}

TEST_F(AdminApiDb, GivenKeyIsHashedAndNotEchoedDuplicatesConflict) {
  auto created = admin("POST", "/admin/v1/credentials", "{\"name\":\"n\",\"key\":\"sk-my-own-key-1\"}");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(str(created.body, "/key"), "<absent>");
  EXPECT_EQ(pg_.scalar("SELECT key_hash FROM credentials"),
            common::toHex(common::sha256("sk-my-own-key-1")));
  auto again = admin("POST", "/admin/v1/credentials", "{\"name\":\"m\",\"key\":\"sk-my-own-key-1\"}");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(str(again.body, "/error/param"), "key");

  createProvider("dup");
  auto dup = admin("POST", "/admin/v1/providers",
                   "{\"provider_key\":\"dup\",\"api_base\":\"http://127.0.0.1:1/v1\"}");
  EXPECT_EQ(dup.status, 409) << dup.body;
  EXPECT_EQ(str(dup.body, "/error/param"), "provider_key");
  EXPECT_EQ(str(dup.body, "/error/code"), "conflict");
  createProvider("other");
  auto rename = admin("PUT", "/admin/v1/providers/other", "{\"provider_key\":\"dup\"}");
  EXPECT_EQ(rename.status, 409) << rename.body;
}

TEST_F(AdminApiDb, ADuplicateCredentialNameConflicts) {
  const std::string key =
      str(admin("POST", "/admin/v1/credentials", "{\"name\":\"twin\"}").body, "/key");
  // The check reads the loaded configuration: wait until the row is in it.
  ASSERT_TRUE(eventually([&] {
    return jsonAt(admin("POST", "/admin/v1/auth/validate", "{\"key\":\"" + key + "\"}").body,
              "/valid") == "true";
  }, std::chrono::seconds(10)));
  auto again = admin("POST", "/admin/v1/credentials", "{\"name\":\"twin\"}");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(str(again.body, "/error/param"), "name");
  const std::string other = jsonAt(admin("POST", "/admin/v1/credentials", "{\"name\":\"other\"}").body, "/id");
  ASSERT_TRUE(eventually([&] {
    return admin("PUT", "/admin/v1/credentials/" + other, "{\"name\":\"twin\"}").status == 409;
  }, std::chrono::seconds(10)));
  // Renaming a credential to its own name is no conflict.
  EXPECT_EQ(admin("PUT", "/admin/v1/credentials/1", "{\"name\":\"twin\"}").status, 200);

  // A duplicate written behind the API's back is skipped at load, with a log line.
  ASSERT_TRUE(pg_.exec("INSERT INTO credentials (key_hash, name) VALUES ('" +
                       common::toHex(common::sha256("sk-behind-the-back")) + "', 'twin')"));
  EXPECT_TRUE(eventually([&] {
    return proxy_->stderrLog().find("name: duplicate name: credentials id=1 has it") !=
           std::string::npos;
  }, std::chrono::seconds(10))) << proxy_->stderrLog();
}

TEST_F(AdminApiDb, NoUsableCredentialLeavesTheApiClosed) {
  // allow_unauthenticated is set, but the database is the key source: with no row (and then
  // with a disabled one) every call is refused, never let in.
  HttpClient c("127.0.0.1", ports_.api);
  EXPECT_EQ(c.get("/v1/models", {{"Connection", "close"}}).status, 401);
  const std::string id =
      jsonAt(admin("POST", "/admin/v1/credentials", "{\"name\":\"off\",\"is_enabled\":false}").body, "/id");
  ASSERT_NE(id, "<absent>");
  EXPECT_TRUE(eventually([&] {
    return admin("GET", "/admin/v1/status").body.find("\"keys\":1") != std::string::npos;
  }, std::chrono::seconds(10)));
  HttpClient d("127.0.0.1", ports_.api);
  EXPECT_EQ(d.get("/v1/models", {{"Connection", "close"}}).status, 401);
  EXPECT_TRUE(eventually([&] {
    return proxy_->stderrLog().find("server.allow_unauthenticated has no effect") != std::string::npos;
  })) << proxy_->stderrLog();
}

struct BadBody {
  const char* path;
  const char* body;
  const char* param;
};

TEST_F(AdminApiDb, ValidationErrorsName400Param) {
  createProvider("exists");
  admin("POST", "/admin/v1/credentials", "{\"name\":\"exists\"}");
  const BadBody cases[] = {
      {"/admin/v1/providers", R"({"api_base":"http://a/v1"})", "provider_key"},
      {"/admin/v1/providers", R"({"provider_key":"p"})", "api_base"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a/v1","wieght":2})", "wieght"},
      {"/admin/v1/providers", R"({"provider_key":7,"api_base":"http://a/v1"})", "provider_key"},
      {"/admin/v1/providers", R"({"provider_key":"a b","api_base":"http://a/v1"})", "provider_key"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"ftp://a/v1"})", "api_base"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://u:pw@a/v1"})", "api_base"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","provider_type":"bard"})", "provider_type"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","provider_type":"azure"})", "api_version"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","weight":0})", "weight"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","weight":1.5})", "weight"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","weight":"2"})", "weight"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","max_concurrent":-1})", "max_concurrent"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","verify_ssl":"yes"})", "verify_ssl"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","responses":"yes"})", "responses"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","responses":1})", "responses"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","max_fails":-1})", "max_fails"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","fail_timeout":"2h"})", "fail_timeout"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","fail_timeout":10})", "fail_timeout"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","health_check_interval":"soon"})", "health_check_interval"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","models":"gpt"})", "models"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","models":[""]})", "models"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","model_mapping":[]})", "model_mapping"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","model_mapping":{"a(":"b"}})", "model_mapping.a("},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","model_mapping":{"a":1}})", "model_mapping.a"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","api_key":"****abcd"})", "api_key"},
      {"/admin/v1/providers", R"({"provider_key":"p","api_base":"http://a","id":4})", "id"},
      {"/admin/v1/providers/exists", R"({"weight":-3})", "weight"},
      {"/admin/v1/providers/exists", R"({"created_at":"x"})", "created_at"},
      {"/admin/v1/credentials", R"({})", "name"},
      {"/admin/v1/credentials", R"({"name":""})", "name"},
      {"/admin/v1/credentials", R"({"name":"n","key":"short"})", "key"},
      {"/admin/v1/credentials", R"({"name":"n","key":"has space in it"})", "key"},
      {"/admin/v1/credentials", R"({"name":"n","rate_limit":{"requests_per_second":-1}})", "rate_limit.requests_per_second"},
      {"/admin/v1/credentials", R"({"name":"n","rate_limit":{"brust":1}})", "rate_limit.brust"},
      {"/admin/v1/credentials", R"({"name":"n","tokens_per_minute":-5})", "tokens_per_minute"},
      {"/admin/v1/credentials", R"({"name":"n","max_requests":1e3})", "max_requests"},
      {"/admin/v1/credentials", R"({"name":"n","max_requests":18446744073709551615})", "max_requests"},
      {"/admin/v1/credentials", R"({"name":"n","expires_at":"tomorrow"})", "expires_at"},
      {"/admin/v1/credentials", R"({"name":"n","expires_at":1700000000})", "expires_at"},
      {"/admin/v1/credentials", R"({"name":"n","allowed_models":[1]})", "allowed_models"},
      {"/admin/v1/credentials", R"({"name":"n","cache":1})", "cache"},
      {"/admin/v1/credentials", R"({"name":"n","rate_limit_per_model":{"m":{"rps":1}}})", "rate_limit_per_model.m.rps"},
      {"/admin/v1/credentials", R"({"name":"n","regenerate_key":true})", "regenerate_key"},
      {"/admin/v1/credentials", R"({"name":"n","name":"m"})", "name"},
      {"/admin/v1/credentials/1", R"({"key":"sk-aaaaaaaa","regenerate_key":true})", "regenerate_key"},
      {"/admin/v1/auth/validate", R"({})", "key"},
      {"/admin/v1/auth/validate", R"({"key":"k","extra":1})", "extra"},
  };
  for (const BadBody& c : cases) {
    const std::string path = c.path;
    const bool put = path.starts_with("/admin/v1/providers/") || path.starts_with("/admin/v1/credentials/");
    auto r = admin(put ? "PUT" : "POST", path, c.body);
    EXPECT_EQ(r.status, 400) << path << " " << c.body << " -> " << r.body;
    EXPECT_EQ(str(r.body, "/error/param"), c.param) << c.body << " -> " << r.body;
    EXPECT_EQ(str(r.body, "/error/type"), "invalid_request_error") << r.body;
  }
  // Bodies that are not an object at all: 400 without a param.
  for (const char* body : {"", "[]", "nul", "{\"a\":", "\"x\""}) {
    auto r = admin("POST", "/admin/v1/providers", body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
  }
  EXPECT_EQ(pg_.scalar("SELECT count(*) FROM providers"), "1");
}

TEST_F(AdminApiDb, AdminKeyRequired) {
  for (const auto& headers : {Headers{}, Headers{{"Authorization", "Bearer wrong"}}}) {
    for (const char* path : {"/admin/v1/providers", "/admin/v1/credentials", "/admin/v1/providers/1",
                             "/admin/v1/credentials/1"}) {
      auto r = call(ports_.admin, "GET", path, {}, headers);
      EXPECT_EQ(r.status, 401) << path;
    }
    EXPECT_EQ(call(ports_.admin, "POST", "/admin/v1/auth/validate", "{\"key\":\"x\"}", headers).status, 401);
    EXPECT_EQ(call(ports_.admin, "POST", "/admin/v1/providers/file-provider/health", "", headers).status, 401);
  }
  // Never on the API port.
  EXPECT_EQ(call(ports_.api, "GET", "/admin/v1/providers").status, 404);
}

TEST_F(AdminApiDb, UnknownAndHostileIdsAre404) {
  for (const char* id : {"1", "999", "0", "-1", "01", "99999999999", "2147483648",
                         "18446744073709551616", "abc%27%3B%20DROP%20TABLE%20providers", "%00",
                         "%E2%9C%93"}) {
    EXPECT_EQ(admin("GET", std::string("/admin/v1/providers/") + id).status, 404) << id;
    EXPECT_EQ(admin("GET", std::string("/admin/v1/credentials/") + id).status, 404) << id;
    EXPECT_EQ(admin("PUT", std::string("/admin/v1/credentials/") + id, "{\"cache\":true}").status, 404) << id;
    EXPECT_EQ(admin("DELETE", std::string("/admin/v1/providers/") + id).status, 404) << id;
  }
  EXPECT_EQ(admin("GET", "/admin/v1/providers/" + std::string(300, 'a')).status, 404);
  EXPECT_EQ(admin("GET", "/admin/v1/providers/a/b").status, 404);
  auto patch = admin("PATCH", "/admin/v1/providers/1", "{}");
  EXPECT_EQ(patch.status, 405);
  EXPECT_EQ(patch.header("allow"), "GET, PUT, DELETE");
  // A provider of the file is not the database's to change.
  auto r = admin("PUT", "/admin/v1/providers/file-provider", "{\"weight\":2}");
  EXPECT_EQ(r.status, 409) << r.body;
  auto shown = admin("GET", "/admin/v1/providers/file-provider");
  EXPECT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(str(shown.body, "/api_key"), "****WXYZ");
  EXPECT_EQ(pg_.scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'providers'"), "1");
}

TEST_F(AdminApiDb, HostileNamesAndBodies) {
  const std::string nasty = "Robert'); DROP TABLE credentials; -- \\\" \u00e9\u4e2d\U0001F600";
  std::string escaped;
  for (char c : nasty) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  auto created = admin("POST", "/admin/v1/credentials", "{\"name\":\"" + escaped + "\"}");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(str(created.body, "/name"), nasty);
  EXPECT_EQ(pg_.scalar("SELECT name FROM credentials"), nasty);
  auto dropped = admin("POST", "/admin/v1/providers",
                       "{\"provider_key\":\"x'; DROP TABLE providers; --\",\"api_base\":\"http://a\"}");
  EXPECT_EQ(dropped.status, 400);

  const std::string huge(1 << 20, 'a');
  for (const std::string& body : std::vector<std::string>{
           "{\"name\":\"" + huge + "\"}", "{\"name\":\"a\\u0000b\"}", "{\"name\":\"a\",\"key\":\"sk-aaaa\\u0000bbbb\"}",
        std::string(10000, '[') + std::string(10000, ']'),
        "{\"name\":" + std::string(5000, '[') + std::string(5000, ']') + "}",
        "{\"name\":\"\xff\xfe\"}", "{\"name\":\"\\ud800\"}", "{\"" + huge + "\":1}"}) {
    auto r = admin("POST", "/admin/v1/credentials", body);
    EXPECT_GE(r.status, 400) << body.substr(0, 60) << " -> " << r.body;
    EXPECT_LT(r.status, 500) << body.substr(0, 60) << " -> " << r.body;
  }
  auto big_provider = admin("POST", "/admin/v1/providers",
                            "{\"provider_key\":\"p\",\"api_base\":\"http://a\",\"api_key\":\"" +
                                huge + "\"}");
  EXPECT_EQ(big_provider.status, 400);
  EXPECT_EQ(str(big_provider.body, "/error/param"), "api_key");
  EXPECT_EQ(pg_.scalar("SELECT count(*) FROM credentials"), "1");
  EXPECT_EQ(httpGet(ports_.api, "/health").status, 200);
  EXPECT_TRUE(proxy_->running());
}

TEST_F(AdminApiDb, SecretsAreMaskedAndNeverLogged) {
  createProvider("masked");
  admin("PUT", "/admin/v1/providers/masked", "{\"api_key\":\"sk-rotated-provider-secret-7777\"}");
  auto key = str(admin("POST", "/admin/v1/credentials", "{\"name\":\"logged\"}").body, "/key");
  ASSERT_TRUE(key.starts_with("sk-llmp-"));
  admin("POST", "/admin/v1/auth/validate", "{\"key\":\"" + key + "\"}");
  admin("POST", "/admin/v1/credentials", "{\"name\":\"given\",\"key\":\"sk-given-secret-5555\"}");
  for (const char* path : {"/admin/v1/providers", "/admin/v1/providers/masked",
                           "/admin/v1/credentials", "/admin/v1/providers/file-provider"}) {
    auto r = admin("GET", path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body.find(kProviderSecret), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("sk-rotated-provider-secret"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("sk-given-secret"), std::string::npos) << r.body;
  }
  EXPECT_EQ(str(admin("GET", "/admin/v1/providers/masked").body, "/api_key"), "****7777");
  // The access log is written by the workers' logger: wait until the lines are there.
  std::string logs;
  ASSERT_TRUE(eventually([&] {
    logs = proxy_->stderrLog() + readFile(proxy_->tempDir().file("access.log"));
    return logs.find("/admin/v1/credentials") != std::string::npos;
  })) << "no access log lines?";
  for (const std::string& secret : {std::string(kProviderSecret), std::string("sk-rotated-provider-secret-7777"),
                                    key, std::string("sk-given-secret-5555")})
    EXPECT_EQ(logs.find(secret), std::string::npos) << secret;
}

TEST_F(AdminApiDb, CreatedProviderAndKeyServeTrafficAfterReload) {
  const std::string id = createProvider("from-db");
  admin("PUT", "/admin/v1/providers/from-db", "{\"models\":[\"db-model\"]}");
  const std::string key = str(admin("POST", "/admin/v1/credentials", "{\"name\":\"db-key\"}").body, "/key");
  const auto chat = [&] {
    HttpClient c("127.0.0.1", ports_.api);
    return c.post("/v1/chat/completions",
                  "{\"model\":\"db-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                  {{"Authorization", "Bearer " + key}, {"Connection", "close"}});
  };
  EXPECT_TRUE(eventually([&] { return chat().status == 200; }, std::chrono::seconds(5)));
  // The chat can pass before the key's row is loaded (this proxy is open while it has no key).
  HttpResponse v;
  EXPECT_TRUE(eventually([&] {
    v = admin("POST", "/admin/v1/auth/validate", "{\"key\":\"" + key + "\"}");
    return jsonAt(v.body, "/valid") == "true";
  }));
  EXPECT_EQ(jsonAt(v.body, "/valid"), "true") << v.body;
  EXPECT_EQ(str(v.body, "/source"), "database");
  EXPECT_EQ(jsonAt(v.body, "/id"), "1");
  // The provider is probed by its database id (or provider_key) once it runs.
  auto probe = admin("POST", "/admin/v1/providers/" + id + "/health");
  ASSERT_EQ(probe.status, 200) << probe.body;
  EXPECT_EQ(str(probe.body, "/provider"), "from-db");
  EXPECT_EQ(jsonAt(probe.body, "/ok"), "true") << probe.body;
  // Disabled in the database: refused by the proxy once the master reloads.
  admin("PUT", "/admin/v1/credentials/1", "{\"is_enabled\":false}");
  EXPECT_TRUE(eventually([&] { return chat().status == 401; }, std::chrono::seconds(5)));
}

// `responses` (migration 0003): true, false or null (the default by type) through the API, in
// the column, and in what the proxy does with a Responses request.
TEST_F(AdminApiDb, ProviderResponsesOptionIsStoredShownAndFollowed) {
  auto created = admin("POST", "/admin/v1/providers",
                       "{\"provider_key\":\"compat\",\"provider_type\":\"openai-compatible\","
                       "\"api_base\":\"" + mock_.baseUrl() + "/v1\",\"models\":[\"resp-model\"],"
                       "\"responses\":true}");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(jsonAt(created.body, "/responses"), "true");
  EXPECT_EQ(pg_.scalar("SELECT responses FROM providers WHERE provider_key = 'compat'"), "t");
  EXPECT_EQ(jsonAt(admin("GET", "/admin/v1/providers/compat").body, "/responses"), "true");
  auto list = admin("GET", "/admin/v1/providers");
  EXPECT_EQ(str(list.body, "/data/1/provider_key"), "file-provider");
  EXPECT_EQ(jsonAt(list.body, "/data/1/responses"), "null");  // the file's: by type

  // The database is the key source: clients need one of its keys (allow_unauthenticated has
  // no effect with a database).
  const std::string key =
      str(admin("POST", "/admin/v1/credentials", "{\"name\":\"responses-client\"}").body, "/key");
  const auto responsesPath = [&] {
    mock_.reset();
    HttpClient c("127.0.0.1", ports_.api);
    auto r = c.post("/v1/responses", R"({"model":"resp-model","input":"hi"})",
                    {{"Content-Type", "application/json"}, {"Connection", "close"},
                     {"Authorization", "Bearer " + key}});
    auto last = mock_.lastRequest();
    return r.status == 200 && last ? last->path : "status " + std::to_string(r.status);
  };
  // true: passed through unchanged to an openai-compatible provider.
  EXPECT_TRUE(eventually([&] { return responsesPath() == "/v1/responses"; },
                         std::chrono::seconds(5)))
      << responsesPath();

  // false: translated to Chat Completions; PUT without the member keeps it.
  auto off = admin("PUT", "/admin/v1/providers/compat", "{\"responses\":false}");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(jsonAt(off.body, "/responses"), "false");
  EXPECT_EQ(jsonAt(admin("PUT", "/admin/v1/providers/compat", "{\"weight\":2}").body, "/responses"),
            "false");
  EXPECT_TRUE(eventually([&] { return responsesPath() == "/v1/chat/completions"; },
                         std::chrono::seconds(5)))
      << responsesPath();

  // null: back to the default by type (openai-compatible: translated).
  auto reset = admin("PUT", "/admin/v1/providers/compat", "{\"responses\":null}");
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(jsonAt(reset.body, "/responses"), "null");
  EXPECT_EQ(pg_.scalar("SELECT responses IS NULL FROM providers WHERE provider_key = 'compat'"),
            "t");
  // A row written without the member takes NULL too.
  auto plain = admin("POST", "/admin/v1/providers",
                     "{\"provider_key\":\"plain\",\"api_base\":\"http://a/v1\"}");
  EXPECT_EQ(jsonAt(plain.body, "/responses"), "null") << plain.body;
}

// The error-log lines naming request `id`, once its access-log line is written (finish writes
// the error line first, so none can follow).
std::vector<std::string> errorLinesOf(const ProxyProcess& proxy, const std::string& id) {
  auto linesNow = [&] {
    std::vector<std::string> lines;
    std::istringstream log(proxy.stderrLog());
    for (std::string line; std::getline(log, line);)
      if (line.find("[" + id + "]") != std::string::npos) lines.push_back(line);
    return lines;
  };
  // The error log reaches the test through a pipe: wait for the request's access-log line and
  // its first error line, then count (a second line would already be there by then).
  EXPECT_TRUE(eventually(
      [&] { return readFile(proxy.dir() + "/access.log").find(id) != std::string::npos; }));
  EXPECT_TRUE(eventually([&] { return !linesNow().empty(); }));
  return linesNow();
}

Headers withRequestId(const std::string& id) {
  Headers h = adminAuth();
  h.emplace_back("x-request-id", id);
  return h;
}

TEST_F(AdminApiDb, ADatabaseErrorIsLoggedOnceWithTheDatabasesMessage) {
  ASSERT_TRUE(execAsSuperuser("ALTER TABLE providers RENAME TO providers_away"));
  auto r = call(ports_.admin, "GET", "/admin/v1/providers", {}, withRequestId("db-error-1"));
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(str(r.body, "/error/message"), "database error 42P01");  // no database text
  const auto lines = errorLinesOf(*proxy_, "db-error-1");
  ASSERT_EQ(lines.size(), 1u) << proxy_->stderrLog();
  EXPECT_NE(lines[0].find("database error 42P01: "), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("providers"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("does not exist"), std::string::npos) << lines[0];
  ASSERT_TRUE(execAsSuperuser("ALTER TABLE providers_away RENAME TO providers"));
}

// Last in the suite: it stops PostgreSQL (and starts it again).
TEST_F(AdminApiDb, DatabaseDownAnswers503AndTheProxyKeepsServing) {
  createProvider("before");
  ASSERT_TRUE(pg_.stop());
  {
    // One error-log line for the failure, not one from the handler and one from finish.
    auto r = call(ports_.admin, "GET", "/admin/v1/providers", {}, withRequestId("db-down-1"));
    EXPECT_EQ(r.status, 503) << r.body;
    const auto lines = errorLinesOf(*proxy_, "db-down-1");
    ASSERT_EQ(lines.size(), 1u) << proxy_->stderrLog();
    EXPECT_NE(lines[0].find("the database is unavailable: "), std::string::npos) << lines[0];
  }
  for (int i = 0; i < 4; ++i) {  // both workers, and a connection that was up before
    auto w = admin("POST", "/admin/v1/providers",
                   "{\"provider_key\":\"during\",\"api_base\":\"http://a\"}");
    EXPECT_EQ(w.status, 503) << w.body;
    EXPECT_EQ(str(w.body, "/error/code"), "service_unavailable");
    EXPECT_EQ(admin("GET", "/admin/v1/providers").status, 503);
    EXPECT_EQ(admin("GET", "/admin/v1/credentials/1").status, 503);
    EXPECT_EQ(admin("DELETE", "/admin/v1/providers/before").status, 503);
  }
  EXPECT_EQ(httpGet(ports_.api, "/health").status, 200);
  EXPECT_EQ(admin("GET", "/admin/v1/status").status, 200);
  auto v = admin("POST", "/admin/v1/auth/validate", "{\"key\":\"nope-nope\"}");
  EXPECT_EQ(v.status, 200);
  ASSERT_TRUE(pg_.start());
  EXPECT_TRUE(eventually(
      [&] { return admin("GET", "/admin/v1/providers/before").status == 200; },
      std::chrono::seconds(10)));
  auto w = admin("POST", "/admin/v1/providers", "{\"provider_key\":\"after\",\"api_base\":\"http://a\"}");
  EXPECT_EQ(w.status, 201) << w.body;
}

// --- without a database: the file is the source of truth ----------------------------------------

class AdminApiFile : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mock_.start());
    proxy_ = startProxy(baseConfig(
        ports_, 1, "",
        "\n[[provider]]\nid = \"mock\"\ntype = \"openai-compatible\"\napi_base = \"" +
            mock_.baseUrl() + "/v1\"\napi_key = \"" + kProviderSecret +
            "\"\nmodels = [\"mock-model\", \"mock-status-503\"]\n"
            "model_mapping = { \"gpt-*\" = \"mock-model\" }\n"
            "\n[[key]]\nname = \"live\"\nkey = \"sk-live-key-1\"\nallowed_models = [\"mock-*\"]\n"
            "\n[[key]]\nname = \"off\"\nkey = \"sk-off-key-1\"\nenabled = false\n"
            "\n[[key]]\nname = \"old\"\nkey = \"sk-old-key-1\"\nexpires_at = 2001-02-03T04:05:06Z\n"),
        ports_.api);
  }
  HttpResponse admin(std::string_view method, const std::string& path, std::string_view body = {}) {
    return call(ports_.admin, method, path, body);
  }
  MockProvider mock_;
  ProxyPorts ports_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(AdminApiFile, ReadsShowTheFileWritesAre409) {
  auto list = admin("GET", "/admin/v1/providers");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(str(list.body, "/data/0/provider_key"), "mock");
  EXPECT_EQ(jsonAt(list.body, "/data/0/id"), "null");
  EXPECT_EQ(str(list.body, "/data/0/api_key"), "****WXYZ");
  EXPECT_EQ(str(list.body, "/data/0/model_mapping/gpt-*"), "mock-model");
  EXPECT_EQ(list.body.find(kProviderSecret), std::string::npos);
  auto one = admin("GET", "/admin/v1/providers/mock");
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(str(one.body, "/source"), "file");
  EXPECT_EQ(admin("GET", "/admin/v1/providers/1").status, 404);
  auto keys = admin("GET", "/admin/v1/credentials");
  ASSERT_EQ(keys.status, 200);
  EXPECT_EQ(str(keys.body, "/data/0/name"), "live");
  EXPECT_EQ(str(keys.body, "/data/0/key_sha256_prefix"),
            common::toHex(common::sha256("sk-live-key-1")).substr(0, 8));
  EXPECT_EQ(str(keys.body, "/data/2/expires_at"), "2001-02-03T04:05:06Z");
  EXPECT_EQ(keys.body.find("sk-live-key-1"), std::string::npos);

  const std::pair<const char*, const char*> writes[] = {
      {"POST", "/admin/v1/providers"},   {"PUT", "/admin/v1/providers/mock"},
      {"DELETE", "/admin/v1/providers/mock"}, {"POST", "/admin/v1/credentials"},
      {"PUT", "/admin/v1/credentials/1"}, {"DELETE", "/admin/v1/credentials/1"}};
  for (const auto& [method, path] : writes) {
    // DELETE takes no body (one would be refused with 413 before anything else).
    auto r = admin(method, path, method == std::string_view("DELETE") ? "" : "{\"name\":\"x\"}");
    EXPECT_EQ(r.status, 409) << method << " " << path << " " << r.body;
    EXPECT_NE(r.body.find("configuration is file-managed"), std::string::npos) << r.body;
  }
}

TEST_F(AdminApiFile, AuthValidateMatchesWhatTheProxyDoes) {
  auto valid = admin("POST", "/admin/v1/auth/validate", "{\"key\":\"sk-live-key-1\"}");
  ASSERT_EQ(valid.status, 200) << valid.body;
  EXPECT_EQ(jsonAt(valid.body, "/valid"), "true");
  EXPECT_EQ(str(valid.body, "/name"), "live");
  EXPECT_EQ(jsonAt(valid.body, "/allowed_models"), "[\"mock-*\"]");
  EXPECT_EQ(jsonAt(valid.body, "/expires_at"), "null");
  EXPECT_EQ(str(valid.body, "/source"), "file");
  EXPECT_EQ(jsonAt(valid.body, "/id"), "null");

  const std::pair<const char*, const char*> invalid[] = {
      {"sk-off-key-1", "disabled"}, {"sk-old-key-1", "expired"}, {"sk-nobody", "unknown"}};
  for (const auto& [key, reason] : invalid) {
    auto r = admin("POST", "/admin/v1/auth/validate", std::string("{\"key\":\"") + key + "\"}");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(jsonAt(r.body, "/valid"), "false") << key;
    EXPECT_EQ(str(r.body, "/reason"), reason) << key;
    // And the proxy agrees.
    HttpClient c("127.0.0.1", ports_.api);
    EXPECT_EQ(c.get("/v1/models", {{"Authorization", std::string("Bearer ") + key}}).status, 401);
  }
  HttpClient c("127.0.0.1", ports_.api);
  EXPECT_EQ(c.get("/v1/models", {{"Authorization", "Bearer sk-live-key-1"}}).status, 200);
  EXPECT_EQ(admin("POST", "/admin/v1/auth/validate", "{\"key\":\"\"}").status, 400);
}

TEST_F(AdminApiFile, ProviderProbeReportsEachModel) {
  auto r = admin("POST", "/admin/v1/providers/mock/health");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(str(r.body, "/provider"), "mock");
  EXPECT_EQ(jsonAt(r.body, "/ok"), "false");
  EXPECT_EQ(str(r.body, "/models/0/model"), "mock-model");
  EXPECT_EQ(jsonAt(r.body, "/models/0/ok"), "true");
  EXPECT_EQ(jsonAt(r.body, "/models/0/status"), "200");
  EXPECT_EQ(jsonAt(r.body, "/models/0/error"), "null");
  EXPECT_NE(jsonAt(r.body, "/models/0/latency_ms"), "null");
  EXPECT_EQ(str(r.body, "/models/1/model"), "mock-status-503");
  EXPECT_EQ(jsonAt(r.body, "/models/1/ok"), "false");
  EXPECT_EQ(jsonAt(r.body, "/models/1/status"), "503");
  EXPECT_TRUE(str(r.body, "/models/1/error").starts_with("provider answered 503")) << r.body;
  EXPECT_EQ(r.body.find(kProviderSecret), std::string::npos);

  // What the mock received: a minimal request with the provider's key.
  bool saw_probe = false;
  for (const auto& req : mock_.requests()) {
    if (req.body.find("\"max_tokens\":1") == std::string::npos) continue;
    saw_probe = true;
    EXPECT_EQ(req.header("authorization"), std::string("Bearer ") + kProviderSecret);
  }
  EXPECT_TRUE(saw_probe);

  auto chosen = admin("POST", "/admin/v1/providers/mock/health", "{\"models\":[\"mock-model\"]}");
  ASSERT_EQ(chosen.status, 200) << chosen.body;
  EXPECT_EQ(jsonAt(chosen.body, "/ok"), "true");
  EXPECT_EQ(jsonAt(chosen.body, "/models/1"), "");
  EXPECT_EQ(admin("POST", "/admin/v1/providers/nope/health").status, 404);
  EXPECT_EQ(admin("POST", "/admin/v1/providers/mock/health", "{\"models\":[]}").status, 400);
}

TEST_F(AdminApiFile, ProbeOfAnUnreachableProviderFailsFast) {
  // Port 1 on loopback refuses at once: every model fails with a connect error, no hang.
  proxy_->writeConfig(openConfig(ports_, 1, "",
                                 "\n[[provider]]\nid = \"down\"\ntype = \"openai-compatible\"\n"
                                 "api_base = \"http://127.0.0.1:1/v1\"\nmodels = [\"a\", \"b\", "
                                 "\"c\", \"d\", \"e\", \"f\"]\n"));
  ASSERT_EQ(proxy_->runCli({"-s", "reload", "-p", proxy_->pidPath()}).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return admin("GET", "/admin/v1/providers/down").status == 200; },
                         std::chrono::seconds(5)));
  auto r = admin("POST", "/admin/v1/providers/down/health");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(jsonAt(r.body, "/ok"), "false");
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(jsonAt(r.body, "/models/" + std::to_string(i) + "/ok"), "false") << r.body;
    EXPECT_EQ(jsonAt(r.body, "/models/" + std::to_string(i) + "/status"), "null") << r.body;
  }
}

}  // namespace
}  // namespace llmproxy::testing
