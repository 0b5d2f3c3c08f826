// Which of the client's request headers go on to a provider. Everything is forwarded (SDK
// headers such as openai-beta or x-stainless-* keep working) except:
//   - the client's credentials: authorization, proxy-authorization, x-api-key, api-key,
//     ocp-apim-subscription-key, cookie (the provider gets the provider's key, never theirs);
//   - hop-by-hop headers (header_names.h) and every header the client's Connection header names;
//   - what the proxy writes itself: host, content-length, expect, x-request-id (ours replaces
//     it), traceparent and tracestate (the trace context of the attempt replaces them:
//     tracing/tracer.h), accept-encoding (dropped so answers stay plain and scannable);
//   - openai-organization and openai-project, unless the provider's forward_organization_headers
//     allows them (they select an organisation or project of the provider's account).
#pragma once

#include <string>
#include <string_view>

#include "common/config/config.h"
#include "worker/protocol/header_names.h"

namespace llmproxy::worker::protocol {

// The rule for one header (lower-case name) of `headers`.
bool forwardsClientHeader(std::string_view name, const HeaderList& headers,
                          const common::ProviderConfig& provider);

// Appends "name: value\r\n" for each header of `headers` that goes to `provider`, in order.
void appendClientHeaders(std::string& out, const HeaderList& headers,
                         const common::ProviderConfig& provider);

}  // namespace llmproxy::worker::protocol
