// The provider operations the proxy calls, and the path each has below a provider's API root.
#pragma once

#include <cstdint>
#include <string_view>

namespace llmproxy::worker::protocol {

enum class Operation : uint8_t { ChatCompletions, Completions, Embeddings };

// The operation's path below the API root ("https://api.openai.com/v1") or below an Azure
// deployment ("/openai/deployments/<name>").
constexpr std::string_view operationPath(Operation op) {
  switch (op) {
    case Operation::ChatCompletions: return "/chat/completions";
    case Operation::Completions: return "/completions";
    case Operation::Embeddings: return "/embeddings";
  }
  return "";
}

}  // namespace llmproxy::worker::protocol
