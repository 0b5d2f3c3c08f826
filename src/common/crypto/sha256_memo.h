// Sha256Memo: the SHA-256 of the last input, hashed again only when the input changes (a
// client connection presents the same API key on every request).
#pragma once

#include <string>
#include <string_view>

#include "common/config/config.h"

namespace llmproxy::common {

// Holds a copy of the last input for as long as it lives (a connection's lifetime): the same
// memory a request's own header already held. Not thread-safe.
class Sha256Memo {
 public:
  // The digest of `data`; no hashing when `data` equals the last input.
  const Sha256& digest(std::string_view data);

 private:
  std::string last_;
  Sha256 digest_{};
  bool valid_ = false;
};

}  // namespace llmproxy::common
