// Fuzz target: a provider's event stream (one event's data per line; OpenAI chat chunks or
// Anthropic events, by the first byte) through the stream converter to each client protocol,
// ending cleanly or with a failure. Every client event written must be complete SSE whose
// data is valid JSON (or chat's [DONE]).
#include <cstdlib>
#include <string>

#include "common/base/error_kind.h"
#include "fuzz_input.h"
#include "worker/protocol/stream_converter.h"

#include <simdjson.h>

using namespace llmproxy;
using namespace llmproxy::worker::protocol;

namespace {

// Each "data: " line of `out` holds JSON or [DONE]; `out` ends with a blank line.
void checkEvents(const std::string& out) {
  static simdjson::dom::parser parser;
  if (out.empty()) return;
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\n\n") != 0) std::abort();
  for (std::string_view line : fuzz::linesOf(out)) {
    if (!line.starts_with("data: ")) continue;
    line.remove_prefix(6);
    if (line == "[DONE]") continue;
    simdjson::dom::element doc;
    if (parser.parse(line.data(), line.size()).get(doc) != simdjson::SUCCESS) std::abort();
  }
}

template <typename Converter>
void run(std::string_view events, uint8_t selector) {
  Converter converter(ClientOptions{"client-model", "req-fuzz", 1700000000, (selector & 2) != 0});
  std::string out;
  for (std::string_view data : fuzz::linesOf(events)) {
    out.clear();
    converter.event(data, out);
    checkEvents(out);
  }
  out.clear();
  if (selector & 4) {
    converter.fail(common::Error{common::ErrorKind::UpstreamProtocol, "cut"}, out);
  } else {
    converter.finish(out);
  }
  checkEvents(out);
  if (!converter.ended()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  const uint8_t selector = in.takeByte();
  const std::string_view events = in.rest();
  if (selector & 1) {
    run<AnthropicToChatStream>(events, selector);
    run<AnthropicToResponsesStream>(events, selector);
  } else {
    run<ChatToAnthropicStream>(events, selector);
    run<ChatToResponsesStream>(events, selector);
  }
  return 0;
}
