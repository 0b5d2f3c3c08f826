// A provider's response headers toward the client.
#include "worker/protocol/response_headers.h"

#include <array>

namespace llmproxy::worker::protocol {
namespace {

constexpr std::array<std::string_view, 9> kNeverRelayed{
    "content-length",      "x-request-id",    "set-cookie",
    "set-cookie2",         "openai-organization", "openai-project",
    "anthropic-organization-id", "alt-svc",   "strict-transport-security"};

constexpr std::array<std::string_view, 3> kNeverRelayedPrefixes{
    "x-ratelimit-", "anthropic-ratelimit-", "x-llmproxy-"};

bool relays(std::string_view name, const HeaderList& headers, bool connection_names_others) {
  if (isHopByHop(name)) return false;
  for (std::string_view n : kNeverRelayed)
    if (n == name) return false;
  for (std::string_view p : kNeverRelayedPrefixes)
    if (name.starts_with(p)) return false;
  return !connection_names_others || !namedByConnection(headers, name);
}

}  // namespace

bool relaysResponseHeader(std::string_view name, const HeaderList& headers) {
  return relays(name, headers, connectionNamesOthers(headers));
}

void appendResponseHeaders(std::string& out, const HeaderList& headers) {
  const bool connection_names_others = connectionNamesOthers(headers);
  for (const auto& [name, value] : headers) {
    if (!relays(name, headers, connection_names_others)) continue;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
}

}  // namespace llmproxy::worker::protocol
