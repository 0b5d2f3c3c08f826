// [tracing] and [langfuse]: the file, the OpenTelemetry and Langfuse environment variables
// over it, and the errors.
#include <gtest/gtest.h>

#include <map>

#include "common/config/load.h"
#include "support/env_of.h"

namespace llmproxy::common {
namespace {

using testing::envOf;

constexpr std::string_view kBase =
    "[server]\nlisten = [\"127.0.0.1:8000\"]\nallow_unauthenticated = true\n";

Config load(std::string_view extra, std::map<std::string, std::string, std::less<>> vars = {}) {
  auto loaded = loadConfigText(std::string(kBase) + std::string(extra), "t.conf",
                               envOf(std::move(vars)));
  EXPECT_TRUE(loaded) << (loaded ? "" : loaded.error().front().str());
  return loaded ? *loaded : Config{};
}

std::string firstError(std::string_view extra,
                       std::map<std::string, std::string, std::less<>> vars = {}) {
  auto loaded = loadConfigText(std::string(kBase) + std::string(extra), "t.conf",
                               envOf(std::move(vars)));
  EXPECT_FALSE(loaded);
  return loaded ? "" : loaded.error().front().str();
}

TEST(ConfigTracing, DefaultsExportNothing) {
  Config c = load("");
  EXPECT_EQ(c.tracing.otlp_endpoint, "");
  EXPECT_EQ(c.tracing.service_name, "llmproxy");
  EXPECT_EQ(c.tracing.sample_ratio, 1.0);
  EXPECT_EQ(c.tracing.flush_interval, Millis{5000});
  EXPECT_EQ(c.langfuse.public_key, "");
  EXPECT_FALSE(c.langfuse.capture_content);
  EXPECT_EQ(c.langfuse.max_content_size, 4096u);
}

TEST(ConfigTracing, FileSections) {
  Config c = load(
      "[tracing]\notlp_endpoint = \"http://otel:4318\"\n"
      "otlp_headers = { \"x-honeycomb-team\" = \"${TEAM}\" }\n"
      "service_name = \"gw\"\nsample_ratio = 0.5\nbatch_size = 10\nflush_interval = \"1s\"\n"
      "queue_size = 100\nexport_timeout = \"3s\"\n"
      "[langfuse]\nhost = \"https://lf.example\"\npublic_key = \"pk-lf\"\nsecret_key = \"sk-lf\"\n"
      "sample_rate = 0.1\ncapture_content = true\nmax_content_size = \"2k\"\n"
      "redact = [\"sk-[A-Za-z0-9]+\"]\n",
      {{"TEAM", "t-1"}});
  EXPECT_EQ(c.tracing.otlp_endpoint, "http://otel:4318");
  ASSERT_EQ(c.tracing.otlp_headers.size(), 1u);
  EXPECT_EQ(c.tracing.otlp_headers[0].name, "x-honeycomb-team");
  EXPECT_EQ(c.tracing.otlp_headers[0].value, "t-1");
  EXPECT_EQ(c.tracing.service_name, "gw");
  EXPECT_EQ(c.tracing.sample_ratio, 0.5);
  EXPECT_EQ(c.tracing.batch_size, 10u);
  EXPECT_EQ(c.tracing.flush_interval, Millis{1000});
  EXPECT_EQ(c.tracing.queue_size, 100u);
  EXPECT_EQ(c.tracing.export_timeout, Millis{3000});
  EXPECT_EQ(c.langfuse.host, "https://lf.example");
  EXPECT_EQ(c.langfuse.secret_key, "sk-lf");
  EXPECT_EQ(c.langfuse.sample_rate, 0.1);
  EXPECT_TRUE(c.langfuse.capture_content);
  EXPECT_EQ(c.langfuse.max_content_size, 2048u);
  EXPECT_EQ(c.langfuse.redact, std::vector<std::string>{"sk-[A-Za-z0-9]+"});
}

TEST(ConfigTracing, EnvironmentAloneTurnsExportOn) {
  Config c = load("", {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"},
                       {"OTEL_EXPORTER_OTLP_HEADERS", "api-key=s%3Dcret, x-team = a"},
                       {"OTEL_SERVICE_NAME", "edge-gw"},
                       {"LANGFUSE_PUBLIC_KEY", "pk-lf-1"},
                       {"LANGFUSE_SECRET_KEY", "sk-lf-1"},
                       {"LANGFUSE_HOST", "http://langfuse:3000"}});
  EXPECT_EQ(c.tracing.otlp_endpoint, "http://collector:4318");
  ASSERT_EQ(c.tracing.otlp_headers.size(), 2u);
  EXPECT_EQ(c.tracing.otlp_headers[0].name, "api-key");
  EXPECT_EQ(c.tracing.otlp_headers[0].value, "s=cret");
  EXPECT_EQ(c.tracing.otlp_headers[1].name, "x-team");
  EXPECT_EQ(c.tracing.otlp_headers[1].value, "a");
  EXPECT_EQ(c.tracing.service_name, "edge-gw");
  EXPECT_EQ(c.langfuse.public_key, "pk-lf-1");
  EXPECT_EQ(c.langfuse.secret_key, "sk-lf-1");
  EXPECT_EQ(c.langfuse.host, "http://langfuse:3000");
}

TEST(ConfigTracing, TracesEndpointWinsOverTheBase) {
  Config c = load("[tracing]\notlp_endpoint = \"http://file:4318\"\n",
                  {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://base:4318"},
                   {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://t:4318/v1/traces"}});
  EXPECT_EQ(c.tracing.otlp_endpoint, "http://t:4318/v1/traces");
}

TEST(ConfigTracing, Errors) {
  EXPECT_EQ(firstError("[tracing]\nsample_ratio = 2\n"),
            "t.conf:5:16: tracing.sample_ratio: must be between 0 and 1 (got 2)");
  EXPECT_NE(firstError("[tracing]\notlp_endpoint = \"ftp://x\"\n").find("tracing.otlp_endpoint"),
            std::string::npos);
  EXPECT_NE(firstError("[tracing]\notlp_headers = { \"bad name\" = \"v\" }\n")
                .find("tracing.otlp_headers: \"bad name\" is not a valid header"),
            std::string::npos);
  EXPECT_NE(firstError("[langfuse]\npublic_key = \"pk\"\n").find("set both public_key and secret_key"),
            std::string::npos);
  EXPECT_NE(firstError("[langfuse]\nredact = [\"(\"]\n").find("not a valid RE2 pattern"),
            std::string::npos);
  EXPECT_NE(firstError("[tracing]\nsample_rate = 1\n").find("did you mean \"sample_ratio\""),
            std::string::npos);
  const std::string env =
      firstError("", {{"OTEL_EXPORTER_OTLP_HEADERS", "novalue-secret"}});
  EXPECT_NE(env.find("OTEL_EXPORTER_OTLP_HEADERS: expected name=value"), std::string::npos);
  EXPECT_EQ(env.find("novalue-secret"), std::string::npos) << "the value may be a secret";
}

}  // namespace
}  // namespace llmproxy::common
