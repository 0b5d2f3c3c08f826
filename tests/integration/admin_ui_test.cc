// The admin web UI on the admin listener: `/` redirects, the files are served from memory with
// their content types and the security headers, nothing outside the file set can be reached
// (traversal, symlinks, hidden, oversized or unknown files), the files are read at config
// load, the admin API's answers are never cached, the masked effective config, and the
// playground's route into the proxy pipeline.
#include <unistd.h>

#include <filesystem>

#include "proxy_fixture.h"
#include "support/mock_provider/mock_provider.h"
#include "support/temp_dir.h"

namespace llmproxy::testing {
namespace {

const std::string kChat =
    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

class AdminUi : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mock_.start()) << mock_.lastError();
    ui_.write("index.html", "<!doctype html><title>ui</title>");
    ui_.write("app.js", "console.log(1)");
    ui_.write("assets/app.css", "body{}");
    ui_.write("notes.secret", "unknown extension");
    ui_.write(".hidden.js", "hidden");
    ui_.write("big.js", std::string((4u << 20) + 1, 'x'));
    outside_.write("outside.js", "OUTSIDE-CONTENT");
    std::filesystem::create_symlink(outside_.file("outside.js"), ui_.file("link.js"));
    proxy_ = startProxy(config(ui_.path()), ports_.api);
  }

  std::string config(const std::string& root) const {
    return baseConfig(ports_, 1, "admin_ui_root = \"" + root + "\"\n",
                      "\n[[provider]]\nid = \"a\"\ntype = \"openai-compatible\"\napi_base = \"" +
                          mock_.baseUrl() +
                          "/v1\"\napi_key = \"pk-provider-secret-1234\"\nmodels = [\"m\"]\n"
                          "\n[[key]]\nname = \"client\"\nkey = \"sk-client-key-1\"\n");
  }

  HttpResponse admin(const std::string& path, const Headers& headers = {}) const {
    return getOnce(ports_.admin, path, headers);
  }

  static void expectSecurityHeaders(const HttpResponse& r) {
    const std::string csp = r.header("content-security-policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(r.header("x-frame-options"), "DENY");
    EXPECT_EQ(r.header("referrer-policy"), "no-referrer");
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
  }

  MockProvider mock_;
  ProxyPorts ports_;
  TempDir ui_;
  TempDir outside_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(AdminUi, RootRedirectsToTheUi) {
  for (const char* path : {"/", "/ui"}) {
    SCOPED_TRACE(path);
    const auto r = admin(path);
    EXPECT_EQ(r.status, 302);
    EXPECT_EQ(r.header("location"), "/ui/");
    expectSecurityHeaders(r);
  }
}

TEST_F(AdminUi, FilesAreServedWithTheirTypesAndSecurityHeaders) {
  const auto index = admin("/ui/");
  ASSERT_EQ(index.status, 200) << index.body;
  EXPECT_EQ(index.body, "<!doctype html><title>ui</title>");
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.header("cache-control"), "no-cache");
  expectSecurityHeaders(index);
  EXPECT_EQ(admin("/ui/index.html").body, index.body);

  const auto js = admin("/ui/app.js?v=2");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.header("content-type"), "text/javascript; charset=utf-8");
  const auto css = admin("/ui/assets/app.css");
  ASSERT_EQ(css.status, 200);
  EXPECT_EQ(css.header("content-type"), "text/css; charset=utf-8");
}

TEST_F(AdminUi, NothingOutsideTheFileSetIsReachable) {
  for (const char* path :
       {"/ui/../outside.js", "/ui/%2e%2e/outside.js", "/ui/assets/../app.js", "/ui//app.js",
        "/ui/link.js", "/ui/.hidden.js", "/ui/big.js", "/ui/notes.secret", "/ui/assets",
        "/ui/assets/", "/ui/missing.js", "/ui/app.js/", "/ui/APP.JS"}) {
    SCOPED_TRACE(path);
    const auto r = admin(path);
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.body.find("OUTSIDE-CONTENT"), std::string::npos);
    expectSecurityHeaders(r);
  }
}

TEST_F(AdminUi, TheUiIsNotOnTheApiPort) {
  const auto r = getOnce(ports_.api, "/ui/");
  EXPECT_EQ(r.status, 404);
  EXPECT_FALSE(r.hasHeader("x-frame-options")) << "the API port's answers are unchanged";
  EXPECT_EQ(getOnce(ports_.api, "/").status, 404);
}

