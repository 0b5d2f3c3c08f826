// Token usage as each protocol spells it: read from a provider's `usage` object into
// TokenUsage, and written back in the client's form (PROTOCOLS.md §3).
#pragma once

#include <string>

#include "worker/protocol/internal_response.h"
#include "worker/protocol/json_input.h"

namespace llmproxy::worker::protocol {

// OpenAI: prompt_tokens (cached included), completion_tokens,
// prompt_tokens_details.cached_tokens (or DeepSeek's prompt_cache_hit_tokens),
// completion_tokens_details.reasoning_tokens. False when `value` is not an object.
bool readChatUsage(od::value value, TokenUsage& usage);

// Anthropic: input_tokens, output_tokens, cache_read_input_tokens,
// cache_creation_input_tokens. Only the members present overwrite `usage` (a stream's
// message_delta updates what message_start said). False when `value` is not an object.
bool readAnthropicUsage(od::value value, TokenUsage& usage);

// {"prompt_tokens":..,"completion_tokens":..,"total_tokens":..,
//  "prompt_tokens_details":{"cached_tokens":..},"completion_tokens_details":{"reasoning_tokens":..}}
void appendChatUsage(std::string& out, const TokenUsage& usage);
// {"input_tokens":..,"cache_creation_input_tokens":..,"cache_read_input_tokens":..,"output_tokens":..}
void appendAnthropicUsage(std::string& out, const TokenUsage& usage);
// {"input_tokens":..,"input_tokens_details":{"cached_tokens":..},"output_tokens":..,
//  "output_tokens_details":{"reasoning_tokens":..},"total_tokens":..}
void appendResponsesUsage(std::string& out, const TokenUsage& usage);

}  // namespace llmproxy::worker::protocol
