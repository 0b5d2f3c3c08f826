// Admin: GET /admin/v1/status — master, workers, config version, last reload.
#pragma once

#include "worker/pipeline/pipeline.h"

namespace llmproxy::worker::admin {

Outcome status(Exchange& ex);

}  // namespace llmproxy::worker::admin
