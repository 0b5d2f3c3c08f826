// Reads an Anthropic Messages request body into the internal form (RequestReader's part for
// Source::Messages).
//
//  - system: a string or text blocks (cache_control kept).
//  - user content: text, image (source base64 or url; file refused), tool_result (tool_use_id,
//    content string or text/image blocks, is_error). assistant content: text, tool_use (input
//    kept raw), thinking (signature kept, counted as Anthropic's), redacted_thinking. Other
//    block types (document, search_result, server tools, ...) are refused.
//  - max_tokens, temperature, top_p, top_k, stop_sequences, stream; tools (custom tools only:
//    a tool with another `type` is a server tool, refused); tool_choice {auto|any|tool|none,
//    name, disable_parallel_tool_use}; metadata.user_id → user; thinking {enabled,
//    budget_tokens | disabled | adaptive}. Every other top-level member is kept raw.
#pragma once

#include <simdjson.h>

#include "common/base/result.h"
#include "worker/protocol/reader_support.h"

namespace llmproxy::worker::protocol {

common::Result<void> readAnthropicRequest(reading::Scope& sc, simdjson::ondemand::object& root);

}  // namespace llmproxy::worker::protocol
