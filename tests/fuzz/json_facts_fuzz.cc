// Fuzz target: a request body through JsonFactsParser (the one validating walk,
// common/json/json_validate), parsed in place and through the padded copy, then the model
// splice. The two parses must agree, and the splice must keep the body's length arithmetic.
#include <cstdlib>
#include <string>

#include "common/json/json_facts.h"

using llmproxy::common::JsonFactsParser;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static JsonFactsParser parser;
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto copied = parser.parse(body.data(), body.size(), body.size());  // copies into its buffer

  std::string padded = body;
  padded.resize(body.size() + JsonFactsParser::kPadding, 'x');  // past len: read, never used
  auto in_place = parser.parse(padded.data(), body.size(), padded.size());

  if (copied.has_value() != in_place.has_value()) std::abort();
  if (!copied) return 0;
  const auto& facts = *copied;
  if (facts.model.empty() || facts.model != in_place->model || facts.stream != in_place->stream)
    std::abort();
  if (facts.model_token.end > body.size() || facts.object_close >= body.size()) std::abort();
  const auto splice = llmproxy::common::spliceModel(body, facts.model_token, "fuzz-model");
  if (splice.size() != body.size() - facts.model_token.size() + splice.value.size()) std::abort();
  // The spliced body is still a request body with the new model.
  auto again = parser.parse(splice.joined());
  if (!again || again->model != "fuzz-model") std::abort();
  return 0;
}
