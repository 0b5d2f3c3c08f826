// RequestBuffers: what a connection's last request allocated, kept for its next request. The
// header list, the header names and values longer than std::string's inline buffer, the target
// and the body are handed back when an exchange ends and lent to the next one on the same
// connection, so a keep-alive client's requests after the first allocate nothing for them.
// Bounded: a string or body larger than the limits below is freed, not kept, so an idle
// connection holds at most ~8 KiB. Under AddressSanitizer nothing is kept (a stale view into a
// finished request's bytes stays a visible use-after-free), as for common::Pooled.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "worker/http/request.h"

namespace llmproxy::worker {

class RequestBuffers {
 public:
  static constexpr size_t kMaxKeptString = 256;  // bytes of capacity per header name or value
  static constexpr size_t kMaxKeptStrings = 16;  // header names and values kept
  static constexpr size_t kMaxKeptBody = 4096;   // bytes of capacity of the body

  // Gives a new exchange's empty request the kept list, target and body.
  void lend(Request& req);
  // Takes them back from a finished exchange's request (its strings are cleared, not freed).
  void keep(Request& req);
  // An empty string, with a kept buffer when there is one: for a new header name or value.
  std::string spareString();

 private:
  void keepString(std::string& s);

  std::vector<std::pair<std::string, std::string>> headers_;
  std::vector<std::string> strings_;
  std::string target_;
  std::string body_;
};

}  // namespace llmproxy::worker
