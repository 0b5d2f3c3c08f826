// The count_tokens estimate: string bytes / 4 (see token_estimate.h).
#include "worker/protocol/token_estimate.h"

#include <simdjson.h>

namespace llmproxy::worker::protocol {
namespace {

constexpr int kMaxDepth = 512;

uint64_t stringBytes(simdjson::dom::element e, int depth) {
  if (depth > kMaxDepth) return 0;
  switch (e.type()) {
    case simdjson::dom::element_type::STRING: return std::string_view(e.get_string()).size();
    case simdjson::dom::element_type::ARRAY: {
      uint64_t n = 0;
      for (simdjson::dom::element child : e.get_array()) n += stringBytes(child, depth + 1);
      return n;
    }
    case simdjson::dom::element_type::OBJECT: {
      uint64_t n = 0;
      for (simdjson::dom::key_value_pair field : e.get_object())
        n += stringBytes(field.value, depth + 1);
      return n;
    }
    default: return 0;
  }
}

}  // namespace

common::Result<uint64_t> estimateInputTokens(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS)
    return common::fail(common::ErrorKind::BadRequest, "Invalid JSON in request body");
  const uint64_t bytes = stringBytes(root, 0);
  return bytes == 0 ? 1 : (bytes + 3) / 4;
}

}  // namespace llmproxy::worker::protocol