TEST_F(AdminUi, FilesAreReadAtConfigLoadNotPerRequest) {
  ASSERT_EQ(admin("/ui/app.js").body, "console.log(1)");
  ui_.write("app.js", "console.log(2)");
  EXPECT_EQ(admin("/ui/app.js").body, "console.log(1)") << "served from memory until a reload";
  const auto reload =
      HttpClient("127.0.0.1", ports_.admin).post("/admin/v1/config/reload", "", adminAuth());
  ASSERT_EQ(reload.status, 200) << reload.body;
  EXPECT_TRUE(eventually([&] { return admin("/ui/app.js").body == "console.log(2)"; },
                         std::chrono::seconds(10)));
}

TEST_F(AdminUi, AMissingRootIsA404ThatSaysWhy) {
  proxy_->writeConfig(config(ui_.file("nowhere")));
  const auto reload =
      HttpClient("127.0.0.1", ports_.admin).post("/admin/v1/config/reload", "", adminAuth());
  ASSERT_EQ(reload.status, 200) << reload.body;
  HttpResponse r;
  EXPECT_TRUE(eventually([&] {
    r = admin("/ui/");
    return r.status == 404;
  }, std::chrono::seconds(10)));
  EXPECT_NE(r.body.find("not installed"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("nowhere"), std::string::npos) << r.body;
}

TEST_F(AdminUi, AdminApiAnswersAreNeverCached) {
  const auto ok = admin("/admin/v1/status", adminAuth());
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.header("cache-control"), "no-store");
  expectSecurityHeaders(ok);
  const auto refused = admin("/admin/v1/status");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.header("cache-control"), "no-store");
  expectSecurityHeaders(refused);
  EXPECT_EQ(admin("/metrics").header("cache-control"), "no-store");
}

TEST_F(AdminUi, EffectiveConfigMasksSecretsAndNamesSources) {
  EXPECT_EQ(admin("/admin/v1/config").status, 401);
  const auto r = admin("/admin/v1/config", adminAuth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find(kAdminKey), std::string::npos);
  EXPECT_EQ(r.body.find("pk-provider-secret-1234"), std::string::npos);
  EXPECT_NE(r.body.find("\"api_key\":\"****1234\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"provider_key\":\"a\",\"source\":\"file\""), std::string::npos);
  EXPECT_NE(r.body.find("\"name\":\"client\",\"source\":\"file\""), std::string::npos);
  EXPECT_EQ(r.body.find("sk-client-key-1"), std::string::npos);
  EXPECT_NE(r.body.find("\"admin_ui_root\":\"" + ui_.path() + "\""), std::string::npos);
}

TEST_F(AdminUi, RecentRequestsNeedADatabaseAndAValidLimit) {
  EXPECT_EQ(admin("/admin/v1/usage/requests").status, 401);
  EXPECT_EQ(admin("/admin/v1/usage/requests", adminAuth()).status, 409);
  for (const char* q : {"?limit=0", "?limit=501", "?limit=x", "?other=1"}) {
    SCOPED_TRACE(q);
    EXPECT_EQ(admin(std::string("/admin/v1/usage/requests") + q, adminAuth()).status, 400);
  }
}

TEST_F(AdminUi, PlaygroundRoutesGoThroughTheProxyPipelineWithAClientKey) {
  HttpClient c("127.0.0.1", ports_.admin);
  const auto refused = c.post("/playground/v1/chat/completions", kChat,
                              {{"Content-Type", "application/json"}});
  EXPECT_EQ(refused.status, 401) << refused.body;
  const auto wrong = c.post("/playground/v1/chat/completions", kChat,
                            {{"Authorization", std::string("Bearer ") + kAdminKey}});
  EXPECT_EQ(wrong.status, 401) << "the admin key is not a client key";
  const auto ok = c.post("/playground/v1/chat/completions", kChat,
                         {{"Authorization", "Bearer sk-client-key-1"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.header("x-llmproxy-provider"), "a");
  const auto models =
      c.get("/playground/v1/models", {{"Authorization", "Bearer sk-client-key-1"}});
  ASSERT_EQ(models.status, 200);
  EXPECT_NE(models.body.find("\"m\""), std::string::npos) << models.body;
  EXPECT_EQ(getOnce(ports_.api, "/playground/v1/models").status, 404);
}

}  // namespace
}  // namespace llmproxy::testing
