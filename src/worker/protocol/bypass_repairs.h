// The agent-client repairs on bypass (common/json/conversation_scan.h): the client's body with
// the repairs its one JSON walk planned, rendered as edits of the client's bytes next to the
// body edits (model splice, include_usage). Only a request that needs a repair gets a new body;
// every other one goes out as the client's bytes (identity_translator.h).
#pragma once

#include <string_view>

#include "common/json/conversation_scan.h"
#include "worker/protocol/body_edits.h"

namespace llmproxy::worker::protocol {

// out.body = `body` with `plan`'s edits and the repairs of `scan` (a body of `shape`);
// out.repairs = what they changed. The placeholders are kInterruptedToolResult results: a
// `role: tool` message per id (OpenAI), tool_result blocks with is_error (Anthropic).
void writeRepairedBody(OutgoingRequest& out, std::string_view body, const BodyPlan& plan,
                       const common::ConversationScan& scan, common::ConversationShape shape);

}  // namespace llmproxy::worker::protocol
