// The reading of a body: padding, the root object, the protocol's reader, the tool inputs.
#include "worker/protocol/request_reader.h"

#include <simdjson.h>

#include <cstring>
#include <string>

#include "worker/protocol/anthropic_request_reader.h"
#include "worker/protocol/chat_request_reader.h"
#include "worker/protocol/reader_support.h"
#include "worker/protocol/responses_request_reader.h"

namespace llmproxy::worker::protocol {

namespace od = simdjson::ondemand;

struct RequestReader::State {
  od::parser parser;
  od::parser items;     // the items that Responses item_reference ids carry
  std::string scratch;  // a padded copy of a body that came without padding
};

RequestReader::RequestReader() : state_(std::make_unique<State>()) {}
RequestReader::~RequestReader() = default;

common::Result<InternalRequest> RequestReader::read(InternalRequest::Source source,
                                                    const char* data, size_t len, size_t capacity) {
  const char* parsed = data;
  if (capacity < len + simdjson::SIMDJSON_PADDING) {
    state_->scratch.assign(data, len);
    state_->scratch.append(simdjson::SIMDJSON_PADDING, '\0');
    parsed = state_->scratch.data();
  }
  InternalRequest ir;
  ir.source = source;
  ir.body_size = len;
  // A guess that saves most reallocations of a typical agent request (a message or a part
  // every few hundred bytes).
  ir.messages.reserve(len / 512 + 4);
  ir.parts.reserve(len / 384 + 4);
  reading::Scope sc{ir, parsed, data, &state_->items};

  od::document doc;
  if (auto e = state_->parser.iterate(parsed, len, len + simdjson::SIMDJSON_PADDING).get(doc))
    return reading::invalidJson(e);
  od::json_type type;
  if (auto e = doc.type().get(type)) return reading::invalidJson(e);
  if (type != od::json_type::object)
    return common::fail(common::ErrorKind::BadRequest, "Request body must be a JSON object");
  od::object root;
  if (auto e = doc.get_object().get(root)) return reading::invalidJson(e);

  common::Result<void> done;
  switch (source) {
    case InternalRequest::Source::ChatCompletions:
      done = readChatRequest(sc, root);
      break;
    case InternalRequest::Source::Messages:
      done = readAnthropicRequest(sc, root);
      break;
    case InternalRequest::Source::Responses:
      done = readResponsesRequest(sc, root);
      break;
  }
  if (!done) return std::unexpected(std::move(done.error()));

  // The document is done with: the parser is free to check the tool-call arguments.
  reading::validateToolInputs(state_->parser, ir);
  return ir;
}

}  // namespace llmproxy::worker::protocol
