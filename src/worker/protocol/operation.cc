// Which protocol a provider is spoken to in, and what it can serve.
#include "worker/protocol/operation.h"

#include "common/config/schema.h"
#include "worker/protocol/cross_translator.h"

namespace llmproxy::worker::protocol {

Operation operationOf(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::Completions: return Operation::Completions;
    case Endpoint::Embeddings: return Operation::Embeddings;
    case Endpoint::Messages: return Operation::Messages;
    case Endpoint::CountTokens: return Operation::CountTokens;
    case Endpoint::Responses: return Operation::Responses;
    default: return Operation::ChatCompletions;
  }
}

Api providerApi(const common::ProviderConfig& provider, Operation op) {
  if (provider.type == common::ProviderType::Anthropic) return Api::AnthropicMessages;
  if (op == Operation::Responses && common::schema::speaksResponses(provider))
    return Api::OpenAIResponses;
  return Api::OpenAIChat;
}

bool canServe(const common::ProviderConfig& provider, Operation op) {
  if (provider.type != common::ProviderType::Anthropic) return true;
  return op != Operation::Completions && op != Operation::Embeddings;
}

bool translates(const common::ProviderConfig& provider, Operation op) {
  const Api client = clientApi(op);
  const Api upstream = providerApi(provider, op);
  return client == upstream || crossTranslator(client, upstream) != nullptr;
}

}  // namespace llmproxy::worker::protocol
