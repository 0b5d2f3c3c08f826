// The internal form of a model's answer (PROTOCOLS.md §1): what every response converter
// reads a provider's body into and writes a client's body from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace llmproxy::worker::protocol {

// Why the model stopped, one value for all three protocols (stop_reason.h maps the names).
enum class StopReason : uint8_t {
  EndTurn,        // OpenAI "stop", Anthropic "end_turn"
  StopSequence,   // Anthropic "stop_sequence" (OpenAI says "stop" and never which one)
  MaxTokens,      // OpenAI "length", Anthropic "max_tokens"
  ToolUse,        // OpenAI "tool_calls", Anthropic "tool_use"
  ContentFilter,  // OpenAI "content_filter", Anthropic "refusal"
  PauseTurn,      // Anthropic "pause_turn" (OpenAI "stop")
};

// Token counts, in Anthropic's sense: `input` excludes the cached tokens, so the prompt as
// OpenAI counts it is input + cache_read + cache_write. `reasoning` is part of `output`.
struct TokenUsage {
  uint64_t input = 0;
  uint64_t output = 0;
  uint64_t cache_read = 0;
  uint64_t cache_write = 0;
  uint64_t reasoning = 0;

  uint64_t prompt() const { return input + cache_read + cache_write; }
  uint64_t total() const { return prompt() + output; }
  bool operator==(const TokenUsage&) const = default;
};

enum class ResponsePartKind : uint8_t { Text, Thinking, ToolUse };

// One content part. Only the fields of its kind are set.
struct ResponsePart {
  ResponsePartKind kind = ResponsePartKind::Text;
  std::string text;       // Text: the text; Thinking: the reasoning text
  std::string signature;  // Thinking: Anthropic's signature (empty when the provider gave none)
  std::string id;         // ToolUse: the call id
  std::string name;       // ToolUse: the function name
  std::string input;      // ToolUse: the arguments, one valid JSON object (raw text)
  bool operator==(const ResponsePart&) const = default;
};

// One whole (non-streaming) answer. `id` and `model` are the provider's; the writers derive
// the client's id from `id` (response_ids.h) and write the client's model name instead.
struct InternalResponse {
  std::string id;
  std::string model;
  std::vector<ResponsePart> content;  // in the order the provider gave them
  StopReason stop = StopReason::EndTurn;
  std::string stop_sequence;  // StopSequence: the sequence, when the provider said which
  TokenUsage usage;
  bool has_usage = false;  // the provider reported usage
  // Tool calls whose arguments were not a JSON object and were replaced by {} (the caller
  // logs a warning line when this is not 0).
  uint32_t repaired_tool_inputs = 0;
};

}  // namespace llmproxy::worker::protocol
