// A response the proxy builds itself (local handlers and errors); ResponseWriter::send writes it.
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
  // The Anthropic-style error body: {"type":"error","error":{"type","message"}}.
  static Response anthropicError(const common::Error& error);
};

}  // namespace llmproxy::worker
