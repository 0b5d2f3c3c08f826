// A provider's response headers toward the client.
#include "worker/protocol/response_headers.h"

#include <array>

namespace llmproxy::worker::protocol {
namespace {

constexpr std::array<std::string_view, 10> kNeverRelayed{
    "content-length", "server",         "x-request-id",
    "set-cookie",     "set-cookie2",    "openai-organization",
    "openai-project", "anthropic-organization-id", "alt-svc",
    "strict-transport-security"};

constexpr std::array<std::string_view, 3> kNeverRelayedPrefixes{
    "x-ratelimit-", "anthropic-ratelimit-", "x-llmproxy-"};

}  // namespace

ResponseHeaderFilter::ResponseHeaderFilter(const HeaderList& headers)
    : headers_(headers), connection_names_others_(connectionNamesOthers(headers)) {}

bool ResponseHeaderFilter::relays(std::string_view name) const {
  if (isHopByHop(name)) return false;
  for (std::string_view n : kNeverRelayed)
    if (n == name) return false;
  for (std::string_view p : kNeverRelayedPrefixes)
    if (name.starts_with(p)) return false;
  return !connection_names_others_ || !namedByConnection(headers_, name);
}

}  // namespace llmproxy::worker::protocol
