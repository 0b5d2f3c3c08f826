// The text of an answer, for Langfuse's captured `output`: the assistant's message text as the
// client received it, read from the provider's answer in the provider's protocol (a translation
// changes the framing, never the text). Streams: every event's text delta in order; whole
// bodies: the message's text parts once the body has ended. Tool calls, reasoning, refusals and
// usage are not text and are left out. Kept only while Langfuse capture is on (one per captured
// exchange); bounded: at most `limit` bytes of text, and a whole body is read only when it fits
// kBodyLimit (a longer one captures nothing). Worker-loop-only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/protocol/api.h"

namespace llmproxy::worker::tracing {

class CompletionText {
 public:
  // A whole (non-streamed) body larger than this is not read for its text.
  static constexpr size_t kBodyLimit = 1024 * 1024;

  CompletionText(common::Api provider_api, size_t limit) : api_(provider_api), limit_(limit) {}

  // One server-sent event's data (a streamed answer).
  void streamEvent(std::string_view data);
  // Bytes of a whole JSON body, in order; bodyEnd() reads them.
  void bodyBytes(std::string_view bytes);
  void bodyEnd();

  // The text so far: at most `limit` bytes (may end inside a UTF-8 sequence; cut it again).
  const std::string& text() const { return text_; }

 private:
  void append(std::string_view piece);

  common::Api api_;
  size_t limit_;
  std::string text_;
  std::string body_;
  bool body_too_long_ = false;
};

}  // namespace llmproxy::worker::tracing
