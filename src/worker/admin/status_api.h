// Admin: GET /admin/v1/status — master, workers, config version, last reload.
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::admin {

Outcome status(LocalCall& call);

}  // namespace llmproxy::worker::admin
