// One parsed client request: method, target, headers (names lower-cased) and body.
// Filled by DownstreamConn's llhttp callbacks; owned by the Exchange.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmproxy::worker {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path plus optional query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  uint64_t content_length = 0;  // declared length; 0 when absent
  bool chunked = false;
  bool has_body = false;        // Content-Length > 0 or chunked
  bool keep_alive = true;       // llhttp's verdict at message end
  uint8_t http_minor = 1;
  uint64_t header_bytes = 0;    // bytes of request line + headers, against max_header_size

  std::string_view path() const {
    std::string_view t = target;
    return t.substr(0, t.find('?'));
  }
  // Case-insensitive lookup by lower-case name; nullptr when absent.
  const std::string* header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
      if (k == lower_name) return &v;
    return nullptr;
  }
};

}  // namespace llmproxy::worker
