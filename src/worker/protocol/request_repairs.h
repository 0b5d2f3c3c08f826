// The agent-client repairs (../shared/PROTOCOLS.md §2): edits of the internal form that turn
// the conversations agent clients send into ones the provider accepts. Applied to every
// translated request, after reading and before writing.
//
// How "another provider's signature" is known. A signature is opaque: nothing in it says who
// issued it, so the reader records where it came from (Part::signature_origin):
//  - Anthropic: a non-empty signature on an Anthropic thinking block (Messages clients, or
//    chat clients' thinking_blocks), and every redacted_thinking block;
//  - OpenAI: a Responses reasoning item's encrypted_content;
//  - None: no signature (chat reasoning_content, a thinking block whose signature is empty:
//    what a client gets when a non-Anthropic provider answered through the gateway).
// Toward Anthropic, every thinking block not of Anthropic origin is removed (Anthropic refuses a
// thinking block without a valid signature). Toward OpenAI-family providers the thinking text
// travels as reasoning_content and signatures are simply not sent; blocks with no text (redacted
// thinking, encrypted-only reasoning) are removed. A signature issued by another Anthropic-API
// provider (say Bedrock's) cannot be told from Anthropic's own and is kept.
#pragma once

#include <cstdint>

#include "common/config/config.h"
#include "worker/protocol/internal_request.h"

namespace llmproxy::worker::protocol {

struct RepairCounts {
  uint32_t thinking_removed = 0;    // thinking parts the provider would refuse or cannot use
  uint32_t tool_results_added = 0;  // placeholder results for tool calls left unanswered
  uint32_t blank_texts = 0;         // blank text parts, and messages left without parts, → "."
  // 1 when thinking was turned off (Anthropic): thinking is asked for, and the assistant turn
  // still in progress (followed only by tool results) has a tool call but does not start with
  // a thinking block, which Anthropic refuses.
  uint32_t thinking_disabled = 0;

  uint32_t total() const {
    return thinking_removed + tool_results_added + blank_texts + thinking_disabled;
  }
};

// The placeholder result's text.
inline constexpr std::string_view kInterruptedToolResult =
    "tool call interrupted, no result available";

// Repairs `ir` for a provider of `provider` type, in this order:
//  1. thinking parts removed as the file comment says;
//  2. each assistant tool use whose id no tool result answers before the next assistant
//     message gets a ToolResult {is_error: true, text kInterruptedToolResult}; the placeholders
//     of one assistant message form one Tool message placed after the tool messages that
//     follow it (before any user message);
//  3. blank text parts (system, messages, tool result contents) become "."; a message left
//     with no part gets one "." text part;
//  4. (Anthropic) thinking turned off when the provider would refuse it (thinking_disabled).
// Parts removed or superseded stay in ir.parts outside every message's range: read parts only
// through the messages afterwards.
RepairCounts repairRequest(InternalRequest& ir, common::ProviderType provider);

}  // namespace llmproxy::worker::protocol
