// Fuzz target: a provider payload (a stream event's data or a whole body) through the usage
// extractor that the relay runs on every response.
#include <cstdlib>
#include <string_view>

#include "worker/sse/usage_extractor.h"

using llmproxy::worker::UsageExtractor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static UsageExtractor extractor;
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  const auto facts = extractor.extract(payload);
  if (facts.usage && !llmproxy::worker::mayHaveUsage(payload)) std::abort();
  return 0;
}
