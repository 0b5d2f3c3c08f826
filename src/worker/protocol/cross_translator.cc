// The four cross-protocol translators, one template over the pair's pieces.
#include "worker/protocol/cross_translator.h"

#include <algorithm>
#include <ctime>
#include <memory>

#include "common/log/log.h"

#include "worker/protocol/anthropic_request_writer.h"
#include "worker/protocol/anthropic_response.h"
#include "worker/protocol/chat_request_writer.h"
#include "worker/protocol/chat_response.h"
#include "worker/protocol/client_error.h"
#include "worker/protocol/request_reader.h"
#include "worker/protocol/request_repairs.h"
#include "worker/protocol/responses_response.h"
#include "worker/protocol/stream_converter.h"

namespace llmproxy::worker::protocol {
namespace {

// A plain answer is translated whole; past this many bytes it is refused (a chat completion
// that large is a broken provider, and the client gets an error in its own shape).
constexpr size_t kMaxPlainBody = 64u << 20;

// One reader per worker process (the worker loop is its only thread).
RequestReader& requestReader() {
  static thread_local RequestReader reader;
  return reader;
}

InternalRequest::Source sourceOf(Api client) {
  switch (client) {
    case Api::AnthropicMessages: return InternalRequest::Source::Messages;
    case Api::OpenAIResponses: return InternalRequest::Source::Responses;
    case Api::OpenAIChat: break;
  }
  return InternalRequest::Source::ChatCompletions;
}

Operation providerOperation(Api provider) {
  return provider == Api::AnthropicMessages ? Operation::Messages : Operation::ChatCompletions;
}

// The response side's state for one attempt.
template <typename Stream>
struct CrossState final : TranslationState {
  explicit CrossState(const ResponseContext& ctx) {
    client.model = std::string(ctx.client_model);
    client.include_usage = ctx.include_usage;
    client.fallback_id = std::string(ctx.request_id);
    client.created = static_cast<int64_t>(std::time(nullptr));
  }
  ClientOptions client;
  int status = 0;
  std::string body;        // a plain answer so far
  bool too_large = false;  // ... past kMaxPlainBody
  std::unique_ptr<Stream> stream;
  Stream& converter() {
    if (!stream) stream = std::make_unique<Stream>(client);
    return *stream;
  }
};

// The pieces of one pair. Parse/Write: the plain answer; Stream: the event converter.
template <Api kClient, Api kProvider, typename Stream,
          common::Result<InternalResponse> (*Parse)(std::string_view),
          void (*Write)(const InternalResponse&, const ClientOptions&, std::string&)>
class CrossTranslator final : public Translator {
 public:
  void request(const RequestContext& ctx, OutgoingRequest& out) const override {
    const std::string_view body = ctx.request.body;
    auto ir = requestReader().read(sourceOf(kClient), body);
    if (!ir) {
      // Cannot happen: checkTranslatable read the same bytes before the first attempt. Should
      // it, the provider gets an empty request and answers 400; the worker stays up.
      LLMP_LOG_ERROR("[{}] cannot translate the request: {}", ctx.request_id, ir.error().detail);
      out.body = "{}";
      std::fill(std::begin(out.repairs), std::end(out.repairs), 0u);
    } else {
      writeBody(*ir, ctx, out);
    }
    out.drop_usage_chunk = false;  // the stream converter decides what the client sees
    appendRequestHead(out.head, ctx, providerOperation(kProvider), out.body.size());
    out.bufs.clear();
    out.bufs.push_back(uv_buf_init(out.head.data(), out.head.size()));
    out.bufs.push_back(uv_buf_init(out.body.data(), out.body.size()));
  }

