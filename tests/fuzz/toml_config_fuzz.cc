// Fuzz target: llmproxy.conf text through the whole loader (TOML, ${VAR} expansion, the
// schema, validation), with a fixed environment.
#include <string>

#include "common/config/load.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const llmproxy::common::EnvLookup env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "FUZZ_SET") return std::string("value");
    return std::nullopt;
  };
  auto loaded = llmproxy::common::loadConfigText(text, "fuzz.conf", env);
  (void)loaded;
  return 0;
}
