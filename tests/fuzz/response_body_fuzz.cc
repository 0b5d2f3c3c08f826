// Fuzz target: a provider's non-streaming answer (OpenAI chat completion or Anthropic message,
// by the first byte) parsed and written in each client protocol it is translated to. What a
// writer produces must be valid JSON.
#include <cstdlib>
#include <string>

#include "common/json/json_facts.h"
#include "fuzz_input.h"
#include "worker/protocol/anthropic_response.h"
#include "worker/protocol/chat_response.h"
#include "worker/protocol/responses_response.h"

#include <simdjson.h>

using namespace llmproxy;
using namespace llmproxy::worker::protocol;

namespace {

void checkJson(const std::string& out) {
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(out).get(doc) != simdjson::SUCCESS || !doc.is_object()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  const uint8_t selector = in.takeByte();
  const std::string body(in.rest());
  const ClientOptions client{"client-model", "req-fuzz", 1700000000, (selector & 2) != 0};
  std::string out;
  if (selector & 1) {
    auto ir = parseAnthropicMessage(body);
    if (!ir) return 0;
    writeChatCompletion(*ir, client, out);
    checkJson(out);
    out.clear();
    writeResponsesResponse(*ir, client, out);
    checkJson(out);
  } else {
    auto ir = parseChatCompletion(body);
    if (!ir) return 0;
    writeAnthropicMessage(*ir, client, out);
    checkJson(out);
    out.clear();
    writeResponsesResponse(*ir, client, out);
    checkJson(out);
  }
  return 0;
}
