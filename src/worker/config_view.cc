// Generation check and config swap.
#include "worker/config_view.h"

#include "common/config/blob.h"
#include "common/log/log.h"

namespace llmproxy::worker {

common::Result<void> ConfigView::load() {
  std::string blob;
  const uint64_t gen = slot_.read(blob);
  auto config = common::decodeConfig(blob);
  if (!config) return std::unexpected(config.error());
  current_ = std::make_shared<const common::Config>(std::move(*config));
  generation_ = gen;
  return {};
}

bool ConfigView::refresh() {
  const uint64_t published = slot_.currentGeneration();
  if (published == generation_ || published == failed_generation_) return false;
  std::string blob;
  const uint64_t gen = slot_.read(blob);
  auto config = common::decodeConfig(blob);
  if (!config) {
    failed_generation_ = gen;
    LLMP_LOG_ERROR("config generation {} could not be decoded ({}), keeping generation {}", gen,
                   config.error().detail, generation_);
    return false;
  }
  current_ = std::make_shared<const common::Config>(std::move(*config));
  generation_ = gen;
  return true;
}

}  // namespace llmproxy::worker
