// Fuzz target: the seeds' YAML through `llmproxy import-config`'s reader. Whatever it
// accepts is held to the schema: ids, URLs and hashes it returns are well formed.
#include <cstdlib>
#include <string>

#include "common/config/upstream_url.h"
#include "master/import/seed_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const llmproxy::common::EnvLookup env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "FUZZ_SET") return std::string("value");
    return std::nullopt;
  };
  auto seed = llmproxy::master::import::parseSeedConfig(text, "fuzz.yaml", env);
  if (!seed) {
    if (seed.error().empty()) std::abort();  // a refusal always says why
    return 0;
  }
  for (const auto& p : seed->providers) {
    if (p.key.empty() || !llmproxy::common::parseUpstreamUrl(p.api_base)) std::abort();
  }
  for (const auto& k : seed->keys) {
    if (k.key_hash.size() != 64 || k.name.empty()) std::abort();
  }
  return 0;
}
