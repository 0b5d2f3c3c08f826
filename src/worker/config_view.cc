// Generation check and config swap.
#include "worker/config_view.h"

#include "common/config/blob.h"
#include "common/log/log.h"

namespace llmproxy::worker {

void ConfigView::bindToWorker(RuntimeConfig& runtime) const {
  // The UI's files are read here, once per generation, never while serving them.
  if (!runtime.server.admin_listen.empty())
    runtime.ui_files = UiFiles::load(runtime.server.admin_ui_root);
  if (!slots_) return;
  for (ProviderRuntime& p : runtime.provider_runtime) p.slots = slots_->entry(p.config->id);
}

common::Result<void> ConfigView::load() {
  std::string blob;
  const uint64_t gen = slot_.read(blob);
  auto config = common::decodeConfig(blob);
  if (!config) return std::unexpected(config.error());
  auto runtime = RuntimeConfig::build(std::move(*config), &health_);
  if (!runtime) return std::unexpected(runtime.error());
  bindToWorker(**runtime);
  current_ = std::move(*runtime);
  generation_ = gen;
  return {};
}

bool ConfigView::refresh() {
  const uint64_t published = slot_.currentGeneration();
  if (published == generation_ || published == failed_generation_) return false;
  std::string blob;
  const uint64_t gen = slot_.read(blob);
  if (gen == 0) return false;  // no consistent copy within the seqlock bound: try next exchange
  auto config = common::decodeConfig(blob);
  common::Result<std::shared_ptr<RuntimeConfig>> runtime =
      config ? RuntimeConfig::build(std::move(*config), &health_) : std::unexpected(config.error());
  if (!runtime) {
    failed_generation_ = gen;
    LLMP_LOG_ERROR("config generation {} could not be used ({}), keeping generation {}", gen,
                   runtime.error().detail, generation_);
    return false;
  }
  bindToWorker(**runtime);
  current_ = std::move(*runtime);
  generation_ = gen;
  return true;
}

}  // namespace llmproxy::worker
