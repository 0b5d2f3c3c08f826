// The client's request headers toward a provider.
#include "worker/protocol/request_headers.h"

#include <array>

namespace llmproxy::worker::protocol {
namespace {

constexpr std::array<std::string_view, 11> kNeverForwarded{
    "authorization", "proxy-authorization", "x-api-key",      "api-key",
    "ocp-apim-subscription-key", "cookie",  "host",           "content-length",
    "expect",        "x-request-id",        "accept-encoding"};

bool listed(std::string_view name) {
  for (std::string_view n : kNeverForwarded)
    if (n == name) return true;
  return isHopByHop(name);
}

bool isOrganizationHeader(std::string_view name) {
  return name == "openai-organization" || name == "openai-project";
}

bool forwards(std::string_view name, const HeaderList& headers,
              const common::ProviderConfig& provider, bool connection_names_others) {
  if (listed(name)) return false;
  if (isOrganizationHeader(name) && !provider.forward_organization_headers) return false;
  return !connection_names_others || !namedByConnection(headers, name);
}

}  // namespace

bool forwardsClientHeader(std::string_view name, const HeaderList& headers,
                          const common::ProviderConfig& provider) {
  return forwards(name, headers, provider, connectionNamesOthers(headers));
}

void appendClientHeaders(std::string& out, const HeaderList& headers,
                         const common::ProviderConfig& provider) {
  const bool connection_names_others = connectionNamesOthers(headers);
  for (const auto& [name, value] : headers) {
    if (!forwards(name, headers, provider, connection_names_others)) continue;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
}

}  // namespace llmproxy::worker::protocol
