// A response the proxy builds itself (local handlers and errors), serialised in one piece.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base/result.h"

namespace llmproxy::worker {

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond the standard ones
  std::string content_type = "application/json";
  std::string body;

  static Response json(int status, std::string body);
  // The OpenAI-style error body: {"error":{"message","type","param","code"}}.
  static Response error(const common::Error& error, std::string_view param = {});
};

std::string_view statusReason(int status);

// Serialises the status line and headers. `close` adds "Connection: close".
std::string serializeHead(const Response& r, std::string_view request_id, bool close,
                          bool keep_alive_http10);

}  // namespace llmproxy::worker
