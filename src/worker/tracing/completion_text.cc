// The answer's text from a provider's stream events or whole body, per protocol.
#include "worker/tracing/completion_text.h"

#include <simdjson.h>

namespace llmproxy::worker::tracing {
namespace {

namespace dom = simdjson::dom;

// One parser for the worker (capture is rare and the worker is one thread): its buffers are
// kept between documents instead of allocated per event.
dom::parser& parser() {
  static dom::parser p;
  return p;
}

std::string_view stringAt(dom::element e, std::string_view key) {
  std::string_view s;
  if (e[key].get_string().get(s)) return {};
  return s;
}

// OpenAI: the first choice's text (chat: message.content or delta.content; completions: text).
std::string_view firstChoiceText(dom::element doc, std::string_view message_key) {
  dom::array choices;
  if (doc["choices"].get_array().get(choices)) return {};
  for (dom::element choice : choices) {
    uint64_t index = 0;
    if (!choice["index"].get_uint64().get(index) && index != 0) continue;
    dom::element message;
    if (!choice[message_key].get(message)) return stringAt(message, "content");
    return stringAt(choice, "text");
  }
  return {};
}

}  // namespace

void CompletionText::append(std::string_view piece) {
  if (text_.size() >= limit_) return;
  text_.append(piece.substr(0, limit_ - text_.size()));
}

void CompletionText::streamEvent(std::string_view data) {
  if (text_.size() >= limit_ || data.empty() || data.front() != '{') return;  // "[DONE]"
  dom::element doc;
  if (parser().parse(data.data(), data.size()).get(doc)) return;
  switch (api_) {
    case common::Api::OpenAIChat:
      append(firstChoiceText(doc, "delta"));
      return;
    case common::Api::AnthropicMessages: {
      dom::element delta;
      if (stringAt(doc, "type") == "content_block_delta" && !doc["delta"].get(delta) &&
          stringAt(delta, "type") == "text_delta")
        append(stringAt(delta, "text"));
      return;
    }
    case common::Api::OpenAIResponses:
      if (stringAt(doc, "type") == "response.output_text.delta") append(stringAt(doc, "delta"));
      return;
  }
}

void CompletionText::bodyBytes(std::string_view bytes) {
  if (body_too_long_) return;
  if (body_.size() + bytes.size() > kBodyLimit) {
    body_too_long_ = true;
    body_.clear();
    body_.shrink_to_fit();
    return;
  }
  body_.append(bytes);
}

void CompletionText::bodyEnd() {
  std::string body = std::move(body_);
  body_.clear();
  dom::element doc;
  if (body_too_long_ || body.empty() || parser().parse(body).get(doc)) return;
  switch (api_) {
    case common::Api::OpenAIChat:
      append(firstChoiceText(doc, "message"));
      return;
    case common::Api::AnthropicMessages: {
      dom::array content;
      if (doc["content"].get_array().get(content)) return;
      for (dom::element block : content)
        if (stringAt(block, "type") == "text") append(stringAt(block, "text"));
      return;
    }
    case common::Api::OpenAIResponses: {
      dom::array output;
      if (doc["output"].get_array().get(output)) return;
      for (dom::element item : output) {
        dom::array content;
        if (stringAt(item, "type") != "message" || item["content"].get_array().get(content))
          continue;
        for (dom::element part : content)
          if (stringAt(part, "type") == "output_text") append(stringAt(part, "text"));
      }
      return;
    }
  }
}

}  // namespace llmproxy::worker::tracing
