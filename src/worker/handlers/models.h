// GET /v1/models: every exact model name the config serves, in OpenAI's list format
// (limited to what the client key may use).
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::handlers {

Outcome models(LocalCall& call);

}  // namespace llmproxy::worker::handlers
