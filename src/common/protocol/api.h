// The wire protocols llmproxy speaks: what a client speaks (from its path) or a provider speaks
// (from its type). Here, below worker/ and shm/, so the metrics can label by it.
#pragma once

#include <cstdint>
#include <string_view>

namespace llmproxy::common {

enum class Api : uint8_t { OpenAIChat, AnthropicMessages, OpenAIResponses };
inline constexpr size_t kApiCount = 3;

// "openai", "anthropic", "responses": metric labels and log fields.
constexpr std::string_view apiName(Api api) {
  switch (api) {
    case Api::OpenAIChat: return "openai";
    case Api::AnthropicMessages: return "anthropic";
    case Api::OpenAIResponses: return "responses";
  }
  return "openai";
}

}  // namespace llmproxy::common