  static void writeBody(InternalRequest& ir, const RequestContext& ctx, OutgoingRequest& out) {
    if (ir.unparseable_arguments > 0)
      LLMP_LOG_WARN("[{}] {} tool call argument string(s) were not a JSON object; sent as {{}}",
                    ctx.request_id, ir.unparseable_arguments);
    const RepairCounts repairs = repairRequest(ir, ctx.provider.config->type);
    out.repairs[0] = repairs.thinking_removed;
    out.repairs[1] = repairs.tool_results_added;
    out.repairs[2] = repairs.blank_texts;
    out.repairs[3] = repairs.thinking_disabled;
    WrittenRequest written;
    if constexpr (kProvider == Api::AnthropicMessages) {
      written = writeAnthropicRequest(ir, {ctx.target, 0});
    } else {
      // OpenAI-compatible servers may know only max_tokens; OpenAI and Azure want
      // max_completion_tokens (reasoning models refuse max_tokens).
      const bool completion_tokens =
          ctx.provider.config->type != common::ProviderType::OpenAICompatible;
      written = writeChatRequest(ir, {ctx.target, completion_tokens});
    }
    out.body = std::move(written.body);
  }

  bool rewritesResponse() const override { return true; }

  std::unique_ptr<TranslationState> newState(const ResponseContext& ctx) const override {
    return std::make_unique<CrossState<Stream>>(ctx);
  }

  void responseHead(UpstreamResponseHead& head, TranslationState* state) const override {
    stateOf(state).status = head.status;
  }

  void responseBody(std::string_view bytes, TranslationState* state,
                    std::string&) const override {
    auto& s = stateOf(state);
    if (s.too_large) return;
    if (s.body.size() + bytes.size() > kMaxPlainBody) {
      s.too_large = true;
      std::string().swap(s.body);
      return;
    }
    s.body.append(bytes);
  }

  void responseEnd(TranslationState* state, std::string& out) const override {
    auto& s = stateOf(state);
    if (s.too_large) {
      writeError(clientError(502, "the provider's answer is too large to translate"), out);
      return;
    }
    if (s.status >= 400) {
      writeError(clientErrorFromProvider(s.status, s.body), out);
      return;
    }
    auto parsed = Parse(s.body);
    if (!parsed) {
      writeError(clientError(parsed.error()), out);
      return;
    }
    Write(*parsed, s.client, out);
  }

  void streamEvent(const SseEvent& event, TranslationState* state,
                   std::string& out) const override {
    stateOf(state).converter().event(event.data, out);
  }

  void streamEnd(TranslationState* state, std::string& out) const override {
    stateOf(state).converter().finish(out);
  }

  void streamError(const common::Error& error, TranslationState* state,
                   std::string& out) const override {
    stateOf(state).converter().fail(error, out);
  }

 private:
  static CrossState<Stream>& stateOf(TranslationState* state) {
    return *static_cast<CrossState<Stream>*>(state);
  }
  static void writeError(const ClientError& error, std::string& out) {
    out += kClient == Api::AnthropicMessages ? anthropicErrorJson(error) : openAIErrorJson(error);
  }
};

const CrossTranslator<Api::AnthropicMessages, Api::OpenAIChat, ChatToAnthropicStream,
                      &parseChatCompletion, &writeAnthropicMessage>
    kMessagesToChat;
const CrossTranslator<Api::OpenAIChat, Api::AnthropicMessages, AnthropicToChatStream,
                      &parseAnthropicMessage, &writeChatCompletion>
    kChatToMessages;
const CrossTranslator<Api::OpenAIResponses, Api::OpenAIChat, ChatToResponsesStream,
                      &parseChatCompletion, &writeResponsesResponse>
    kResponsesToChat;
const CrossTranslator<Api::OpenAIResponses, Api::AnthropicMessages, AnthropicToResponsesStream,
                      &parseAnthropicMessage, &writeResponsesResponse>
    kResponsesToMessages;

}  // namespace

const Translator* crossTranslator(Api client, Api provider) {
  if (client == Api::AnthropicMessages && provider == Api::OpenAIChat) return &kMessagesToChat;
  if (client == Api::OpenAIChat && provider == Api::AnthropicMessages) return &kChatToMessages;
  if (client == Api::OpenAIResponses && provider == Api::OpenAIChat) return &kResponsesToChat;
  if (client == Api::OpenAIResponses && provider == Api::AnthropicMessages)
    return &kResponsesToMessages;
  return nullptr;
}

std::optional<common::Error> checkTranslatable(Api client, std::string_view body) {
  auto ir = requestReader().read(sourceOf(client), body);
  if (ir) return std::nullopt;
  return ir.error();
}

}  // namespace llmproxy::worker::protocol
