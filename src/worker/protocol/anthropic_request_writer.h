// Writes the internal form of a request as an Anthropic Messages body (a chat or Responses
// client in front of an Anthropic provider).
//
//  - model: the provider's target, never the client's name.
//  - system: one text block per system part, cache_control kept. messages: user and assistant
//    turns as blocks; a run of Tool messages becomes one user message of tool_result blocks (a
//    user message that follows stays its own turn; the API joins consecutive user turns).
//    Images: base64 source, or Anthropic's url source. Tool use: the parsed input. Thinking:
//    thinking blocks with their signatures, redacted_thinking as it came.
//  - max_tokens (required): the client's limit, else `default_max_tokens` (4096 when 0).
//  - tools: input_schema (an empty object schema when the client gave none), cache_control
//    kept. tool_choice: auto → auto, none → none, required → any, named → tool;
//    parallel_tool_calls false → disable_parallel_tool_use. Without tools neither is sent.
//  - stop → stop_sequences; user → metadata.user_id; temperature, top_p, top_k as given.
//  - Reasoning effort → thinking {type: enabled, budget_tokens} by this table:
//
//      effort    none   minimal  low    medium  high    xhigh   any other
//      budget    (off)  1024     2048   8192    16384   32768   8192
//
//    An Anthropic budget (thinking_budget) is used as it is. max_tokens must exceed the budget:
//    without a client limit max_tokens is the default plus the budget; with a client limit
//    not above the budget the budget becomes half the limit, and thinking is off when that is
//    under Anthropic's minimum of 1024. Thinking on: temperature, top_p and top_k are dropped
//    (Anthropic refuses them with thinking). Thinking is also off when tool_choice forces a
//    tool (Anthropic refuses the pair) or a repair disabled it (request_repairs.h); the reasoning
//    member is then listed as dropped.
//  - Dropped, listed in WrittenRequest::dropped: every unknown member, response_format (chat) or
//    text (Responses). Dropped without a listing (no Anthropic field): image detail, tool strict.
#pragma once

#include <cstdint>
#include <string_view>

#include "worker/protocol/internal_request.h"
#include "worker/protocol/written_request.h"

namespace llmproxy::worker::protocol {

struct AnthropicWriteOptions {
  std::string_view target;          // the model name the provider expects
  uint64_t default_max_tokens = 0;  // max_tokens when the client gave none; 0: 4096
};

inline constexpr uint64_t kDefaultAnthropicMaxTokens = 4096;
inline constexpr uint64_t kMinThinkingBudget = 1024;

// The thinking budget for an OpenAI reasoning effort (the table above); 0: thinking off.
uint64_t thinkingBudgetForEffort(const JsonText& effort);

// Expects a repaired request (request_repairs.h); never fails.
WrittenRequest writeAnthropicRequest(const InternalRequest& ir,
                                     const AnthropicWriteOptions& options);

}  // namespace llmproxy::worker::protocol
