// The head of a request to a provider, except the client's headers (request_headers.h): the
// request line, the check of the model name that goes into it, and the framing at its end.
// Shared by every translator and by the admin provider probe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/result.h"
#include "common/config/config.h"
#include "worker/protocol/operation.h"

namespace llmproxy::worker::protocol {

// Whether the model name `target` can be sent to `provider`, or why not (ErrorKind::BadRequest,
// about the parameter "model"). Only Azure puts the model in the URL, as the deployment path
// segment (path_segment.h has the rule); the other types carry it in the JSON body, where any
// string is fine. The message never repeats the name (it may hold control characters).
std::optional<common::Error> checkTarget(const common::ProviderConfig& provider,
                                         std::string_view target);

// Appends "POST <path> HTTP/1.1\r\n". The path is the provider's base path as written in
// api_base (validated at load: no space, control character, query or fragment), then
//   - Azure: "/openai/deployments/<target>/<operation>?api-version=<api_version>", the target
//     and the version percent-encoded;
//   - the others: "/<operation>".
// Callers check `target` with checkTarget first; unchecked bytes are still percent-encoded, so
// nothing a client sends can end the request line.
void appendRequestLine(std::string& out, const common::ProviderConfig& provider, Operation op,
                       std::string_view target);

// Appends the end of the head: "x-request-id: <id>", "Content-Length: <body_size>",
// "Connection: keep-alive" and the blank line.
void appendHeadEnd(std::string& out, std::string_view request_id, size_t body_size);

}  // namespace llmproxy::worker::protocol
