// Host and credential header lines of a provider.
#include "worker/protocol/provider_headers.h"

#include "common/config/upstream_url.h"

namespace llmproxy::worker::protocol {

std::string hostHeaderLine(const common::ProviderConfig& provider) {
  return "Host: " + common::hostHeader(provider.url) + "\r\n";
}

std::string authHeaderLine(const common::ProviderConfig& provider) {
  if (provider.api_key.empty()) return {};
  return provider.type == common::ProviderType::Azure
             ? "api-key: " + provider.api_key + "\r\n"
             : "Authorization: Bearer " + provider.api_key + "\r\n";
}

}  // namespace llmproxy::worker::protocol
