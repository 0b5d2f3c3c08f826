// The shape of a conversation (OpenAI chat or Anthropic Messages) as the body's one validating
// walk finds it, and the agent-client repairs a provider of the same protocol needs before it
// accepts it (../shared/PROTOCOLS.md §2, "and on bypass where a provider would reject the
// input"). The walk records byte ranges and a few flags per message and block, in vectors the
// parser reuses; only when a repair is needed is the scan copied into the request's JsonFacts,
// for the bypass to render the repairs as edits of the client's bytes (worker/protocol/
// bypass_repairs.h). A request that needs none is forwarded as it is.
//
// The repairs, each only where the provider refuses the request without it:
//  - both: an assistant tool call with no answer gets a placeholder result. OpenAI wants a
//    `role: tool` message per tool_call_id right after the assistant message; Anthropic a
//    tool_result block per tool_use id in the next (user) message;
//  - Anthropic: a thinking block without a signature is removed (what a client keeps of an
//    answer another provider gave through the gateway); a blank text block (system, message,
//    tool_result content) becomes "."; a message left with no content (blank string, empty
//    array) gets a "." text, except the final assistant message (a prefill may be empty);
//    thinking is turned off when it is on and the assistant turn in progress calls a tool
//    without starting with a thinking block.
// Ids are compared as the client wrote them (escapes kept).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/json/json_facts.h"

namespace llmproxy::common {

struct ScannedBlock {
  enum class Kind : uint8_t { Other, Text, Thinking, RedactedThinking, ToolUse, ToolResult };
  Kind kind = Kind::Other;
  bool blank = false;          // Text: empty or whitespace only
  bool has_signature = false;  // Thinking: a non-empty signature
  bool remove = false;         // repair: removed
  ByteRange range;             // the element, whatever it is
  ByteRange id;                // ToolUse: its id token; ToolResult: its tool_use_id token
};

struct ScannedMessage {
  enum class Role : uint8_t { Other, User, Assistant, Tool };
  Role role = Role::Other;
  bool content_array = false;
  bool content_blank = false;  // string content, blank
  ByteRange range;             // the message object
  ByteRange content;           // its content value (empty range: none)
  uint32_t first = 0;          // Anthropic: its blocks; OpenAI: its tool call ids
  uint32_t count = 0;
  ByteRange tool_call_id;      // OpenAI tool message: the id it answers

  // The repairs (planRepairs).
  uint32_t missing_first = 0;  // assistant: the ids of its unanswered calls, in `missing`
  uint32_t missing_count = 0;
  size_t answers_end = 0;      // OpenAI assistant: where its placeholders go
  int32_t answers_of = -1;     // Anthropic user message: the assistant whose placeholders it takes
  bool fill_dot = false;       // Anthropic: content becomes "." (or gets a "." text block)
};

struct ConversationScan {
  std::vector<ScannedMessage> messages;
  std::vector<ScannedBlock> blocks;
  std::vector<ByteRange> call_ids;     // OpenAI: tool_calls[].id tokens
  std::vector<ByteRange> blank_texts;  // Anthropic: text tokens to become "."
  std::vector<ByteRange> missing;      // ids to answer with a placeholder
  ByteRange thinking;                  // Anthropic: the top-level thinking value
  bool thinking_on = false;            // ... its type is enabled or adaptive

  // What planRepairs decided, by kind: thinking removed, tool results added, blank texts,
  // thinking turned off (the order of RepairCounts and the metrics).
  uint32_t counts[4] = {};
  bool disable_thinking = false;

  void clear();
  uint32_t total() const { return counts[0] + counts[1] + counts[2] + counts[3]; }
};

// The walk's pieces, called by JsonFactsParser for the top-level members of `shape`'s body
// ("messages"; for Anthropic also "system" and "thinking"). Each consumes and validates the
// whole value as validateJsonValue does (depth: the value's nesting level); `base` is the
// parsed buffer, whose offsets the ranges are.
namespace conversation {
simdjson::error_code scanMessages(simdjson::ondemand::document& doc, simdjson::ondemand::value v,
                                  const char* base, ConversationShape shape,
                                  ConversationScan& scan);
simdjson::error_code scanSystem(simdjson::ondemand::document& doc, simdjson::ondemand::value v,
                                const char* base, ConversationScan& scan);
simdjson::error_code scanThinking(simdjson::ondemand::document& doc, simdjson::ondemand::value v,
                                  const char* base, ConversationScan& scan);
}  // namespace conversation

// Decides the repairs of a scanned body (`base`: the bytes the ranges index); true when there
// is at least one.
bool planRepairs(ConversationScan& scan, ConversationShape shape, const char* base);

// Offsets in the walk: the range of a token from raw_json_token() (trailing whitespace
// trimmed), and the end of the value just consumed (one past its last byte).
ByteRange tokenRange(const char* base, std::string_view raw);
size_t consumedEnd(simdjson::ondemand::document& doc, const char* base);

}  // namespace llmproxy::common
