// The operations the proxy forwards, the API family each belongs to, and the path each has
// below a provider's API root.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/config/config.h"
#include "common/json/json_facts.h"
#include "common/protocol/api.h"
#include "worker/http/endpoint.h"

namespace llmproxy::worker::protocol {

enum class Operation : uint8_t {
  ChatCompletions,  // OpenAI Chat Completions
  Completions,      // OpenAI legacy completions
  Embeddings,       // OpenAI embeddings
  Messages,         // Anthropic Messages
  CountTokens,      // Anthropic Messages count_tokens
  Responses,        // OpenAI Responses
};

using common::Api;
using common::apiName;

// The operation's path below the API root ("https://api.openai.com/v1",
// "https://api.anthropic.com/v1") or below an Azure deployment ("/openai/deployments/<name>").
constexpr std::string_view operationPath(Operation op) {
  switch (op) {
    case Operation::ChatCompletions: return "/chat/completions";
    case Operation::Completions: return "/completions";
    case Operation::Embeddings: return "/embeddings";
    case Operation::Messages: return "/messages";
    case Operation::CountTokens: return "/messages/count_tokens";
    case Operation::Responses: return "/responses";
  }
  return "";
}

// What a proxy endpoint asks a provider for (Endpoint::ChatCompletions for anything else).
Operation operationOf(Endpoint endpoint);

// The protocol a client speaks when it asks for `op`.
constexpr Api clientApi(Operation op) {
  switch (op) {
    case Operation::Messages:
    case Operation::CountTokens: return Api::AnthropicMessages;
    case Operation::Responses: return Api::OpenAIResponses;
    case Operation::ChatCompletions:
    case Operation::Completions:
    case Operation::Embeddings: return Api::OpenAIChat;
  }
  return Api::OpenAIChat;
}

// The conversation a body for `op` holds, for the repair scan of its one JSON walk
// (common/json/conversation_scan.h).
constexpr common::ConversationShape conversationShape(Operation op) {
  switch (op) {
    case Operation::ChatCompletions: return common::ConversationShape::OpenAIChat;
    case Operation::Messages:
    case Operation::CountTokens: return common::ConversationShape::AnthropicMessages;
    case Operation::Completions:
    case Operation::Embeddings:
    case Operation::Responses: break;
  }
  return common::ConversationShape::None;
}

// The protocol `provider` is spoken to for a client's `op`: Anthropic for type "anthropic";
// Responses for a Responses request to a provider that takes them (schema::speaksResponses);
// otherwise OpenAI's Chat Completions family.
Api providerApi(const common::ProviderConfig& provider, Operation op);

// Whether a request for `op` can be sent to `provider` at all (bypass or translation). No
// translation exists for legacy completions and embeddings toward Anthropic.
bool canServe(const common::ProviderConfig& provider, Operation op);

// Whether a translator exists between the client's protocol for `op` and `provider`'s (always
// true when they are the same).
bool translates(const common::ProviderConfig& provider, Operation op);

}  // namespace llmproxy::worker::protocol
