// The ids a client sees, derived from the provider's (PROTOCOLS.md §3): stable, so every
// event of one stream and a retried conversion of the same body carry the same id.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace llmproxy::worker::protocol {

// "msg_" + the provider's id without its "chatcmpl-" prefix ("chatcmpl-abc" -> "msg_abc"); an
// id already starting with "msg_" is kept. An empty id uses `fallback` (say, the request id).
std::string anthropicMessageId(std::string_view upstream_id, std::string_view fallback = {});

// "chatcmpl-" + the provider's id ("msg_01X" -> "chatcmpl-msg_01X"); kept when it already
// starts with "chatcmpl-".
std::string chatCompletionId(std::string_view upstream_id, std::string_view fallback = {});

// "resp_" + the provider's id without a "chatcmpl-" or "msg_" prefix; kept when it already
// starts with "resp_".
std::string responsesId(std::string_view upstream_id, std::string_view fallback = {});

// The id of output item `index` of Responses response `response_id`: `kind` ("msg", "fc",
// "rs") + "_" + the response id's tail + "_" + index.
std::string responsesItemId(std::string_view kind, std::string_view response_id, size_t index);

}  // namespace llmproxy::worker::protocol
