// GET /v1/models: every exact model name the config serves, in OpenAI's list format
// (limited to what the client key may use).
#pragma once

#include "worker/pipeline/pipeline.h"

namespace llmproxy::worker::handlers {

Outcome models(Exchange& ex);

}  // namespace llmproxy::worker::handlers
