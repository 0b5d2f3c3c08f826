// The User-Agent pattern table.
#include "worker/tracing/client_name.h"

#include <cctype>

namespace llmproxy::worker::tracing {
namespace {

struct ClientPattern {
  std::string_view contains;  // lower-case
  std::string_view name;
};

// NOTE: order matters: agents built on an SDK name themselves first and the SDK after
// ("... OpenAI/JS 4.x"), so agents come before SDKs and SDKs before generic HTTP libraries.
constexpr ClientPattern kPatterns[] = {
    {"claude-cli", "claude-code"},
    {"claude-code", "claude-code"},
    {"codex_cli", "codex"},
    {"codex_exec", "codex"},
    {"codex", "codex"},
    {"cursor", "cursor"},
    {"cline", "cline"},
    {"roo-code", "roo-code"},
    {"continue", "continue"},
    {"aider", "aider"},
    {"opencode", "opencode"},
    {"langchain", "langchain"},
    {"litellm", "litellm"},
    {"llamaindex", "llamaindex"},
    {"ai-sdk", "ai-sdk"},
    {"vercel", "ai-sdk"},
    {"openai/python", "openai-python"},
    {"openai/js", "openai-node"},
    {"openai-java", "openai-java"},
    {"openai-go", "openai-go"},
    {"anthropic/python", "anthropic-python"},
    {"anthropic/js", "anthropic-node"},
    {"curl/", "curl"},
    {"wget/", "wget"},
    {"python-requests", "python-requests"},
    {"python-httpx", "python-httpx"},
    {"aiohttp", "python-aiohttp"},
    {"go-http-client", "go"},
    {"node-fetch", "node"},
    {"undici", "node"},
    {"postmanruntime", "postman"},
    {"insomnia", "insomnia"},
};

bool containsIgnoreCase(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    bool match = true;
    for (size_t j = 0; j < needle.size() && match; ++j)
      match = std::tolower(static_cast<unsigned char>(hay[i + j])) == needle[j];
    if (match) return true;
  }
  return false;
}

}  // namespace

std::string_view clientName(std::string_view user_agent) {
  if (user_agent.empty()) return "unknown";
  for (const ClientPattern& p : kPatterns)
    if (containsIgnoreCase(user_agent, p.contains)) return p.name;
  return "other";
}

}  // namespace llmproxy::worker::tracing
