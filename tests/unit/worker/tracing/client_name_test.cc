// The User-Agent pattern table.
#include "worker/tracing/client_name.h"

#include <gtest/gtest.h>

namespace llmproxy::worker::tracing {
namespace {

TEST(ClientName, KnownClientsByTheirUserAgents) {
  EXPECT_EQ(clientName("claude-cli/1.0.83 (external, cli)"), "claude-code");
  EXPECT_EQ(clientName("codex_cli_rs/0.30.0 (Ubuntu 24.4.0; x86_64) xterm"), "codex");
  EXPECT_EQ(clientName("ai-sdk/openai/2.0.30 ai-sdk/provider-utils/3.0.9 runtime/node.js/20"),
            "ai-sdk");
  EXPECT_EQ(clientName("OpenAI/Python 1.99.1"), "openai-python");
  EXPECT_EQ(clientName("OpenAI/JS 5.20.0"), "openai-node");
  EXPECT_EQ(clientName("Anthropic/Python 0.64.0"), "anthropic-python");
  EXPECT_EQ(clientName("Anthropic/JS 0.60.0"), "anthropic-node");
  EXPECT_EQ(clientName("Cursor/1.5 OpenAI/JS 4.0"), "cursor");
  EXPECT_EQ(clientName("curl/8.5.0"), "curl");
}

TEST(ClientName, UnknownAndMissing) {
  EXPECT_EQ(clientName("MyTool/1.0"), "other");
  EXPECT_EQ(clientName(""), "unknown");
}

}  // namespace
}  // namespace llmproxy::worker::tracing
