// Which of a provider's response headers reach the client. Everything is relayed except:
//   - hop-by-hop headers (header_names.h), every header the provider's Connection header names,
//     and what the proxy's response writer writes itself (content-length, server; x-request-id:
//     ours replaces it);
//   - cookies: set-cookie, set-cookie2 (the provider's session is the proxy's, not the client's);
//   - the provider account's identity: openai-organization, openai-project,
//     anthropic-organization-id;
//   - the provider account's rate limits, x-ratelimit-* and anthropic-ratelimit-*: they count
//     every client of the proxy together, would be confused with the proxy's own x-ratelimit-*
//     (the client's limits, added by the relay) and tell one client about the others' traffic.
//     They are dropped, not renamed: a client has nothing to do with them (the proxy fails over
//     on the provider's 429s itself);
//   - x-llmproxy-* (a provider that is itself an llmproxy): the relay adds its own;
//   - alt-svc and strict-transport-security: policies of the provider's host, not the proxy's.
#pragma once

#include <string_view>

#include "worker/protocol/header_names.h"

namespace llmproxy::worker::protocol {

// The rule for the headers of one provider response. Made per response head (one pass over the
// headers, no allocation); it views `headers`, which must outlive it.
class ResponseHeaderFilter {
 public:
  explicit ResponseHeaderFilter(const HeaderList& headers);
  // Whether the header `name` (lower-case) of these headers reaches the client.
  bool relays(std::string_view name) const;

 private:
  const HeaderList& headers_;
  bool connection_names_others_;
};

}  // namespace llmproxy::worker::protocol
