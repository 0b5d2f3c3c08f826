// Host and credential header lines of a provider.
#include "worker/protocol/provider_headers.h"

#include "common/config/upstream_url.h"

namespace llmproxy::worker::protocol {

std::string hostHeaderLine(const common::ProviderConfig& provider) {
  return "Host: " + common::hostHeader(provider.url) + "\r\n";
}

std::string authHeaderLine(const common::ProviderConfig& provider) {
  if (provider.api_key.empty()) return {};
  switch (provider.type) {
    case common::ProviderType::Azure: return "api-key: " + provider.api_key + "\r\n";
    case common::ProviderType::Anthropic: return "x-api-key: " + provider.api_key + "\r\n";
    case common::ProviderType::OpenAI:
    case common::ProviderType::OpenAICompatible: break;
  }
  return "Authorization: Bearer " + provider.api_key + "\r\n";
}

std::string versionHeaderLine(const common::ProviderConfig& provider) {
  if (provider.type != common::ProviderType::Anthropic) return {};
  const std::string_view version =
      provider.api_version.empty() ? kDefaultAnthropicVersion : provider.api_version;
  return "anthropic-version: " + std::string(version) + "\r\n";
}

}  // namespace llmproxy::worker::protocol
