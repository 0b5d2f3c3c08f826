// Which client sent a request, from its User-Agent: a short name (claude-code, codex, ai-sdk,
// openai-python, cursor, curl, ...) for traces and Langfuse, never the raw string (which is
// exported separately as user_agent.original on spans only).
#pragma once

#include <string_view>

namespace llmproxy::worker::tracing {

// The first entry of the pattern table (client_name.cc) whose pattern the User-Agent contains
// (ASCII case-insensitive); "other" when none does, "unknown" when there is no User-Agent.
std::string_view clientName(std::string_view user_agent);

}  // namespace llmproxy::worker::tracing
