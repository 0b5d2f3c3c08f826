// Token usage from an OpenAI response: the `usage` object of a stream chunk or of a whole
// non-streaming body, and whether a chunk carries nothing but usage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace llmproxy::worker {

struct Usage {
  uint64_t prompt_tokens = 0;       // all input, cached and cache writes included (OpenAI's sense)
  uint64_t completion_tokens = 0;
  uint64_t total_tokens = 0;  // prompt + completion when the provider leaves it out
  uint64_t cached_tokens = 0;       // of the prompt, read from the provider's prompt cache
  uint64_t cache_write_tokens = 0;  // of the prompt, written to it (Anthropic's cache_creation)
  bool operator==(const Usage&) const = default;
};

struct UsageFacts {
  std::optional<Usage> usage;  // set when the payload has a top-level `usage` object
  // The final chunk OpenAI sends for stream_options.include_usage: `"choices": []` and a
  // usage object. A stage that injected include_usage itself drops this chunk from the
  // client stream (SseEvent::begin/end give its bytes).
  bool usage_only = false;
};

// A quick reject before any parsing: false when the payload cannot hold a usage object
// (no "usage" or no "_tokens" substring). Most content chunks are rejected here.
bool mayHaveUsage(std::string_view payload);

// Parses payloads that pass mayHaveUsage. Owns a simdjson parser and a padded buffer, reused
// across calls: one per worker (or per exchange), worker-loop-only.
// Accepts OpenAI chat/completions/embeddings usage (prompt_tokens, completion_tokens,
// total_tokens) and the Responses/Anthropic spelling (input_tokens, output_tokens; Anthropic's
// cache_read_input_tokens and cache_creation_input_tokens add to the prompt and are counted as
// cached / cache writes; OpenAI's prompt_tokens_details.cached_tokens and the Responses API's
// input_tokens_details.cached_tokens are the cached part of the prompt), at the top level
// or one level down in "message" (Anthropic's message_start) or "response" (Responses
// events). Fields
// that are missing or not unsigned integers count as 0. Invalid JSON yields empty facts: usage
// is observed, never enforced on the relay path.
class UsageExtractor {
 public:
  static constexpr size_t kRetainedCapacity = 1u << 20;  // larger payloads: temporary parser

  UsageExtractor();
  ~UsageExtractor();
  UsageExtractor(const UsageExtractor&) = delete;
  UsageExtractor& operator=(const UsageExtractor&) = delete;

  UsageFacts extract(std::string_view payload);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace llmproxy::worker
