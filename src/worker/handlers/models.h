// GET /v1/models: every exact model name the config serves (limited to what the client key
// may use), in OpenAI's list shape, or Anthropic's when asked with anthropic-version. And
// POST /api/event_logging/batch, Claude Code's telemetry: acknowledged, nothing forwarded.
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::handlers {

Outcome models(LocalCall& call);
Outcome eventLogging(LocalCall& call);

}  // namespace llmproxy::worker::handlers
