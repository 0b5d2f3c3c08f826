// OpenAI Responses, non-streaming (PROTOCOLS.md §3): the internal form written as a client's
// `response` object.
#pragma once

#include <string>

#include "worker/protocol/client_options.h"
#include "worker/protocol/internal_response.h"

namespace llmproxy::worker::protocol {

// Appends the response object: id "resp_…", status and incomplete_details from the stop
// reason (§3 table), output = one reasoning item (the thinking parts joined, when present),
// one message item with an output_text part per text part (when present), one function_call
// item per tool call (arguments = compact JSON of the input); usage with details.
void writeResponsesResponse(const InternalResponse& response, const ClientOptions& client,
                            std::string& out);

}  // namespace llmproxy::worker::protocol
