// A provider's response headers toward the client.
#include "worker/protocol/response_headers.h"

namespace llmproxy::worker::protocol {
namespace {

// The fixed part of the rule (see response_headers.h), by first byte.
bool neverRelayed(std::string_view name) {
  if (name.empty()) return false;
  switch (name[0]) {
    case 'a':
      return name == "alt-svc" || name == "anthropic-organization-id" ||
             name.starts_with("anthropic-ratelimit-");
    case 'c': return name == "content-length" || name == "connection";
    case 'k': return name == "keep-alive";
    case 'o': return name == "openai-organization" || name == "openai-project";
    case 'p': return name == "proxy-connection";
    case 's':
      return name == "server" || name == "set-cookie" || name == "set-cookie2" ||
             name == "strict-transport-security";
    case 't': return name == "te" || name == "trailer" || name == "transfer-encoding";
    case 'u': return name == "upgrade";
    case 'x':
      return name == "x-request-id" || name.starts_with("x-ratelimit-") ||
             name.starts_with("x-llmproxy-");
    default: return false;
  }
}

}  // namespace

ResponseHeaderFilter::ResponseHeaderFilter(const HeaderList& headers)
    : headers_(headers), connection_names_others_(connectionNamesOthers(headers)) {}

bool ResponseHeaderFilter::relays(std::string_view name) const {
  if (neverRelayed(name)) return false;
  return !connection_names_others_ || !namedByConnection(headers_, name);
}

}  // namespace llmproxy::worker::protocol
