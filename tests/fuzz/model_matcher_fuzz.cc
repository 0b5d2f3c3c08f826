// Fuzz target: model patterns as a config or the database gives them (models entries and
// model_mapping keys: exact, glob, RE2) and the model names clients send. Part one is one
// pattern per line ("key=target" for a mapping); part two the requested model.
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "worker/routing/model_matcher.h"

using namespace llmproxy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  const uint8_t split = in.takeByte();
  const std::string_view patterns = in.takePart();
  const std::string model(in.rest());

  std::vector<common::ProviderConfig> providers(1 + split % 3);
  size_t i = 0;
  for (std::string_view line : fuzz::linesOf(patterns)) {
    if (line.empty() || i > 64) continue;
    common::ProviderConfig& p = providers[i++ % providers.size()];
    p.id = "p" + std::to_string(i);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      p.models.emplace_back(line);
    } else {
      p.model_mapping.push_back({std::string(line.substr(0, eq)), std::string(line.substr(eq + 1))});
    }
  }
  for (auto& p : providers) common::sortModelMapping(p.model_mapping);
  auto matcher = worker::ModelMatcher::build(providers);
  if (!matcher) return 0;
  std::vector<worker::Tier> scratch;
  for (const worker::Tier& tier : matcher->match(model, scratch)) {
    if (tier.candidates.empty()) std::abort();
    for (const auto& c : tier.candidates) {
      if (c.provider >= providers.size()) std::abort();
    }
  }
  return 0;
}
