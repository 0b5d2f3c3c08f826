// One cached answer as stored (in the per-worker LRU or in Redis): when it was made, the
// tokens it reported, its content type and body. A small binary framing, versioned.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmproxy::worker {

struct CacheEntry {
  int64_t created_ms = 0;  // unix ms, for the Age header and a request's max-age
  uint32_t prompt_tokens = 0;
  uint32_t completion_tokens = 0;
  std::string content_type;
  std::string body;  // always a complete 200 answer

  std::string encode() const;
  // nullopt for anything that is not an entry of this version (then it is a miss).
  static std::optional<CacheEntry> decode(std::string_view bytes);
};

}  // namespace llmproxy::worker
