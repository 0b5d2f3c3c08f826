// The internal form of a request (../shared/PROTOCOLS.md §1): what a request reader fills from a
// client's body and a request writer turns into a provider's body.
//
// Flat and cheap: four vectors of small records, strings kept as views.
//  - Every JsonText and every raw JSON view points into the client's request body, or into
//    InternalRequest::owned, or at a string constant. The request body outlives every attempt
//    of the exchange, so the internal form may live as long as the exchange does; it must never
//    outlive the body it was read from (an InternalRequest is move-only for that reason: a
//    copy would still view the first one's `owned`).
//  - Strings stay in JSON's escaped form (JsonText): a text travels from the client's body to
//    the provider's body as one copy, never unescaped and escaped again.
//  - Raw JSON (tool input, schemas, cache_control, unknown fields) is the client's bytes as they
//    are; JsonFactsParser validated the whole body before any reader runs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmproxy::worker::protocol {

// A JSON string value as it lies between its quotes in valid JSON: escapes kept ("a\nb" is the
// four bytes a, \, n, b). Written back between quotes as it is (JsonWriter::escapedValue). The
// few texts the translators make themselves (".", media types cut out of a data URL) have
// nothing to escape, so they are JsonTexts too.
struct JsonText {
  std::string_view s;    // default: absent (data() == nullptr); "" from the body is present
  bool escaped = false;  // s holds a backslash: its value differs from its bytes

  static JsonText plain(std::string_view s) { return {s, false}; }  // s: nothing to escape
  bool present() const { return s.data() != nullptr; }
  bool empty() const { return s.empty(); }
  // The value, escapes resolved (\uXXXX and surrogate pairs to UTF-8).
  std::string unescaped() const;
  // Whether the value equals `value` (no escapes in `value`).
  bool equals(std::string_view value) const;
  // Whether the value is empty or only whitespace (space, \t, \n, \r, \f, \v).
  bool blank() const;
};

enum class Role : uint8_t { User, Assistant, Tool };

enum class PartKind : uint8_t { Text, Image, ToolUse, ToolResult, Thinking };

// Who issued a thinking block's signature: what decides whether a provider may see it
// (request_repairs.h).
enum class SignatureOrigin : uint8_t {
  None,       // no signature (chat reasoning_content, or an empty signature)
  Anthropic,  // Anthropic's opaque signature: Messages thinking blocks, chat thinking_blocks
  OpenAI,     // a Responses reasoning item's encrypted_content
};

// [first, first + count) in one of InternalRequest's vectors.
struct Range {
  uint32_t first = 0;
  uint32_t count = 0;
};

// One content part. Which fields mean something depends on `kind`; the others stay empty.
struct Part {
  PartKind kind = PartKind::Text;
  bool image_url = false;         // Image: `text` is a URL (http(s)), else base64 data
  bool is_error = false;          // ToolResult
  bool redacted = false;          // Thinking: Anthropic's redacted_thinking; `text` is its data
  bool content_is_parts = false;  // ToolResult: content in `content`, else the string `text`
  SignatureOrigin signature_origin = SignatureOrigin::None;  // Thinking

  JsonText text;           // Text, Thinking: the text. Image: base64 data or the URL.
                           // ToolResult: the content when it was a string
  JsonText media_type;     // Image (base64): "image/png"
  JsonText detail;         // Image: OpenAI's "detail" (dropped toward Anthropic)
  JsonText id;             // ToolUse: the call id. ToolResult: the tool_use_id it answers
  JsonText name;           // ToolUse: the tool's name
  JsonText arguments;      // ToolUse from OpenAI: the arguments string as the client sent it
  std::string_view input;  // ToolUse: the input as a JSON object ("{}" when none or unparseable)
  JsonText signature;      // Thinking
  std::string_view cache_control;  // raw JSON; Anthropic's, or a chat client's extension
  Range content;                   // ToolResult: its parts, in InternalRequest::nested
};

struct Message {
  Role role = Role::User;
  Range parts;  // in InternalRequest::parts, in order
};

struct Tool {
  JsonText name;
  JsonText description;
  std::string_view parameters;     // raw JSON schema; empty: none given
  std::string_view cache_control;  // raw JSON
  std::string_view strict;         // raw "true"/"false"; empty: absent
};

enum class ToolChoice : uint8_t { Unset, Auto, None, Required, Named };

// OpenAI's structured output request (chat response_format, Responses text.format).
struct ResponseFormat {
  enum class Kind : uint8_t { Unset, Text, JsonObject, JsonSchema };
  Kind kind = Kind::Unset;
  JsonText name;
  JsonText description;
  std::string_view schema;  // raw JSON
  std::string_view strict;  // raw "true"/"false"; empty: absent
};

// A top-level member the reader has no mapping for, kept as the client wrote it.
struct RawField {
  JsonText name;
  std::string_view value;       // raw JSON
  bool chat_compatible = true;  // false: a Responses-only field a chat provider would refuse
};

struct InternalRequest {
  // The client protocol the request was read from.
  enum class Source : uint8_t { ChatCompletions, Messages, Responses };

  InternalRequest() = default;
  InternalRequest(InternalRequest&&) = default;
  InternalRequest& operator=(InternalRequest&&) = default;
  InternalRequest(const InternalRequest&) = delete;
  InternalRequest& operator=(const InternalRequest&) = delete;

  Source source = Source::ChatCompletions;
  JsonText model;  // the client's; writers write the provider's target instead

  // Conversation. System text blocks in order (chat system and developer messages, Anthropic's
  // system, Responses instructions then its system/developer items), all of kind Text.
  std::vector<Part> system;
  std::vector<Message> messages;
  std::vector<Part> parts;   // every message's parts; a message's parts are contiguous
  std::vector<Part> nested;  // tool results' content parts

  // Tools.
  std::vector<Tool> tools;
  ToolChoice tool_choice = ToolChoice::Unset;
  JsonText tool_choice_name;                // Named
  std::optional<bool> parallel_tool_calls;  // Anthropic: !tool_choice.disable_parallel_tool_use

  // Sampling. Numbers stay raw tokens (validated numbers) so they reach the provider unchanged.
  std::string_view temperature;
  std::string_view top_p;
  std::string_view top_k;
  std::vector<JsonText> stop;
  std::optional<uint64_t> max_output_tokens;

  // Output.
  bool stream = false;
  std::optional<bool> include_usage;  // the client's stream_options.include_usage
  ResponseFormat response_format;
  JsonText verbosity;  // Responses text.verbosity

  // Reasoning: an OpenAI effort ("low", "medium", ...) or an Anthropic thinking budget.
  JsonText reasoning_effort;
  std::optional<uint64_t> thinking_budget;  // Anthropic thinking {type: enabled}
  bool thinking_disabled = false;  // Anthropic thinking {type: disabled}, or a repair turned it off

  JsonText user;  // chat/Responses user, Anthropic metadata.user_id

  std::vector<RawField> unknown;

  size_t body_size = 0;  // the client's body, to size the provider's

  // How many OpenAI tool-call arguments strings were not a JSON object (input became {}): the
  // caller logs a warning when non-zero. An empty string is not counted.
  uint32_t unparseable_arguments = 0;

  // Texts made while reading (unescaped tool arguments); blocks never move.
  std::vector<std::unique_ptr<char[]>> owned;
};

// The name of the client field that carried each concern, for the lists of dropped fields.
std::string_view reasoningFieldName(InternalRequest::Source source);
std::string_view responseFormatFieldName(InternalRequest::Source source);

}  // namespace llmproxy::worker::protocol
