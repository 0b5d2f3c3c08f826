// The stream converters of PROTOCOLS.md §4: a provider's SSE events in, the client's events
// out, one upstream event at a time. Each is a reader (provider protocol) feeding a
// StreamEmitter (the grammar) feeding a writer (client protocol).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/base/result.h"
#include "worker/protocol/anthropic_event_reader.h"
#include "worker/protocol/anthropic_stream_writer.h"
#include "worker/protocol/chat_chunk_reader.h"
#include "worker/protocol/chat_stream_writer.h"
#include "worker/protocol/client_options.h"
#include "worker/protocol/responses_stream_writer.h"
#include "worker/protocol/stream_emitter.h"

namespace llmproxy::worker::protocol {

// Owned by one exchange (in its TranslationState), as long as the stream; worker-loop-only;
// neither copied nor moved (its parts refer to each other). Parsing uses the thread's
// simdjson parser (json_input.h), so per-stream memory is the reader's and writer's state.
//
// Every call appends complete client events in wire form to `out` (possibly none: a ping, a
// role-only chunk). After the stream ended (end or failure) every call appends nothing.
template <typename Reader, typename Writer>
class StreamConverter {
 public:
  explicit StreamConverter(ClientOptions client)
      : writer_(std::move(client)), emitter_(writer_), reader_(emitter_) {}
  StreamConverter(const StreamConverter&) = delete;
  StreamConverter& operator=(const StreamConverter&) = delete;

  // One complete upstream SSE event: its data (SseEvent::data, "[DONE]" included).
  void event(std::string_view data, std::string& out) { reader_.event(data, out); }
  // The upstream stream ended cleanly: closes what is open and ends the client's stream
  // (message_stop / [DONE] / response.completed) if the provider did not.
  void finish(std::string& out) { reader_.finish(out); }
  // The stream failed after its first byte: closes what is open and writes the client's
  // error event (Anthropic `event: error`, chat error event, Responses response.failed).
  void fail(const ClientError& error, std::string& out) { emitter_.fail(error, out); }
  void fail(const common::Error& error, std::string& out) { fail(clientError(error), out); }

  bool ended() const { return emitter_.ended(); }
  // Usage as the provider reported it (cached tokens included), for the gateway's counts.
  bool hasUsage() const { return reader_.hasUsage(); }
  const TokenUsage& usage() const { return reader_.usage(); }
  // Provider pieces that had no place in the client's grammar (see the readers).
  uint32_t dropped() const { return emitter_.dropped() + reader_.latePieces(); }

 private:

  Writer writer_;
  StreamEmitter emitter_;
  Reader reader_;
};

// OpenAI chat chunks → Anthropic events (Anthropic client, OpenAI provider).
using ChatToAnthropicStream = StreamConverter<ChatChunkReader, AnthropicStreamWriter>;
// Anthropic events → OpenAI chat chunks (chat client, Anthropic provider).
using AnthropicToChatStream = StreamConverter<AnthropicEventReader, ChatStreamWriter>;
// OpenAI chat chunks → Responses events (Responses client, chat-only provider).
using ChatToResponsesStream = StreamConverter<ChatChunkReader, ResponsesStreamWriter>;
// Anthropic events → Responses events (Responses client, Anthropic provider), without going
// through chat.
using AnthropicToResponsesStream = StreamConverter<AnthropicEventReader, ResponsesStreamWriter>;

}  // namespace llmproxy::worker::protocol
