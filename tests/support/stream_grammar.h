// Grammar checkers for the three client stream protocols (Anthropic Messages events, OpenAI
// chat chunks, OpenAI Responses events): each reads a whole stream in wire form, reports the
// first rule it breaks and what a client SDK would have accumulated from it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llmproxy::testing {

struct StreamToolCall {
  std::string id;
  std::string name;
  std::string arguments;  // the input JSON, accumulated from its pieces
  bool operator==(const StreamToolCall&) const = default;
};

// What a stream said, and whether it said it grammatically.
struct StreamTranscript {
  std::string violation;  // the first rule broken (with the event number); empty: well-formed
  size_t events = 0;
  std::string id;
  std::string text;                  // text deltas, all blocks/items joined
  std::string reasoning;             // thinking / reasoning_content / reasoning summary
  std::string signature;             // Anthropic signature deltas
  std::vector<std::string> blocks;   // block/item kinds in order: "text", "thinking", "tool_use"
  std::vector<StreamToolCall> tool_calls;
  // Anthropic stop_reason, chat finish_reason, Responses status (+ ":" + incomplete reason).
  std::string stop;
  std::string stop_sequence;  // Anthropic only
  bool failed = false;        // ended with the protocol's error event
  bool open_at_error = false;  // ... while a block/item was open (valid, but not what we send)
  std::string error_type;     // Anthropic error.type / OpenAI error.type / Responses error.code
  std::string error_message;
  bool has_usage = false;  // a usage object at the end (message_delta, usage chunk, final object)
  uint64_t input_tokens = 0;  // as the client protocol counts them (chat: prompt_tokens)
  uint64_t output_tokens = 0;
  uint64_t cached_tokens = 0;  // cache_read_input_tokens / cached_tokens
  uint64_t cache_write_tokens = 0;
  uint64_t reasoning_tokens = 0;
  uint64_t total_tokens = 0;  // chat and Responses
  bool ok() const { return violation.empty(); }
};

// Anthropic: message_start first (id msg_…, the model), content_block_start before its deltas
// with indexes 0, 1, 2… and one block open at a time, delta types matching the block,
// every block stopped, one message_delta (stop_reason set, usage) after the last block, then
// message_stop last; or `event: error` last instead of message_delta/message_stop (a block may
// be open then: open_at_error). Every event has `event:` equal to data.type; when the stop
// reason is tool_use, every tool input joins into a JSON object. Usage is message_start's,
// updated by the members message_delta carries (as the SDKs accumulate it).
StreamTranscript checkAnthropicStream(std::string_view wire, std::string_view model);

// Chat: every chunk has the same id (chatcmpl-…) and created, object chat.completion.chunk and
// the model; role on the first chunk; one choice of index 0; tool call indexes from 0 in
// order (id, type function and name on a call's first piece only); finish_reason exactly
// once; the usage chunk ("choices":[]) after it exactly when `include_usage`; [DONE] last;
// with finish_reason tool_calls, every call's arguments join into a JSON object.
// Or an error payload (data {"error":…}, with or without `event: error`) last, without [DONE].
StreamTranscript checkChatStream(std::string_view wire, std::string_view model,
                                 bool include_usage);

// Responses: `event:` equal to data.type, sequence_number 0, 1, 2…; response.created then
// response.in_progress first; items added with output_index 0, 1, 2…, one open at a time, their
// events naming the open item, .done texts equal to the deltas joined; exactly one of
// response.completed / response.incomplete / response.failed, last, with the model, the same
// id, every item in `output`, and usage (failed excepted; an item may be open at
// response.failed: open_at_error).
StreamTranscript checkResponsesStream(std::string_view wire, std::string_view model);

// One SSE event of a wire stream.
struct WireEvent {
  std::string type;  // the `event:` field; empty when none
  std::string data;
};
// Splits a stream written with "\n" or "\r\n" line ends into its events (test-grade parser: no
// comments, ids or retries). `rest` gets any bytes after the last blank line.
std::vector<WireEvent> splitSse(std::string_view wire, std::string* rest = nullptr);

}  // namespace llmproxy::testing
