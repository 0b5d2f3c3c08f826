// Reads an OpenAI Responses request body into the internal form (RequestReader's part for
// Source::Responses), for a provider reached through Chat Completions or Anthropic Messages.
//
//  - instructions → the first system block; input: a string (one user message) or items:
//    message (user: input_text, input_image with a data or http(s) URL; assistant:
//    output_text, refusal skipped; system/developer → system blocks, in order),
//    function_call (call_id, name, arguments → ToolUse), function_call_output (call_id, output
//    string or input_text/input_image parts → a Tool message), reasoning (each summary text, or
//    the content texts when there is no summary → a Thinking part; encrypted_content is the
//    first part's signature, counted as OpenAI's). Consecutive assistant output (message,
//    function_call, reasoning items) is one assistant message, as chat needs it.
//    item_reference: an id the gateway wrote for a whole (not streamed) answer carries its
//    item, and a streamed item is in the node's store for a while (item_ids.h referencedItem):
//    either is read in its place; a reference to anything else is left out when it is
//    a reasoning item's (`rs_…`) or when its assistant turn goes on with a function_call (the
//    text the AI SDK sends by reference before a tool call), and refused otherwise with
//    kUnresolvedReference. Other items (hosted tool calls, files, audio) are refused.
//  - max_output_tokens, temperature, top_p, stream, user, parallel_tool_calls; tools (type
//    function only), tool_choice; reasoning.effort; text.format → response_format and
//    text.verbosity → verbosity.
//  - previous_response_id and conversation need the provider to keep state: refused (a provider
//    with `responses = true` takes them through the bypass). background, include,
//    max_tool_calls, prompt, stream_options, top_logprobs and truncation are kept raw but
//    marked not chat-compatible (never sent to chat). Every other member is kept raw.
#pragma once

#include <simdjson.h>

#include "common/base/result.h"
#include "worker/protocol/reader_support.h"

namespace llmproxy::worker::protocol {

// The 400 of an item_reference that cannot be rebuilt (param: the reference's input[i]).
inline constexpr std::string_view kUnresolvedReference =
    "An item_reference names an item this gateway cannot rebuild: the model is served through "
    "another API and the gateway keeps no responses (the ids of answers that were not "
    "streamed carry their item; streamed items are kept only briefly, on the node that "
    "streamed them). Send the earlier output items themselves: set store: false "
    "(AI SDK: providerOptions: { openai: { store: false } })";

common::Result<void> readResponsesRequest(reading::Scope& sc, simdjson::ondemand::object& root);

}  // namespace llmproxy::worker::protocol
