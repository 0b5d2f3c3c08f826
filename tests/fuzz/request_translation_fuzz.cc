// Fuzz target: a client's request body (Chat Completions, Anthropic Messages or Responses, by
// the first byte) that the body check accepted, read into the internal form, repaired and
// written for each provider protocol it can be sent to. What a writer produces must be one
// valid JSON object carrying the provider's model.
#include <cstdlib>
#include <string>

#include "common/json/json_facts.h"
#include "fuzz_input.h"
#include "worker/protocol/anthropic_request_writer.h"
#include "worker/protocol/chat_request_writer.h"
#include "worker/protocol/request_reader.h"
#include "worker/protocol/request_repairs.h"

using namespace llmproxy;
using namespace llmproxy::worker::protocol;

namespace {

void checkWritten(common::JsonFactsParser& facts, const WrittenRequest& written) {
  auto parsed = facts.parse(written.body);
  if (!parsed || parsed->model != "target-model") std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static common::JsonFactsParser facts;
  static RequestReader reader;
  fuzz::FuzzInput in(data, size);
  const uint8_t selector = in.takeByte();
  std::string body(in.rest());
  body.reserve(body.size() + common::JsonFactsParser::kPadding);
  // The reader's contract: only bodies the gateway's JSON check accepted reach it.
  if (!facts.parse(body.data(), body.size(), body.capacity())) return 0;

  const auto source = static_cast<InternalRequest::Source>(selector % 3);
  auto ir = reader.read(source, body.data(), body.size(), body.capacity());
  if (!ir) {
    if (ir.error().detail.empty()) std::abort();
    return 0;
  }
  const bool to_anthropic = source != InternalRequest::Source::Messages && (selector & 4) == 0;
  if (to_anthropic) {
    repairRequest(*ir, common::ProviderType::Anthropic);
    checkWritten(facts, writeAnthropicRequest(*ir, {"target-model", (selector & 8) ? 64u : 0u}));
  } else if (source != InternalRequest::Source::ChatCompletions) {
    repairRequest(*ir, common::ProviderType::OpenAI);
    checkWritten(facts, writeChatRequest(*ir, {"target-model", (selector & 8) != 0}));
  }
  return 0;
}
