// The seeds' environment variables over the file, and their invalid values.
#include "common/config/env_overrides.h"

#include <gtest/gtest.h>

#include "support/env_of.h"

#include <map>

namespace llmproxy::common {
namespace {

using testing::envOf;

constexpr std::string_view kFile =
    "[server]\n"
    "listen = [\"127.0.0.1:8000\", \"unix:/tmp/x.sock\"]\n"
    "allow_unauthenticated = true\n"
    "admin_key = \"file-admin\"\n"
    "provider_prefix = \"File/\"\n"
    "[database]\n"
    "url = \"postgres://file\"\n"
    "[[provider]]\n"
    "id = \"a\"\n"
    "api_base = \"https://a\"\n"
    "verify_ssl = true\n"
    "[[provider]]\n"
    "id = \"b\"\n"
    "api_base = \"https://b\"\n"
    "verify_ssl = false\n";

Config load(std::map<std::string, std::string, std::less<>> vars, std::string_view text = kFile) {
  auto loaded = loadConfigText(text, "t.conf", envOf(std::move(vars)));
  EXPECT_TRUE(loaded) << (loaded ? "" : loaded.error().front().str());
  return loaded ? *loaded : Config{};
}

std::vector<std::string> errors(std::map<std::string, std::string, std::less<>> vars,
                                std::string_view text = kFile) {
  auto loaded = loadConfigText(text, "t.conf", envOf(std::move(vars)));
  EXPECT_FALSE(loaded);
  std::vector<std::string> out;
  if (!loaded) {
    for (const ConfigError& e : loaded.error()) out.push_back(e.str());
  }
  return out;
}

TEST(ConfigEnvOverrides, NoneSetKeepsTheFile) {
  Config c = load({});
  EXPECT_EQ(c.server.listen[0].host, "127.0.0.1");
  EXPECT_EQ(c.server.listen[0].port, 8000);
  EXPECT_EQ(c.server.admin_key, "file-admin");
  EXPECT_EQ(c.database.url, "postgres://file");
  EXPECT_EQ(c.server.provider_prefix, "File/");
  EXPECT_TRUE(c.providers[0].verify_ssl);
  EXPECT_FALSE(c.providers[1].verify_ssl);
}

TEST(ConfigEnvOverrides, HostAndPort) {
  Config both = load({{"HOST", "0.0.0.0"}, {"PORT", "9000"}});
  EXPECT_EQ(both.server.listen[0].host, "0.0.0.0");
  EXPECT_EQ(both.server.listen[0].port, 9000);
  EXPECT_EQ(both.server.listen[0].text, "0.0.0.0:9000");
  EXPECT_EQ(both.server.listen[1].kind, ListenAddress::Kind::Unix);  // only the first changes

  Config port_only = load({{"PORT", "9001"}});
  EXPECT_EQ(port_only.server.listen[0].host, "127.0.0.1");
  EXPECT_EQ(port_only.server.listen[0].port, 9001);

  Config host_only = load({{"HOST", "::1"}});
  EXPECT_EQ(host_only.server.listen[0].host, "::1");
  EXPECT_EQ(host_only.server.listen[0].port, 8000);

  Config empty_is_unset = load({{"HOST", ""}, {"PORT", ""}});
  EXPECT_EQ(empty_is_unset.server.listen[0].port, 8000);
}

TEST(ConfigEnvOverrides, HostAndPortOverUnixNeedBoth) {
  std::string unix_file = "[server]\nlisten = \"unix:/tmp/a.sock\"\nallow_unauthenticated = true\n";
  EXPECT_EQ(errors({{"PORT", "9000"}}, unix_file),
            std::vector<std::string>{"env: PORT is set but the first listen address is "
                                     "\"unix:/tmp/a.sock\": set both HOST and PORT to replace it"});
  Config c = load({{"HOST", "127.0.0.2"}, {"PORT", "9000"}}, unix_file);
  EXPECT_EQ(c.server.listen[0].kind, ListenAddress::Kind::Tcp);
  EXPECT_EQ(c.server.listen[0].host, "127.0.0.2");
}

TEST(ConfigEnvOverrides, PortFillsAnEmptyListen) {
  Config c = load({{"PORT", "7000"}}, "[server]\nallow_unauthenticated = true\n");
  ASSERT_EQ(c.server.listen.size(), 1u);
  EXPECT_EQ(c.server.listen[0].host, "");
  EXPECT_EQ(c.server.listen[0].port, 7000);
}

TEST(ConfigEnvOverrides, InvalidHostAndPort) {
  EXPECT_EQ(errors({{"PORT", "http"}}),
            std::vector<std::string>{"env: PORT=\"http\": port must be a number 1..65535"});
  EXPECT_EQ(errors({{"PORT", "70000"}}),
            std::vector<std::string>{"env: PORT=\"70000\": port must be a number 1..65535"});
  EXPECT_EQ(errors({{"HOST", "example.com"}}),
            std::vector<std::string>{"env: HOST=\"example.com\": host must be a numeric IP "
                                     "address, \"*\" or \"localhost\""});
}

TEST(ConfigEnvOverrides, StringOverrides) {
  Config c = load(
      {{"ADMIN_KEY", "env-admin"}, {"DB_URL", "postgres://env"}, {"PROVIDER_SUFFIX", "Proxy/"}});
  EXPECT_EQ(c.server.admin_key, "env-admin");
  EXPECT_EQ(c.database.url, "postgres://env");
  EXPECT_EQ(c.server.provider_prefix, "Proxy/");
}

TEST(ConfigEnvOverrides, VerifySsl) {
  for (const char* off : {"false", "0", "FALSE"}) {
    Config c = load({{"VERIFY_SSL", off}});
    EXPECT_FALSE(c.providers[0].verify_ssl) << off;
    EXPECT_FALSE(c.providers[1].verify_ssl) << off;
  }
  for (const char* on : {"true", "1", "True"}) {
    Config c = load({{"VERIFY_SSL", on}});
    EXPECT_TRUE(c.providers[0].verify_ssl) << on;
    EXPECT_TRUE(c.providers[1].verify_ssl) << on;
  }
  EXPECT_EQ(errors({{"VERIFY_SSL", "yes"}}),
            std::vector<std::string>{"env: VERIFY_SSL=\"yes\": expected true, false, 1 or 0"});
}

TEST(ConfigEnvOverrides, Timeouts) {
  Config c = load({{"REQUEST_TIMEOUT_SECS", "120"}, {"TTFT_TIMEOUT_SECS", "15"}});
  EXPECT_EQ(c.server.request_timeout, Millis{120'000});
  EXPECT_EQ(c.server.ttft_timeout, Millis{15'000});
  EXPECT_EQ(
      errors({{"REQUEST_TIMEOUT_SECS", "0"}, {"TTFT_TIMEOUT_SECS", "30s"}}),
      (std::vector<std::string>{
          "env: REQUEST_TIMEOUT_SECS=\"0\": expected a whole number of seconds greater than 0",
          "env: TTFT_TIMEOUT_SECS=\"30s\": expected a whole number of seconds greater than "
          "0"}));
  EXPECT_EQ(errors({{"REQUEST_TIMEOUT_SECS", "-5"}}),
            std::vector<std::string>{"env: REQUEST_TIMEOUT_SECS=\"-5\": expected a whole number "
                                     "of seconds greater than 0"});
  EXPECT_EQ(errors({{"TTFT_TIMEOUT_SECS", "99999999999999999999"}}),
            std::vector<std::string>{"env: TTFT_TIMEOUT_SECS=\"99999999999999999999\": expected "
                                     "a whole number of seconds greater than 0"});
}

TEST(ConfigEnvOverrides, OverrideCanFixADuplicate) {
  // PORT moves the first listener off the admin port the file shares with it.
  std::string text =
      "[server]\nlisten = \"*:9000\"\nadmin_listen = \"*:9000\"\n"
      "allow_unauthenticated = true\n";
  EXPECT_EQ(errors({}, text),
            std::vector<std::string>{"t.conf:3:16: server.admin_listen: duplicate listen address "
                                     "\"*:9000\" (first at line 2)"});
  Config c = load({{"PORT", "9100"}}, text);
  EXPECT_EQ(c.server.listen[0].port, 9100);
}

}  // namespace
}  // namespace llmproxy::common
