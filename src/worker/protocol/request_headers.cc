// The client's request headers toward a provider.
#include "worker/protocol/request_headers.h"

namespace llmproxy::worker::protocol {
namespace {

// The fixed part of the rule (see request_headers.h), by first byte: a name costs one or two
// comparisons, whatever the length of the list.
bool neverForwarded(std::string_view name) {
  if (name.empty()) return false;
  switch (name[0]) {
    case 'a': return name == "authorization" || name == "api-key" || name == "accept-encoding";
    case 'c': return name == "cookie" || name == "content-length" || name == "connection";
    case 'e': return name == "expect";
    case 'h': return name == "host";
    case 'k': return name == "keep-alive";
    case 'o': return name == "ocp-apim-subscription-key";
    case 'p': return name == "proxy-authorization" || name == "proxy-connection";
    case 't':
      return name == "te" || name == "trailer" || name == "transfer-encoding" ||
             name == "traceparent" || name == "tracestate";
    case 'u': return name == "upgrade";
    case 'x': return name == "x-api-key" || name == "x-request-id";
    default: return false;
  }
}

bool isOrganizationHeader(std::string_view name) {
  return name == "openai-organization" || name == "openai-project";
}

// anthropic-version and anthropic-beta mean something to Anthropic only; the client's version
// gives way to one the provider's config sets.
bool forwardsAnthropicHeader(std::string_view name, const common::ProviderConfig& provider) {
  if (provider.type != common::ProviderType::Anthropic) return false;
  return name != "anthropic-version" || provider.api_version.empty();
}

bool forwards(std::string_view name, const HeaderList& headers,
              const common::ProviderConfig& provider, bool connection_names_others) {
  if (neverForwarded(name)) return false;
  if (name.starts_with("anthropic-") && !forwardsAnthropicHeader(name, provider)) return false;
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
