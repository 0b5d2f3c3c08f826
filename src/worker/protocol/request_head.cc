// The request line toward a provider and the end of its head.
#include "worker/protocol/request_head.h"

#include <charconv>

#include "worker/protocol/path_segment.h"

namespace llmproxy::worker::protocol {

std::optional<common::Error> checkTarget(const common::ProviderConfig& provider,
                                         std::string_view target) {
  if (provider.type != common::ProviderType::Azure) return std::nullopt;
  const std::string_view problem = segmentProblem(target);
  if (problem.empty()) return std::nullopt;
  return common::Error{common::ErrorKind::BadRequest,
                       "The model name cannot be used as an Azure deployment name (provider \"" +
                           provider.id + "\"): " + std::string(problem) +
                           ". A deployment name is at most 256 bytes, is not \".\" or \"..\", "
                           "and contains no control character, space, '/', '\\', '?', '#' or "
                           "'%'.",
                       0};
}

void appendRequestLine(std::string& out, const common::ProviderConfig& provider, Operation op,
                       std::string_view target) {
  out += "POST ";
  out += provider.url.base_path;
  if (provider.type == common::ProviderType::Azure) {
    out += "/openai/deployments/";
    appendPercentEncoded(out, target);
    out += operationPath(op);
    out += "?api-version=";
    appendPercentEncoded(out, provider.api_version);
  } else {
    out += operationPath(op);
  }
  out += " HTTP/1.1\r\n";
}

void appendHeadEnd(std::string& out, std::string_view request_id, size_t body_size) {
  char digits[24];
  char* end = std::to_chars(digits, digits + sizeof(digits), body_size).ptr;
  out += "x-request-id: ";
  out += request_id;
  out += "\r\nContent-Length: ";
  out.append(digits, static_cast<size_t>(end - digits));
  out += "\r\nConnection: keep-alive\r\n\r\n";
}

}  // namespace llmproxy::worker::protocol
