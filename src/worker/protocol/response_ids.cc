// Client ids derived from provider ids.
#include "worker/protocol/response_ids.h"

#include <initializer_list>

namespace llmproxy::worker::protocol {
namespace {

constexpr std::string_view kNoId = "llmproxy";

std::string_view withoutPrefixes(std::string_view id,
                                 std::initializer_list<std::string_view> prefixes) {
  for (std::string_view prefix : prefixes) {
    if (id.starts_with(prefix)) return id.substr(prefix.size());
  }
  return id;
}

std::string derive(std::string_view prefix, std::string_view upstream_id,
                   std::string_view fallback, std::initializer_list<std::string_view> strip) {
  if (upstream_id.starts_with(prefix) && upstream_id.size() > prefix.size()) {
    return std::string(upstream_id);
  }
  std::string_view tail = withoutPrefixes(upstream_id, strip);
  if (tail.empty()) tail = fallback.empty() ? kNoId : fallback;
  std::string id;
  id.reserve(prefix.size() + tail.size());
  id += prefix;
  id += tail;
  return id;
}

}  // namespace

std::string anthropicMessageId(std::string_view upstream_id, std::string_view fallback) {
  return derive("msg_", upstream_id, fallback, {"chatcmpl-"});
}

std::string chatCompletionId(std::string_view upstream_id, std::string_view fallback) {
  return derive("chatcmpl-", upstream_id, fallback, {});
}

std::string responsesId(std::string_view upstream_id, std::string_view fallback) {
  return derive("resp_", upstream_id, fallback, {"chatcmpl-", "msg_"});
}

std::string responsesItemId(std::string_view kind, std::string_view response_id, size_t index) {
  std::string id(kind);
  id += '_';
  id += withoutPrefixes(response_id, {"resp_"});
  id += '_';
  id += std::to_string(index);
  return id;
}

}  // namespace llmproxy::worker::protocol
